/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The table of driver traits: stub, VFIO, variant, DMA-owning, migration. */

#include <stddef.h>
#include <string.h>

#include "drivers.h"
#include "macro.h"

/*
 * Sources: vfio-pci, pci-stub and pcieport set driver_managed_dma (drivers/vfio/pci,
 * drivers/pci/pci-stub.c, drivers/pci/pcie/portdrv.c, 5.19); before 5.19 VFIO accepted its
 * own bus drivers and pci-stub in a viable group (vfio_driver_allowed[]); variant drivers of
 * vfio-pci are named "<vendor>_vfio_pci" (xe's "xe-vfio-pci") and the ones listed by name
 * implement migration v2 (drivers/vfio/pci/<vendor>/main.c), for their VFs only: whether a
 * given device migrates is its own (the model answers VFIO_DEVICE_FEATURE_MIGRATION per
 * device; lib/migrate.c asks for a VF). Exact names come first, patterns after them.
 */
static const struct pt_driver_traits table[] = {
	{ "vfio-pci", .stub = true, .vfio = true, .legacy_allowed = true },
	{ "pci-stub", .stub = true, .legacy_allowed = true },
	{ "pcieport" },
#define MIGRATING_VARIANT(n)                                                            \
	{                                                                               \
		n, .stub = true, .vfio = true, .variant = true, .legacy_allowed = true, \
		   .migrates = true                                                     \
	}
	MIGRATING_VARIANT("mlx5_vfio_pci"),
	MIGRATING_VARIANT("hisi_acc_vfio_pci"),
	MIGRATING_VARIANT("pds_vfio_pci"),
	MIGRATING_VARIANT("virtio_vfio_pci"),
	MIGRATING_VARIANT("qat_vfio_pci"),
	MIGRATING_VARIANT("xe-vfio-pci"), /* its pci_driver's name (drivers/vfio/pci/xe) */
#undef MIGRATING_VARIANT
	{ "*vfio_pci", .stub = true, .vfio = true, .variant = true, .legacy_allowed = true },
	{ "*vfio-pci", .stub = true, .vfio = true, .variant = true, .legacy_allowed = true },
};

static const struct pt_driver_traits host_driver = { .dma_owning = true };
static const struct pt_driver_traits no_driver = { 0 };

_public_ const struct pt_driver_traits *pt_driver_traits(const char *driver)
{
	if (!driver)
		return &no_driver;
	for (size_t i = 0; i < ELEMENTSOF(table); i++) {
		const char *n = table[i].name;

		if (n[0] == '*' ? strstr(driver, n + 1) != NULL : strcmp(driver, n) == 0)
			return &table[i];
	}
	return &host_driver;
}

_public_ bool pt_driver_name_valid(const char *driver)
{
	size_t n = driver ? strlen(driver) : 0;

	if (n == 0 || n > 63)
		return false;
	return strspn(driver,
		      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == n &&
	       strcmp(driver, ".") != 0 && strcmp(driver, "..") != 0;
}

_public_ bool pt_driver_is_stub(const char *driver)
{
	return pt_driver_traits(driver)->stub;
}

_public_ bool pt_driver_is_vfio(const char *driver)
{
	return pt_driver_traits(driver)->vfio;
}

_public_ bool pt_driver_is_vfio_variant(const char *driver)
{
	return pt_driver_traits(driver)->variant;
}

_public_ bool pt_driver_migrates(const char *driver)
{
	return pt_driver_traits(driver)->migrates;
}
