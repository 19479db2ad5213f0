/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A progress line on a terminal for long work: counts, rate and an estimate, redrawn in place. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include <glib.h>

struct pth_progress;

/*
 * A progress line on f for total items of what ("scenarios"). It draws only when enabled and f
 * is a terminal, so callers pass their --quiet (and CI) decision and need not test for a tty.
 * Returns the new object (the caller frees it with pth_progress_free()); never NULL.
 */
struct pth_progress *pth_progress_new(FILE *f, const char *what, unsigned total, bool enabled);

/* done items of the total are finished: redraw the line, at most ten times a second. */
void pth_progress_update(struct pth_progress *p, unsigned done);

/* Clear the line (the terminal is left as it was before) and free p. Accepts NULL; returns NULL. */
struct pth_progress *pth_progress_free(struct pth_progress *p);

/*
 * Wait for pool, which was given total items, to finish them all, showing how many are done,
 * then free the pool (g_thread_pool_free(pool, FALSE, TRUE)) and clear the line.
 */
void pth_progress_pool(GThreadPool *pool, unsigned total, const char *what, bool enabled);

/* The line for done of total after elapsed_us, into buf: the part of the object tests can see. */
void pth_progress_format(char *buf, size_t size, const char *what, unsigned done, unsigned total,
			 gint64 elapsed_us);
