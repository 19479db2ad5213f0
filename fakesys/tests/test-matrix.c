/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel matrix: every generated row of scenarios/kernel/matrix-*.tsv replayed on fakesys. */

/*
 * Each table was generated in the lab by ci/lab/matrix on one kernel (see
 * scenarios/kernel/README.md). A row is replayed on fakesys loaded from the lab recording of the
 * row's topology (lab-TOPOLOGY-initial) with the row's kernel release: the setup writes, the one
 * write, then the same observation the guest made: the errno (or ok) and the device's state
 * after the write (absent, or present with its driver and, where the guest read it back, the
 * file's content).
 *
 * One test per table and attribute; it prints how many rows agree, how many differ as listed in
 * scenarios/kernel/matrix-known.tsv (series, id glob, reason) and fails on any other difference
 * (the first few are printed) and on a listed difference that no longer happens.
 *
 * With PTH_MATRIX_SUMMARY=FILE the counts are also written to FILE (tab-separated, after a
 * header): one "attribute" line per table and attribute (series, attribute, rows, agree, known
 * differences, other differences), then one "known" line per listed difference (series, id glob,
 * rows it matched, its reason). ci/lab/fidelity puts them into the fidelity report.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "rows.h"

enum col {
	C_ID,
	C_INDEX,
	C_KERNEL,
	C_PACKAGE,
	C_TOPOLOGY,
	C_STATE,
	C_DEVICE,
	C_ATTR,
	C_CLASS,
	C_SETUP,
	C_OP,
	C_PATH,
	C_VALUE,
	C_OBSERVED,
	C_AFTER,
	C_RESTORED,
	C_COUNT
};

struct known {
	char *series, *pattern, *reason;
	unsigned hits;
};

struct group {
	char *series, *attr;
	GPtrArray *rows; /* char ** (columns) */
	GPtrArray *known; /* struct known *, shared */
};

/* "present driver=X[ value=Y]" or "absent", as the guest's after_state() writes it. */
static char *after_state(struct pt_backend *be, char **c)
{
	g_autofree char *dir = g_strdup_printf("bus/pci/devices/%s", c[C_DEVICE]);
	g_autofree char *link = g_strdup_printf("%s/driver", dir);
	char target[256], buf[8192];
	const char *drv = "-";
	size_t len;
	int r;

	if (pt_backend_exists(be, PT_NS_SYS, dir) <= 0)
		return g_strdup("absent");
	if (pt_backend_readlink(be, PT_NS_SYS, link, target, sizeof(target)) >= 0)
		drv = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	if (!strstr(c[C_AFTER], " value="))
		return g_strdup_printf("present driver=%s", drv);
	r = pt_backend_read(be, PT_NS_SYS, c[C_PATH], buf, sizeof(buf) - 1, &len);
	if (r < 0)
		return g_strdup_printf("present driver=%s value=%s", drv, row_errno_name(-r));
	{
		g_autofree char *esc = row_escape(buf, len);

		return g_strdup_printf("present driver=%s value=%s", drv, esc);
	}
}

/* The model's "observed\tafter" for a row. */
static char *replay(char **c)
{
	g_autofree char *host = g_strdup_printf("lab-%s-initial", c[C_TOPOLOGY]);
	struct fks_host *h = row_load(host, c[C_KERNEL]);
	struct pt_backend *be = fks_host_backend(h);
	g_autofree char *step = NULL, *value = NULL, *after = NULL;
	char *out;
	size_t len;
	int r = row_setup(h, be, c[C_SETUP], &step);

	if (r < 0) {
		out = g_strdup_printf("setup-failed:%s\t-", row_errno_name(-r));
	} else {
		value = row_unescape(c[C_VALUE], &len);
		r = pt_backend_write(be, PT_NS_SYS, c[C_PATH], value, len);
		after = after_state(be, c);
		out = g_strdup_printf("%s\t%s", r < 0 ? row_errno_name(-r) : "ok", after);
	}
	pt_backend_free(be);
	fks_host_free(h);
	return out;
}

static struct known *known_for(struct group *g, const char *id)
{
	for (guint i = 0; i < g->known->len; i++) {
		struct known *k = g->known->pdata[i];

		if (!strcmp(k->series, g->series) && g_pattern_match_simple(k->pattern, id))
			return k;
	}
	return NULL;
}

/* One line of the PTH_MATRIX_SUMMARY file, when there is one. */
static void summary_line(const char *fmt, ...)
{
	const char *path = g_getenv("PTH_MATRIX_SUMMARY");
	va_list ap;
	FILE *f;

	if (!path || !*path)
		return;
	f = fopen(path, "a");
	if (!f) {
		print_message("%s: %s\n", path, g_strerror(errno));
		return;
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static void test_attr(void **state)
{
	struct group *g = *state;
	unsigned agree = 0, known = 0, differ = 0, stale = 0;

	for (guint i = 0; i < g->rows->len; i++) {
		char **c = g->rows->pdata[i];
		g_autofree char *kernel = g_strdup_printf("%s\t%s", c[C_OBSERVED], c[C_AFTER]);
		g_autofree char *model = replay(c);
		struct known *k = known_for(g, c[C_ID]);

		if (!strcmp(kernel, model)) {
			agree++;
			stale += k != NULL;
			if (k)
				print_message(
					"matrix-%s %s: listed as a known difference but agrees\n",
					g->series, c[C_ID]);
		} else if (k) {
			known++;
			k->hits++;
		} else if (differ++ < 8) {
			print_message("matrix-%s %s: kernel '%s', fakesys '%s' (setup '%s', write "
				      "'%.60s' to %s)\n",
				      g->series, c[C_ID], kernel, model, c[C_SETUP], c[C_VALUE],
				      c[C_PATH]);
		}
	}
	print_message("matrix-%s %s: %u rows, %u agree, %u known differences, %u other "
		      "differences\n",
		      g->series, g->attr, g->rows->len, agree, known, differ);
	summary_line("attribute\t%s\t%s\t%u\t%u\t%u\t%u\t-\n", g->series, g->attr, g->rows->len,
		     agree, known, differ);
	if (differ || stale)
		fail_msg("matrix-%s %s: %u unlisted differences, %u stale known differences",
			 g->series, g->attr, differ, stale);
}

static GPtrArray *load_known(void)
{
	g_autofree char *path = g_build_filename(KERNEL_DIR, "matrix-known.tsv", NULL);
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	GPtrArray *v = g_ptr_array_new();

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return v;
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		g_auto(GStrv) f = g_strsplit(lines[i], "\t", 3);
		struct known *k;

		if (lines[i][0] == '#' || g_strv_length(f) < 3)
			continue;
		k = g_new0(struct known, 1);
		k->series = g_strdup(f[0]);
		k->pattern = g_strdup(f[1]);
		k->reason = g_strdup(f[2]);
		g_ptr_array_add(v, k);
	}
	return v;
}

/* One group per (table, attribute), in the table's order. */
static void load_table(const char *file, const char *series, GPtrArray *known, GArray *tests)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	struct group *g = NULL;

	if (!g_file_get_contents(file, &text, NULL, NULL)) {
		fprintf(stderr, "cannot read %s\n", file);
		return;
	}
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 1; lines[i]; i++) {
		char **c = g_strsplit(lines[i], "\t", -1);

		if (g_strv_length(c) != C_COUNT) {
			g_strfreev(c);
			continue;
		}
		if (!g || strcmp(g->attr, c[C_ATTR])) {
			struct CMUnitTest t = { 0 };

			g = NULL;
			for (guint j = 0; j < tests->len && !g; j++) {
				struct group *o =
					g_array_index(tests, struct CMUnitTest, j).initial_state;

				if (!strcmp(o->series, series) && !strcmp(o->attr, c[C_ATTR]))
					g = o;
			}
			if (!g) {
				g = g_new0(struct group, 1);
				g->series = g_strdup(series);
				g->attr = g_strdup(c[C_ATTR]);
				g->rows = g_ptr_array_new();
				g->known = known;
				t.name = g_strdup_printf("matrix_%s_%s", series, g->attr);
				t.test_func = test_attr;
				t.initial_state = g;
				g_array_append_val(tests, t);
			}
		}
		g_ptr_array_add(g->rows, c);
	}
}

static gint cmp_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	GArray *tests = g_array_new(FALSE, TRUE, sizeof(struct CMUnitTest));
	GPtrArray *known = load_known();
	g_autoptr(GDir) dir = g_dir_open(KERNEL_DIR, 0, NULL);
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	const char *name, *summary;
	int r;

	while (dir && (name = g_dir_read_name(dir)))
		if (g_str_has_prefix(name, "matrix-") && g_str_has_suffix(name, ".tsv") &&
		    strcmp(name, "matrix-known.tsv"))
			g_ptr_array_add(files, g_strdup(name));
	g_ptr_array_sort(files, cmp_name);
	for (guint i = 0; i < files->len; i++) {
		const char *f = files->pdata[i];
		g_autofree char *path = g_build_filename(KERNEL_DIR, f, NULL);
		g_autofree char *series = g_strndup(f + 7, strlen(f) - 11);

		load_table(path, series, known, tests);
	}
	if (!tests->len) {
		fprintf(stderr, "no matrix-*.tsv in %s\n", KERNEL_DIR);
		return 1;
	}
	summary = g_getenv("PTH_MATRIX_SUMMARY");
	if (summary && *summary &&
	    !g_file_set_contents(summary,
				 "kind\tseries\tname\trows\tagree\tknown\tdiffer\treason\n", -1,
				 NULL)) {
		fprintf(stderr, "cannot write %s\n", summary);
		return 1;
	}
	r = _cmocka_run_group_tests("matrix", (struct CMUnitTest *)tests->data, tests->len, NULL,
				    NULL);
	for (guint i = 0; i < known->len; i++) {
		struct known *k = known->pdata[i];

		printf("known difference %s %s: %u rows: %s\n", k->series, k->pattern, k->hits,
		       k->reason);
		summary_line("known\t%s\t%s\t%u\t-\t-\t-\t%s\n", k->series, k->pattern, k->hits,
			     k->reason);
	}
	return r;
}
