/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* iommufd's VFIO compat container: the type1 ioctls on an iommufd, with their own errnos. */

/*
 * The plan: request numbers below iommufd's own (0x80) on an iommufd file are the VFIO
 * container's (drivers/iommu/iommufd/vfio_compat.c). They work on the compat IOAS that a
 * group's VFIO_GROUP_SET_CONTAINER makes, and fail with ENODEV without one (type1: EINVAL);
 * an unmap that finds no whole mapping is ENOENT (type1 unmaps 0 bytes); VADDR updates are
 * not offered. With CONFIG_IOMMUFD_VFIO_CONTAINER this file is /dev/vfio/vfio itself.
 */

#include <errno.h>
#include <linux/vfio.h>
#include <stddef.h>

#include "internal.h"
#include "uapi-iommufd.h"

#define MINSZ(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))
#define PAGE 4096ull

static int compat_map(struct fks_host *h, struct fks_ictx *x, struct vfio_iommu_type1_dma_map *m)
{
	uint32_t known = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;

	if (m->argsz < MINSZ(struct vfio_iommu_type1_dma_map, size) || m->flags & ~known)
		return -EINVAL;
	if (!x->vfio_ioas) {
		fks_rule(h, "K-IOMMUFD-COMPAT", "container", "no compat IOAS (no group): ENODEV");
		return -ENODEV;
	}
	if ((m->vaddr | m->iova | m->size) & (PAGE - 1))
		return -EINVAL;
	return fks_ioas_map_pages(h, x->vfio_ioas, m->iova, m->size);
}

static int compat_unmap(struct fks_host *h, struct fks_ictx *x,
			struct vfio_iommu_type1_dma_unmap *u)
{
	uint64_t done = 0;
	int r;

	if (u->argsz < MINSZ(struct vfio_iommu_type1_dma_unmap, size) ||
	    u->flags & ~(uint32_t)VFIO_DMA_UNMAP_FLAG_ALL)
		return -EINVAL;
	if (!x->vfio_ioas)
		return -ENODEV;
	if (u->flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		if (u->iova || u->size)
			return -EINVAL;
		r = fks_ioas_unmap_range(h, x->vfio_ioas, 0, UINT64_MAX, &done);
		r = r == -ENOENT ? 0 : r;
	} else if (!u->size) {
		return -EINVAL;
	} else if (u->iova + (u->size - 1) < u->iova) {
		return -EOVERFLOW;
	} else {
		r = fks_ioas_unmap_range(h, x->vfio_ioas, u->iova, u->iova + u->size - 1, &done);
		if (r == -ENOENT)
			fks_rule(h, "K-IOMMUFD-COMPAT", "container",
				 "an unmap that finds no whole mapping: ENOENT (type1: 0 bytes)");
	}
	u->size = done;
	return r;
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
		if (v != VFIO_TYPE1_IOMMU && v != VFIO_TYPE1v2_IOMMU)
			return -EINVAL;
		if (!x->vfio_ioas) {
			fks_rule(h, "K-IOMMUFD-COMPAT", "container",
				 "VFIO_SET_IOMMU without a group: ENODEV (type1: EINVAL)");
			return -ENODEV;
		}
		x->iommu_type = (int)v;
		return 0;
	case VFIO_IOMMU_GET_INFO: {
		struct vfio_iommu_type1_info *info = arg;

		if (!arg || info->argsz < MINSZ(struct vfio_iommu_type1_info, iova_pgsizes))
			return -EINVAL;
		if (!x->vfio_ioas)
			return -ENODEV;
		info->flags = VFIO_IOMMU_INFO_PGSIZES;
		info->iova_pgsizes = 0x40201000ull;
		return 0;
	}
	case VFIO_IOMMU_MAP_DMA:
		return arg ? compat_map(h, x, arg) : -EFAULT;
	case VFIO_IOMMU_UNMAP_DMA:
		return arg ? compat_unmap(h, x, arg) : -EFAULT;
	default:
		return -ENOTTY;
	}
}
