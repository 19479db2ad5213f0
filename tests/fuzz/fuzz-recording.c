/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: a umockdev recording loaded into fakesys, then the engine's scan of it (what
 * `inspect --host FILE` does with an untrusted recording). */

#include <stdlib.h>

#include "engine.h"
#include "fakesys.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fks_options o = { 0 };
	struct pt_host_options ho = { 0 };
	struct fks_host *h = NULL;
	struct pt_engine *e = NULL;
	struct pt_error err = { 0 };
	char *text = fuzz_text(data, size);

	if (fks_host_new_from_text("fuzz.umockdev", text, size, &o, &h, &err) == 0) {
		struct pt_backend *be = fks_host_backend(h);

		if (pt_engine_new(be, &ho, NULL, &e, &err) == 0)
			pt_engine_free(e);
		pt_backend_free(be);
		fks_host_free(h);
	}
	free(text);
	return 0;
}
