/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Can a VM with host devices migrate, and if by unplugging them, onto which devices there. */
#pragma once

#include <stdbool.h>

#include "engine.h"
#include "vm.h"

struct pt_migrate_device {
	const char *address;
	bool failover; /* a NIC marked for unplug before migration (virtio failover) */
};

struct pt_migrate_entry {
	char *address;
	bool ok;
	const char *rule;
	char *reason; /* why it migrates or why not */
	char *destination; /* for an unplugged device: its replacement on the destination host */
	const char *kind; /* "same-pf-network", "any-vf", "same-address", "any-device" */
};

struct pt_migrate_result {
	bool migratable;
	struct pt_migrate_entry *entries;
	size_t count;
};
void pt_migrate_result_clear(struct pt_migrate_result *r);

/*
 * Decide whether a VM with these devices can migrate: each device either supports VFIO
 * migration (bound to a migration-capable vfio-pci variant driver) or is a NIC marked for
 * failover, which is unplugged and replaced on the destination. With dst (a second host,
 * optional) each unplugged device gets its destination by the three kinds: a VF of the PF
 * with the same network (netdev name), any free VF with the same ids, the same address or
 * any device with the same ids. Returns 0 (migratable), 1 (migration-blocked in the outcome,
 * every blocking device with its reason in the result), or a negative errno.
 */
int pt_migrate_check(struct pt_engine *src, const struct pt_migrate_device *devices, size_t n,
		     struct pt_engine *dst, struct pt_migrate_result *ret, struct pt_outcome *out);

/* pt_driver_migrates (drivers.h) says which drivers implement VFIO migration. */
