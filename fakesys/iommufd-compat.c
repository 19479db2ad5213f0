/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* iommufd's VFIO compat container: the type1 ioctls on an iommufd, with their own errnos. */

/*
 * The plan: request numbers below iommufd's own (0x80) on an iommufd file are the VFIO
 * container's (drivers/iommu/iommufd/vfio_compat.c, iommufd_vfio_ioctl). They work on the
 * compat IOAS that a group's VFIO_GROUP_SET_CONTAINER makes, and fail with ENODEV without one
 * (get_compat_ioas; type1: EINVAL). Maps and unmaps are the IOAS's (io_pagetable.c): while no
 * device is attached nothing is aligned or reserved, so unaligned maps, maps over the MSI
 * window or beyond the aperture succeed; an unmap that would cut a mapping is ENOENT, one that
 * finds nothing 0 bytes; type1 (v1) cuts mappings instead. VADDR updates are not offered.
 * With CONFIG_IOMMUFD_VFIO_CONTAINER this file is /dev/vfio/vfio itself.
 */

#include <errno.h>
#include <linux/vfio.h>
#include <stddef.h>
#include <string.h>

#include "internal.h"
#include "uapi-iommufd.h"

#define MINSZ(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

/* iommufd_vfio_map_dma(): iopt_map_user_pages() at the given IOVA; alignment and reserved
 * ranges are the IOAS's (iopt_check_iova), and no permission flag is required. */
static int compat_map(struct fks_host *h, struct fks_ictx *x, struct vfio_iommu_type1_dma_map *m)
{
	uint32_t known = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;

	if (m->argsz < MINSZ(struct vfio_iommu_type1_dma_map, size) || m->flags & ~known)
		return -EINVAL;
	if (!x->vfio_ioas) {
		fks_rule(h, "K-IOMMUFD-COMPAT", "container", "no compat IOAS (no group): ENODEV");
		return -ENODEV;
	}
	return fks_ioas_map_pages(h, x->vfio_ioas, m->iova, m->size, m->vaddr);
}

/*
 * iommufd_vfio_unmap_dma(): UNMAP_ALL wants iova and size 0; otherwise a type1 (v1) container
 * first cuts the mappings at both ends of the range (iopt_cut_iova), so a part of a mapping
 * is unmapped, where type1v2 refuses (ENOENT), and its pages are given back (the legacy type1
 * unmaps nothing there: 0 bytes, vfio.c).
 */
static int compat_unmap(struct fks_host *h, struct fks_ictx *x,
			struct vfio_iommu_type1_dma_unmap *u)
{
	struct fks_iobj *ioas = x->vfio_ioas;
	uint64_t done = 0;
	int r;

	if (u->argsz < MINSZ(struct vfio_iommu_type1_dma_unmap, size) ||
	    u->flags & ~(uint32_t)VFIO_DMA_UNMAP_FLAG_ALL)
		return -EINVAL;
	if (!ioas)
		return -ENODEV;
	if (u->flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		if (u->iova || u->size)
			return -EINVAL;
		r = fks_ioas_unmap_range(h, ioas, 0, UINT64_MAX, &done);
	} else if (!u->size) {
		return -EINVAL;
	} else if (u->iova + (u->size - 1) < u->iova) {
		return -EOVERFLOW;
	} else {
		if (ioas->no_large_pages) {
			fks_ioas_cut(h, ioas, u->iova + u->size - 1);
			if (u->iova)
				fks_ioas_cut(h, ioas, u->iova - 1);
		}
		r = fks_ioas_unmap_range(h, ioas, u->iova, u->iova + u->size - 1, &done);
		if (r == -ENOENT)
			fks_rule(h, "K-IOMMUFD-COMPAT", "container",
				 "the unmap would cut a mapping: ENOENT (type1v2: EINVAL)");
	}
	u->size = done;
	return r;
}

/* iommufd_vfio_set_iommu(): type1 (v1) may unmap inside a mapping, so large pages go
 * (iopt_disable_large_pages: refused once a domain holds mappings; the IOVA alignment becomes
 * a page, which the mappings must keep). */
static int compat_set_iommu(struct fks_host *h, struct fks_ictx *x, unsigned long type)
{
	struct fks_iobj *ioas = x->vfio_ioas;

	if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU)
		return -EINVAL;
	if (!ioas) {
		fks_rule(h, "K-IOMMUFD-COMPAT", "container",
			 "VFIO_SET_IOMMU without a group: ENODEV (type1: EINVAL)");
		return -ENODEV;
	}
	if (type == VFIO_TYPE1_IOMMU && !ioas->no_large_pages) {
		int r = ioas->domains && ioas->areas->len ? -EINVAL :
			ioas->domains			  ? 0 :
							    fks_ioas_check_alignment(ioas, 4096);

		if (r < 0)
			return r;
		ioas->no_large_pages = true;
	}
	x->iommu_type = (int)type;
	return 0;
}

/* Each capability takes 8-byte aligned room since "vfio: align capability structures" (6.6),
 * here as in vfio_info_cap_add(). */
static size_t compat_cap_room(struct fks_host *h, size_t size)
{
	return fks_kver_at_least(h, 6, 6) ? (size + 7) & ~(size_t)7 : size;
}

/*
 * iommufd_vfio_iommu_get_info(): page sizes (iommufd_get_pagesizes), then two capabilities,
 * DMA entries left (U32_MAX: iommufd has no such limit) and the IOVA ranges (the holes of the
 * IOAS's reserved ranges). Each is written where argsz leaves room for it, chained by "next";
 * argsz comes back as the room all need. Works without SET_IOMMU.
 */
static int compat_info(struct fks_host *h, struct fks_ictx *x, struct vfio_iommu_type1_info *arg)
{
	struct vfio_iommu_type1_info info = { 0 };
	struct vfio_iommu_type1_info_dma_avail dma = { { VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 1, 0 },
						       UINT32_MAX };
	struct vfio_iommu_type1_info_cap_iova_range iova = {
		{ VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 1, 0 }, 0, 0
	};
	struct fks_iova_range holes[2];
	size_t dma_at = sizeof(info), iova_at, iova_size, total;
	uint8_t *p = (uint8_t *)arg;

	memcpy(&info, arg, MINSZ(struct vfio_iommu_type1_info, iova_pgsizes));
	if (info.argsz < MINSZ(struct vfio_iommu_type1_info, iova_pgsizes))
		return -EINVAL;
	if (!x->vfio_ioas)
		return -ENODEV;
	iova.nr_iovas = fks_ioas_holes(h, x->vfio_ioas, holes);
	iova_size = sizeof(iova) + iova.nr_iovas * sizeof(struct vfio_iova_range);
	iova_at = dma_at + compat_cap_room(h, sizeof(dma));
	total = iova_at + compat_cap_room(h, iova_size);
	if (info.argsz >= dma_at + sizeof(dma))
		memcpy(p + dma_at, &dma, sizeof(dma));
	if (info.argsz >= iova_at) /* the chain: the first capability's next */
		memcpy(p + dma_at + offsetof(struct vfio_info_cap_header, next), &iova_at,
		       sizeof(uint32_t));
	/* iommufd_fill_cap_iova(): each range where it fits, the header once all do */
	for (unsigned i = 0; i < iova.nr_iovas; i++) {
		size_t at = iova_at + sizeof(iova) + i * sizeof(struct vfio_iova_range);
		struct vfio_iova_range r = { holes[i].start, holes[i].last };

		if (info.argsz >= at + sizeof(r))
			memcpy(p + at, &r, sizeof(r));
	}
	if (info.argsz >= iova_at + iova_size)
		memcpy(p + iova_at, &iova, sizeof(iova));
	info.flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info.iova_pgsizes = fks_ioas_pgsizes(x->vfio_ioas);
	info.cap_offset = info.argsz >= total ? sizeof(info) : 0;
	memcpy(arg, &info, info.argsz < sizeof(info) ? info.argsz : sizeof(info));
	arg->argsz = (uint32_t)total;
	return 0;
}

int fks_iommufd_compat_ioctl(struct fks_host *h, struct fks_ictx *x, unsigned long req, void *arg)
{
	unsigned long v = (unsigned long)(uintptr_t)arg;

	switch (req) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		if (v == VFIO_DMA_CC_IOMMU)
			return x->vfio_ioas ? 1 : -ENODEV;
		return v == VFIO_TYPE1_IOMMU || v == VFIO_TYPE1v2_IOMMU || v == VFIO_UNMAP_ALL;
	case VFIO_SET_IOMMU:
		return compat_set_iommu(h, x, v);
	case VFIO_IOMMU_GET_INFO:
		return arg ? compat_info(h, x, arg) : -EFAULT;
	case VFIO_IOMMU_MAP_DMA:
		return arg ? compat_map(h, x, arg) : -EFAULT;
	case VFIO_IOMMU_UNMAP_DMA:
		return arg ? compat_unmap(h, x, arg) : -EFAULT;
	default:
		return -ENOTTY;
	}
}
