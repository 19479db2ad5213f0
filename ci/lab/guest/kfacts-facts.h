/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kfacts-facts.h: kfacts' data: the facts table, one row per sysfs write or VFIO call to observe
 * on the lab's real kernel, with what the project predicted and the restore that undoes it. */
#pragma once

struct fact {
	const char *id;
	const char *topology;
	const char *setup;
	const char *op;
	const char *path;
	const char *value;
	const char *expected;
	const char *restore;
	const char *note;
	int irreversible; /* leaves state behind: must be the topology's last row */
};

/* Restore lists shared by several rows. */
#define R_OVERRIDE(r) "bus/pci/devices/{" r "}/driver_override=\\n"
#define R_EDU_VFIO "bus/pci/drivers/vfio-pci/unbind={edu};" R_OVERRIDE("edu")
#define S_EDU_VFIO "bus/pci/devices/{edu}/driver_override=vfio-pci;bus/pci/drivers_probe={edu}"
#define S_PAIR0_VFIO                                                                              \
	"bus/pci/devices/{pair0}/driver_override=vfio-pci;bus/pci/drivers/e1000e/unbind={pair0};" \
	"bus/pci/drivers_probe={pair0}"
#define R_PAIR                                                 \
	"bus/pci/drivers/vfio-pci/unbind={pair0};" R_OVERRIDE( \
		"pair0") ";"                                   \
			 "bus/pci/drivers_probe={pair0};bus/pci/drivers_probe={pair1}"
#define R_RESET_DEFAULT(r) "bus/pci/devices/{" r "}/reset_method=default"
#define S_VFS "bus/pci/devices/{pf}/sriov_drivers_autoprobe=0;bus/pci/devices/{pf}/sriov_numvfs=2"
#define R_VFS "bus/pci/devices/{pf}/sriov_numvfs=0;bus/pci/devices/{pf}/sriov_drivers_autoprobe=1"
#define VFIO_EDU "{g:edu} {edu}"
#define R_NEWID_EDU                                                                                  \
	"bus/pci/drivers/vfio-pci/remove_id=1234 11e8;bus/pci/drivers/vfio-pci/remove_id=1234 11e8;" \
	"bus/pci/drivers/vfio-pci/unbind={edu}"
#define NEWID7 "1234 11e8 ffffffff ffffffff 0 0 0"

/*
 * The table. "expected" is what the project predicted from reading the kernel's sources
 * (drivers/pci, drivers/iommu, drivers/vfio) and libvirt's before the lab observed it; "note"
 * explains every row where the kernel disagrees (the kernel wins). "Reference §N" in the
 * comments and notes numbers the topics of that reading: §1 IOMMU groups and VFIO ownership,
 * §2 driver binding, §3 SR-IOV, §4 reset, §5 the VFIO API.
 */
static const struct fact facts[] = {
	/* --- binding (reference §2.2) --- */
	{ "bind-already-bound", "shared", "", "write", "bus/pci/drivers/e1000e/bind", "{pair0}",
	  "EBUSY", "", "" },
	{ "bind-other-driver-bound", "shared", "", "write", "bus/pci/drivers/e1000/bind", "{pair0}",
	  "ENODEV", "", "e1000 does not match 8086:10d3, so the match fails first" },
	{ "bind-unknown-device", "shared", "", "write", "bus/pci/drivers/e1000e/bind",
	  "0000:ff:1f.7", "ENODEV", "", "" },
	{ "bind-trailing-newline", "shared", "bus/pci/drivers/e1000e/unbind={pair1}", "write",
	  "bus/pci/drivers/e1000e/bind", "{pair1}\\n", "ok", "bus/pci/drivers_probe={pair1}", "" },
	{ "unbind-wrong-driver", "shared", "", "write", "bus/pci/drivers/e1000/unbind", "{pair0}",
	  "ENODEV", "", "" },
	{ "unbind-not-bound", "shared", "", "write", "bus/pci/drivers/e1000/unbind", "{testdev}",
	  "ENODEV", "", "" },
	{ "drivers-probe-no-driver", "shared", "", "write", "bus/pci/drivers_probe", "{testdev}",
	  "ok", "", "no driver matches pci-testdev; the write succeeds and it stays unbound" },
	{ "drivers-probe-already-bound", "shared", "", "write", "bus/pci/drivers_probe", "{pair0}",
	  "ok", "", "" },
	{ "drivers-probe-unknown-device", "shared", "", "write", "bus/pci/drivers_probe",
	  "0000:ff:1f.7", "ENODEV", "", "" },
	{ "vfio-pci-bind-without-override", "shared", "", "write", "bus/pci/drivers/vfio-pci/bind",
	  "{edu}", "ENODEV", R_EDU_VFIO, "vfio-pci's only static id is override_only" },
	{ "vfio-pci-bind-bridge", "shared", "bus/pci/devices/{bridge}/driver_override=vfio-pci",
	  "write", "bus/pci/drivers/vfio-pci/bind", "{bridge}", "EINVAL",
	  "bus/pci/drivers/vfio-pci/unbind={bridge};" R_OVERRIDE("bridge"),
	  "vfio-pci refuses headers other than normal (reference §2.4)" },

	/* --- driver_override (reference §2.1) --- */
	{ "driver-override-write", "shared", "", "write",
	  "bus/pci/devices/{testdev}/driver_override", "vfio-pci", "ok", R_OVERRIDE("testdev"),
	  "" },
	{ "driver-override-read-back", "shared",
	  "bus/pci/devices/{testdev}/driver_override=vfio-pci", "read",
	  "bus/pci/devices/{testdev}/driver_override", "", "vfio-pci\\n", R_OVERRIDE("testdev"),
	  "" },
	{ "driver-override-newline-cut", "shared",
	  "bus/pci/devices/{testdev}/driver_override=pci-stub\\nvfio-pci", "read",
	  "bus/pci/devices/{testdev}/driver_override", "", "pci-stub\\n", R_OVERRIDE("testdev"),
	  "" },
	{ "driver-override-clear", "shared", "bus/pci/devices/{testdev}/driver_override=vfio-pci",
	  "write", "bus/pci/devices/{testdev}/driver_override", "\\n", "ok", R_OVERRIDE("testdev"),
	  "" },
	{ "driver-override-cleared-read", "shared",
	  "bus/pci/devices/{testdev}/driver_override=vfio-pci;"
	  "bus/pci/devices/{testdev}/driver_override=\\n",
	  "read", "bus/pci/devices/{testdev}/driver_override", "", "(null)\\n", "", "" },
	{ "driver-override-unset-read", "shared", "", "read",
	  "bus/pci/devices/{pair0}/driver_override", "", "(null)\\n", "", "" },

	/* --- new_id / remove_id (reference §2.3) --- */
	{ "new-id-first", "shared", "", "write", "bus/pci/drivers/vfio-pci/new_id", "1234 11e8",
	  "ok", R_NEWID_EDU, "binds the unbound edu to vfio-pci at once (driver_attach)" },
	{ "new-id-twice", "shared", "bus/pci/drivers/vfio-pci/new_id=1234 11e8", "write",
	  "bus/pci/drivers/vfio-pci/new_id", "1234 11e8", "ok", R_NEWID_EDU,
	  "kernel: new_id_store() builds a dummy device from the fields and calls pci_match_device(), "
	  "which tries the dynamic ids first, so a repeated 2-field id gets EEXIST; the reference "
	  "only mentions matches through the static table" },
	{ "new-id-twice-all-fields", "shared", "bus/pci/drivers/vfio-pci/new_id=" NEWID7, "write",
	  "bus/pci/drivers/vfio-pci/new_id", NEWID7, "ok",
	  R_NEWID_EDU ";bus/pci/drivers/vfio-pci/remove_id=" NEWID7,
	  "with all 7 fields there is no duplicate check: a second identical dynamic id is added" },
	{ "new-id-static-match", "shared", "", "write", "bus/pci/drivers/e1000e/new_id",
	  "8086 10d3", "EEXIST", "", "" },
	{ "new-id-one-field", "shared", "", "write", "bus/pci/drivers/vfio-pci/new_id", "1234",
	  "EINVAL", "", "" },
	{ "remove-id-unknown", "shared", "", "write", "bus/pci/drivers/vfio-pci/remove_id",
	  "1234 11e8", "ENODEV", "", "" },

	/* --- reset and reset_method (reference §4.4, §4.5, §4.2) --- */
	{ "reset-no-method", "shared", "", "write", "bus/pci/devices/{testdev}/reset", "1",
	  "ENOENT", "", "pci-testdev has no reset method, so there is no reset file (open fails)" },
	{ "reset-method-no-method", "shared", "", "read", "bus/pci/devices/{testdev}/reset_method",
	  "", "ENOENT", "", "" },
	{ "reset-flr", "shared", "", "write", "bus/pci/devices/{nvme}/reset", "1", "ok", "", "" },
	{ "reset-value-not-one", "shared", "", "write", "bus/pci/devices/{nvme}/reset", "2",
	  "EINVAL", "", "" },
	{ "reset-method-read", "shared", "", "read", "bus/pci/devices/{nvme}/reset_method", "",
	  "flr bus\\n", "", "" },
	{ "reset-method-unsupported", "shared", "", "write", "bus/pci/devices/{nvme}/reset_method",
	  "pm", "EINVAL", R_RESET_DEFAULT("nvme"), "nvme has no pm reset" },
	{ "reset-method-unknown", "shared", "", "write", "bus/pci/devices/{nvme}/reset_method",
	  "foo", "EINVAL", R_RESET_DEFAULT("nvme"), "" },
	{ "reset-method-subset", "shared", "", "write", "bus/pci/devices/{nvme}/reset_method",
	  "bus", "ok", R_RESET_DEFAULT("nvme"), "" },
	{ "reset-method-reorder-read", "shared", "bus/pci/devices/{nvme}/reset_method=bus flr",
	  "read", "bus/pci/devices/{nvme}/reset_method", "", "bus flr\\n", R_RESET_DEFAULT("nvme"),
	  "" },
	{ "reset-method-disable-all-read", "shared", "bus/pci/devices/{nvme}/reset_method=\\n",
	  "read", "bus/pci/devices/{nvme}/reset_method", "", "", R_RESET_DEFAULT("nvme"), "" },
	{ "reset-method-empty-write-read", "shared", "bus/pci/devices/{nvme}/reset_method=", "read",
	  "bus/pci/devices/{nvme}/reset_method", "", "", R_RESET_DEFAULT("nvme"),
	  "kernel: a 0-byte write never reaches the store function (sysfs_kf_write returns 0 for count 0), "
	  "so nothing is disabled; only \"\\n\" disables all methods" },
	{ "reset-all-disabled", "shared", "bus/pci/devices/{nvme}/reset_method=\\n", "write",
	  "bus/pci/devices/{nvme}/reset", "1", "ENOTTY", R_RESET_DEFAULT("nvme"), "" },
	{ "reset-method-default", "shared", "bus/pci/devices/{nvme}/reset_method=bus", "write",
	  "bus/pci/devices/{nvme}/reset_method", "default", "ok", R_RESET_DEFAULT("nvme"), "" },
	{ "reset-method-read-behind-bridge", "shared", "", "read",
	  "bus/pci/devices/{e1000}/reset_method", "", "bus\\n", "",
	  "bus is listed although pci-testdev shares the bus: probed before the sibling was added" },
	{ "reset-bus-sibling-on-bus", "shared", "", "write", "bus/pci/devices/{e1000}/reset", "1",
	  "ENOTTY", "", "pci_parent_bus_reset() refuses when another device is on the bus" },
	{ "reset-method-bus-sibling-on-bus", "shared", "", "write",
	  "bus/pci/devices/{e1000}/reset_method", "bus", "EINVAL", "",
	  "the write re-probes bus reset, which now sees the sibling; the old list stays" },
	{ "reset-method-read-multifunction-fn1", "shared", "", "read",
	  "bus/pci/devices/{pair1}/reset_method", "", "pm\\n", "", "" },

	/* --- VFIO group viability and ownership (reference §1.2, §1.4) --- */
	{ "vfio-group-status-viable", "shared", S_EDU_VFIO, "vfio:group-status", VFIO_EDU, "",
	  "flags=0x1", R_EDU_VFIO, "" },
	{ "vfio-group-status-sibling-bound", "shared", S_PAIR0_VFIO, "vfio:group-status",
	  "{g:pair0} {pair0}", "", "flags=0x0", R_PAIR, "" },
	{ "vfio-set-container-sibling-bound", "shared", S_PAIR0_VFIO, "vfio:set-container",
	  "{g:pair0} {pair0}", "", "EPERM", R_PAIR, "" },
	{ "vfio-set-container-sibling-unbound", "shared",
	  S_PAIR0_VFIO ";bus/pci/drivers/e1000e/unbind={pair1}", "vfio:set-container",
	  "{g:pair0} {pair0}", "", "ok", R_PAIR, "" },
	{ "vfio-host-bind-into-held-group", "shared",
	  S_PAIR0_VFIO ";bus/pci/drivers/e1000e/unbind={pair1};vfio:hold={g:pair0}/{pair0}",
	  "write", "bus/pci/drivers/e1000e/bind", "{pair1}", "EBUSY", R_PAIR, "" },
	{ "vfio-drivers-probe-into-held-group", "shared",
	  S_PAIR0_VFIO ";bus/pci/drivers/e1000e/unbind={pair1};vfio:hold={g:pair0}/{pair0}",
	  "write", "bus/pci/drivers_probe", "{pair1}", "ok", R_PAIR,
	  "kernel: the DMA-ownership check (pci_dma_configure, -EBUSY) fails before e1000e's "
	  "->probe runs; that error aborts the attach and drivers_probe returns EINVAL, while "
	  "errors from ->probe itself are ignored (see vfio-pci-probe-no-iommu). The reference "
	  "says the write succeeds. The device stays unbound either way" },
	{ "vfio-host-bind-into-unheld-group", "shared",
	  S_PAIR0_VFIO ";bus/pci/drivers/e1000e/unbind={pair1}", "write",
	  "bus/pci/drivers/e1000e/bind", "{pair1}", "ok", R_PAIR,
	  "bound to vfio-pci but not attached to a container: a host driver may still bind" },
	{ "vfio-open-group-twice", "shared", S_EDU_VFIO, "vfio:open-group-twice", VFIO_EDU, "",
	  "EBUSY", R_EDU_VFIO, "" },
	{ "vfio-get-device-fd-no-iommu", "shared", S_EDU_VFIO, "vfio:get-device-fd-no-iommu",
	  VFIO_EDU, "", "EINVAL", R_EDU_VFIO, "" },
	{ "vfio-get-device-fd-unknown-name", "shared", S_EDU_VFIO, "vfio:get-device-fd", VFIO_EDU,
	  "0000:ff:1f.7", "ENODEV", R_EDU_VFIO, "" },
	{ "vfio-device-reset-no-reset", "shared", S_EDU_VFIO, "vfio:device-reset", VFIO_EDU, "",
	  "EINVAL", R_EDU_VFIO, "edu has no reset method, so reset_works is false" },
	{ "vfio-hot-reset-info-root-bus", "shared", S_EDU_VFIO, "vfio:hot-reset-info", VFIO_EDU, "",
	  "ENODEV", R_EDU_VFIO, "" },

	/* --- snoop control: the VT-d unit's ecap and VFIO_DMA_CC_IOMMU (issue 19) --- */
	{ "iommu-ecap-no-snoop-control", "shared", "", "read", "class/iommu/dmar0/intel-iommu/ecap",
	  "", "f00f4a\\n", "", "QEMU's intel-iommu without snoop-control: bit 7 (SC) clear" },
	{ "vfio-dma-cc-no-snoop-control", "shared", S_EDU_VFIO, "vfio:dma-cc", VFIO_EDU, "",
	  "before=0 after=0", R_EDU_VFIO,
	  "0 before VFIO_SET_IOMMU; after it, the domain cannot enforce cache coherency" },
	{ "iommu-ecap-snoop-control", "snoop", "", "read", "class/iommu/dmar0/intel-iommu/ecap", "",
	  "f00fca\\n", "", "snoop-control=on sets bit 7 (SC), nothing else" },
	{ "vfio-dma-cc-snoop-control", "snoop", S_EDU_VFIO, "vfio:dma-cc", VFIO_EDU, "",
	  "before=0 after=1", R_EDU_VFIO,
	  "0 before VFIO_SET_IOMMU; after it, the domain enforces cache coherency" },

	/* --- VFIO type1 DMA mapping (reference §5.4) --- */
	{ "vfio-map-dma", "shared", S_EDU_VFIO, "vfio:map-dma", VFIO_EDU,
	  "iova=0x100000 size=0x4000", "ok", R_EDU_VFIO, "" },
	{ "vfio-map-dma-overlap", "shared", S_EDU_VFIO, "vfio:map-dma", VFIO_EDU,
	  "premap=0x100000+0x4000 iova=0x102000 size=0x4000", "EEXIST", R_EDU_VFIO, "" },
	{ "vfio-map-dma-unaligned", "shared", S_EDU_VFIO, "vfio:map-dma", VFIO_EDU,
	  "iova=0x100000 size=0x1800", "EINVAL", R_EDU_VFIO, "" },
	{ "vfio-map-dma-msi-window", "shared", S_EDU_VFIO, "vfio:map-dma", VFIO_EDU,
	  "iova=0xfee00000 size=0x1000", "EINVAL", R_EDU_VFIO,
	  "0xfee00000 lies in the reserved MSI window (IOVA hole 0xfee00000-0xfeefffff)" },
	{ "vfio-map-dma-over-memlock-root", "shared", S_EDU_VFIO, "vfio:map-dma", VFIO_EDU,
	  "memlock=0x10000 iova=0x100000 size=0x100000", "ok", R_EDU_VFIO,
	  "root keeps CAP_IPC_LOCK, which bypasses RLIMIT_MEMLOCK in type1 (dma->lock_cap)" },
	{ "vfio-map-dma-over-memlock", "shared", S_EDU_VFIO, "vfio:map-dma", VFIO_EDU,
	  "memlock=0x10000 drop=CAP_IPC_LOCK iova=0x100000 size=0x100000", "ENOMEM", R_EDU_VFIO,
	  "CAP_IPC_LOCK dropped with capset() before the map" },

	/* Last shared row: "default" re-probes, and the boot-time "bus" cannot be written back. */
	{ "reset-method-default-re-probes", "shared",
	  "bus/pci/devices/{e1000}/reset_method=default", "read",
	  "bus/pci/devices/{e1000}/reset_method", "", "bus\\n", "",
	  "kernel: \"default\" re-runs the probe, which now sees pci-testdev on the same bus, so "
	  "the list becomes empty; the boot-time \"bus\" was an enumeration artefact (reference "
	  "§4.2 note) and cannot be restored",
	  1 },

	/* --- SR-IOV (reference §3.2, §3.1, §2.4) --- */
	{ "sriov-totalvfs-read", "sriov", "", "read", "bus/pci/devices/{pf}/sriov_totalvfs", "",
	  "4\\n", "", "" },
	{ "sriov-vf-device-read", "sriov", "", "read", "bus/pci/devices/{pf}/sriov_vf_device", "",
	  "10\\n", "", "" },
	{ "sriov-numvfs-enable", "sriov", "bus/pci/devices/{pf}/sriov_drivers_autoprobe=0", "write",
	  "bus/pci/devices/{pf}/sriov_numvfs", "2", "ok", R_VFS, "" },
	{ "sriov-numvfs-nonzero-to-nonzero", "sriov", S_VFS, "write",
	  "bus/pci/devices/{pf}/sriov_numvfs", "3", "EBUSY", R_VFS, "" },
	{ "sriov-numvfs-above-total", "sriov", "", "write", "bus/pci/devices/{pf}/sriov_numvfs",
	  "5", "ERANGE", "", "" },
	{ "sriov-numvfs-same", "sriov", "", "write", "bus/pci/devices/{pf}/sriov_numvfs", "0", "ok",
	  "", "" },
	{ "sriov-numvfs-garbage", "sriov", "", "write", "bus/pci/devices/{pf}/sriov_numvfs", "x",
	  "EINVAL", "", "" },
	{ "sriov-numvfs-no-driver", "sriov", "bus/pci/drivers/nvme/unbind={pf}", "write",
	  "bus/pci/devices/{pf}/sriov_numvfs", "2", "ENOENT", "bus/pci/drivers_probe={pf}", "" },
	{ "sriov-vf-reset-method", "sriov", S_VFS, "read", "bus/pci/devices/{vf0}/reset_method", "",
	  "flr\\n", R_VFS, "" },
	{ "sriov-vf-group-status", "sriov",
	  S_VFS ";bus/pci/devices/{vf0}/driver_override=vfio-pci;bus/pci/drivers_probe={vf0}",
	  "vfio:group-status", "{g:vf0} {vf0}", "", "flags=0x1",
	  "bus/pci/drivers/vfio-pci/unbind={vf0};" R_VFS, "the VF has its own group" },
	{ "vfio-pci-bind-pf-with-vfs", "sriov",
	  S_VFS ";bus/pci/devices/{pf}/driver_override=vfio-pci;bus/pci/drivers/nvme/unbind={pf}",
	  "write", "bus/pci/drivers/vfio-pci/bind", "{pf}", "EBUSY",
	  R_OVERRIDE("pf") ";bus/pci/drivers_probe={pf};" R_VFS,
	  "unbinding nvme leaves the VFs enabled; vfio-pci refuses a PF with VFs" },

	/* --- no interrupt remapping (reference §1.4) --- */
	{ "vfio-set-iommu-no-intremap", "nointremap", S_EDU_VFIO, "vfio:set-iommu", VFIO_EDU, "",
	  "EPERM", R_EDU_VFIO, "dmesg: No interrupt remapping support" },
	{ "vfio-group-status-no-intremap", "nointremap", S_EDU_VFIO, "vfio:group-status", VFIO_EDU,
	  "", "flags=0x1", R_EDU_VFIO, "" },

	/* --- no IOMMU at all (reference §1.6) --- */
	{ "vfio-pci-bind-no-iommu", "noiommu", "bus/pci/devices/{edu}/driver_override=vfio-pci",
	  "write", "bus/pci/drivers/vfio-pci/bind", "{edu}", "EINVAL", R_EDU_VFIO,
	  "Debian kernels have no VFIO_NOIOMMU" },
	{ "vfio-pci-probe-no-iommu", "noiommu", "bus/pci/devices/{edu}/driver_override=vfio-pci",
	  "write", "bus/pci/drivers_probe", "{edu}", "ok", R_EDU_VFIO,
	  "vfio-pci's ->probe fails with -22 (dmesg: probe of ... failed with error -22); "
	  "drivers_probe ignores ->probe errors and succeeds, the device stays unbound" },
	{ "iommu-group-link-no-iommu", "noiommu", "", "read",
	  "bus/pci/devices/{edu}/iommu_group/type", "", "ENOENT", "", "" },
};
