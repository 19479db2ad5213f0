/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: ls -l lines of the iommu_groups directory (import's "ls -l of iommu_groups" parser alone), then its recording loaded. */

#include "fuzz.h"
#include "import-body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_import(data, size, "ls -l of iommu_groups");
}
