/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsing sizes with binary units, and integers in a range. */

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "size.h"

int pth_parse_size(const char *s, uint64_t *ret)
{
	static const struct {
		const char *suffix;
		double factor;
	} units[] = {
		{ "", 1.0 },	  { "B", 1.0 },	     { "K", 0x1p10 }, { "Ki", 0x1p10 },
		{ "KB", 0x1p10 }, { "KiB", 0x1p10 }, { "M", 0x1p20 }, { "Mi", 0x1p20 },
		{ "MB", 0x1p20 }, { "MiB", 0x1p20 }, { "G", 0x1p30 }, { "Gi", 0x1p30 },
		{ "GB", 0x1p30 }, { "GiB", 0x1p30 }, { "T", 0x1p40 }, { "Ti", 0x1p40 },
		{ "TB", 0x1p40 }, { "TiB", 0x1p40 },
	};
	char *end;
	double v;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || !isfinite(v))
		return errno == ERANGE ? -ERANGE : -EINVAL;
	/* "8 GB": one space between the number and its unit */
	if (end[0] == ' ' && isalpha((unsigned char)end[1]))
		end++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].suffix) != 0)
			continue;
		v *= units[i].factor;
		if (v >= 0x1p64)
			return -ERANGE;
		if (v != floor(v))
			return -EINVAL;
		*ret = (uint64_t)v;
		return 0;
	}
	return -EINVAL;
}

int pth_parse_int(const char *s, long long min, long long max, long long *ret)
{
	char *end = NULL;
	long long v;

	if (!s || !(isdigit((unsigned char)s[0]) || (s[0] == '-' && isdigit((unsigned char)s[1]))))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}
