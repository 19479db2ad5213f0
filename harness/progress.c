/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A progress line on a terminal for long work: counts, rate and an estimate, redrawn in place. */

#include <string.h>
#include <unistd.h>

#include "progress.h"

#define PROGRESS_INTERVAL_US (100 * 1000)

struct pth_progress {
	FILE *f;
	char *what;
	unsigned total;
	bool draw;
	gint64 start_us; /* monotonic */
	gint64 drawn_us; /* when the line was last drawn, 0: never */
	size_t width; /* of the line last drawn, to blank it */
};

struct pth_progress *pth_progress_new(FILE *f, const char *what, unsigned total, bool enabled)
{
	struct pth_progress *p = g_new0(struct pth_progress, 1);

	p->f = f;
	p->what = g_strdup(what);
	p->total = total;
	p->draw = enabled && isatty(fileno(f));
	p->start_us = g_get_monotonic_time();
	return p;
}

/* "12s", "3m05s", "1h02m": as wide as it needs, as precise as matters. */
static void format_duration(char *buf, size_t size, gint64 s)
{
	if (s < 60)
		snprintf(buf, size, "%" G_GINT64_FORMAT "s", s);
	else if (s < 3600)
		snprintf(buf, size, "%" G_GINT64_FORMAT "m%02" G_GINT64_FORMAT "s", s / 60, s % 60);
	else
		snprintf(buf, size, "%" G_GINT64_FORMAT "h%02" G_GINT64_FORMAT "m", s / 3600,
			 s / 60 % 60);
}

/*
 * "[37/182] scenarios 20%, 12.3/s, about 11s left". The estimate is the remaining items at the
 * average rate so far; before the first item is done there is no rate, and none is guessed.
 */
void pth_progress_format(char *buf, size_t size, const char *what, unsigned done, unsigned total,
			 gint64 elapsed_us)
{
	unsigned pct = total ? (unsigned)((guint64)done * 100 / total) : 100;
	double secs = (double)elapsed_us / G_USEC_PER_SEC;
	char left[32];

	if (done == 0 || secs <= 0) {
		snprintf(buf, size, "[%u/%u] %s %u%%", done, total, what, pct);
		return;
	}
	format_duration(left, sizeof(left),
			(gint64)((double)(total - MIN(done, total)) * secs / done + 0.5));
	snprintf(buf, size, "[%u/%u] %s %u%%, %.1f/s, about %s left", done, total, what, pct,
		 done / secs, left);
}

void pth_progress_update(struct pth_progress *p, unsigned done)
{
	gint64 now = g_get_monotonic_time();
	char line[160];
	size_t len;

	if (!p->draw || (p->drawn_us && now - p->drawn_us < PROGRESS_INTERVAL_US))
		return;
	pth_progress_format(line, sizeof(line), p->what, done, p->total, now - p->start_us);
	len = strlen(line);
	fprintf(p->f, "\r%s%*s", line, p->width > len ? (int)(p->width - len) : 0, "");
	fflush(p->f);
	p->width = len;
	p->drawn_us = now;
}

struct pth_progress *pth_progress_free(struct pth_progress *p)
{
	if (!p)
		return NULL;
	if (p->draw && p->width) {
		fprintf(p->f, "\r%*s\r", (int)p->width, "");
		fflush(p->f);
	}
	g_free(p->what);
	g_free(p);
	return NULL;
}

void pth_progress_pool(GThreadPool *pool, unsigned total, const char *what, bool enabled)
{
	struct pth_progress *p = pth_progress_new(stderr, what, total, enabled);
	unsigned threads = (unsigned)MAX(g_thread_pool_get_max_threads(pool), 1);
	unsigned waiting;

	/*
	 * GLib says how many items wait, not how many finished. While some wait, every thread is
	 * busy with one, so the finished ones are the rest; once none waits, the last ones run to
	 * their end in g_thread_pool_free() under the line last drawn.
	 */
	while (p->draw && (waiting = g_thread_pool_unprocessed(pool)) > 0) {
		pth_progress_update(p, total - MIN(waiting + threads, total));
		g_usleep(PROGRESS_INTERVAL_US / 2);
	}
	g_thread_pool_free(pool, FALSE, TRUE);
	pth_progress_free(p);
}
