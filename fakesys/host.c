/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fake host: its objects' lifetimes, lookups, settings, rules and errors (copies:
 * host-copy.c). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- recorded blocks ---- */

struct fks_rec *fks_rec_new(const char *devpath)
{
	struct fks_rec *r = g_new0(struct fks_rec, 1);

	r->devpath = g_strdup(devpath);
	r->env = g_ptr_array_new_with_free_func(g_free);
	r->entries = g_ptr_array_new_with_free_func((GDestroyNotify)fks_entry_free);
	return r;
}

void fks_entry_free(struct fks_entry *e)
{
	if (e) {
		g_free(e->name);
		g_free(e->data);
		g_free(e);
	}
}

void fks_rec_free(struct fks_rec *r)
{
	if (!r)
		return;
	g_ptr_array_free(r->env, TRUE);
	g_ptr_array_free(r->entries, TRUE);
	g_free(r->devpath);
	g_free(r);
}

void fks_rec_add_owned(struct fks_rec *r, char *name, bool link, char *data, size_t len)
{
	struct fks_entry *e = g_new(struct fks_entry, 1);

	*e = (struct fks_entry){ name, link, data, len };
	g_ptr_array_add(r->entries, e);
	r->sorted = false;
}

void fks_rec_add(struct fks_rec *r, const char *name, bool link, const void *data, size_t len)
{
	char *d = g_malloc(len + 1);

	if (len)
		memcpy(d, data, len);
	d[len] = '\0';
	fks_rec_add_owned(r, g_strdup(name), link, d, len);
}

struct fks_rec *fks_rec_copy(const struct fks_rec *r)
{
	struct fks_rec *c;

	if (!r)
		return NULL;
	c = fks_rec_new(r->devpath);
	for (guint i = 0; i < r->env->len; i++)
		g_ptr_array_add(c->env, g_strdup(r->env->pdata[i]));
	for (guint i = 0; i < r->entries->len; i++) {
		const struct fks_entry *e = r->entries->pdata[i];

		fks_rec_add(c, e->name, e->link, e->data, e->len);
	}
	c->sorted = r->sorted;
	return c;
}

/* Index of the entry called name, or -1. */
static int rec_index(const struct fks_rec *r, const char *name)
{
	guint lo = 0, hi;

	if (!r)
		return -1;
	if (!r->sorted) {
		for (guint i = 0; i < r->entries->len; i++)
			if (strcmp(((const struct fks_entry *)r->entries->pdata[i])->name, name) ==
			    0)
				return (int)i;
		return -1;
	}
	hi = r->entries->len;
	while (lo < hi) {
		guint mid = (lo + hi) / 2;
		int c = strcmp(((const struct fks_entry *)r->entries->pdata[mid])->name, name);

		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

const struct fks_entry *fks_rec_find(const struct fks_rec *r, const char *name)
{
	int i = rec_index(r, name);

	return i < 0 ? NULL : r->entries->pdata[i];
}

struct fks_entry *fks_rec_take(struct fks_rec *r, const char *name)
{
	int i = rec_index(r, name);

	/* Removing keeps the order: a sorted record stays sorted. */
	return i < 0 ? NULL : g_ptr_array_steal_index(r->entries, (guint)i);
}

/* ---- objects ---- */

int fks_host_alloc(struct fks_host **ret)
{
	struct fks_host *h = g_new0(struct fks_host, 1);
	int r;

	h->kver = PT_KVER_NEWEST;
	h->devs = g_ptr_array_new();
	h->drivers = g_ptr_array_new();
	h->groups = g_ptr_array_new();
	h->others = g_ptr_array_new_with_free_func((GDestroyNotify)fks_rec_free);
	h->extras = g_ptr_array_new_with_free_func((GDestroyNotify)fks_rec_free);
	h->proc = g_ptr_array_new_with_free_func((GDestroyNotify)fks_entry_free);
	h->modules = g_ptr_array_new_with_free_func((GDestroyNotify)fks_entry_free);
	h->faults = g_ptr_array_new();
	h->files = g_ptr_array_new();
	h->rebound = g_array_new(FALSE, FALSE, sizeof(struct fks_rebound));
	h->view_dirty = true; /* no view yet */
	h->autoprobe = true;
	h->memlock = 8u << 20;
	h->cap_ipc_lock = true;
	h->intremap = true;
	/* No unit recorded: the model's IOMMU is a server VT-d or AMD-Vi, which force snooping. */
	h->snoop_control = true;
	h->aperture_bits = 39;
	h->reset_timeout_ms = 60000; /* PCIE_RESET_READY_POLL_MS, drivers/pci/pci.h */
	h->vfio_major = 246;
	r = pt_pciconf_parser_new(&h->parser);
	if (r < 0) {
		fks_host_free(h);
		return r;
	}
	*ret = h;
	return 0;
}

static void driver_free(struct fks_driver *d)
{
	g_array_free(d->static_ids, TRUE);
	g_array_free(d->dyn_ids, TRUE);
	g_ptr_array_free(d->devs, TRUE);
	g_free(d->name);
	g_free(d);
}

static void group_free(struct fks_group *g)
{
	g_ptr_array_free(g->members, TRUE);
	fks_rec_free(g->rec);
	fks_rec_free(g->vfio_rec);
	g_free(g);
}

void fks_dev_free(struct fks_dev *dev)
{
	if (!dev)
		return;
	/* A binding noted for the view may name it: the view is made again. */
	if (dev->host)
		fks_host_changed(dev->host);
	if (dev->sriov) {
		g_ptr_array_free(dev->sriov->vfs, TRUE);
		if (dev->sriov->vf_config)
			g_bytes_unref(dev->sriov->vf_config);
		fks_rec_free(dev->sriov->extra);
		g_free(dev->sriov);
	}
	if (dev->children)
		g_ptr_array_free(dev->children, TRUE);
	if (dev->parked)
		g_ptr_array_free(dev->parked, TRUE);
	g_free(dev->parked_by);
	fks_rec_free(dev->rec);
	g_free(dev->config);
	g_free(dev->override);
	g_free(dev->vf_token);
	g_free(dev->devpath);
	g_free(dev);
}

static void fault_state_free(struct fks_fault_state *s)
{
	g_free(s->path);
	g_free(s);
}

static void container_free(gpointer key, gpointer value, gpointer data)
{
	struct fks_container *c = key;

	g_ptr_array_free(c->groups, TRUE);
	g_array_free(c->maps, TRUE);
	g_free(c);
}

/* The VFIO files still open, and the containers they or the groups hold (each once). */
static void files_free(struct fks_host *h)
{
	g_autoptr(GHashTable) containers = g_hash_table_new(NULL, NULL);

	for (guint i = 0; i < h->files->len; i++) {
		struct fks_file *f = h->files->pdata[i];

		if (f && f->kind == FKS_FILE_CONTAINER)
			g_hash_table_add(containers, f->obj);
		g_free(f);
	}
	for (guint i = 0; i < h->groups->len; i++) {
		const struct fks_group *g = h->groups->pdata[i];

		if (g->container) /* also its owner, when it has one */
			g_hash_table_add(containers, g->container);
	}
	g_hash_table_foreach(containers, container_free, NULL);
}

struct fks_host *fks_host_free(struct fks_host *h)
{
	if (!h)
		return NULL;
	files_free(h);
	for (guint i = 0; i < h->faults->len; i++)
		fault_state_free(h->faults->pdata[i]);
	if (h->rebound)
		g_array_free(h->rebound, TRUE);
	for (size_t i = 0; i < _PT_NS_MAX; i++)
		fks_node_free(h->root[i]);
	for (guint i = 0; i < h->devs->len; i++)
		fks_dev_free(h->devs->pdata[i]);
	for (guint i = 0; i < h->drivers->len; i++)
		driver_free(h->drivers->pdata[i]);
	for (guint i = 0; i < h->groups->len; i++)
		group_free(h->groups->pdata[i]);
	g_ptr_array_free(h->devs, TRUE);
	g_ptr_array_free(h->drivers, TRUE);
	g_ptr_array_free(h->groups, TRUE);
	g_ptr_array_free(h->others, TRUE);
	g_ptr_array_free(h->extras, TRUE);
	g_ptr_array_free(h->proc, TRUE);
	g_ptr_array_free(h->modules, TRUE);
	if (h->notes)
		g_ptr_array_free(h->notes, TRUE);
	if (h->block_lines)
		g_hash_table_unref(h->block_lines);
	if (h->driver_unknown)
		g_hash_table_unref(h->driver_unknown);
	if (h->group_unknown)
		g_hash_table_unref(h->group_unknown);
	g_ptr_array_free(h->faults, TRUE);
	g_ptr_array_free(h->files, TRUE);
	pt_pciconf_parser_free(h->parser);
	g_free(h->osrelease);
	g_free(h->kconfig);
	g_free(h);
	return NULL;
}

static const char *dev_addr(gconstpointer d)
{
	return ((const struct fks_dev *)d)->addr;
}

/* Index of addr in the host's devices (sorted by address), or where it would go. */
static guint dev_index(const struct fks_host *h, const char *addr, bool *found)
{
	return fks_sorted_index(h->devs, addr, dev_addr, found);
}

struct fks_dev *fks_dev_find(const struct fks_host *h, const char *addr)
{
	bool found;
	guint i = dev_index(h, addr, &found);
	struct fks_dev *d = found ? h->devs->pdata[i] : NULL;

	return d && !d->removed ? d : NULL;
}

struct fks_dev *fks_dev_new(struct fks_host *host, const char *addr, const char *devpath)
{
	struct fks_dev *d = g_new0(struct fks_dev, 1);
	char *end;

	d->host = host;
	g_strlcpy(d->addr, addr, sizeof(d->addr));
	/* A canonical address (DDDD:BB:DD.F), by hand: sscanf was a fifth of loading a device. */
	d->domain = (unsigned)strtoul(addr, &end, 16);
	d->bus = *end == ':' ? (unsigned)strtoul(end + 1, &end, 16) : 0;
	d->slot = *end == ':' ? (unsigned)strtoul(end + 1, &end, 16) : 0;
	d->function = *end == '.' ? (unsigned)strtoul(end + 1, &end, 16) : 0;
	d->devpath = g_strdup(devpath);
	d->rec = fks_rec_new(devpath);
	d->children = g_ptr_array_new_with_free_func((GDestroyNotify)fks_rec_free);
	d->parked = g_ptr_array_new_with_free_func((GDestroyNotify)fks_rec_free);
	d->vfio_index = -1;
	return d;
}

int fks_dev_set_config(struct fks_dev *dev, const void *data, size_t len)
{
	struct pt_pciconf c;
	int r;

	r = pt_pciconf_parse(dev->host->parser, data, len, &c);
	if (r < 0)
		return r;
	g_free(dev->config);
	dev->config = g_memdup2(data, len);
	dev->config_len = len;
	dev->cfg = c;
	dev->class = c.class;
	return 0;
}

void fks_dev_insert(struct fks_host *h, struct fks_dev *dev)
{
	bool found;
	guint i = dev_index(h, dev->addr, &found);

	if (found) {
		/* A removed device coming back (rescan) or a VF at a recycled address. */
		fks_dev_free(h->devs->pdata[i]);
		h->devs->pdata[i] = dev;
		return;
	}
	g_ptr_array_insert(h->devs, (gint)i, dev);
}

struct fks_driver *fks_driver_find(const struct fks_host *h, const char *name)
{
	for (guint i = 0; i < h->drivers->len; i++) {
		struct fks_driver *d = h->drivers->pdata[i];

		if (strcmp(d->name, name) == 0)
			return d;
	}
	return NULL;
}

static gint cmp_driver(gconstpointer a, gconstpointer b)
{
	return strcmp((*(struct fks_driver *const *)a)->name,
		      (*(struct fks_driver *const *)b)->name);
}

struct fks_driver *fks_driver_get(struct fks_host *h, const char *name)
{
	struct fks_driver *d = fks_driver_find(h, name);

	if (d)
		return d;
	d = g_new0(struct fks_driver, 1);
	d->host = h;
	d->name = g_strdup(name);
	d->info = fks_drvinfo_lookup(name);
	d->static_ids = g_array_new(FALSE, TRUE, sizeof(struct fks_id));
	d->dyn_ids = g_array_new(FALSE, TRUE, sizeof(struct fks_id));
	d->devs = g_ptr_array_new();
	if (d->info->override_only_any) {
		struct fks_id any = {
			FKS_ANY_ID, FKS_ANY_ID, FKS_ANY_ID, FKS_ANY_ID, 0, 0, 0, true
		};

		g_array_append_val(d->static_ids, any);
	}
	for (const struct fks_variant_id *v = d->info->variant_ids; v && v->vendor; v++) {
		struct fks_id id = { v->vendor, v->device, FKS_ANY_ID, FKS_ANY_ID, 0, 0, 0, true };

		g_array_append_val(d->static_ids, id);
	}
	if (d->info->match_class_mask) {
		struct fks_id cls = { FKS_ANY_ID, FKS_ANY_ID,		FKS_ANY_ID,
				      FKS_ANY_ID, d->info->match_class, d->info->match_class_mask };

		g_array_append_val(d->static_ids, cls);
	}
	g_ptr_array_add(h->drivers, d);
	g_ptr_array_sort(h->drivers, cmp_driver);
	return d;
}

/* Groups are sorted by id: the index of id, or where it would go. */
static guint group_index(const struct fks_host *h, int id, bool *found)
{
	guint lo = 0, hi = h->groups->len;

	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		int x = ((const struct fks_group *)h->groups->pdata[mid])->id;

		if (x == id) {
			*found = true;
			return mid;
		}
		if (x < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

struct fks_group *fks_group_find(const struct fks_host *h, int id)
{
	bool found;
	guint i = group_index(h, id, &found);

	return found ? h->groups->pdata[i] : NULL;
}

struct fks_group *fks_group_get(struct fks_host *h, int id)
{
	bool found;
	guint i = group_index(h, id, &found);
	struct fks_group *g;

	if (found)
		return h->groups->pdata[i];
	g = g_new0(struct fks_group, 1);
	g->host = h;
	g->id = id;
	g->members = g_ptr_array_new();
	g->vfio_minor = -1;
	g_ptr_array_insert(h->groups, (gint)i, g);
	h->iommu = true;
	return g;
}

static gint cmp_dev(gconstpointer a, gconstpointer b)
{
	return strcmp((*(struct fks_dev *const *)a)->addr, (*(struct fks_dev *const *)b)->addr);
}

void fks_group_add_member(struct fks_group *g, struct fks_dev *dev)
{
	dev->group = g;
	g_ptr_array_add(g->members, dev);
	g_ptr_array_sort(g->members, cmp_dev);
}

void fks_group_del_member(struct fks_group *g, struct fks_dev *dev)
{
	g_ptr_array_remove(g->members, dev);
	dev->group = NULL;
}

void fks_group_drop(struct fks_host *h, struct fks_group *g)
{
	g_ptr_array_remove(h->groups, g);
	group_free(g);
}

/* iommu_group_alloc() takes its id from an IDA: the lowest id no group has. A removed
 * device's group is kept for it (rescan puts it back there), so its id is not free. */
static bool id_taken(const struct fks_host *h, int id)
{
	if (fks_group_find(h, id))
		return true;
	for (guint i = 0; i < h->devs->len; i++) {
		const struct fks_dev *d = h->devs->pdata[i];

		if (d->removed && d->saved_group == id)
			return true;
	}
	return false;
}

int fks_group_next_id(const struct fks_host *h)
{
	int id = 0;

	while (id_taken(h, id))
		id++;
	return id;
}

/* ---- settings ---- */

static int parse_u64(const char *v, uint64_t max, uint64_t *ret)
{
	char *end;
	guint64 x;

	if (!v || !g_ascii_isdigit(v[0]))
		return -EINVAL;
	errno = 0;
	x = g_ascii_strtoull(v, &end, 0);
	if (errno || *end || x > max)
		return -EINVAL;
	*ret = x;
	return 0;
}

enum setting_type {
	SET_BOOL,
	SET_U64,
	SET_UINT,
	SET_KERNEL,
	SET_KCONFIG, /* a kernel configuration option: the view changes with it */
};

/* The model's settings: a name, its type and where it lives in the host. */
static const struct {
	const char *key;
	enum setting_type type;
	size_t offset;
} settings[] = {
	{ "kernel", SET_KERNEL, 0 },
	{ "memlock", SET_U64, offsetof(struct fks_host, memlock) },
	{ "cap_ipc_lock", SET_BOOL, offsetof(struct fks_host, cap_ipc_lock) },
	{ "interrupt_remapping", SET_BOOL, offsetof(struct fks_host, intremap) },
	{ "snoop_control", SET_BOOL, offsetof(struct fks_host, snoop_control) },
	{ "vfio_pci.enable_sriov", SET_BOOL, offsetof(struct fks_host, vfio_enable_sriov) },
	{ "iommu_aperture_bits", SET_UINT, offsetof(struct fks_host, aperture_bits) },
	{ "reset_timeout_ms", SET_UINT, offsetof(struct fks_host, reset_timeout_ms) },
	{ "drivers_autoprobe", SET_BOOL, offsetof(struct fks_host, autoprobe) },
	{ "iommufd", SET_KCONFIG, offsetof(struct fks_host, iommufd) },
	{ "vfio_device_cdev", SET_KCONFIG, offsetof(struct fks_host, vfio_cdev) },
	{ "iommufd_vfio_container", SET_KCONFIG, offsetof(struct fks_host, iommufd_compat) },
	{ "iommufd_test", SET_KCONFIG, offsetof(struct fks_host, iommufd_test) },
	{ "iommufd.allow_unsafe_interrupts", SET_BOOL,
	  offsetof(struct fks_host, iommufd_unsafe_intr) },
	{ "cap_sys_resource", SET_BOOL, offsetof(struct fks_host, cap_sys_resource) },
};

_public_ int fks_host_set(struct fks_host *h, const char *key, const char *value)
{
	for (size_t i = 0; i < ELEMENTSOF(settings); i++) {
		char *field = (char *)h + settings[i].offset;
		uint64_t v;
		int r;

		if (strcmp(settings[i].key, key) != 0)
			continue;
		switch (settings[i].type) {
		case SET_KERNEL: {
			struct pt_kver kv;

			r = pt_kver_parse(value, &kv);
			if (r < 0)
				return r;
			h->kver = kv;
			h->kver_set = true;
			return 0;
		}
		case SET_BOOL:
			r = parse_u64(value, 1, &v);
			if (r >= 0)
				*(bool *)field = v;
			return r;
		case SET_KCONFIG:
			r = parse_u64(value, 1, &v);
			if (r < 0)
				return r;
			*(bool *)field = v;
			h->kconfig_source = FKS_KCONFIG_SET;
			fks_host_changed(h);
			return 0;
		case SET_UINT:
			r = parse_u64(value, UINT32_MAX, &v);
			if (r >= 0)
				*(unsigned *)field = (unsigned)v;
			return r;
		case SET_U64:
			r = parse_u64(value, UINT64_MAX, &v);
			if (r >= 0)
				*(uint64_t *)field = v;
			return r;
		}
	}
	return -ENOENT;
}

_public_ const struct pt_kver *fks_host_kernel(const struct fks_host *h)
{
	return &h->kver;
}

_public_ uint64_t fks_host_clock_ms(const struct fks_host *h)
{
	return h->clock_ms;
}

_public_ void fks_host_set_trace(struct fks_host *h, struct pt_trace *t)
{
	h->own_trace = t;
	h->trace = t;
}

_public_ int fks_host_dev_count(const struct fks_host *h)
{
	int n = 0;

	for (guint i = 0; i < h->devs->len; i++)
		n += !((struct fks_dev *)h->devs->pdata[i])->removed;
	return n;
}

_public_ int fks_host_dev_driver(const struct fks_host *h, const char *addr, const char **ret)
{
	struct fks_dev *d = fks_dev_find(h, addr);

	if (!d)
		return -ENOENT;
	*ret = d->driver ? d->driver->name : NULL;
	return 0;
}

_public_ int fks_host_dev_group(const struct fks_host *h, const char *addr, int *ret)
{
	struct fks_dev *d = fks_dev_find(h, addr);

	if (!d)
		return -ENOENT;
	*ret = d->group ? d->group->id : -1;
	return 0;
}

void fks_host_changed(struct fks_host *h)
{
	h->view_dirty = true;
}

void fks_host_rebound(struct fks_dev *dev, struct fks_driver *old)
{
	struct fks_host *h = dev->host;
	struct fks_rebound b = { dev, old };

	if (!h->view_dirty) /* else the whole view is made again anyway */
		g_array_append_val(h->rebound, b);
}

bool fks_kver_at_least(const struct fks_host *h, unsigned major, unsigned minor)
{
	return pt_kver_at_least(&h->kver, major, minor);
}

/* ---- rules, faults and errors ---- */

void fks_rule(struct fks_host *h, const char *rule, const char *subject, const char *fmt, ...)
{
	g_autofree char *detail = NULL;
	va_list ap;

	if (!h->trace)
		return;
	va_start(ap, fmt);
	detail = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	pt_trace_rule(h->trace, rule, subject, detail);
}

void fks_note_fault(struct fks_host *h, const char *subject, const char *fmt, ...)
{
	g_autofree char *detail = NULL;
	va_list ap;

	h->faults_fired++;
	if (!h->trace)
		return;
	va_start(ap, fmt);
	detail = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	pt_trace_add(h->trace, PT_EVENT_FAULT, PT_NS_SYS, subject, detail, strlen(detail), 0, NULL);
}

int fks_parse_address(const char *s, char ret[16])
{
	const char *colon = s ? strchr(s, ':') : NULL;

	/* With its domain, 4 to 7 digits (VMD's 10000:), as the kernel names devices. */
	if (!colon || !strchr(colon + 1, ':'))
		return -EINVAL;
	return pt_address_canonical(s, ret);
}

int fks_set_error(struct pt_error *err, int code, const char *path, unsigned line, const char *fmt,
		  ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	if (line)
		snprintf(err->path, sizeof(err->path), "%s:%u", path ? path : "", line);
	else
		snprintf(err->path, sizeof(err->path), "%s", path ? path : "");
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return code;
}
