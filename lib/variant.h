/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which vfio-pci variant driver libvirt would pick for a device, from modules.alias. */
#pragma once

#include <stdbool.h>
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
struct pt_backend;

/* The "alias vfio_pci:" lines of a modules.alias text (len bytes, '\n'-separated), each
 * ending in '\n', NUL-terminated; "" when there is none. NULL: out of memory. */
char *pt_variant_alias_lines(const char *text, size_t len);

/* The host's /lib/modules/RELEASE/modules.alias through the backend (RELEASE from procfs
 * sys/kernel/osrelease, as uname -r): 0 with *ret_lines its vfio_pci lines
 * (pt_variant_alias_lines) and, when ret_release is given, the release (caller frees both);
 * -ENOENT when the host shows no such file, another -errno when it cannot be read. */
int pt_variant_read_aliases(struct pt_backend *be, char **ret_release, char **ret_lines);

/* The host's modules.alias text (/lib/modules/$(uname -r)/modules.alias), copied, instead of
 * the file the engine otherwise reads through its backend on first use; NULL: unknown.
 * Without it the engine cannot tell which variant libvirt would pick. 0 or -ENOMEM. */
int pt_engine_set_modules_alias(struct pt_engine *e, const char *text);

/* Whether libvirt would pick a variant for dev at all: an endpoint in an IOMMU group on a
 * host with an IOMMU (what inspect shows the pick for). */
bool pt_variant_applies(const struct pt_host *host, const struct pt_dev *dev);

/* What inspect says when the host's aliases are not known. */
#define PT_VARIANT_UNKNOWN_REASON "no modules.alias of the host's kernel release"

/* libvirt's variant for dev from aliases (a modules.alias text or its vfio_pci lines; NULL:
 * unknown): as pt_variant_for. */
int pt_variant_of_dev(const struct pt_dev *dev, const char *aliases, char **ret_module);

/* libvirt's variant for dev on this host: 1 with *ret_module (caller frees), 0 when no
 * "vfio_pci:" alias matches (plain vfio-pci), -ENODATA when the host's modules.alias is not
 * known ("unknown"), -ENOMEM. */
int pt_variant_for(struct pt_engine *e, const struct pt_dev *dev, char **ret_module);

/* The driver a managed detach moves dev to: pt_detach_target(), except that where it is
 * vfio-pci and the host's modules.alias names a variant for dev, that variant, as libvirt 10
 * binds it (the name in buf, of size bytes). */
const char *pt_detach_target_for(struct pt_engine *e, const struct pt_dev *dev,
				 const char *requested, char *buf, size_t size);
