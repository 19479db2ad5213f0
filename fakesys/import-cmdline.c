/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Import: the kernel command line as /proc/cmdline shows it. */

#include <string.h>

#include "import-internal.h"

/* Words that only a kernel command line starts with or holds. */
static const char *const markers[] = {
	"BOOT_IMAGE=",
	"root=",
	"intel_iommu=",
	"amd_iommu=",
	"iommu=",
	"vfio-pci.ids=",
	"vfio_pci.ids=",
	"pcie_acs_override=",
	"initrd=",
	"ro",
	"rw",
	"quiet",
};

/* "vfio-pci.ids=10de:1b80,10de:10f0": ids vfio-pci takes at load. */
static void vfio_ids(struct fks_import *imp, const char *w)
{
	g_auto(GStrv) ids = g_strsplit(strchr(w, '=') + 1, ",", -1);

	for (guint i = 0; ids[i]; i++) {
		int v = fks_imp_hexn(ids[i], 4);
		int dv = v >= 0 && ids[i][4] == ':' ? fks_imp_hexn(ids[i] + 5, 4) : -1;

		if (v >= 0 && dv >= 0)
			g_ptr_array_add(imp->new_ids, g_strdup_printf("vfio-pci %04x %04x",
								      (unsigned)v, (unsigned)dv));
	}
}

void fks_imp_cmdline_facts(struct fks_import *imp, const char *cmdline)
{
	g_auto(GStrv) words = g_strsplit_set(cmdline, " \t", -1);

	if (imp->cmdline)
		return;
	imp->cmdline = g_strdup(cmdline);
	for (guint i = 0; words[i]; i++) {
		if (g_str_has_prefix(words[i], "vfio-pci.ids=") ||
		    g_str_has_prefix(words[i], "vfio_pci.ids="))
			vfio_ids(imp, words[i]);
		if (g_str_has_prefix(words[i], "pcie_acs_override="))
			imp->acs_override = true;
	}
}

static bool cmdline_line(struct fks_import *imp, const struct fks_imp_line *ln)
{
	g_auto(GStrv) words = g_strsplit_set(ln->text, " \t", -1);
	unsigned marks = 0, kv = 0, n = 0;

	for (guint i = 0; words[i]; i++) {
		if (!words[i][0])
			continue;
		n++;
		kv += strchr(words[i], '=') != NULL;
		for (size_t j = 0; j < G_N_ELEMENTS(markers); j++) {
			size_t m = strlen(markers[j]);

			if (markers[j][m - 1] == '=' ? g_str_has_prefix(words[i], markers[j]) :
						       strcmp(words[i], markers[j]) == 0)
				marks++;
		}
	}
	/* At least two markers and most words key=value: "BOOT_IMAGE=... root=... ro quiet". */
	if (marks < 2 || kv * 2 < n ||
	    !(g_str_has_prefix(ln->text, "BOOT_IMAGE=") || strstr(ln->text, "root=") ||
	      strstr(ln->text, "iommu=")))
		return false;
	if (imp->cmdline && strcmp(imp->cmdline, ln->text) != 0)
		fks_imp_message(imp, ln, "a second kernel command line; the first is kept");
	else if (!imp->cmdline)
		fks_imp_cmdline_facts(imp, ln->text);
	imp->cur = NULL;
	return true;
}

const struct fks_imp_parser fks_imp_cmdline = { "kernel command line", cmdline_line };
