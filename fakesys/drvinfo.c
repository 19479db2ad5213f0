/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The table of what the kernel's drivers declare (DMA, VFIO, SR-IOV, id tables, migration). */

#include <string.h>

#include "internal.h"

/*
 * The id tables of vfio-pci's variant drivers (drivers/vfio/pci/<vendor>/): every entry is
 * PCI_DRIVER_OVERRIDE_DEVICE_VFIO, so pci_match_device() takes it only when driver_override names
 * the driver, and file2alias writes it as a "vfio_pci:" alias libvirt reads. The PF driver is
 * the one whose data the probe fetches with pci_iov_get_pf_drvdata() before it installs its
 * migration ops: mlx5vf_cmd_set_migratable (mlx5_vf_get_core_dev: mlx5_core),
 * hisi_acc_get_pf_qm (hisi_sec2, hisi_hpre, hisi_zip by VF id), pds_vfio_init_device
 * (pdsc_get_pf_struct: pds_core), virtiovf_set_migratable (virtio_pci_admin_has_dev_parts:
 * virtio-pci), qat_vfmig_create (the 4xxx PF). nvgrace-gpu has no migration ops.
 */
static const struct fks_variant_id mlx5_ids[] = { { 0x15b3, 0x101e, "mlx5_core" }, { 0 } };
static const struct fks_variant_id hisi_acc_ids[] = {
	{ 0x19e5, 0xa256, "hisi_sec2" }, /* PCI_DEVICE_ID_HUAWEI_SEC_VF */
	{ 0x19e5, 0xa259, "hisi_hpre" }, /* PCI_DEVICE_ID_HUAWEI_HPRE_VF */
	{ 0x19e5, 0xa251, "hisi_zip" }, /* PCI_DEVICE_ID_HUAWEI_ZIP_VF */
	{ 0 },
};
static const struct fks_variant_id pds_ids[] = { { 0x1dd8, 0x1003, "pds_core" }, { 0 } };
static const struct fks_variant_id virtio_ids[] = {
	{ 0x1af4, 0x1041, "virtio-pci" }, /* virtio-net */
	{ 0x1af4, 0x1042, "virtio-pci" }, /* virtio-blk, added later */
	{ 0 },
};
static const struct fks_variant_id qat_ids[] = {
	{ 0x8086, 0x4941, "4xxx" },
	{ 0x8086, 0x4943, "4xxx" },
	{ 0x8086, 0x4945, "4xxx" },
	{ 0 },
};
static const struct fks_variant_id nvgrace_ids[] = {
	{ 0x10de, 0x2342, NULL }, /* GH200 120GB */
	{ 0x10de, 0x2345, NULL }, /* GH200 480GB */
	{ 0x10de, 0x2348, NULL }, /* GH200 SKU (6.13) */
	{ 0x10de, 0x2941, NULL }, /* GB200 */
	{ 0 },
};

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
	/* vfio-pci's variants: the VFIO_MIGRATION_* flags their init sets in migration_flags
	 * (STOP_COPY 1, P2P 2, PRE_COPY 4; mlx5 adds PRE_COPY where the firmware has it); ids from
	 * their PCI_DRIVER_OVERRIDE_DEVICE_VFIO tables. */
	{ .name = "mlx5_vfio_pci",
	  .dma_managed = true,
	  .vfio = true,
	  .migration = 0x7,
	  .variant_ids = mlx5_ids },
	{ .name = "hisi_acc_vfio_pci",
	  .dma_managed = true,
	  .vfio = true,
	  .migration = 0x5, /* STOP_COPY | PRE_COPY: hisi_acc_vfio_pci_migrn_init_dev */
	  .variant_ids = hisi_acc_ids },
	{ .name = "pds_vfio_pci",
	  .dma_managed = true,
	  .vfio = true,
	  .migration = 0x3, /* STOP_COPY | P2P: pds_vfio_init_device */
	  .variant_ids = pds_ids },
	{ .name = "virtio_vfio_pci",
	  .dma_managed = true,
	  .vfio = true,
	  .migration = 0x3,
	  .variant_ids = virtio_ids },
	{ .name = "qat_vfio_pci",
	  .dma_managed = true,
	  .vfio = true,
	  .migration = 0x7, /* STOP_COPY | P2P | PRE_COPY: qat_vf_pci_init_dev */
	  .variant_ids = qat_ids },
	/* Its table is INTEL_PTL/WCL/BMG_IDS (drivers/vfio/pci/xe/main.c), not modelled: it
	 * matches through driver_override only and migrates nothing here. */
	{ .name = "xe-vfio-pci", .dma_managed = true, .vfio = true },
	{ .name = "nvgrace_gpu_vfio_pci",
	  .dma_managed = true,
	  .vfio = true,
	  .variant_ids = nvgrace_ids },
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

/*
 * The variant's migration for this device: its probe installs migration ops only for a VF of
 * an id in its table whose PF is bound to the PF driver it reaches (see the tables above);
 * otherwise vfio_ioctl_device_feature() finds no mig_ops and answers ENOTTY, as for plain
 * vfio-pci. A device capability the recording cannot show (MLX5_CAP_GEN migration, the QM
 * hardware version) is taken as present.
 */
uint64_t fks_drvinfo_migration(const struct fks_dev *dev)
{
	const struct fks_drvinfo *info = dev->driver ? dev->driver->info : NULL;

	if (!info || !info->migration || !info->variant_ids || !dev->pf || !dev->pf->driver)
		return 0;
	for (const struct fks_variant_id *id = info->variant_ids; id->vendor; id++)
		if (id->vendor == dev->cfg.vendor && id->device == dev->cfg.device &&
		    id->pf_driver && strcmp(id->pf_driver, dev->pf->driver->name) == 0)
			return info->migration;
	return 0;
}
