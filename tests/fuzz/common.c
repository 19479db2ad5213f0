/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the fuzz targets. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakesys.h"
#include "fuzz.h"

char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

struct fks_host *fuzz_host(void)
{
	/* Loaded once per process: libFuzzer calls the target millions of times. */
	static struct fks_host *base;
	struct fks_host *copy = NULL;

	if (!base) {
		struct fks_options o = { 0 };
		struct pt_error err = { 0 };

		if (fks_host_new_from_recording(FUZZ_HOST, &o, &base, &err) < 0) {
			fprintf(stderr, "fuzz: %s: %s\n", FUZZ_HOST, err.reason);
			abort();
		}
	}
	if (fks_host_copy(base, &copy) < 0)
		abort();
	return copy;
}
