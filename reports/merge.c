/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Merging results: summaries summed, scenarios joined and sorted, hosts and rules united. */

#include <errno.h>
#include <string.h>

#include "internal.h"
#include "merge.h"
#include "result.h"

/*
 * The plan: the output is built member by member in the order of docs/result-schema.md, from
 * copies of the inputs' nodes, so that merging the shards of a run gives back (member for
 * member) the result of running it whole. Each united collection (hosts, rules, fidelity)
 * keeps an index from its key to the object already in the output.
 */

static void add_int(JsonObject *o, const char *name, gint64 v)
{
	json_object_set_int_member(o, name, v);
}

/* The summaries summed, member by member. */
static JsonObject *summary(JsonObject **roots, size_t n)
{
	static const char *const sums[] = { "scenarios", "passed",  "failed",
					    "errors",	 "skipped", "duration_ms" };
	static const char *const points[] = { "tried", "held" };
	JsonObject *s = json_object_new(), *fp = json_object_new();

	for (size_t k = 0; k < G_N_ELEMENTS(sums); k++) {
		gint64 total = 0;

		for (size_t i = 0; i < n; i++)
			total += prp_int(prp_obj(roots[i], "summary"), sums[k]);
		add_int(s, sums[k], total);
	}
	for (size_t k = 0; k < G_N_ELEMENTS(points); k++) {
		gint64 total = 0;

		for (size_t i = 0; i < n; i++)
			total += prp_int(prp_obj(prp_obj(roots[i], "summary"), "fault_points"),
					 points[k]);
		add_int(fp, points[k], total);
	}
	json_object_set_object_member(s, "fault_points", fp);
	return s;
}

static gint compare_strp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A deep copy: json_node_copy() shares objects and arrays, and the merge edits its copies. */
static JsonNode *deep_copy(JsonNode *node)
{
	JsonNode *out;

	if (JSON_NODE_HOLDS_OBJECT(node)) {
		JsonObject *in = json_node_get_object(node), *o = json_object_new();
		g_autoptr(GList) names = json_object_get_members(in);

		for (GList *l = names; l; l = l->next)
			json_object_set_member(o, l->data,
					       deep_copy(json_object_get_member(in, l->data)));
		out = json_node_init_object(json_node_alloc(), o);
		json_object_unref(o);
	} else if (JSON_NODE_HOLDS_ARRAY(node)) {
		JsonArray *in = json_node_get_array(node), *a = json_array_new();

		for (guint i = 0; i < json_array_get_length(in); i++)
			json_array_add_element(a, deep_copy(json_array_get_element(in, i)));
		out = json_node_init_array(json_node_alloc(), a);
		json_array_unref(a);
	} else {
		out = json_node_copy(node);
	}
	return out;
}

static JsonObject *copy_object(JsonObject *o)
{
	g_autoptr(JsonNode) n = json_node_init_object(json_node_alloc(), o);
	g_autoptr(JsonNode) c = deep_copy(n);

	return json_object_ref(json_node_get_object(c));
}

static gboolean strings_only(JsonArray *a)
{
	for (guint i = 0; i < prp_len(a); i++) {
		JsonNode *n = json_array_get_element(a, i);

		if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
			return FALSE;
	}
	return TRUE;
}

/* The sorted union of two arrays of strings, each string once. */
static JsonArray *union_sorted(JsonArray *a, JsonArray *b)
{
	g_autoptr(GPtrArray) v = g_ptr_array_new();
	JsonArray *out = json_array_new();

	for (guint i = 0; i < prp_len(a); i++)
		g_ptr_array_add(v, (gpointer)prp_str_at(a, i));
	for (guint i = 0; i < prp_len(b); i++)
		g_ptr_array_add(v, (gpointer)prp_str_at(b, i));
	g_ptr_array_sort(v, compare_strp);
	for (guint i = 0; i < v->len; i++)
		if (i == 0 || strcmp(v->pdata[i - 1], v->pdata[i]) != 0)
			json_array_add_string_element(out, v->pdata[i]);
	return out;
}

/* An object array's objects in ORDER, as a new JsonArray (which takes its own references). */
static JsonArray *to_array(GPtrArray *order)
{
	JsonArray *a = json_array_new();

	for (guint i = 0; i < order->len; i++)
		json_array_add_object_element(a, json_object_ref(order->pdata[i]));
	return a;
}

/*
 * A keyed union: the first object with each key is copied into the output; every later one
 * is folded into it by FOLD. ORDER holds the output objects in first-seen order.
 */
struct keyed {
	GHashTable *by_key; /* key (borrowed from the output object) -> output object */
	GPtrArray *order; /* output objects, owned */
};

static void keyed_init(struct keyed *k)
{
	k->by_key = g_hash_table_new(g_str_hash, g_str_equal);
	k->order = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
}

static void keyed_done(struct keyed *k)
{
	g_hash_table_destroy(k->by_key);
	g_ptr_array_unref(k->order);
}

static void keyed_add(struct keyed *k, JsonObject *in, const char *key,
		      void (*fold)(JsonObject *out, JsonObject *in))
{
	JsonObject *out = g_hash_table_lookup(k->by_key, prp_str(in, key));

	if (out) {
		fold(out, in);
		return;
	}
	out = copy_object(in);
	g_ptr_array_add(k->order, out);
	g_hash_table_insert(k->by_key, (gpointer)prp_str(out, key), out);
}

static void keyed_add_all(struct keyed *k, JsonObject **roots, size_t n, const char *member,
			  const char *key, void (*fold)(JsonObject *out, JsonObject *in))
{
	for (size_t i = 0; i < n; i++) {
		JsonArray *a = prp_arr(roots[i], member);

		for (guint j = 0; j < prp_len(a); j++)
			keyed_add(k, prp_at(a, j), key, fold);
	}
}

/*
 * Hosts: the same recording in every shard. Shards may leave a group held by different VMs;
 * the merge keeps the smallest name (strcmp), so that the input order does not matter.
 */
static void fold_host(JsonObject *out, JsonObject *in)
{
	JsonArray *og = prp_arr(out, "groups"), *ig = prp_arr(in, "groups");

	/* The scenarios that ended in this state, in any shard (optional member; strings only,
	 * the schema does not check it). */
	if ((prp_arr(out, "scenarios") || prp_arr(in, "scenarios")) &&
	    strings_only(prp_arr(out, "scenarios")) && strings_only(prp_arr(in, "scenarios")))
		json_object_set_array_member(
			out, "scenarios",
			union_sorted(prp_arr(out, "scenarios"), prp_arr(in, "scenarios")));

	for (guint i = 0; i < prp_len(og); i++) {
		JsonObject *g = prp_at(og, i);

		for (guint j = 0; j < prp_len(ig); j++) {
			const char *vm = prp_str(prp_at(ig, j), "vm");

			if (prp_int(prp_at(ig, j), "id") != prp_int(g, "id") || !vm)
				continue;
			if (!prp_str(g, "vm") || strcmp(vm, prp_str(g, "vm")) < 0)
				json_object_set_string_member(g, "vm", vm);
		}
	}
}

static gint compare_hosts(gconstpointer a, gconstpointer b)
{
	return strcmp(prp_str(*(JsonObject *const *)a, "name"),
		      prp_str(*(JsonObject *const *)b, "name"));
}

/* Rules: each target's exercised list is the sorted union of the inputs'. */
static void fold_rule(JsonObject *out, JsonObject *in)
{
	JsonObject *oe = prp_obj(out, "exercised"), *ie = prp_obj(in, "exercised");
	g_autoptr(GList) targets = json_object_get_members(ie);

	for (GList *l = targets; l; l = l->next)
		json_object_set_array_member(
			oe, l->data, union_sorted(prp_arr(oe, l->data), prp_arr(ie, l->data)));
}

static void normalise_rule(JsonObject *rule)
{
	JsonObject *e = prp_obj(rule, "exercised");
	g_autoptr(GList) targets = json_object_get_members(e);

	for (GList *l = targets; l; l = l->next)
		json_object_set_array_member(e, l->data, union_sorted(prp_arr(e, l->data), NULL));
}

/* Fidelity: on each target a failure outweighs a pass, which outweighs none. */
static const char *const fidelity_rank[] = { "none", "pass", "fail" };

static guint rank(const char *v)
{
	for (guint i = 0; i < G_N_ELEMENTS(fidelity_rank); i++)
		if (strcmp(v, fidelity_rank[i]) == 0)
			return i;
	return 0;
}

static void fold_fidelity(JsonObject *out, JsonObject *in)
{
	static const char *const targets[] = { "fake", "lab" };

	for (size_t i = 0; i < G_N_ELEMENTS(targets); i++)
		if (rank(prp_str(in, targets[i])) > rank(prp_str(out, targets[i])))
			json_object_set_string_member(out, targets[i], prp_str(in, targets[i]));
}

/* Agreement is known once both targets have a verdict: null until then. */
static void agree(JsonObject *f)
{
	const char *fake = prp_str(f, "fake"), *lab = prp_str(f, "lab");

	if (strcmp(fake, "none") == 0 || strcmp(lab, "none") == 0)
		json_object_set_null_member(f, "agree");
	else
		json_object_set_boolean_member(f, "agree", strcmp(fake, lab) == 0);
}

/* By a rank looked up by name (1, 2, ...); names without one last, in their current order. */
struct ranked {
	GHashTable *rank; /* name -> GUINT_TO_POINTER(rank) */
	const char *member;
};

static gint compare_ranked(gconstpointer a, gconstpointer b, gpointer data)
{
	const struct ranked *r = data;
	guint x = GPOINTER_TO_UINT(
		g_hash_table_lookup(r->rank, prp_str(*(JsonObject *const *)a, r->member)));
	guint y = GPOINTER_TO_UINT(
		g_hash_table_lookup(r->rank, prp_str(*(JsonObject *const *)b, r->member)));

	x = x ? x : G_MAXUINT;
	y = y ? y : G_MAXUINT;
	return (x > y) - (x < y);
}

/* Sort OBJECTS (stable) by the rank of their MEMBER in RANK. */
static void sort_ranked(GPtrArray *objects, const char *member, GHashTable *rank)
{
	struct ranked r = { rank, member };

	g_ptr_array_sort_with_data(objects, compare_ranked, &r);
}

/* Fidelity rows in the order of the rules (the catalogue's), as a run writes them. */
static void order_fidelity(GPtrArray *rows, GPtrArray *rules)
{
	g_autoptr(GHashTable) rank = g_hash_table_new(g_str_hash, g_str_equal);

	for (guint i = 0; i < rules->len; i++)
		g_hash_table_insert(rank, (gpointer)prp_str(rules->pdata[i], "id"),
				    GUINT_TO_POINTER(i + 1));
	sort_ranked(rows, "rule", rank);
}

/*
 * Hosts in the order the scenarios (sorted by id) first use them, as a run writes them; hosts
 * no scenario names come last, by name.
 */
static void order_hosts(GPtrArray *hosts, JsonArray *scenarios)
{
	g_autoptr(GHashTable) rank = g_hash_table_new(g_str_hash, g_str_equal);

	g_ptr_array_sort(hosts, compare_hosts);
	for (guint i = 0; i < prp_len(scenarios); i++) {
		const char *h = prp_str(prp_at(scenarios, i), "host");

		if (h && !g_hash_table_contains(rank, h))
			g_hash_table_insert(rank, (gpointer)h,
					    GUINT_TO_POINTER(g_hash_table_size(rank) + 1));
	}
	sort_ranked(hosts, "name", rank);
}

static gint compare_scenarios(gconstpointer a, gconstpointer b)
{
	JsonObject *x = *(JsonObject *const *)a, *y = *(JsonObject *const *)b;
	int c = strcmp(prp_str(x, "id"), prp_str(y, "id"));

	return c ? c : strcmp(prp_str(x, "target"), prp_str(y, "target"));
}

static int scenarios(JsonObject **roots, size_t n, JsonArray **ret, GError **error)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GPtrArray) all =
		g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);

	for (size_t i = 0; i < n; i++) {
		JsonArray *a = prp_arr(roots[i], "scenarios");

		for (guint j = 0; j < prp_len(a); j++) {
			JsonObject *s = prp_at(a, j);
			char *key = g_strdup_printf("%s (target %s)", prp_str(s, "id"),
						    prp_str(s, "target"));
			gpointer first;

			if (g_hash_table_lookup_extended(seen, key, NULL, &first)) {
				g_set_error(error, PRP_ERROR, PRP_ERROR_MERGE,
					    "scenario %s is in inputs %u and %zu", key,
					    GPOINTER_TO_UINT(first), i + 1);
				g_free(key);
				return -EINVAL;
			}
			g_hash_table_insert(seen, key, GUINT_TO_POINTER(i + 1));
			g_ptr_array_add(all, copy_object(s));
		}
	}
	g_ptr_array_sort(all, compare_scenarios);
	*ret = to_array(all);
	return 0;
}

/* The inputs' common target, or their distinct targets sorted and joined by '+'. */
static char *target(JsonObject **roots, size_t n)
{
	g_autoptr(GPtrArray) v = g_ptr_array_new();
	GString *out = g_string_new(NULL);

	for (size_t i = 0; i < n; i++)
		if (!g_ptr_array_find_with_equal_func(v, prp_str(roots[i], "target"), g_str_equal,
						      NULL))
			g_ptr_array_add(v, (gpointer)prp_str(roots[i], "target"));
	g_ptr_array_sort(v, compare_strp);
	for (guint i = 0; i < v->len; i++)
		g_string_append_printf(out, "%s%s", i ? "+" : "", (char *)v->pdata[i]);
	return g_string_free(out, FALSE);
}

static int check_inputs(JsonNode **results, size_t n, JsonObject **roots, GError **error)
{
	if (n == 0) {
		g_set_error_literal(error, PRP_ERROR, PRP_ERROR_MERGE, "nothing to merge");
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		g_autofree char *name = g_strdup_printf("input %zu", i + 1);
		int r = prp_result_check(results[i], name, error);

		if (r < 0)
			return r;
		roots[i] = json_node_get_object(results[i]);
		if (strcmp(prp_str(prp_obj(roots[i], "tool"), "name"),
			   prp_str(prp_obj(roots[0], "tool"), "name")) != 0) {
			g_set_error(error, PRP_ERROR, PRP_ERROR_MERGE,
				    "input %zu comes from %s, input 1 from %s", i + 1,
				    prp_str(prp_obj(roots[i], "tool"), "name"),
				    prp_str(prp_obj(roots[0], "tool"), "name"));
			return -EINVAL;
		}
	}
	return 0;
}

static const char *newest(JsonObject **roots, size_t n)
{
	const char *g = prp_str(roots[0], "generated");

	/* ISO 8601 times in UTC order as strings do. */
	for (size_t i = 1; i < n; i++)
		if (strcmp(prp_str(roots[i], "generated"), g) > 0)
			g = prp_str(roots[i], "generated");
	return g;
}

int prp_merge(JsonNode **results, size_t n, JsonNode **ret, GError **error)
{
	g_autofree JsonObject **roots = g_new0(JsonObject *, n ? n : 1);
	struct keyed hosts, rules, fidelity;
	g_autofree char *tgt = NULL;
	JsonObject *out, *shard;
	JsonArray *sc = NULL;
	int r;

	r = check_inputs(results, n, roots, error);
	if (r < 0)
		return r;
	r = scenarios(roots, n, &sc, error);
	if (r < 0)
		return r;

	keyed_init(&hosts);
	keyed_init(&rules);
	keyed_init(&fidelity);
	keyed_add_all(&hosts, roots, n, "hosts", "name", fold_host);
	keyed_add_all(&rules, roots, n, "rules", "id", fold_rule);
	keyed_add_all(&fidelity, roots, n, "fidelity", "rule", fold_fidelity);
	for (guint i = 0; i < rules.order->len; i++)
		normalise_rule(rules.order->pdata[i]);
	for (guint i = 0; i < fidelity.order->len; i++)
		agree(fidelity.order->pdata[i]);
	order_fidelity(fidelity.order, rules.order);
	order_hosts(hosts.order, sc);

	out = json_object_new();
	json_object_set_string_member(out, "schema", PRP_RESULT_SCHEMA);
	json_object_set_string_member(out, "generated", newest(roots, n));
	json_object_set_object_member(out, "tool", copy_object(prp_obj(roots[0], "tool")));
	tgt = target(roots, n);
	json_object_set_string_member(out, "target", tgt);
	shard = json_object_new();
	add_int(shard, "index", 0);
	add_int(shard, "count", (gint64)n);
	json_object_set_object_member(out, "shard", shard);
	json_object_set_object_member(out, "summary", summary(roots, n));
	json_object_set_array_member(out, "hosts", to_array(hosts.order));
	json_object_set_array_member(out, "rules", to_array(rules.order));
	json_object_set_array_member(out, "scenarios", sc);
	json_object_set_array_member(out, "fidelity", to_array(fidelity.order));
	keyed_done(&hosts);
	keyed_done(&rules);
	keyed_done(&fidelity);

	*ret = json_node_init_object(json_node_alloc(), out);
	json_object_unref(out);
	return 0;
}
