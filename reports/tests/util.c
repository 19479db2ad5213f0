/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helpers: fixtures, canonical JSON, and the shards a sharded run would have written. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "result.h"
#include "util.h"

static char *fixture_path(const char *name)
{
	return g_build_filename(FIXTURES_DIR, name, NULL);
}

JsonNode *fixture_load(const char *name)
{
	g_autofree char *path = fixture_path(name);
	g_autoptr(GError) error = NULL;
	JsonNode *node = NULL;

	if (prp_result_load(path, &node, &error) < 0) {
		fprintf(stderr, "fixture %s: %s\n", name, error->message);
		abort();
	}
	return node;
}

char *fixture_text(const char *name)
{
	g_autofree char *path = fixture_path(name);
	g_autoptr(GError) error = NULL;
	char *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, &error)) {
		fprintf(stderr, "fixture %s: %s\n", name, error->message);
		abort();
	}
	return text;
}

static JsonNode *sorted_copy(JsonNode *node)
{
	JsonNode *out;

	if (JSON_NODE_HOLDS_OBJECT(node)) {
		JsonObject *in = json_node_get_object(node), *o = json_object_new();
		GList *names = g_list_sort(json_object_get_members(in), (GCompareFunc)strcmp);

		for (GList *l = names; l; l = l->next)
			json_object_set_member(o, l->data,
					       sorted_copy(json_object_get_member(in, l->data)));
		g_list_free(names);
		out = json_node_init_object(json_node_alloc(), o);
		json_object_unref(o);
	} else if (JSON_NODE_HOLDS_ARRAY(node)) {
		JsonArray *in = json_node_get_array(node), *a = json_array_new();

		for (guint i = 0; i < json_array_get_length(in); i++)
			json_array_add_element(a, sorted_copy(json_array_get_element(in, i)));
		out = json_node_init_array(json_node_alloc(), a);
		json_array_unref(a);
	} else {
		out = json_node_copy(node);
	}
	return out;
}

char *canonical(JsonNode *node)
{
	g_autoptr(JsonNode) sorted = sorted_copy(node);

	return json_to_string(sorted, FALSE);
}

static JsonNode *copy(JsonNode *node)
{
	g_autofree char *s = json_to_string(node, FALSE);

	return json_from_string(s, NULL);
}

/* Keep the scenarios of shard K; count the summary from them; returns the kept ids. */
static GHashTable *keep_scenarios(JsonObject *root, unsigned k, unsigned n)
{
	static const char *const status_member[][2] = {
		{ "pass", "passed" },
		{ "fail", "failed" },
		{ "error", "errors" },
		{ "skip", "skipped" },
	};
	JsonObject *summary = prp_obj(root, "summary"), *fp = prp_obj(summary, "fault_points");
	JsonArray *all = prp_arr(root, "scenarios"), *kept = json_array_new();
	GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal);
	gint64 counts[G_N_ELEMENTS(status_member)] = { 0 }, ms = 0, tried = 0, held = 0;

	for (guint i = 0; i < prp_len(all); i++) {
		JsonObject *s = prp_at(all, i);

		if (prp_shard_of(prp_str(s, "id"), n) != k)
			continue;
		json_array_add_object_element(kept, json_object_ref(s));
		g_hash_table_add(ids, (gpointer)prp_str(s, "id"));
		for (size_t j = 0; j < G_N_ELEMENTS(status_member); j++)
			counts[j] += strcmp(prp_str(s, "status"), status_member[j][0]) == 0;
		ms += prp_int(s, "duration_ms");
		tried += prp_int(prp_obj(s, "fault_points"), "tried");
		held += prp_int(prp_obj(s, "fault_points"), "held");
	}
	json_object_set_int_member(summary, "scenarios", prp_len(kept));
	for (size_t j = 0; j < G_N_ELEMENTS(status_member); j++)
		json_object_set_int_member(summary, status_member[j][1], counts[j]);
	json_object_set_int_member(summary, "duration_ms", ms);
	json_object_set_int_member(fp, "tried", tried);
	json_object_set_int_member(fp, "held", held);
	/* The ids point into KEPT's objects, which ROOT holds from here on. */
	json_object_set_array_member(root, "scenarios", kept);
	return ids;
}

static void keep_hosts(JsonObject *root)
{
	JsonArray *all = prp_arr(root, "hosts"), *scenarios = prp_arr(root, "scenarios");
	JsonArray *kept = json_array_new();

	for (guint i = 0; i < prp_len(all); i++) {
		gboolean used = FALSE;

		for (guint j = 0; j < prp_len(scenarios); j++)
			used = used || g_strcmp0(prp_str(prp_at(scenarios, j), "host"),
						 prp_str(prp_at(all, i), "name")) == 0;
		if (used)
			json_array_add_object_element(kept, json_object_ref(prp_at(all, i)));
	}
	json_object_set_array_member(root, "hosts", kept);
}

static void limit_rules(JsonObject *root, GHashTable *ids)
{
	JsonArray *rules = prp_arr(root, "rules");

	for (guint i = 0; i < prp_len(rules); i++) {
		JsonObject *e = prp_obj(prp_at(rules, i), "exercised");
		g_autoptr(GList) targets = json_object_get_members(e);

		for (GList *l = targets; l; l = l->next) {
			JsonArray *in = prp_arr(e, l->data), *out = json_array_new();

			for (guint j = 0; j < prp_len(in); j++)
				if (g_hash_table_contains(ids, prp_str_at(in, j)))
					json_array_add_string_element(out, prp_str_at(in, j));
			json_object_set_array_member(e, l->data, out);
		}
	}
}

/* This shard's verdict on a kernel rule: fail if one of its scenarios that fired it failed. */
static const char *verdict(JsonArray *scenarios, const char *rule)
{
	const char *v = "none";

	for (guint i = 0; i < prp_len(scenarios); i++) {
		JsonObject *s = prp_at(scenarios, i);
		JsonArray *fired = prp_arr(s, "rules_fired");

		for (guint j = 0; j < prp_len(fired); j++) {
			if (strcmp(prp_str_at(fired, j), rule) != 0)
				continue;
			if (strcmp(prp_str(s, "status"), "pass") == 0 && strcmp(v, "fail") != 0)
				v = "pass";
			else if (strcmp(prp_str(s, "status"), "skip") != 0)
				v = "fail";
		}
	}
	return v;
}

/* Rows for the rules this shard's scenarios fired, with this shard's verdict. */
static void limit_fidelity(JsonObject *root)
{
	JsonArray *rows = prp_arr(root, "fidelity"), *kept = json_array_new();

	for (guint i = 0; i < prp_len(rows); i++) {
		JsonObject *f = prp_at(rows, i);
		const char *v = verdict(prp_arr(root, "scenarios"), prp_str(f, "rule"));

		if (strcmp(v, "none") == 0)
			continue;
		json_object_set_string_member(f, "fake", "none");
		json_object_set_string_member(f, "lab", "none");
		json_object_set_string_member(f, prp_str(root, "target"), v);
		json_object_set_null_member(f, "agree");
		json_array_add_object_element(kept, json_object_ref(f));
	}
	json_object_set_array_member(root, "fidelity", kept);
}

JsonNode *split_shard(JsonNode *result, unsigned k, unsigned n)
{
	JsonNode *shard = copy(result);
	JsonObject *root = json_node_get_object(shard), *sh = prp_obj(root, "shard");
	g_autoptr(GHashTable) ids = keep_scenarios(root, k, n);

	keep_hosts(root);
	limit_rules(root, ids);
	limit_fidelity(root);
	json_object_set_int_member(sh, "index", k);
	json_object_set_int_member(sh, "count", n);
	if (k != 1)
		json_object_set_string_member(root, "generated", "2026-11-21T14:29:00Z");
	return shard;
}

JsonNode *on_lab(JsonNode *fake)
{
	JsonNode *lab = copy(fake);
	JsonObject *root = json_node_get_object(lab);
	JsonArray *sc = prp_arr(root, "scenarios"), *rules = prp_arr(root, "rules");
	JsonArray *rows = prp_arr(root, "fidelity");

	json_object_set_string_member(root, "target", "lab");
	json_object_set_string_member(root, "generated", "2026-11-21T15:00:00Z");
	for (guint i = 0; i < prp_len(sc); i++)
		json_object_set_string_member(prp_at(sc, i), "target", "lab");
	for (guint i = 0; i < prp_len(rules); i++) {
		JsonObject *e = prp_obj(prp_at(rules, i), "exercised");

		json_object_set_array_member(e, "lab", json_array_ref(prp_arr(e, "fake")));
		json_object_set_array_member(e, "fake", json_array_new());
	}
	for (guint i = 0; i < prp_len(rows); i++) {
		JsonObject *f = prp_at(rows, i);
		gboolean gap = strcmp(prp_str(f, "rule"), "K-NEW-ID-ATTACH") == 0;

		json_object_set_string_member(f, "lab", gap ? "pass" : prp_str(f, "fake"));
		json_object_set_string_member(f, "fake", "none");
	}
	return lab;
}
