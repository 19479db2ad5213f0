/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: fakesys's store handlers: a sequence of sysfs writes to one host (lines "PATH
 * VALUE", the value with C escapes), then the engine's scan of what they left. */

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fakesys.h"
#include "fuzz.h"

#define MAX_WRITES 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fks_host *h = fuzz_host();
	struct pt_backend *be = fks_host_backend(h);
	struct pt_host_options ho = { 0 };
	struct pt_error err = { 0 };
	struct pt_engine *e = NULL;
	char *text = fuzz_text(data, size);
	char *save = NULL, *line;
	int n = 0;

	for (line = strtok_r(text, "\n", &save); line && n < MAX_WRITES;
	     line = strtok_r(NULL, "\n", &save), n++) {
		char *value = strchr(line, ' ');
		g_autofree char *v = NULL;

		if (!value)
			continue;
		*value++ = '\0';
		/* C escapes: "vfio-pci\n" is what echo writes. */
		v = g_strcompress(value);
		pt_backend_write(be, PT_NS_SYS, line, v, strlen(v));
	}
	if (pt_engine_new(be, &ho, NULL, &e, &err) == 0)
		pt_engine_free(e);
	pt_backend_free(be);
	fks_host_free(h);
	free(text);
	return 0;
}
