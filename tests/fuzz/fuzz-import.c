/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: pasted text through every import parser, as `ptharness import` reads it. */

#include "fuzz.h"
#include "import-body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_import(data, size, NULL);
}
