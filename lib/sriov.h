/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SR-IOV: enabling VFs, and choosing a VF (or a device) for a VM the three ways VMs need. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"

/*
 * What the VM needs, the three kinds of assignment:
 *   the PF matters:        pf (address or netdev name), optional vfs index ranges "0,2-5";
 *   the PF does not:       id "vvvv:dddd" of the VF, anywhere; prefer numa_node, spread
 *                          over PFs (the one with the fewest VFs in use first);
 *   not SR-IOV:            id or class of a plain device, or same_address.
 * A VF is free when no VM has it, its group is or can be made viable (only the VF itself
 * blocks it), and its PF is bound to a driver.
 */
struct pt_vf_query {
	const char *pf;
	const char *vfs;
	const char *id; /* "8086:10ca" */
	const char *class; /* "020000" (not SR-IOV), prefix match on the hex digits given */
	const char *same_address;
	int numa_node; /* -1: no preference */
	bool create; /* no free VF: enable VFs on a PF that has none (autoprobe off first) */
	unsigned create_count; /* 0: all the PF offers */
};

/*
 * Choose a device; *ret (16 bytes) gets its address. Returns 0 (OK), 1 (vf-unavailable,
 * device-not-found, sriov-unsupported, numvfs-* in the outcome), -EINVAL for a malformed
 * query (bad index ranges or id), or another negative errno.
 */
int pt_select_vf(struct pt_engine *e, const struct pt_vf_query *q, char *ret,
		 struct pt_outcome *out);

/*
 * Enable count VFs on a PF (0 disables them). From one non-zero count to another the kernel
 * wants 0 first (EBUSY otherwise): the engine writes 0 first when no VF is in use by a VM. If
 * the driver enables fewer VFs than asked, the PF is put back as it was and the outcome is
 * vf-unavailable. Returns as pt_select_vf.
 */
int pt_set_numvfs(struct pt_engine *e, const char *pf, unsigned count, struct pt_outcome *out);

/* Parse index ranges ("0,2-5") into a bitmap of up to 256 VFs. Returns 0 or -EINVAL. */
int pt_parse_vf_ranges(const char *s, uint64_t ret_bits[4]);
