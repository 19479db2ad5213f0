/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The progress line: its counts, rate and estimate, and silence where it must not draw. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "progress.h"

static const struct {
	unsigned done, total;
	gint64 elapsed_us;
	const char *line;
} format_cases[] = {
	/* Nothing finished yet: no rate, and no estimate guessed. */
	{ 0, 182, 2 * G_USEC_PER_SEC, "[0/182] scenarios 0%" },
	/* 37 in 3 s: 12.3/s; 145 left at that rate is 11.76 s, rounded to 12 s. */
	{ 37, 182, 3 * G_USEC_PER_SEC, "[37/182] scenarios 20%, 12.3/s, about 12s left" },
	/* 1 of 100 in 10 s: 99 left take 990 s, 16 min 30 s. */
	{ 1, 100, 10 * G_USEC_PER_SEC, "[1/100] scenarios 1%, 0.1/s, about 16m30s left" },
	/* 1 of 1000 in 10 s: 9990 s is 2 h 46 min 30 s, shown to the minute. */
	{ 1, 1000, 10 * G_USEC_PER_SEC, "[1/1000] scenarios 0%, 0.1/s, about 2h46m left" },
	/* All done. */
	{ 4, 4, G_USEC_PER_SEC / 2, "[4/4] scenarios 100%, 8.0/s, about 0s left" },
	/* An empty run is complete, not a division by zero. */
	{ 0, 0, G_USEC_PER_SEC, "[0/0] scenarios 100%" },
};

static void test_progress_format(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(format_cases); i++) {
		char buf[160];

		pth_progress_format(buf, sizeof(buf), "scenarios", format_cases[i].done,
				    format_cases[i].total, format_cases[i].elapsed_us);
		if (strcmp(buf, format_cases[i].line) != 0)
			fail_msg("case %zu: expected \"%s\", got \"%s\"", i, format_cases[i].line,
				 buf);
	}
}

/* Not a terminal (a file, a pipe, CI's log): not a byte, whatever the caller asked. */
static void test_progress_quiet_off_a_terminal(void **state)
{
	FILE *f = tmpfile();
	struct pth_progress *p;

	assert_non_null(f);
	p = pth_progress_new(f, "scenarios", 10, true);
	for (unsigned i = 0; i <= 10; i++)
		pth_progress_update(p, i);
	p = pth_progress_free(p);
	assert_null(p);
	assert_int_equal(ftell(f), 0);
	fclose(f);
}

static void pool_job(gpointer data, gpointer user)
{
	g_usleep(1000);
	g_atomic_int_inc((gint *)user);
}

/* The pool helper returns only when every item ran, and frees the pool. */
static void test_progress_pool_waits_for_all(void **state)
{
	gint ran = 0;
	GThreadPool *pool = g_thread_pool_new(pool_job, &ran, 2, TRUE, NULL);

	for (int i = 0; i < 20; i++)
		g_thread_pool_push(pool, GINT_TO_POINTER(i + 1), NULL);
	pth_progress_pool(pool, 20, "jobs", false);
	assert_int_equal(g_atomic_int_get(&ran), 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_progress_format),
		cmocka_unit_test(test_progress_quiet_off_a_terminal),
		cmocka_unit_test(test_progress_pool_waits_for_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
