/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reset methods: the reset_method attribute and derivation in the kernel's order. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "reset.h"

static void test_reset_parse_attr(void **state)
{
	struct pt_reset_info r;

	(void)state;
	assert_int_equal(pt_reset_parse_attr("flr bus\n", &r), 0);
	assert_int_equal(r.source, PT_RESET_SOURCE_KERNEL);
	assert_int_equal(r.count, 2);
	assert_int_equal(r.methods[0], PT_RESET_FLR);
	assert_int_equal(r.methods[1], PT_RESET_BUS);
	/* All methods disabled by the user: the kernel shows an empty file. */
	assert_int_equal(pt_reset_parse_attr("", &r), 0);
	assert_int_equal(r.count, 0);
	/* The user's order is kept (the kernel accepts a re-ordered subset). */
	assert_int_equal(pt_reset_parse_attr("bus pm", &r), 0);
	assert_int_equal(r.methods[0], PT_RESET_BUS);
	assert_int_equal(r.methods[1], PT_RESET_PM);
	assert_int_equal(pt_reset_parse_attr("flr reboot\n", &r), -EINVAL);
	assert_int_equal(pt_reset_parse_attr("flr flr", &r), -EINVAL);
}

static void test_reset_names_round_trip(void **state)
{
	static const char *const order[] = { "device_specific", "acpi", "flr",
					     "af_flr",		"pm",	"bus",
					     "cxl_bus" };

	(void)state;
	for (int i = 0; i < _PT_RESET_METHOD_MAX; i++) {
		assert_string_equal(pt_reset_method_to_string((enum pt_reset_method)i), order[i]);
		assert_int_equal(pt_reset_method_from_string(order[i]), i);
	}
	assert_int_equal(pt_reset_method_from_string("default"), -EINVAL);
}

/* One derivation case: config facts and position, and the methods the kernel would probe. */
static const struct derive_case {
	const char *name;
	struct pt_pciconf cfg;
	struct pt_reset_topology topo;
	const char *expect;
} derive_cases[] = {
	{ "flr+pm, alone below a bridge",
	  { .vendor = 0x8086, .pcie = true, .flr = true, .pm = true },
	  { .bus_siblings = 0 },
	  "flr pm bus" },
	{ "pm with No_Soft_Reset, shared bus",
	  { .vendor = 0x8086, .pm = true, .pm_no_soft_reset = true },
	  { .bus_siblings = 1 },
	  "" },
	{ "on a root bus: no bus reset",
	  { .vendor = 0x8086, .pm = true },
	  { .root_bus = true },
	  "pm" },
	{ "a bridge: no bus reset of itself",
	  { .vendor = 0x8086, .header_type = 1, .pm = true },
	  { .has_subordinate = true },
	  "pm" },
	{ "AF with TP and FLR",
	  { .vendor = 0x8086, .af = true, .af_tp = true, .af_flr = true },
	  { .bus_siblings = 2 },
	  "af_flr" },
	{ "AF with FLR but no TP",
	  { .vendor = 0x8086, .af = true, .af_flr = true },
	  { .bus_siblings = 2 },
	  "" },
	{ "Intel 750 NVMe quirk wraps FLR",
	  { .vendor = 0x8086, .device = 0x0953, .pcie = true, .flr = true },
	  { .bus_siblings = 1 },
	  "device_specific flr" },
	{ "Intel 750 NVMe without FLR: the quirk probes unsupported",
	  { .vendor = 0x8086, .device = 0x0953, .pcie = true },
	  { .bus_siblings = 1 },
	  "" },
	{ "Chelsio T4 family",
	  { .vendor = 0x1425, .device = 0x4401 },
	  { .bus_siblings = 1 },
	  "device_specific" },
	{ "Chelsio T5 is not in the quirk",
	  { .vendor = 0x1425, .device = 0x5401 },
	  { .bus_siblings = 1 },
	  "" },
};

static void test_reset_derive(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(derive_cases) / sizeof(derive_cases[0]); i++) {
		const struct derive_case *c = &derive_cases[i];
		struct pt_reset_info r, want;
		char got[128] = "";

		pt_reset_derive(&c->cfg, &c->topo, &r);
		for (size_t j = 0; j < r.count; j++) {
			strcat(got, j ? " " : "");
			strcat(got, pt_reset_method_to_string(r.methods[j]));
		}
		print_message("%s: %s\n", c->name, got);
		assert_int_equal(pt_reset_parse_attr(c->expect, &want), 0);
		assert_string_equal(got, c->expect);
		assert_int_equal(r.source, PT_RESET_SOURCE_DERIVED);
		/* Every method carries its reason, supported or not. */
		for (int m = 0; m < _PT_RESET_METHOD_MAX; m++)
			assert_non_null(r.reason[m]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_parse_attr),
		cmocka_unit_test(test_reset_names_round_trip),
		cmocka_unit_test(test_reset_derive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
