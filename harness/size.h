/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsing sizes as people write them (4G, 512M, 1.5GiB, "8 GB") and range-checked integers. */
#pragma once

#include <stdint.h>

/* What a size looks like, for error messages (the CLI's and the scenario loader's). */
#define PTH_SIZE_HELP                                                                       \
	"a number of bytes with an optional binary unit: K, M, G, T, as K, Ki, KiB or KB, " \
	"e.g. 4G, 512MiB, \"8 GB\""

/* Binary units (K, M, G, T with optional "i", "iB" or "B", any case, one space allowed
 * before the unit); plain numbers are bytes. A fraction must come to whole bytes.
 * Returns 0, or -EINVAL (not a size) / -ERANGE (2^64 bytes or more); *ret only on success. */
int pth_parse_size(const char *s, uint64_t *ret);

/* A decimal integer (optional leading '-', nothing after it) in [min, max]. Returns 0, or
 * -EINVAL (not an integer) / -ERANGE (outside the range); *ret only on success. */
int pth_parse_int(const char *s, long long min, long long max, long long *ret);
