/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The strict sysfs parsers, lexical link resolution, and the stable names of codes and
 * methods (engine.h, memlock.h): what the kernel prints must parse, nothing else. */

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"
#include "internal.h"
#include "memlock.h"

static void test_util_parse_hex(void **state)
{
	unsigned long v = 0;

	(void)state;
	/* The kernel prints vendor, device and class as "0x%04x" / "0x%06x". */
	assert_int_equal(pt_parse_hex("0x8086", 0xffff, &v), 0);
	assert_int_equal(v, 0x8086);
	assert_int_equal(pt_parse_hex("0X10DE", 0xffff, &v), 0);
	assert_int_equal(v, 0x10de);
	assert_int_equal(pt_parse_hex("030000", 0xffffff, &v), 0);
	assert_int_equal(v, 0x030000);
	assert_int_equal(pt_parse_hex("0x10000", 0xffff, &v), -EINVAL);
	assert_int_equal(pt_parse_hex("0x", 0xffff, &v), -EINVAL);
	assert_int_equal(pt_parse_hex("", 0xffff, &v), -EINVAL);
	assert_int_equal(pt_parse_hex(" 0x1", 0xffff, &v), -EINVAL);
	assert_int_equal(pt_parse_hex("0x-1", 0xffff, &v), -EINVAL);
	assert_int_equal(pt_parse_hex("0x12 ", 0xffff, &v), -EINVAL);
	assert_int_equal(pt_parse_hex("0xffffffffffffffffff", ~0ul, &v), -EINVAL);
	assert_int_equal(v, 0x030000);
}

static void test_util_parse_int(void **state)
{
	long v = 0;

	(void)state;
	/* numa_node is -1 without NUMA; sriov_numvfs is a count. */
	assert_int_equal(pt_parse_int("-1", -1, 1024, &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(pt_parse_int("7", 0, 0xffff, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(pt_parse_int("-2", -1, 1024, &v), -EINVAL);
	assert_int_equal(pt_parse_int("65536", 0, 0xffff, &v), -EINVAL);
	assert_int_equal(pt_parse_int("-", -1, 1, &v), -EINVAL);
	assert_int_equal(pt_parse_int("+1", 0, 1, &v), -EINVAL);
	assert_int_equal(pt_parse_int("", 0, 1, &v), -EINVAL);
	assert_int_equal(pt_parse_int("1x", 0, 9, &v), -EINVAL);
	assert_int_equal(pt_parse_int("99999999999999999999999", 0, 9, &v), -EINVAL);
	assert_int_equal(v, 7);
}

static void test_util_parse_address(void **state)
{
	unsigned d = 0, b = 0, s = 0, f = 0;

	(void)state;
	assert_int_equal(pt_parse_address("0000:05:1f.7", &d, &b, &s, &f), 0);
	assert_int_equal(d, 0);
	assert_int_equal(b, 5);
	assert_int_equal(s, 0x1f);
	assert_int_equal(f, 7);
	assert_int_equal(pt_parse_address("10de:ff:00.1", &d, &b, &s, &f), 0);
	assert_int_equal(d, 0x10de);
	assert_int_equal(b, 0xff);
	/* Upper case, short forms, a slot past 31 or a function past 7 are not kernel names. */
	assert_int_equal(pt_parse_address("0000:0A:00.0", &d, &b, &s, &f), -EINVAL);
	assert_int_equal(pt_parse_address("05:00.0", &d, &b, &s, &f), -EINVAL);
	assert_int_equal(pt_parse_address("0000:05:20.0", &d, &b, &s, &f), -EINVAL);
	assert_int_equal(pt_parse_address("0000:05:00.8", &d, &b, &s, &f), -EINVAL);
	assert_int_equal(pt_parse_address("0000-05:00.0", &d, &b, &s, &f), -EINVAL);
	assert_int_equal(pt_parse_address("0000:05:00:0", &d, &b, &s, &f), -EINVAL);
	assert_int_equal(pt_parse_address("0000:05:00.00", &d, &b, &s, &f), -EINVAL);
	assert_int_equal(pt_parse_address("0000:0g:00.0", &d, &b, &s, &f), -EINVAL);
	/* Domains wider than 16 bits, as the kernel prints them ("%04x"): Intel VMD's. */
	assert_int_equal(pt_parse_address("10000:e1:00.0", &d, &b, &s, &f), 0);
	assert_int_equal(d, 0x10000);
	assert_int_equal(b, 0xe1);
	assert_int_equal(pt_parse_address("1ffff:00:1f.7", &d, &b, &s, &f), 0);
	assert_int_equal(d, 0x1ffff);
	/* "%04x" never pads past four digits; more than the buffers hold is refused. */
	assert_int_equal(pt_parse_address("010000:e1:00.0", &d, &b, &s, &f), -EINVAL);
	assert_int_equal(pt_parse_address("ffffffff:00:00.0", &d, &b, &s, &f), -EINVAL);
	assert_int_equal(pt_parse_address("000:05:00.0", &d, &b, &s, &f), -EINVAL);
}

/* What users type: the kernel's form back, or not a PCI address. */
static void test_util_address_canonical(void **state)
{
	static const struct {
		const char *in, *out; /* out NULL: -EINVAL */
	} cases[] = {
		{ "0000:05:00.0", "0000:05:00.0" },
		{ "05:00.0", "0000:05:00.0" },
		{ "0000:0A:00.0", "0000:0a:00.0" },
		{ "10000:E1:00.0", "10000:e1:00.0" },
		{ "0000:zz:00.0", NULL },
		{ "5:00.0", NULL },
		{ "05:00", NULL },
		{ "", NULL },
		{ "0000:05:20.0", NULL },
		{ "01:00.0.0", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[PT_ADDRESS_SIZE] = "";
		int r = pt_address_canonical(cases[i].in, out);

		if (cases[i].out ? r != 0 || strcmp(out, cases[i].out) != 0 : r != -EINVAL)
			fail_msg("'%s': r=%d '%s', want %s", cases[i].in, r, out,
				 cases[i].out ? cases[i].out : "-EINVAL");
	}
}

static void test_util_resolve_relative(void **state)
{
	char buf[64], *deep;
	size_t n = 0;

	(void)state;
	assert_int_equal(pt_resolve_relative("bus/pci/devices",
					     "../../../devices/pci0000:00/./0000:00:02.0", buf,
					     sizeof(buf)),
			 0);
	assert_string_equal(buf, "devices/pci0000:00/0000:00:02.0");
	assert_int_equal(pt_resolve_relative("a", "..", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(pt_resolve_relative("a//b/", "c", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "a/b/c");
	/* Above the root. */
	assert_int_equal(
		pt_resolve_relative("bus/pci/devices", "../../../../etc", buf, sizeof(buf)),
		-EXDEV);
	/* The result does not fit the caller's buffer. */
	assert_int_equal(pt_resolve_relative("bus/pci/devices", "0000:00:02.0", buf, 8),
			 -ENAMETOOLONG);
	/* More components than any sysfs path has. */
	deep = malloc(2 * 300 + 1);
	for (int i = 0; i < 300; i++) {
		deep[n++] = 'a';
		deep[n++] = '/';
	}
	deep[n] = '\0';
	assert_int_equal(pt_resolve_relative("x", deep, buf, sizeof(buf)), -ENAMETOOLONG);
	free(deep);
	/* Past twice PATH_MAX together. */
	deep = malloc(2 * PATH_MAX + 1);
	memset(deep, 'a', 2 * PATH_MAX);
	deep[2 * PATH_MAX] = '\0';
	assert_int_equal(pt_resolve_relative("x", deep, buf, sizeof(buf)), -ENAMETOOLONG);
	free(deep);
	assert_string_equal(pt_basename("../../bus/pci/drivers/vfio-pci"), "vfio-pci");
	assert_string_equal(pt_basename("5"), "5");
}

static void test_util_error_and_strv(void **state)
{
	struct pt_error err = { 0 };
	char **v = NULL;

	(void)state;
	assert_int_equal(pt_error_set(NULL, -EIO, "x", "ignored %d", 1), -EIO);
	assert_int_equal(pt_error_set(&err, -ENOENT, NULL, "no %s", "config"), -ENOENT);
	assert_int_equal(err.code, -ENOENT);
	assert_string_equal(err.path, "");
	assert_string_equal(err.reason, "no config");
	assert_int_equal(pt_strv_append(&v, "a"), 0);
	assert_int_equal(pt_strv_append(&v, "b"), 0);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "b");
	assert_null(v[2]);
	assert_null(pt_strv_free(v));
}

/* Stable names: every code round-trips, unknown ones are refused. */
static void test_util_names(void **state)
{
	(void)state;
	for (int c = 0; c < _PT_CODE_MAX; c++) {
		const char *s = pt_code_to_string((enum pt_code)c);

		assert_non_null(s);
		assert_int_equal(pt_code_from_string(s), c);
	}
	assert_string_equal(pt_code_to_string(PT_CODE_OK), "ok");
	assert_string_equal(pt_code_to_string(PT_CODE_GROUP_NOT_VIABLE), "group-not-viable");
	assert_string_equal(pt_code_to_string(PT_CODE_HOST_ERROR), "host-error");
	assert_null(pt_code_to_string(_PT_CODE_MAX));
	assert_null(pt_code_to_string((enum pt_code) - 1));
	assert_int_equal(pt_code_from_string("group_not_viable"), -EINVAL);
	assert_int_equal(pt_code_from_string(""), -EINVAL);

	assert_string_equal(pt_bind_method_to_string(PT_BIND_OVERRIDE), "override");
	assert_string_equal(pt_bind_method_to_string(PT_BIND_NEW_ID), "new_id");
	assert_null(pt_bind_method_to_string(_PT_BIND_METHOD_MAX));
	assert_int_equal(pt_bind_method_from_string("override"), PT_BIND_OVERRIDE);
	assert_int_equal(pt_bind_method_from_string("new_id"), PT_BIND_NEW_ID);
	assert_int_equal(pt_bind_method_from_string("new-id"), -EINVAL);

	assert_string_equal(pt_arch_to_string(PT_ARCH_X86_64), "x86_64");
	assert_string_equal(pt_arch_to_string(PT_ARCH_PPC64), "ppc64");
	assert_null(pt_arch_to_string(_PT_ARCH_MAX));
	assert_int_equal(pt_arch_from_string("ppc64"), PT_ARCH_PPC64);
	assert_int_equal(pt_arch_from_string("aarch64"), -EINVAL);

	/* vfio-pci and its variant drivers (e.g. mlx5_vfio_pci) and pci-stub are stubs. */
	assert_true(pt_driver_is_stub("vfio-pci"));
	assert_true(pt_driver_is_stub("mlx5_vfio_pci"));
	assert_true(pt_driver_is_stub("pci-stub"));
	assert_false(pt_driver_is_stub("e1000e"));
	assert_false(pt_driver_is_stub(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_parse_hex),
		cmocka_unit_test(test_util_parse_int),
		cmocka_unit_test(test_util_parse_address),
		cmocka_unit_test(test_util_address_canonical),
		cmocka_unit_test(test_util_resolve_relative),
		cmocka_unit_test(test_util_error_and_strv),
		cmocka_unit_test(test_util_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
