/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading: the numbers the kernel hands out, VFIO group minors and VFIO device indexes. */

/*
 * A loaded host gets them as fks_vfio_group_sync() would give them one group at a time, in
 * group order (the lowest number nobody holds: vfio_group_alloc()'s minor, and
 * vfio_init_device()'s IDA index); but in one pass each. The search per group and per device
 * made loading quadratic: 65,536 devices, most on vfio-pci, spent most of their time there.
 */

#include "internal.h"

/* Each group with a member on a VFIO driver: the lowest minor no other group holds. */
static void assign_vfio_minors(struct fks_host *h)
{
	g_autoptr(GHashTable) used = g_hash_table_new(NULL, NULL);
	int next = 0;

	for (guint i = 0; i < h->groups->len; i++) {
		const struct fks_group *g = h->groups->pdata[i];

		if (g->vfio_minor >= 0)
			g_hash_table_add(used, GINT_TO_POINTER(g->vfio_minor + 1));
	}
	for (guint i = 0; i < h->groups->len; i++) {
		struct fks_group *g = h->groups->pdata[i];

		if (g->vfio_minor >= 0 || !fks_group_has_vfio(g))
			continue;
		while (g_hash_table_contains(used, GINT_TO_POINTER(next + 1)))
			next++;
		g->vfio_minor = next;
		g_hash_table_add(used, GINT_TO_POINTER(next + 1));
	}
}

/*
 * Each member on a VFIO driver: the lowest index no device holds, in the order (and with
 * the rule) fks_cdev_sync_index() gives it; fks_vfio_group_sync() then finds them set.
 */
static void assign_vfio_indexes(struct fks_host *h)
{
	g_autoptr(GHashTable) used = g_hash_table_new(NULL, NULL);
	int next = 0;

	for (guint i = 0; i < h->devs->len; i++) {
		const struct fks_dev *d = h->devs->pdata[i];

		if (d->vfio_index >= 0)
			g_hash_table_add(used, GINT_TO_POINTER(d->vfio_index + 1));
	}
	for (guint i = 0; i < h->groups->len; i++) {
		const struct fks_group *g = h->groups->pdata[i];

		for (guint j = 0; j < g->members->len; j++) {
			struct fks_dev *d = g->members->pdata[j];

			if (d->vfio_index >= 0 || !d->driver || !d->driver->info->vfio ||
			    d->removed)
				continue;
			while (g_hash_table_contains(used, GINT_TO_POINTER(next + 1)))
				next++;
			d->vfio_index = next;
			g_hash_table_add(used, GINT_TO_POINTER(next + 1));
			fks_rule(h, "K-VFIO-CDEV-INDEX", d->addr,
				 "VFIO device index %d (vfio-dev/vfio%d), its own IDA, not the "
				 "group number",
				 next, next);
		}
	}
}

void fks_loader_assign_vfio(struct fks_host *h)
{
	assign_vfio_minors(h);
	assign_vfio_indexes(h);
}
