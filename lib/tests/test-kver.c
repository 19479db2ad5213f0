/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel version parsing and the comparisons rules depend on. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kver.h"

static void test_kver_parse(void **state)
{
	static const struct {
		const char *s;
		int r;
		unsigned major, minor, patch;
	} cases[] = {
		{ "6.1", 0, 6, 1, 0 },
		{ "6.1.0-28-amd64", 0, 6, 1, 0 },
		{ "5.15.167", 0, 5, 15, 167 },
		{ "4.18.0-553.el8_10.x86_64", 0, 4, 18, 0 },
		{ "6.12.9+bpo-amd64", 0, 6, 12, 9 },
		{ "6", -EINVAL },
		{ "six.one", -EINVAL },
		{ "6.x", -EINVAL },
		{ "", -EINVAL },
		{ "6.1.2.3", -EINVAL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pt_kver v = { 99, 99, 99 };

		print_message("%s\n", cases[i].s);
		assert_int_equal(pt_kver_parse(cases[i].s, &v), cases[i].r);
		if (cases[i].r == 0) {
			assert_int_equal(v.major, cases[i].major);
			assert_int_equal(v.minor, cases[i].minor);
			assert_int_equal(v.patch, cases[i].patch);
		} else {
			assert_int_equal(v.major, 99); /* untouched on failure */
		}
	}
}

static void test_kver_thresholds(void **state)
{
	struct pt_kver v;

	(void)state;
	assert_int_equal(pt_kver_parse("5.18.19", &v), 0);
	assert_false(pt_kver_at_least(&v, 5, 19));
	assert_true(pt_kver_at_least(&v, 5, 15));
	assert_int_equal(pt_kver_parse("5.19", &v), 0);
	assert_true(pt_kver_at_least(&v, 5, 19));
	assert_int_equal(pt_kver_parse("6.0", &v), 0);
	assert_true(pt_kver_at_least(&v, 5, 19));
	assert_false(pt_kver_at_least(&v, 6, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kver_parse),
		cmocka_unit_test(test_kver_thresholds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
