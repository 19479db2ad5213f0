/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening a device through VFIO as QEMU does (and resetting it through VFIO). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "kver.h"

#include "engine.h"
#include "reset.h"

#define PT_VFIO_MAX_REGIONS 16
#define PT_VFIO_MAX_IRQS 8

struct pt_vfio_region {
	uint32_t index;
	uint32_t flags; /* VFIO_REGION_INFO_FLAG_* */
	uint64_t size;
	int result; /* 0, or the negative errno GET_REGION_INFO gave (e.g. no VGA region) */
};

struct pt_vfio_irq {
	uint32_t index;
	uint32_t flags; /* VFIO_IRQ_INFO_* */
	uint32_t count;
	int result;
};

/* Which VFIO access path: the legacy container and group (type1, or iommufd's compat container
 * behind /dev/vfio/vfio), or iommufd with the device's cdev. */
enum pt_vfio_iommu {
	PT_VFIO_IOMMU_AUTO, /* as QEMU chooses: the container when the host has one, else iommufd */
	PT_VFIO_IOMMU_LEGACY,
	PT_VFIO_IOMMU_IOMMUFD,
	_PT_VFIO_IOMMU_MAX,
};
const char *pt_vfio_iommu_to_string(enum pt_vfio_iommu i);
/* -EINVAL for an unknown name. */
int pt_vfio_iommu_from_string(const char *s, enum pt_vfio_iommu *ret);

/* Which paths a host offers: 1 yes, 0 no, -1 unknown (the capture cannot tell). */
struct pt_vfio_paths {
	int container; /* /dev/vfio/vfio: VFIO's type1 container, or iommufd's compat one */
	int iommufd; /* /dev/iommu (CONFIG_IOMMUFD, 6.2) */
	int cdev; /* /dev/vfio/devices/vfioN (CONFIG_VFIO_DEVICE_CDEV, 6.6) */
	int compat; /* /dev/vfio/vfio is iommufd's (CONFIG_IOMMUFD_VFIO_CONTAINER) */
};
/* What the host shows of its VFIO paths (device nodes, misc devices, modules). */
int pt_vfio_paths_probe(struct pt_backend *be, const struct pt_kver *kv, struct pt_vfio_paths *ret);
/* The device's VFIO cdev name ("vfio3", from its vfio-dev/ directory) in buf; -ENOENT when it
 * has none (not on a VFIO driver, or a kernel before 6.1). */
int pt_vfio_dev_cdev(struct pt_backend *be, const char *syspath, char *buf, size_t size);

struct pt_vfio_info {
	enum pt_vfio_iommu path; /* the path taken: LEGACY or IOMMUFD */
	bool compat; /* the container was iommufd's */
	char cdev[16]; /* "vfio3" on the iommufd path */
	uint32_t devid, ioas, hwpt; /* iommufd object IDs on the iommufd path */
	int api_version;
	bool type1v2;
	uint32_t group_flags;
	uint32_t device_flags; /* VFIO_DEVICE_FLAGS_* */
	uint32_t num_regions, num_irqs;
	struct pt_vfio_region regions[PT_VFIO_MAX_REGIONS];
	struct pt_vfio_irq irqs[PT_VFIO_MAX_IRQS];
	uint64_t mapped; /* bytes DMA-mapped and unmapped again */
	bool migration; /* the device reports VFIO migration */
	bool reset; /* VFIO_DEVICE_RESET was done */
	/* VFIO_CHECK_EXTENSION(VFIO_DMA_CC_IOMMU) once the IOMMU is set: 1 every domain of the
	 * container enforces cache coherency, 0 not, -1 not asked (the open stopped before). */
	int dma_cc;
};

struct pt_vfio_options {
	uint64_t map_bytes; /* guest memory to DMA-map (0: none) */
	bool reset; /* also VFIO_DEVICE_RESET */
	enum pt_vfio_iommu iommu; /* the path (AUTO when zero) */
};

/*
 * Through the path opts->iommu names (refused before anything is opened when the host lacks
 * it: vfio-failed, E-VFIO-PATH). Legacy: container, group, device, as QEMU opens them: API version and type1 extension, group
 * status (a group that is not viable is refused with its blockers), SET_CONTAINER,
 * SET_IOMMU, GET_DEVICE_FD, device/region/IRQ info, an optional DMA map of map_bytes
 * (ENOMEM past RLIMIT_MEMLOCK: memlock-exceeded) and reset. iommufd, as QEMU's iommufd
 * backend: /dev/iommu, IOMMU_IOAS_ALLOC, the device's cdev, VFIO_DEVICE_BIND_IOMMUFD,
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT, the same device queries, IOMMU_IOAS_MAP/UNMAP, reset.
 * Everything is closed again.
 * Returns 0 (outcome OK), 1 (refusal or failure in the outcome), or a negative errno.
 */
int pt_vfio_open(struct pt_engine *e, const char *address, const struct pt_vfio_options *opts,
		 struct pt_vfio_info *ret_info, struct pt_outcome *out);
