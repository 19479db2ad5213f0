/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A step's expectations, checked against what it observed and a fresh look at the host. */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "expect.h"
#include "rules.h"
#include "session.h"

static void fail_expf(JsonArray *f, const char *expected, const char *observed, const char *keyfmt,
		      ...) G_GNUC_PRINTF(4, 5);

void pth_fail_exp(JsonArray *f, const char *key, const char *expected, const char *observed)
{
	JsonObject *o = json_object_new();

	json_object_set_string_member(o, "key", key);
	json_object_set_string_member(o, "expected", expected);
	json_object_set_string_member(o, "observed", observed);
	json_array_add_object_element(f, o);
}

static void fail_expf(JsonArray *f, const char *expected, const char *observed, const char *keyfmt,
		      ...)
{
	g_autofree char *key = NULL;
	va_list ap;

	va_start(ap, keyfmt);
	key = g_strdup_vprintf(keyfmt, ap);
	va_end(ap);
	pth_fail_exp(f, key, expected, observed);
}

static int cmp_strp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A list node or a string array as "a,b,c", sorted. */
static char *join_sorted(char **items)
{
	g_autoptr(GPtrArray) a = g_ptr_array_new();

	for (char **i = items; i && *i; i++)
		g_ptr_array_add(a, *i);
	g_ptr_array_sort(a, cmp_strp);
	g_ptr_array_add(a, NULL);
	return g_strjoinv(",", (char **)a->pdata);
}

static char *node_to_string(struct pth_run *r, struct fy_node *n, bool sort)
{
	if (!n || pth_node_is_null(n))
		return g_strdup("null");
	if (fy_node_is_scalar(n))
		return g_strdup(pth_run_resolve(r, fy_node_get_scalar0(n)));
	if (fy_node_is_sequence(n)) {
		g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func(g_free);
		struct fy_node *item;
		void *it = NULL;

		while ((item = fy_node_sequence_iterate(n, &it)))
			g_ptr_array_add(a, node_to_string(r, item, sort));
		if (sort)
			g_ptr_array_sort(a, cmp_strp);
		g_ptr_array_add(a, NULL);
		return g_strjoinv(",", (char **)a->pdata);
	}
	return g_strdup("{...}");
}

static char *json_to_plain(JsonNode *n)
{
	if (!n || JSON_NODE_HOLDS_NULL(n))
		return g_strdup("null");
	if (JSON_NODE_HOLDS_ARRAY(n)) {
		JsonArray *a = json_node_get_array(n);
		GPtrArray *p = g_ptr_array_new_with_free_func(g_free);
		char *s;

		for (guint i = 0; i < json_array_get_length(a); i++)
			g_ptr_array_add(p, json_to_plain(json_array_get_element(a, i)));
		g_ptr_array_add(p, NULL);
		s = g_strjoinv(",", (char **)p->pdata);
		g_ptr_array_unref(p);
		return s;
	}
	if (json_node_get_value_type(n) == G_TYPE_BOOLEAN)
		return g_strdup(json_node_get_boolean(n) ? "true" : "false");
	if (json_node_get_value_type(n) == G_TYPE_INT64)
		return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(n));
	return g_strdup(json_node_get_string(n));
}

static const char *observed_code(const struct pth_obs *o)
{
	if (o->raw)
		return "none";
	if (!o->has_outcome)
		return "none";
	return o->out.code == PT_CODE_OK ? "none" : pt_code_to_string(o->out.code);
}

static char *or_null(const char *s)
{
	return g_strdup(s ? s : "null");
}

static char *dev_driver(const struct pt_dev_props *p)
{
	return or_null(p->driver);
}

static char *dev_override(const struct pt_dev_props *p)
{
	return or_null(p->override);
}

static char *dev_group(const struct pt_dev_props *p)
{
	return p->iommu_group >= 0 ? g_strdup_printf("%d", p->iommu_group) : g_strdup("null");
}

static char *dev_numvfs(const struct pt_dev_props *p)
{
	return p->sriov ? g_strdup_printf("%u", p->sriov->numvfs) : g_strdup("null");
}

static char *dev_physfn(const struct pt_dev_props *p)
{
	return or_null(p->physfn);
}

/* expect.devices.BDF: each field and how it is observed (the loader's device_keys). */
static const struct {
	const char *field;
	char *(*observe)(const struct pt_dev_props *p);
} device_fields[] = {
	{ "driver", dev_driver }, { "override", dev_override }, { "group", dev_group },
	{ "numvfs", dev_numvfs }, { "physfn", dev_physfn },
};

static char *observe_field(const struct pt_dev_props *p, const char *field)
{
	if (!p)
		return g_strdup("no such device");
	for (size_t i = 0; i < G_N_ELEMENTS(device_fields); i++)
		if (strcmp(device_fields[i].field, field) == 0)
			return device_fields[i].observe(p);
	return g_strdup_printf("(unknown field '%s')", field);
}

static void check_devices(struct pth_run *r, struct fy_node *exp, JsonArray *f)
{
	struct pt_host *host = pt_engine_host(r->e);
	struct fy_node_pair *p;
	void *it = NULL;

	while ((p = fy_node_mapping_iterate(exp, &it))) {
		const char *addr = pth_run_resolve(r, fy_node_get_scalar0(fy_node_pair_key(p)));
		struct fy_node *want = fy_node_pair_value(p);
		const struct pt_dev *d = pt_host_find_dev(host, addr);
		const struct pt_dev_props *pp = d ? pt_dev_props(d) : NULL;
		struct fy_node_pair *q;
		void *jt = NULL;

		if (pth_node_is_null(want)) {
			if (d)
				fail_expf(f, "absent", "present", "devices.%s", addr);
			continue;
		}
		while ((q = fy_node_mapping_iterate(want, &jt))) {
			const char *field = fy_node_get_scalar0(fy_node_pair_key(q));
			g_autofree char *exp_s = node_to_string(r, fy_node_pair_value(q), false);
			g_autofree char *obs_s = observe_field(pp, field);

			if (strcmp(exp_s, obs_s) != 0)
				fail_expf(f, exp_s, obs_s, "devices.%s.%s", addr, field);
		}
	}
}

static void check_groups(struct pth_run *r, struct fy_node *exp, JsonArray *f)
{
	struct pt_host *host = pt_engine_host(r->e);
	struct fy_node_pair *p;
	void *it = NULL;

	while ((p = fy_node_mapping_iterate(exp, &it))) {
		const char *id = fy_node_get_scalar0(fy_node_pair_key(p));
		struct pt_group *g = pt_host_find_group(host, atoi(id));
		struct fy_node *want = fy_node_pair_value(p), *v;
		g_autofree char *key = g_strdup_printf("groups.%s", id);

		if (!g) {
			pth_fail_exp(f, key, "present", "no such group");
			continue;
		}
		if ((v = pth_node_get(want, "viable"))) {
			g_autofree char *exp_s = node_to_string(r, v, false);
			const char *obs_s = pt_group_viable(g) ? "true" : "false";

			if (strcmp(exp_s, obs_s) != 0)
				fail_expf(f, exp_s, obs_s, "%s.viable", key);
		}
		if ((v = pth_node_get(want, "members"))) {
			g_autofree char *exp_s = node_to_string(r, v, true);
			g_autoptr(GPtrArray) m = g_ptr_array_new();
			g_autofree char *obs_s = NULL;

			for (size_t i = 0; i < pt_group_member_count(g); i++)
				g_ptr_array_add(m, (char *)pt_dev_address(pt_group_member(g, i)));
			g_ptr_array_add(m, NULL);
			obs_s = join_sorted((char **)m->pdata);
			if (strcmp(exp_s, obs_s) != 0)
				fail_expf(f, exp_s, obs_s, "%s.members", key);
		}
	}
}

static char *vfio_nodes(struct pth_run *r)
{
	g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
	char **names = NULL;
	size_t n = 0;

	if (pt_backend_list(r->be, PT_NS_DEV, "vfio", &names, &n) >= 0)
		for (size_t i = 0; i < n; i++)
			if (g_ascii_isdigit(names[i][0]))
				g_ptr_array_add(ids, g_strdup(names[i]));
	pt_strv_free(names);
	g_ptr_array_sort(ids, cmp_strp);
	g_ptr_array_add(ids, NULL);
	return g_strjoinv(",", (char **)ids->pdata);
}

/* Rules fired in a slice of the trace, plus the outcome's own. */
/*
 * On a real kernel (lab, live) the kernel's rules are not named by anyone: the model names
 * them on fake, the kernel only behaves. There a kernel rule is judged by the step's results
 * (ok, errno, end state), not by firing; a scenario that passes there with its results has
 * the real kernel agree with the rules it declares.
 */
bool pth_rule_needs_firing(unsigned target, const char *id)
{
	const struct pt_rule *rule = pt_rule_find(id);

	return target == PTH_TARGET_FAKE || !rule || rule->kind != PT_RULE_KERNEL;
}

static bool fired_in(struct pth_run *r, const struct pth_obs *o, const char *rule)
{
	if (o->has_outcome && o->out.rule && strcmp(o->out.rule, rule) == 0)
		return true;
	for (size_t i = o->trace_from; i < pt_trace_count(r->trace); i++) {
		const struct pt_event *e = pt_trace_event(r->trace, i);

		if (e->rule && strcmp(e->rule, rule) == 0)
			return true;
	}
	return false;
}

/* One expected trace item: "KIND PATH" or {KIND: PATH, value:, errno:}. */
static bool trace_item_matches(struct fy_node *item, const struct pt_event *e)
{
	const char *kind = NULL, *what = NULL, *value = NULL, *err = NULL;
	g_autofree char *copy = NULL;

	if (fy_node_is_scalar(item)) {
		char *sp;

		copy = g_strdup(fy_node_get_scalar0(item));
		sp = strchr(copy, ' ');
		if (sp)
			*sp++ = '\0';
		kind = copy;
		what = sp;
	} else {
		struct fy_node_pair *p;
		void *it = NULL;

		while ((p = fy_node_mapping_iterate(item, &it))) {
			const char *k = fy_node_get_scalar0(fy_node_pair_key(p));
			const char *v = fy_node_get_scalar0(fy_node_pair_value(p));

			if (strcmp(k, "value") == 0)
				value = v;
			else if (strcmp(k, "errno") == 0)
				err = v;
			else
				kind = k, what = v;
		}
	}
	if (!kind || strcmp(kind, pt_event_kind_to_string(e->kind)) != 0)
		return false;
	if (what && e->kind == PT_EVENT_RULE ? !(e->rule && strcmp(e->rule, what) == 0) :
					       what && !(e->path && strcmp(e->path, what) == 0))
		return false;
	if (value && !(e->value && strcmp(e->value, value) == 0))
		return false;
	if (err && !(e->result < 0 && strcmp(pth_errno_name(e->result), err) == 0))
		return false;
	return true;
}

static void check_trace(struct pth_run *r, const struct pth_obs *o, struct fy_node *exp,
			JsonArray *f)
{
	size_t at = o->trace_from;
	struct fy_node *item;
	void *it = NULL;

	while ((item = fy_node_sequence_iterate(exp, &it))) {
		bool found = false;

		for (; at < pt_trace_count(r->trace) && !found; at++)
			found = trace_item_matches(item, pt_trace_event(r->trace, at));
		if (!found) {
			g_autofree char *want = node_to_string(r, item, false);

			pth_fail_exp(f, "trace",
				     fy_node_is_scalar(item) ? want : "(a mapping item)",
				     "not found in order in this step's trace");
			return;
		}
	}
}

void pth_expect_check(struct pth_run *r, const struct pth_obs *o, struct fy_node *exp, JsonArray *f)
{
	struct fy_node *v;
	const char *s;

	if ((s = pth_node_str(exp, "ok"))) {
		bool ok = o->raw ? o->write_result >= 0 :
				   !o->has_outcome || o->out.code == PT_CODE_OK;

		if ((strcmp(s, "true") == 0) != ok)
			pth_fail_exp(f, "ok", s, ok ? "true" : "false");
	}
	if ((s = pth_node_str(exp, "error")) && strcmp(s, observed_code(o)) != 0) {
		g_autofree char *obs_s =
			g_strdup_printf("%s%s%s", observed_code(o), o->out.message ? ": " : "",
					o->out.message ? o->out.message : "");

		pth_fail_exp(f, "error", s, obs_s);
	}
	if ((s = pth_node_str(exp, "errno"))) {
		int err = o->raw ? o->write_result : o->out.err;
		const char *obs_s = err < 0 ? pth_errno_name(err) : "none";

		if (strcmp(s, obs_s) != 0)
			pth_fail_exp(f, "errno", s, obs_s);
	}
	if ((v = pth_node_get(exp, "value"))) {
		g_autofree char *exp_s = g_strcompress(fy_node_get_scalar0(v));
		const char *obs_s = o->value ? o->value : "(no value)";

		if (strcmp(exp_s, obs_s) != 0)
			pth_fail_exp(f, "value", exp_s, obs_s);
	}
	if ((v = pth_node_get(exp, "blockers"))) {
		g_autofree char *exp_s = node_to_string(r, v, true);
		g_autofree char *obs_s = join_sorted(o->out.blockers);

		if (strcmp(exp_s, obs_s) != 0)
			pth_fail_exp(f, "blockers", exp_s, obs_s);
	}
	if ((v = pth_node_get(exp, "result"))) {
		struct fy_node_pair *p;
		void *it = NULL;

		while ((p = fy_node_mapping_iterate(v, &it))) {
			const char *k = fy_node_get_scalar0(fy_node_pair_key(p));
			g_autofree char *exp_s = node_to_string(r, fy_node_pair_value(p), false);
			g_autofree char *obs_s =
				o->result && json_object_has_member(o->result, k) ?
					json_to_plain(json_object_get_member(o->result, k)) :
					g_strdup("(none)");
			g_autofree char *key = g_strdup_printf("result.%s", k);

			if (strcmp(exp_s, obs_s) != 0)
				pth_fail_exp(f, key, exp_s, obs_s);
		}
	}
	if ((v = pth_node_get(exp, "devices")))
		check_devices(r, v, f);
	if ((v = pth_node_get(exp, "groups")))
		check_groups(r, v, f);
	if ((v = pth_node_get(exp, "vfio_nodes"))) {
		g_autofree char *exp_s = node_to_string(r, v, true);
		g_autofree char *obs_s = vfio_nodes(r);

		if (strcmp(exp_s, obs_s) != 0)
			pth_fail_exp(f, "vfio_nodes", exp_s, obs_s);
	}
	if ((v = pth_node_get(exp, "rules"))) {
		struct fy_node *item;
		void *it = NULL;

		while ((item = fy_node_sequence_iterate(v, &it)))
			if (pth_rule_needs_firing(r->target, fy_node_get_scalar0(item)) &&
			    !fired_in(r, o, fy_node_get_scalar0(item)))
				pth_fail_exp(f, "rules", fy_node_get_scalar0(item),
					     "did not fire in this step");
	}
	if ((v = pth_node_get(exp, "trace")))
		check_trace(r, o, v, f);
}
