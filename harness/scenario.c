/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scenario files: parsed with libfyaml, checked against tables of keys, verbs and types. */

/*
 * The plan: load the YAML (libfyaml reports syntax errors with their line and column), then
 * walk it once against data: the top-level keys, the host and VM keys, each verb's argument
 * keys, the expectation keys, each with the type it takes. Anything else is an error naming
 * FILE:LINE:COLUMN and what was expected, so a typo never passes as an ignored key.
 */

#include <errno.h>
#include <string.h>

#include "certify.h"
#include "engine.h"
#include "rules.h"
#include "scenario.h"

enum kind {
	K_STR, /* a scalar */
	K_BOOL, /* true / false */
	K_INT, /* an integer */
	K_SIZE, /* 4G, 512M, or an integer */
	K_NULLS, /* a scalar or null */
	K_SEQ, /* a sequence of scalars */
	K_MAP, /* a mapping (checked elsewhere) */
	K_ANY,
};

struct key {
	const char *name;
	enum kind kind;
	bool required;
};

static const char *const categories[] = { "viability", "vf-selection", "rebinding",
					  "reset",     "migration",    "memlock",
					  "vfio",      "kernel",       "certification",
					  NULL };

static const struct key top_keys[] = {
	{ "title", K_STR, true }, { "category", K_STR, true }, { "rules", K_SEQ },
	{ "targets", K_SEQ },	  { "host", K_MAP },	       { "vms", K_MAP },
	{ "faults", K_ANY },	  { "steps", K_ANY, true },    { "hosts", K_MAP },
	{ "description", K_STR }, { "check_id", K_STR },       {},
};

static const struct key host_keys[] = {
	{ "recording", K_STR }, { "kernel", K_STR }, { "set", K_MAP }, { "devices", K_ANY }, {},
};

static const struct key set_keys[] = { { "driver", K_NULLS }, { "override", K_NULLS }, {} };

static const struct key vm_keys[] = {
	{ "memory", K_SIZE },
	{ "vcpus", K_INT },
	{ "numa_node", K_INT },
	{ "viommu", K_BOOL },
	{ "hard_limit", K_SIZE },
	{ "pid", K_INT },
	{ "locked", K_BOOL },
	{ "arch", K_STR },
	{ "max_memory", K_SIZE },
	{ "phbs", K_INT },
	{},
};

static const struct key fault_keys[] = {
	{ "write", K_STR },  { "reset", K_STR }, { "numvfs", K_STR }, { "remove", K_STR },
	{ "errno", K_STR },  { "count", K_INT }, { "nth", K_INT },    { "hang_ms", K_INT },
	{ "config", K_STR }, { "max", K_INT },	 { "step", K_INT },   {},
};

static const struct key expect_keys[] = {
	{ "ok", K_BOOL },	 { "error", K_STR },  { "errno", K_STR },   { "value", K_STR },
	{ "blockers", K_SEQ },	 { "result", K_MAP }, { "devices", K_MAP }, { "groups", K_MAP },
	{ "vfio_nodes", K_SEQ }, { "rules", K_SEQ },  { "trace", K_ANY },   {},
};

/* The verbs and their arguments (docs/scenario-contract.md, "Step verbs"). */
static const struct verb {
	const char *name;
	struct key args[10];
} verbs[] = {
	{ "inspect", { {} } },
	{ "check", { {} } },
	{ "detach",
	  { { "device", K_STR, true },
	    { "driver", K_STR },
	    { "method", K_STR },
	    { "managed", K_BOOL },
	    { "force", K_BOOL },
	    {} } },
	{ "reattach", { { "device", K_STR, true }, {} } },
	{ "reset", { { "device", K_STR, true }, { "method", K_STR }, {} } },
	{ "attach",
	  { { "vm", K_STR, true },
	    { "devices", K_SEQ, true },
	    { "managed", K_BOOL },
	    { "driver", K_STR },
	    { "method", K_STR },
	    { "force", K_BOOL },
	    {} } },
	{ "plan",
	  { { "vm", K_STR, true },
	    { "devices", K_SEQ, true },
	    { "managed", K_BOOL },
	    { "driver", K_STR },
	    { "method", K_STR },
	    { "force", K_BOOL },
	    {} } },
	{ "release", { { "vm", K_STR, true }, {} } },
	{ "select-vf",
	  { { "pf", K_STR },
	    { "id", K_STR },
	    { "vfs", K_STR },
	    { "numa_node", K_INT },
	    { "class", K_STR },
	    { "same_address", K_STR },
	    { "create", K_BOOL },
	    { "count", K_INT },
	    { "as", K_STR },
	    {} } },
	{ "set-numvfs", { { "pf", K_STR, true }, { "count", K_INT, true }, {} } },
	{ "vfio-open",
	  { { "device", K_STR, true },
	    { "map", K_SIZE },
	    { "memlock", K_SIZE },
	    { "reset", K_BOOL },
	    {} } },
	{ "migrate-check",
	  { { "vm", K_STR }, { "devices", K_SEQ }, { "failover", K_SEQ }, { "to", K_STR }, {} } },
	{ "memlock", { { "vm", K_STR, true }, {} } },
	{ "write", { { "path", K_STR, true }, { "value", K_STR, true }, {} } },
	{ "read", { { "path", K_STR, true }, {} } },
	{ "certify", { { "check", K_STR, true }, { "vfs", K_INT }, { "map", K_SIZE }, {} } },
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
	for (size_t i = 0; i < G_N_ELEMENTS(target_names); i++)
		if (strcmp(s, target_names[i]) == 0)
			return 1 << i;
	return -EINVAL;
}

/* Where a node starts: its own token, or for a collection its first key or item. */
static void node_mark(struct fy_node *n, int *line, int *col)
{
	void *it = NULL;

	*line = *col = 0;
	for (int depth = 0; n && depth < 16; depth++) {
		if (fy_node_is_scalar(n)) {
			struct fy_token *t = fy_node_get_scalar_token(n);
			const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;

			if (m) {
				*line = m->line + 1;
				*col = m->column + 1;
			}
			return;
		}
		it = NULL;
		if (fy_node_is_mapping(n)) {
			struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);

			n = p ? fy_node_pair_key(p) : NULL;
		} else if (fy_node_is_sequence(n)) {
			n = fy_node_sequence_iterate(n, &it);
		} else {
			return;
		}
	}
}

char *pth_node_where(const struct pth_scenario *sc, struct fy_node *n)
{
	int line, col;

	node_mark(n, &line, &col);
	return line ? g_strdup_printf("%s:%d:%d", sc->file, line, col) : g_strdup(sc->file);
}

static gboolean fail_at(GError **error, const struct pth_scenario *sc, struct fy_node *n,
			const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static gboolean fail_at(GError **error, const struct pth_scenario *sc, struct fy_node *n,
			const char *fmt, ...)
{
	g_autofree char *where = pth_node_where(sc, n);
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", where, msg);
	return FALSE;
}

gboolean pth_node_is_null(struct fy_node *n)
{
	const char *s;

	if (!n)
		return TRUE;
	if (!fy_node_is_scalar(n))
		return FALSE;
	s = fy_node_get_scalar0(n);
	return fy_node_get_style(n) == FYNS_PLAIN &&
	       (!s || !*s || strcmp(s, "null") == 0 || strcmp(s, "~") == 0);
}

struct fy_node *pth_node_get(struct fy_node *map, const char *key)
{
	return map && fy_node_is_mapping(map) ? fy_node_mapping_lookup_by_string(map, key, -1) :
						NULL;
}

const char *pth_node_str(struct fy_node *map, const char *key)
{
	struct fy_node *n = pth_node_get(map, key);

	return n && fy_node_is_scalar(n) && !pth_node_is_null(n) ? fy_node_get_scalar0(n) : NULL;
}

static const char *kind_name(enum kind k)
{
	static const char *const names[] = {
		[K_STR] = "a string",		[K_BOOL] = "true or false",
		[K_INT] = "an integer",		[K_SIZE] = "a size (4G, 512M or bytes)",
		[K_NULLS] = "a string or null", [K_SEQ] = "a list",
		[K_MAP] = "a mapping",		[K_ANY] = "a value",
	};

	return names[k];
}

static gboolean check_value(const struct pth_scenario *sc, struct fy_node *v, enum kind k,
			    const char *key, GError **error)
{
	const char *s = v && fy_node_is_scalar(v) ? fy_node_get_scalar0(v) : NULL;
	char *end;

	switch (k) {
	case K_STR:
		if (!s || pth_node_is_null(v))
			return fail_at(error, sc, v, "'%s' takes %s", key, kind_name(k));
		return TRUE;
	case K_NULLS:
		return s ? TRUE : fail_at(error, sc, v, "'%s' takes %s", key, kind_name(k));
	case K_BOOL:
		if (!s || (strcmp(s, "true") != 0 && strcmp(s, "false") != 0))
			return fail_at(error, sc, v, "'%s' takes true or false, not '%s'", key,
				       s ? s : "a collection");
		return TRUE;
	case K_INT:
		if (!s || (g_ascii_strtoll(s, &end, 10), *end != '\0' || end == s))
			return fail_at(error, sc, v, "'%s' takes an integer, not '%s'", key,
				       s ? s : "a collection");
		return TRUE;
	case K_SIZE:
		if (!s || !g_ascii_isdigit(s[0]))
			return fail_at(error, sc, v, "'%s' takes %s", key, kind_name(k));
		return TRUE;
	case K_SEQ:
		if (!v || !fy_node_is_sequence(v))
			return fail_at(error, sc, v, "'%s' takes a list", key);
		return TRUE;
	case K_MAP:
		if (!v || !fy_node_is_mapping(v))
			return fail_at(error, sc, v, "'%s' takes a mapping", key);
		return TRUE;
	case K_ANY:
		return TRUE;
	}
	return TRUE;
}

/* Check a mapping's keys and value types against a table. */
static gboolean check_keys(const struct pth_scenario *sc, struct fy_node *map,
			   const struct key *keys, const char *what, GError **error)
{
	struct fy_node_pair *p;
	void *it = NULL;

	if (!map || pth_node_is_null(map)) {
		for (const struct key *k = keys; k->name; k++)
			if (k->required)
				return fail_at(error, sc, map, "%s needs '%s'", what, k->name);
		return TRUE;
	}
	if (!fy_node_is_mapping(map))
		return fail_at(error, sc, map, "%s must be a mapping", what);
	while ((p = fy_node_mapping_iterate(map, &it))) {
		struct fy_node *kn = fy_node_pair_key(p);
		const char *name = fy_node_is_scalar(kn) ? fy_node_get_scalar0(kn) : "";
		const struct key *k = keys;
		g_autoptr(GString) known = g_string_new(NULL);

		for (; k->name && strcmp(k->name, name) != 0; k++)
			g_string_append_printf(known, "%s%s", known->len ? ", " : "", k->name);
		if (!k->name) {
			for (const struct key *r = k; r->name; r++)
				g_string_append_printf(known, ", %s", r->name);
			return fail_at(error, sc, kn,
				       "unknown key '%s' in %s (expected one of: %s)", name, what,
				       known->len ? known->str : "none");
		}
		if (!check_value(sc, fy_node_pair_value(p), k->kind, name, error))
			return FALSE;
	}
	for (const struct key *k = keys; k->name; k++)
		if (k->required && !pth_node_get(map, k->name))
			return fail_at(error, sc, map, "%s needs '%s'", what, k->name);
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

static gboolean check_rule_list(const struct pth_scenario *sc, struct fy_node *seq, GError **error)
{
	struct fy_node *item;
	void *it = NULL;

	while ((item = fy_node_sequence_iterate(seq, &it))) {
		const char *id = fy_node_is_scalar(item) ? fy_node_get_scalar0(item) : "";

		if (!pt_rule_find(id))
			return fail_at(error, sc, item, "unknown rule '%s' (see lib/rules.c)", id);
	}
	return TRUE;
}

static gboolean check_expect(const struct pth_scenario *sc, struct fy_node *exp, GError **error)
{
	const char *s;

	if (!check_keys(sc, exp, expect_keys, "expect", error))
		return FALSE;
	if ((s = pth_node_str(exp, "error")) && pt_code_from_string(s) < 0)
		return fail_at(error, sc, pth_node_get(exp, "error"),
			       "unknown error code '%s' (ptharness-scenario(5) lists them)", s);
	if ((s = pth_node_str(exp, "errno")) && !errno_known(s))
		return fail_at(error, sc, pth_node_get(exp, "errno"), "unknown errno name '%s'", s);
	if (pth_node_get(exp, "rules") && !check_rule_list(sc, pth_node_get(exp, "rules"), error))
		return FALSE;
	return TRUE;
}

const char *pth_step_verb(struct fy_node *step, struct fy_node **ret_args)
{
	struct fy_node_pair *p;
	void *it = NULL;

	while (step && fy_node_is_mapping(step) && (p = fy_node_mapping_iterate(step, &it))) {
		struct fy_node *k = fy_node_pair_key(p);
		const char *name = fy_node_is_scalar(k) ? fy_node_get_scalar0(k) : NULL;

		if (name && strcmp(name, "expect") != 0) {
			if (ret_args)
				*ret_args = fy_node_pair_value(p);
			return name;
		}
	}
	return NULL;
}

static gboolean check_certify(const struct pth_scenario *sc, struct fy_node *args, GError **error)
{
	const char *name = pth_node_str(args, "check");

	if (!pth_cert_check_known(name)) {
		g_autofree char *known = pth_cert_check_names();

		return fail_at(error, sc, pth_node_get(args, "check"),
			       "unknown certify check '%s' (expected one of: %s)", name, known);
	}
	return TRUE;
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

static gboolean check_step(const struct pth_scenario *sc, struct fy_node *step, GError **error)
{
	struct fy_node *args = NULL;
	const char *name;
	int count = 0;
	struct fy_node_pair *p;
	void *it = NULL;

	if (!fy_node_is_mapping(step))
		return fail_at(error, sc, step, "a step is a mapping: VERB: {ARGS} and expect");
	while ((p = fy_node_mapping_iterate(step, &it))) {
		const char *k = fy_node_get_scalar0(fy_node_pair_key(p));

		count += !k || strcmp(k, "expect") != 0;
	}
	name = pth_step_verb(step, &args);
	if (count != 1 || !name)
		return fail_at(error, sc, step,
			       "a step has exactly one verb (and an optional expect)");
	for (size_t i = 0; i < G_N_ELEMENTS(verbs); i++) {
		if (strcmp(verbs[i].name, name) != 0)
			continue;
		if (!check_keys(sc, args, verbs[i].args, name, error))
			return FALSE;
		if (strcmp(name, "certify") == 0 && !check_certify(sc, args, error))
			return FALSE;
		return check_expect(sc, pth_node_get(step, "expect"), error);
	}
	{
		g_autoptr(GString) known = g_string_new(NULL);

		for (size_t i = 0; i < G_N_ELEMENTS(verbs); i++)
			g_string_append_printf(known, "%s%s", i ? ", " : "", verbs[i].name);
		return fail_at(error, sc, step, "unknown verb '%s' (expected one of: %s)", name,
			       known->str);
	}
}

static gboolean check_each(const struct pth_scenario *sc, struct fy_node *map,
			   const struct key *keys, const char *what, GError **error)
{
	struct fy_node_pair *p;
	void *it = NULL;

	while ((p = fy_node_mapping_iterate(map, &it)))
		if (!check_keys(sc, fy_node_pair_value(p), keys, what, error))
			return FALSE;
	return TRUE;
}

static gboolean check_document(struct pth_scenario *sc, struct fy_node *root, GError **error)
{
	struct fy_node *n, *item;
	const char *s;
	void *it = NULL;

	if (!check_keys(sc, root, top_keys, "the scenario", error))
		return FALSE;
	s = pth_node_str(root, "category");
	if (!g_strv_contains(categories, s))
		return fail_at(error, sc, pth_node_get(root, "category"),
			       "unknown category '%s' (viability, vf-selection, rebinding, reset, "
			       "migration, memlock, vfio, kernel, certification)",
			       s);
	if ((n = pth_node_get(root, "rules")) && !check_rule_list(sc, n, error))
		return FALSE;
	if ((n = pth_node_get(root, "targets"))) {
		sc->targets = 0;
		while ((item = fy_node_sequence_iterate(n, &it))) {
			int t = pth_target_from_string(fy_node_get_scalar0(item));

			if (t < 0)
				return fail_at(error, sc, item, "unknown target (fake, lab, live)");
			sc->targets |= (unsigned)t;
		}
	}
	if ((s = pth_node_str(root, "check_id")) && !check_id_valid(s))
		return fail_at(error, sc, pth_node_get(root, "check_id"),
			       "'check_id' takes upper-case letters, digits and dashes, starting "
			       "with a letter (CERT-IOMMU), not '%s'",
			       s);
	n = pth_node_get(root, "host");
	/* A scenario only for real hosts (a certification check) runs on the machine: it needs
	 * no recording. */
	if (!n && !(sc->targets & PTH_TARGET_FAKE))
		goto steps;
	if (!n)
		return fail_at(error, sc, root,
			       "the scenario needs 'host' (only a scenario whose targets leave out "
			       "fake may go without)");
	if (!check_keys(sc, n, host_keys, "host", error))
		return FALSE;
	if (pth_node_get(n, "devices") && !pth_node_get(n, "recording"))
		return fail_at(error, sc, pth_node_get(n, "devices"),
			       "synthetic device lists are not supported yet: give host.recording "
			       "(ci/hostgen.py writes synthetic recordings)");
	if (!pth_node_str(n, "recording"))
		return fail_at(error, sc, n, "host needs 'recording'");
	if (pth_node_get(n, "set") &&
	    !check_each(sc, pth_node_get(n, "set"), set_keys, "host.set", error))
		return FALSE;
	if ((n = pth_node_get(root, "vms")) && !check_each(sc, n, vm_keys, "a VM", error))
		return FALSE;
	if ((n = pth_node_get(root, "hosts")) && !check_each(sc, n, host_keys, "hosts", error))
		return FALSE;
	if ((n = pth_node_get(root, "faults"))) {
		if (!fy_node_is_sequence(n))
			return fail_at(error, sc, n, "'faults' takes a list");
		it = NULL;
		while ((item = fy_node_sequence_iterate(n, &it))) {
			if (!check_keys(sc, item, fault_keys, "a fault", error))
				return FALSE;
			if ((s = pth_node_str(item, "errno")) && !errno_known(s))
				return fail_at(error, sc, pth_node_get(item, "errno"),
					       "unknown errno name '%s'", s);
		}
	}
steps:
	n = pth_node_get(root, "steps");
	if (!n || !fy_node_is_sequence(n) || fy_node_sequence_item_count(n) == 0)
		return fail_at(error, sc, n ? n : root, "'steps' takes a non-empty list of steps");
	it = NULL;
	while ((item = fy_node_sequence_iterate(n, &it)))
		if (!check_step(sc, item, error))
			return FALSE;
	return TRUE;
}

char *pth_scenario_id(const char *file, const char *root)
{
	g_autofree char *abs = g_canonicalize_filename(file, NULL);
	g_autofree char *base = root ? g_canonicalize_filename(root, NULL) : NULL;
	const char *rel = abs;
	char *id;

	if (base && g_str_has_prefix(abs, base) && abs[strlen(base)] == '/')
		rel = abs + strlen(base) + 1;
	else
		rel = strrchr(abs, '/') ? strrchr(abs, '/') + 1 : abs;
	id = g_strdup(rel);
	if (g_str_has_suffix(id, ".yaml"))
		id[strlen(id) - 5] = '\0';
	return id;
}

struct pth_scenario *pth_scenario_load(const char *file, const char *root, GError **error)
{
	struct fy_diag_cfg dcfg;
	struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET | FYPCF_DEFAULT_PARSE };
	struct pth_scenario *sc = g_new0(struct pth_scenario, 1);
	struct fy_node *root_node, *n;
	struct fy_diag *diag;
	g_autofree char *dir = NULL, *rec = NULL;

	sc->file = g_strdup(file);
	sc->id = pth_scenario_id(file, root);
	sc->targets = PTH_TARGET_FAKE;
	if (!g_file_test(file, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: no such scenario file",
			    file);
		pth_scenario_free(sc);
		return NULL;
	}
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = NULL;
	diag = fy_diag_create(&dcfg);
	if (diag)
		fy_diag_set_collect_errors(diag, true);
	cfg.diag = diag;
	sc->doc = fy_document_build_from_file(&cfg, file);
	if (!sc->doc) {
		struct fy_diag_error *e = NULL;
		void *it = NULL;

		if (diag)
			e = fy_diag_errors_iterate(diag, &it);
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%d:%d: YAML: %s", file,
			    e ? e->line + 1 : 0, e ? e->column + 1 : 0,
			    e ? e->msg : "cannot parse");
		fy_diag_destroy(diag);
		pth_scenario_free(sc);
		return NULL;
	}
	fy_diag_destroy(diag);
	root_node = fy_document_root(sc->doc);
	if (!root_node || !fy_node_is_mapping(root_node)) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s: a scenario is a YAML mapping (title, category, host, steps...)",
			    file);
		pth_scenario_free(sc);
		return NULL;
	}
	if (!check_document(sc, root_node, error)) {
		pth_scenario_free(sc);
		return NULL;
	}
	sc->title = g_strdup(pth_node_str(root_node, "title"));
	sc->category = g_strdup(pth_node_str(root_node, "category"));
	if ((n = pth_node_get(root_node, "rules"))) {
		GPtrArray *a = g_ptr_array_new();
		struct fy_node *item;
		void *it = NULL;

		while ((item = fy_node_sequence_iterate(n, &it)))
			g_ptr_array_add(a, g_strdup(fy_node_get_scalar0(item)));
		g_ptr_array_add(a, NULL);
		sc->rules = (char **)g_ptr_array_free(a, FALSE);
	}
	sc->check_id = g_strdup(pth_node_str(root_node, "check_id"));
	sc->vms = pth_node_get(root_node, "vms");
	sc->faults = pth_node_get(root_node, "faults");
	sc->steps = pth_node_get(root_node, "steps");
	sc->hosts = pth_node_get(root_node, "hosts");
	n = pth_node_get(root_node, "host");
	if (!n) {
		/* live-only: the host is the machine the run is on */
		sc->host_name = g_strdup("live");
		return sc;
	}
	dir = g_path_get_dirname(file);
	rec = g_path_is_absolute(pth_node_str(n, "recording")) ?
		      g_strdup(pth_node_str(n, "recording")) :
		      g_build_filename(dir, pth_node_str(n, "recording"), NULL);
	sc->recording = g_canonicalize_filename(rec, NULL);
	if (!g_file_test(sc->recording, G_FILE_TEST_IS_REGULAR)) {
		fail_at(error, sc, pth_node_get(n, "recording"), "no such recording: %s",
			sc->recording);
		pth_scenario_free(sc);
		return NULL;
	}
	sc->host_name = g_path_get_basename(sc->recording);
	if (g_str_has_suffix(sc->host_name, ".umockdev"))
		sc->host_name[strlen(sc->host_name) - strlen(".umockdev")] = '\0';
	sc->kernel = g_strdup(pth_node_str(n, "kernel"));
	sc->set = pth_node_get(n, "set");
	return sc;
}

void pth_scenario_free(struct pth_scenario *sc)
{
	if (!sc)
		return;
	if (sc->doc)
		fy_document_destroy(sc->doc);
	g_strfreev(sc->rules);
	g_free(sc->file);
	g_free(sc->id);
	g_free(sc->title);
	g_free(sc->category);
	g_free(sc->check_id);
	g_free(sc->recording);
	g_free(sc->host_name);
	g_free(sc->kernel);
	g_free(sc);
}

static void find_in(const char *path, GPtrArray *out)
{
	g_autoptr(GDir) d = NULL;
	const char *name;

	if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
		g_ptr_array_add(out, g_strdup(path));
		return;
	}
	d = g_dir_open(path, 0, NULL);
	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *child = g_build_filename(path, name, NULL);

		if (g_file_test(child, G_FILE_TEST_IS_DIR)) {
			/* hosts/ holds recordings, not scenarios */
			if (strcmp(name, "hosts") != 0)
				find_in(child, out);
		} else if (g_str_has_suffix(name, ".yaml")) {
			g_ptr_array_add(out, g_steal_pointer(&child));
		}
	}
}

static int cmp_paths(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

GPtrArray *pth_scenario_find(char **paths, GError **error)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

	for (char **p = paths; p && *p; p++) {
		if (!g_file_test(*p, G_FILE_TEST_EXISTS)) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
				    "%s: no such scenario file or directory", *p);
			g_ptr_array_unref(out);
			return NULL;
		}
		find_in(*p, out);
	}
	g_ptr_array_sort(out, cmp_paths);
	return out;
}
