/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The PCI bus: taking a device off it (remove, and remove faults) and finding it again (rescan). */

#include <errno.h>
#include <string.h>

#include "internal.h"

int fks_dev_remove(struct fks_dev *dev)
{
	struct fks_host *h = dev->host;

	if (dev->removed)
		return 0;
	/* Everything below a bridge goes first (one at a time: removing a PF removes its VFs
	 * from the list), then the VFs of a PF. */
	for (bool again = true; again;) {
		size_t n = strlen(dev->devpath);

		again = false;
		for (guint i = 0; i < h->devs->len && !again; i++) {
			struct fks_dev *o = h->devs->pdata[i];

			if (o != dev && !o->removed && !o->pf &&
			    strncmp(o->devpath, dev->devpath, n) == 0 && o->devpath[n] == '/') {
				fks_dev_remove(o);
				again = true;
			}
		}
	}
	if (dev->sriov && dev->sriov->num)
		fks_sriov_disable(dev);
	if (dev->driver)
		fks_driver_release(dev);
	dev->saved_group = dev->group ? dev->group->id : -1;
	if (dev->group)
		fks_group_del_member(dev->group, dev);
	fks_rule(h, "K-REMOVE", dev->addr, "removed from the bus");
	if (dev->pf) {
		struct fks_group *g = fks_group_find(h, dev->saved_group);

		g_ptr_array_remove(dev->pf->sriov->vfs, dev);
		if (g && g->members->len == 0)
			fks_group_drop(h, g);
		g_ptr_array_remove(h->devs, dev);
		fks_dev_free(dev);
	} else {
		dev->removed = true;
	}
	fks_host_changed(h);
	return 0;
}

_public_ int fks_host_remove_device(struct fks_host *h, const char *addr)
{
	struct fks_dev *d = fks_dev_find(h, addr);

	return d ? fks_dev_remove(d) : -ENOENT;
}

void fks_rescan(struct fks_host *h, const char *below)
{
	size_t n = strlen(below);

	for (guint i = 0; i < h->devs->len; i++) {
		struct fks_dev *d = h->devs->pdata[i];

		if (!d->removed || strncmp(d->devpath, below, n) != 0)
			continue;
		d->removed = false;
		g_free(d->override);
		d->override = NULL;
		if (d->saved_group >= 0)
			fks_group_add_member(fks_group_get(h, d->saved_group), d);
		fks_rule(h, "K-REMOVE", d->addr, "found again by rescan");
	}
	for (guint i = 0; i < h->devs->len; i++) {
		struct fks_dev *d = h->devs->pdata[i];

		if (!d->removed && !d->driver && h->autoprobe && strncmp(d->devpath, below, n) == 0)
			fks_dev_attach(d);
	}
	fks_host_changed(h);
}

/* A remove fault whose time has come takes its device off the bus (a surprise removal). */
void fks_fault_check_remove(struct fks_host *h)
{
	for (guint i = 0; i < h->faults->len; i++) {
		struct fks_fault_state *s = h->faults->pdata[i];
		struct fks_dev *d;

		if (s->f.kind != FKS_FAULT_REMOVE || s->fired)
			continue;
		if (s->f.step ? h->step < s->f.step : h->writes < s->f.nth)
			continue;
		s->fired++;
		d = fks_dev_find(h, s->path);
		if (!d)
			continue;
		fks_note_fault(h, d->addr, "device disappears");
		fks_dev_remove(d);
	}
}

_public_ void fks_host_set_step(struct fks_host *h, unsigned step)
{
	h->step = step;
	fks_fault_check_remove(h);
}
