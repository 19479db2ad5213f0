/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: kernel log lines (import's "kernel log" parser alone), then its recording loaded. */

#include "fuzz.h"
#include "import-body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_import(data, size, "kernel log");
}
