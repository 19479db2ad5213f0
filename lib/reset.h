/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PCI function reset methods: the kernel's names and order, and how a device's set is found. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pciconf.h"

/* In the kernel's priority order (pci_reset_fn_methods[] in drivers/pci/pci.c). */
enum pt_reset_method {
	PT_RESET_DEVICE_SPECIFIC,
	PT_RESET_ACPI,
	PT_RESET_FLR,
	PT_RESET_AF_FLR,
	PT_RESET_PM,
	PT_RESET_BUS,
	PT_RESET_CXL_BUS,
	_PT_RESET_METHOD_MAX,
};

const char *pt_reset_method_to_string(enum pt_reset_method m);
/* Returns the method, or -EINVAL for a name the kernel does not know. */
int pt_reset_method_from_string(const char *s);

enum pt_reset_source {
	PT_RESET_SOURCE_KERNEL, /* the reset_method attribute (kernel >= 5.15) */
	PT_RESET_SOURCE_DERIVED, /* worked out from config space and topology */
	_PT_RESET_SOURCE_MAX,
};
const char *pt_reset_source_to_string(enum pt_reset_source s);

struct pt_reset_info {
	enum pt_reset_source source;
	size_t count;
	enum pt_reset_method methods[_PT_RESET_METHOD_MAX]; /* enabled, in priority order */
	/* For a derived set: why each method is or is not supported (static text). */
	const char *reason[_PT_RESET_METHOD_MAX];
};

/* What derivation looks at, besides config space. */
struct pt_reset_topology {
	bool root_bus; /* the device sits on a root bus (no upstream bridge) */
	bool has_subordinate; /* the device is itself a bridge with a bus below */
	size_t bus_siblings; /* other devices on the same bus */
};

/* Parse the text of reset_method ("flr bus\n", or "" when all were disabled).
 * Returns 0, or -EINVAL for a name the kernel does not know or a repeated one. */
int pt_reset_parse_attr(const char *text, struct pt_reset_info *ret);

/* Derive the supported methods the way pci_init_reset_methods() probes them.
 * ACPI _RST cannot be seen from sysfs or config space and is reported as not derivable. */
void pt_reset_derive(const struct pt_pciconf *cfg, const struct pt_reset_topology *topo,
		     struct pt_reset_info *ret);

bool pt_reset_info_has(const struct pt_reset_info *info, enum pt_reset_method m);
