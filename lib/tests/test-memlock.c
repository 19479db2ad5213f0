/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The memlock limit against libvirt's own test cases (tests/qemumemlocktest.c). */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "memlock.h"

#define GiB (1024ull * 1024 * 1024)

/*
 * libvirt's qemumemlocktest: every guest has 1 GiB of memory; the hard limit in its XML is
 * 2097152 KiB; "hostdev" is one VFIO PCI device, "nvme" adds one NVMe disk; the pseries
 * hostdev case puts the device on a second PHB. Expected bytes are libvirt's, as its test
 * asserts them.
 */
static const struct memlock_case {
	const char *name;
	struct pt_memlock_vm vm;
	uint64_t bytes;
} cases[] = {
	{ "pc-kvm", { .arch = PT_ARCH_X86_64, .kvm = true, .memory = GiB }, 0 },
	{ "pc-tcg", { .arch = PT_ARCH_X86_64, .memory = GiB }, 0 },
	{ "pc-hardlimit",
	  { .arch = PT_ARCH_X86_64, .kvm = true, .memory = GiB, .hard_limit = 2097152ull * 1024 },
	  2147483648ull },
	{ "pc-locked",
	  { .arch = PT_ARCH_X86_64, .kvm = true, .memory = GiB, .locked = true },
	  PT_MEMLOCK_UNLIMITED },
	{ "pc-hostdev",
	  { .arch = PT_ARCH_X86_64, .kvm = true, .memory = GiB, .vfio_devices = 1 },
	  2147483648ull },
	{ "pc-hostdev-nvme",
	  { .arch = PT_ARCH_X86_64,
	    .kvm = true,
	    .memory = GiB,
	    .vfio_devices = 1,
	    .nvme_disks = 1 },
	  3221225472ull },
	{ "pc-hardlimit+locked",
	  { .arch = PT_ARCH_X86_64,
	    .kvm = true,
	    .memory = GiB,
	    .hard_limit = 2097152ull * 1024,
	    .locked = true },
	  2147483648ull },
	{ "pc-hardlimit+hostdev",
	  { .arch = PT_ARCH_X86_64,
	    .kvm = true,
	    .memory = GiB,
	    .hard_limit = 2097152ull * 1024,
	    .vfio_devices = 1 },
	  2147483648ull },
	{ "pc-hardlimit+locked+hostdev",
	  { .arch = PT_ARCH_X86_64,
	    .kvm = true,
	    .memory = GiB,
	    .hard_limit = 2097152ull * 1024,
	    .locked = true,
	    .vfio_devices = 1 },
	  2147483648ull },
	{ "pc-locked+hostdev",
	  { .arch = PT_ARCH_X86_64, .kvm = true, .memory = GiB, .locked = true, .vfio_devices = 1 },
	  PT_MEMLOCK_UNLIMITED },
	{ "pseries-kvm",
	  { .arch = PT_ARCH_PPC64, .kvm = true, .memory = GiB, .phbs = 1 },
	  20971520ull },
	{ "pseries-tcg", { .arch = PT_ARCH_PPC64, .memory = GiB, .phbs = 1 }, 0 },
	{ "pseries-hardlimit",
	  { .arch = PT_ARCH_PPC64,
	    .kvm = true,
	    .memory = GiB,
	    .phbs = 1,
	    .hard_limit = 2097152ull * 1024 },
	  2147483648ull },
	{ "pseries-locked",
	  { .arch = PT_ARCH_PPC64, .kvm = true, .memory = GiB, .phbs = 1, .locked = true },
	  PT_MEMLOCK_UNLIMITED },
	{ "pseries-hostdev",
	  { .arch = PT_ARCH_PPC64, .kvm = true, .memory = GiB, .phbs = 2, .vfio_devices = 1 },
	  4320133120ull },
	{ "pseries-hardlimit+locked",
	  { .arch = PT_ARCH_PPC64,
	    .kvm = true,
	    .memory = GiB,
	    .phbs = 1,
	    .hard_limit = 2097152ull * 1024,
	    .locked = true },
	  2147483648ull },
	{ "pseries-hardlimit+hostdev",
	  { .arch = PT_ARCH_PPC64,
	    .kvm = true,
	    .memory = GiB,
	    .phbs = 2,
	    .hard_limit = 2097152ull * 1024,
	    .vfio_devices = 1 },
	  2147483648ull },
	{ "pseries-hardlimit+locked+hostdev",
	  { .arch = PT_ARCH_PPC64,
	    .kvm = true,
	    .memory = GiB,
	    .phbs = 2,
	    .hard_limit = 2097152ull * 1024,
	    .locked = true,
	    .vfio_devices = 1 },
	  2147483648ull },
	{ "pseries-locked+hostdev",
	  { .arch = PT_ARCH_PPC64,
	    .kvm = true,
	    .memory = GiB,
	    .phbs = 2,
	    .locked = true,
	    .vfio_devices = 1 },
	  PT_MEMLOCK_UNLIMITED },
};

static void test_memlock_libvirt_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t got = 12345;
		const char *rule = NULL;

		print_message("%s\n", cases[i].name);
		assert_int_equal(pt_memlock_limit(&cases[i].vm, &got, &rule), 0);
		assert_true(got == cases[i].bytes);
		assert_non_null(rule);
	}
}

/* Beyond libvirt's cases: the vIOMMU multiplies by the number of devices (each its own
 * address space), NVMe disks and vDPA devices pin separately, and nothing fits in 64 bits
 * past the maximum. */
static void test_memlock_viommu_and_overflow(void **state)
{
	struct pt_memlock_vm vm = {
		.arch = PT_ARCH_X86_64, .kvm = true, .memory = 4 * GiB, .vfio_devices = 3
	};
	const char *rule;
	uint64_t got;

	(void)state;
	assert_int_equal(pt_memlock_limit(&vm, &got, &rule), 0);
	assert_true(got == 5 * GiB);
	assert_string_equal(rule, "E-MEMLOCK-PINNED");
	vm.viommu = true;
	assert_int_equal(pt_memlock_limit(&vm, &got, &rule), 0);
	assert_true(got == 13 * GiB);
	vm.vdpa_devices = 1;
	vm.nvme_disks = 2;
	assert_int_equal(pt_memlock_limit(&vm, &got, &rule), 0);
	assert_true(got == 25 * GiB);
	vm.memory = UINT64_MAX / 2;
	assert_int_equal(pt_memlock_limit(&vm, &got, &rule), -EINVAL);
	vm = (struct pt_memlock_vm){ .arch = _PT_ARCH_MAX };
	assert_int_equal(pt_memlock_limit(&vm, &got, &rule), -EINVAL);
	assert_int_equal(pt_arch_from_string("ppc64"), PT_ARCH_PPC64);
	assert_int_equal(pt_arch_from_string("arm"), -EINVAL);
}

/* Applying never lowers: a limit below the current one leaves it alone. */
static void test_memlock_apply_never_lowers(void **state)
{
	uint64_t old = 0;

	(void)state;
	assert_int_equal(pt_memlock_apply(getpid(), 1, &old), 0);
	assert_true(old >= 1);
	assert_int_equal(pt_memlock_apply(999999999, 1, &old), -ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memlock_libvirt_cases),
		cmocka_unit_test(test_memlock_viommu_and_overflow),
		cmocka_unit_test(test_memlock_apply_never_lowers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
