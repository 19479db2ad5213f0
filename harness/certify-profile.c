/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* certify: a profile, the directory of scenario files that are its checks. */

#include <string.h>

#include "certify-internal.h"
#include "commands.h"

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
 * The profile: every *.yaml of its directory (--profile-dir, else $PTH_CERTIFY_PROFILES/PROFILE,
 * else scenarios/certify/PROFILE of the source tree), in
 * file-name order, each a certification scenario for the live target with a check_id, no two
 * with the same; the host-restored check last. Returns 0 or an exit status (message printed).
 */
int pth_cert_load_profile(struct cert *c)
{
	const char *base = g_getenv("PTH_CERTIFY_PROFILES");
	g_autofree char *dir =
		c->profile_dir ? g_strdup(c->profile_dir) :
		base	       ? g_build_filename(base, pth_cert_profile_names[c->profile], NULL) :
				 g_build_filename(PTH_SCENARIOS_DIR, "certify",
						  pth_cert_profile_names[c->profile], NULL);
	char *paths[] = { dir, NULL };
	g_autoptr(GPtrArray) files = NULL;
	g_autoptr(GPtrArray) last = g_ptr_array_new();
	g_autoptr(GHashTable) ids = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GError) error = NULL;

	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		fprintf(stderr, "ptharness certify: %s: no such profile directory\n", dir);
		return PTH_EXIT_INPUT;
	}
	files = pth_scenario_find(paths, &error);
	for (guint i = 0; files && i < files->len; i++) {
		struct pth_scenario *sc = pth_scenario_load(files->pdata[i], dir, &error);
		const char *why = NULL;

		if (!sc)
			break;
		if (!sc->check_id)
			why = "a certification check needs 'check_id' (its stable ID)";
		else if (strcmp(sc->category, "certification") != 0)
			why = "a certification check has category: certification";
		else if (!(sc->targets & PTH_TARGET_LIVE))
			why = "a certification check has targets: [live]";
		else if (!g_hash_table_add(ids, sc->check_id))
			why = "a second check with the same check_id";
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
		fprintf(stderr, "ptharness certify: %s: no checks (*.yaml) in the profile\n", dir);
		return PTH_EXIT_INPUT;
	}
	g_ptr_array_extend_and_steal(c->checks, g_steal_pointer(&last));
	return 0;
}
