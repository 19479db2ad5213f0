/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: IOMMU group listings as pasted (import's "IOMMU group listing" parser alone), then its recording loaded. */

#include "fuzz.h"
#include "import-body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_import(data, size, "IOMMU group listing");
}
