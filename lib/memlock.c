/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The locked-memory limit for a VM with VFIO devices (libvirt's formula, rule by rule). */

#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "macro.h"
#include "memlock.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)
#define TiB (1024ull * GiB)

static const char *const arch_names[_PT_ARCH_MAX] = {
	[PT_ARCH_X86_64] = "x86_64",
	[PT_ARCH_PPC64] = "ppc64",
};

_public_ const char *pt_arch_to_string(enum pt_arch a)
{
	return (unsigned)a < _PT_ARCH_MAX ? arch_names[a] : NULL;
}

_public_ int pt_arch_from_string(const char *s)
{
	for (size_t i = 0; i < _PT_ARCH_MAX; i++)
		if (strcmp(s, arch_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

/* a * b + c, or -EINVAL when it does not fit. */
static int mul_add(uint64_t a, uint64_t b, uint64_t c, uint64_t *ret)
{
	uint64_t p;

	if (__builtin_mul_overflow(a, b, &p) || __builtin_add_overflow(p, c, ret))
		return -EINVAL;
	return 0;
}

/*
 * ppc64 (getPPC64MemLockLimitBytes): the TCE tables the hypervisor pins (max memory / 128,
 * 4 MiB per PHB, 8 MiB of overhead), plus for passthrough either the NVLink2 window or
 * max(2 GiB per PHB, memory + memory / 512 per PHB + 8 MiB).
 */
static int ppc64_limit(const struct pt_memlock_vm *vm, uint64_t *ret)
{
	uint64_t maxmem = vm->max_memory ? vm->max_memory : vm->memory;
	uint64_t phbs = vm->phbs ? vm->phbs : 1;
	uint64_t base = maxmem / 128 + 4 * MiB * phbs + 8 * MiB;
	uint64_t pass = 0;

	if (vm->nvlink2) {
		pass = maxmem + 128 * TiB / (512 * KiB) * phbs + 8 * MiB;
	} else if (vm->vfio_devices || vm->vdpa_devices || vm->nvme_disks) {
		uint64_t a = 2 * GiB * phbs;
		uint64_t b = vm->memory + vm->memory / 512 * phbs + 8 * MiB;

		pass = a > b ? a : b;
	}
	return __builtin_add_overflow(base, pass, ret) ? -EINVAL : 0;
}

_public_ int pt_memlock_limit(const struct pt_memlock_vm *vm, uint64_t *ret_bytes,
			      const char **ret_rule)
{
	uint64_t factor;
	int r;

	if ((unsigned)vm->arch >= _PT_ARCH_MAX)
		return -EINVAL;
	if (vm->hard_limit) {
		*ret_rule = "E-MEMLOCK-HARD-LIMIT";
		*ret_bytes = vm->hard_limit;
		return 0;
	}
	if (vm->locked) {
		*ret_rule = "E-MEMLOCK-LOCKED";
		*ret_bytes = PT_MEMLOCK_UNLIMITED;
		return 0;
	}
	if (vm->arch == PT_ARCH_PPC64) {
		*ret_rule = "E-MEMLOCK-PPC64";
		if (!vm->kvm) {
			*ret_bytes = 0;
			return 0;
		}
		return ppc64_limit(vm, ret_bytes);
	}
	factor = (uint64_t)vm->vdpa_devices + vm->nvme_disks +
		 (vm->vfio_devices ? (vm->viommu ? vm->vfio_devices : 1) : 0);
	if (factor == 0) {
		*ret_rule = "E-MEMLOCK-NONE";
		*ret_bytes = 0;
		return 0;
	}
	r = mul_add(factor, vm->memory, 1 * GiB, ret_bytes);
	if (r >= 0)
		*ret_rule = "E-MEMLOCK-PINNED";
	return r;
}

_public_ int pt_memlock_apply(int pid, uint64_t bytes, uint64_t *ret_old)
{
	struct rlimit old, want;
	uint64_t cur;

	if (prlimit(pid, RLIMIT_MEMLOCK, NULL, &old) < 0)
		return negative_errno();
	cur = old.rlim_cur == RLIM_INFINITY ? PT_MEMLOCK_UNLIMITED : old.rlim_cur;
	*ret_old = cur;
	if (cur >= bytes)
		return 0;
	want.rlim_cur = want.rlim_max = bytes == PT_MEMLOCK_UNLIMITED ? RLIM_INFINITY : bytes;
	if (prlimit(pid, RLIMIT_MEMLOCK, &want, NULL) < 0)
		return negative_errno();
	return 1;
}
