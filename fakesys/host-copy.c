/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A fake host's copy: the same devices, drivers, groups and recorded files, its own state. */

#include <string.h>

#include "internal.h"

/* ---- copy ---- */

static struct fks_dev *map_dev(GHashTable *map, const struct fks_dev *d)
{
	return d ? g_hash_table_lookup(map, d) : NULL;
}

static GPtrArray *copy_recs(const GPtrArray *a)
{
	GPtrArray *c = g_ptr_array_new_full(a->len, (GDestroyNotify)fks_rec_free);

	for (guint i = 0; i < a->len; i++)
		g_ptr_array_add(c, fks_rec_copy(a->pdata[i]));
	return c;
}

/* Everything by value, then the fix-ups: what the copy owns itself, the links to other
 * objects (set by the caller through the map) and the open VFIO files (not copied). */
static struct fks_dev *copy_dev(struct fks_host *nh, const struct fks_dev *d)
{
	struct fks_dev *c = g_new(struct fks_dev, 1);

	*c = *d;
	c->host = nh;
	c->devpath = g_strdup(d->devpath);
	c->config = g_memdup2(d->config, d->config_len);
	c->rec = fks_rec_copy(d->rec);
	c->children = copy_recs(d->children);
	c->parked = copy_recs(d->parked);
	c->parked_by = g_strdup(d->parked_by);
	c->override = g_strdup(d->override);
	c->vf_token = g_strdup(d->vf_token);
	c->idev = NULL;
	c->cdev_opens = 0;
	c->driver = NULL;
	c->group = NULL;
	c->pf = NULL;
	c->open_count = 0;
	c->reset_works = false;
	if (d->sriov) {
		c->sriov = g_memdup2(d->sriov, sizeof(*d->sriov));
		c->sriov->vfs = g_ptr_array_new();
		if (c->sriov->vf_config)
			g_bytes_ref(c->sriov->vf_config);
		c->sriov->extra = fks_rec_copy(d->sriov->extra);
	}
	return c;
}

static struct fks_driver *copy_driver(struct fks_host *nh, const struct fks_driver *d,
				      GHashTable *map)
{
	struct fks_driver *c = g_new(struct fks_driver, 1);

	*c = *d;
	c->host = nh;
	c->name = g_strdup(d->name);
	c->static_ids = g_array_copy(d->static_ids);
	c->dyn_ids = g_array_copy(d->dyn_ids);
	c->devs = g_ptr_array_new();
	for (guint j = 0; j < d->devs->len; j++) {
		struct fks_dev *m = map_dev(map, d->devs->pdata[j]);

		if (!m)
			continue;
		m->driver = c;
		g_ptr_array_add(c->devs, m);
	}
	return c;
}

/* Open VFIO files are not copied, and with them goes any user-space owner. */
static struct fks_group *copy_group(struct fks_host *nh, const struct fks_group *g, GHashTable *map)
{
	struct fks_group *c = g_new(struct fks_group, 1);

	*c = *g;
	c->host = nh;
	c->members = g_ptr_array_new();
	c->rec = fks_rec_copy(g->rec);
	c->vfio_rec = fks_rec_copy(g->vfio_rec);
	c->owner_cnt = g->owner_cnt - (g->owner ? 1 : 0);
	c->owner = NULL;
	c->open = false;
	c->container = NULL;
	c->ictx = NULL;
	c->cdev_open_cnt = 0;
	if (g->ictx_owner) {
		c->owner_cnt = 0;
		c->ictx_owner = NULL;
	}
	c->device_fds = 0;
	c->fd_closed = false;
	for (guint j = 0; j < g->members->len; j++) {
		struct fks_dev *m = map_dev(map, g->members->pdata[j]);

		if (!m)
			continue;
		m->group = c;
		g_ptr_array_add(c->members, m);
	}
	return c;
}

/* The host by value, then the fix-ups: its own containers (filled by the caller) and parser,
 * no open files, faults, trace or view, and a clock and step count that start again. */
static void copy_host_fields(struct fks_host *n, const struct fks_host *h)
{
	struct fks_host own = *n;

	*n = *h;
	n->osrelease = g_strdup(h->osrelease);
	n->kconfig = g_strdup(h->kconfig);
	/* Never changed after loading: shared. */
	n->block_lines = h->block_lines ? g_hash_table_ref(h->block_lines) : NULL;
	n->driver_unknown = h->driver_unknown ? g_hash_table_ref(h->driver_unknown) : NULL;
	n->group_unknown = h->group_unknown ? g_hash_table_ref(h->group_unknown) : NULL;
	/* The loader's findings: the copy's own, as each host frees its list. */
	n->notes = NULL;
	for (guint i = 0; h->notes && i < h->notes->len; i++) {
		const struct fks_note *note = h->notes->pdata[i];

		fks_host_add_note(n, note->rule, note->address, "%s", note->message);
	}
	n->devs = own.devs;
	n->drivers = own.drivers;
	n->groups = own.groups;
	n->others = own.others;
	n->extras = own.extras;
	n->proc = own.proc;
	n->modules = own.modules;
	n->faults = own.faults;
	n->files = own.files;
	n->rebound = own.rebound;
	n->parser = own.parser;
	n->trace = NULL;
	n->own_trace = NULL;
	for (size_t i = 0; i < _PT_NS_MAX; i++)
		n->root[i] = NULL;
	n->synth = NULL;
	n->view_dirty = true;
	n->last_dir.root = n->last_dir.node = NULL;
	n->clock_ms = 0;
	n->step = 0;
	n->writes = 0;
	n->faults_fired = 0;
	n->user_locked = n->mm_locked = n->pinned_vm = 0;
}

static void copy_entries(GPtrArray *to, const GPtrArray *from)
{
	for (guint i = 0; i < from->len; i++) {
		const struct fks_entry *e = from->pdata[i];
		struct fks_entry *c = g_new0(struct fks_entry, 1);

		c->name = g_strdup(e->name);
		c->data = g_memdup2(e->data, e->len + 1);
		c->len = e->len;
		g_ptr_array_add(to, c);
	}
}

int fks_host_copy(const struct fks_host *h, struct fks_host **ret)
{
	g_autoptr(GHashTable) map = g_hash_table_new(NULL, NULL);
	struct fks_host *n;
	int r;

	r = fks_host_alloc(&n);
	if (r < 0)
		return r;
	copy_host_fields(n, h);
	for (guint i = 0; i < h->devs->len; i++) {
		struct fks_dev *c = copy_dev(n, h->devs->pdata[i]);

		g_hash_table_insert(map, h->devs->pdata[i], c);
		g_ptr_array_add(n->devs, c);
	}
	for (guint i = 0; i < h->devs->len; i++) {
		const struct fks_dev *d = h->devs->pdata[i];
		struct fks_dev *c = n->devs->pdata[i];

		c->pf = map_dev(map, d->pf);
		for (guint j = 0; d->sriov && j < d->sriov->vfs->len; j++)
			g_ptr_array_add(c->sriov->vfs, map_dev(map, d->sriov->vfs->pdata[j]));
	}
	for (guint i = 0; i < h->drivers->len; i++)
		g_ptr_array_add(n->drivers, copy_driver(n, h->drivers->pdata[i], map));
	for (guint i = 0; i < h->groups->len; i++)
		g_ptr_array_add(n->groups, copy_group(n, h->groups->pdata[i], map));
	for (guint i = 0; i < h->others->len; i++)
		g_ptr_array_add(n->others, fks_rec_copy(h->others->pdata[i]));
	for (guint i = 0; i < h->extras->len; i++)
		g_ptr_array_add(n->extras, fks_rec_copy(h->extras->pdata[i]));
	copy_entries(n->proc, h->proc);
	copy_entries(n->modules, h->modules);
	*ret = n; /* the view is built on first access */
	return 0;
}
