/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Merging: the shards of a run rejoin to the whole run's result; what cannot be merged. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "merge.h"
#include "result.h"
#include "util.h"

static JsonNode *merge_ok(JsonNode **in, size_t n)
{
	g_autoptr(GError) error = NULL;
	JsonNode *out = NULL;

	if (prp_merge(in, n, &out, &error) < 0)
		fail_msg("merge: %s", error->message);
	assert_int_equal(prp_result_check(out, "merged", &error), 0);
	return out;
}

/* The whole run's result as a merge of N shards states it: shard {0, N}. */
static char *as_merged(JsonNode *whole, unsigned n)
{
	g_autofree char *s = json_to_string(whole, FALSE);
	g_autoptr(JsonNode) copy = json_from_string(s, NULL);
	JsonObject *shard = prp_obj(json_node_get_object(copy), "shard");

	json_object_set_int_member(shard, "index", 0);
	json_object_set_int_member(shard, "count", n);
	return canonical(copy);
}

static void test_merge_shards_rejoin_the_run(void **state)
{
	static const unsigned ways[] = { 1, 2, 3, 4, 16 };
	g_autoptr(JsonNode) whole = fixture_load("result-fake.json");

	for (size_t w = 0; w < G_N_ELEMENTS(ways); w++) {
		unsigned n = ways[w], nonempty = 0;
		g_autoptr(GPtrArray) shards =
			g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
		g_autoptr(JsonNode) merged = NULL;
		g_autofree char *got = NULL, *want = as_merged(whole, n);

		for (unsigned k = 1; k <= n; k++) {
			JsonNode *s = split_shard(whole, k, n);
			g_autoptr(GError) error = NULL;

			if (prp_result_check(s, "shard", &error) < 0)
				fail_msg("shard %u/%u: %s", k, n, error->message);
			nonempty += prp_len(prp_arr(json_node_get_object(s), "scenarios")) > 0;
			g_ptr_array_add(shards, s);
		}
		/* Two or more shards must each hold scenarios, or the test shows little. */
		if (n > 1 && n < 10 && nonempty < 2)
			fail_msg("%u shards: only %u hold scenarios", n, nonempty);
		merged = merge_ok((JsonNode **)shards->pdata, n);
		got = canonical(merged);
		if (strcmp(got, want) != 0)
			fail_msg("%u shards merged differ from the run:\n got: %s\nwant: %s", n,
				 got, want);
	}
}

static void test_merge_input_order_does_not_matter(void **state)
{
	g_autoptr(JsonNode) whole = fixture_load("result-fake.json");
	JsonNode *fwd[3], *rev[3];
	g_autoptr(JsonNode) a = NULL, b = NULL;
	g_autofree char *ca = NULL, *cb = NULL;

	for (unsigned k = 1; k <= 3; k++)
		fwd[k - 1] = rev[3 - k] = split_shard(whole, k, 3);
	a = merge_ok(fwd, 3);
	b = merge_ok(rev, 3);
	ca = canonical(a);
	cb = canonical(b);
	assert_string_equal(ca, cb);
	for (unsigned k = 0; k < 3; k++)
		json_node_unref(fwd[k]);
}

static void test_merge_rejects_a_scenario_twice(void **state)
{
	g_autoptr(JsonNode) whole = fixture_load("result-fake.json");
	JsonNode *in[2] = { whole, whole };
	g_autoptr(GError) error = NULL;
	JsonNode *out = NULL;

	assert_int_equal(prp_merge(in, 2, &out, &error), -EINVAL);
	assert_null(out);
	assert_string_equal(error->message,
			    "scenario kernel/sriov-zero-first (target fake) is in inputs 1 and 2");
}

static void test_merge_rejects_another_tool(void **state)
{
	g_autoptr(JsonNode) a = fixture_load("result-fake.json");
	g_autoptr(JsonNode) b = split_shard(a, 1, 2);
	JsonNode *in[2] = { a, b };
	g_autoptr(GError) error = NULL;
	JsonNode *out = NULL;

	json_object_set_string_member(prp_obj(json_node_get_object(b), "tool"), "name", "other");
	assert_int_equal(prp_merge(in, 2, &out, &error), -EINVAL);
	assert_string_equal(error->message, "input 2 comes from other, input 1 from ptharness");
	assert_int_equal(prp_merge(in, 0, &out, &error), -EINVAL);
}

static void test_merge_rejects_a_bad_input(void **state)
{
	g_autoptr(JsonNode) a = fixture_load("result-fake.json");
	g_autoptr(JsonNode) b = fixture_load("result-fake.json");
	JsonNode *in[2] = { a, b };
	g_autoptr(GError) error = NULL;
	JsonNode *out = NULL;

	json_object_remove_member(json_node_get_object(b), "rules");
	assert_int_equal(prp_merge(in, 2, &out, &error), -EINVAL);
	assert_string_equal(error->message, "input 2: member 'rules' is missing");
}

static void test_merge_two_targets(void **state)
{
	g_autoptr(JsonNode) fake = fixture_load("result-fake.json");
	g_autoptr(JsonNode) lab = on_lab(fake);
	JsonNode *in[2] = { lab, fake };
	g_autoptr(JsonNode) out = merge_ok(in, 2);
	JsonObject *root = json_node_get_object(out);
	JsonArray *sc = prp_arr(root, "scenarios");
	JsonObject *rule = prp_at(prp_arr(root, "rules"), 1);
	JsonArray *rows;

	assert_string_equal(prp_str(root, "target"), "fake+lab");
	assert_string_equal(prp_str(root, "generated"), "2026-11-21T15:00:00Z");
	assert_int_equal(prp_int(prp_obj(root, "summary"), "scenarios"), 20);
	assert_int_equal(prp_int(prp_obj(root, "summary"), "failed"), 6);
	assert_int_equal(prp_len(sc), 20);
	/* Sorted by id, then target. */
	assert_string_equal(prp_str(prp_at(sc, 0), "target"), "fake");
	assert_string_equal(prp_str(prp_at(sc, 1), "target"), "lab");
	assert_string_equal(prp_str(prp_at(sc, 1), "id"), prp_str(prp_at(sc, 0), "id"));
	/* K-GROUP-DMA-OWNER: the same scenarios on both targets. */
	assert_string_equal(prp_str(rule, "id"), "K-GROUP-DMA-OWNER");
	assert_int_equal(prp_len(prp_arr(prp_obj(rule, "exercised"), "fake")), 2);
	assert_int_equal(prp_len(prp_arr(prp_obj(rule, "exercised"), "lab")), 2);
	/* The hosts are the same recordings: united, not doubled. */
	assert_int_equal(prp_len(prp_arr(root, "hosts")), 2);
	/* Both verdicts now: the rows agree, but for the gap on_lab() made. */
	rows = prp_arr(root, "fidelity");
	assert_int_equal(prp_len(rows), 4);
	for (guint i = 0; i < prp_len(rows); i++) {
		JsonObject *f = prp_at(rows, i);
		gboolean gap = strcmp(prp_str(f, "rule"), "K-NEW-ID-ATTACH") == 0;

		assert_string_not_equal(prp_str(f, "fake"), "none");
		assert_false(prp_is_null(f, "agree"));
		assert_int_equal(prp_bool(f, "agree"), !gap);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_shards_rejoin_the_run),
		cmocka_unit_test(test_merge_input_order_does_not_matter),
		cmocka_unit_test(test_merge_rejects_a_scenario_twice),
		cmocka_unit_test(test_merge_rejects_another_tool),
		cmocka_unit_test(test_merge_rejects_a_bad_input),
		cmocka_unit_test(test_merge_two_targets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
