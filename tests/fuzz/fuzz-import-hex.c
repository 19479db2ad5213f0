/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: lspci -x config-space rows (import's "lspci -x hex dump" parser alone), then its recording loaded. */

#include "fuzz.h"
#include "import-body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_import(data, size, "lspci -x hex dump");
}
