/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding the files ptharness ships (report module, suite, profiles) from the running binary. */

#include <json-glib/json-glib.h>

#include "resource.h"

/* How each resource is found; the order of the candidates is the one resource.h documents. */
static const struct resource {
	const char *what;
	const char *env;
	const char *name; /* its file or folder name, beside the binary */
	const char *build_rel; /* relative to the build root, or NULL: in the source tree */
	const char *installed_rel; /* relative to the binary's folder */
	const char *installed_abs; /* at the configured prefix */
	GFileTest test;
} resources[PTH_RESOURCE_MAX] = {
	[PTH_RESOURCE_REPORTS_MODULE] = {
		.what = "the report writers (" PTH_REPORTS_MODULE_NAME ")",
		.env = "PTH_REPORTS_MODULE",
		.name = PTH_REPORTS_MODULE_NAME,
		.build_rel = "reports/" PTH_REPORTS_MODULE_NAME,
		.installed_rel = PTH_REL_PKGLIBDIR "/" PTH_REPORTS_MODULE_NAME,
		.installed_abs = PTH_PKGLIBDIR "/" PTH_REPORTS_MODULE_NAME,
		.test = G_FILE_TEST_IS_REGULAR,
	},
	[PTH_RESOURCE_SCENARIOS] = {
		.what = "the bundled scenario suite",
		.env = "PTH_SCENARIOS_DIR",
		.name = "scenarios",
		.build_rel = NULL,
		.installed_rel = PTH_REL_PKGDATADIR "/scenarios",
		.installed_abs = PTH_PKGDATADIR "/scenarios",
		.test = G_FILE_TEST_IS_DIR,
	},
	[PTH_RESOURCE_FAKE_PRELOAD] = {
		.what = "fake's VFIO shim (" PTH_FAKE_PRELOAD_NAME ")",
		.env = "PTH_FAKE_PRELOAD",
		.name = PTH_FAKE_PRELOAD_NAME,
		.build_rel = "harness/" PTH_FAKE_PRELOAD_NAME,
		.installed_rel = PTH_REL_PKGLIBDIR "/" PTH_FAKE_PRELOAD_NAME,
		.installed_abs = PTH_PKGLIBDIR "/" PTH_FAKE_PRELOAD_NAME,
		.test = G_FILE_TEST_IS_REGULAR,
	},
	[PTH_RESOURCE_CLIENTS] = {
		.what = "ptharness's own client programs (clients/)",
		.env = "PTH_CLIENTS_DIR",
		.name = "clients",
		.build_rel = "harness/clients",
		.installed_rel = PTH_REL_PKGLIBDIR "/clients",
		.installed_abs = PTH_PKGLIBDIR "/clients",
		.test = G_FILE_TEST_IS_DIR,
	},
};

/* The source tree of the build tree build_root, from meson's own description of it. */
static char *build_source_dir(const char *build_root)
{
	g_autofree char *info = g_build_filename(build_root, "meson-info", "meson-info.json", NULL);
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o, *dirs;

	if (!g_file_test(info, G_FILE_TEST_IS_REGULAR) ||
	    !json_parser_load_from_file(parser, info, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
		return NULL;
	o = json_node_get_object(json_parser_get_root(parser));
	dirs = json_object_get_object_member(o, "directories");
	if (!dirs || !json_object_has_member(dirs, "source"))
		return NULL;
	return g_strdup(json_object_get_string_member(dirs, "source"));
}

/* The candidates for res, in order, into paths (a NULL-free array of owned strings). */
static void candidates(const struct resource *res, GPtrArray *paths)
{
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *dir = exe ? g_path_get_dirname(exe) : NULL;
	g_autofree char *build = dir ? g_path_get_dirname(dir) : NULL;
	g_autofree char *source = NULL;

	if (dir)
		g_ptr_array_add(paths, g_build_filename(dir, res->name, NULL));
	source = build ? build_source_dir(build) : NULL;
	if (source && res->build_rel)
		g_ptr_array_add(paths, g_build_filename(build, res->build_rel, NULL));
	else if (source)
		g_ptr_array_add(paths, g_build_filename(source, res->name, NULL));
	if (dir)
		g_ptr_array_add(paths, g_canonicalize_filename(res->installed_rel, dir));
	g_ptr_array_add(paths, g_strdup(res->installed_abs));
}

char *pth_resource_find(enum pth_resource r, GError **error)
{
	const struct resource *res = &resources[r];
	const char *env = g_getenv(res->env);
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GString) tried = g_string_new(NULL);

	if (env && *env)
		return g_strdup(env);
	candidates(res, paths);
	for (guint i = 0; i < paths->len; i++) {
		if (g_file_test(paths->pdata[i], res->test))
			return g_strdup(paths->pdata[i]);
		g_string_append_printf(tried, "%s%s", i ? ", " : "", (char *)paths->pdata[i]);
	}
	g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
		    "cannot find %s: not at %s (set %s to its path)", res->what, tried->str,
		    res->env);
	return NULL;
}

char *pth_profile_dir(const char *name, GError **error)
{
	const char *base = g_getenv("PTH_CERTIFY_PROFILES");
	g_autofree char *suite = NULL;

	if (base && *base)
		return g_build_filename(base, name, NULL);
	suite = pth_resource_find(PTH_RESOURCE_SCENARIOS, error);
	return suite ? g_build_filename(suite, "certify", name, NULL) : NULL;
}
