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
	{ "K-VFIO-CONTAINER", PT_RULE_KERNEL,
	  "The VFIO container (vfio/vfio under /dev) answers VFIO_GET_API_VERSION with 0 and "
	  "offers the type1/type1v2 IOMMU backends through VFIO_CHECK_EXTENSION.",
	  "drivers/vfio/container.c" },
	{ "K-VFIO-GROUP-NODE", PT_RULE_KERNEL,
	  "The group node vfio/N under /dev exists while a member of group N is bound to a VFIO "
	  "driver; it opens once (EBUSY for a second opener).",
	  "drivers/vfio/group.c (vfio_group_fops_open)" },
	{ "K-VFIO-GROUP-STATUS", PT_RULE_KERNEL,
	  "VFIO_GROUP_GET_STATUS reports VIABLE when no member is bound to a DMA-owning driver, "
	  "CONTAINER_SET once attached.",
	  "drivers/vfio/group.c (vfio_group_ioctl_get_status)" },
	{ "K-VFIO-INTREMAP", PT_RULE_KERNEL,
	  "VFIO_SET_IOMMU with type1 fails with EPERM on a host without interrupt remapping "
	  "unless vfio_iommu_type1.allow_unsafe_interrupts is set.",
	  "drivers/vfio/vfio_iommu_type1.c (vfio_iommu_type1_attach_group)" },
	{ "K-VFIO-DEVICE", PT_RULE_KERNEL,
	  "VFIO_GROUP_GET_DEVICE_FD gives the device once the group has a container and an "
	  "IOMMU; the device reports its regions and IRQs.",
	  "drivers/vfio/group.c, drivers/vfio/pci/vfio_pci_core.c" },
	{ "K-VFIO-MAP-DMA", PT_RULE_KERNEL,
	  "VFIO_IOMMU_MAP_DMA maps user memory at an IOVA; an overlapping map fails with EEXIST.",
	  "drivers/vfio/vfio_iommu_type1.c (vfio_dma_do_map)" },
	{ "K-VFIO-MEMLOCK", PT_RULE_KERNEL,
	  "Pages pinned by VFIO_IOMMU_MAP_DMA count against RLIMIT_MEMLOCK; past it the map fails "
	  "with ENOMEM (unless the process has CAP_IPC_LOCK).",
	  "drivers/vfio/vfio_iommu_type1.c (vfio_lock_acct)" },
	{ "K-VFIO-RESET", PT_RULE_KERNEL,
	  "VFIO_DEVICE_RESET works only when the device reports VFIO_DEVICE_FLAGS_RESET (a reset "
	  "method worked at open); otherwise EINVAL.",
	  "drivers/vfio/pci/vfio_pci_core.c" },
	{ "K-SRIOV-NUMVFS", PT_RULE_KERNEL,
	  "sriov_numvfs accepts 0..sriov_totalvfs (ERANGE above); it needs a PF driver with "
	  "sriov_configure (ENOENT); VFs appear at offset and stride from the PF.",
	  "drivers/pci/iov.c (sriov_numvfs_store)" },
	{ "K-SRIOV-ZERO-FIRST", PT_RULE_KERNEL,
	  "Changing sriov_numvfs between two non-zero counts fails with EBUSY: write 0 first.",
	  "drivers/pci/iov.c (sriov_numvfs_store)" },
	{ "K-VFIO-MIGRATION", PT_RULE_KERNEL,
	  "A device migrates with VFIO only when its variant driver set up migration v2 for it "
	  "(mlx5, hisi_acc, pds, virtio, qat vfio-pci: for a VF of their table whose PF is on "
	  "the PF driver they reach); otherwise VFIO_DEVICE_FEATURE_MIGRATION is ENOTTY and "
	  "QEMU blocks migration (\"VFIO migration is not supported in kernel\").",
	  "drivers/vfio/pci/*/main.c; drivers/vfio/vfio_main.c; QEMU hw/vfio/migration.c" },
	{ "K-IOMMU-SNOOP-CONTROL", PT_RULE_KERNEL,
	  "An Intel VT-d unit makes a VFIO domain cache-coherent (No Snoop requests snooped "
	  "anyway) only when its extended capability register has Snoop Control (ecap bit 7, "
	  "class/iommu/dmarN/intel-iommu/ecap); any other unit kind does not show it in sysfs.",
	  "drivers/iommu/intel/iommu.h (ecap_sc_support), drivers/iommu/intel/iommu.c "
	  "(intel_iommu_enforce_cache_coherency, domain_support_force_snooping)" },
	{ "K-IOMMU-AMD-COHERENT", PT_RULE_KERNEL,
	  "An AMD-Vi domain is always cache-coherent: the v1 I/O page table sets Force Coherent "
	  "in every entry.",
	  "drivers/iommu/amd/iommu.c (amd_iommu_enforce_cache_coherency)" },
	{ "K-VFIO-DMA-CC-IOMMU", PT_RULE_KERNEL,
	  "VFIO_CHECK_EXTENSION(VFIO_DMA_CC_IOMMU) answers 0 before VFIO_SET_IOMMU, then 1 only "
	  "while every IOMMU domain of the container enforces cache coherency; KVM treats a VM "
	  "with a non-coherent VFIO group as doing non-coherent DMA (guest memory types honoured).",
	  "drivers/vfio/vfio_iommu_type1.c (vfio_domains_have_enforce_cache_coherency), "
	  "drivers/vfio/container.c, virt/kvm/vfio.c (kvm_vfio_update_coherency)" },
	{ "K-IOMMUFD-ENFORCE-CC", PT_RULE_KERNEL,
	  "On the iommufd path a paging HWPT enforces cache coherency when the device's IOMMU can "
	  "(IOMMU_CAP_ENFORCE_CACHE_COHERENCY: VT-d ecap Snoop Control, bit 7, which "
	  "IOMMU_GET_HW_INFO returns in struct iommu_hw_info_vtd).",
	  "drivers/iommu/iommufd/device.c (enforce_cache_coherency at bind), "
	  "drivers/iommu/iommufd/hw_pagetable.c (iommufd_hwpt_paging_alloc), "
	  "drivers/iommu/intel/iommu.c (intel_iommu_capable), include/uapi/linux/iommufd.h" },
	{ "K-VFIO-DEVCTL-NOSNOOP", PT_RULE_KERNEL,
	  "vfio-pci lets the guest write the PCIe Device Control register (all but Phantom "
	  "Functions), so the device's Enable No Snoop is the guest's to set.",
	  "drivers/vfio/pci/vfio_pci_config.c (init_pci_cap_exp_perm)" },
	{ "K-PCI-RESOURCE-WC", PT_RULE_KERNEL,
	  "sysfs offers resourceN_wc (a write-combined mmap) only for a prefetchable memory BAR, "
	  "and only where the architecture can map WC (x86: PAT enabled).",
	  "drivers/pci/pci-sysfs.c (pci_create_resource_files, arch_can_pci_mmap_wc)" },
	{ "K-VFIO-MMAP-UNCACHED", PT_RULE_KERNEL,
	  "vfio-pci maps every BAR uncached (pgprot_noncached), prefetchable or not, on every "
	  "modelled kernel (through 6.12); write-combining needs an out-of-tree patch (DPDK's for "
	  "ENA).",
	  "drivers/vfio/pci/vfio_pci_core.c (vfio_pci_core_mmap, 6.12: vfio_pci_mmap_huge_fault)" },
	/* The kernel model's rules (fakesys): each store handler and VFIO check it applies. */
	{ "K-DRV-OVERRIDE-STORE", PT_RULE_KERNEL,
	  "driver_override stores the text up to the first newline; \"\\n\" clears it (reads "
	  "\"(null)\"), a 0-byte write does nothing, PAGE_SIZE - 1 bytes or more is EINVAL.",
	  "drivers/base/driver.c (driver_set_override)" },
	{ "K-BIND-NOMATCH", PT_RULE_KERNEL,
	  "bind names an unknown device, or one the driver does not match (id tables, or a "
	  "driver_override naming another driver): ENODEV.",
	  "drivers/base/bus.c (bind_store), drivers/pci/pci-driver.c (pci_match_device)" },
	{ "K-BIND-BOUND", PT_RULE_KERNEL,
	  "bind of a device that already has a driver fails with EBUSY since 5.13, ENODEV "
	  "before.",
	  "drivers/base/dd.c (__driver_probe_device), 5.13" },
	{ "K-BIND-PROBE-ERROR", PT_RULE_KERNEL,
	  "bind returns the probe's error (or the DMA-ownership EBUSY) since 5.13, ENODEV "
	  "before.",
	  "drivers/base/dd.c (device_driver_attach), 5.13" },
	{ "K-UNBIND-NOT-BOUND", PT_RULE_KERNEL,
	  "unbind of a device not bound to this driver (unknown, unbound, or another driver's) "
	  "fails with ENODEV.",
	  "drivers/base/bus.c (unbind_store)" },
	{ "K-VFIO-UNBIND-IN-USE", PT_RULE_KERNEL,
	  "Unbinding a VFIO device that user space holds open blocks until it is released; the "
	  "model fails the write with EBUSY instead of blocking.",
	  "drivers/vfio/vfio_main.c (vfio_unregister_group_dev)" },
	{ "K-DRIVERS-PROBE", PT_RULE_KERNEL,
	  "drivers_probe: an unknown device is ENODEV; probe errors are ignored (the write "
	  "succeeds, the device may stay unbound); a failed DMA-ownership check is EINVAL.",
	  "drivers/base/bus.c (drivers_probe_store), observed.tsv" },
	{ "K-AUTOPROBE", PT_RULE_KERNEL,
	  "drivers_autoprobe 0 stops the bus probing new devices; drivers_probe and bind still "
	  "work.",
	  "drivers/base/bus.c (drivers_autoprobe_store)" },
	{ "K-NEW-ID-FORMAT", PT_RULE_KERNEL,
	  "new_id and remove_id take \"vendor device [subvendor subdevice class mask "
	  "[data]]\" in hex; fewer than two fields, or driver_data no static id has, is EINVAL.",
	  "drivers/pci/pci-driver.c (new_id_store)" },
	{ "K-NEW-ID-EXISTS", PT_RULE_KERNEL,
	  "new_id with fewer than seven fields fails with EEXIST when the driver already matches "
	  "the id, through a dynamic id first or its static table.",
	  "drivers/pci/pci-driver.c (new_id_store), observed.tsv" },
	{ "K-NEW-ID-ATTACH", PT_RULE_KERNEL,
	  "new_id binds every unbound device the new id matches at once (driver_attach), "
	  "skipping devices whose override names another driver.",
	  "drivers/pci/pci-driver.c (pci_add_dynid)" },
	{ "K-REMOVE-ID-NONE", PT_RULE_KERNEL,
	  "remove_id with no matching dynamic id fails with ENODEV; bindings stay.",
	  "drivers/pci/pci-driver.c (remove_id_store)" },
	{ "K-VFIO-PCI-PROBE", PT_RULE_KERNEL,
	  "vfio-pci refuses to probe a bridge (EINVAL), a PF with VFs enabled (EBUSY) and a "
	  "device without an IOMMU group (EINVAL without no-IOMMU mode).",
	  "drivers/vfio/pci/vfio_pci_core.c (vfio_pci_core_register_device)" },
	{ "K-DMA-OWNER-BUSY", PT_RULE_KERNEL,
	  "A driver without driver_managed_dma cannot probe a device whose group user space "
	  "owns (a VFIO container is set): EBUSY before the driver's probe runs.",
	  "drivers/iommu/iommu.c (iommu_device_use_default_domain), 5.19" },
	{ "K-SRIOV-VF-ADD", PT_RULE_KERNEL,
	  "Enabling VFs adds devices at PF routing ID + offset + stride * i with the VF device "
	  "id and no INTx, each in its own group when the PF's group holds only the PF, else in "
	  "the PF's group; physfn and virtfnN link them. Disabling removes them.",
	  "drivers/pci/iov.c (pci_iov_add_virtfn), drivers/iommu/iommu.c" },
	{ "K-DRIVER-LATE-FAILURE", PT_RULE_KERNEL,
	  "A driver whose probe returns 0 and finishes initialising asynchronously releases the "
	  "device when that fails: the bind succeeds, the device ends without a driver (nvme on "
	  "a VF of QEMU's NVMe, whose secondary controller is offline).",
	  "drivers/nvme/host/pci.c (nvme_reset_work, nvme_remove_dead_ctrl), QEMU hw/nvme/ctrl.c "
	  "(nvme_start_ctrl)" },
	{ "K-SRIOV-VF-AUTOPROBE", PT_RULE_KERNEL,
	  "A VF is probed only when its PF's sriov_drivers_autoprobe is 1 or it has a "
	  "driver_override (else ENODEV from the probe); the attribute takes a boolean (EINVAL).",
	  "drivers/pci/pci-driver.c (pci_device_can_probe), drivers/pci/iov.c" },
	{ "K-RESET-STORE", PT_RULE_KERNEL,
	  "reset accepts only 1 (EINVAL otherwise) and fails with ENOTTY when no enabled method "
	  "works; the file exists only when a method existed at enumeration.",
	  "drivers/pci/pci-sysfs.c (reset_store), drivers/pci/pci.c (pci_reset_function)" },
	{ "K-RESET-METHOD-STORE", PT_RULE_KERNEL,
	  "reset_method takes names in order, each re-probed now (unknown or unsupported: "
	  "EINVAL, list unchanged); \"\\n\" disables all; \"default\" re-probes; a 0-byte "
	  "write does nothing.",
	  "drivers/pci/pci-sysfs.c (reset_method_store), observed.tsv" },
	{ "K-REMOVE", PT_RULE_KERNEL,
	  "remove takes a device (and everything below it, and a PF's VFs) off the bus; rescan "
	  "finds it again as a new device (no override) and probes it.",
	  "drivers/pci/pci-sysfs.c (remove_store, rescan_store)" },
	{ "K-VFIO-SET-CONTAINER", PT_RULE_KERNEL,
	  "VFIO_GROUP_SET_CONTAINER claims the group's DMA ownership for user space: EPERM while "
	  "a member is bound to a driver that uses the DMA API.",
	  "drivers/vfio/group.c, drivers/iommu/iommu.c (iommu_group_claim_dma_owner)" },
	{ "K-VFIO-HOT-RESET-INFO", PT_RULE_KERNEL,
	  "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO lists the devices a bus reset would hit; ENODEV on "
	  "a root bus, ENOSPC with the count when the buffer is small.",
	  "drivers/vfio/pci/vfio_pci_core.c" },
	{ "K-IOMMUFD-OBJECT", PT_RULE_KERNEL,
	  "Since 6.2 /dev/iommu (CONFIG_IOMMUFD) holds IOAS and HWPT objects by ID from 1; "
	  "IOMMU_DESTROY of an object in use (an IOAS under a HWPT, a HWPT with a device) is "
	  "EBUSY, of an unknown ID ENOENT.",
	  "drivers/iommu/iommufd/main.c, ioas.c" },
	{ "K-IOMMUFD-IOVA", PT_RULE_KERNEL,
	  "IOMMU_IOAS_MAP at a fixed IOVA fails with EINVAL on a reserved range (the MSI window, "
	  "past the aperture: known once a device is attached), EEXIST on an existing mapping, "
	  "EOVERFLOW when it wraps; IOMMU_IOAS_UNMAP cuts no mapping (ENOENT).",
	  "drivers/iommu/iommufd/io_pagetable.c (iopt_check_iova, iopt_unmap_iova)" },
	{ "K-IOMMUFD-COPY", PT_RULE_KERNEL,
	  "IOMMU_IOAS_COPY maps mapped memory (a part of a mapping, or contiguous ones) into "
	  "another IOAS sharing its pages: pinned and charged once.",
	  "drivers/iommu/iommufd/ioas.c (iommufd_ioas_copy)" },
	{ "K-IOMMUFD-PFNMAP", PT_RULE_KERNEL,
	  "iommufd pins user memory with pin_user_pages, which refuses a VFIO region's mmap (a "
	  "BAR: VM_IO | VM_PFNMAP): IOMMU_IOAS_MAP of it fails with EFAULT once the IOAS has a "
	  "domain, or the attach does; type1 maps it (follows the PFNs).",
	  "drivers/iommu/iommufd/pages.c (pfn_reader_user_pin), mm/gup.c (check_vma_flags)" },
	{ "K-IOMMUFD-MEMLOCK", PT_RULE_KERNEL,
	  "iommufd pins and charges pages to RLIMIT_MEMLOCK only while the IOAS has a domain, so "
	  "an over-limit map of an IOAS without devices succeeds and the attach fails with "
	  "ENOMEM; the charge is per user by default, per process after IOMMU_OPTION_RLIMIT_MODE "
	  "1 (CAP_SYS_RESOURCE, before any object: EBUSY) or through /dev/vfio/vfio.",
	  "drivers/iommu/iommufd/pages.c, main.c (iommufd_option_rlimit_mode, iommufd_fops_open)" },
	{ "K-IOMMUFD-HW-INFO", PT_RULE_KERNEL,
	  "Since 6.6 IOMMU_GET_HW_INFO reports a bound device's IOMMU type and registers (Intel "
	  "VT-d: cap and ecap) and IOMMU_HWPT_ALLOC makes a domain on an IOAS.",
	  "drivers/iommu/iommufd/device.c, hw_pagetable.c" },
	{ "K-IOMMUFD-COMPAT", PT_RULE_KERNEL,
	  "With CONFIG_IOMMUFD_VFIO_CONTAINER iommufd provides /dev/vfio/vfio: its own errnos "
	  "(VFIO_SET_IOMMU and maps without a group ENODEV where type1 says EINVAL, an unmap "
	  "that would cut a mapping ENOENT where type1v2 says EINVAL, no VADDR update).",
	  "drivers/iommu/iommufd/vfio_compat.c" },
	{ "K-IOMMUFD-MSI", PT_RULE_KERNEL,
	  "Binding a device to iommufd fails with EPERM when its MSIs cannot be isolated (no "
	  "interrupt remapping) unless iommufd.allow_unsafe_interrupts; type1 fails later, at "
	  "VFIO_SET_IOMMU.",
	  "drivers/iommu/iommufd/device.c (iommufd_device_bind)" },
	{ "K-IOMMUFD-DMA-OWNER", PT_RULE_KERNEL,
	  "iommufd claims DMA ownership per device: EPERM while another member of the group is "
	  "on a DMA-API driver or owned by another iommufd; while owned, a kernel driver's probe "
	  "fails with EBUSY.",
	  "drivers/iommu/iommu.c (iommu_device_claim_dma_owner)" },
	{ "K-IOMMUFD-BIND", PT_RULE_KERNEL,
	  "VFIO_DEVICE_BIND_IOMMUFD binds a cdev file to an iommufd and returns the device's ID "
	  "in it.",
	  "drivers/vfio/device_cdev.c (vfio_df_ioctl_bind_iommufd)" },
	{ "K-IOMMUFD-ATTACH", PT_RULE_KERNEL,
	  "VFIO_DEVICE_ATTACH_IOMMUFD_PT attaches a bound device to an IOAS (through an "
	  "automatic HWPT, shared by the IOAS's devices) or a HWPT and returns the HWPT's ID.",
	  "drivers/vfio/device_cdev.c, drivers/iommu/iommufd/device.c" },
	{ "K-VFIO-CDEV-INDEX", PT_RULE_KERNEL,
	  "A VFIO device's index is its own (the lowest free, given back on unbind), not its "
	  "group number: vfio-dev/vfioN in sysfs since 6.1, /dev/vfio/devices/vfioN with "
	  "CONFIG_VFIO_DEVICE_CDEV since 6.6.",
	  "drivers/vfio/vfio_main.c (vfio_init_device), device_cdev.c" },
	{ "K-VFIO-CDEV-BIND", PT_RULE_KERNEL,
	  "On a cdev file every ioctl but VFIO_DEVICE_BIND_IOMMUFD fails with EINVAL until the "
	  "bind; a device is bound once (EINVAL for a second bind or file).",
	  "drivers/vfio/vfio_main.c (vfio_device_fops_unl_ioctl), device_cdev.c" },
	{ "K-VFIO-CDEV-EXCLUSIVE", PT_RULE_KERNEL,
	  "The group node and a member's cdev exclude each other: the bind fails with EBUSY "
	  "while the group is open, the group's open while a member is bound.",
	  "drivers/vfio/group.c (vfio_device_block_group, vfio_group_fops_open)" },
	{ "K-VFIO-VF-TOKEN", PT_RULE_KERNEL,
	  "A VF whose PF is on vfio-pci opens only with the PF's VF token (\"BDF "
	  "vf_token=UUID\"): EACCES without or with a wrong one; the PF needs it while its VFs "
	  "are open; VFIO_DEVICE_FEATURE_PCI_VF_TOKEN (SET only) sets it on a PF.",
	  "drivers/vfio/pci/vfio_pci_core.c (vfio_pci_validate_vf_token, "
	  "vfio_pci_core_feature_token)" },
	{ "K-SRIOV-VF-MSIX", PT_RULE_KERNEL,
	  "Since 5.13 a VF's sriov_vf_msix_count (write-only) sets its MSI-X table size through "
	  "the PF's driver: EOPNOTSUPP when the PF has no driver or one that cannot, EBUSY once "
	  "the VF has any driver, EINVAL for a negative or bad number.",
	  "drivers/pci/iov.c (sriov_vf_msix_count_store)" },
	/* Kernel rules the fake host (fakesys) cites. */
	{ "K-UNBIND-CHILDREN", PT_RULE_KERNEL,
	  "Unbinding a driver removes the class devices its probe registered (a NIC's net/ethN, "
	  "an NVMe controller's nvme/nvmeN); binding it again registers them anew.",
	  "drivers/base/dd.c (device_release_driver); e1000e_remove, nvme_remove" },
	{ "E-VIAB-HOSTDRV", PT_RULE_ENGINE,
	  "Refuse to assign a group while a member is bound to a host driver that owns DMA.",
	  "ptharness engine" },
	{ "E-HOST-CRITICAL", PT_RULE_ENGINE,
	  "Refuse, unless forced, to detach a device the data shows the host needs: the boot "
	  "VGA, a storage controller holding a mounted filesystem or swap, the NIC carrying the "
	  "default route or the network root (NFS, iSCSI, NBD).",
	  "ptharness engine" },
	{ "E-HOST-CRITICAL-UNKNOWN", PT_RULE_ENGINE,
	  "Warn, without refusing, before detaching a device the host may need where the data "
	  "cannot show it: a storage controller when the mounts are not shown, a NIC when the "
	  "root is on the network through an interface not shown. A VF created after the host "
	  "was read holds nothing the host had.",
	  "ptharness engine" },
	{ "E-DEVICE-EXISTS", PT_RULE_ENGINE, "An operation names a PCI device the host has.",
	  "ptharness engine" },
	{ "E-DETACH-ENDPOINT", PT_RULE_ENGINE,
	  "Only endpoints are detached for assignment; bridges are refused unless forced "
	  "(vfio-pci refuses them anyway).",
	  "libvirt virhostdev.c; drivers/vfio/pci/vfio_pci_core.c" },
	{ "E-STUB-LOADED", PT_RULE_ENGINE,
	  "The detach target must be a stub driver (vfio-pci, a vfio-pci variant, pci-stub; any "
	  "other name is refused) and be loaded.",
	  "libvirt virPCIProbeDriver" },
	{ "E-VFIO-PATH", PT_RULE_ENGINE,
	  "A VFIO open takes the path asked for (legacy container, iommufd with the cdev) or, "
	  "for auto, the container when the host has one (as QEMU without an iommufd object), "
	  "else iommufd; a path the host lacks is refused before anything is opened.",
	  "QEMU hw/vfio/common.c (vfio_attach_device), hw/vfio/iommufd.c" },
	{ "E-UNMANAGED-STUB", PT_RULE_ENGINE,
	  "An unmanaged device must already be on a stub driver; the engine does not move it.",
	  "libvirt virHostdevPreparePCIDevicesImpl" },
	{ "E-DETACH-NOOP", PT_RULE_ENGINE,
	  "A device already on the wanted stub, or on a vfio-pci variant driver when no stub is "
	  "named (its VFIO migration stays), is left alone, and reattach will not move it.",
	  "libvirt virPCIDeviceBindToStub" },
	{ "E-DETACH-OVERRIDE", PT_RULE_ENGINE,
	  "Detach sets driver_override to the stub, unbinds the current driver and reprobes, "
	  "so only the stub can take the device.",
	  "libvirt virPCIDeviceBindWithDriverOverride" },
	{ "E-DETACH-NEW-ID", PT_RULE_ENGINE,
	  "The legacy detach adds the ids to the stub's new_id, which binds every unbound "
	  "device with those ids; the engine unbinds those again and removes the id.",
	  "drivers/pci/pci-driver.c (new_id_store); libvirt before driver_override" },
	{ "E-DETACH-VERIFY", PT_RULE_ENGINE,
	  "After a detach the device must be on the stub (a probe can fail silently).",
	  "ptharness engine" },
	{ "E-ROLLBACK", PT_RULE_ENGINE,
	  "A failed step puts back what the operation changed, or names what it could not.",
	  "ptharness engine" },
	{ "E-REATTACH", PT_RULE_ENGINE,
	  "Reattach clears the override, unbinds from the stub, reprobes, and checks the original "
	  "driver took the device back; a device that had no driver accepts whatever driver "
	  "the kernel's probe picks.",
	  "libvirt virPCIDeviceUnbindFromStub" },
	{ "E-REATTACH-SKIP", PT_RULE_ENGINE,
	  "A device the engine did not move to the stub, or that is on a host driver, is left "
	  "where it is on reattach: a host driver is never unbound.",
	  "libvirt virPCIDeviceUnbindFromStub" },
	{ "E-RESET-BUS-USERS", PT_RULE_ENGINE,
	  "Never bus-reset a device while another device on that bus is in use by the host.",
	  "libvirt virPCIDeviceReset (\"Active devices on bus\")" },
	{ "E-CAPTURE-CONFIG", PT_RULE_ENGINE,
	  "A device whose config space the capture lacks (not captured, or 64 bytes read "
	  "without root) stays on the host with the ids sysfs shows; what only config space "
	  "shows (FLR, PM reset, ACS, the derived reset methods) is unknown, with the reason.",
	  "drivers/pci/pci-sysfs.c (pci_read_config: 64 bytes without CAP_SYS_ADMIN)" },
	{ "E-CAPTURE-FILE", PT_RULE_ENGINE,
	  "A file of a captured tree that cannot be what the kernel wrote (a link leading out "
	  "of the tree, a file larger than the kernel ever shows) is not used: what it would "
	  "show is unknown, and a finding names the file.",
	  "drivers/pci/pci-sysfs.c (config is at most 4096 bytes); openat2 RESOLVE_BENEATH" },
	{ "E-DEVICE-ANSWERS", PT_RULE_ENGINE,
	  "A device whose config space reads all ones does not answer (dead after a reset, or "
	  "removed): the host is still read, the device's ids come from sysfs, and it is "
	  "reported.",
	  "drivers/pci/pci.c (pci_dev_wait); drivers/pci/pci-sysfs.c" },
	{ "E-RESET-ALIVE", PT_RULE_ENGINE,
	  "After a reset the device must answer config reads; all ones means it did not come "
	  "back.",
	  "ptharness engine" },
	{ "E-ATTACH-FREE", PT_RULE_ENGINE,
	  "A device, and every other member of its group, must not belong to another VM.",
	  "libvirt virHostdevPreparePCIDevicesImpl (\"in use by driver, domain\")" },
	{ "E-ATTACH-CHECK", PT_RULE_ENGINE,
	  "Attach checks every device before it changes anything.",
	  "libvirt virHostdevPreparePCIDevicesImpl" },
	{ "E-ATTACH", PT_RULE_ENGINE,
	  "Attach detaches every device, then resets every device, then sets locked memory; a "
	  "failure undoes the earlier steps in reverse.",
	  "libvirt virHostdevPreparePCIDevicesImpl" },
	{ "E-NUMVFS-IN-USE", PT_RULE_ENGINE,
	  "A PF's VF count is not changed while a VM uses one of its VFs.", "ptharness engine" },
	{ "E-VF-AUTOPROBE-OFF", PT_RULE_ENGINE,
	  "Before creating VFs for VMs, sriov_drivers_autoprobe is set to 0 so that no host "
	  "driver binds them.",
	  "drivers/pci/iov.c (sriov_drivers_autoprobe); libvirt/Nova practice" },
	{ "E-VF-SELECT", PT_RULE_ENGINE,
	  "A VF is chosen when free: no VM has it, only it blocks its group, its PF has a "
	  "driver; by PF (index order, ranges) or by id (NUMA node first, least busy PF).",
	  "ptharness engine; the three kinds of assignment of the VDSM design" },
	{ "E-MIGRATE-BLOCKER", PT_RULE_ENGINE,
	  "A VM with a host device that neither migrates through VFIO nor is unplugged for "
	  "migration cannot migrate.",
	  "libvirt qemuMigrationSrcIsAllowedHostdev" },
	{ "E-MIGRATE-UNPLUG", PT_RULE_ENGINE,
	  "A NIC marked for failover is unplugged before migration and replaced on the "
	  "destination: same PF network, any suitable VF, the same address or any suitable "
	  "device.",
	  "libvirt <teaming type='transient'/>; the VDSM hostdev design" },
	{ "E-NONCOHERENT-DMA", PT_RULE_ENGINE,
	  "A VM given a device whose DMA is not known to be coherent needs the hypervisor's "
	  "non-coherent-DMA handling (KVM honours guest PAT/MTRR and emulates WBINVD): a cost "
	  "the plan names, not a refusal.",
	  "virt/kvm/vfio.c (kvm_arch_register_noncoherent_dma); arch/x86/kvm/vmx/vmx.c "
	  "(vmx_get_mt_mask)" },
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
