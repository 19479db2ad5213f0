/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scenario files: parsed with libfyaml, checked (schema.c), their recordings found. */

/*
 * The plan: parse the YAML (libfyaml's errors at the token they name), check the document
 * against the format (schema.c, with the verb rows and certify's check names the caller
 * passes), then take its fields and check that the recordings it names exist. The document
 * stays alive: the runner reads the steps from it.
 */

#include <errno.h>
#include <string.h>

#include "scenario.h"

char *pth_node_where(const struct pth_scenario *sc, struct fy_node *n)
{
	return pth_node_at(sc->file, n);
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

char *pth_scenario_path(const struct pth_scenario *sc, const char *path)
{
	g_autofree char *dir = g_path_get_dirname(sc->file);
	g_autofree char *joined =
		g_path_is_absolute(path) ? g_strdup(path) : g_build_filename(dir, path, NULL);

	return g_canonicalize_filename(joined, NULL);
}

/* libfyaml's first error, at the token it names (its own line and column otherwise). */
static void yaml_error(const char *file, struct fy_diag *diag, GError **error)
{
	struct fy_diag_error *e = NULL;
	const struct fy_mark *m = NULL;
	void *it = NULL;

	if (diag)
		e = fy_diag_errors_iterate(diag, &it);
	if (e && e->fyt)
		m = fy_token_start_mark(e->fyt);
	if (m)
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%d:%d: YAML: %s", file,
			    m->line + 1, m->column + 1, e->msg);
	else if (e)
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%d:%d: YAML: %s", file,
			    e->line, e->column, e->msg);
	else
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s:1:1: the file is empty (a scenario is a YAML mapping: title, "
			    "category, host, steps...)",
			    file);
}

/*
 * YAML is Unicode text. libfyaml 0.8 loops for ever on some invalid UTF-8 (a directive such as
 * "%\xdf" found by fuzz-scenario), so bytes that are not UTF-8, and NULs, are refused before it
 * sees them, at their line and column.
 */
static gboolean check_text(const char *file, const char *text, gsize len, GError **error)
{
	unsigned line = 1, col = 1;
	const char *bad, *p;

	if (g_utf8_validate_len(text, len, &bad))
		return TRUE;
	for (p = text; p < bad; p++) {
		if (*p == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)*p & 0xc0) != 0x80) {
			col++;
		}
	}
	g_set_error(
		error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		"%s:%u:%u: byte 0x%02x is not UTF-8 text (a scenario is YAML, which is Unicode)",
		file, line, col, (unsigned char)*bad);
	return FALSE;
}

/* The YAML document of text (file's), or NULL with error FILE:LINE:COLUMN. */
static struct fy_document *parse(const char *file, const char *text, gsize len, GError **error)
{
	struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET | FYPCF_DEFAULT_PARSE };
	struct fy_document *doc;
	struct fy_diag_cfg dcfg;
	struct fy_diag *diag;
	struct fy_node *root;

	if (!check_text(file, text, len, error))
		return NULL;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = NULL;
	diag = fy_diag_create(&dcfg);
	if (diag)
		fy_diag_set_collect_errors(diag, true);
	cfg.diag = diag;
	doc = fy_document_build_from_string(&cfg, text, len);
	if (!doc)
		yaml_error(file, diag, error);
	fy_diag_destroy(diag);
	root = doc ? fy_document_root(doc) : NULL;
	if (doc && (!root || !fy_node_is_mapping(root))) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s:1:1: %s: a scenario is a YAML mapping (title, category, host, "
			    "steps...)",
			    file, root ? "not a mapping" : "the file is empty");
		fy_document_destroy(doc);
		return NULL;
	}
	return doc;
}

/* Every recording under hosts: (migrate-check's to:) exists. */
static gboolean check_hosts(struct pth_scenario *sc, GError **error)
{
	struct fy_node_pair *p;
	void *it = NULL;

	while (sc->hosts && (p = fy_node_mapping_iterate(sc->hosts, &it))) {
		struct fy_node *rec = pth_node_get(fy_node_pair_value(p), "recording");
		g_autofree char *path = NULL;

		if (!rec)
			return fail_at(error, sc, fy_node_pair_key(p), "a host needs 'recording'");
		path = pth_scenario_path(sc, fy_node_get_scalar0(rec));
		if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
			return fail_at(error, sc, rec, "no such recording: %s", path);
	}
	return TRUE;
}

/* The fields of a checked document. */
static gboolean take_fields(struct pth_scenario *sc, struct fy_node *root, GError **error)
{
	struct fy_node *n = pth_node_get(root, "rules"), *item;
	GPtrArray *a = g_ptr_array_new();
	void *it = NULL;

	while (n && (item = fy_node_sequence_iterate(n, &it)))
		g_ptr_array_add(a, g_strdup(fy_node_get_scalar0(item)));
	g_ptr_array_add(a, NULL);
	sc->rules = (char **)g_ptr_array_free(a, FALSE);
	sc->title = g_strdup(pth_node_str(root, "title"));
	sc->category = g_strdup(pth_node_str(root, "category"));
	sc->check_id = g_strdup(pth_node_str(root, "check_id"));
	sc->vms = pth_node_get(root, "vms");
	sc->faults = pth_node_get(root, "faults");
	sc->steps = pth_node_get(root, "steps");
	sc->hosts = pth_node_get(root, "hosts");
	n = pth_node_get(root, "host");
	if (!n) {
		/* live-only: the host is the machine the run is on */
		sc->host_name = g_strdup("live");
		return check_hosts(sc, error);
	}
	sc->recording = pth_scenario_path(sc, pth_node_str(n, "recording"));
	if (!g_file_test(sc->recording, G_FILE_TEST_IS_REGULAR))
		return fail_at(error, sc, pth_node_get(n, "recording"), "no such recording: %s",
			       sc->recording);
	sc->host_name = g_path_get_basename(sc->recording);
	if (g_str_has_suffix(sc->host_name, ".umockdev"))
		sc->host_name[strlen(sc->host_name) - strlen(".umockdev")] = '\0';
	sc->kernel = g_strdup(pth_node_str(n, "kernel"));
	sc->set = pth_node_get(n, "set");
	sc->model = pth_node_get(n, "model");
	return check_hosts(sc, error);
}

struct pth_scenario *pth_scenario_load(const char *file, const struct pth_load_options *opts,
				       GError **error)
{
	struct pth_scenario *sc = g_new0(struct pth_scenario, 1);
	gsize len;

	sc->file = g_strdup(file);
	sc->id = pth_scenario_id(file, opts->root);
	if (!g_file_test(file, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: no such scenario file",
			    file);
		return (pth_scenario_free(sc), NULL);
	}
	if (!g_file_get_contents(file, &sc->text, &len, error))
		return (pth_scenario_free(sc), NULL);
	sc->doc = parse(file, sc->text, len, error);
	if (!sc->doc ||
	    !pth_schema_check(file, fy_document_root(sc->doc), opts, &sc->targets, error) ||
	    !take_fields(sc, fy_document_root(sc->doc), error))
		return (pth_scenario_free(sc), NULL);
	return sc;
}

void pth_scenario_free(struct pth_scenario *sc)
{
	if (!sc)
		return;
	if (sc->doc)
		fy_document_destroy(sc->doc);
	g_free(sc->text);
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
