/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SR-IOV: sriov_numvfs and sriov_drivers_autoprobe, creating and removing virtual functions. */

/*
 * The plan: sriov_numvfs_store() checks in the kernel's order (parse, range, no-op, driver,
 * sriov_configure, disable, the write-0-first rule), then the PF driver enables VFs: each VF
 * is a new device at PF routing ID + offset + stride * i, with config derived from the PF's
 * (VF Device ID, no INTx, single function), its own IOMMU group when the PF's group holds only
 * the PF (ACS on the path), else the PF's group, physfn/virtfnN links, and then the normal
 * probe subject to sriov_drivers_autoprobe.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static void put16(uint8_t *c, size_t len, unsigned at, uint16_t v)
{
	if (at + 1 < len) {
		c[at] = (uint8_t)(v & 0xff);
		c[at + 1] = (uint8_t)(v >> 8);
	}
}

/* Keep the PF's capability (NumVFs, VF Enable) in step with the model. */
void fks_sriov_sync_config(struct fks_dev *pf)
{
	struct fks_sriov *s = pf->sriov;
	uint16_t ctrl;

	if (!s->cap || s->cap + 0x12 > pf->config_len)
		return;
	ctrl = (uint16_t)(pf->config[s->cap + 8] | pf->config[s->cap + 9] << 8);
	ctrl = s->num ? (ctrl | 0x9) : (ctrl & ~0x9u);
	put16(pf->config, pf->config_len, s->cap + 8, ctrl);
	put16(pf->config, pf->config_len, s->cap + 0x10, (uint16_t)s->num);
	pf->cfg.sriov_num = (uint16_t)s->num;
}

static void vf_config(const struct fks_dev *pf, uint8_t *c, size_t len)
{
	memcpy(c, pf->config, len);
	/* A VF's Vendor and Device ID registers read FFFFh (PCIe r6.0 9.3.4.1.1, 9.3.4.1.2);
	 * the kernel takes the ids from the PF and its SR-IOV capability. */
	put16(c, len, 0x00, 0xffff);
	put16(c, len, 0x02, 0xffff);
	c[0x0e] &= 0x7f; /* single function */
	c[0x3c] = 0;
	c[0x3d] = 0; /* no INTx */
	if (pf->sriov->cap && pf->sriov->cap + 4 <= len)
		put16(c, len, pf->sriov->cap, 0); /* a VF has no SR-IOV capability of its own */
}

/* Attributes a VF shares with its PF (NUMA placement). */
/*
 * What a VF shows as its PF does: its NUMA node and CPUs, and the IOMMU unit serving it (the
 * device's "iommu" link, made by iommu_device_link() when the VF joins a group; a sibling of the
 * PF, so the same relative target).
 */
static const char *const inherited[] = { "numa_node", "local_cpulist", "local_cpus", "iommu" };

/*
 * VF i's resource file from its PF's (resource_show(): one "start end flags" line per
 * resource). VF BAR j is the PF's SR-IOV BAR j (resource 7 + j) cut into TotalVFs equal parts,
 * part i (pci_iov_resource_size(), pci_iov_add_virtfn()); every other line is zero.
 */
static void vf_resource(const struct fks_dev *pf, unsigned i, struct fks_rec *rec)
{
	const struct fks_entry *e = fks_rec_find(pf->rec, "resource");
	g_autofree char *text = e ? g_strndup(e->data, e->len) : NULL;
	g_auto(GStrv) lines = text ? g_strsplit(text, "\n", -1) : NULL;
	GString *out = g_string_new(NULL);
	size_t n = lines ? g_strv_length(lines) : 0;

	for (size_t k = 0; k < n; k++) {
		unsigned long long start = 0, end = 0, flags = 0, size;

		if (!lines[k][0])
			continue; /* after the last newline */
		if (k < 6 && 7 + k < n && pf->sriov->total &&
		    sscanf(lines[7 + k], "%llx %llx %llx", &start, &end, &flags) == 3 &&
		    end > start) {
			size = (end - start + 1) / pf->sriov->total;
			start += size * i;
			end = start + size - 1;
		} else {
			start = end = flags = 0;
		}
		g_string_append_printf(out, "0x%016llx 0x%016llx 0x%016llx\n", start, end, flags);
	}
	if (n > 13)
		fks_rec_add(rec, "resource", false, out->str, out->len);
	g_string_free(out, TRUE);
}

/*
 * A VF's own group, as iommu_group_alloc() makes it: with its type attribute showing the
 * IOMMU's default domain type. The model knows that default only from what the recorded
 * groups show: the PF's group's type is taken (it differs only when someone wrote another type
 * to it while the PF had no driver). A PF group recorded without a type gives a group without
 * one: unknown stays unknown.
 */
static struct fks_group *new_group(const struct fks_dev *pf)
{
	struct fks_group *g = fks_group_get(pf->host, fks_group_next_id(pf->host));
	const struct fks_entry *t = pf->group->rec ? fks_rec_find(pf->group->rec, "type") : NULL;

	if (t && !g->rec) {
		g->rec = fks_rec_new("");
		fks_rec_add(g->rec, "type", false, t->data, t->len);
	}
	return g;
}

static struct fks_dev *add_vf(struct fks_dev *pf, unsigned i, bool alone)
{
	struct fks_host *h = pf->host;
	struct fks_sriov *s = pf->sriov;
	unsigned rid = (pf->bus << 8) + (pf->slot << 3 | pf->function) + s->offset + s->stride * i;
	g_autofree uint8_t *cfg = g_malloc(pf->config_len);
	size_t len = pf->config_len;
	g_autofree char *dir = g_path_get_dirname(pf->devpath);
	g_autofree char *devpath = NULL;
	char addr[16];
	struct fks_dev *vf;

	snprintf(addr, sizeof(addr), "%04x:%02x:%02x.%x", pf->domain, (rid >> 8) & 0xff,
		 (rid >> 3) & 0x1f, rid & 7);
	if (rid >> 8 > 0xff || fks_dev_find(h, addr))
		return NULL;
	devpath = g_strdup_printf("%s/%s", dir, addr);
	vf = fks_dev_new(h, addr, devpath);
	vf_config(pf, cfg, pf->config_len);
	if (s->vf_config) {
		len = g_bytes_get_size(s->vf_config);
		cfg = g_realloc(cfg, len);
		memcpy(cfg, g_bytes_get_data(s->vf_config, NULL), len);
	}
	if (fks_dev_set_config(vf, cfg, len) < 0) {
		fks_dev_free(vf);
		return NULL;
	}
	vf->cfg.vendor = pf->cfg.vendor;
	vf->cfg.device = s->vf_device;
	vf->pf = pf;
	vf->vf_index = i;
	for (size_t k = 0; k < ELEMENTSOF(inherited); k++) {
		const struct fks_entry *e = fks_rec_find(pf->rec, inherited[k]);

		if (e)
			fks_rec_add(vf->rec, e->name, e->link, e->data, e->len);
	}
	vf_resource(pf, i, vf->rec);
	if (pf->driver && pf->driver->info->vfio)
		vf->override = g_strdup(pf->driver->name); /* vfio_pci_bus_notifier */
	fks_dev_insert(h, vf);
	g_ptr_array_add(s->vfs, vf);
	if (pf->group)
		fks_group_add_member(alone ? new_group(pf) : pf->group, vf);
	return vf;
}

void fks_sriov_keep_vf_config(struct fks_dev *pf)
{
	const struct fks_dev *vf = pf->sriov->vfs->len ? pf->sriov->vfs->pdata[0] : NULL;

	if (!pf->sriov->vf_config && vf && vf->config_len && !vf->unresponsive)
		pf->sriov->vf_config = g_bytes_new(vf->config, vf->config_len);
}

static int enable(struct fks_dev *pf, unsigned want)
{
	struct fks_host *h = pf->host;
	struct fks_sriov *s = pf->sriov;
	bool alone = pf->group && pf->group->members->len == 1;
	unsigned n = (unsigned)fks_fault_numvfs_limit(h, pf, want);
	g_autoptr(GPtrArray) added = g_ptr_array_new();

	for (unsigned i = 0; i < n; i++) {
		struct fks_dev *vf = add_vf(pf, i, alone);

		if (vf)
			g_ptr_array_add(added, vf);
	}
	s->num = added->len;
	fks_sriov_sync_config(pf);
	/* Reset methods and the view need every VF on the bus first. */
	for (guint i = 0; i < added->len; i++) {
		struct fks_dev *vf = added->pdata[i];

		fks_reset_init(vf, NULL);
		fks_host_changed(h);
		if (vf->group)
			fks_host_changed(h);
	}
	fks_host_changed(h);
	fks_rule(h, "K-SRIOV-VF-ADD", pf->addr, "%u VFs at offset %u stride %u, %s", s->num,
		 s->offset, s->stride, alone ? "each in its own group" : "in the PF's group");
	for (guint i = 0; i < added->len; i++) {
		struct fks_dev *vf = added->pdata[i];

		if (h->autoprobe && (s->autoprobe || vf->override))
			fks_dev_attach(vf);
	}
	return 0;
}

void fks_sriov_disable(struct fks_dev *pf)
{
	struct fks_host *h = pf->host;
	struct fks_sriov *s = pf->sriov;

	while (s->vfs->len) {
		struct fks_dev *vf = g_ptr_array_steal_index(s->vfs, s->vfs->len - 1);
		struct fks_group *g = vf->group;

		if (vf->driver)
			fks_driver_release(vf);
		fks_host_changed(h);
		if (g) {
			fks_group_del_member(g, vf);
			if (g->members->len == 0) {
				fks_host_changed(h);
				fks_group_drop(h, g);
			}
		}
		g_ptr_array_remove(h->devs, vf);
		fks_dev_free(vf);
	}
	s->num = 0;
	fks_sriov_sync_config(pf);
	fks_host_changed(h);
}

int fks_sriov_store_numvfs(struct fks_dev *pf, const char *buf, size_t len)
{
	struct fks_host *h = pf->host;
	struct fks_sriov *s = pf->sriov;
	const struct fks_drvinfo *info = pf->driver ? pf->driver->info : NULL;
	unsigned long long v;

	/* sriov_numvfs_store(): kstrtou16(buf, 0, ...); observed on 6.1 and 6.12, every failure
	 * (no number, overflow, above 16 bits) is EINVAL (scenarios/kernel/matrix-*.tsv). */
	if (fks_kstrtoull(buf, len, 0, &v) < 0 || v > 0xffff) {
		fks_rule(h, "K-SRIOV-NUMVFS", pf->addr, "not a 16-bit number: EINVAL");
		return -EINVAL;
	}
	if (v > s->total) {
		fks_rule(h, "K-SRIOV-NUMVFS", pf->addr, "%llu is above sriov_totalvfs %u: ERANGE",
			 v, s->total);
		return -ERANGE;
	}
	if (v == s->num) {
		fks_rule(h, "K-SRIOV-NUMVFS", pf->addr, "%llu VFs already: nothing to do", v);
		return 0;
	}
	if (!info || !info->sriov_configure || (info->sriov_needs_param && !h->vfio_enable_sriov)) {
		fks_rule(h, "K-SRIOV-NUMVFS", pf->addr, "%s: ENOENT",
			 !info ? "no driver bound" :
				 "the driver does not support SR-IOV configuration via sysfs");
		return -ENOENT;
	}
	if (v == 0 && fks_vf_open(pf)) {
		/* pci_disable_sriov() removes the VFs; vfio_unregister_group_dev() then waits for
		 * the user of an open one (observed: blocked until released). fakesys cannot
		 * block its caller. */
		fks_rule(h, "K-VFIO-UNBIND-IN-USE", pf->addr,
			 "a VF is open through VFIO; the kernel would block: EBUSY");
		return -EBUSY;
	}
	if (v == 0) {
		fks_sriov_disable(pf);
		fks_rule(h, "K-SRIOV-VF-ADD", pf->addr, "VFs disabled and removed");
		return 0;
	}
	if (s->num != 0) {
		fks_rule(h, "K-SRIOV-ZERO-FIRST", pf->addr,
			 "%u VFs already enabled. Disable before enabling %llu VFs: EBUSY", s->num,
			 v);
		return -EBUSY;
	}
	return enable(pf, (unsigned)v);
}

int fks_sriov_store_autoprobe(struct fks_dev *pf, const char *buf, size_t len)
{
	bool v;

	if (fks_kstrtobool(buf, len, &v) < 0) {
		fks_rule(pf->host, "K-SRIOV-VF-AUTOPROBE", pf->addr,
			 "sriov_drivers_autoprobe takes a boolean: EINVAL");
		return -EINVAL;
	}
	pf->sriov->autoprobe = v;
	return 0;
}

/*
 * sriov_vf_msix_count_store() (drivers/pci/iov.c, 5.13): a VF's MSI-X vector count, set by its
 * PF's driver. EINVAL for a bad or negative number, EOPNOTSUPP while the PF has no driver or
 * one without sriov_set_msix_vec_count (only mlx5_core here), EBUSY once the VF has any driver:
 * that driver sized itself on the current count.
 */
int fks_sriov_store_vf_msix(struct fks_dev *vf, const char *buf, size_t len)
{
	struct fks_host *h = vf->host;
	struct fks_dev *pf = vf->pf;
	unsigned long long v;

	/* kstrtoint: a sign, a bad number or one past INT_MAX are all EINVAL here. */
	if (fks_kstrtoull(buf, len, 0, &v) < 0 || v > INT32_MAX)
		return -EINVAL;
	if (!pf || !pf->driver || !pf->driver->info->sriov_set_msix) {
		fks_rule(h, "K-SRIOV-VF-MSIX", vf->addr,
			 "the PF's driver cannot size a VF's MSI-X table: EOPNOTSUPP");
		return -EOPNOTSUPP;
	}
	if (vf->driver) {
		fks_rule(h, "K-SRIOV-VF-MSIX", vf->addr, "the VF is bound to %s: EBUSY",
			 vf->driver->name);
		return -EBUSY;
	}
	vf->cfg.msix_vectors = (unsigned)v;
	fks_rule(h, "K-SRIOV-VF-MSIX", vf->addr, "MSI-X table size set to %llu", v);
	return 0;
}
