/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fidelity: every row of scenarios/kernel/observed.tsv replayed against fakesys. */

/*
 * Each row ran on a real 6.1 kernel in the lab; here it runs on fakesys loaded from the lab
 * recording of that row's topology (scenarios/hosts/lab-<topology>-initial.umockdev). A row
 * whose recording does not exist is skipped with the file's name.
 *
 * The pairs: each lab recording made after sysfs writes (scenarios/hosts/README.md names
 * them, as `echo VALUE > /sys/PATH`) is the kernel's answer to those writes on the
 * topology's initial state. fakesys loads the initial recording, does the same writes, and
 * must show what the kernel showed (row_state: drivers, overrides, groups, netdevs, SR-IOV,
 * reset methods, /dev/vfio, which device blocks exist).
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

struct pair {
	char *before, *after;
	GPtrArray *writes; /* "PATH=VALUE" pairs as two strings */
};

static void test_fidelity_pair(void **state)
{
	struct pair *p = *state;
	struct fks_host *h = row_load(p->before, NULL), *after = row_load(p->after, NULL);
	struct pt_backend *be = fks_host_backend(h);
	g_autofree char *mine = NULL, *kernel = NULL, *diff = NULL;

	for (guint i = 0; i + 1 < p->writes->len; i += 2) {
		const char *path = p->writes->pdata[i], *value = p->writes->pdata[i + 1];
		int r = pt_backend_write(be, PT_NS_SYS, path, value, strlen(value));

		if (r < 0)
			fail_msg("%s: write '%s' to %s: %s", p->after, value, path,
				 row_errno_name(-r));
	}
	pt_backend_free(be);
	mine = row_state(h);
	kernel = row_state(after);
	diff = row_first_diff(mine, kernel);
	if (diff[0])
		fail_msg("%s after the writes on %s: fakesys vs kernel: %s", p->after, p->before,
			 diff);
	fks_host_free(h);
	fks_host_free(after);
}

/* "- `lab-X.umockdev`: ... topology `T` ... `echo V > /sys/P`; ..." lines of the README. */
static void add_pairs(GArray *tests)
{
	g_autofree char *readme = g_build_filename(HOSTS_DIR, "README.md", NULL);
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;

	if (!g_file_get_contents(readme, &text, NULL, NULL))
		return;
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		g_auto(GStrv) ticks = NULL;
		struct pair *p;
		const char *topo = NULL;

		if (!g_str_has_prefix(lines[i], "- `lab-") || !strstr(lines[i], "echo "))
			continue;
		ticks = g_strsplit(lines[i], "`", -1);
		p = g_new0(struct pair, 1);
		p->writes = g_ptr_array_new_with_free_func(g_free);
		p->after = g_strndup(ticks[1], strlen(ticks[1]) - strlen(".umockdev"));
		for (guint j = 1; ticks[j]; j += 2) {
			const char *gt = strstr(ticks[j], " > /sys/");

			if (j > 1 && strstr(ticks[j - 1], "topology "))
				topo = ticks[j];
			if (!g_str_has_prefix(ticks[j], "echo ") || !gt)
				continue;
			g_ptr_array_add(p->writes, g_strdup(gt + 8));
			g_ptr_array_add(
				p->writes,
				g_strdup_printf("%.*s\n", (int)(gt - ticks[j] - 5), ticks[j] + 5));
		}
		{
			/* The initial state of the same kernel: lab-own-shared-nvme-vfio's is
			 * lab-own-shared-initial, lab-shared-nvme-vfio's lab-shared-initial. */
			g_autofree char *mid = g_strdup_printf("-%s-", topo ? topo : "?");
			const char *at = strstr(p->after, mid);

			p->before =
				at ? g_strdup_printf("%.*sinitial",
						     (int)(at - p->after + strlen(mid)), p->after) :
				     g_strdup_printf("lab-%s-initial", topo ? topo : "?");
		}
		{
			struct CMUnitTest t = { g_strdup_printf("test_fidelity_pair_%s", p->after),
						test_fidelity_pair, NULL, NULL, p };

			g_array_append_val(tests, t);
		}
	}
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
	add_pairs(tests);
	r = _cmocka_run_group_tests("fidelity", (struct CMUnitTest *)tests->data, tests->len, NULL,
				    NULL);
	return r;
}
