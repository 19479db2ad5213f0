/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reset-method names, the reset_method attribute, and deriving methods from config space. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "reset.h"

static const char *const method_names[_PT_RESET_METHOD_MAX] = {
	[PT_RESET_DEVICE_SPECIFIC] = "device_specific",
	[PT_RESET_ACPI] = "acpi",
	[PT_RESET_FLR] = "flr",
	[PT_RESET_AF_FLR] = "af_flr",
	[PT_RESET_PM] = "pm",
	[PT_RESET_BUS] = "bus",
	[PT_RESET_CXL_BUS] = "cxl_bus",
};

static const char *const source_names[_PT_RESET_SOURCE_MAX] = {
	[PT_RESET_SOURCE_KERNEL] = "kernel",
	[PT_RESET_SOURCE_DERIVED] = "derived",
};

_public_ const char *pt_reset_method_to_string(enum pt_reset_method m)
{
	return (unsigned)m < _PT_RESET_METHOD_MAX ? method_names[m] : NULL;
}

_public_ int pt_reset_method_from_string(const char *s)
{
	for (size_t i = 0; i < _PT_RESET_METHOD_MAX; i++)
		if (strcmp(s, method_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

_public_ const char *pt_reset_source_to_string(enum pt_reset_source s)
{
	return (unsigned)s < _PT_RESET_SOURCE_MAX ? source_names[s] : NULL;
}

_public_ bool pt_reset_info_has(const struct pt_reset_info *info, enum pt_reset_method m)
{
	for (size_t i = 0; i < info->count; i++)
		if (info->methods[i] == m)
			return true;
	return false;
}

_public_ int pt_reset_parse_attr(const char *text, struct pt_reset_info *ret)
{
	struct pt_reset_info info = { .source = PT_RESET_SOURCE_KERNEL };
	const char *p = text;

	for (;;) {
		char name[32];
		size_t len;
		int m;

		p += strspn(p, " \n");
		if (*p == '\0')
			break;
		len = strcspn(p, " \n");
		if (len >= sizeof(name))
			return -EINVAL;
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		m = pt_reset_method_from_string(name);
		if (m < 0 || pt_reset_info_has(&info, (enum pt_reset_method)m))
			return -EINVAL;
		info.methods[info.count++] = (enum pt_reset_method)m;
	}
	*ret = info;
	return 0;
}

/*
 * Device-specific resets (pci_dev_reset_methods[] in drivers/pci/quirks.c, 6.1). Some quirks
 * only wrap FLR and probe as unsupported without it; Chelsio's applies to T4 parts only.
 */
static const struct quirk {
	uint16_t vendor;
	uint16_t device; /* 0xffff: any */
	uint16_t dev_mask; /* device & mask == device field, for families */
	bool needs_flr;
} reset_quirks[] = {
	{ 0x8086, 0x10ed, 0xffff, false }, /* 82599 SFP VF */
	{ 0x8086, 0x0156, 0xffff, false }, /* Ivy Bridge mobile IGD */
	{ 0x8086, 0x0166, 0xffff, false }, /* Ivy Bridge mobile IGD */
	{ 0x144d, 0xa804, 0xffff, true }, /* Samsung NVMe: disable, then FLR */
	{ 0x8086, 0x0953, 0xffff, true }, /* Intel 750 NVMe: FLR, then 250 ms */
	{ 0x1425, 0x4000, 0xf000, false }, /* Chelsio T4 */
	{ 0x19e5, 0x375e, 0xffff, false }, /* Huawei HiNIC VF */
};

static bool device_specific(const struct pt_pciconf *cfg)
{
	for (size_t i = 0; i < ELEMENTSOF(reset_quirks); i++) {
		const struct quirk *q = &reset_quirks[i];

		if (q->vendor == cfg->vendor && (cfg->device & q->dev_mask) == q->device)
			return !q->needs_flr || cfg->flr;
	}
	return false;
}

static void add(struct pt_reset_info *info, enum pt_reset_method m, bool ok, const char *why)
{
	info->reason[m] = why;
	if (ok)
		info->methods[info->count++] = m;
}

_public_ void pt_reset_derive(const struct pt_pciconf *cfg, const struct pt_reset_topology *topo,
			      struct pt_reset_info *ret)
{
	struct pt_reset_info info = { .source = PT_RESET_SOURCE_DERIVED };
	bool ds = device_specific(cfg);
	const char *bus_why;
	bool bus_ok = false;

	add(&info, PT_RESET_DEVICE_SPECIFIC, ds,
	    ds ? "a device-specific reset quirk matches this vendor:device" :
		 "no device-specific reset quirk for this vendor:device");
	add(&info, PT_RESET_ACPI, false, "ACPI _RST is not visible in sysfs or config space");
	add(&info, PT_RESET_FLR, cfg->flr,
	    cfg->flr ? "PCIe Device Capabilities advertise FLR" :
		       (cfg->pcie ? "PCIe Device Capabilities lack the FLR bit" :
				    "no PCI Express capability"));
	add(&info, PT_RESET_AF_FLR, cfg->af && cfg->af_tp && cfg->af_flr,
	    !cfg->af		      ? "no Advanced Features capability" :
	    cfg->af_tp && cfg->af_flr ? "Advanced Features capability with TP and FLR" :
					"Advanced Features capability lacks TP or FLR");
	add(&info, PT_RESET_PM, cfg->pm && !cfg->pm_no_soft_reset,
	    !cfg->pm		  ? "no Power Management capability" :
	    cfg->pm_no_soft_reset ? "PM No_Soft_Reset is set: D3hot->D0 does not reset" :
				    "PM capability with No_Soft_Reset clear");

	if (topo->root_bus)
		bus_why = "on a root bus: no upstream bridge to reset";
	else if (topo->has_subordinate)
		bus_why = "the device is a bridge";
	else if (topo->bus_siblings > 0)
		bus_why = "other devices share its bus";
	else {
		bus_why = "alone on its bus below a bridge";
		bus_ok = true;
	}
	add(&info, PT_RESET_BUS, bus_ok, bus_why);
	add(&info, PT_RESET_CXL_BUS, false, "not a CXL device with SBR masked");
	*ret = info;
}
