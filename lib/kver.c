/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel version parsing and comparison. */

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "kver.h"
#include "macro.h"

static int parse_uint(const char **p, unsigned *ret)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)**p))
		return -EINVAL;
	errno = 0;
	v = strtoul(*p, &end, 10);
	if (errno || v > 0xffff)
		return -EINVAL;
	*p = end;
	*ret = (unsigned)v;
	return 0;
}

_public_ int pt_kver_parse(const char *s, struct pt_kver *ret)
{
	struct pt_kver v = { 0, 0, 0 };
	const char *p = s;

	if (!s || parse_uint(&p, &v.major) < 0 || *p++ != '.' || parse_uint(&p, &v.minor) < 0)
		return -EINVAL;
	if (*p == '.') {
		p++;
		if (parse_uint(&p, &v.patch) < 0)
			return -EINVAL;
	}
	/* A release may carry a suffix ("-28-amd64", "+"), but not more digits or dots. */
	if (*p != '\0' && *p != '-' && *p != '+' && *p != '_' && *p != '~')
		return -EINVAL;
	*ret = v;
	return 0;
}

_public_ int pt_kver_cmp(const struct pt_kver *a, unsigned major, unsigned minor)
{
	if (a->major != major)
		return a->major < major ? -1 : 1;
	if (a->minor != minor)
		return a->minor < minor ? -1 : 1;
	return 0;
}

_public_ bool pt_kver_modelled(const struct pt_kver *v)
{
	const struct pt_kver lo = PT_KVER_OLDEST, hi = PT_KVER_NEWEST;

	return pt_kver_cmp(v, lo.major, lo.minor) >= 0 && pt_kver_cmp(v, hi.major, hi.minor) <= 0;
}
