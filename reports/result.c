/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The canonical result: load a file and check it against ptharness-result/1. */

#include <errno.h>
#include <string.h>

#include "internal.h"
#include "result.h"

G_DEFINE_QUARK(prp - error - quark, prp_error)

/*
 * The plan: the schema is data. Each object kind is a shape, a table of the members it must
 * have with their JSON type (and, for a few strings, the values allowed); one walker checks a
 * node against a shape and recurses into member objects and arrays of objects. The first
 * mismatch becomes the error, with the path to the member (scenarios[3].steps[0].status).
 */
enum prp_type {
	PRP_T_STR,
	PRP_T_STR_NULL,
	PRP_T_INT,
	PRP_T_INT_NULL,
	PRP_T_BOOL,
	PRP_T_BOOL_NULL,
	PRP_T_OBJ, /* an object; checked against .shape when it has one */
	PRP_T_OBJ_NULL, /* an object (not checked further) or null */
	PRP_T_OBJ_ARR, /* an array of objects, each checked against .shape */
	PRP_T_STR_ARR, /* an array of strings */
	PRP_T_STR_ARRS, /* an object whose members are arrays of strings (rules[].exercised) */
	PRP_T_MAX,
};

static const char *const type_names[PRP_T_MAX] = {
	[PRP_T_STR] = "a string",
	[PRP_T_STR_NULL] = "a string or null",
	[PRP_T_INT] = "an integer",
	[PRP_T_INT_NULL] = "an integer or null",
	[PRP_T_BOOL] = "true or false",
	[PRP_T_BOOL_NULL] = "true, false or null",
	[PRP_T_OBJ] = "an object",
	[PRP_T_OBJ_NULL] = "an object or null",
	[PRP_T_OBJ_ARR] = "an array of objects",
	[PRP_T_STR_ARR] = "an array of strings",
	[PRP_T_STR_ARRS] = "an object of arrays of strings",
};

struct shape;

struct member {
	const char *name;
	enum prp_type type;
	const struct shape *shape;
	const char *const *values; /* NULL-terminated allowed values of a string, or NULL */
};

struct shape {
	const struct member *members;
	size_t count;
};

#define SHAPE(m)                   \
	{                          \
		m, G_N_ELEMENTS(m) \
	}

static const char *const scenario_status[] = { "pass", "fail", "error", "skip", NULL };
static const char *const step_status[] = { "pass", "fail", NULL };
static const char *const fidelity_result[] = { "pass", "fail", "none", NULL };

static const struct member tool_m[] = {
	{ "name", PRP_T_STR },
	{ "version", PRP_T_STR },
};
static const struct member shard_m[] = {
	{ "index", PRP_T_INT },
	{ "count", PRP_T_INT },
};
static const struct member points_m[] = {
	{ "tried", PRP_T_INT },
	{ "held", PRP_T_INT },
};
static const struct shape points_s = SHAPE(points_m);
static const struct member summary_m[] = {
	{ "scenarios", PRP_T_INT },
	{ "passed", PRP_T_INT },
	{ "failed", PRP_T_INT },
	{ "errors", PRP_T_INT },
	{ "skipped", PRP_T_INT },
	{ "duration_ms", PRP_T_INT },
	{ "fault_points", PRP_T_OBJ, &points_s },
};
static const struct member device_m[] = {
	{ "address", PRP_T_STR },	   { "vendor", PRP_T_STR },
	{ "device", PRP_T_STR },	   { "class", PRP_T_STR },
	{ "name", PRP_T_STR_NULL },	   { "driver", PRP_T_STR_NULL },
	{ "iommu_group", PRP_T_INT_NULL }, { "parent", PRP_T_STR_NULL },
	{ "physfn", PRP_T_STR_NULL },
};
static const struct shape device_s = SHAPE(device_m);
static const struct member group_m[] = {
	{ "id", PRP_T_INT },	       { "devices", PRP_T_STR_ARR }, { "viable", PRP_T_BOOL },
	{ "blockers", PRP_T_STR_ARR }, { "vm", PRP_T_STR_NULL },
};
static const struct shape group_s = SHAPE(group_m);
static const struct member host_m[] = {
	{ "name", PRP_T_STR },
	{ "source", PRP_T_STR_NULL },
	{ "kernel", PRP_T_STR_NULL },
	{ "devices", PRP_T_OBJ_ARR, &device_s },
	{ "groups", PRP_T_OBJ_ARR, &group_s },
};
static const struct shape host_s = SHAPE(host_m);
static const struct member rule_m[] = {
	{ "id", PRP_T_STR },	      { "kind", PRP_T_STR },	       { "statement", PRP_T_STR },
	{ "source", PRP_T_STR_NULL }, { "exercised", PRP_T_STR_ARRS },
};
static const struct shape rule_s = SHAPE(rule_m);
static const struct member failure_m[] = {
	{ "key", PRP_T_STR },
	{ "expected", PRP_T_STR_NULL },
	{ "observed", PRP_T_STR_NULL },
};
static const struct shape failure_s = SHAPE(failure_m);
static const struct member step_m[] = {
	{ "index", PRP_T_INT },
	{ "verb", PRP_T_STR },
	{ "args", PRP_T_STR },
	{ "status", PRP_T_STR, NULL, step_status },
	{ "outcome", PRP_T_OBJ_NULL },
	/* null for a step without an operation (check) */
	{ "failures", PRP_T_OBJ_ARR, &failure_s },
};
static const struct shape step_s = SHAPE(step_m);
static const struct member scenario_points_m[] = {
	{ "tried", PRP_T_INT },
	{ "held", PRP_T_INT },
	{ "broken", PRP_T_STR_ARR },
};
static const struct shape scenario_points_s = SHAPE(scenario_points_m);
static const struct member scenario_m[] = {
	{ "id", PRP_T_STR },
	{ "file", PRP_T_STR_NULL },
	{ "title", PRP_T_STR_NULL },
	{ "category", PRP_T_STR },
	{ "target", PRP_T_STR },
	{ "host", PRP_T_STR_NULL },
	{ "status", PRP_T_STR, NULL, scenario_status },
	{ "duration_ms", PRP_T_INT },
	{ "message", PRP_T_STR_NULL },
	{ "rules_fired", PRP_T_STR_ARR },
	{ "rules_missing", PRP_T_STR_ARR },
	{ "fault_points", PRP_T_OBJ, &scenario_points_s },
	{ "steps", PRP_T_OBJ_ARR, &step_s },
};
static const struct shape scenario_s = SHAPE(scenario_m);
static const struct member fidelity_m[] = {
	{ "rule", PRP_T_STR },
	{ "fake", PRP_T_STR, NULL, fidelity_result },
	{ "lab", PRP_T_STR, NULL, fidelity_result },
	{ "agree", PRP_T_BOOL_NULL }, /* null until both targets have a verdict */
};
static const struct shape fidelity_s = SHAPE(fidelity_m);
static const struct shape tool_s = SHAPE(tool_m);
static const struct shape shard_s = SHAPE(shard_m);
static const struct shape summary_s = SHAPE(summary_m);

/* The root, in the order of docs/result-schema.md; "schema" itself is checked first. */
static const struct member root_m[] = {
	{ "generated", PRP_T_STR },
	{ "tool", PRP_T_OBJ, &tool_s },
	{ "target", PRP_T_STR },
	{ "shard", PRP_T_OBJ, &shard_s },
	{ "summary", PRP_T_OBJ, &summary_s },
	{ "hosts", PRP_T_OBJ_ARR, &host_s },
	{ "rules", PRP_T_OBJ_ARR, &rule_s },
	{ "scenarios", PRP_T_OBJ_ARR, &scenario_s },
	{ "fidelity", PRP_T_OBJ_ARR, &fidelity_s },
};
static const struct shape root_s = SHAPE(root_m);

static gboolean is_string(JsonNode *n)
{
	return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING;
}

static gboolean is_int(JsonNode *n)
{
	return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64;
}

static gboolean all_strings(JsonNode *n)
{
	JsonArray *a;

	if (!JSON_NODE_HOLDS_ARRAY(n))
		return FALSE;
	a = json_node_get_array(n);
	for (guint i = 0; i < json_array_get_length(a); i++)
		if (!is_string(json_array_get_element(a, i)))
			return FALSE;
	return TRUE;
}

static gboolean has_type(JsonNode *n, enum prp_type t)
{
	switch (t) {
	case PRP_T_STR:
		return is_string(n);
	case PRP_T_STR_NULL:
		return JSON_NODE_HOLDS_NULL(n) || is_string(n);
	case PRP_T_INT:
		return is_int(n);
	case PRP_T_INT_NULL:
		return JSON_NODE_HOLDS_NULL(n) || is_int(n);
	case PRP_T_BOOL:
		return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_BOOLEAN;
	case PRP_T_BOOL_NULL:
		return JSON_NODE_HOLDS_NULL(n) || has_type(n, PRP_T_BOOL);
	case PRP_T_OBJ:
		return JSON_NODE_HOLDS_OBJECT(n);
	case PRP_T_OBJ_NULL:
		return JSON_NODE_HOLDS_NULL(n) || JSON_NODE_HOLDS_OBJECT(n);
	case PRP_T_OBJ_ARR:
		return JSON_NODE_HOLDS_ARRAY(n);
	case PRP_T_STR_ARR:
		return all_strings(n);
	case PRP_T_STR_ARRS: {
		g_autoptr(GList) values = NULL;

		if (!JSON_NODE_HOLDS_OBJECT(n))
			return FALSE;
		values = json_object_get_values(json_node_get_object(n));
		for (GList *l = values; l; l = l->next)
			if (!all_strings(l->data))
				return FALSE;
		return TRUE;
	}
	case PRP_T_MAX:
		break;
	}
	return FALSE;
}

static gboolean allowed(const char *const *values, const char *s)
{
	return !values || g_strv_contains((const char *const *)values, s);
}

static int fail(GError **error, const char *name, const GString *path, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);

static int fail(GError **error, const char *name, const GString *path, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, PRP_ERROR, PRP_ERROR_SCHEMA, "%s%s%s%s%s", name ? name : "",
		    name ? ": " : "", path->str, path->len ? ": " : "", msg);
	return -EINVAL;
}

static int check_object(JsonObject *o, const struct shape *s, const char *name, GString *path,
			GError **error);

static int check_member(JsonObject *o, const struct member *m, const char *name, GString *path,
			GError **error)
{
	JsonNode *n = json_object_get_member(o, m->name);
	size_t len = path->len;
	int r = 0;

	if (!n)
		return fail(error, name, path, "member '%s' is missing", m->name);
	if (!has_type(n, m->type))
		return fail(error, name, path, "member '%s' is not %s", m->name,
			    type_names[m->type]);
	if (m->values && !allowed(m->values, json_node_get_string(n))) {
		g_autofree char *list = g_strjoinv(", ", (char **)m->values);

		return fail(error, name, path, "member '%s' is '%s', not one of %s", m->name,
			    json_node_get_string(n), list);
	}
	if (!m->shape)
		return 0;

	g_string_append_printf(path, "%s%s", path->len ? "." : "", m->name);
	if (m->type == PRP_T_OBJ) {
		r = check_object(json_node_get_object(n), m->shape, name, path, error);
	} else {
		JsonArray *a = json_node_get_array(n);
		size_t base = path->len;

		for (guint i = 0; r == 0 && i < json_array_get_length(a); i++) {
			JsonNode *e = json_array_get_element(a, i);

			g_string_truncate(path, base);
			g_string_append_printf(path, "[%u]", i);
			if (!JSON_NODE_HOLDS_OBJECT(e))
				r = fail(error, name, path, "not an object");
			else
				r = check_object(json_node_get_object(e), m->shape, name, path,
						 error);
		}
	}
	g_string_truncate(path, len);
	return r;
}

static int check_object(JsonObject *o, const struct shape *s, const char *name, GString *path,
			GError **error)
{
	for (size_t i = 0; i < s->count; i++) {
		int r = check_member(o, &s->members[i], name, path, error);

		if (r < 0)
			return r;
	}
	return 0;
}

int prp_result_check(JsonNode *result, const char *name, GError **error)
{
	g_autoptr(GString) path = g_string_new(NULL);
	JsonObject *root;
	const char *schema;

	if (!result || !JSON_NODE_HOLDS_OBJECT(result))
		return fail(error, name, path, "not a JSON object");
	root = json_node_get_object(result);
	if (!json_object_has_member(root, "schema"))
		return fail(error, name, path, "member 'schema' is missing (not a %s result)",
			    PRP_RESULT_SCHEMA);
	schema = prp_str(root, "schema");
	if (!schema || strcmp(schema, PRP_RESULT_SCHEMA) != 0)
		return fail(error, name, path, "member 'schema' is '%s', expected '%s'",
			    schema ? schema : "(not a string)", PRP_RESULT_SCHEMA);
	return check_object(root, &root_s, name, path, error);
}

int prp_result_load(const char *file, JsonNode **ret, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) e = NULL;
	JsonNode *root;
	int r;

	if (!json_parser_load_from_file(parser, file, &e)) {
		if (e->domain == G_FILE_ERROR) {
			/* GLib's message names the file already. */
			g_set_error_literal(error, PRP_ERROR, PRP_ERROR_IO, e->message);
			return -ENOENT;
		}
		/* json-glib says FILE:LINE:COLUMN: (or <data>:... in older versions). */
		if (g_str_has_prefix(e->message, "<data>:"))
			g_set_error(error, PRP_ERROR, PRP_ERROR_SCHEMA, "%s:%s", file,
				    e->message + 7);
		else if (g_str_has_prefix(e->message, file))
			g_set_error_literal(error, PRP_ERROR, PRP_ERROR_SCHEMA, e->message);
		else
			g_set_error(error, PRP_ERROR, PRP_ERROR_SCHEMA, "%s: %s", file, e->message);
		return -EINVAL;
	}
	root = json_parser_get_root(parser);
	r = prp_result_check(root, file, error);
	if (r < 0)
		return r;
	*ret = json_node_ref(root);
	return 0;
}

char *prp_join(JsonArray *a, const char *sep)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < prp_len(a); i++)
		g_string_append_printf(s, "%s%s", i ? sep : "", prp_str_at(a, i));
	return g_string_free(s, FALSE);
}

char *prp_printable(const char *s)
{
	char *out = g_strdup(s ? s : "");

	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n')
			*p = '?';
	return out;
}

char *prp_step_title(JsonObject *step)
{
	const char *args = prp_str(step, "args");

	return g_strdup_printf("%s%s%s", prp_str(step, "verb"), args && *args ? " " : "",
			       args ? args : "");
}

char *prp_outcome_line(JsonObject *step)
{
	JsonObject *o = prp_obj(step, "outcome");
	const char *status = prp_str(step, "status");
	const char *err, *no, *msg, *rule;

	if (!o || (status && strcmp(status, "pass") == 0))
		return NULL;
	err = prp_str(o, "error");
	no = prp_str(o, "errno");
	msg = prp_str(o, "message");
	rule = prp_str(o, "rule");
	return g_strdup_printf("outcome: %s%s%s%s%s%s%s%s", err ? err : "ok", no ? " " : "",
			       no ? no : "", msg && *msg ? ": " : "", msg ? msg : "",
			       rule ? " [" : "", rule ? rule : "", rule ? "]" : "");
}

char *prp_expect_text(JsonObject *failure)
{
	const char *e = prp_str(failure, "expected"), *o = prp_str(failure, "observed");

	return g_strdup_printf("%s: expected %s, observed %s", prp_str(failure, "key"),
			       e ? e : "null", o ? o : "null");
}
