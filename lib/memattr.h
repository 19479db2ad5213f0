/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Memory attributes of an assignable device: DMA cache coherency (snoop control) and WC BARs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host.h"

/* A fact that may be unknown: the reason is then beside it. */
enum pt_tri {
	PT_TRI_UNKNOWN,
	PT_TRI_NO,
	PT_TRI_YES,
	_PT_TRI_MAX,
};
/* "unknown", "no", "yes". */
const char *pt_tri_to_string(enum pt_tri t);

enum pt_iommu_kind {
	PT_IOMMU_INTEL, /* class/iommu/dmarN with intel-iommu/cap and ecap */
	PT_IOMMU_AMD, /* class/iommu/ivhdN with amd-iommu/cap and features */
	PT_IOMMU_OTHER, /* any other (ARM SMMU, virtio-iommu, ...) */
	_PT_IOMMU_KIND_MAX,
};
const char *pt_iommu_kind_to_string(enum pt_iommu_kind k);

/* One IOMMU unit as sysfs shows it under class/iommu. */
struct pt_iommu_unit {
	char name[64]; /* "dmar0", "ivhd0" */
	enum pt_iommu_kind kind;
	bool cap_shown, ecap_shown; /* each register was read (AMD: cap and features) */
	uint64_t cap, ecap; /* Intel cap and ecap; AMD cap and features */
	/* Whether a VFIO domain on this unit blocks No Snoop (enforce_cache_coherency). */
	enum pt_tri snoop_control;
	const char *rule; /* the rule that decides snoop_control */
	char reason[200]; /* why, one line */
};

/* The IOMMU units the host shows (class/iommu), sorted by name. */
size_t pt_host_iommu_unit_count(const struct pt_host *host);
const struct pt_iommu_unit *pt_host_iommu_unit(const struct pt_host *host, size_t i);

#define PT_BAR_COUNT 6

/* One implemented BAR (a resource line with a size). */
struct pt_bar_attr {
	unsigned index; /* 0..5 */
	uint64_t size;
	bool io; /* an I/O port BAR */
	bool prefetchable, mem64;
	enum pt_tri sysfs_wc; /* the kernel offers resourceN_wc for it */
	const char *sysfs_wc_unknown; /* why sysfs_wc is unknown, else NULL */
	enum pt_tri vfio_wc; /* vfio-pci maps it write-combined on this kernel */
};

/* What a VM gets from one device: coherent DMA or not, and which BARs can be WC. */
struct pt_memattr {
	enum pt_tri coherent; /* the device's DMA snoops the CPU caches whatever it asks */
	const char *rule; /* the rule that decided */
	char reason[512];
	const struct pt_iommu_unit *unit; /* the unit serving it, NULL when not shown */
	enum pt_tri no_snoop; /* PCIe Device Control: Enable No Snoop, as it is now */
	size_t bar_count; /* implemented BARs, in bars[] */
	struct pt_bar_attr bars[PT_BAR_COUNT];
	const char *bars_unknown; /* why the BARs are unknown (no resource file), else NULL */
};

/*
 * Work out dev's memory attributes from what the host shows: the IOMMU unit its iommu link
 * names (or the only answer every unit gives), its DevCtl, its resource file and whether
 * resourceN_wc exists. Reads through the host's backend. Returns 0 and fills *ret, or -ENOMEM.
 */
int pt_dev_memattr(const struct pt_dev *dev, struct pt_memattr *ret);

/* Bits the decisions read, named as the kernel's headers name them. */
#define PT_VTD_ECAP_IR (1ull << 3) /* interrupt remapping */
#define PT_VTD_ECAP_SC (1ull << 7) /* snoop control */
