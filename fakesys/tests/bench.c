/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark: load a recording into the model; a small host's load, ten operations, teardown. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "fakesys.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Usage: bench-fakesys RECORDING [OPS-RECORDING] [RUNS] */
int main(int argc, char **argv)
{
	int runs = argc > 3 ? atoi(argv[3]) : 21;
	double *t = calloc((size_t)runs, sizeof(*t));
	g_autofree char *text = NULL;
	gsize len;

	if (argc < 2 || !g_file_get_contents(argv[1], &text, &len, NULL))
		return 2;
	for (int i = 0; i < runs; i++) {
		struct fks_host *h = NULL;
		struct pt_backend *be;
		char buf[16];
		size_t blen;
		double t0 = now_ms();

		if (fks_host_new_from_text(argv[1], text, len, NULL, &h, NULL) < 0)
			return 1;
		/* The view is built on first access: one read makes it part of the figure. */
		be = fks_host_backend(h);
		if (pt_backend_read(be, PT_NS_SYS, "bus/pci/drivers_autoprobe", buf, sizeof(buf),
				    &blen) < 0)
			return 1;
		pt_backend_free(be);
		t[i] = now_ms() - t0;
		if (i == 0)
			printf("%s: %d devices\n", argv[1], fks_host_dev_count(h));
		fks_host_free(h);
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp);
	printf("load into the model and build its view: median %.2f ms (min %.2f, max %.2f, %d runs)\n",
	       t[runs / 2], t[0], t[runs - 1], runs);
	if (argc > 2) {
		g_autofree char *small = NULL;
		/* Ten operations a detach/attach does, on the lab's shared host. */
		static const char *const ops[][2] = {
			{ "bus/pci/devices/0000:01:00.0/driver_override", "vfio-pci" },
			{ "bus/pci/drivers/e1000e/unbind", "0000:01:00.0" },
			{ "bus/pci/drivers_probe", "0000:01:00.0" },
			{ "bus/pci/devices/0000:01:00.1/driver_override", "vfio-pci" },
			{ "bus/pci/drivers/e1000e/unbind", "0000:01:00.1" },
			{ "bus/pci/drivers_probe", "0000:01:00.1" },
			{ "bus/pci/devices/0000:02:00.0/reset", "1" },
			{ "bus/pci/devices/0000:02:00.0/reset_method", "flr" },
			{ "bus/pci/devices/0000:01:00.0/driver_override", "\n" },
			{ "bus/pci/drivers/vfio-pci/unbind", "0000:01:00.0" },
		};

		if (!g_file_get_contents(argv[2], &small, &len, NULL))
			return 2;
		for (int i = 0; i < runs; i++) {
			struct fks_host *h = NULL;
			struct pt_backend *be;
			double t0 = now_ms();

			fks_host_new_from_text(argv[2], small, len, NULL, &h, NULL);
			be = fks_host_backend(h);
			for (size_t k = 0; k < G_N_ELEMENTS(ops); k++)
				if (pt_backend_write(be, PT_NS_SYS, ops[k][0], ops[k][1],
						     strlen(ops[k][1])) < 0)
					return 1;
			pt_backend_free(be);
			fks_host_free(h);
			t[i] = now_ms() - t0;
		}
		qsort(t, (size_t)runs, sizeof(*t), cmp);
		printf("%s: load + 10 writes + teardown: median %.3f ms (min %.3f, max %.3f)\n",
		       argv[2], t[runs / 2], t[0], t[runs - 1]);
	}
	free(t);
	return 0;
}
