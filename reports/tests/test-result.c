/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The canonical result: loading, the schema check's errors, and the shard function. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "internal.h"
#include "result.h"
#include "util.h"

static void test_result_load_fixture(void **state)
{
	g_autoptr(JsonNode) r = fixture_load("result-fake.json");
	JsonObject *root = json_node_get_object(r), *s = prp_obj(root, "summary");

	assert_string_equal(prp_str(root, "schema"), PRP_RESULT_SCHEMA);
	assert_int_equal(prp_int(s, "scenarios"), prp_len(prp_arr(root, "scenarios")));
	assert_int_equal(prp_int(s, "passed") + prp_int(s, "failed") + prp_int(s, "errors") +
				 prp_int(s, "skipped"),
			 prp_int(s, "scenarios"));
	assert_int_equal(prp_len(prp_arr(root, "hosts")), 2);
}

static void test_result_load_missing_file(void **state)
{
	g_autoptr(GError) error = NULL;
	JsonNode *r = NULL;

	assert_int_equal(prp_result_load("/nonexistent/result.json", &r, &error), -ENOENT);
	assert_null(r);
	assert_true(g_error_matches(error, PRP_ERROR, PRP_ERROR_IO));
	assert_non_null(strstr(error->message, "/nonexistent/result.json"));
}

static void test_result_load_names_file_and_line(void **state)
{
	g_autofree char *dir = g_dir_make_tmp("prp-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "broken.json", NULL);
	g_autoptr(GError) error = NULL;
	JsonNode *r = NULL;

	g_autofree char *want = NULL;

	assert_true(g_file_set_contents(
		path, "{\n  \"schema\": \"ptharness-result/1\",\n  \"generated\": ,\n", -1, NULL));
	assert_int_equal(prp_result_load(path, &r, &error), -EINVAL);
	assert_null(r);
	/* FILE:LINE:COLUMN: once, as compilers write it. */
	want = g_strdup_printf("%s:3:", path);
	if (!g_str_has_prefix(error->message, want))
		fail_msg("\"%s\" does not start with \"%s\"", error->message, want);
	g_unlink(path);
	g_rmdir(dir);
}

/* Each case edits the fixture (PATH names an object; MEMBER is removed or replaced). */
static const struct bad_case {
	const char *path; /* members and array indexes from the root, '/'-separated */
	const char *member;
	const char *json; /* the new value, or NULL to remove the member */
	const char *message;
} bad_cases[] = {
	{ "", "schema", NULL, "member 'schema' is missing (not a ptharness-result/1 result)" },
	{ "", "schema", "\"ptharness-result/2\"",
	  "member 'schema' is 'ptharness-result/2', expected 'ptharness-result/1'" },
	{ "", "scenarios", NULL, "member 'scenarios' is missing" },
	{ "", "hosts", "{}", "member 'hosts' is not an array of objects" },
	{ "summary", "failed", "\"3\"", "summary: member 'failed' is not an integer" },
	{ "scenarios/3", "status", "\"flaky\"",
	  "scenarios[3]: member 'status' is 'flaky', not one of pass, fail, error, skip" },
	{ "scenarios/8/steps/0", "verb", NULL, "scenarios[8].steps[0]: member 'verb' is missing" },
	{ "scenarios/8/steps/0/failures/0", "expected", "1",
	  "scenarios[8].steps[0].failures[0]: member 'expected' is not a string or null" },
	{ "hosts/0/groups/6", "vm", "[]",
	  "hosts[0].groups[6]: member 'vm' is not a string or null" },
	{ "rules/0", "exercised", "{\"fake\": [1]}",
	  "rules[0]: member 'exercised' is not an object of arrays of strings" },
	{ "fidelity/0", "fake", "\"maybe\"",
	  "fidelity[0]: member 'fake' is 'maybe', not one of pass, fail, none" },
	{ "fidelity/0", "agree", "\"yes\"",
	  "fidelity[0]: member 'agree' is not true, false or null" },
	{ "scenarios/0/steps/0", "outcome", "[]",
	  "scenarios[0].steps[0]: member 'outcome' is not an object or null" },
};

static JsonObject *walk(JsonNode *root, const char *path)
{
	g_auto(GStrv) parts = g_strsplit(path, "/", -1);
	JsonNode *n = root;

	for (char **p = parts; *p && **p; p++)
		n = g_ascii_isdigit(**p) ?
			    json_array_get_element(json_node_get_array(n), atoi(*p)) :
			    json_object_get_member(json_node_get_object(n), *p);
	return json_node_get_object(n);
}

static void test_result_check_names_bad_member(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		g_autoptr(JsonNode) r = fixture_load("result-fake.json");
		g_autoptr(GError) error = NULL;
		g_autofree char *want = g_strdup_printf("result.json: %s", c->message);
		JsonObject *o = walk(r, c->path);

		if (c->json)
			json_object_set_member(o, c->member, json_from_string(c->json, NULL));
		else
			json_object_remove_member(o, c->member);
		assert_int_equal(prp_result_check(r, "result.json", &error), -EINVAL);
		if (strcmp(error->message, want) != 0)
			fail_msg("case %zu: got \"%s\", wanted \"%s\"", i, error->message, want);
	}
}

static void test_result_check_allows_unknown_members(void **state)
{
	g_autoptr(JsonNode) r = fixture_load("result-fake.json");
	g_autoptr(GError) error = NULL;

	json_object_set_string_member(json_node_get_object(r), "comment", "added later");
	assert_int_equal(prp_result_check(r, NULL, &error), 0);
}

/* FNV-1a 32-bit of the id, mod N, plus one; the hashes are the published test vectors. */
static void test_result_shard_of_fnv1a(void **state)
{
	static const struct {
		const char *id;
		guint32 fnv1a;
	} vectors[] = {
		{ "", 0x811c9dc5u },
		{ "a", 0xe40c292cu },
		{ "foobar", 0xbf9cf968u },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(vectors); i++)
		for (unsigned n = 2; n <= 7; n++)
			assert_int_equal(prp_shard_of(vectors[i].id, n), vectors[i].fnv1a % n + 1);
	assert_int_equal(prp_shard_of("viability/half-group", 1), 1);
	assert_int_equal(prp_shard_of("viability/half-group", 0), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_load_fixture),
		cmocka_unit_test(test_result_load_missing_file),
		cmocka_unit_test(test_result_load_names_file_and_line),
		cmocka_unit_test(test_result_check_names_bad_member),
		cmocka_unit_test(test_result_check_allows_unknown_members),
		cmocka_unit_test(test_result_shard_of_fnv1a),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
