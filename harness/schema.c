/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The scenario format as data: tables of typed keys, and one walk of a document against them. */

/*
 * The plan: a scenario document is walked once against tables: the top-level keys, the host,
 * VM and fault keys, each verb's arguments (the verb rows the caller passes), the expectation
 * keys down to each device's and group's fields. Each key has a type (enum pth_arg_type);
 * anything else is an error naming FILE:LINE:COLUMN and what was expected, so a typo or a
 * list where a string belongs never passes as an ignored or a dropped value. Before the walk,
 * every mapping key must be a string and YAML aliases are refused (the format has no use for
 * them, and a copied node has no position of its own to report).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "kver.h"
#include "node.h"
#include "rules.h"
#include "schema.h"
#include "size.h"

/* What a walk needs: the file for positions, the caller's options, the document's hosts:. */
struct walk {
	const char *file;
	const struct pth_load_options *opts;
	struct fy_node *hosts;
};

static const char *const categories[] = { "viability", "vf-selection", "rebinding",
					  "reset",     "migration",    "memlock",
					  "vfio",      "kernel",       "certification",
					  NULL };

static const struct pth_arg top_keys[] = {
	PTH_REQ("title", PTH_ARG_STR),	   PTH_REQ("category", PTH_ARG_STR),
	PTH_OPT("rules", PTH_ARG_STRLIST), PTH_OPT("targets", PTH_ARG_STRLIST),
	PTH_OPT("host", PTH_ARG_MAP),	   PTH_OPT("vms", PTH_ARG_MAP),
	PTH_OPT("faults", PTH_ARG_ANY),	   PTH_REQ("steps", PTH_ARG_ANY),
	PTH_OPT("hosts", PTH_ARG_MAP),	   PTH_OPT("description", PTH_ARG_STR),
	PTH_OPT("check_id", PTH_ARG_STR),  {},
};

static const struct pth_arg host_keys[] = {
	PTH_OPT("recording", PTH_ARG_STR), PTH_OPT("kernel", PTH_ARG_KERNEL),
	PTH_OPT("set", PTH_ARG_MAP),	   PTH_OPT("model", PTH_ARG_MAP),
	PTH_OPT("devices", PTH_ARG_ANY),   {},
};

static const struct pth_arg set_keys[] = {
	PTH_OPT("driver", PTH_ARG_NULLSTR),
	PTH_OPT("override", PTH_ARG_NULLSTR),
	{},
};

/* The guest architectures the memlock formula knows (pt_arch_from_string). */
static const char *const arches[] = { "x86_64", "ppc64", NULL };

/* vcpus and phbs as QEMU takes them; a pid as Linux's pid_max allows (2^22). */
static const struct pth_arg vm_keys[] = {
	PTH_OPT("memory", PTH_ARG_SIZE),
	PTH_INT("vcpus", 1, 4096),
	PTH_INT("numa_node", -1, 1023),
	PTH_OPT("viommu", PTH_ARG_BOOL),
	PTH_OPT("hard_limit", PTH_ARG_SIZE),
	PTH_INT("pid", 0, 4194304),
	PTH_OPT("locked", PTH_ARG_BOOL),
	PTH_ENUM("arch", arches),
	PTH_OPT("max_memory", PTH_ARG_SIZE),
	PTH_INT("phbs", 0, 256),
	{},
};

/* A hang of at most ten minutes; a step index or a write count up to a million. */
static const struct pth_arg fault_keys[] = {
	PTH_OPT("write", PTH_ARG_STR),	PTH_OPT("reset", PTH_ARG_STR),
	PTH_OPT("numvfs", PTH_ARG_STR), PTH_OPT("remove", PTH_ARG_STR),
	PTH_OPT("errno", PTH_ARG_STR),	PTH_INT("count", 0, 1000000),
	PTH_INT("nth", 1, 1000000),	PTH_INT("hang_ms", 0, 600000),
	PTH_OPT("config", PTH_ARG_STR), PTH_INT("max", 0, 65535),
	PTH_INT("step", 0, 1000000),	{},
};

static const struct pth_arg expect_keys[] = {
	PTH_OPT("ok", PTH_ARG_BOOL),
	PTH_OPT("error", PTH_ARG_STR),
	PTH_OPT("errno", PTH_ARG_STR),
	PTH_OPT("value", PTH_ARG_STR),
	PTH_OPT("blockers", PTH_ARG_STRLIST),
	PTH_OPT("result", PTH_ARG_MAP),
	PTH_OPT("devices", PTH_ARG_MAP),
	PTH_OPT("groups", PTH_ARG_MAP),
	PTH_OPT("vfio_nodes", PTH_ARG_STRLIST),
	PTH_OPT("rules", PTH_ARG_STRLIST),
	PTH_OPT("trace", PTH_ARG_ANY),
	{},
};

/* expect.devices.BDF: the fields the runner observes (expect.c), each a string or null. */
static const struct pth_arg device_keys[] = {
	PTH_OPT("driver", PTH_ARG_NULLSTR), PTH_OPT("override", PTH_ARG_NULLSTR),
	PTH_OPT("group", PTH_ARG_NULLSTR),  PTH_OPT("numvfs", PTH_ARG_NULLSTR),
	PTH_OPT("physfn", PTH_ARG_NULLSTR), {},
};

static const struct pth_arg group_keys[] = {
	PTH_OPT("viable", PTH_ARG_BOOL),
	PTH_OPT("members", PTH_ARG_STRLIST),
	{},
};

static const char *const target_names[] = { "fake", "lab", "live" };

const char *pth_target_to_string(enum pth_target t)
{
	for (size_t i = 0; i < G_N_ELEMENTS(target_names); i++)
		if (t == 1u << i)
			return target_names[i];
	return NULL;
}

int pth_target_from_string(const char *s)
{
	for (size_t i = 0; s && i < G_N_ELEMENTS(target_names); i++)
		if (strcmp(s, target_names[i]) == 0)
			return 1 << i;
	return -EINVAL;
}

static gboolean fail_at(GError **error, const struct walk *w, struct fy_node *n, const char *fmt,
			...) G_GNUC_PRINTF(4, 5);

static gboolean fail_at(GError **error, const struct walk *w, struct fy_node *n, const char *fmt,
			...)
{
	g_autofree char *where = pth_node_at(w->file, n);
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", where, msg);
	return FALSE;
}

static const char *const type_names[_PTH_ARG_TYPE_MAX] = {
	[PTH_ARG_ANY] = "a value",
	[PTH_ARG_STR] = "a string",
	[PTH_ARG_NULLSTR] = "a string or null",
	[PTH_ARG_BOOL] = "true or false",
	[PTH_ARG_INT] = "an integer",
	[PTH_ARG_SIZE] = "a size (4G, 512MiB or bytes)",
	[PTH_ARG_STRLIST] = "a list of strings",
	[PTH_ARG_DEVICES] = "a non-empty list of strings",
	[PTH_ARG_MAP] = "a mapping",
	[PTH_ARG_CHECK] = "a certify check name",
	[PTH_ARG_HOST] = "a host named under hosts:",
	[PTH_ARG_ENUM] = "one of a list",
	[PTH_ARG_KERNEL] = "a kernel version (6.1, 5.15.0, 6.1.0-28-amd64)",
};

/* A scalar's text, or NULL for a collection (or an absent node). */
static const char *scalar(struct fy_node *v)
{
	return v && fy_node_is_scalar(v) ? fy_node_get_scalar0(v) : NULL;
}

static gboolean check_int(const struct walk *w, struct fy_node *v, const struct pth_arg *k,
			  GError **error)
{
	const char *s = scalar(v);
	char *end = NULL;
	gint64 n;

	errno = 0;
	n = s ? g_ascii_strtoll(s, &end, 10) : 0;
	if (!s || end == s || *end != '\0')
		return fail_at(error, w, v, "'%s' takes an integer, not '%s'", k->name,
			       s ? s : "a collection");
	if (errno == ERANGE || n < k->min || n > k->max)
		return fail_at(error, w, v, "'%s' takes an integer from %lld to %lld, not %s",
			       k->name, k->min, k->max, s);
	return TRUE;
}

static gboolean check_size(const struct walk *w, struct fy_node *v, const struct pth_arg *k,
			   GError **error)
{
	const char *s = scalar(v);
	uint64_t bytes;
	int r;

	if (!s || pth_node_is_null(v))
		return fail_at(error, w, v, "'%s' takes %s", k->name, type_names[k->type]);
	r = pth_parse_size(s, &bytes);
	if (r == -ERANGE)
		return fail_at(error, w, v, "'%s': size '%s' is too large (over 16 EiB)", k->name,
			       s);
	if (r < 0)
		return fail_at(error, w, v, "'%s': '%s' is not a size (%s)", k->name, s,
			       PTH_SIZE_HELP);
	return TRUE;
}

/* A list whose items are all strings (not null, not lists or mappings). */
static gboolean check_strlist(const struct walk *w, struct fy_node *v, const struct pth_arg *k,
			      GError **error)
{
	struct fy_node *item;
	void *it = NULL;

	if (!v || !fy_node_is_sequence(v))
		return fail_at(error, w, v, "'%s' takes a list of strings", k->name);
	while ((item = fy_node_sequence_iterate(v, &it)))
		if (!scalar(item) || pth_node_is_null(item))
			return fail_at(error, w, item, "'%s' takes a list of strings", k->name);
	if (k->type == PTH_ARG_DEVICES && fy_node_sequence_item_count(v) == 0)
		return fail_at(error, w, v, "'%s' takes a non-empty list of strings", k->name);
	return TRUE;
}

static gboolean check_check(const struct walk *w, struct fy_node *v, const struct pth_arg *k,
			    GError **error)
{
	const char *s = scalar(v);
	g_autofree char *known = NULL;

	if (s && w->opts->checks && g_strv_contains(w->opts->checks, s))
		return TRUE;
	known = w->opts->checks ? g_strjoinv(", ", (char **)w->opts->checks) : g_strdup("none");
	return fail_at(error, w, v, "unknown certify check '%s' (expected one of: %s)",
		       s ? s : "(a collection)", known);
}

static gboolean check_enum(const struct walk *w, struct fy_node *v, const struct pth_arg *k,
			   GError **error)
{
	const char *s = scalar(v);
	g_autofree char *known = g_strjoinv(", ", (char **)k->values);

	if (s && g_strv_contains(k->values, s))
		return TRUE;
	return fail_at(error, w, v, "'%s' takes one of %s, not '%s'", k->name, known,
		       s ? s : "a collection");
}

static gboolean check_value(const struct walk *w, struct fy_node *v, const struct pth_arg *k,
			    GError **error)
{
	const char *s = scalar(v);

	switch (k->type) {
	case PTH_ARG_STR:
		if (!s || pth_node_is_null(v))
			break;
		return TRUE;
	case PTH_ARG_NULLSTR:
		return s ? TRUE : fail_at(error, w, v, "'%s' takes a string or null", k->name);
	case PTH_ARG_BOOL:
		if (s && (strcmp(s, "true") == 0 || strcmp(s, "false") == 0))
			return TRUE;
		return fail_at(error, w, v, "'%s' takes true or false, not '%s'", k->name,
			       s ? s : "a collection");
	case PTH_ARG_INT:
		return check_int(w, v, k, error);
	case PTH_ARG_SIZE:
		return check_size(w, v, k, error);
	case PTH_ARG_STRLIST:
	case PTH_ARG_DEVICES:
		return check_strlist(w, v, k, error);
	case PTH_ARG_MAP:
		if (v && fy_node_is_mapping(v))
			return TRUE;
		break;
	case PTH_ARG_CHECK:
		return check_check(w, v, k, error);
	case PTH_ARG_HOST:
		if (s && pth_node_get(w->hosts, s))
			return TRUE;
		return fail_at(error, w, v, "'%s' names no host under hosts: ('%s')", k->name,
			       s ? s : "a collection");
	case PTH_ARG_ENUM:
		return check_enum(w, v, k, error);
	case PTH_ARG_KERNEL: {
		struct pt_kver kv;

		if (s && pt_kver_parse(s, &kv) == 0)
			return TRUE;
		break;
	}
	case PTH_ARG_ANY:
	case _PTH_ARG_TYPE_MAX:
		return TRUE;
	}
	return fail_at(error, w, v, "'%s' takes %s", k->name, type_names[k->type]);
}

static gboolean unknown_key(const struct walk *w, struct fy_node *kn, const char *name,
			    const struct pth_arg *keys, const char *what, GError **error)
{
	g_autoptr(GString) known = g_string_new(NULL);

	for (const struct pth_arg *k = keys; k->name; k++)
		g_string_append_printf(known, "%s%s", known->len ? ", " : "", k->name);
	return fail_at(error, w, kn, "unknown key '%s' in %s (expected one of: %s)", name, what,
		       known->len ? known->str : "none");
}

/* Check a mapping's keys and value types against a table. */
static gboolean check_keys(const struct walk *w, struct fy_node *map, const struct pth_arg *keys,
			   const char *what, GError **error)
{
	struct fy_node_pair *p;
	void *it = NULL;

	if (!map || pth_node_is_null(map)) {
		for (const struct pth_arg *k = keys; k->name; k++)
			if (k->flags & PTH_ARG_REQUIRED)
				return fail_at(error, w, map, "%s needs '%s'", what, k->name);
		return TRUE;
	}
	if (!fy_node_is_mapping(map))
		return fail_at(error, w, map, "%s must be a mapping", what);
	while ((p = fy_node_mapping_iterate(map, &it))) {
		struct fy_node *kn = fy_node_pair_key(p);
		const char *name = scalar(kn);
		const struct pth_arg *k = keys;

		for (; k->name && strcmp(k->name, name) != 0; k++)
			;
		if (!k->name)
			return unknown_key(w, kn, name, keys, what, error);
		if (!check_value(w, fy_node_pair_value(p), k, error))
			return FALSE;
	}
	for (const struct pth_arg *k = keys; k->name; k++)
		if ((k->flags & PTH_ARG_REQUIRED) && !pth_node_get(map, k->name))
			return fail_at(error, w, map, "%s needs '%s'", what, k->name);
	return TRUE;
}

/* Each value of a mapping (keyed by device, VM or group) against one table. */
static gboolean check_each(const struct walk *w, struct fy_node *map, const struct pth_arg *keys,
			   const char *what, GError **error)
{
	struct fy_node_pair *p;
	void *it = NULL;

	while ((p = fy_node_mapping_iterate(map, &it))) {
		struct fy_node *v = fy_node_pair_value(p);
		g_autofree char *name = g_strdup_printf("%s.%s", what, scalar(fy_node_pair_key(p)));

		/* null: the device must be absent (expect.devices) */
		if (keys == device_keys && pth_node_is_null(v))
			continue;
		if (!check_keys(w, v, keys, name, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean errno_known(const char *name)
{
	for (int i = 1; i < 134; i++) {
		const char *n = strerrorname_np(i);

		if (n && strcmp(n, name) == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean check_rule_list(const struct walk *w, struct fy_node *seq, GError **error)
{
	struct fy_node *item;
	void *it = NULL;

	while ((item = fy_node_sequence_iterate(seq, &it)))
		if (!pt_rule_find(scalar(item)))
			return fail_at(error, w, item, "unknown rule '%s' (see lib/rules.c)",
				       scalar(item));
	return TRUE;
}

/* expect.trace: each item "KIND PATH", or a mapping {KIND: PATH, value:, errno:} of strings. */
static gboolean check_trace(const struct walk *w, struct fy_node *seq, GError **error)
{
	struct fy_node *item;
	struct fy_node_pair *p;
	void *it = NULL, *jt;

	if (!fy_node_is_sequence(seq))
		return fail_at(error, w, seq, "'trace' takes a list of events");
	while ((item = fy_node_sequence_iterate(seq, &it))) {
		if (scalar(item))
			continue;
		if (!fy_node_is_mapping(item))
			return fail_at(error, w, item,
				       "a trace item is \"KIND PATH\" or {KIND: PATH, value: V, "
				       "errno: E}");
		jt = NULL;
		while ((p = fy_node_mapping_iterate(item, &jt)))
			if (!scalar(fy_node_pair_value(p)))
				return fail_at(error, w, fy_node_pair_value(p),
					       "'%s' in a trace item takes a string",
					       scalar(fy_node_pair_key(p)));
	}
	return TRUE;
}

static gboolean check_expect(const struct walk *w, struct fy_node *exp, GError **error)
{
	struct fy_node *n;
	const char *s;

	if (!check_keys(w, exp, expect_keys, "expect", error))
		return FALSE;
	if ((s = pth_node_str(exp, "error")) && pt_code_from_string(s) < 0)
		return fail_at(error, w, pth_node_get(exp, "error"),
			       "unknown error code '%s' (docs/scenarios.md lists them)", s);
	if ((s = pth_node_str(exp, "errno")) && !errno_known(s))
		return fail_at(error, w, pth_node_get(exp, "errno"), "unknown errno name '%s'", s);
	if ((n = pth_node_get(exp, "rules")) && !check_rule_list(w, n, error))
		return FALSE;
	if ((n = pth_node_get(exp, "devices")) &&
	    !check_each(w, n, device_keys, "expect.devices", error))
		return FALSE;
	if ((n = pth_node_get(exp, "groups")) &&
	    !check_each(w, n, group_keys, "expect.groups", error))
		return FALSE;
	if ((n = pth_node_get(exp, "trace")) && !check_trace(w, n, error))
		return FALSE;
	return TRUE;
}

static gboolean unknown_verb(const struct walk *w, struct fy_node *step, const char *name,
			     GError **error)
{
	g_autoptr(GString) known = g_string_new(NULL);

	for (const struct pth_verb *v = w->opts->verbs; v->name; v++)
		g_string_append_printf(known, "%s%s", known->len ? ", " : "", v->name);
	return fail_at(error, w, step, "unknown verb '%s' (expected one of: %s)", name, known->str);
}

static gboolean check_form(const struct walk *w, const struct pth_verb *v, struct fy_node *args,
			   GError **error)
{
	const char *why = v->check ? v->check(args) : NULL;

	return why ? fail_at(error, w, args, "%s", why) : TRUE;
}

static gboolean check_step(const struct walk *w, struct fy_node *step, GError **error)
{
	struct fy_node *args = NULL;
	struct fy_node_pair *p;
	const char *name;
	void *it = NULL;
	int count = 0;

	if (!fy_node_is_mapping(step))
		return fail_at(error, w, step, "a step is a mapping: VERB: {ARGS} and expect");
	while ((p = fy_node_mapping_iterate(step, &it)))
		count += strcmp(scalar(fy_node_pair_key(p)), "expect") != 0;
	name = pth_step_verb(step, &args);
	if (count != 1 || !name)
		return fail_at(error, w, step,
			       "a step has exactly one verb (and an optional expect)");
	for (const struct pth_verb *v = w->opts->verbs; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return check_keys(w, args, v->args, name, error) &&
			       check_form(w, v, args, error) &&
			       check_expect(w, pth_node_get(step, "expect"), error);
	return unknown_verb(w, step, name, error);
}

/* A check's stable ID: upper-case letters, digits and dashes (CERT-IOMMU, ACME-LINK-UP). */
static gboolean check_id_valid(const char *id)
{
	if (!id || !g_ascii_isupper(id[0]))
		return FALSE;
	for (const char *p = id; *p; p++)
		if (!g_ascii_isupper(*p) && !g_ascii_isdigit(*p) && *p != '-')
			return FALSE;
	return TRUE;
}

/* Keys are strings everywhere, and aliases are refused: before any table is consulted. */
static gboolean check_shape(const struct walk *w, struct fy_node *n, GError **error)
{
	struct fy_node_pair *p;
	struct fy_node *item;
	void *it = NULL;

	if (fy_node_is_alias(n) || fy_node_get_anchor(n))
		return fail_at(error, w, n,
			       "YAML anchors and aliases (&name, *name) are not supported in "
			       "scenarios: write the value out");
	if (fy_node_is_sequence(n)) {
		while ((item = fy_node_sequence_iterate(n, &it)))
			if (!check_shape(w, item, error))
				return FALSE;
		return TRUE;
	}
	while (fy_node_is_mapping(n) && (p = fy_node_mapping_iterate(n, &it))) {
		struct fy_node *k = fy_node_pair_key(p);

		if (!k || !scalar(k) || fy_node_is_alias(k))
			return fail_at(error, w, k, "a key is a string, not a list or a mapping");
		if (!check_shape(w, fy_node_pair_value(p), error))
			return FALSE;
	}
	return TRUE;
}

static gboolean check_targets(const struct walk *w, struct fy_node *root, unsigned *ret_targets,
			      GError **error)
{
	struct fy_node *n = pth_node_get(root, "targets"), *item;
	unsigned targets = 0;
	void *it = NULL;

	if (!n) {
		*ret_targets = PTH_TARGET_FAKE;
		return TRUE;
	}
	while ((item = fy_node_sequence_iterate(n, &it))) {
		int t = pth_target_from_string(scalar(item));

		if (t < 0)
			return fail_at(error, w, item, "unknown target '%s' (fake, lab, live)",
				       scalar(item));
		targets |= (unsigned)t;
	}
	*ret_targets = targets;
	return TRUE;
}

/* The head: keys, category, rules, targets, check_id. */
static gboolean check_head(const struct walk *w, struct fy_node *root, unsigned *ret_targets,
			   GError **error)
{
	struct fy_node *n;
	const char *s;

	if (!check_keys(w, root, top_keys, "the scenario", error))
		return FALSE;
	s = pth_node_str(root, "category");
	if (!g_strv_contains(categories, s))
		return fail_at(error, w, pth_node_get(root, "category"),
			       "unknown category '%s' (viability, vf-selection, rebinding, reset, "
			       "migration, memlock, vfio, kernel, certification)",
			       s);
	if ((n = pth_node_get(root, "rules")) && !check_rule_list(w, n, error))
		return FALSE;
	if (!check_targets(w, root, ret_targets, error))
		return FALSE;
	if ((s = pth_node_str(root, "check_id")) && !check_id_valid(s))
		return fail_at(error, w, pth_node_get(root, "check_id"),
			       "'check_id' takes upper-case letters, digits and dashes, starting "
			       "with a letter (CERT-IOMMU), not '%s'",
			       s);
	return TRUE;
}

static gboolean check_faults(const struct walk *w, struct fy_node *n, GError **error)
{
	struct fy_node *item;
	const char *s;
	void *it = NULL;

	if (!fy_node_is_sequence(n))
		return fail_at(error, w, n, "'faults' takes a list");
	while ((item = fy_node_sequence_iterate(n, &it))) {
		if (!check_keys(w, item, fault_keys, "a fault", error))
			return FALSE;
		if ((s = pth_node_str(item, "errno")) && !errno_known(s))
			return fail_at(error, w, pth_node_get(item, "errno"),
				       "unknown errno name '%s'", s);
	}
	return TRUE;
}

/* host:, vms:, hosts: and faults: (a scenario for real hosts only may have no host). */
static gboolean check_host(const struct walk *w, struct fy_node *root, unsigned targets,
			   GError **error)
{
	struct fy_node *n = pth_node_get(root, "host");

	if (!n && !(targets & PTH_TARGET_FAKE))
		return TRUE;
	if (!n)
		return fail_at(error, w, root,
			       "the scenario needs 'host' (only a scenario whose targets leave out "
			       "fake may go without)");
	if (!check_keys(w, n, host_keys, "host", error))
		return FALSE;
	if (pth_node_get(n, "devices") && !pth_node_get(n, "recording"))
		return fail_at(error, w, pth_node_get(n, "devices"),
			       "synthetic device lists are not supported yet: give host.recording "
			       "(ci/hostgen.py writes synthetic recordings)");
	if (!pth_node_str(n, "recording"))
		return fail_at(error, w, n, "host needs 'recording'");
	if (pth_node_get(n, "set") &&
	    !check_each(w, pth_node_get(n, "set"), set_keys, "host.set", error))
		return FALSE;
	if ((n = pth_node_get(root, "vms")) && !check_each(w, n, vm_keys, "vms", error))
		return FALSE;
	if ((n = pth_node_get(root, "hosts")) && !check_each(w, n, host_keys, "hosts", error))
		return FALSE;
	if ((n = pth_node_get(root, "faults")) && !check_faults(w, n, error))
		return FALSE;
	return TRUE;
}

gboolean pth_schema_check(const char *file, struct fy_node *root,
			  const struct pth_load_options *opts, unsigned *ret_targets,
			  GError **error)
{
	struct walk w = { .file = file, .opts = opts, .hosts = pth_node_get(root, "hosts") };
	struct fy_node *n, *item;
	unsigned targets = 0;
	void *it = NULL;

	if (!check_shape(&w, root, error) || !check_head(&w, root, &targets, error) ||
	    !check_host(&w, root, targets, error))
		return FALSE;
	n = pth_node_get(root, "steps");
	if (!n || !fy_node_is_sequence(n) || fy_node_sequence_item_count(n) == 0)
		return fail_at(error, &w, n ? n : root, "'steps' takes a non-empty list of steps");
	while ((item = fy_node_sequence_iterate(n, &it)))
		if (!check_step(&w, item, error))
			return FALSE;
	*ret_targets = targets;
	return TRUE;
}
