/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a loaded capture did not show, kept beside the model that serves an answer for it. */

/*
 * The plan: the model serves every attribute a reader asks for (driver_override, a uevent,
 * an empty iommu class), so a capture's gaps cannot live in the sysfs view. The loader notes
 * them here (which dating attributes and uevents the capture held, whether it showed the
 * IOMMU state, per device a driver or group it did not show, and why); the harness passes
 * them to the engine, which reports them unknown. An export writes them as one line
 * (A: fakesys/capture=...) so that a re-loaded export reports the same.
 */

#include <string.h>

#include "internal.h"

_public_ const struct fks_capture *fks_host_capture(const struct fks_host *host)
{
	return &host->capture;
}

_public_ const char *fks_host_driver_unknown(const struct fks_host *host, const char *address)
{
	return host->driver_unknown ? g_hash_table_lookup(host->driver_unknown, address) : NULL;
}

_public_ const char *fks_host_group_unknown(const struct fks_host *host, const char *address)
{
	return host->group_unknown ? g_hash_table_lookup(host->group_unknown, address) : NULL;
}

/* A fact of a device the capture does not show, where its absence does not mean none. */
void fks_capture_not_shown(GHashTable **table, const char *addr, const char *why)
{
	if (!*table)
		*table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_hash_table_insert(*table, g_strdup(addr), (gpointer)why);
}

/*
 * A tree copied with cp -L or tar -h has a directory where the iommu_group link was: it
 * still lists the group's members (tree.c keeps that listing as "iommu_group/devices"), but
 * not the group's number. The listing of kernel/iommu_groups, when copied too, gives it.
 */
void fks_capture_copied_group(struct fks_host *h, struct fks_dev *d, int listed)
{
	struct fks_entry *e = fks_rec_take(d->rec, "iommu_group/devices");

	if (!e)
		return;
	h->capture.iommu_on = true; /* the kernel made a group: an IOMMU was on */
	h->capture.iommu_shown = true;
	if (listed >= 0) {
		fks_host_add_note(h, "K-GROUP-LINKS", d->addr,
				  "%s: iommu_group is a copied directory, not a link (cp -L, tar "
				  "-h): its group, %d, is the one kernel/iommu_groups lists it in",
				  d->addr, listed);
	} else {
		fks_capture_not_shown(
			&h->group_unknown, d->addr,
			"iommu_group is a directory in this copy (cp -L or tar -h): it names "
			"the group's members, not its number");
		fks_host_add_note(
			h, "K-GROUP-LINKS", d->addr,
			"%s: iommu_group is a copied directory, not a link (cp -L, tar "
			"-h): the group number is lost; members the copy still lists: %.*s",
			d->addr, e->len ? (int)e->len : 4, e->len ? e->data : "none");
	}
	fks_entry_free(e);
}

void fks_capture_parse(struct fks_capture *c, const char *line)
{
	g_auto(GStrv) words = g_strsplit_set(line, " \n", -1);

	*c = (struct fks_capture){ 0 };
	for (guint i = 0; words[i]; i++) {
		c->imported |= strcmp(words[i], "imported") == 0;
		c->uevents |= strcmp(words[i], "uevents") == 0;
		c->driver_override |= strcmp(words[i], "driver_override") == 0;
		c->iommu_shown |= strcmp(words[i], "iommu_shown") == 0;
		c->iommu_on |= strcmp(words[i], "iommu_on") == 0;
	}
}

/* What the capture showed of the kernel, and the notes its loading made. */
_public_ bool fks_host_kernel_shown(const struct fks_host *host)
{
	return host->osrelease != NULL;
}

_public_ size_t fks_host_note_count(const struct fks_host *host)
{
	return host->notes ? host->notes->len : 0;
}

_public_ const struct fks_note *fks_host_note(const struct fks_host *host, size_t i)
{
	return i < fks_host_note_count(host) ? host->notes->pdata[i] : NULL;
}
