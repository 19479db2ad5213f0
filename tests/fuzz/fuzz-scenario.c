/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the scenario loader (YAML through libfyaml, then every key and type check). */

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *dir = g_dir_make_tmp("fuzz-scenario.XXXXXX", NULL);
	g_autofree char *file = NULL;
	g_autoptr(GError) error = NULL;
	struct pth_scenario *sc;

	if (!dir)
		abort();
	file = g_build_filename(dir, "s.yaml", NULL);
	if (!g_file_set_contents(file, (const char *)data, (gssize)size, NULL))
		abort();
	sc = pth_scenario_load(file, dir, &error);
	if (sc)
		pth_scenario_free(sc);
	unlink(file);
	rmdir(dir);
	return 0;
}
