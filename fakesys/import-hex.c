/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Import: config space rows of lspci -x, -xxx and -xxxx under their device line. */

#include <string.h>

#include "import-internal.h"

/*
 * "00: 86 80 04 01 06 00 90 20 09 00 00 06 00 00 00 00": the offset (2 or 3 hex digits, a
 * multiple of 16) and up to 16 bytes. Rows must follow on from the previous one: a gap
 * means the dump was cut, and only what came before it is kept (a short dump then shows
 * fewer capabilities; it never gains invented bytes).
 */
static bool hex_line(struct fks_import *imp, const struct fks_imp_line *ln)
{
	struct fks_imp_dev *d = imp->cur;
	const char *s = ln->text, *colon = strchr(s, ':');
	size_t digits = colon ? (size_t)(colon - s) : 0;
	uint8_t row[16];
	unsigned n = 0;
	int off;

	if (!d || (digits != 2 && digits != 3) || colon[1] != ' ')
		return false;
	off = fks_imp_hexn(s, (unsigned)digits);
	if (off < 0 || off % 16)
		return false;
	for (const char *p = colon + 1; *p && n < 16; p += 3) {
		int b;

		if (p[0] != ' ' || (b = fks_imp_hexn(p + 1, 2)) < 0)
			return false;
		row[n++] = (uint8_t)b;
	}
	if (n == 0)
		return false;
	if ((size_t)off != d->config_len || off >= 4096) {
		if (off != 0 || d->config_len == 0)
			fks_imp_message(imp, ln,
					"%s: config row %03x does not follow row %03zx; rows from "
					"here on are not used",
					d->addr, (unsigned)off,
					d->config_len ? d->config_len - 16 : 0);
		return true;
	}
	if (d->config_cap < (size_t)off + 16) {
		d->config_cap = d->config_cap ? d->config_cap * 2 : 256;
		d->config = g_realloc(d->config, d->config_cap);
	}
	memcpy(d->config + off, row, n);
	if (n < 16) {
		fks_imp_message(imp, ln, "%s: config row %03x is cut after %u bytes", d->addr,
				(unsigned)off, n);
		d->config_len = (size_t)off; /* keep whole rows only */
		return true;
	}
	d->config_len = (size_t)off + 16;
	if (d->config_len == 64)
		fks_imp_from_config(imp, d, ln);
	return true;
}

const struct fks_imp_parser fks_imp_hex = { "lspci -x hex dump", hex_line };
