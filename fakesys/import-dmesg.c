/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Import: the kernel log (dmesg, journalctl -k) lines about PCI devices, IOMMU and VFIO. */

#include <stdlib.h>
#include <string.h>

#include "import-internal.h"

/* "pci 0000:00:01.0: " or "vfio-pci 0000:01:00.0: ": the device a line is about. */
static struct fks_imp_dev *line_dev(struct fks_import *imp, const char *s, const char **ret_rest)
{
	const char *sp = strchr(s, ' ');
	char addr[FKS_IMP_ADDR];
	size_t n;

	if (!sp || sp - s > 24)
		return NULL;
	n = fks_imp_parse_addr(sp + 1, addr);
	if (!n || sp[1 + n] != ':')
		return NULL;
	*ret_rest = sp + 1 + n + 1 + (sp[2 + n] == ' ');
	if (g_str_has_prefix(s, "pci ") || g_str_has_prefix(s, "vfio-pci ") ||
	    g_str_has_prefix(s, "pcieport ") || g_str_has_prefix(s, "iommu "))
		return fks_imp_dev_get(imp, addr);
	return NULL;
}

/* "[8086:191f] type 00 class 0x060000" as the kernel prints a device it found. */
static void enumerated(struct fks_import *imp, struct fks_imp_dev *d, const char *r,
		       const struct fks_imp_line *ln)
{
	const char *c = strstr(r, " class 0x");
	int v, dv;

	if (strnlen(r, 11) < 11 || r[5] != ':' || r[10] != ']')
		return;
	v = fks_imp_hexn(r + 1, 4);
	dv = fks_imp_hexn(r + 6, 4);
	fks_imp_set_int(imp, d, &d->vendor, v, "vendor", ln);
	fks_imp_set_int(imp, d, &d->device, dv, "device", ln);
	if (!c || fks_imp_hexn(c + 9, 6) < 0)
		return;
	if (strstr(r, " type 0 ") || strstr(r, " type 1 ") || strstr(r, " type 2 ")) {
		/* Before 3.x: "type %d class %#08x" of class >> 8 (base and subclass only). */
		if (d->class < 0)
			d->class = fks_imp_hexn(c + 11, 4) << 8;
	} else {
		d->class = fks_imp_hexn(c + 9, 6);
		d->class_progif_known = true;
	}
}

/* "PCI bridge to [bus 01]" / "[bus 01-02]" */
static void bridge_to(struct fks_imp_dev *d, const char *r)
{
	const char *b = strstr(r, "[bus ");
	int sec, sub;

	if (!b || (sec = fks_imp_hexn(b + 5, 2)) < 0)
		return;
	sub = b[7] == '-' ? fks_imp_hexn(b + 8, 2) : sec;
	d->secondary = sec;
	d->subordinate = sub < 0 ? sec : sub;
}

/* Lines naming a device. Returns true when the line is about one. */
static bool device_line(struct fks_import *imp, const char *s, const struct fks_imp_line *ln)
{
	const char *r = NULL, *p;
	struct fks_imp_dev *d = line_dev(imp, s, &r);

	if (!d) {
		/* "iommu: Adding device 0000:00:02.0 to group 1" (kernels before 5.7) */
		char addr[FKS_IMP_ADDR];

		if ((p = strstr(s, "Adding device ")) && fks_imp_parse_addr(p + 14, addr) &&
		    (r = strstr(p, " to group ")) && g_ascii_isdigit(r[10])) {
			fks_imp_set_group(imp, fks_imp_dev_get(imp, addr), atoi(r + 10), ln);
			return true;
		}
		return false;
	}
	if (g_str_has_prefix(r, "Adding to iommu group ") && g_ascii_isdigit(r[22]))
		fks_imp_set_group(imp, d, atoi(r + 22), ln);
	else if (r[0] == '[')
		enumerated(imp, d, r, ln);
	else if (g_str_has_prefix(r, "PCI bridge to "))
		bridge_to(d, r);
	return true;
}

/* "vfio_pci: add [10de:1c82[ffffffff:ffffffff]] class 0x000000/00000000": an id given to
 * vfio-pci (ids= or new_id). */
static void vfio_add(struct fks_import *imp, const char *s)
{
	const char *a = strstr(s, "add [");
	int v, dv;

	if (!a || (v = fks_imp_hexn(a + 5, 4)) < 0 || a[9] != ':' ||
	    (dv = fks_imp_hexn(a + 10, 4)) < 0)
		return;
	g_ptr_array_add(imp->new_ids,
			g_strdup_printf("vfio-pci %04x %04x", (unsigned)v, (unsigned)dv));
}

static void host_line(struct fks_import *imp, const char *s)
{
	const char *p;

	if ((p = strstr(s, "Kernel command line: ")) || (p = strstr(s, "Command line: "))) {
		fks_imp_cmdline_facts(imp, strchr(p, ':') + 2);
	} else if (g_str_has_prefix(s, "Linux version ") && !imp->osrelease) {
		imp->osrelease = g_strndup(s + 14, strcspn(s + 14, " "));
	} else if (strstr(s, "ACS overrides enabled")) {
		imp->acs_override = true;
	} else if (g_str_has_prefix(s, "vfio_pci: add [") ||
		   g_str_has_prefix(s, "vfio-pci: add [")) {
		vfio_add(imp, s);
	} else if (g_str_has_prefix(s, "DMAR: dmar") && g_ascii_isdigit(s[10])) {
		g_autofree char *unit = g_strndup(s + 6, strcspn(s + 6, ": "));
		bool seen = false;

		for (guint i = 0; i < imp->iommus->len && !seen; i++)
			seen = strcmp(imp->iommus->pdata[i], unit) == 0;
		if (!seen)
			g_ptr_array_add(imp->iommus, g_steal_pointer(&unit));
	}
}

/* Prefixes of kernel log lines that have no timestamp (dmesg pasted with -t, grep output). */
static const char *const kernel_prefixes[] = {
	"pci ",		 "pci_bus ",	   "iommu:",
	"iommu ",	 "DMAR",	   "AMD-Vi:",
	"vfio",		 "pcieport ",	   "Kernel command line:",
	"Command line:", "Linux version ", "PCI-DMA:",
};

static bool dmesg_line(struct fks_import *imp, const struct fks_imp_line *ln)
{
	const char *s = ln->text;
	bool kernel = ln->kernel;

	for (size_t i = 0; i < G_N_ELEMENTS(kernel_prefixes) && !kernel; i++)
		kernel = g_str_has_prefix(s, kernel_prefixes[i]);
	if (!kernel)
		return false;
	imp->cur = NULL;
	if (!device_line(imp, s, ln)) {
		host_line(imp, s);
		imp->ignored++;
	}
	return true;
}

const struct fks_imp_parser fks_imp_dmesg = { "kernel log", dmesg_line };
