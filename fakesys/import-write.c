/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Import: the merged devices written as a umockdev recording with the ptharness block. */

/*
 * The plan: a device's sysfs path comes from what the text showed, in this order: a path an
 * `ls -l` link printed; else the bridge whose secondary bus is the device's bus (from lspci
 * -v "Bus:" lines, dmesg "PCI bridge to [bus NN]" or a bridge's config space); else the
 * device sits under its bus's own root ("pci0000:05"): its place in the tree is unknown, and
 * the recording does not pretend to know it. Only what was read is written: ids, class and
 * revision as attributes, config space only from a hex dump, "reset_method" only when
 * lspci -vv showed FLReset+ (then "flr" is one method the kernel has for it).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import-internal.h"

static gint cmp_dev(gconstpointer a, gconstpointer b)
{
	const struct fks_imp_dev *x = *(struct fks_imp_dev *const *)a;
	const struct fks_imp_dev *y = *(struct fks_imp_dev *const *)b;

	return strcmp(x->addr, y->addr);
}

static GPtrArray *sorted_devs(const struct fks_import *imp)
{
	GPtrArray *v = g_ptr_array_new();
	GHashTableIter it;
	gpointer val;

	g_hash_table_iter_init(&it, imp->devs);
	while (g_hash_table_iter_next(&it, NULL, &val))
		g_ptr_array_add(v, val);
	g_ptr_array_sort(v, cmp_dev);
	return v;
}

static int bus_of(const struct fks_imp_dev *d, char ret_dom[16])
{
	const char *c = strrchr(d->addr, ':');

	g_strlcpy(ret_dom, d->addr, MIN((size_t)(c - d->addr - 2), (size_t)15));
	return fks_imp_hexn(c - 2, 2);
}

/* The bridge whose secondary bus holds d (the nearest when nested ranges overlap). */
static const struct fks_imp_dev *parent_of(GPtrArray *devs, const struct fks_imp_dev *d)
{
	const struct fks_imp_dev *best = NULL;
	char dom[16], bdom[16];
	int bus = bus_of(d, dom);

	for (guint i = 0; i < devs->len; i++) {
		const struct fks_imp_dev *b = devs->pdata[i];

		if (b == d || b->secondary < 0 || b->secondary > bus || b->subordinate < bus ||
		    b->secondary == 0)
			continue;
		bus_of(b, bdom);
		if (strcmp(dom, bdom) != 0 || bus_of(b, bdom) >= bus)
			continue;
		if (!best || b->secondary > best->secondary)
			best = b;
	}
	return best;
}

/* "devices/pci0000:00/0000:00:01.0/0000:01:00.0" (depth-limited against cycles). */
static char *devpath_of(GPtrArray *devs, const struct fks_imp_dev *d, unsigned depth)
{
	const struct fks_imp_dev *p;
	char dom[16];

	bus_of(d, dom);
	if (d->devpath) {
		size_t n = strcspn(d->devpath, " \t");
		g_autofree char *path = g_strndup(d->devpath, n);

		if (g_str_has_suffix(path, d->addr) && !strstr(path, "/../") &&
		    !strstr(path, "/./"))
			return g_steal_pointer(&path);
	}
	p = depth < 32 ? parent_of(devs, d) : NULL;
	if (p) {
		g_autofree char *pp = devpath_of(devs, p, depth + 1);

		return g_strdup_printf("%s/%s", pp, d->addr);
	}
	return g_strdup_printf("devices/pci%s:%02x/%s", dom, (unsigned)bus_of(d, dom), d->addr);
}

/* SR-IOV numbers from the capability in a dump (PCI_EXT_CAP_ID_SRIOV), as the kernel reads
 * them for sriov_totalvfs; sriov_numvfs only when VF Enable is clear (0): VFs the dump says
 * are enabled are not in it. */
static void sriov_from_config(const struct fks_imp_dev *d, int *ret_total, int *ret_num)
{
	const uint8_t *c = d->config;

	for (unsigned at = 0x100, n = 0;
	     d->config_len >= 0x1000 && at >= 0x100 && at < 0xffc && n < 64; n++) {
		uint32_t h = (uint32_t)c[at] | (uint32_t)c[at + 1] << 8 |
			     (uint32_t)c[at + 2] << 16 | (uint32_t)c[at + 3] << 24;

		if ((h & 0xffff) == 0x10 && at + 0x12 < d->config_len) {
			*ret_total = c[at + 0x0e] | c[at + 0x0f] << 8;
			*ret_num = (c[at + 0x08] & 1) ? -1 : 0;
			return;
		}
		at = h >> 20;
	}
}

static void put_attr(GString *s, const char *name, const char *value)
{
	g_autofree char *esc = g_strescape(value, NULL);

	g_string_append_printf(s, "A: %s=%s\\n\n", name, esc);
}

static void put_dev(GString *s, GPtrArray *devs, const struct fks_imp_dev *d)
{
	g_autofree char *path = devpath_of(devs, d, 0);
	g_autofree char *up = NULL;
	GString *dots = g_string_new(NULL);
	int total = d->sriov_total, num = d->sriov_num;
	char buf[32];

	if (d->config_len >= 64) {
		total = num = -1;
		sriov_from_config(d, &total, &num);
	}
	for (const char *c = path; *c; c++)
		if (*c == '/')
			g_string_append(dots, "../");
	g_string_append(dots, "../");
	up = g_string_free(dots, FALSE);
	g_string_append_printf(s, "P: /%s\n", path);
	if (d->driver)
		g_string_append_printf(s, "E: DRIVER=%s\n", d->driver);
	if (d->class >= 0)
		g_string_append_printf(s, "E: PCI_CLASS=%X\n", (unsigned)d->class);
	if (d->vendor >= 0 && d->device >= 0)
		g_string_append_printf(s, "E: PCI_ID=%04X:%04X\n", (unsigned)d->vendor,
				       (unsigned)d->device);
	g_string_append_printf(s, "E: PCI_SLOT_NAME=%s\nE: SUBSYSTEM=pci\n", d->addr);
	if (d->class >= 0) {
		snprintf(buf, sizeof(buf), "0x%06x", (unsigned)d->class);
		put_attr(s, "class", buf);
	}
	if (d->config_len >= 64) {
		g_string_append(s, "H: config=");
		for (size_t i = 0; i < d->config_len; i++)
			g_string_append_printf(s, "%02X", d->config[i]);
		g_string_append_c(s, '\n');
	}
	if (d->device >= 0) {
		snprintf(buf, sizeof(buf), "0x%04x", (unsigned)d->device);
		put_attr(s, "device", buf);
	}
	if (d->flr == FKS_IMP_YES && d->config_len < 64)
		put_attr(s, "reset_method", "flr");
	if (d->revision >= 0) {
		snprintf(buf, sizeof(buf), "0x%02x", (unsigned)d->revision);
		put_attr(s, "revision", buf);
	}
	if (num == 0 && total >= 0) {
		snprintf(buf, sizeof(buf), "%d", num);
		put_attr(s, "sriov_numvfs", buf);
	}
	if (total >= 0) {
		snprintf(buf, sizeof(buf), "%d", total);
		put_attr(s, "sriov_totalvfs", buf);
	}
	if (d->subdevice >= 0) {
		snprintf(buf, sizeof(buf), "0x%04x", (unsigned)d->subdevice);
		put_attr(s, "subsystem_device", buf);
	}
	if (d->subvendor >= 0) {
		snprintf(buf, sizeof(buf), "0x%04x", (unsigned)d->subvendor);
		put_attr(s, "subsystem_vendor", buf);
	}
	if (d->vendor >= 0) {
		snprintf(buf, sizeof(buf), "0x%04x", (unsigned)d->vendor);
		put_attr(s, "vendor", buf);
	}
	if (d->driver)
		g_string_append_printf(s, "L: driver=%sbus/pci/drivers/%s\n", up, d->driver);
	if (d->group >= 0)
		g_string_append_printf(s, "L: iommu_group=%skernel/iommu_groups/%d\n", up,
				       d->group);
	g_string_append_c(s, '\n');
}

static gint cmp_int(gconstpointer a, gconstpointer b)
{
	return *(const int *)a - *(const int *)b;
}

static void put_groups(GString *s, GPtrArray *devs)
{
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(int));

	for (guint i = 0; i < devs->len; i++) {
		const struct fks_imp_dev *d = devs->pdata[i];
		bool seen = false;

		for (guint j = 0; j < ids->len && !seen; j++)
			seen = g_array_index(ids, int, j) == d->group;
		if (d->group >= 0 && !seen)
			g_array_append_val(ids, d->group);
	}
	g_array_sort(ids, cmp_int);
	for (guint j = 0; j < ids->len; j++) {
		int g = g_array_index(ids, int, j);
		const char *sep = "";

		g_string_append_printf(s, "A: sys/kernel/iommu_groups/%d/devices=", g);
		for (guint i = 0; i < devs->len; i++) {
			const struct fks_imp_dev *d = devs->pdata[i];

			if (d->group == g) {
				g_string_append_printf(s, "%s%s", sep, d->addr);
				sep = " ";
			}
		}
		g_string_append_c(s, '\n');
	}
}

static void put_block(GString *s, const struct fks_import *imp, GPtrArray *devs)
{
	g_autoptr(GPtrArray) drivers = g_ptr_array_new();
	const char *sep = "";

	g_string_append(s, "P: /devices/virtual/ptharness/host\nE: SUBSYSTEM=ptharness\n");
	if (imp->cmdline)
		put_attr(s, "proc/cmdline", imp->cmdline);
	if (imp->osrelease)
		put_attr(s, "proc/sys/kernel/osrelease", imp->osrelease);
	for (guint i = 0; i < devs->len; i++) {
		const struct fks_imp_dev *d = devs->pdata[i];
		bool seen = false;

		for (guint j = 0; d->driver && j < drivers->len && !seen; j++)
			seen = strcmp(drivers->pdata[j], d->driver) == 0;
		if (d->driver && !seen)
			g_ptr_array_add(drivers, d->driver);
	}
	if (drivers->len) {
		g_string_append(s, "A: sys/bus/pci/drivers=");
		for (guint j = 0; j < drivers->len; j++, sep = " ")
			g_string_append_printf(s, "%s%s", sep, (char *)drivers->pdata[j]);
		g_string_append_c(s, '\n');
	}
	put_groups(s, devs);
	if (imp->new_ids->len) {
		g_autofree char *ids = NULL;
		g_autoptr(GString) all = g_string_new(NULL);

		for (guint j = 0; j < imp->new_ids->len; j++)
			g_string_append_printf(all, "%s\n", (char *)imp->new_ids->pdata[j]);
		ids = g_strescape(all->str, NULL);
		g_string_append_printf(s, "A: fakesys/new_ids=%s\n", ids);
	}
	g_string_append_printf(s, "A: fakesys/imported=%u files, %u devices%s\\n\n",
			       imp->files->len, devs->len,
			       imp->acs_override ? ", ACS override on the command line" : "");
	g_string_append_c(s, '\n');
}

/* IOMMU units the kernel log named, as the iommu class shows them. */
static void put_iommus(GString *s, const struct fks_import *imp)
{
	for (guint i = 0; i < imp->iommus->len; i++)
		g_string_append_printf(s, "P: /devices/virtual/iommu/%s\nE: SUBSYSTEM=iommu\n\n",
				       (char *)imp->iommus->pdata[i]);
}

int fks_imp_write(const struct fks_import *imp, char **ret_text)
{
	g_autoptr(GPtrArray) devs = sorted_devs(imp);
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < devs->len; i++)
		put_dev(s, devs, devs->pdata[i]);
	put_iommus(s, imp);
	put_block(s, imp, devs);
	*ret_text = g_string_free(s, FALSE);
	return 0;
}
