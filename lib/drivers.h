/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the engine knows about a PCI driver from its name: one table of traits. */
#pragma once

#include <stdbool.h>

struct pt_driver_traits {
	const char *name; /* the exact name, or "*part" for every name containing part */
	bool stub; /* a VM can be given a device through it (vfio-pci, its variants, pci-stub) */
	bool vfio; /* registers its devices with VFIO (creates /dev/vfio/N) */
	bool variant; /* a vfio-pci variant (vendor_vfio_pci): vendor features such as migration */
	bool dma_owning; /* uses the kernel's DMA API (no driver_managed_dma): 5.19+ blocks a group */
	bool legacy_allowed; /* before 5.19 VFIO accepted it in a viable group */
	bool migrates; /* implements VFIO migration v2 */
};

/* The traits of driver; a host driver's for any name the table does not know, and for NULL
 * (no driver) all false. Never NULL. */
const struct pt_driver_traits *pt_driver_traits(const char *driver);
/* A name the kernel could have given a driver: letters, digits, '_', '-', '.', at most 63
 * characters (never a '/'). */
bool pt_driver_name_valid(const char *driver);

/* True when driver is a stub a VM can be given a device through (vfio-pci, variants,
 * pci-stub). */
bool pt_driver_is_stub(const char *driver);
bool pt_driver_is_vfio(const char *driver);
/* A vfio-pci variant driver (mlx5_vfio_pci, ...), not vfio-pci itself. */
bool pt_driver_is_vfio_variant(const char *driver);
/* The driver implements VFIO migration (a variant driver of a migrating device). */
bool pt_driver_migrates(const char *driver);
