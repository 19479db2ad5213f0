/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* certify: a profile, the directory of scenario files that are its checks. */

#include <stdlib.h>
#include <string.h>

#include "certify-internal.h"
#include "verbs.h"
#include "commands.h"
#include "resource.h"

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether a scenario runs certify's host-restored check: it goes last, whatever its name. */
bool pth_cert_is_restored(struct pth_scenario *sc)
{
	struct fy_node *step, *args;
	void *it = NULL;

	while ((step = fy_node_sequence_iterate(sc->steps, &it)))
		if (strcmp(pth_step_verb(step, &args), "certify") == 0 &&
		    strcmp(pth_node_str(args, "check"), "host-restored") == 0)
			return true;
	return false;
}

/*
 * Where the profile's checks come from, in layers: generic's directory, then the profile's
 * own (nic, gpu, nvme: only when it exists; a profile with nothing to add has none), then
 * --profile-dir. Each is pth_profile_dir()'s ($PTH_CERTIFY_PROFILES, else the bundled suite's
 * certify/). Returns NULL with the message printed when the suite cannot be found.
 */
static GPtrArray *profile_layers(struct cert *c)
{
	g_autoptr(GError) error = NULL;
	char *generic = pth_profile_dir("generic", &error);
	char *own = generic ? pth_profile_dir(pth_cert_profile_names[c->profile], &error) : NULL;
	GPtrArray *dirs;

	if (!own) {
		fprintf(stderr, "ptharness certify: %s\n", error->message);
		g_free(generic);
		return NULL;
	}
	dirs = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(dirs, generic);
	if (c->profile != PTH_CERT_GENERIC && g_file_test(own, G_FILE_TEST_IS_DIR))
		g_ptr_array_add(dirs, own);
	else
		g_free(own);
	if (c->profile_dir)
		g_ptr_array_add(dirs, g_strdup(c->profile_dir));
	return dirs;
}

/*
 * The profile's files: every *.yaml of each layer, a file replacing the one of the same name
 * in a layer below (a profile adds checks or changes one; it cannot drop one of generic's),
 * in file-name order. Returns the paths, or NULL with the message printed.
 */
static GPtrArray *profile_files(struct cert *c)
{
	g_autoptr(GPtrArray) dirs = profile_layers(c);
	g_autoptr(GHashTable) by_name =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_autofree gpointer *names = NULL;
	GPtrArray *files;
	guint n = 0;

	if (!dirs)
		return NULL;
	files = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < dirs->len; i++) {
		char *paths[] = { dirs->pdata[i], NULL };
		g_autoptr(GPtrArray) found = NULL;
		g_autoptr(GError) error = NULL;

		if (!g_file_test(paths[0], G_FILE_TEST_IS_DIR)) {
			fprintf(stderr, "ptharness certify: %s: no such profile directory\n",
				paths[0]);
			g_ptr_array_unref(files);
			return NULL;
		}
		found = pth_scenario_find(paths, &error);
		for (guint k = 0; found && k < found->len; k++)
			g_hash_table_replace(by_name, g_path_get_basename(found->pdata[k]),
					     g_strdup(found->pdata[k]));
	}
	names = g_hash_table_get_keys_as_array(by_name, &n);
	qsort(names, n, sizeof(*names), cmp_name);
	for (guint i = 0; i < n; i++)
		g_ptr_array_add(files, g_strdup(g_hash_table_lookup(by_name, names[i])));
	return files;
}

/* Why a loaded scenario cannot be a check of this profile, or NULL. */
static const char *check_refused(struct pth_scenario *sc, GHashTable *ids)
{
	if (!sc->check_id)
		return "a certification check needs 'check_id' (its stable ID)";
	if (strcmp(sc->category, "certification") != 0)
		return "a certification check has category: certification";
	if (!(sc->targets & PTH_TARGET_LIVE))
		return "a certification check has targets: [live]";
	if (!g_hash_table_add(ids, sc->check_id))
		return "a second check with the same check_id";
	return NULL;
}

/*
 * The profile: its files (above), each a certification scenario for the live target with a
 * check_id, no two with the same; the host-restored check last. Returns 0 or an exit status
 * (message printed).
 */
int pth_cert_load_profile(struct cert *c)
{
	g_autoptr(GPtrArray) files = profile_files(c);
	g_autoptr(GPtrArray) last = g_ptr_array_new();
	g_autoptr(GHashTable) ids = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) names = pth_cert_check_namev();

	if (!files)
		return PTH_EXIT_INPUT;
	for (guint i = 0; i < files->len; i++) {
		g_autofree char *dir = g_path_get_dirname(files->pdata[i]);
		const struct pth_load_options lo = { .root = dir,
						     .verbs = pth_verbs,
						     .checks = (const char *const *)names };
		struct pth_scenario *sc = pth_scenario_load(files->pdata[i], &lo, &error);
		const char *why;

		if (!sc)
			break;
		why = check_refused(sc, ids);
		if (why) {
			g_set_error(&error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s%s%s",
				    sc->file, why, sc->check_id ? ": " : "",
				    sc->check_id ? sc->check_id : "");
			pth_scenario_free(sc);
			break;
		}
		g_ptr_array_add(pth_cert_is_restored(sc) ? last : c->checks, sc);
	}
	if (error) {
		fprintf(stderr, "ptharness certify: %s\n", error->message);
		return PTH_EXIT_INPUT;
	}
	if (c->checks->len + last->len == 0) {
		fprintf(stderr, "ptharness certify: no checks (*.yaml) in the profile\n");
		return PTH_EXIT_INPUT;
	}
	g_ptr_array_extend_and_steal(c->checks, g_steal_pointer(&last));
	return 0;
}
