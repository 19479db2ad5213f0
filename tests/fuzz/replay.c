/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replays fuzz inputs (files, or every file of a directory) through a target without libFuzzer:
 * the regression inputs under tests/fuzz/regress run in every normal build this way. */

#include <dirent.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *data = NULL;
	gsize len;

	if (!g_file_get_contents(path, &data, &len, &error)) {
		fprintf(stderr, "replay: %s\n", error->message);
		return 1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned n = 0;
	int bad = 0;

	for (int i = 1; i < argc; i++) {
		if (g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
			g_autoptr(GDir) dir = g_dir_open(argv[i], 0, NULL);
			const char *name;

			while (dir && (name = g_dir_read_name(dir))) {
				g_autofree char *p = g_build_filename(argv[i], name, NULL);

				if (name[0] == '.' || strcmp(name, "README") == 0)
					continue;
				bad |= replay_file(p);
				n++;
			}
		} else {
			bad |= replay_file(argv[i]);
			n++;
		}
	}
	printf("replayed %u input(s)\n", n);
	return bad;
}
