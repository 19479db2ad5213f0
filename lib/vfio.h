/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening a device through VFIO as QEMU does (and resetting it through VFIO). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

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

struct pt_vfio_info {
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
};

/*
 * Container, group, device, as QEMU opens them: API version and type1 extension, group
 * status (a group that is not viable is refused with its blockers), SET_CONTAINER,
 * SET_IOMMU, GET_DEVICE_FD, device/region/IRQ info, an optional DMA map of map_bytes
 * (ENOMEM past RLIMIT_MEMLOCK: memlock-exceeded) and reset. Everything is closed again.
 * Returns 0 (outcome OK), 1 (refusal or failure in the outcome), or a negative errno.
 */
int pt_vfio_open(struct pt_engine *e, const char *address, const struct pt_vfio_options *opts,
		 struct pt_vfio_info *ret_info, struct pt_outcome *out);
