/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Import: lspci -vmm and -nnvmm records ("Slot:", "Class:", ..., "IOMMUGroup:"). */

#include <stdlib.h>
#include <string.h>

#include "import-internal.h"

/* "Intel Corporation [8086]" (-nn): the number in the last brackets; -1 without. */
static int bracket_hex(const char *v, unsigned digits)
{
	const char *b = strrchr(v, '[');

	if (!b || strlen(b) != digits + 2 || b[digits + 1] != ']')
		return -1;
	return fks_imp_hexn(b + 1, digits);
}

static bool vmm_field(struct fks_import *imp, const struct fks_imp_line *ln, const char *key,
		      const char *v)
{
	struct fks_imp_dev *d = imp->cur;
	int x;

	if (!d)
		return false;
	if (strcmp(key, "Class") == 0) {
		x = bracket_hex(v, 4);
		if (x < 0)
			x = fks_imp_class_by_name(v, strlen(v));
		if (x >= 0 && !d->class_progif_known)
			d->class = x << 8;
	} else if (strcmp(key, "Vendor") == 0) {
		fks_imp_set_int(imp, d, &d->vendor, bracket_hex(v, 4), "vendor", ln);
	} else if (strcmp(key, "Device") == 0) {
		fks_imp_set_int(imp, d, &d->device, bracket_hex(v, 4), "device", ln);
	} else if (strcmp(key, "SVendor") == 0) {
		fks_imp_set_int(imp, d, &d->subvendor, bracket_hex(v, 4), "subsystem vendor", ln);
	} else if (strcmp(key, "SDevice") == 0) {
		fks_imp_set_int(imp, d, &d->subdevice, bracket_hex(v, 4), "subsystem device", ln);
	} else if (strcmp(key, "Rev") == 0) {
		fks_imp_set_int(imp, d, &d->revision, fks_imp_hexn(v, 2), "revision", ln);
	} else if (strcmp(key, "ProgIf") == 0) {
		if (d->class >= 0 && (x = fks_imp_hexn(v, 2)) >= 0) {
			d->class = (d->class & ~0xff) | x;
			d->class_progif_known = true;
		}
	} else if (strcmp(key, "Driver") == 0) {
		fks_imp_set_driver(imp, d, v, ln);
	} else if (strcmp(key, "Module") == 0) {
		g_free(d->modules);
		d->modules = g_strdup(v);
	} else if (strcmp(key, "IOMMUGroup") == 0) {
		fks_imp_set_group(imp, d, atoi(v), ln);
	} else if (strcmp(key, "PhySlot") != 0 && strcmp(key, "NUMANode") != 0) {
		return false;
	}
	return true;
}

static bool vmm_line(struct fks_import *imp, const struct fks_imp_line *ln)
{
	const char *colon = strchr(ln->text, ':');
	g_autofree char *key = NULL;
	const char *v;

	if (!colon || colon == ln->text || colon - ln->text > 12)
		return false;
	key = g_strndup(ln->text, (gsize)(colon - ln->text));
	v = colon + 1 + strspn(colon + 1, " \t");
	if (strcmp(key, "Slot") == 0 || strcmp(key, "Device") == 0) {
		char addr[FKS_IMP_ADDR];
		size_t n = fks_imp_parse_addr(v, addr);

		/* "Device:" holds the address only in the oldest -vmm; else it is the name. */
		if (n && v[n] == '\0') {
			imp->cur = fks_imp_dev_get(imp, addr);
			imp->in_vmm = true;
			return true;
		}
	}
	return imp->in_vmm && vmm_field(imp, ln, key, v);
}

const struct fks_imp_parser fks_imp_vmm = { "lspci -vmm", vmm_line };
