/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The locked-memory limit a VM with assigned devices needs, as libvirt computes it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define PT_MEMLOCK_UNLIMITED UINT64_MAX

enum pt_arch {
	PT_ARCH_X86_64,
	PT_ARCH_PPC64,
	_PT_ARCH_MAX,
};
const char *pt_arch_to_string(enum pt_arch a);
int pt_arch_from_string(const char *s);

struct pt_memlock_vm {
	enum pt_arch arch;
	bool kvm; /* accelerated; a TCG guest pins nothing for devices on ppc64 */
	uint64_t memory; /* guest memory, bytes */
	uint64_t max_memory; /* ppc64: maximum memory with hotplug, bytes; 0: memory */
	uint64_t hard_limit; /* <memtune><hard_limit>, bytes; 0: none */
	bool locked; /* <memoryBacking><locked/> */
	bool viommu; /* a vIOMMU: every VFIO device gets its own address space */
	unsigned vfio_devices; /* VFIO PCI host devices and mdevs */
	unsigned nvme_disks; /* NVMe disks assigned through VFIO (each pins guest RAM) */
	unsigned vdpa_devices;
	unsigned phbs; /* ppc64: PCI host bridges in use (at least 1) */
	bool nvlink2; /* ppc64: NVLink2 GPU passthrough */
};

/*
 * The RLIMIT_MEMLOCK the VM's QEMU process needs, in bytes: PT_MEMLOCK_UNLIMITED, or 0 when
 * nothing has to be pinned (no limit is set then). *ret_rule names the rule that decided.
 * Follows qemuDomainGetMemLockLimitBytes() (libvirt src/qemu/qemu_domain.c):
 *   hard limit wins; locked memory is unlimited; ppc64 KVM has its TCE-table formula;
 *   otherwise (nvdpa + nnvme + (nvfio ? (vIOMMU ? nvfio : 1) : 0)) x memory + 1 GiB.
 * Returns 0, or -EINVAL for an unknown architecture or a sum that overflows.
 */
int pt_memlock_limit(const struct pt_memlock_vm *vm, uint64_t *ret_bytes, const char **ret_rule);

/*
 * Raise process pid's RLIMIT_MEMLOCK (soft and hard) to bytes, as libvirt does for QEMU: never
 * lowered. *ret_old gets the limit found (PT_MEMLOCK_UNLIMITED for RLIM_INFINITY). Returns 1
 * when it was raised, 0 when it was already high enough, or a negative errno (-EPERM without
 * CAP_SYS_RESOURCE, -ESRCH for no such process).
 */
int pt_memlock_apply(int pid, uint64_t bytes, uint64_t *ret_old);
