/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* matrix-tables.h: the generator's data: device states, writable attributes, value classes. */
#pragma once

enum kind { K_NUM, K_BOOL, K_STR, K_BDF, K_ID, K_METHOD, K_PM };

struct state {
	const char *name;
	const char *topology;
	const char *role;
	const char *drv;
	const char *setup;
};

#define EDU_VFIO "bus/pci/devices/{edu}/driver_override=vfio-pci;bus/pci/drivers_probe={edu}"
#define PF_VFS "bus/pci/devices/{pf}/sriov_drivers_autoprobe=0;bus/pci/devices/{pf}/sriov_numvfs=2"

/* Device states; the bit of each is its index. */
static const struct state states[] = {
	{ "unbound", "shared", "nvme", "nvme", "bus/pci/drivers/nvme/unbind={nvme}" },
	{ "host", "shared", "nvme", "nvme", "" },
	{ "nodriver", "shared", "testdev", "pci-stub", "" },
	{ "vfio", "shared", "edu", "vfio-pci", EDU_VFIO },
	{ "held", "shared", "edu", "vfio-pci", EDU_VFIO ";vfio:hold={g}/{edu}" },
	{ "removed", "shared", "edu", "vfio-pci", "bus/pci/devices/{edu}/remove=1" },
	{ "pf", "sriov", "pf", "nvme", "" },
	{ "pf-vfs", "sriov", "pf", "nvme", PF_VFS },
	{ "vf", "sriov", "vf0", "nvme", PF_VFS },
	{ "vf-vfio", "sriov", "vf0", "vfio-pci",
	  PF_VFS ";bus/pci/devices/{vf0}/driver_override=vfio-pci;bus/pci/drivers_probe={vf0}" },
	/* no IOMMU: vfio-pci's probe refuses the device; the nvme unbound, its override vfio-pci */
	{ "noiommu-vfio", "noiommu", "nvme", "vfio-pci",
	  "bus/pci/drivers/nvme/unbind={nvme};bus/pci/devices/{nvme}/driver_override=vfio-pci" },
	/* intel-iommu without interrupt remapping: groups exist and vfio-pci binds */
	{ "nointremap-vfio", "nointremap", "edu", "vfio-pci", EDU_VFIO },
};

#define S(n) (1u << (n))
#define S_UNBOUND S(0)
#define S_HOST S(1)
#define S_NODRV S(2)
#define S_VFIO S(3)
#define S_HELD S(4)
#define S_REMOVED S(5)
#define S_PF S(6)
#define S_PFVFS S(7)
#define S_VF S(8)
#define S_VFVFIO S(9)
#define S_NOIOMMU_VFIO S(10)
#define S_NOINTREMAP_VFIO S(11)
#define S_NOVIOMMU (S_NOIOMMU_VFIO | S_NOINTREMAP_VFIO) /* the two topologies' states */
#define S_DEVS (S_UNBOUND | S_HOST | S_NODRV | S_VFIO | S_HELD | S_PF | S_PFVFS | S_VF)
#define S_ONCE (S_HOST | S_PF) /* bus-wide files: once per topology */

struct attr {
	const char *name;
	const char *path;
	enum kind kind;
	const char *valid;
	int readable; /* the file is read back after the write */
	unsigned states;
	const char *cleanup; /* extra writes before the reset (errors ignored) */
};

#define DEV "bus/pci/devices/{dev}/"
#define RM_ID "bus/pci/drivers/{drv}/remove_id={id};bus/pci/drivers/{drv}/remove_id={id}"

static const struct attr attrs[] = {
	{ "driver_override", DEV "driver_override", K_STR, "vfio-pci", 1,
	  S_DEVS | S_REMOVED | S_VFVFIO | S_NOVIOMMU, "" },
	{ "bind", "bus/pci/drivers/{drv}/bind", K_BDF, "{dev}", 0, S_DEVS | S_REMOVED | S_NOVIOMMU,
	  "" },
	{ "unbind", "bus/pci/drivers/{drv}/unbind", K_BDF, "{dev}", 0,
	  S_DEVS | S_VFVFIO | S_NOVIOMMU, "" },
	{ "new_id", "bus/pci/drivers/vfio-pci/new_id", K_ID, "{id}", 0,
	  S_UNBOUND | S_HOST | S_NODRV | S_VF,
	  "bus/pci/drivers/vfio-pci/remove_id={value};bus/pci/drivers/vfio-pci/remove_id={id}" },
	{ "remove_id", "bus/pci/drivers/{drv}/remove_id", K_ID, "{id}", 0, S_HOST | S_VFIO, "" },
	{ "drivers_probe", "bus/pci/drivers_probe", K_BDF, "{dev}", 0,
	  S_UNBOUND | S_HOST | S_NODRV | S_HELD | S_VF | S_NOVIOMMU, "" },
	{ "drivers_autoprobe", "bus/pci/drivers_autoprobe", K_BOOL, "0", 1, S_HOST, "" },
	{ "sriov_numvfs", DEV "sriov_numvfs", K_NUM, "2", 1, S_HOST | S_PF | S_PFVFS | S_VF, "" },
	{ "sriov_drivers_autoprobe", DEV "sriov_drivers_autoprobe", K_BOOL, "0", 1, S_PF | S_PFVFS,
	  "" },
	{ "reset", DEV "reset", K_NUM, "1", 0, S_HOST | S_UNBOUND | S_HELD | S_PF | S_VF, "" },
	{ "reset_method", DEV "reset_method", K_METHOD, "flr", 1, S_HOST | S_VFIO | S_VF, "" },
	{ "enable", DEV "enable", K_NUM, "1", 1, S_UNBOUND | S_HOST | S_NODRV | S_VF, "" },
	{ "d3cold_allowed", DEV "d3cold_allowed", K_NUM, "0", 1, S_HOST | S_VFIO, "" },
	{ "power_control", DEV "power/control", K_PM, "auto", 1, S_HOST | S_NODRV, "" },
	{ "msi_bus", DEV "msi_bus", K_NUM, "0", 1, S_HOST | S_NODRV, "" },
	{ "broken_parity_status", DEV "broken_parity_status", K_NUM, "1", 1, S_HOST, "" },
	{ "remove", DEV "remove", K_NUM, "1", 0, S_NODRV | S_HELD | S_VF, "" },
	{ "dev_rescan", DEV "rescan", K_NUM, "1", 0, S_NODRV, "" },
	{ "bus_rescan", "bus/pci/rescan", K_NUM, "1", 0, S_HOST, "" },
	{ "iommu_group_type", "kernel/iommu_groups/{g}/type", K_STR, "identity", 1,
	  S_UNBOUND | S_HOST | S_NODRV, "" },
	{ "vfio_pci_nointxmask", "module/vfio_pci/parameters/nointxmask", K_BOOL, "1", 1, S_ONCE,
	  "" },
	{ "vfio_pci_disable_idle_d3", "module/vfio_pci/parameters/disable_idle_d3", K_BOOL, "1", 1,
	  S_ONCE, "" },
	{ "vfio_pci_enable_sriov", "module/vfio_pci/parameters/enable_sriov", K_BOOL, "1", 1, S_PF,
	  "" },
};

struct vclass {
	const char *name;
	unsigned kinds; /* bit per enum kind */
	const char *pre, *post; /* around the valid value; NULL: fixed value in pre */
};

#define K(k) (1u << (k))
#define K_ALL 0x7fu
#define K_NUMS (K(K_NUM) | K(K_BOOL))
#define K_STRS (K(K_STR) | K(K_BDF) | K(K_ID) | K(K_METHOD) | K(K_PM))

/* Value classes, in row order. "4k" and "nul" are built in make_value(). */
static const struct vclass classes[] = {
	{ "valid", K_ALL, "", "" },
	{ "empty", K_ALL, "", NULL },
	{ "newline", K_ALL, "\\n", NULL },
	{ "trailing-newline", K_ALL, "", "\\n" },
	{ "leading-space", K_ALL, " ", "" },
	{ "trailing-space", K_ALL, "", " " },
	{ "plus", K_NUMS, "+", "" },
	{ "minus", K_NUMS, "-", "" },
	{ "hex", K_NUMS | K(K_ID), "0x", "" },
	{ "octal", K_NUMS, "0", "" },
	{ "u32-max", K(K_NUM), "4294967295", NULL },
	{ "u32-max+1", K(K_NUM), "4294967296", NULL },
	{ "u64-max", K(K_NUM), "18446744073709551615", NULL },
	{ "overflow", K(K_NUM) | K(K_ID), "18446744073709551616", NULL },
	{ "bool-y", K(K_BOOL), "y", NULL },
	{ "bool-off", K(K_BOOL), "off", NULL },
	{ "bool-2", K(K_BOOL), "2", NULL },
	{ "one-field", K(K_ID), "1234", NULL },
	{ "seven-fields", K(K_ID), "", " ffffffff ffffffff 0 0 0" },
	{ "field-over-16-bits", K(K_ID), "12345 11e8", NULL },
	{ "short-address", K(K_BDF), "{short}", NULL },
	{ "unknown-address", K(K_BDF), "0000:ff:1f.7", NULL },
	{ "default", K(K_METHOD), "default", NULL },
	{ "two-methods", K(K_METHOD), "flr bus", NULL },
	{ "unsupported-method", K(K_METHOD), "pm", NULL },
	{ "upper-case", K(K_PM) | K(K_STR), "VFIO-PCI", NULL },
	{ "cut-at-newline", K(K_STR) | K(K_METHOD), "", "\\nx" },
	{ "suffix-garbage", K_ALL, "", "z" },
	{ "garbage", K_ALL, "zz", NULL },
	{ "4k", K_ALL, NULL, NULL },
	{ "nul", K_ALL, NULL, NULL },
};
