/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which vfio-pci variant driver libvirt would pick for a device, from modules.alias. */
#pragma once

#include <stddef.h>

#include "host.h"

/* The device's modalias as drivers/pci/pci-sysfs.c modalias_show() writes it:
 * "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X". size >= 64. */
void pt_variant_modalias(const struct pt_dev_props *p, char *buf, size_t size);

/*
 * libvirt's choice (10.0+, virPCIDeviceFindBestVFIOVariant in src/util/virpci.c): of the
 * "alias vfio_pci:PATTERN MODULE" lines of modules.alias (scripts/mod/file2alias.c writes them
 * for the override_only ids of vfio-pci variants), the module whose PATTERN matches the
 * device's modalias (after "pci:") with the fewest '*' wildcards (libvirt commit 82e2fac2);
 * the first on a tie.
 * aliases is the file's text (NUL-terminated). Returns 1 with *ret_module (caller frees), 0
 * when no line matches (libvirt then uses vfio-pci), or -ENOMEM.
 */
int pt_variant_pick(const char *modalias, const char *aliases, char **ret_module);

struct pt_engine;

/* The host's modules.alias text (/lib/modules/$(uname -r)/modules.alias), copied; NULL
 * forgets it. Without it the engine cannot tell which variant libvirt would pick. 0 or
 * -ENOMEM. */
int pt_engine_set_modules_alias(struct pt_engine *e, const char *text);

/* libvirt's variant for dev on this host: 1 with *ret_module (caller frees), 0 when no
 * "vfio_pci:" alias matches (plain vfio-pci), -ENODATA when the host's modules.alias is not
 * known ("unknown"), -ENOMEM. */
int pt_variant_for(struct pt_engine *e, const struct pt_dev *dev, char **ret_module);
