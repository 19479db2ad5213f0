/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the fault file syntax (--faults FILE) added to a small host. */

#include <stdlib.h>

#include "fakesys.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fks_host *h = fuzz_host();
	struct pt_error err = { 0 };
	char *text = fuzz_text(data, size);

	fks_host_add_faults(h, "fuzz", text, &err);
	fks_host_free(h);
	free(text);
	return 0;
}
