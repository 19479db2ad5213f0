/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rule catalogue, as one table. */

#include <string.h>

#include "macro.h"
#include "rules.h"

/* Kernel rules first, then engine rules; IDs are stable public names (reports, scenarios). */
static const struct pt_rule catalogue[] = {
	{ "K-IOMMU-PRESENT", PT_RULE_KERNEL,
	  "Without an IOMMU there are no IOMMU groups, and vfio-pci refuses to probe (EINVAL).",
	  "drivers/vfio/vfio_main.c, drivers/iommu/iommu.c" },
	{ "K-GROUP-LINKS", PT_RULE_KERNEL,
	  "A device's iommu_group link and /sys/kernel/iommu_groups/N/devices name the same "
	  "membership.",
	  "drivers/iommu/iommu.c (iommu_group_add_device)" },
	{ "K-GROUP-DMA-OWNER", PT_RULE_KERNEL,
	  "Since 5.19 a group is viable for VFIO only while no member is bound to a driver "
	  "that uses the kernel DMA API; vfio-pci and its variants, pci-stub and pcieport set "
	  "driver_managed_dma and do not count.",
	  "drivers/iommu/iommu.c (iommu_device_use_default_domain), 5.19" },
	{ "K-GROUP-LEGACY-VIABLE", PT_RULE_KERNEL,
	  "Before 5.19 a group is viable when every member is unbound, bound to a VFIO bus "
	  "driver or to pci-stub, or is not a normal-header device (bridges are exempt).",
	  "drivers/vfio/vfio.c (vfio_dev_driver_allowed), < 5.19" },
	{ "K-RESET-ORDER", PT_RULE_KERNEL,
	  "Reset methods are tried in the order device_specific, acpi, flr, af_flr, pm, bus, "
	  "cxl_bus.",
	  "drivers/pci/pci.c (pci_reset_fn_methods[])" },
	{ "K-RESET-METHOD-ATTR", PT_RULE_KERNEL,
	  "Since 5.15 reset_method lists the enabled methods in priority order; before, the "
	  "set is what the device's capabilities and position allow.",
	  "drivers/pci/pci-sysfs.c (reset_method_show), 5.15" },
	{ "K-RESET-FLR", PT_RULE_KERNEL,
	  "flr is supported when the PCIe Device Capabilities register has the FLR bit.",
	  "drivers/pci/pci.c (pcie_reset_flr)" },
	{ "K-RESET-AF-FLR", PT_RULE_KERNEL,
	  "af_flr is supported when the Advanced Features capability has both TP and FLR.",
	  "drivers/pci/pci.c (pci_af_flr)" },
	{ "K-RESET-PM", PT_RULE_KERNEL,
	  "pm is supported when the PM capability has No_Soft_Reset clear.",
	  "drivers/pci/pci.c (pci_pm_reset)" },
	{ "K-RESET-BUS", PT_RULE_KERNEL,
	  "bus is supported only for a non-bridge device alone on a bus below a bridge (not a "
	  "root bus).",
	  "drivers/pci/pci.c (pci_parent_bus_reset)" },
	{ "E-VIAB-HOSTDRV", PT_RULE_ENGINE,
	  "Refuse to assign a group while a member is bound to a host driver that owns DMA.",
	  "ptharness engine" },
	{ "E-HOST-CRITICAL", PT_RULE_ENGINE,
	  "Flag a device the host needs (boot VGA, storage controller, default-route NIC) "
	  "before detaching it.",
	  "ptharness engine" },
	{ "E-MEMLOCK-HARD-LIMIT", PT_RULE_ENGINE,
	  "An explicit hard limit is the locked-memory limit, whatever else the VM has.",
	  "libvirt src/qemu/qemu_domain.c (qemuDomainGetMemLockLimitBytes)" },
	{ "E-MEMLOCK-LOCKED", PT_RULE_ENGINE,
	  "A VM whose memory is locked gets an unlimited locked-memory limit.",
	  "libvirt src/qemu/qemu_domain.c (qemuDomainGetMemLockLimitBytes)" },
	{ "E-MEMLOCK-PPC64", PT_RULE_ENGINE,
	  "A ppc64 KVM guest pins its TCE tables (max memory / 128 + 4 MiB per PHB + 8 MiB) and, "
	  "with passthrough, max(2 GiB per PHB, memory + memory / 512 per PHB + 8 MiB).",
	  "libvirt src/qemu/qemu_domain.c (getPPC64MemLockLimitBytes)" },
	{ "E-MEMLOCK-NONE", PT_RULE_ENGINE,
	  "A VM with no VFIO, NVMe or vDPA device pins nothing: no limit is set.",
	  "libvirt src/qemu/qemu_domain.c (qemuDomainGetMemLockLimitBytes)" },
	{ "E-MEMLOCK-PINNED", PT_RULE_ENGINE,
	  "Locked memory = (vDPA + NVMe + (VFIO ? (vIOMMU ? VFIO devices : 1) : 0)) x guest "
	  "memory + 1 GiB: devices share one address space unless a vIOMMU gives each its own.",
	  "libvirt src/qemu/qemu_domain.c (qemuDomainGetMemLockLimitBytes)" },
};

_public_ size_t pt_rule_count(void)
{
	return ELEMENTSOF(catalogue);
}

_public_ const struct pt_rule *pt_rule_at(size_t i)
{
	return i < ELEMENTSOF(catalogue) ? &catalogue[i] : NULL;
}

_public_ const struct pt_rule *pt_rule_find(const char *id)
{
	for (size_t i = 0; i < ELEMENTSOF(catalogue); i++)
		if (strcmp(catalogue[i].id, id) == 0)
			return &catalogue[i];
	return NULL;
}

_public_ const char *pt_rule_kind_to_string(enum pt_rule_kind k)
{
	static const char *const names[_PT_RULE_KIND_MAX] = {
		[PT_RULE_KERNEL] = "kernel",
		[PT_RULE_ENGINE] = "engine",
	};

	return (unsigned)k < _PT_RULE_KIND_MAX ? names[k] : NULL;
}
