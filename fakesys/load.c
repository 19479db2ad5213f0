/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading: recorded device blocks (from a recording or a sysfs tree) become the kernel model. */

/*
 * The plan: both loaders reduce what they read to umockdev's unit, a device block (devpath,
 * uevent properties, attributes and links). The loader then sorts the blocks: PCI functions
 * become devices (the attributes and links the model owns are taken out and turned into
 * state: config, driver, override, group, reset methods, SR-IOV), blocks below a function
 * become its children (net/eth0), the ptharness block gives the kernel release and group
 * membership, and everything else is kept to be served as recorded.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define PTH_BLOCK "devices/virtual/ptharness/host"

struct pending {
	struct fks_rec *rec;
	unsigned line;
};

struct fks_loader {
	char *name;
	GArray *blocks; /* struct pending */
	GPtrArray *drivers; /* names of loaded drivers the tree showed */
	bool iommu_class;
	GPtrArray *notes; /* struct fks_note *: findings while reading, for the host */
	char *capture; /* an export's fakesys/capture words, which override what is seen */
};

int fks_loader_new(const char *name, struct fks_loader **ret)
{
	struct fks_loader *l = g_new0(struct fks_loader, 1);

	l->name = g_strdup(name);
	l->blocks = g_array_new(FALSE, TRUE, sizeof(struct pending));
	l->drivers = g_ptr_array_new_with_free_func(g_free);
	l->notes = g_ptr_array_new();
	*ret = l;
	return 0;
}

static void note_free(gpointer p);

void fks_loader_note(struct fks_loader *l, const char *rule, const char *address, const char *fmt,
		     ...)
{
	struct fks_note *n = g_new0(struct fks_note, 1);
	va_list ap;

	n->rule = g_strdup(rule);
	n->address = g_strdup(address);
	va_start(ap, fmt);
	n->message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(l->notes, n);
}

void fks_loader_free(struct fks_loader *l)
{
	if (!l)
		return;
	for (guint i = 0; i < l->blocks->len; i++)
		fks_rec_free(g_array_index(l->blocks, struct pending, i).rec);
	g_array_free(l->blocks, TRUE);
	g_ptr_array_free(l->drivers, TRUE);
	for (guint i = 0; i < l->notes->len; i++)
		note_free(l->notes->pdata[i]);
	g_ptr_array_free(l->notes, TRUE);
	g_free(l->capture);
	g_free(l->name);
	g_free(l);
}

static gint cmp_entry(gconstpointer a, gconstpointer b)
{
	return strcmp((*(struct fks_entry *const *)a)->name, (*(struct fks_entry *const *)b)->name);
}

int fks_loader_add(struct fks_loader *l, struct fks_rec *rec, unsigned line, struct pt_error *err)
{
	struct pending p = { rec, line };

	/* Entries by name: a recording and a directory listing then give the same order. */
	g_ptr_array_sort(rec->entries, cmp_entry);
	rec->sorted = true;
	g_array_append_val(l->blocks, p);
	return 0;
}

void fks_loader_add_driver(struct fks_loader *l, const char *name)
{
	g_ptr_array_add(l->drivers, g_strdup(name));
}

void fks_loader_set_iommu_class(struct fks_loader *l, bool present)
{
	l->iommu_class = present;
}

bool fks_loader_has_block(const struct fks_loader *l, const char *devpath)
{
	for (guint i = 0; i < l->blocks->len; i++)
		if (strcmp(g_array_index(l->blocks, struct pending, i).rec->devpath, devpath) == 0)
			return true;
	return false;
}

static void note_free(gpointer p)
{
	struct fks_note *n = p;

	g_free(n->rule);
	g_free(n->address);
	g_free(n->message);
	g_free(n);
}

void fks_host_add_note(struct fks_host *h, const char *rule, const char *address, const char *fmt,
		       ...)
{
	struct fks_note *n = g_new0(struct fks_note, 1);
	va_list ap;

	if (!h->notes)
		h->notes = g_ptr_array_new_with_free_func(note_free);
	n->rule = g_strdup(rule);
	n->address = g_strdup(address);
	va_start(ap, fmt);
	n->message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(h->notes, n);
}

static const char *env_get(const struct fks_rec *r, const char *key)
{
	size_t n = strlen(key);

	for (guint i = 0; i < r->env->len; i++) {
		const char *e = r->env->pdata[i];

		if (strncmp(e, key, n) == 0 && e[n] == '=')
			return e + n + 1;
	}
	return NULL;
}

static const char *basename_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* The text of a recorded attribute without its trailing newline, or NULL. */
static char *take_text(struct fks_rec *r, const char *name)
{
	struct fks_entry *e = fks_rec_take(r, name);
	char *s;

	if (!e)
		return NULL;
	s = g_strndup(e->data, e->len);
	g_strchomp(s);
	fks_entry_free(e);
	return s;
}

static bool parse_uint_text(const char *s, int base, unsigned long max, unsigned long *ret)
{
	char *end;
	unsigned long v;

	if (!s || !g_ascii_isxdigit(s[0]))
		return false;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end || v > max)
		return false;
	*ret = v;
	return true;
}

/* The model's own entries of a PCI function: taken from the record, served from state. */
static const char *const owned[] = {
	"config",
	"vendor",
	"device",
	"subsystem_vendor",
	"subsystem_device",
	"revision",
	"subsystem",
	"uevent",
	"remove",
	"rescan",
	"reset",
	"sriov_numvfs",
	"sriov_totalvfs",
	"sriov_offset",
	"sriov_stride",
	"sriov_vf_device",
	"sriov_drivers_autoprobe",
};

static int make_sriov(struct fks_dev *d, struct fks_rec *r)
{
	g_autofree char *total = take_text(r, "sriov_totalvfs");
	g_autofree char *num = take_text(r, "sriov_numvfs");
	g_autofree char *off = take_text(r, "sriov_offset");
	g_autofree char *stride = take_text(r, "sriov_stride");
	g_autofree char *vfdev = take_text(r, "sriov_vf_device");
	g_autofree char *ap = take_text(r, "sriov_drivers_autoprobe");
	struct fks_sriov *s;
	unsigned long v;

	if (!total && !d->cfg.sriov)
		return 0;
	s = g_new0(struct fks_sriov, 1);
	s->vfs = g_ptr_array_new();
	s->autoprobe = true;
	if (d->cfg.sriov) {
		s->total = d->cfg.sriov_total;
		s->num = d->cfg.sriov_num;
		s->offset = d->cfg.sriov_offset;
		s->stride = d->cfg.sriov_stride;
		s->vf_device = d->cfg.sriov_vf_device;
	}
	/* sysfs is the kernel's word (a driver may lower totalvfs). */
	if (parse_uint_text(total, 10, 0xffff, &v))
		s->total = (unsigned)v;
	if (parse_uint_text(num, 10, 0xffff, &v))
		s->num = (unsigned)v;
	if (parse_uint_text(off, 10, 0xffff, &v))
		s->offset = (unsigned)v;
	if (parse_uint_text(stride, 10, 0xffff, &v))
		s->stride = (unsigned)v;
	if (parse_uint_text(vfdev, 16, 0xffff, &v))
		s->vf_device = (uint16_t)v;
	if (ap)
		s->autoprobe = strcmp(ap, "0") != 0;
	/* Find the capability to keep config in step with sriov_numvfs. */
	for (unsigned at = 0x100, n = 0;
	     d->config_len >= 0x1000 && at >= 0x100 && at < 0xffc && n < 64; n++) {
		uint32_t h = (uint32_t)d->config[at] | (uint32_t)d->config[at + 1] << 8 |
			     (uint32_t)d->config[at + 2] << 16 | (uint32_t)d->config[at + 3] << 24;

		if ((h & 0xffff) == 0x10) {
			s->cap = at;
			break;
		}
		at = h >> 20;
		if (!at)
			break;
	}
	d->sriov = s;
	return 0;
}

static bool all_ones(const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((uint8_t)b[i] != 0xff)
			return false;
	return len > 0;
}

static int make_dev(struct fks_host *h, struct pending *p, const char *name, struct pt_error *err)
{
	struct fks_rec *r = p->rec;
	char addr[16];
	struct fks_dev *d;
	struct fks_entry *cfg;
	g_autofree char *cls = NULL, *ovr = NULL, *rm = NULL, *vendor = NULL, *device = NULL;
	g_autofree char *subven = NULL, *subdev = NULL;
	unsigned long v;
	int ret;

	if (fks_parse_address(basename_of(r->devpath), addr) < 0)
		return fks_set_error(err, -EINVAL, name, p->line,
				     "PCI device path '/%s' does not end in an address "
				     "(DDDD:BB:DD.F)",
				     r->devpath);
	if (fks_dev_find(h, addr))
		return fks_set_error(err, -EEXIST, name, p->line, "device %s is given twice", addr);
	d = fks_dev_new(h, addr, r->devpath);
	cfg = fks_rec_take(r, "config");
	ret = cfg ? fks_dev_set_config(d, cfg->data, cfg->len) : -ENOENT;
	if (ret < 0 && (!cfg || !cfg->len || all_ones(cfg->data, cfg->len))) {
		/* Not captured (no root, a copy without it) or not answering (dead after a
		 * reset): the device stays, its ids from the attributes below; the scan says
		 * what is unknown. */
		d->config = cfg ? g_memdup2(cfg->data, cfg->len) : NULL;
		d->config_len = cfg ? cfg->len : 0;
		memset(&d->cfg, 0, sizeof(d->cfg));
		d->cfg.len = d->config_len;
		ret = 0;
	}
	if (ret < 0) {
		ret = fks_set_error(err, ret == -ENOENT ? -ENOENT : -EBADMSG, name, p->line,
				    "device %s: %s", addr,
				    !cfg ? "no config space (H: config=)" :
					   "config space shorter than 64 bytes or no device "
					   "answers (vendor 0xffff)");
		fks_entry_free(cfg);
		fks_dev_free(d);
		return ret;
	}
	if (cfg && d->config && d->config_len == cfg->len) { /* the parsed bytes: no 2nd copy */
		g_free(d->config);
		d->config = (uint8_t *)g_steal_pointer(&cfg->data);
	}
	fks_entry_free(cfg);
	fks_rec_free(d->rec);
	d->rec = r;
	p->rec = NULL;
	/* The kernel's ids (pdev->vendor, ->device): a VF's config reads FFFFh there. */
	vendor = take_text(r, "vendor");
	device = take_text(r, "device");
	if (vendor && g_str_has_prefix(vendor, "0x") && parse_uint_text(vendor + 2, 16, 0xffff, &v))
		d->cfg.vendor = (uint16_t)v;
	if (device && g_str_has_prefix(device, "0x") && parse_uint_text(device + 2, 16, 0xffff, &v))
		d->cfg.device = (uint16_t)v;
	/* A bridge's subsystem ids come from its SSVID capability, not the header. */
	subven = take_text(r, "subsystem_vendor");
	subdev = take_text(r, "subsystem_device");
	if (subven && g_str_has_prefix(subven, "0x") && parse_uint_text(subven + 2, 16, 0xffff, &v))
		d->cfg.subsystem_vendor = (uint16_t)v;
	if (subdev && g_str_has_prefix(subdev, "0x") && parse_uint_text(subdev + 2, 16, 0xffff, &v))
		d->cfg.subsystem_device = (uint16_t)v;
	cls = take_text(r, "class");
	if (cls && g_str_has_prefix(cls, "0x") && parse_uint_text(cls + 2, 16, 0xffffff, &v))
		d->class = (uint32_t)v;
	ovr = take_text(d->rec, "driver_override");
	h->capture.driver_override |= ovr != NULL;
	h->capture.uevents |= env_get(r, "PCI_SLOT_NAME") != NULL;
	if (ovr && strcmp(ovr, "(null)") != 0)
		d->override = g_steal_pointer(&ovr);
	rm = take_text(d->rec, "reset_method");
	if (rm)
		fks_reset_init(d, rm);
	make_sriov(d, d->rec);
	fks_dev_insert(h, d);
	return 0;
}

/* Take out the links the model owns; remember what they said. */
struct dev_links {
	char *driver;
	int group;
	char *physfn;
};

static void take_links(struct fks_host *h, struct fks_dev *d, struct dev_links *ret)
{
	struct fks_entry *e;
	const char *env_drv = env_get(d->rec, "DRIVER");
	bool uevent = env_get(d->rec, "PCI_SLOT_NAME") != NULL;

	ret->group = -1;
	ret->driver = NULL;
	ret->physfn = NULL;
	if ((e = fks_rec_take(d->rec, "driver"))) {
		ret->driver = g_strdup(basename_of(e->data));
		fks_entry_free(e);
	} else if (env_drv && env_drv[0]) {
		ret->driver = g_strdup(env_drv);
	} else if (h->capture.imported) {
		fks_capture_not_shown(&h->driver_unknown, d->addr,
				      "the pasted text does not show its driver");
	} else if (!uevent) {
		/* The kernel's uevent names the driver of a bound device: without it and
		 * without the driver link (hwloc-gather-topology keeps neither), unbound
		 * cannot be told from not copied. */
		fks_capture_not_shown(&h->driver_unknown, d->addr,
				      "the capture has neither its uevent nor a driver link");
	}
	if ((e = fks_rec_take(d->rec, "iommu_group"))) {
		unsigned long v;

		if (parse_uint_text(basename_of(e->data), 10, INT32_MAX, &v))
			ret->group = (int)v;
		fks_entry_free(e);
	}
	if ((e = fks_rec_take(d->rec, "physfn"))) {
		ret->physfn = g_strdup(basename_of(e->data));
		fks_entry_free(e);
	}
	for (size_t j = 0; j < ELEMENTSOF(owned); j++)
		fks_entry_free(fks_rec_take(d->rec, owned[j]));
	for (guint i = 0; i < d->rec->entries->len;) {
		struct fks_entry *x = d->rec->entries->pdata[i];

		if (x->link && x->name[0] == 'v' && g_str_has_prefix(x->name, "virtfn"))
			g_ptr_array_remove_index(d->rec->entries, i);
		else
			i++;
	}
	/* E: lines the model derives from its state. */
	for (guint i = 0; i < d->rec->env->len;) {
		const char *e2 = d->rec->env->pdata[i];
		static const char *const derived[] = {
			"DRIVER=",	  "PCI_CLASS=", "PCI_ID=",   "PCI_SUBSYS_ID=",
			"PCI_SLOT_NAME=", "MODALIAS=",	"SUBSYSTEM="
		};
		bool drop = false;

		for (size_t j = 0; j < ELEMENTSOF(derived) && !drop; j++)
			drop = g_str_has_prefix(e2, derived[j]);
		if (drop)
			g_ptr_array_remove_index(d->rec->env, i);
		else
			i++;
	}
}

static bool has_id(const GArray *ids, const struct fks_id *id)
{
	for (guint i = 0; i < ids->len; i++) {
		const struct fks_id *x = &g_array_index(ids, struct fks_id, i);

		if (x->vendor == id->vendor && x->device == id->device &&
		    x->subvendor == id->subvendor && x->subdevice == id->subdevice &&
		    x->class == id->class && x->class_mask == id->class_mask &&
		    x->data == id->data && x->override_only == id->override_only)
			return true;
	}
	return false;
}

/* fakesys/driver_ids and fakesys/new_ids: "DRIVER ID" lines, ID as new_id takes it. Lines
 * that do not parse are ignored, as any unknown content of the block is. */
static void apply_ids(struct fks_host *h, const struct fks_entry *e, bool dynamic)
{
	g_auto(GStrv) lines = g_strsplit(e->data, "\n", -1);

	for (guint i = 0; lines[i]; i++) {
		const char *sp = strchr(lines[i], ' ');
		g_autofree char *name = NULL;
		struct fks_driver *drv;
		struct fks_id id;
		int fields;

		if (!sp || sp == lines[i] || fks_id_parse(sp + 1, strlen(sp + 1), &id, &fields) < 0)
			continue;
		name = g_strndup(lines[i], (gsize)(sp - lines[i]));
		drv = fks_driver_get(h, name);
		if (dynamic)
			g_array_append_val(drv->dyn_ids, id);
		else if (!has_id(drv->static_ids, &id))
			g_array_append_val(drv->static_ids, id);
	}
}

/* The ptharness block: kernel release, group membership and other files, by path. */
static void apply_block(struct fks_host *h, struct fks_rec *r, GHashTable *members,
			struct fks_loader *l)
{
	for (guint i = 0; i < r->entries->len; i++) {
		struct fks_entry *e = r->entries->pdata[i];
		bool proc = g_str_has_prefix(e->name, "proc/"); /* else modules.alias lines */
		unsigned long id;
		char **parts;

		if (e->link)
			continue;
		if (proc || g_str_has_prefix(e->name, "lib/modules/")) {
			struct fks_entry *c = g_memdup2(e, sizeof(*e)); /* a file: link is false */

			c->name = g_strdup(e->name + (proc ? 5 : strlen("lib/modules/")));
			c->data = g_memdup2(e->data, e->len + 1);
			g_ptr_array_add(proc ? h->proc : h->modules, c);
			continue;
		}
		if (strcmp(e->name, "fakesys/capture") == 0) {
			g_free(l->capture);
			l->capture = g_strndup(e->data, e->len);
			h->capture.imported |= strstr(l->capture, " imported") != NULL;
			continue;
		}
		if (strcmp(e->name, "fakesys/imported") == 0) {
			h->capture.imported = true; /* made by import from pasted text */
			continue;
		}
		if (strcmp(e->name, "fakesys/iommu_shown") == 0) {
			/* A tree that holds the iommu class and kernel/iommu_groups. */
			h->capture.iommu_shown = true;
			continue;
		}
		if (strcmp(e->name, "sys/bus/pci/drivers") == 0) {
			/* The loaded PCI drivers, bound or not (ptharness record, which
			 * listed the iommu class and groups too). */
			h->capture.iommu_shown = true;
			g_auto(GStrv) names = g_strsplit_set(e->data, " \n", -1);

			for (guint j = 0; names[j]; j++)
				if (names[j][0])
					g_ptr_array_add(l->drivers, g_strdup(names[j]));
			continue;
		}
		if (strcmp(e->name, "fakesys/driver_ids") == 0 ||
		    strcmp(e->name, "fakesys/new_ids") == 0) {
			apply_ids(h, e, strcmp(e->name, "fakesys/new_ids") == 0);
			continue;
		}
		if (strcmp(e->name, "fakesys/kconfig") == 0) {
			g_free(h->kconfig);
			h->kconfig = g_strndup(e->data, e->len);
			continue;
		}
		if (strcmp(e->name, "sys/bus/pci/drivers_autoprobe") == 0) {
			h->autoprobe = e->data[0] != '0';
			continue;
		}
		if (strcmp(e->name, "sys/module/vfio_pci/parameters/enable_sriov") == 0)
			h->vfio_enable_sriov = e->data[0] == 'Y' || e->data[0] == '1';
		if (!g_str_has_prefix(e->name, "sys/kernel/iommu_groups/")) {
			if (g_str_has_prefix(e->name, "sys/")) {
				g_autofree char *dir = g_path_get_dirname(e->name + 4);
				struct fks_rec *x = fks_rec_new(dir);

				fks_rec_add(x, basename_of(e->name), false, e->data, e->len);
				g_ptr_array_add(h->extras, x);
			}
			continue;
		}
		parts = g_strsplit(e->name + strlen("sys/kernel/iommu_groups/"), "/", 2);
		if (parts[0] && parts[1] && parse_uint_text(parts[0], 10, INT32_MAX, &id)) {
			struct fks_group *g = fks_group_get(h, (int)id);

			if (strcmp(parts[1], "devices") == 0) {
				g_auto(GStrv) bdfs = g_strsplit_set(e->data, " \n", -1);

				for (guint j = 0; bdfs[j]; j++)
					if (bdfs[j][0])
						g_hash_table_insert(members, g_strdup(bdfs[j]),
								    GINT_TO_POINTER((int)id + 1));
			} else {
				if (!g->rec)
					g->rec = fks_rec_new("");
				fks_rec_add(g->rec, parts[1], false, e->data, e->len);
			}
		}
		g_strfreev(parts);
	}
}

static void add_static_id(struct fks_driver *drv, const struct fks_dev *d)
{
	struct fks_id id = { d->cfg.vendor, d->cfg.device, FKS_ANY_ID, FKS_ANY_ID, 0, 0, 0, false };

	if (drv->info->override_only_any || drv->info->stub)
		return; /* bound through an override or a dynamic id */
	if (drv->info->match_class_mask &&
	    (d->cfg.class & drv->info->match_class_mask) == drv->info->match_class)
		return; /* its class entry matches it */
	for (guint i = 0; i < drv->static_ids->len; i++) {
		const struct fks_id *x = &g_array_index(drv->static_ids, struct fks_id, i);

		if (x->vendor == id.vendor && x->device == id.device)
			return;
	}
	g_array_append_val(drv->static_ids, id);
}

/* Owner count as drivers/iommu/iommu.c keeps it: one per member on a kernel-DMA driver. */
static void count_owners(struct fks_host *h)
{
	for (guint i = 0; i < h->groups->len; i++) {
		struct fks_group *g = h->groups->pdata[i];

		g->owner_cnt = 0;
		for (guint j = 0; j < g->members->len; j++)
			g->owner_cnt += fks_dev_blocks_group(g->members->pdata[j]);
	}
}

static struct fks_dev *owner_of(struct fks_host *h, GHashTable *by_path, const char *devpath)
{
	g_autofree char *p = g_strdup(devpath);

	for (char *s; (s = strrchr(p, '/'));) {
		struct fks_dev *d;

		*s = '\0';
		d = g_hash_table_lookup(by_path, p);
		if (d)
			return d;
	}
	return NULL;
}

/*
 * kernel/iommu_groups/N/devices against the devices' iommu_group links (K-GROUP-LINKS): each
 * disagreement is a note, the links keep deciding. members maps BDF to group id + 1.
 */
static void check_listing(struct fks_host *h, GHashTable *members, GHashTable *links)
{
	g_autoptr(GHashTable) listed_groups = g_hash_table_new(NULL, NULL);
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, members);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct fks_dev *d = fks_dev_find(h, k);
		struct dev_links *dl = d ? g_hash_table_lookup(links, d) : NULL;
		int id = GPOINTER_TO_INT(v) - 1;

		g_hash_table_add(listed_groups, v);
		if (!d)
			fks_host_add_note(h, "K-GROUP-LINKS", k,
					  "kernel/iommu_groups/%d lists %s, which is not a PCI "
					  "device on this host",
					  id, (const char *)k);
		else if (dl && dl->group >= 0 && dl->group != id)
			fks_host_add_note(h, "K-GROUP-LINKS", k,
					  "kernel/iommu_groups/%d lists %s, but its iommu_group "
					  "link names group %d",
					  id, (const char *)k, dl->group);
	}
	for (guint i = 0; i < h->devs->len; i++) {
		struct fks_dev *d = h->devs->pdata[i];
		struct dev_links *dl = g_hash_table_lookup(links, d);

		if (dl->group >= 0 &&
		    g_hash_table_contains(listed_groups, GINT_TO_POINTER(dl->group + 1)) &&
		    !g_hash_table_contains(members, d->addr))
			fks_host_add_note(
				h, "K-GROUP-LINKS", d->addr,
				"%s links to group %d, but kernel/iommu_groups/%d/devices "
				"does not list it",
				d->addr, dl->group, dl->group);
	}
}

/* fakesys/vf_config/PF: the config space the PF's VFs had when the model removed them (a
 * saved model keeps it, so that VFs enabled again are the same). */
static void apply_vf_configs(struct fks_loader *l, struct fks_host *h)
{
	for (guint i = 0; i < l->blocks->len; i++) {
		struct pending *p = &g_array_index(l->blocks, struct pending, i);

		for (guint j = 0;
		     p->rec && strcmp(p->rec->devpath, PTH_BLOCK) == 0 && j < p->rec->entries->len;
		     j++) {
			const struct fks_entry *e = p->rec->entries->pdata[j];
			const char *at = g_str_has_prefix(e->name, "fakesys/vf_config/") ?
						 e->name + strlen("fakesys/vf_config/") :
						 NULL;
			struct fks_dev *pf = at ? fks_dev_find(h, at) : NULL;

			if (pf && pf->sriov && !pf->sriov->vf_config && e->len >= 64 &&
			    e->len <= 4096)
				pf->sriov->vf_config = g_bytes_new(e->data, e->len);
		}
	}
}

static int finish_devices(struct fks_loader *l, struct fks_host *h, GHashTable *members,
			  struct pt_error *err)
{
	g_autoptr(GHashTable) by_path = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GHashTable) links = g_hash_table_new(NULL, NULL);
	int r;

	for (guint i = 0; i < l->blocks->len; i++) {
		struct pending *p = &g_array_index(l->blocks, struct pending, i);
		const char *sub = env_get(p->rec, "SUBSYSTEM");

		if (strcmp(p->rec->devpath, PTH_BLOCK) == 0) {
			apply_block(h, p->rec, members, l);
			continue;
		}
		if (!sub || strcmp(sub, "pci") != 0)
			continue;
		r = make_dev(h, p, l->name, err);
		if (r < 0)
			return r;
	}
	for (guint i = 0; i < h->devs->len; i++) {
		struct fks_dev *d = h->devs->pdata[i];

		g_hash_table_insert(by_path, d->devpath, d);
	}
	apply_vf_configs(l, h);
	/* Children and other blocks. */
	for (guint i = 0; i < l->blocks->len; i++) {
		struct pending *p = &g_array_index(l->blocks, struct pending, i);
		struct fks_dev *owner;

		if (!p->rec || strcmp(p->rec->devpath, PTH_BLOCK) == 0)
			continue;
		owner = owner_of(h, by_path, p->rec->devpath);
		if (owner) {
			char *rel = g_strdup(p->rec->devpath + strlen(owner->devpath) + 1);

			g_free(p->rec->devpath);
			p->rec->devpath = rel;
			g_ptr_array_add(owner->children, p->rec);
		} else {
			g_ptr_array_add(h->others, p->rec);
		}
		p->rec = NULL;
	}
	/* Links: drivers, groups, PF/VF. */
	for (guint i = 0; i < h->devs->len; i++) {
		struct fks_dev *d = h->devs->pdata[i];
		struct dev_links *dl = g_new0(struct dev_links, 1);
		gpointer m;
		int listed;

		take_links(h, d, dl);
		g_hash_table_insert(links, d, dl);
		if (dl->driver) {
			struct fks_driver *drv = fks_driver_get(h, dl->driver);

			d->driver = drv;
			g_ptr_array_add(drv->devs, d);
			add_static_id(drv, d);
		}
		/* The device's own link decides; a listing is the fallback (a tree copied
		 * with cp -L has a directory where the link was). */
		listed = g_hash_table_lookup_extended(members, d->addr, NULL, &m) ?
				 GPOINTER_TO_INT(m) - 1 :
				 -1;
		if (dl->group < 0)
			fks_capture_copied_group(h, d, listed);
		if (dl->group >= 0 || listed >= 0)
			fks_group_add_member(fks_group_get(h, dl->group >= 0 ? dl->group : listed),
					     d);
	}
	check_listing(h, members, links);
	for (guint i = 0; i < h->devs->len; i++) {
		struct fks_dev *d = h->devs->pdata[i];
		struct dev_links *dl = g_hash_table_lookup(links, d);
		struct fks_dev *pf = dl->physfn ? fks_dev_find(h, dl->physfn) : NULL;

		if (pf && pf->sriov) {
			d->pf = pf;
			d->vf_index = pf->sriov->vfs->len;
			g_ptr_array_add(pf->sriov->vfs, d);
			fks_sriov_keep_vf_config(pf); /* a recorded VF: as the device made it */
		}
		g_free(dl->driver);
		g_free(dl->physfn);
		g_free(dl);
	}
	return 0;
}

/* Extras hold one file each: by directory, then name. */
static gint cmp_extra(gconstpointer a, gconstpointer b)
{
	const struct fks_rec *x = *(struct fks_rec *const *)a, *y = *(struct fks_rec *const *)b;
	int c = strcmp(x->devpath, y->devpath);

	if (c || !x->entries->len || !y->entries->len)
		return c;
	return strcmp(((struct fks_entry *)x->entries->pdata[0])->name,
		      ((struct fks_entry *)y->entries->pdata[0])->name);
}

static gint cmp_rec(gconstpointer a, gconstpointer b)
{
	return strcmp((*(struct fks_rec *const *)a)->devpath,
		      (*(struct fks_rec *const *)b)->devpath);
}

/* Each recorded block's line, for messages about what lies in it (fks_host_block_line()). */
static void keep_block_lines(const struct fks_loader *l, struct fks_host *h)
{
	for (guint i = 0; i < l->blocks->len; i++) {
		const struct pending *p = &g_array_index(l->blocks, struct pending, i);

		if (!p->line)
			continue;
		if (!h->block_lines)
			h->block_lines =
				g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		g_hash_table_insert(h->block_lines, g_strdup(p->rec->devpath),
				    GUINT_TO_POINTER(p->line));
	}
}

int fks_loader_finish(struct fks_loader *l, const struct fks_options *opts, struct fks_host **ret,
		      struct pt_error *err)
{
	g_autoptr(GHashTable) members =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	struct fks_host *h;
	int r;

	r = fks_host_alloc(&h);
	if (r < 0)
		return r;
	keep_block_lines(l, h);
	r = finish_devices(l, h, members, err);
	if (r < 0) {
		fks_host_free(h);
		return r;
	}
	for (guint i = 0; i < l->notes->len; i++) {
		const struct fks_note *n = l->notes->pdata[i];

		fks_host_add_note(h, n->rule, n->address, "%s", n->message);
	}
	g_ptr_array_sort(h->others, cmp_rec);
	/* Children in path order, as a recording has them (a tree's walk adds eth0 first). */
	for (guint i = 0; i < h->devs->len; i++)
		g_ptr_array_sort(((struct fks_dev *)h->devs->pdata[i])->children, cmp_rec);
	g_ptr_array_sort(h->proc, cmp_entry);
	g_ptr_array_sort(h->extras, cmp_extra);
	for (guint i = 0; i < h->groups->len; i++) {
		struct fks_group *g = h->groups->pdata[i];

		if (g->rec)
			g_ptr_array_sort(g->rec->entries, cmp_entry);
	}
	for (guint i = 0; i < l->drivers->len; i++)
		fks_driver_get(h, l->drivers->pdata[i]);
	/* Modules every passthrough host has loaded. */
	fks_driver_get(h, "vfio-pci");
	fks_driver_get(h, "pci-stub");
	h->iommu |= l->iommu_class;
	/* An import's block lists drivers too, but a paste shows what its author chose. */
	h->capture.iommu_shown &= !h->capture.imported;
	h->capture.uevents &= !h->capture.imported;
	if (l->capture) /* an export of a capture: what it showed is what that one showed */
		fks_capture_parse(&h->capture, l->capture);
	for (guint i = 0; i < h->others->len; i++) {
		const struct fks_rec *o = h->others->pdata[i];
		const char *sub = env_get(o, "SUBSYSTEM");
		const struct fks_entry *ecap = fks_rec_find(o, "intel-iommu/ecap");
		unsigned long long v;

		if (!sub || strcmp(sub, "iommu") != 0)
			continue;
		h->iommu = true;
		/* VT-d extended capability bit 3: interrupt remapping (type1 needs it). */
		if (ecap && sscanf(ecap->data, "%llx", &v) == 1 && !(v & 0x8))
			h->intremap = false;
		/* Bit 7, Snoop Control: a VFIO domain enforces cache coherency only with it on
		 * every unit; a unit without a readable ecap is not an Intel one (AMD-Vi always
		 * forces coherency). */
		if (ecap && (sscanf(ecap->data, "%llx", &v) != 1 || !(v & 0x80)))
			h->snoop_control = false;
	}
	for (guint i = 0; i < h->proc->len; i++) {
		const struct fks_entry *e = h->proc->pdata[i];

		if (strcmp(e->name, "sys/kernel/osrelease") == 0) {
			g_autofree char *rel = g_strchomp(g_strndup(e->data, e->len));
			struct pt_kver kv;

			h->osrelease = g_strndup(e->data, e->len);
			if (pt_kver_parse(rel, &kv) == 0) {
				h->kver = kv;
				h->kver_set = true;
			}
		}
	}
	if (opts && opts->kernel && fks_host_set(h, "kernel", opts->kernel) < 0) {
		fks_host_free(h);
		return fks_set_error(err, -EINVAL, l->name, 0, "'%s' is not a kernel version",
				     opts->kernel);
	}
	count_owners(h);
	/* The VFIO groups' class devices are the model's: recorded ones keep their minor. */
	for (guint i = 0; i < h->others->len;) {
		struct fks_rec *o = h->others->pdata[i];

		if (fks_vfio_adopt_rec(h, o))
			g_ptr_array_steal_index(h->others, i);
		else
			i++;
	}
	fks_loader_assign_vfio(h);
	fks_iommufd_host_init(h);
	for (guint i = 0; i < h->groups->len; i++)
		fks_vfio_group_sync(h, h->groups->pdata[i]);
	for (guint i = 0; i < h->devs->len; i++) {
		struct fks_dev *d = h->devs->pdata[i];

		if (!d->reset_attr && !fks_kver_at_least(h, 5, 15))
			fks_reset_init(d, NULL);
	}
	/* The view is built on first access. */
	*ret = h;
	return 0;
}
