/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the config-space decoder (capabilities, extended capabilities, through libpci)
 * over any bytes a recording or a device could give. */

#include <stdlib.h>

#include "fuzz.h"
#include "pciconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_pciconf_parser *p = NULL;
	struct pt_pciconf conf;

	if (size > 4096)
		return 0; /* config space is at most 4 KiB; the reader never gives more */
	if (pt_pciconf_parser_new(&p) < 0)
		abort();
	pt_pciconf_parse(p, data, size, &conf);
	pt_pciconf_parser_free(p);
	return 0;
}
