/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Import: dpdk-devbind.py --status (device sections, drv=, unused=). */

#include <string.h>

#include "import-internal.h"

/* Section titles and the class their devices have (dpdk-devbind's device types). */
static const struct {
	const char *title;
	int class; /* base << 8 | sub */
} sections[] = {
	{ "Network devices", 0x0200 },
	{ "Crypto devices", 0x1000 },
	{ "Eventdev devices", -1 },
	{ "Mempool devices", -1 },
	{ "Compress devices", -1 },
	{ "Misc (rawdev) devices", -1 },
	{ "DMA devices", 0x0880 },
	{ "Baseband devices", 0x1200 },
	{ "Regex devices", -1 },
	{ "ML devices", 0x1200 },
	{ "Other Network devices", 0x0200 },
	{ "Other Crypto devices", 0x1000 },
};

static bool section_line(struct fks_import *imp, const char *s)
{
	if (s[0] == '=' && strspn(s, "=") == strlen(s))
		return true; /* the underline */
	for (size_t i = 0; i < G_N_ELEMENTS(sections); i++)
		if (g_str_has_prefix(s, sections[i].title) &&
		    (strstr(s, " using ") || g_str_has_prefix(s, "Other "))) {
			imp->section_class = sections[i].class;
			return true;
		}
	return strcmp(s, "No 'Network' devices detected") == 0 || g_str_has_prefix(s, "No '");
}

/* "0000:82:00.0 '82599ES 10-Gigabit SFI/SFP+ Network Connection 10fb' if=ens1 drv=ixgbe
 * unused=vfio-pci *Active*" */
static bool devbind_line(struct fks_import *imp, const struct fks_imp_line *ln)
{
	const char *s = ln->text, *q2, *drv;
	char addr[FKS_IMP_ADDR];
	struct fks_imp_dev *d;
	size_t n;

	if (section_line(imp, s))
		return true;
	/* "12: 0000:8c:00.1 '...'": an index some versions print first. */
	if (g_ascii_isdigit(s[0]) && (s[strspn(s, "0123456789")] == ':') &&
	    s[strspn(s, "0123456789") + 1] == ' ')
		s += strspn(s, "0123456789") + 2;
	if (!(n = fks_imp_parse_addr(s, addr)) || s[n] != ' ' || s[n + 1] != '\'')
		return false;
	d = fks_imp_dev_get(imp, addr);
	imp->cur = d;
	if (imp->section_class >= 0 && d->class < 0)
		d->class = imp->section_class << 8;
	if (!(q2 = strchr(s + n + 2, '\'')))
		return true; /* cut inside the name */
	/* The device id ends the quoted name ("... 10fb"); newer versions print no vendor. */
	if (q2 - (s + n + 1) > 5 && q2[-5] == ' ')
		fks_imp_set_int(imp, d, &d->device, fks_imp_hexn(q2 - 4, 4), "device", ln);
	if ((drv = strstr(q2, " drv="))) {
		g_autofree char *name = g_strndup(drv + 5, strcspn(drv + 5, " "));

		if (name[0])
			fks_imp_set_driver(imp, d, name, ln);
	}
	return true;
}

const struct fks_imp_parser fks_imp_devbind = { "dpdk-devbind --status", devbind_line };
