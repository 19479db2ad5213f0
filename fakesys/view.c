/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sysfs view of the model: which files, links and directories the kernel shows, and how. */

/*
 * The plan: like kernfs, the view is a tree of nodes, each a directory, a recorded file, a
 * link or an attribute with show/store handlers on a model object. It is derived from the
 * model alone: store handlers change the model and mark the view stale, and the next access
 * rebuilds it (a 20-device host in tens of microseconds), so no handler can leave a link
 * behind. The tables below say which attributes each kind of object has.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define SHOW(buf, size, ret_len, ...)                              \
	({                                                         \
		int _n = snprintf((buf), (size), __VA_ARGS__);     \
		*(ret_len) = _n < 0 ? 0 : MIN((size_t)_n, (size)); \
		0;                                                 \
	})

/* ---- device attributes ---- */

static int show_vendor(void *o, char *b, size_t s, size_t *l)
{
	return SHOW(b, s, l, "0x%04x\n", ((struct fks_dev *)o)->cfg.vendor);
}

static int show_device(void *o, char *b, size_t s, size_t *l)
{
	return SHOW(b, s, l, "0x%04x\n", ((struct fks_dev *)o)->cfg.device);
}

static int show_subvendor(void *o, char *b, size_t s, size_t *l)
{
	return SHOW(b, s, l, "0x%04x\n", ((struct fks_dev *)o)->cfg.subsystem_vendor);
}

static int show_subdevice(void *o, char *b, size_t s, size_t *l)
{
	return SHOW(b, s, l, "0x%04x\n", ((struct fks_dev *)o)->cfg.subsystem_device);
}

static int show_class(void *o, char *b, size_t s, size_t *l)
{
	return SHOW(b, s, l, "0x%06x\n", ((struct fks_dev *)o)->class);
}

static int show_revision(void *o, char *b, size_t s, size_t *l)
{
	return SHOW(b, s, l, "0x%02x\n", ((struct fks_dev *)o)->cfg.revision);
}

static int show_config(void *o, char *b, size_t s, size_t *l)
{
	const struct fks_dev *d = o;

	*l = MIN(s, d->config_len);
	/* Config reads of a device that does not answer complete with all ones. */
	if (d->unresponsive)
		memset(b, 0xff, *l);
	else if (*l) /* a device captured without config has none (NULL) */
		memcpy(b, d->config, *l);
	return 0;
}

static int show_override(void *o, char *b, size_t s, size_t *l)
{
	const struct fks_dev *d = o;

	/* printf of a NULL pointer: the kernel shows "(null)". */
	return SHOW(b, s, l, "%s\n", d->override ? d->override : "(null)");
}

static int store_override(void *o, const char *b, size_t len)
{
	return fks_store_override(o, b, len);
}

static int show_uevent(void *o, char *b, size_t s, size_t *l)
{
	const struct fks_dev *d = o;
	int n = 0;

	if (d->driver)
		n = snprintf(b, s, "DRIVER=%s\n", d->driver->name);
	n += snprintf(b + n, s - (size_t)n,
		      "PCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\nPCI_SLOT_NAME=%s\n"
		      "MODALIAS=pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n",
		      d->class, d->cfg.vendor, d->cfg.device, d->cfg.subsystem_vendor,
		      d->cfg.subsystem_device, d->addr, d->cfg.vendor, d->cfg.device,
		      d->cfg.subsystem_vendor, d->cfg.subsystem_device, d->class >> 16,
		      (d->class >> 8) & 0xff, d->class & 0xff);
	*l = MIN((size_t)n, s);
	return 0;
}

static int store_uevent(void *o, const char *b, size_t len)
{
	return 0; /* a synthetic uevent: nobody listens */
}

/* kstrtoul(buf, 0, ...): the store functions that use it answer every failure with EINVAL. */
static int parse_ulong(const char *b, size_t len, unsigned long *ret)
{
	unsigned long long v;

	if (fks_kstrtoull(b, len, 0, &v) < 0)
		return -EINVAL;
	*ret = (unsigned long)v;
	return 0;
}

static int store_remove(void *o, const char *b, size_t len)
{
	unsigned long v;

	if (parse_ulong(b, len, &v) < 0)
		return -EINVAL;
	return v ? fks_dev_remove(o) : 0;
}

static int store_dev_rescan(void *o, const char *b, size_t len)
{
	struct fks_dev *d = o;
	unsigned long v;

	if (parse_ulong(b, len, &v) < 0)
		return -EINVAL;
	if (v)
		fks_rescan(d->host, d->devpath);
	return 0;
}

static int store_reset(void *o, const char *b, size_t len)
{
	return fks_reset_store(o, b, len);
}

static int show_reset_method(void *o, char *b, size_t s, size_t *l)
{
	*l = fks_reset_method_show(o, b, s);
	return 0;
}

static int store_reset_method(void *o, const char *b, size_t len)
{
	return fks_reset_method_store(o, b, len);
}

static const struct fks_attr dev_attrs[] = {
	{ "class", show_class, NULL },
	{ "config", show_config, NULL },
	{ "device", show_device, NULL },
	{ "driver_override", show_override, store_override },
	{ "remove", NULL, store_remove },
	{ "rescan", NULL, store_dev_rescan },
	{ "revision", show_revision, NULL },
	{ "subsystem_device", show_subdevice, NULL },
	{ "subsystem_vendor", show_subvendor, NULL },
	{ "uevent", show_uevent, store_uevent },
	{ "vendor", show_vendor, NULL },
};

static const struct fks_attr reset_attr = { "reset", NULL, store_reset };
static const struct fks_attr reset_method_attr = { "reset_method", show_reset_method,
						   store_reset_method };

/* ---- SR-IOV attributes of a PF ---- */

static int show_totalvfs(void *o, char *b, size_t s, size_t *l)
{
	return SHOW(b, s, l, "%u\n", ((struct fks_dev *)o)->sriov->total);
}

static int show_numvfs(void *o, char *b, size_t s, size_t *l)
{
	return SHOW(b, s, l, "%u\n", ((struct fks_dev *)o)->sriov->num);
}

static int show_offset(void *o, char *b, size_t s, size_t *l)
{
	return SHOW(b, s, l, "%u\n", ((struct fks_dev *)o)->sriov->offset);
}

static int show_stride(void *o, char *b, size_t s, size_t *l)
{
	return SHOW(b, s, l, "%u\n", ((struct fks_dev *)o)->sriov->stride);
}

static int show_vf_device(void *o, char *b, size_t s, size_t *l)
{
	return SHOW(b, s, l, "%x\n", ((struct fks_dev *)o)->sriov->vf_device);
}

static int show_autoprobe(void *o, char *b, size_t s, size_t *l)
{
	return SHOW(b, s, l, "%d\n", ((struct fks_dev *)o)->sriov->autoprobe ? 1 : 0);
}

static int store_numvfs(void *o, const char *b, size_t len)
{
	return fks_sriov_store_numvfs(o, b, len);
}

static int store_autoprobe(void *o, const char *b, size_t len)
{
	return fks_sriov_store_autoprobe(o, b, len);
}

static int store_vf_msix(void *o, const char *b, size_t len)
{
	return fks_sriov_store_vf_msix(o, b, len);
}

/* Write-only on every VF since 5.13 (drivers/pci/iov.c, DEVICE_ATTR_WO). */
static const struct fks_attr vf_msix_attr = { "sriov_vf_msix_count", NULL, store_vf_msix };

static const struct fks_attr sriov_attrs[] = {
	{ "sriov_drivers_autoprobe", show_autoprobe, store_autoprobe },
	{ "sriov_numvfs", show_numvfs, store_numvfs },
	{ "sriov_offset", show_offset, NULL },
	{ "sriov_stride", show_stride, NULL },
	{ "sriov_totalvfs", show_totalvfs, NULL },
	{ "sriov_vf_device", show_vf_device, NULL },
};

/* ---- driver and bus attributes ---- */

static int store_bind(void *o, const char *b, size_t len)
{
	return fks_store_bind(o, b, len);
}

static int store_unbind(void *o, const char *b, size_t len)
{
	return fks_store_unbind(o, b, len);
}

static int store_new_id(void *o, const char *b, size_t len)
{
	return fks_store_new_id(o, b, len);
}

static int store_remove_id(void *o, const char *b, size_t len)
{
	return fks_store_remove_id(o, b, len);
}

static const struct fks_attr driver_attrs[] = {
	{ "bind", NULL, store_bind },		{ "new_id", NULL, store_new_id },
	{ "remove_id", NULL, store_remove_id }, { "uevent", NULL, store_uevent },
	{ "unbind", NULL, store_unbind },
};

static int show_drivers_autoprobe(void *o, char *b, size_t s, size_t *l)
{
	return SHOW(b, s, l, "%d\n", ((struct fks_host *)o)->autoprobe);
}

static int store_drivers_autoprobe(void *o, const char *b, size_t len)
{
	struct fks_host *h = o;

	/* bus.c: store_drivers_autoprobe() looks at the first character only. */
	h->autoprobe = len > 0 && b[0] != '0';
	fks_rule(h, "K-AUTOPROBE", "drivers_autoprobe", "bus-wide autoprobe %s",
		 h->autoprobe ? "on" : "off");
	return 0;
}

static int store_drivers_probe(void *o, const char *b, size_t len)
{
	return fks_store_drivers_probe(o, b, len);
}

static int store_bus_rescan(void *o, const char *b, size_t len)
{
	unsigned long v;

	if (parse_ulong(b, len, &v) < 0)
		return -EINVAL;
	if (v)
		fks_rescan(o, "");
	return 0;
}

static const struct fks_attr bus_attrs[] = {
	{ "drivers_autoprobe", show_drivers_autoprobe, store_drivers_autoprobe },
	{ "drivers_probe", NULL, store_drivers_probe },
	{ "rescan", NULL, store_bus_rescan },
	{ "uevent", NULL, store_uevent },
};

static int show_osrelease(void *o, char *b, size_t s, size_t *l)
{
	const struct fks_host *h = o;
	struct pt_kver kv;

	/* The recorded release, unless the model was told to follow another kernel. */
	if (h->osrelease) {
		g_autofree char *t = g_strchomp(g_strdup(h->osrelease));

		if (pt_kver_parse(t, &kv) == 0 && kv.major == h->kver.major &&
		    kv.minor == h->kver.minor)
			return SHOW(b, s, l, "%s\n", t);
	}
	return SHOW(b, s, l, "%u.%u.%u\n", h->kver.major, h->kver.minor, h->kver.patch);
}

/* ---- a VFIO group's class device ---- */

static int show_vfio_dev(void *o, char *b, size_t s, size_t *l)
{
	const struct fks_group *g = o;

	return SHOW(b, s, l, "%u:%d\n", g->host->vfio_major, g->vfio_minor);
}

static int show_vfio_uevent(void *o, char *b, size_t s, size_t *l)
{
	const struct fks_group *g = o;

	return SHOW(b, s, l, "MAJOR=%u\nMINOR=%d\nDEVNAME=vfio/%d\n", g->host->vfio_major,
		    g->vfio_minor, g->id);
}

static const struct fks_attr vfio_dev_attrs[] = {
	{ "dev", show_vfio_dev, NULL },
	{ "uevent", show_vfio_uevent, store_uevent },
};

static const struct fks_attr osrelease_attr = { "osrelease", show_osrelease, NULL };
/* A character device: opened through dev_open, never read or written as a file. */
static const struct fks_attr container_attr = { "vfio", NULL, NULL };
static const struct fks_attr iommu_attr = { "iommu", NULL, NULL };

/* ---- building ---- */

static const struct fks_entry *synth(struct fks_host *h, const char *name, GPtrArray *env)
{
	struct fks_entry *e = g_new0(struct fks_entry, 1);
	GString *s = g_string_new(NULL);

	for (guint i = 0; env && i < env->len; i++)
		g_string_append_printf(s, "%s\n", (const char *)env->pdata[i]);
	e->name = g_strdup(name);
	e->len = s->len;
	e->data = g_string_free(s, FALSE);
	g_ptr_array_add(h->synth, e);
	return e;
}

/* A device of another subsystem is also listed in its class: class/net/eth0 -> device. */
static void class_link(struct fks_node *sys, struct fks_node *dir, const struct fks_rec *r,
		       const char *devpath)
{
	for (guint j = 0; j < r->env->len; j++) {
		const char *e = r->env->pdata[j];

		if (g_str_has_prefix(e, "SUBSYSTEM=") && strcmp(e + 10, "pci") != 0 &&
		    strcmp(e + 10, "ptharness") != 0) {
			g_autofree char *cdir = g_strdup_printf("class/%s", e + 10);
			g_autofree char *name = g_path_get_basename(devpath);
			g_autofree char *t = fks_rel_target(cdir, devpath);
			g_autofree char *up = fks_rel_target(devpath, cdir);
			struct fks_node *cls = fks_node_mkdir(sys, cdir);

			if (cls)
				fks_node_link(cls, name, t);
			if (dir)
				fks_node_link(dir, "subsystem", up);
		}
	}
}

static void add_rec(struct fks_host *h, struct fks_node *dir, const struct fks_rec *r)
{
	for (guint i = 0; i < r->entries->len; i++) {
		const struct fks_entry *e = r->entries->pdata[i];

		fks_node_file(dir, e->name, e);
	}
	if (r->env->len && !fks_node_child(dir, "uevent"))
		fks_node_file(dir, "uevent", synth(h, "uevent", r->env));
}

static void link_to(struct fks_node *dir, const char *dirpath, const char *name, const char *to)
{
	g_autofree char *t = fks_rel_target(dirpath, to);

	fks_node_link(dir, name, t);
}

/* What a bound driver adds to its device's directory: the driver link, vfio-dev/. */
static void build_dev_driver(struct fks_host *h, struct fks_dev *d, struct fks_node *dir)
{
	g_autofree char *to = NULL;

	if (!d->driver)
		return;
	to = g_strdup_printf("bus/pci/drivers/%s", d->driver->name);
	link_to(dir, d->devpath, "driver", to);
	if (d->driver->info->vfio && fks_kver_at_least(h, 6, 1) && d->vfio_index >= 0) {
		g_autofree char *n = g_strdup_printf("vfio-dev/vfio%d", d->vfio_index);

		fks_node_mkdir(dir, n);
	}
}

/* The class devices below a device (net/eth0), each also linked from class/. */
static void build_dev_children(struct fks_host *h, struct fks_dev *d, struct fks_node *sys,
			       struct fks_node *dir)
{
	for (guint i = 0; i < d->children->len; i++) {
		const struct fks_rec *c = d->children->pdata[i];
		struct fks_node *cdir = fks_node_mkdir(dir, c->devpath);
		g_autofree char *to = NULL;

		if (!cdir)
			continue;
		add_rec(h, cdir, c);
		to = g_strdup_printf("%s/%s", d->devpath, c->devpath);
		class_link(sys, cdir, c, to);
	}
}

static void build_dev(struct fks_host *h, struct fks_dev *d, struct fks_node *sys)
{
	struct fks_node *dir = fks_node_mkdir(sys, d->devpath);
	g_autofree char *bus_link = NULL;

	if (!dir)
		return;
	for (size_t i = 0; i < ELEMENTSOF(dev_attrs); i++)
		/* pci_dev_hp_attrs_are_visible(): a VF has no remove or rescan (ENOENT). */
		if (!d->pf ||
		    (dev_attrs[i].store != store_remove && dev_attrs[i].store != store_dev_rescan))
			fks_node_attr(dir, &dev_attrs[i], d);
	if (d->reset_attr) {
		fks_node_attr(dir, &reset_attr, d);
		if (fks_kver_at_least(h, 5, 15))
			fks_node_attr(dir, &reset_method_attr, d);
	}
	if (d->sriov) {
		for (size_t i = 0; i < ELEMENTSOF(sriov_attrs); i++)
			fks_node_attr(dir, &sriov_attrs[i], d);
		for (guint i = 0; i < d->sriov->vfs->len; i++) {
			g_autofree char *n = g_strdup_printf("virtfn%u", i);
			g_autofree char *t = g_strdup_printf(
				"../%s", ((struct fks_dev *)d->sriov->vfs->pdata[i])->addr);

			fks_node_link(dir, n, t);
		}
	}
	if (d->pf && fks_kver_at_least(h, 5, 13)) {
		fks_node_remove(dir, "sriov_vf_msix_count");
		fks_node_attr(dir, &vf_msix_attr, d);
	}
	if (d->pf) {
		g_autofree char *t = g_strdup_printf("../%s", d->pf->addr);

		fks_node_link(dir, "physfn", t);
	}
	link_to(dir, d->devpath, "subsystem", "bus/pci");
	build_dev_driver(h, d, dir);
	if (d->group) {
		g_autofree char *to = g_strdup_printf("kernel/iommu_groups/%d", d->group->id);

		link_to(dir, d->devpath, "iommu_group", to);
	}
	fks_view_dev_flags(dir, d->rec);
	fks_view_dev_enable(dir, d);
	add_rec(h, dir, d->rec);
	build_dev_children(h, d, sys, dir);
	bus_link = fks_rel_target("bus/pci/devices", d->devpath);
	fks_node_link(fks_node_mkdir(sys, "bus/pci/devices"), d->addr, bus_link);
}

static void build_drivers(struct fks_host *h, struct fks_node *sys)
{
	struct fks_node *drivers = fks_node_mkdir(sys, "bus/pci/drivers");

	for (guint i = 0; i < h->drivers->len; i++) {
		struct fks_driver *drv = h->drivers->pdata[i];
		struct fks_node *dir = fks_node_mkdir(drivers, drv->name);
		g_autofree char *path = g_strdup_printf("bus/pci/drivers/%s", drv->name);

		if (!dir)
			continue;
		for (size_t j = 0; j < ELEMENTSOF(driver_attrs); j++)
			fks_node_attr(dir, &driver_attrs[j], drv);
		for (guint j = 0; j < drv->devs->len; j++) {
			const struct fks_dev *d = drv->devs->pdata[j];

			link_to(dir, path, d->addr, d->devpath);
		}
	}
}

/* vfio_group_alloc(): devices/virtual/vfio/N, its class link, and the node /dev/vfio/N. */
static void build_vfio_group(struct fks_host *h, struct fks_group *g, struct fks_node *sys,
			     struct fks_node *vfio)
{
	g_autofree char *id = g_strdup_printf("%d", g->id);
	g_autofree char *path = g_strdup_printf("devices/virtual/vfio/%d", g->id);
	struct fks_node *dir = fks_node_mkdir(sys, path);

	if (!dir)
		return;
	for (size_t i = 0; i < ELEMENTSOF(vfio_dev_attrs); i++)
		fks_node_attr(dir, &vfio_dev_attrs[i], g);
	if (g->vfio_rec)
		add_rec(h, dir, g->vfio_rec);
	link_to(dir, path, "subsystem", "class/vfio");
	link_to(fks_node_mkdir(sys, "class/vfio"), "class/vfio", id, path);
	if (vfio)
		fks_node_file(vfio, id, synth(h, id, NULL));
}

/* /dev/iommu, and /dev/vfio/devices/vfioN per VFIO device (vfio_device_devnode). */
static void build_iommufd_nodes(struct fks_host *h)
{
	struct fks_node *dev = h->root[PT_NS_DEV], *devices;

	fks_node_remove(dev, "iommu");
	if (fks_iommufd_present(h)) {
		fks_node_attr(dev, &iommu_attr, h);
		/* iommufd's misc device, when the recording did not have it. */
		fks_node_mkdir(h->root[PT_NS_SYS], "devices/virtual/misc/iommu");
	}
	if (!fks_cdev_present(h))
		return;
	devices = fks_node_mkdir(dev, "vfio/devices");
	for (guint i = 0; devices && i < h->devs->len; i++) {
		const struct fks_dev *d = h->devs->pdata[i];
		g_autofree char *n = g_strdup_printf("vfio%d", d->vfio_index);

		if (d->vfio_index >= 0 && !d->removed)
			fks_node_file(devices, n, synth(h, n, NULL));
	}
}

static void build_vfio_groups(struct fks_host *h)
{
	struct fks_node *vfio = fks_node_child(h->root[PT_NS_DEV], "vfio");

	for (guint i = 0; i < h->groups->len; i++) {
		struct fks_group *g = h->groups->pdata[i];

		if (g->vfio_minor >= 0)
			build_vfio_group(h, g, h->root[PT_NS_SYS], vfio);
	}
}

static void build_groups(struct fks_host *h, struct fks_node *sys)
{
	struct fks_node *groups;

	if (!h->iommu && h->groups->len == 0)
		return;
	groups = fks_node_mkdir(sys, "kernel/iommu_groups");
	for (guint i = 0; i < h->groups->len; i++) {
		struct fks_group *g = h->groups->pdata[i];
		g_autofree char *id = g_strdup_printf("%d", g->id);
		g_autofree char *path = g_strdup_printf("kernel/iommu_groups/%d/devices", g->id);
		struct fks_node *dir = fks_node_mkdir(groups, id);
		struct fks_node *devs = fks_node_mkdir(dir, "devices");

		for (guint j = 0; j < g->members->len; j++) {
			const struct fks_dev *d = g->members->pdata[j];

			link_to(devs, path, d->addr, d->devpath);
		}
		if (g->rec)
			fks_view_group_type(dir, g);
		if (g->rec)
			add_rec(h, dir, g->rec);
	}
}

void fks_view_build(struct fks_host *h)
{
	struct fks_node *sys, *dev, *proc, *modules;

	for (size_t i = 0; i < _PT_NS_MAX; i++)
		fks_node_free(h->root[i]);
	if (h->synth)
		g_ptr_array_free(h->synth, TRUE);
	h->synth = g_ptr_array_new_with_free_func((GDestroyNotify)fks_entry_free);
	sys = h->root[PT_NS_SYS] = fks_node_new_root();
	dev = h->root[PT_NS_DEV] = fks_node_new_root();
	proc = h->root[PT_NS_PROC] = fks_node_new_root();
	modules = h->root[PT_NS_MODULES] = fks_node_new_root();

	for (size_t i = 0; i < ELEMENTSOF(bus_attrs); i++)
		fks_node_attr(fks_node_mkdir(sys, "bus/pci"), &bus_attrs[i], h);
	fks_node_mkdir(sys, "bus/pci/devices");
	fks_node_mkdir(sys, "kernel");
	/* iommu_init() (drivers/iommu/iommu.c, a core_initcall) creates kernel/iommu_groups at
	 * boot whether or not an IOMMU is found: a host whose capture showed the IOMMU state and
	 * no group has the directory, empty (the lab's noiommu topology). A capture that did not
	 * show it (a plain umockdev recording, a paste) leaves it out: unknown, not empty. */
	if (h->iommu || h->capture.iommu_shown)
		fks_node_mkdir(sys, "kernel/iommu_groups");
	for (guint i = 0; i < h->others->len; i++) {
		const struct fks_rec *r = h->others->pdata[i];
		struct fks_node *dir = fks_node_mkdir(sys, r->devpath);

		if (dir)
			add_rec(h, dir, r);
		class_link(sys, dir, r, r->devpath);
	}
	for (guint i = 0; i < h->devs->len; i++) {
		struct fks_dev *d = h->devs->pdata[i];

		if (!d->removed)
			build_dev(h, d, sys);
	}
	build_drivers(h, sys);
	build_groups(h, sys);
	for (guint i = 0; i < h->extras->len; i++) {
		struct fks_rec *r = h->extras->pdata[i];
		struct fks_node *dir;

		/* iommufd's container replaces VFIO's: no type1 module (CONFIG_VFIO_CONTAINER=n). */
		if (fks_compat_present(h) &&
		    g_str_has_prefix(r->devpath, "module/vfio_iommu_type1"))
			continue;
		dir = fks_node_mkdir(sys, r->devpath);

		if (dir && strcmp(r->devpath, "module/vfio_pci/parameters") == 0)
			fks_view_vfio_params(h, dir, r);
		if (dir)
			add_rec(h, dir, r);
	}

	/* procfs: the recorded files and the kernel release. */
	for (guint i = 0; i < h->proc->len; i++) {
		const struct fks_entry *e = h->proc->pdata[i];

		fks_node_file(proc, e->name, e);
	}
	fks_node_remove(fks_node_mkdir(proc, "sys/kernel"), "osrelease");
	fks_node_attr(fks_node_mkdir(proc, "sys/kernel"), &osrelease_attr, h);
	/* /lib/modules: the recorded release's modules.alias (its vfio_pci lines). */
	for (guint i = 0; i < h->modules->len; i++) {
		const struct fks_entry *e = h->modules->pdata[i];

		fks_node_file(modules, e->name, e);
	}

	/* /dev/vfio: the container, and one node per group with a member on a VFIO driver. */
	if (fks_driver_find(h, "vfio-pci"))
		fks_node_attr(fks_node_mkdir(dev, "vfio"), &container_attr, h);
	build_vfio_groups(h);
	build_iommufd_nodes(h);
	g_array_set_size(h->rebound, 0);
	h->view_dirty = false;
}

/* ---- updates in place ---- */

static struct fks_node *node_at(struct fks_node *root, const char *path)
{
	struct fks_node *n;

	return fks_node_resolve(root, path, false, &n) == 0 ? n : NULL;
}

/* Remove path below dir, then the directories it leaves empty (up to dir). */
static void remove_path(struct fks_node *dir, const char *path)
{
	const char *slash = strrchr(path, '/');
	g_autofree char *parent = slash ? g_strndup(path, (gsize)(slash - path)) : NULL;
	struct fks_node *p = parent ? node_at(dir, parent) : dir;

	if (!p)
		return;
	fks_node_remove(p, slash ? slash + 1 : path);
	if (parent && p->kind == FKS_NODE_DIR && p->children->len == 0)
		remove_path(dir, parent);
}

/* A class device's directory and its class/ link. */
static void remove_child(struct fks_node *sys, struct fks_node *dir, const struct fks_rec *c)
{
	remove_path(dir, c->devpath);
	for (guint j = 0; j < c->env->len; j++) {
		const char *e = c->env->pdata[j];

		if (g_str_has_prefix(e, "SUBSYSTEM=")) {
			g_autofree char *base = g_path_get_basename(c->devpath);
			g_autofree char *link = g_strdup_printf("class/%s/%s", e + 10, base);

			remove_path(sys, link);
		}
	}
}

static void clear_dir(struct fks_node *dir, const char *keep)
{
	for (guint i = dir ? dir->children->len : 0; i > 0; i--) {
		struct fks_node *c = dir->children->pdata[i - 1];

		if (!keep || strcmp(c->name, keep) != 0)
			fks_node_remove(dir, c->name);
	}
}

/*
 * A driver bound or let go of dev (old: the one it had), as the model noted it: only the
 * nodes a binding changes are redone, from the model as it is now, where a full rebuild would
 * make every node of the host again. Anything else (devices coming or going, groups
 * changing) marks the whole view stale (fks_host_changed).
 */
static void apply_rebound(struct fks_host *h, struct fks_dev *d, struct fks_driver *old)
{
	struct fks_node *sys = h->root[PT_NS_SYS], *dir;

	dir = node_at(sys, d->devpath);
	if (!dir || dir->kind != FKS_NODE_DIR) {
		h->view_dirty = true;
		return;
	}
	fks_node_remove(dir, "driver");
	fks_node_remove(dir, "vfio-dev");
	for (guint i = 0; i < d->children->len; i++)
		remove_child(sys, dir, d->children->pdata[i]);
	for (guint i = 0; i < d->parked->len; i++)
		remove_child(sys, dir, d->parked->pdata[i]);
	build_dev_driver(h, d, dir);
	build_dev_children(h, d, sys, dir);
	if (old) {
		g_autofree char *p = g_strdup_printf("bus/pci/drivers/%s", old->name);

		fks_node_remove(node_at(sys, p), d->addr);
	}
	if (d->driver) {
		g_autofree char *p = g_strdup_printf("bus/pci/drivers/%s", d->driver->name);
		struct fks_node *drv = node_at(sys, p);

		if (drv)
			link_to(drv, p, d->addr, d->devpath);
	}
	/* The VFIO groups' class devices and nodes, all again: there are few. */
	clear_dir(node_at(sys, "devices/virtual/vfio"), NULL);
	clear_dir(node_at(sys, "class/vfio"), NULL);
	clear_dir(fks_node_child(h->root[PT_NS_DEV], "vfio"), "vfio");
	build_vfio_groups(h);
	build_iommufd_nodes(h);
	/* As a full build would leave them: no empty directories. */
	for (size_t i = 0; i < 2; i++) {
		static const char *const dirs[] = { "devices/virtual/vfio", "class/vfio" };
		struct fks_node *n = node_at(sys, dirs[i]);

		if (n && n->kind == FKS_NODE_DIR && n->children->len == 0)
			remove_path(sys, dirs[i]);
	}
}

void fks_view_sync(struct fks_host *h)
{
	if (h->view_dirty || !h->root[PT_NS_SYS]) {
		fks_view_build(h);
		return;
	}
	/* Pending bindings in the order they happened; one may find the view stale. */
	for (guint i = 0; i < h->rebound->len && !h->view_dirty; i++) {
		const struct fks_rebound *b = &g_array_index(h->rebound, struct fks_rebound, i);

		apply_rebound(h, b->dev, b->old);
	}
	g_array_set_size(h->rebound, 0);
	if (h->view_dirty)
		fks_view_build(h);
}

int fks_view_read(struct fks_host *h, struct fks_node *n, char *buf, size_t size, size_t *ret_len)
{
	switch (n->kind) {
	case FKS_NODE_FILE:
		*ret_len = MIN(size, n->entry->len);
		memcpy(buf, n->entry->data, *ret_len);
		return 0;
	case FKS_NODE_ATTR:
		if (!n->attr->show)
			return -EACCES;
		return n->attr->show(n->obj, buf, size, ret_len);
	case FKS_NODE_DIR:
		return -EISDIR;
	default:
		return -EINVAL;
	}
}
