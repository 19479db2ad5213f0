/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsing sizes as people write them: 4G, 512M, 1.5GiB, 1073741824. */
#pragma once

#include <stdint.h>

/* Binary units (K, M, G, T with optional "i"/"iB"/"B"); plain numbers are bytes.
 * Returns 0, or -EINVAL (not a size) / -ERANGE (too large). */
int pth_parse_size(const char *s, uint64_t *ret);
