/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fidelity: every row of scenarios/kernel/observed.tsv replayed against fakesys. */

/*
 * Each row ran on a real 6.1 kernel in the lab; here it runs on fakesys loaded from the lab
 * recording of that row's topology (scenarios/hosts/lab-<topology>-initial.umockdev). A row
 * whose recording does not exist is skipped with the file's name.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "rows.h"

struct fidelity_row {
	struct row row;
	char *host_file;
	char **cols;
};

static void test_fidelity_row(void **state)
{
	struct fidelity_row *fr = *state;
	g_autofree char *observed = NULL;

	if (!g_file_test(fr->host_file, G_FILE_TEST_EXISTS)) {
		print_message("SKIP %s: no recording %s\n", fr->row.id, fr->host_file);
		skip();
	}
	row_run(&fr->row, &observed);
	if (strcmp(observed, fr->row.expect) != 0)
		fail_msg("%s: kernel '%s', fakesys '%s' (%s %s '%s', setup '%s')", fr->row.id,
			 fr->row.expect, observed, fr->row.op, fr->row.path, fr->row.value,
			 fr->row.setup);
}

int main(void)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	GArray *tests = g_array_new(FALSE, TRUE, sizeof(struct CMUnitTest));
	int r;

	if (!g_file_get_contents(OBSERVED_TSV, &text, NULL, NULL)) {
		fprintf(stderr, "cannot read %s\n", OBSERVED_TSV);
		return 1;
	}
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 1; lines[i]; i++) {
		struct fidelity_row *fr;
		char **c;

		if (!lines[i][0])
			continue;
		c = g_strsplit(lines[i], "\t", -1);
		if (g_strv_length(c) < 9) {
			g_strfreev(c);
			continue;
		}
		fr = g_new0(struct fidelity_row, 1);
		fr->cols = c;
		fr->row = (struct row){ .id = c[0],
					.setup = c[3],
					.op = c[4],
					.path = c[5],
					.value = c[6],
					.expect = c[8] };
		fr->row.host = g_strdup_printf("lab-%s-initial", c[2]);
		fr->host_file = row_host_path(fr->row.host);
		{
			struct CMUnitTest t = { g_strdup_printf("test_fidelity_%s", c[0]),
						test_fidelity_row, NULL, NULL, fr };

			g_array_append_val(tests, t);
		}
	}
	r = _cmocka_run_group_tests("fidelity", (struct CMUnitTest *)tests->data, tests->len, NULL,
				    NULL);
	return r;
}
