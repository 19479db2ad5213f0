/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the scenario loader (YAML through libfyaml, then every key and type check). */

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "certify.h"
#include "scenario.h"
#include "verbs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *dir = g_dir_make_tmp("fuzz-scenario.XXXXXX", NULL);
	g_autofree char *file = NULL;
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) checks = pth_cert_check_namev();
	struct pth_load_options lo = { .verbs = pth_verbs, .checks = (const char *const *)checks };
	struct pth_scenario *sc;

	if (!dir)
		abort();
	file = g_build_filename(dir, "s.yaml", NULL);
	if (!g_file_set_contents(file, (const char *)data, (gssize)size, NULL))
		abort();
	lo.root = dir;
	sc = pth_scenario_load(file, &lo, &error);
	if (sc)
		pth_scenario_free(sc);
	unlink(file);
	rmdir(dir);
	return 0;
}
