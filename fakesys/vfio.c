/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Simulated VFIO: container, group and device files with the real <linux/vfio.h> ioctls. */

/*
 * The plan: each open file is a handle in the host's table. A group's viability is the
 * kernel's DMA-ownership count (drivers/iommu/iommu.c): members on kernel-DMA drivers count,
 * and VFIO_GROUP_SET_CONTAINER claims the group for user space only when nobody else counts
 * (EPERM otherwise); once claimed, a host driver's probe fails with EBUSY (driver.c). The
 * type1 backend keeps mappings per container and charges their pages to the mapping process's
 * mm->locked_vm (VmLck; vfio_lock_acct -> __account_locked_vm), shared with iommufd's per
 * process charge; CAP_IPC_LOCK at map time (dma->lock_cap) skips only the RLIMIT_MEMLOCK check
 * (vfio_pin_pages_remote), the pages are charged all the same.
 */

#include <errno.h>
#include <linux/vfio.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "uapi-iommufd.h"

#define MINSZ(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))
#define IOVA_PAGE 4096ull
#define MSI_START 0xfee00000ull
#define MSI_END 0xfeefffffull
#define DMA_ENTRY_LIMIT 65535u

static int add_file(struct fks_host *h, enum fks_file_kind kind, void *obj)
{
	struct fks_file *f = g_new0(struct fks_file, 1);

	f->kind = kind;
	f->obj = obj;
	for (guint i = 0; i < h->files->len; i++)
		if (!h->files->pdata[i]) {
			h->files->pdata[i] = f;
			return (int)i + FKS_HANDLE_BASE;
		}
	g_ptr_array_add(h->files, f);
	return (int)h->files->len - 1 + FKS_HANDLE_BASE;
}

static struct fks_file *get_file(struct fks_host *h, int handle)
{
	int i = handle - FKS_HANDLE_BASE;

	return i >= 0 && (guint)i < h->files->len ? h->files->pdata[i] : NULL;
}

static void container_maybe_free(struct fks_container *c)
{
	if (!c->open && c->groups->len == 0) {
		g_ptr_array_free(c->groups, TRUE);
		g_array_free(c->maps, TRUE);
		g_free(c);
	}
}

bool fks_group_has_vfio(const struct fks_group *g)
{
	for (guint i = 0; g && i < g->members->len; i++) {
		const struct fks_dev *m = g->members->pdata[i];

		if (m->driver && m->driver->info->vfio)
			return true;
	}
	return false;
}

int fks_vfio_open(struct fks_host *h, const char *path, int flags)
{
	struct fks_node *n;
	unsigned long id;
	char *end;
	int r;

	r = fks_node_resolve(h->root[PT_NS_DEV], path, true, &n);
	if (r < 0)
		return r;
	if (strcmp(path, "iommu") == 0 ||
	    (strcmp(path, "vfio/vfio") == 0 && fks_compat_present(h))) {
		struct fks_ictx *x;

		r = fks_iommufd_open(h, strcmp(path, "iommu") != 0, &x);
		return r < 0 ? r : add_file(h, FKS_FILE_IOMMUFD, x);
	}
	if (g_str_has_prefix(path, "vfio/devices/")) {
		struct fks_dev *d;

		r = fks_cdev_open(h, path, &d);
		return r < 0 ? r : add_file(h, FKS_FILE_CDEV, d);
	}
	if (strcmp(path, "vfio/vfio") == 0) {
		struct fks_container *c = g_new0(struct fks_container, 1);

		c->groups = g_ptr_array_new();
		c->maps = g_array_new(FALSE, TRUE, sizeof(struct fks_mapping));
		c->open = true;
		return add_file(h, FKS_FILE_CONTAINER, c);
	}
	if (g_str_has_prefix(path, "vfio/")) {
		struct fks_group *g;

		id = strtoul(path + 5, &end, 10);
		g = *end ? NULL : fks_group_find(h, (int)id);
		if (!g || !fks_group_has_vfio(g))
			return -ENODEV;
		if (g->open) {
			fks_rule(h, "K-VFIO-GROUP-NODE", path,
				 "only one open file per group: EBUSY");
			return -EBUSY;
		}
		if (g->cdev_open_cnt) {
			fks_rule(h, "K-VFIO-CDEV-EXCLUSIVE", path,
				 "a member is bound through its cdev: the group node is EBUSY");
			return -EBUSY;
		}
		g->open = true;
		g->fd_closed = false;
		return add_file(h, FKS_FILE_GROUP, g);
	}
	return -ENXIO;
}

/* Viability as VFIO_GROUP_GET_STATUS sees it, by the rules of the model's kernel. */
static bool group_viable(struct fks_host *h, const struct fks_group *g)
{
	if (fks_kver_at_least(h, 5, 19))
		return g->owner_cnt == 0;
	for (guint i = 0; i < g->members->len; i++) {
		const struct fks_dev *d = g->members->pdata[i];

		if (d->driver && !d->driver->info->vfio && !d->driver->info->stub &&
		    d->cfg.header_type == 0)
			return false;
	}
	return true;
}

/* vfio_iommu_unmap_unpin_all(): every mapping goes, its pages uncharged (vfio_remove_dma). */
static void uncharge_all(struct fks_host *h, struct fks_container *c)
{
	g_array_set_size(c->maps, 0);
	h->mm_locked -= c->pinned;
	c->pinned = 0;
}

static void detach_group(struct fks_host *h, struct fks_group *g)
{
	struct fks_container *c = g->container;

	if (!c)
		return;
	g_ptr_array_remove(c->groups, g);
	if (g->owner == c) {
		g->owner = NULL;
		g->owner_cnt--;
	}
	g->container = NULL;
	if (c->groups->len == 0) {
		/* The last group gone: the IOMMU backend and its mappings go too. */
		c->iommu_type = 0;
		uncharge_all(h, c);
	}
	container_maybe_free(c);
}

/* ---- container ---- */

static int map_dma(struct fks_host *h, struct fks_container *c, struct vfio_iommu_type1_dma_map *m)
{
	struct fks_mapping nm;
	uint64_t end;
	guint at = 0;

	if (m->argsz < MINSZ(struct vfio_iommu_type1_dma_map, size) ||
	    m->flags & ~(uint32_t)(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE |
				   VFIO_DMA_MAP_FLAG_VADDR) ||
	    !(m->flags & (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)))
		return -EINVAL;
	if (!m->size || (m->size | m->iova | m->vaddr) & (IOVA_PAGE - 1) ||
	    m->iova + m->size - 1 < m->iova || m->vaddr + m->size - 1 < m->vaddr) {
		fks_rule(h, "K-VFIO-MAP-DMA", "container", "size 0, unaligned or wrapping: EINVAL");
		return -EINVAL;
	}
	end = m->iova + m->size - 1;
	for (guint i = 0; i < c->maps->len; i++) {
		const struct fks_mapping *x = &g_array_index(c->maps, struct fks_mapping, i);

		if (m->iova <= x->iova + x->size - 1 && x->iova <= end) {
			fks_rule(h, "K-VFIO-MAP-DMA", "container",
				 "0x%llx+0x%llx overlaps a mapping: EEXIST",
				 (unsigned long long)m->iova, (unsigned long long)m->size);
			return -EEXIST;
		}
		if (x->iova < m->iova)
			at = i + 1;
	}
	if (c->maps->len >= DMA_ENTRY_LIMIT)
		return -ENOSPC;
	if ((h->aperture_bits < 64 && end >> h->aperture_bits) ||
	    (m->iova <= MSI_END && MSI_START <= end)) {
		fks_rule(h, "K-VFIO-MAP-DMA", "container",
			 "outside the usable IOVA ranges (aperture, MSI window): EINVAL");
		return -EINVAL;
	}
	nm = (struct fks_mapping){ m->iova, m->size };
	if (!h->cap_ipc_lock && h->mm_locked + m->size > h->memlock) {
		fks_rule(h, "K-VFIO-MEMLOCK", "container", "RLIMIT_MEMLOCK (%llu) exceeded: ENOMEM",
			 (unsigned long long)h->memlock);
		return -ENOMEM;
	}
	c->pinned += m->size;
	h->mm_locked += m->size;
	g_array_insert_val(c->maps, at, nm);
	return 0;
}

static int unmap_dma(struct fks_host *h, struct fks_container *c,
		     struct vfio_iommu_type1_dma_unmap *u)
{
	uint64_t start = u->iova, end = u->iova + u->size, done = 0;

	if (u->argsz < MINSZ(struct vfio_iommu_type1_dma_unmap, size) ||
	    u->flags & ~(uint32_t)VFIO_DMA_UNMAP_FLAG_ALL)
		return -EINVAL;
	if (u->flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		if (u->iova || u->size)
			return -EINVAL;
		start = 0;
		end = UINT64_MAX;
	} else if (!u->size || (u->iova | u->size) & (IOVA_PAGE - 1)) {
		return -EINVAL;
	} else if (u->iova + (u->size - 1) < u->iova) {
		/* vfio_dma_do_unmap(): a wrapping range is EOVERFLOW since 6.18 (check_add_overflow
		 * in "vfio/type1: sanitize for overflow"), EINVAL before. */
		fks_rule(h, "K-VFIO-MAP-DMA", "container", "the unmap range wraps: %s",
			 fks_kver_at_least(h, 6, 18) ? "EOVERFLOW" : "EINVAL");
		return fks_kver_at_least(h, 6, 18) ? -EOVERFLOW : -EINVAL;
	} else if (end < start) {
		end = UINT64_MAX; /* the range ends at the top of the IOVA space */
	}
	/* v2 may not bisect a mapping. */
	for (guint i = 0; c->iommu_type == VFIO_TYPE1v2_IOMMU && i < c->maps->len; i++) {
		const struct fks_mapping *x = &g_array_index(c->maps, struct fks_mapping, i);

		if ((x->iova < start && x->iova + x->size > start) ||
		    (x->iova < end && x->iova + x->size > end))
			return -EINVAL;
	}
	/*
	 * vfio_dma_do_unmap(): whole mappings from the first one the range meets; v1 stops at
	 * one that starts before the range (an unmap inside a mapping: success, 0 bytes) and
	 * takes a mapping that starts inside it whole, however far it goes past the end. Its
	 * pages are uncharged (vfio_unmap_unpin: vfio_lock_acct with -locked).
	 */
	for (guint i = 0; i < c->maps->len;) {
		const struct fks_mapping *x = &g_array_index(c->maps, struct fks_mapping, i);

		if (x->iova + x->size <= start) {
			i++;
			continue;
		}
		if (x->iova >= end || x->iova < start)
			break;
		done += x->size;
		c->pinned -= x->size;
		h->mm_locked -= x->size;
		g_array_remove_index(c->maps, i);
	}
	u->size = done;
	return 0;
}

/* vfio_info_cap_add(): 8-byte aligned capabilities since "vfio: align capability structures"
 * (a881b496941f, 6.6); 6.1 packs them (matrix-6.1-vfio.tsv vfio.iommu-info: argsz 116, 6.12: 120). */
static size_t cap_size(struct fks_host *h, size_t size)
{
	return fks_kver_at_least(h, 6, 6) ? (size + 7) & ~(size_t)7 : size;
}

/* Usable IOVA ranges: below the MSI window, and above it up to the aperture. */
static unsigned iova_ranges(struct fks_host *h, struct vfio_iova_range *ret)
{
	uint64_t top = h->aperture_bits < 64 ? (1ull << h->aperture_bits) - 1 : UINT64_MAX;
	unsigned n = 0;

	ret[n++] = (struct vfio_iova_range){ 0, top < MSI_START ? top : MSI_START - 1 };
	if (top > MSI_END)
		ret[n++] = (struct vfio_iova_range){ MSI_END + 1, top };
	return n;
}

/*
 * vfio_iommu_type1_get_info(): page sizes, then the capability chain in the kernel's order
 * (migration, DMA entries left, IOVA ranges); when argsz cannot hold it, only the size needed.
 */
static int iommu_info(struct fks_host *h, struct fks_container *c,
		      struct vfio_iommu_type1_info *info)
{
	struct vfio_iova_range ranges[2];
	unsigned nr = iova_ranges(h, ranges);
	size_t mig = cap_size(h, sizeof(struct vfio_iommu_type1_info_cap_migration));
	size_t avail = cap_size(h, sizeof(struct vfio_iommu_type1_info_dma_avail));
	size_t iova = cap_size(h, sizeof(struct vfio_iommu_type1_info_cap_iova_range) +
					  nr * sizeof(ranges[0]));
	uint8_t *p = (uint8_t *)(info + 1);

	if (info->argsz < MINSZ(struct vfio_iommu_type1_info, iova_pgsizes))
		return -EINVAL;
	info->flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info->iova_pgsizes = 0x40201000ull; /* 4K, 2M, 1G */
	if (info->argsz < sizeof(*info) + mig + avail + iova) {
		info->argsz = (uint32_t)(sizeof(*info) + mig + avail + iova);
		if (info->argsz >= MINSZ(struct vfio_iommu_type1_info, cap_offset))
			info->cap_offset = 0;
		return 0;
	}
	memset(p, 0, mig + avail + iova);
	*(struct vfio_iommu_type1_info_cap_migration *)p =
		(struct vfio_iommu_type1_info_cap_migration){
			.header = { VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION, 1,
				    (uint32_t)(sizeof(*info) + mig) },
			.pgsize_bitmap = IOVA_PAGE,
			.max_dirty_bitmap_size = 1ull << 28, /* INT_MAX pages, one bit each */
		};
	*(struct vfio_iommu_type1_info_dma_avail *)(p + mig) =
		(struct vfio_iommu_type1_info_dma_avail){
			.header = { VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 1,
				    (uint32_t)(sizeof(*info) + mig + avail) },
			.avail = DMA_ENTRY_LIMIT - c->maps->len,
		};
	*(struct vfio_iommu_type1_info_cap_iova_range *)(p + mig + avail) =
		(struct vfio_iommu_type1_info_cap_iova_range){
			.header = { VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 1, 0 },
			.nr_iovas = nr,
		};
	memcpy(p + mig + avail + sizeof(struct vfio_iommu_type1_info_cap_iova_range), ranges,
	       nr * sizeof(ranges[0]));
	info->cap_offset = sizeof(*info);
	return 0;
}

static int container_ioctl(struct fks_host *h, struct fks_container *c, unsigned long req,
			   void *arg)
{
	unsigned long v = (unsigned long)(uintptr_t)arg;

	switch (req) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		/*
		 * type1's check_extension(): without a backend set the container asks the driver
		 * with no iommu, so UPDATE_VADDR and DMA_CC are 0 there (6.1.192 and 6.12 alike);
		 * DMA_CC needs every domain to enforce coherency (VT-d snoop control).
		 */
		return v == VFIO_TYPE1_IOMMU || v == VFIO_TYPE1v2_IOMMU || v == VFIO_UNMAP_ALL ||
		       (v == VFIO_UPDATE_VADDR && c->iommu_type) ||
		       (v == VFIO_DMA_CC_IOMMU && c->iommu_type && h->snoop_control);
	case VFIO_SET_IOMMU:
		if (c->groups->len == 0 || c->iommu_type) {
			fks_rule(h, "K-VFIO-CONTAINER", "container",
				 "no group attached, or an IOMMU already set: EINVAL");
			return -EINVAL;
		}
		if (v != VFIO_TYPE1_IOMMU && v != VFIO_TYPE1v2_IOMMU)
			return -ENODEV;
		if (!h->intremap) {
			fks_rule(h, "K-VFIO-INTREMAP", "container",
				 "No interrupt remapping support: EPERM");
			return -EPERM;
		}
		c->iommu_type = (int)v;
		return 0;
	}
	if (!c->iommu_type)
		return -EINVAL; /* no backend yet: the request cannot be forwarded */
	switch (req) {
	case VFIO_IOMMU_GET_INFO:
		return iommu_info(h, c, arg);
	case VFIO_IOMMU_MAP_DMA:
		return map_dma(h, c, arg);
	case VFIO_IOMMU_UNMAP_DMA:
		return unmap_dma(h, c, arg);
	default:
		return -ENOTTY;
	}
}

/* ---- group ---- */

static struct fks_dev *group_device(struct fks_group *g, const char *name)
{
	char addr[16];
	const char *sp = strchr(name, ' ');
	g_autofree char *bdf = sp ? g_strndup(name, (gsize)(sp - name)) : g_strdup(name);

	/* vfio-pci's match: "<BDF>", then only options after a space (vfio_pci_core_match:
	 * anything but a space after the name is no match; the options are checked later). */
	if (fks_parse_address(bdf, addr) < 0)
		return NULL;
	for (guint i = 0; i < g->members->len; i++) {
		struct fks_dev *d = g->members->pdata[i];

		if (strcmp(d->addr, bdf) == 0 && d->driver && d->driver->info->vfio)
			return d;
	}
	return NULL;
}

static int group_token(struct fks_host *h, struct fks_dev *d, const char *name)
{
	const char *token;

	/* vfio_pci_core_match(): an unknown option or a malformed UUID is EINVAL (observed on
	 * the own 6.12: vfio.vf-open-token-not-uuid, vfio.vf-open-token-short). */
	if (fks_vf_token_parse(name, &token) < 0)
		return -EINVAL;
	return fks_vf_token_check(h, d, token);
}

/* GET_DEVICE_FD on a group attached to an iommufd: the device binds to it and attaches to
 * the compat IOAS (vfio_df_group_open, vfio_iommufd_compat_attach_ioas). */
static int group_iommufd_device(struct fks_host *h, struct fks_group *g, const char *name)
{
	struct fks_dev *d = name ? group_device(g, name) : NULL;
	struct fks_iobj *o;
	uint32_t pt;
	int r;

	if (!d)
		return -ENODEV;
	r = group_token(h, d, name);
	if (r < 0)
		return r;
	if (!d->idev) {
		r = fks_iommufd_bind(h, g->ictx, d, &o);
		if (r < 0)
			return r;
		pt = g->ictx->vfio_ioas ? g->ictx->vfio_ioas->id : 0;
		r = fks_iommufd_attach(h, o, &pt);
		if (r < 0) {
			fks_iommufd_unbind(h, o);
			return r;
		}
	}
	if (d->open_count++ == 0)
		d->reset_works = fks_reset_works(d);
	g->device_fds++;
	return add_file(h, FKS_FILE_DEVICE, d);
}

static int group_ioctl(struct fks_host *h, struct fks_group *g, unsigned long req, void *arg)
{
	g_autofree char *subject = g_strdup_printf("group %d", g->id);
	int r;

	switch (req) {
	case VFIO_GROUP_GET_STATUS: {
		struct vfio_group_status *st = arg;

		if (st->argsz < MINSZ(struct vfio_group_status, flags))
			return -EINVAL;
		st->flags = g->container || g->ictx ?
				    VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET :
			    group_viable(h, g) ? VFIO_GROUP_FLAGS_VIABLE :
						 0;
		fks_rule(h, "K-VFIO-GROUP-STATUS", subject, "status flags 0x%x (owner count %u)",
			 st->flags, g->owner_cnt);
		return 0;
	}
	case VFIO_GROUP_SET_CONTAINER: {
		struct fks_file *f = arg ? get_file(h, *(int *)arg) : NULL;
		struct fks_container *c;

		if (!f)
			return -EBADF;
		/* Not a container or an iommufd: 6.1 answers EINVAL; since 6.2 (group.c, iommufd)
		 * such an fd is "not recognized": EBADFD. */
		if (g->container || g->ictx)
			return -EINVAL;
		if (f->kind == FKS_FILE_IOMMUFD) {
			uint32_t id;

			/* group.c: an iommufd gets its compat IOAS; ownership waits for the
			 * device's bind. */
			g->ictx = f->obj;
			g->ictx->groups++;
			return fks_iommufd_compat_ioas(h, g->ictx, &id);
		}
		if (f->kind != FKS_FILE_CONTAINER)
			return fks_kver_at_least(h, 6, 2) ? -EBADFD : -EINVAL;
		c = f->obj;
		if (!group_viable(h, g)) {
			fks_rule(h, "K-VFIO-SET-CONTAINER", subject,
				 "a member is bound to a kernel-DMA driver: EPERM");
			return -EPERM;
		}
		if (c->iommu_type && !h->intremap)
			return -EPERM;
		g->owner = c;
		g->owner_cnt++;
		g->container = c;
		g_ptr_array_add(c->groups, g);
		fks_rule(h, "K-VFIO-SET-CONTAINER", subject, "claimed for user space");
		return 0;
	}
	case VFIO_GROUP_UNSET_CONTAINER:
		/* vfio_group_ioctl_unset_container(): a container with open devices is busy; an
		 * iommufd is let go at once, its devices staying bound (and GET_DEVICE_FD then
		 * EINVAL: the group has no IOMMU). */
		if (!g->container && !g->ictx)
			return -EINVAL;
		if (g->container && g->device_fds)
			return -EBUSY;
		detach_group(h, g);
		if (g->ictx) {
			fks_iommufd_group_release(h, g->ictx);
			g->ictx = NULL;
		}
		return 0;
	case VFIO_GROUP_GET_DEVICE_FD: {
		struct fks_dev *d;

		if (g->ictx)
			return group_iommufd_device(h, g, arg);
		if (!g->container || !g->container->iommu_type) {
			fks_rule(h, "K-VFIO-DEVICE", subject,
				 "no container or no IOMMU set: EINVAL");
			return -EINVAL;
		}
		d = arg ? group_device(g, arg) : NULL;
		if (!d) {
			fks_rule(h, "K-VFIO-DEVICE", subject,
				 "no such device in the group: ENODEV");
			return -ENODEV;
		}
		r = group_token(h, d, arg);
		if (r < 0)
			return r;
		if (d->open_count++ == 0)
			d->reset_works = fks_reset_works(d);
		g->device_fds++;
		return add_file(h, FKS_FILE_DEVICE, d);
	}
	default:
		return -ENOTTY;
	}
}

int fks_vfio_ioctl(struct fks_host *h, int handle, unsigned long req, void *arg)
{
	struct fks_file *f = get_file(h, handle);

	if (!f)
		return -EBADF;
	if (!arg && req != VFIO_GET_API_VERSION && req != VFIO_CHECK_EXTENSION &&
	    req != VFIO_SET_IOMMU && req != VFIO_GROUP_UNSET_CONTAINER && req != VFIO_DEVICE_RESET)
		return -EFAULT;
	switch (f->kind) {
	case FKS_FILE_CONTAINER:
		return container_ioctl(h, f->obj, req, arg);
	case FKS_FILE_GROUP:
		return group_ioctl(h, f->obj, req, arg);
	case FKS_FILE_IOMMUFD:
		return fks_iommufd_ioctl(h, f->obj, req, arg);
	case FKS_FILE_CDEV:
		return fks_cdev_ioctl(h, f->obj, &f->bound, req, arg);
	default:
		return fks_vfio_device_ioctl(h, f->obj, req, arg);
	}
}

static void group_release(struct fks_host *h, struct fks_group *g)
{
	detach_group(h, g);
	if (g->ictx) {
		fks_iommufd_group_release(h, g->ictx);
		g->ictx = NULL;
	}
	g->open = false;
	g->fd_closed = false;
}

int fks_vfio_close(struct fks_host *h, int handle)
{
	struct fks_file *f = get_file(h, handle);

	if (!f)
		return -EBADF;
	h->files->pdata[handle - FKS_HANDLE_BASE] = NULL;
	switch (f->kind) {
	case FKS_FILE_CONTAINER: {
		struct fks_container *c = f->obj;

		c->open = false;
		container_maybe_free(c);
		break;
	}
	case FKS_FILE_GROUP: {
		struct fks_group *g = f->obj;

		/* Device files hold the group: it is released with the last of them. */
		if (g->device_fds)
			g->fd_closed = true;
		else
			group_release(h, g);
		break;
	}
	case FKS_FILE_IOMMUFD:
		fks_iommufd_close(h, f->obj);
		break;
	case FKS_FILE_CDEV:
		fks_cdev_close(h, f->obj, f->bound);
		break;
	default: {
		struct fks_dev *d = f->obj;
		struct fks_group *g = d->group;

		if (--d->open_count == 0 && d->idev)
			fks_iommufd_unbind(h, d->idev);
		if (g && --g->device_fds == 0 && g->fd_closed)
			group_release(h, g);
		break;
	}
	}
	g_free(f);
	return 0;
}

/* ---- the group's class device ---- */

/* vfio_group_alloc(): the lowest minor no registered group holds. */
static int free_minor(const struct fks_host *h)
{
	for (int m = 0;; m++) {
		bool used = false;

		for (guint i = 0; i < h->groups->len && !used; i++)
			used = ((const struct fks_group *)h->groups->pdata[i])->vfio_minor == m;
		if (!used)
			return m;
	}
}

int fks_cdev_iommufd_file(struct fks_host *h, int handle, struct fks_ictx **ret)
{
	struct fks_file *f = get_file(h, handle);

	if (!f)
		return -EBADF;
	if (f->kind != FKS_FILE_IOMMUFD)
		return -EBADFD;
	*ret = f->obj;
	return 0;
}

_public_ int fks_host_region_mapped(struct fks_host *h, int handle, uint64_t va, uint64_t len)
{
	struct fks_file *f = get_file(h, handle);

	if (!f || (f->kind != FKS_FILE_DEVICE && f->kind != FKS_FILE_CDEV))
		return -EBADF;
	if (!len || va + (len - 1) < va)
		return -EINVAL;
	if (h->n_pfnmaps == FKS_PFNMAPS_MAX)
		return -ENOSPC;
	h->pfnmaps[h->n_pfnmaps++] = (struct fks_iova_range){ va, va + len - 1 };
	return 0;
}

_public_ void fks_host_region_unmapped(struct fks_host *h, uint64_t va, uint64_t len)
{
	for (unsigned i = 0; i < h->n_pfnmaps;) {
		if (h->pfnmaps[i].start >= va && h->pfnmaps[i].last <= va + (len - 1))
			h->pfnmaps[i] = h->pfnmaps[--h->n_pfnmaps];
		else
			i++;
	}
}

void fks_vfio_group_sync(struct fks_host *h, struct fks_group *g)
{
	bool want = fks_group_has_vfio(g);

	for (guint i = 0; i < g->members->len; i++)
		fks_cdev_sync_index(h, g->members->pdata[i]);

	if (want == (g->vfio_minor >= 0))
		return;
	if (want) {
		g->vfio_minor = free_minor(h);
	} else {
		g->vfio_minor = -1;
		g_clear_pointer(&g->vfio_rec, fks_rec_free);
	}
	/* The view follows from what the driver core noted (fks_host_rebound). */
}

static const char *env_value(const struct fks_rec *r, const char *key)
{
	size_t n = strlen(key);

	for (guint i = 0; i < r->env->len; i++) {
		const char *e = r->env->pdata[i];

		if (strncmp(e, key, n) == 0 && e[n] == '=')
			return e + n + 1;
	}
	return NULL;
}

bool fks_vfio_adopt_rec(struct fks_host *h, struct fks_rec *rec)
{
	const char *sub = env_value(rec, "SUBSYSTEM"), *maj = env_value(rec, "MAJOR"),
		   *min = env_value(rec, "MINOR");
	struct fks_group *g;
	unsigned long id;
	char *end;

	if (!g_str_has_prefix(rec->devpath, "devices/virtual/vfio/") || !sub ||
	    strcmp(sub, "vfio") != 0)
		return false;
	id = strtoul(rec->devpath + strlen("devices/virtual/vfio/"), &end, 10);
	if (*end || end == rec->devpath + strlen("devices/virtual/vfio/"))
		return false;
	if (maj)
		h->vfio_major = (unsigned)strtoul(maj, NULL, 10);
	/* A node without a VFIO member would be a stale recording: the model drops it. */
	g = fks_group_find(h, (int)id);
	if (g && fks_group_has_vfio(g) && g->vfio_minor < 0) {
		g->vfio_minor = min ? (int)strtoul(min, NULL, 10) : -1;
		fks_entry_free(fks_rec_take(rec, "dev"));
		g_ptr_array_set_size(rec->env, 0);
		g->vfio_rec = rec;
		return true;
	}
	fks_rec_free(rec);
	return true;
}
