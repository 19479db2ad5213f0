/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the VFIO open's two paths share: the session and its helpers (vfio.c, vfio-iommufd.c). */
#pragma once

#include <stdint.h>

#include "engine-internal.h"
#include "vfio.h"

/* Where the test DMA map goes: above the first MiB, as QEMU's low RAM would. */
#define PT_VFIO_MAP_IOVA 0x100000ull

/* The files one open holds, -1 when not open. */
struct vfio_session {
	struct pt_engine *e;
	int container, group, device, ictx;
	uint32_t ioas;
};

/* One ioctl, traced by name before the rules its handler fired. */
int pt_vfio_ioctl(struct vfio_session *s, int handle, unsigned long req, const char *name,
		  void *arg);
/* Device, region and IRQ info and the migration feature of s->device. */
int pt_vfio_query_info(struct vfio_session *s, const char *address, struct pt_vfio_info *info,
		       struct pt_outcome *out);
/* The outcome of a map: memlock-exceeded on ENOMEM, vfio-failed on another error, 0. */
int pt_vfio_map_result(struct pt_outcome *out, int r, uint64_t bytes, const char *memlock_rule,
		       const char *map_rule);

/* vfio-iommufd.c: the path the host offers for want (info->path, info->compat), or the
 * outcome vfio-failed (E-VFIO-PATH) when it has none: 0, 1, or -errno. */
int pt_vfio_choose_path(struct pt_engine *e, const char *address, enum pt_vfio_iommu want,
			struct pt_vfio_info *info, struct pt_outcome *out);
/* /dev/iommu, an IOAS, the cdev, bind, attach, then the device queries. */
int pt_vfio_iommufd_open(struct vfio_session *s, const struct pt_dev *dev,
			 struct pt_vfio_info *info, struct pt_outcome *out);
/* IOMMU_IOAS_MAP and UNMAP of bytes at PT_VFIO_MAP_IOVA. */
int pt_vfio_iommufd_map(struct vfio_session *s, uint64_t bytes, struct pt_vfio_info *info,
			struct pt_outcome *out);
