/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IOMMU groups: membership from sysfs, and viability under the kernel's DMA-ownership rules. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers.h"
#include "internal.h"
#include "macro.h"

/*
 * Which drivers leave DMA ownership alone, and which VFIO accepted before 5.19, is the driver
 * table's (drivers.c). A device bound to a VFIO driver of a name the table does not know also
 * shows a vfio-dev/ directory since 6.1.
 */
_public_ bool pt_driver_blocks_group(const char *driver, uint8_t header_type,
				     const struct pt_kver *kv, bool has_vfio_dev,
				     const char **ret_rule)
{
	const struct pt_driver_traits *t = pt_driver_traits(driver);
	bool vfio = has_vfio_dev || t->vfio;

	if (pt_kver_at_least(kv, 5, 19)) {
		*ret_rule = "K-GROUP-DMA-OWNER";
		return driver && t->dma_owning && !vfio;
	}
	*ret_rule = "K-GROUP-LEGACY-VIABLE";
	return driver && header_type == 0 && !t->legacy_allowed && !vfio;
}

int pt_group_evaluate(struct pt_group *group, const struct pt_kver *kv)
{
	free(group->blockers);
	group->blockers =
		calloc(group->member_count ? group->member_count : 1, sizeof(*group->blockers));
	group->blocker_count = 0;
	if (!group->blockers)
		return -ENOMEM;
	for (size_t i = 0; i < group->member_count; i++) {
		struct pt_dev *d = group->members[i];
		const char *rule;

		if (pt_driver_blocks_group(d->props.driver, d->props.header_type, kv,
					   d->has_vfio_dev, &rule))
			group->blockers[group->blocker_count++] = (struct pt_blocker){
				.dev = d,
				.driver = d->props.driver,
				.rule = rule,
			};
	}
	return 0;
}

struct pt_group *pt_group_free(struct pt_group *group)
{
	if (group) {
		free(group->type);
		free(group->members);
		free(group->blockers);
		free(group);
	}
	return NULL;
}

_public_ int pt_group_id(const struct pt_group *group)
{
	return group->id;
}

_public_ size_t pt_group_member_count(const struct pt_group *group)
{
	return group->member_count;
}

_public_ struct pt_dev *pt_group_member(const struct pt_group *group, size_t i)
{
	return i < group->member_count ? group->members[i] : NULL;
}

_public_ const char *pt_group_type(const struct pt_group *group)
{
	return group->type;
}

_public_ bool pt_group_viable(const struct pt_group *group)
{
	return group->blocker_count == 0;
}

_public_ const struct pt_dev *pt_group_unknown_member(const struct pt_group *group)
{
	for (size_t i = 0; i < group->member_count; i++)
		if (group->members[i]->driver_unknown)
			return group->members[i];
	return NULL;
}

_public_ size_t pt_group_blocker_count(const struct pt_group *group)
{
	return group->blocker_count;
}

_public_ const struct pt_blocker *pt_group_blocker(const struct pt_group *group, size_t i)
{
	return i < group->blocker_count ? &group->blockers[i] : NULL;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Group ids named by the devices' links and by kernel/iommu_groups, sorted, unique. */
static int collect_ids(struct pt_host *host, char **listed, size_t nlisted, int **ret,
		       size_t *ret_n)
{
	int *ids = calloc(host->dev_count + nlisted + 1, sizeof(*ids));
	size_t n = 0, u = 0;

	if (!ids)
		return -ENOMEM;
	for (size_t i = 0; i < host->dev_count; i++)
		if (host->devs[i]->props.iommu_group >= 0)
			ids[n++] = host->devs[i]->props.iommu_group;
	for (size_t i = 0; i < nlisted; i++) {
		long v;

		if (pt_parse_int(listed[i], 0, INT32_MAX, &v) >= 0)
			ids[n++] = (int)v;
	}
	qsort(ids, n, sizeof(*ids), cmp_int);
	for (size_t i = 0; i < n; i++)
		if (u == 0 || ids[u - 1] != ids[i])
			ids[u++] = ids[i];
	*ret = ids;
	*ret_n = u;
	return 0;
}

static int add_member(struct pt_group *g, struct pt_dev *dev)
{
	for (size_t i = 0; i < g->member_count; i++)
		if (g->members[i] == dev)
			return 0;
	g->members[g->member_count++] = dev;
	dev->group = g;
	return 0;
}

/* Compare the kernel's member list of group g with the devices' links; note each mismatch. */
static int check_listing(struct pt_host *host, struct pt_group *g, char **members, size_t n)
{
	int r = 0;

	for (size_t i = 0; i < n && r >= 0; i++) {
		struct pt_dev *dev = pt_host_find_dev(host, members[i]);

		if (!dev)
			r = pt_host_add_finding(host, "K-GROUP-LINKS", members[i],
						"kernel/iommu_groups/%d lists %s, which is not a "
						"PCI device on this host",
						g->id, members[i]);
		else if (dev->props.iommu_group != g->id)
			r = pt_host_add_finding(host, "K-GROUP-LINKS", members[i],
						"kernel/iommu_groups/%d lists %s, but its "
						"iommu_group link names group %d",
						g->id, members[i], dev->props.iommu_group);
	}
	for (size_t i = 0; i < g->member_count && r >= 0; i++) {
		bool found = false;

		for (size_t j = 0; j < n && !found; j++)
			found = strcmp(members[j], g->members[i]->props.address) == 0;
		if (!found)
			r = pt_host_add_finding(host, "K-GROUP-LINKS", g->members[i]->props.address,
						"%s links to group %d, but "
						"kernel/iommu_groups/%d/devices does not list it",
						g->members[i]->props.address, g->id, g->id);
	}
	return r;
}

static int build_group(struct pt_host *host, int id, bool dir_exists, struct pt_dev **devs,
		       size_t ndevs, struct pt_group **ret)
{
	struct pt_group *g = calloc(1, sizeof(*g));
	char path[128], buf[64];
	char **members = NULL;
	size_t n = 0;
	int r = 0;

	if (!g)
		return -ENOMEM;
	g->id = id;
	g->members = calloc(ndevs + 1, sizeof(*g->members));
	if (!g->members) {
		pt_group_free(g);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ndevs; i++)
		add_member(g, devs[i]);

	if (dir_exists) {
		snprintf(path, sizeof(path), "kernel/iommu_groups/%d/type", id);
		if (pt_backend_read_line(host->be, PT_NS_SYS, path, buf, sizeof(buf)) >= 0 &&
		    !(g->type = strdup(buf)))
			r = -ENOMEM;
		snprintf(path, sizeof(path), "kernel/iommu_groups/%d/devices", id);
		if (r >= 0 && pt_backend_list(host->be, PT_NS_SYS, path, &members, &n) >= 0)
			r = check_listing(host, g, members, n);
		pt_strv_free(members);
	}
	if (r >= 0)
		r = pt_group_evaluate(g, &host->kver);
	if (r < 0) {
		pt_group_free(g);
		return r;
	}
	*ret = g;
	return 0;
}

static int cmp_dev_group(const void *a, const void *b)
{
	const struct pt_dev *x = *(struct pt_dev *const *)a, *y = *(struct pt_dev *const *)b;
	int c = cmp_int(&x->props.iommu_group, &y->props.iommu_group);

	/* Members in address order, as the devices are. */
	return c ? c : strcmp(x->props.address, y->props.address);
}

/*
 * The plan: sort the devices by group once, and the listed group directories by number, so
 * that each group takes its members as one run and its directory by bisection (a search of
 * every device per group made a 65,536-device host quadratic).
 */
int pt_host_build_groups(struct pt_host *host, struct pt_error *err)
{
	char **listed = NULL;
	size_t nlisted = 0, n = 0, nd = 0, at = 0, nl = 0;
	int *ids = NULL, *dirs = NULL;
	struct pt_dev **byg = NULL;
	int r;

	r = pt_backend_list(host->be, PT_NS_SYS, "kernel/iommu_groups", &listed, &nlisted);
	if (r < 0 && r != -ENOENT)
		return pt_error_set(err, r, "kernel/iommu_groups", "cannot list: %s", strerror(-r));
	r = collect_ids(host, listed, nlisted, &ids, &n);
	if (r >= 0) {
		host->groups = calloc(n + 1, sizeof(*host->groups));
		byg = calloc(host->dev_count + 1, sizeof(*byg));
		dirs = calloc(nlisted + 1, sizeof(*dirs));
		if (!host->groups || !byg || !dirs)
			r = -ENOMEM;
	}
	for (size_t i = 0; r >= 0 && i < host->dev_count; i++)
		if (host->devs[i]->props.iommu_group >= 0)
			byg[nd++] = host->devs[i];
	if (r >= 0)
		qsort(byg, nd, sizeof(*byg), cmp_dev_group);
	for (size_t i = 0; r >= 0 && i < nlisted; i++) {
		long v;
		char canon[32];

		/* Only names the kernel would write ("7", not "07"). */
		if (pt_parse_int(listed[i], 0, INT32_MAX, &v) >= 0 &&
		    snprintf(canon, sizeof(canon), "%ld", v) > 0 && strcmp(canon, listed[i]) == 0)
			dirs[nl++] = (int)v;
	}
	if (r >= 0)
		qsort(dirs, nl, sizeof(*dirs), cmp_int);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		size_t start;

		while (at < nd && byg[at]->props.iommu_group < ids[i])
			at++;
		start = at;
		while (at < nd && byg[at]->props.iommu_group == ids[i])
			at++;
		r = build_group(host, ids[i],
				bsearch(&ids[i], dirs, nl, sizeof(*dirs), cmp_int) != NULL,
				byg + start, at - start, &host->groups[i]);
		if (r >= 0)
			host->group_count++;
	}
	free(byg);
	free(dirs);
	free(ids);
	pt_strv_free(listed);
	return r;
}
