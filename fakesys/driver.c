/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The driver core: which driver matches a device, probing, bind/unbind and dynamic ids. */

/*
 * The plan: follow drivers/base/{bus,dd}.c and drivers/pci/pci-driver.c closely, because the
 * errno a writer sees depends on which step fails: bind_store looks the device up and matches
 * it (ENODEV), then __driver_probe_device refuses a bound device (EBUSY since 5.13), then
 * really_probe configures DMA (pci_dma_configure: the group's DMA ownership, EBUSY when user
 * space owns it) and only then calls the driver's probe (pci_device_probe: a VF that may not
 * be probed is ENODEV; vfio-pci refuses bridges, PFs with VFs and devices without a group).
 * drivers_probe ignores probe errors but not the DMA-ownership failure (EINVAL), as the lab
 * showed (observed.tsv, vfio-drivers-probe-into-held-group).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* pci_match_one_device() */
static bool id_matches(const struct fks_id *id, uint32_t vendor, uint32_t device,
		       uint32_t subvendor, uint32_t subdevice, uint32_t class)
{
	return (id->vendor == FKS_ANY_ID || id->vendor == vendor) &&
	       (id->device == FKS_ANY_ID || id->device == device) &&
	       (id->subvendor == FKS_ANY_ID || id->subvendor == subvendor) &&
	       (id->subdevice == FKS_ANY_ID || id->subdevice == subdevice) &&
	       !((id->class ^ class) & id->class_mask);
}

/*
 * pci_match_device(): override first, dynamic ids, then the static table, where an
 * override_only id counts only while driver_override names the driver. Every static id of a
 * VFIO driver is override_only (vfio-pci's one entry, the variants' PCI_DRIVER_OVERRIDE_DEVICE_VFIO
 * tables), also one the model learned from a recorded binding: a variant never autoprobes.
 */
static bool match_ids(const struct fks_driver *drv, const char *override, uint32_t vendor,
		      uint32_t device, uint32_t subvendor, uint32_t subdevice, uint32_t class)
{
	if (override && strcmp(override, drv->name) != 0)
		return false;
	for (guint i = 0; i < drv->dyn_ids->len; i++)
		if (id_matches(&g_array_index(drv->dyn_ids, struct fks_id, i), vendor, device,
			       subvendor, subdevice, class))
			return true;
	for (guint i = 0; i < drv->static_ids->len; i++) {
		const struct fks_id *id = &g_array_index(drv->static_ids, struct fks_id, i);

		if (id_matches(id, vendor, device, subvendor, subdevice, class) &&
		    (!(id->override_only || drv->info->vfio) || override))
			return true;
	}
	return override != NULL;
}

bool fks_driver_matches(const struct fks_driver *drv, const struct fks_dev *dev)
{
	return match_ids(drv, dev->override, dev->cfg.vendor, dev->cfg.device,
			 dev->cfg.subsystem_vendor, dev->cfg.subsystem_device, dev->class);
}

bool fks_dev_blocks_group(const struct fks_dev *dev)
{
	return dev->driver && !dev->driver->info->dma_managed;
}

static gint cmp_dev(gconstpointer a, gconstpointer b)
{
	return strcmp((*(struct fks_dev *const *)a)->addr, (*(struct fks_dev *const *)b)->addr);
}

/* vfio_pci_probe() and vfio_pci_core_register_device(): what vfio-pci refuses. */
static int vfio_probe(struct fks_driver *drv, struct fks_dev *dev)
{
	if (dev->cfg.header_type != 0) {
		fks_rule(dev->host, "K-VFIO-PCI-PROBE", dev->addr,
			 "%s refuses a header type %u device: EINVAL", drv->name,
			 dev->cfg.header_type);
		return -EINVAL;
	}
	if (dev->sriov && dev->sriov->num > 0) {
		fks_rule(dev->host, "K-VFIO-PCI-PROBE", dev->addr,
			 "%s refuses a PF with %u VFs enabled: EBUSY", drv->name, dev->sriov->num);
		return -EBUSY;
	}
	if (!dev->group) {
		fks_rule(dev->host, "K-VFIO-PCI-PROBE", dev->addr,
			 "no IOMMU group and no no-IOMMU mode: EINVAL");
		return -EINVAL;
	}
	return 0;
}

bool fks_child_is_core(const struct fks_rec *child)
{
	for (guint i = 0; i < child->env->len; i++)
		if (strcmp(child->env->pdata[i], "SUBSYSTEM=pci_bus") == 0)
			return true;
	return false;
}

/* A driver's probe registers its class devices (the netdev, the nvme controller) again. */
static void unpark_children(struct fks_dev *dev)
{
	if (!dev->parked_by || strcmp(dev->parked_by, dev->driver->name) != 0)
		return;
	while (dev->parked->len)
		g_ptr_array_add(dev->children, g_ptr_array_steal_index(dev->parked, 0));
	g_clear_pointer(&dev->parked_by, g_free);
	fks_rule(dev->host, "K-UNBIND-CHILDREN", dev->addr, "%s registered its class devices again",
		 dev->driver->name);
}

/* device_release_driver(): the driver's remove() unregisters what its probe registered. */
static void park_children(struct fks_dev *dev)
{
	guint n = 0;

	for (guint i = 0; i < dev->children->len;) {
		struct fks_rec *c = dev->children->pdata[i];

		if (fks_child_is_core(c)) {
			i++;
			continue;
		}
		if (n++ == 0) {
			/* Only the last driver's devices can come back. */
			g_ptr_array_set_size(dev->parked, 0);
			g_free(dev->parked_by);
			dev->parked_by = g_strdup(dev->driver->name);
		}
		g_ptr_array_add(dev->parked, g_ptr_array_steal_index(dev->children, i));
	}
	if (n)
		fks_rule(dev->host, "K-UNBIND-CHILDREN", dev->addr,
			 "%s unregistered %u class device%s (%s...)", dev->driver->name, n,
			 n == 1 ? "" : "s", ((struct fks_rec *)dev->parked->pdata[0])->devpath);
}

/*
 * Devices whose driver's probe returns 0 but whose initialisation, finished asynchronously,
 * fails: the driver then releases the device itself, so a bind succeeds and the device ends
 * without a driver. QEMU's NVMe emulation creates its VFs' secondary controllers offline
 * (hw/nvme/ctrl.c: nvme_start_ctrl() refuses a VF controller whose state is not online and
 * sets CSTS.CFS); Linux's nvme driver does not bring them online, so nvme_reset_work() fails
 * ("Device not ready; aborting initialisation, CSTS=0x2") and nvme_remove_dead_ctrl() unbinds
 * ("Removing after probe failure status: -19"), as the lab's sriov topology shows.
 */
static const struct late_failure {
	uint16_t pf_vendor, pf_device; /* the PF; its VFs fail */
	const char *driver;
	const char *why;
} late_failures[] = {
	{ 0x1b36, 0x0010, "nvme",
	  "QEMU NVMe VF: its secondary controller is offline, initialisation fails (CSTS=0x2), "
	  "removed after probe failure status -19 (ENODEV)" },
};

static const char *late_failure(const struct fks_driver *drv, const struct fks_dev *dev)
{
	if (!dev->pf)
		return NULL;
	for (size_t i = 0; i < ELEMENTSOF(late_failures); i++) {
		const struct late_failure *f = &late_failures[i];

		if (dev->pf->cfg.vendor == f->pf_vendor && dev->pf->cfg.device == f->pf_device &&
		    strcmp(drv->name, f->driver) == 0)
			return f->why;
	}
	return NULL;
}

int fks_driver_probe(struct fks_driver *drv, struct fks_dev *dev, bool *ret_dma)
{
	struct fks_host *h = dev->host;
	const char *why;
	bool counted = false;
	int r = 0;

	*ret_dma = false;
	/* pci_dma_configure(): before the driver's probe. */
	if (!drv->info->dma_managed && dev->group) {
		if (dev->group->owner_cnt && (dev->group->owner || dev->group->ictx_owner)) {
			fks_rule(h, "K-DMA-OWNER-BUSY", dev->addr,
				 "group %d is owned by user space: %s cannot use the DMA API",
				 dev->group->id, drv->name);
			*ret_dma = true;
			return -EBUSY;
		}
		dev->group->owner_cnt++;
		counted = true;
	}
	/* pci_device_probe(): a VF is probed only when its PF allows it or it has an override. */
	if (dev->pf && dev->pf->sriov && !dev->pf->sriov->autoprobe && !dev->override) {
		fks_rule(h, "K-SRIOV-VF-AUTOPROBE", dev->addr,
			 "sriov_drivers_autoprobe is 0 on %s and no driver_override: ENODEV",
			 dev->pf->addr);
		r = -ENODEV;
	} else if (drv->info->vfio) {
		r = vfio_probe(drv, dev);
	}
	if (r < 0) {
		if (counted)
			dev->group->owner_cnt--;
		return r;
	}
	dev->driver = drv;
	g_ptr_array_add(drv->devs, dev);
	g_ptr_array_sort(drv->devs, cmp_dev);
	unpark_children(dev);
	if (drv->info->vfio) {
		fks_rule(h, "K-VFIO-GROUP-NODE", dev->addr,
			 "vfio/%d exists while a member is bound to a VFIO driver", dev->group->id);
		fks_vfio_group_sync(h, dev->group);
	}
	fks_host_rebound(dev, NULL);
	why = late_failure(drv, dev);
	if (why) {
		fks_rule(h, "K-DRIVER-LATE-FAILURE", dev->addr, "%s: %s", drv->name, why);
		fks_driver_release(dev);
	}
	return 0;
}

void fks_driver_release(struct fks_dev *dev)
{
	struct fks_driver *drv = dev->driver;
	struct fks_host *h = dev->host;

	if (!drv)
		return;
	if (dev->sriov && dev->sriov->num > 0 && drv->info->disables_vfs_on_remove)
		fks_sriov_disable(dev);
	if (drv->info->vfio)
		fks_vf_token_drop(dev);
	if (!drv->info->dma_managed && dev->group && dev->group->owner_cnt)
		dev->group->owner_cnt--;
	park_children(dev);
	dev->driver = NULL;
	g_ptr_array_remove(drv->devs, dev);
	if (drv->info->vfio && dev->group)
		fks_vfio_group_sync(h, dev->group);
	fks_host_rebound(dev, drv);
}

/* device_attach(): try every driver; 1 bound, 0 none took it, < 0 the attach was aborted. */
int fks_dev_attach(struct fks_dev *dev)
{
	struct fks_host *h = dev->host;

	if (dev->driver)
		return 1;
	for (guint i = 0; i < h->drivers->len; i++) {
		struct fks_driver *drv = h->drivers->pdata[i];
		bool dma;
		int r;

		if (!fks_driver_matches(drv, dev))
			continue;
		r = fks_driver_probe(drv, dev, &dma);
		if (r == 0)
			return 1;
		/* Errors from ->probe let the next driver try; the DMA check aborts. */
		if (dma)
			return r;
	}
	return 0;
}

/* driver_attach() after new_id: every unbound device that matches is probed, errors ignored. */
static void attach_all(struct fks_driver *drv)
{
	struct fks_host *h = drv->host;
	g_autoptr(GPtrArray) devs = g_ptr_array_new();

	/* VFs created by a probe are not visited again: iterate over a snapshot. */
	for (guint i = 0; i < h->devs->len; i++)
		g_ptr_array_add(devs, h->devs->pdata[i]);
	for (guint i = 0; i < devs->len; i++) {
		struct fks_dev *d = devs->pdata[i];
		bool dma;

		if (d->removed || d->driver || !fks_driver_matches(drv, d))
			continue;
		if (fks_driver_probe(drv, d, &dma) == 0)
			fks_rule(h, "K-NEW-ID-ATTACH", d->addr, "bound to %s by its new id",
				 drv->name);
	}
}

/* A device named in a write (bind, unbind, drivers_probe); sysfs_streq() allows one "\n". */
static struct fks_dev *find_by_name(struct fks_host *h, const char *buf, size_t len)
{
	char name[32];

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len == 0 || len >= sizeof(name))
		return NULL;
	memcpy(name, buf, len);
	name[len] = '\0';
	return fks_dev_find(h, name);
}

int fks_store_bind(struct fks_driver *drv, const char *buf, size_t len)
{
	struct fks_host *h = drv->host;
	struct fks_dev *dev = find_by_name(h, buf, len);
	bool new_errors = fks_kver_at_least(h, 5, 13);
	bool dma;
	int r;

	if (!dev || !fks_driver_matches(drv, dev)) {
		fks_rule(h, "K-BIND-NOMATCH", dev ? dev->addr : "bind",
			 "%s: no such device, or %s does not match it: ENODEV",
			 dev ? dev->addr : "?", drv->name);
		return -ENODEV;
	}
	if (dev->driver) {
		fks_rule(h, "K-BIND-BOUND", dev->addr, "already bound to %s: %s", dev->driver->name,
			 new_errors ? "EBUSY" : "ENODEV (before 5.13)");
		return new_errors ? -EBUSY : -ENODEV;
	}
	r = fks_driver_probe(drv, dev, &dma);
	if (r < 0) {
		fks_rule(h, "K-BIND-PROBE-ERROR", dev->addr, "probe by %s failed: %s", drv->name,
			 new_errors ? "its error is returned" : "ENODEV (before 5.13)");
		return new_errors ? r : -ENODEV;
	}
	return 0;
}

int fks_store_unbind(struct fks_driver *drv, const char *buf, size_t len)
{
	struct fks_host *h = drv->host;
	struct fks_dev *dev = find_by_name(h, buf, len);

	if (!dev || dev->driver != drv) {
		fks_rule(h, "K-UNBIND-NOT-BOUND", dev ? dev->addr : "unbind",
			 "not bound to %s: ENODEV", drv->name);
		return -ENODEV;
	}
	if (dev->open_count > 0 ||
	    (dev->sriov && drv->info->disables_vfs_on_remove && fks_vf_open(dev))) {
		/* vfio_unregister_group_dev() blocks until user space lets go: visible here (a
		 * PF's remove disables its VFs first: vfio_pci_core_unregister_device). */
		fks_rule(h, "K-VFIO-UNBIND-IN-USE", dev->addr,
			 "device is open through VFIO; the kernel would block: EBUSY");
		return -EBUSY;
	}
	fks_driver_release(dev);
	return 0;
}

int fks_store_drivers_probe(struct fks_host *h, const char *buf, size_t len)
{
	struct fks_dev *dev = find_by_name(h, buf, len);
	int r;

	if (!dev) {
		fks_rule(h, "K-DRIVERS-PROBE", "drivers_probe", "no such device: ENODEV");
		return -ENODEV;
	}
	r = fks_dev_attach(dev);
	if (r < 0) {
		fks_rule(h, "K-DRIVERS-PROBE", dev->addr,
			 "the DMA-ownership check aborted the attach: EINVAL");
		return -EINVAL;
	}
	fks_rule(h, "K-DRIVERS-PROBE", dev->addr, "%s",
		 dev->driver ? dev->driver->name : "no driver took it; the write succeeds");
	return 0;
}

/* One conversion of the kernel's vsscanf() for %x/%lx: spaces skipped, a "0x" skipped, hex
 * digits with no overflow check (simple_strntoull() wraps); false when no digit follows. */
static bool scan_hex(const char **p, unsigned long long *ret)
{
	const char *s = *p;
	unsigned long long v = 0;

	while (g_ascii_isspace(*s))
		s++;
	if (!g_ascii_isxdigit(*s))
		return false;
	if (s[0] == '0' && g_ascii_tolower(s[1]) == 'x')
		s += 2;
	while (g_ascii_isxdigit(*s))
		v = v * 16 + (unsigned)g_ascii_xdigit_value(*s++);
	*p = s;
	*ret = v;
	return true;
}

/* "%x %x %x %x %x %x %lx" as new_id_store() and remove_id_store() parse it, on the text up to
 * the first NUL; each %x keeps the low 32 bits. */
int fks_id_parse(const char *buf, size_t len, struct fks_id *ret, int *ret_fields)
{
	g_autofree char *text = g_strndup(buf, strnlen(buf, len));
	unsigned v[6] = { 0, 0, FKS_ANY_ID, FKS_ANY_ID, 0, 0 };
	unsigned long long x, data = 0;
	const char *p = text;
	int n = 0;

	while (n < 7 && scan_hex(&p, &x)) {
		if (n < 6)
			v[n] = (unsigned)x;
		else
			data = x;
		n++;
	}
	if (n < 2)
		return -EINVAL;
	*ret = (struct fks_id){ v[0], v[1], v[2], v[3], v[4], v[5], (unsigned long)data, false };
	*ret_fields = n;
	return 0;
}

int fks_store_new_id(struct fks_driver *drv, const char *buf, size_t len)
{
	struct fks_host *h = drv->host;
	struct fks_id id;
	int fields;

	if (fks_id_parse(buf, len, &id, &fields) < 0) {
		fks_rule(h, "K-NEW-ID-FORMAT", drv->name, "fewer than two fields: EINVAL");
		return -EINVAL;
	}
	if (fields != 7 &&
	    match_ids(drv, NULL, id.vendor, id.device, id.subvendor, id.subdevice, id.class)) {
		fks_rule(h, "K-NEW-ID-EXISTS", drv->name,
			 "%04x:%04x already matches a dynamic or static id: EEXIST", id.vendor,
			 id.device);
		return -EEXIST;
	}
	if (drv->static_ids->len > 0) {
		bool ok = false;

		for (guint i = 0; i < drv->static_ids->len && !ok; i++)
			ok = g_array_index(drv->static_ids, struct fks_id, i).data == id.data;
		if (!ok) {
			fks_rule(h, "K-NEW-ID-FORMAT", drv->name,
				 "driver_data 0x%lx is in no id of the static table: EINVAL",
				 id.data);
			return -EINVAL;
		}
	}
	g_array_append_val(drv->dyn_ids, id);
	attach_all(drv);
	return 0;
}

int fks_store_remove_id(struct fks_driver *drv, const char *buf, size_t len)
{
	struct fks_id id;
	int fields;

	if (fks_id_parse(buf, len, &id, &fields) < 0) {
		fks_rule(drv->host, "K-NEW-ID-FORMAT", drv->name, "fewer than two fields: EINVAL");
		return -EINVAL;
	}
	for (guint i = 0; i < drv->dyn_ids->len; i++) {
		const struct fks_id *d = &g_array_index(drv->dyn_ids, struct fks_id, i);

		if (d->vendor == id.vendor && d->device == id.device &&
		    (id.subvendor == FKS_ANY_ID || d->subvendor == id.subvendor) &&
		    (id.subdevice == FKS_ANY_ID || d->subdevice == id.subdevice) &&
		    !((d->class ^ id.class) & id.class_mask)) {
			g_array_remove_index(drv->dyn_ids, i);
			return 0;
		}
	}
	fks_rule(drv->host, "K-REMOVE-ID-NONE", drv->name, "no such dynamic id: ENODEV");
	return -ENODEV;
}

int fks_store_override(struct fks_dev *dev, const char *buf, size_t len)
{
	const char *nl;

	if (len >= FKS_PAGE_SIZE - 1) {
		fks_rule(dev->host, "K-DRV-OVERRIDE-STORE", dev->addr,
			 "%zu bytes is not below PAGE_SIZE - 1: EINVAL", len);
		return -EINVAL;
	}
	nl = memchr(buf, '\n', len);
	if (nl)
		len = (size_t)(nl - buf);
	g_free(dev->override);
	dev->override = len ? g_strndup(buf, len) : NULL;
	fks_rule(dev->host, "K-DRV-OVERRIDE-STORE", dev->addr, "driver_override %s%s",
		 dev->override ? "set to " : "cleared", dev->override ? dev->override : "");
	return 0;
}
