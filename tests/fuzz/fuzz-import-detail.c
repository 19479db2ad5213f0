/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: lspci -k and -v detail lines (import's "lspci -k/-v details" parser alone), then its recording loaded. */

#include "fuzz.h"
#include "import-body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_import(data, size, "lspci -k/-v details");
}
