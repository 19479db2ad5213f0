/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The table of what the kernel's drivers declare (DMA, VFIO, SR-IOV, id tables, migration). */

#include <string.h>

#include "internal.h"

/*
 * What the kernel's drivers declare, for the drivers a passthrough host meets. Looked up by
 * exact name; a name containing "vfio_pci" is a vfio-pci variant driver. Anything else is an
 * ordinary kernel-DMA driver without SR-IOV configuration.
 */
static const struct fks_drvinfo drvinfo[] = {
	{ .name = "vfio-pci",
	  .dma_managed = true,
	  .vfio = true,
	  .sriov_configure = true,
	  .sriov_needs_param = true,
	  .disables_vfs_on_remove = true,
	  .override_only_any = true },
	{ .name = "pci-stub", .dma_managed = true, .stub = true },
	{ .name = "pcieport",
	  .dma_managed = true,
	  .match_class = 0x060400,
	  .match_class_mask = 0xffff00 },
	/* Drivers whose table matches a class: a device of that class is theirs even when
	 * nothing was bound to them when the host was recorded (drivers/nvme/host/pci.c
	 * PCI_CLASS_STORAGE_EXPRESS; drivers/ata/ahci.c PCI_CLASS_STORAGE_SATA_AHCI;
	 * drivers/usb/host/{xhci,ehci,ohci}-pci.c and uhci-pci.c the USB programming interfaces). */
	{ .name = "nvme",
	  .sriov_configure = true,
	  .match_class = 0x010802,
	  .match_class_mask = 0xffffff },
	{ .name = "ahci", .match_class = 0x010601, .match_class_mask = 0xffffff },
	{ .name = "xhci_hcd", .match_class = 0x0c0330, .match_class_mask = 0xffffff },
	{ .name = "ehci-pci", .match_class = 0x0c0320, .match_class_mask = 0xffffff },
	{ .name = "ohci-pci", .match_class = 0x0c0310, .match_class_mask = 0xffffff },
	{ .name = "uhci_hcd", .match_class = 0x0c0300, .match_class_mask = 0xffffff },
	{ .name = "igb", .sriov_configure = true, .disables_vfs_on_remove = true },
	{ .name = "ixgbe", .sriov_configure = true, .disables_vfs_on_remove = true },
	{ .name = "i40e", .sriov_configure = true, .disables_vfs_on_remove = true },
	{ .name = "ice", .sriov_configure = true, .disables_vfs_on_remove = true },
	{ .name = "mlx5_core",
	  .sriov_configure = true,
	  .disables_vfs_on_remove = true,
	  .sriov_set_msix = true },
	{ .name = "bnxt_en", .sriov_configure = true, .disables_vfs_on_remove = true },
	{ .name = "qede", .sriov_configure = true, .disables_vfs_on_remove = true },
	{ .name = "pci-pf-stub", .sriov_configure = true },
	{ .name = "mlx5_vfio_pci", .dma_managed = true, .vfio = true, .migration = 0x7 },
	{ .name = "hisi_acc_vfio_pci", .dma_managed = true, .vfio = true, .migration = 0x3 },
	{ .name = "pds_vfio_pci", .dma_managed = true, .vfio = true, .migration = 0x7 },
	{ .name = "virtio_vfio_pci", .dma_managed = true, .vfio = true, .migration = 0x3 },
	{ .name = "qat_vfio_pci", .dma_managed = true, .vfio = true, .migration = 0x7 },
	{ .name = "xe_vfio_pci", .dma_managed = true, .vfio = true, .migration = 0x3 },
	{ .name = "nvgrace_gpu_vfio_pci", .dma_managed = true, .vfio = true },
};

static const struct fks_drvinfo variant_info = { .name = "*vfio_pci*",
						 .dma_managed = true,
						 .vfio = true };
static const struct fks_drvinfo plain_info = { .name = "*" };

const struct fks_drvinfo *fks_drvinfo_lookup(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(drvinfo); i++)
		if (strcmp(drvinfo[i].name, name) == 0)
			return &drvinfo[i];
	return strstr(name, "vfio_pci") ? &variant_info : &plain_info;
}
