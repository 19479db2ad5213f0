/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel's kstrtoull() and kstrtobool() on a sysfs write buffer, for the store handlers. */

#include <errno.h>
#include <string.h>

#include "internal.h"

/*
 * The store function sees the written bytes followed by a NUL (kernfs copies them into a
 * buffer one byte longer), so a string function stops at the first embedded NUL. The text
 * is taken to that point.
 */
static char *text_of(const char *buf, size_t len)
{
	return g_strndup(buf, strnlen(buf, len));
}

/*
 * lib/kstrtox.c: one optional '+', then _parse_integer_fixup_radix() (base 0: "0x" followed by
 * a hex digit is hex, another leading '0' octal, else decimal; base 16 skips a "0x"), at least
 * one digit, -ERANGE on overflow, then at most one '\n' and nothing else (-EINVAL).
 */
int fks_kstrtoull(const char *buf, size_t len, unsigned base, unsigned long long *ret)
{
	g_autofree char *text = text_of(buf, len);
	const char *s = text;
	unsigned long long v = 0;
	bool overflow = false;
	size_t digits = 0;

	if (*s == '+')
		s++;
	if (base == 0) {
		if (s[0] == '0' && g_ascii_tolower(s[1]) == 'x' && g_ascii_isxdigit(s[2]))
			base = 16;
		else
			base = s[0] == '0' ? 8 : 10;
	}
	if (base == 16 && s[0] == '0' && g_ascii_tolower(s[1]) == 'x')
		s += 2;
	for (; *s; s++, digits++) {
		int d = g_ascii_isdigit(*s)  ? *s - '0' :
			g_ascii_isxdigit(*s) ? g_ascii_xdigit_value(*s) :
					       99;

		if (d >= (int)base)
			break;
		if (v > (~0ull - (unsigned)d) / base)
			overflow = true;
		v = v * base + (unsigned)d;
	}
	if (overflow)
		return -ERANGE;
	if (!digits)
		return -EINVAL;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* lib/kstrtox.c: the first character decides ('y', 'Y', '1', 'n', 'N', '0'); 'o'/'O' needs
 * 'n' or 'f' after it; anything else, and an empty text, is -EINVAL. */
int fks_kstrtobool(const char *buf, size_t len, bool *ret)
{
	g_autofree char *text = text_of(buf, len);

	switch (text[0]) {
	case 'y':
	case 'Y':
	case '1':
		*ret = true;
		return 0;
	case 'n':
	case 'N':
	case '0':
		*ret = false;
		return 0;
	case 'o':
	case 'O':
		if (g_ascii_tolower(text[1]) == 'n' || g_ascii_tolower(text[1]) == 'f') {
			*ret = g_ascii_tolower(text[1]) == 'n';
			return 0;
		}
		return -EINVAL;
	default:
		return -EINVAL;
	}
}
