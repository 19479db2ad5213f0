/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What ptharness's own clients share: errno names in their output, and giving up on setup. */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* The symbolic name of e ("0" for success), as the scenarios' expected output spells it. */
static inline const char *errno_name(int e)
{
	static const struct {
		int e;
		const char *name;
	} names[] = { { 0, "0" },	    { EFAULT, "EFAULT" }, { EINVAL, "EINVAL" },
		      { ENOMEM, "ENOMEM" }, { EBUSY, "EBUSY" },	  { EPERM, "EPERM" },
		      { ENOENT, "ENOENT" }, { EEXIST, "EEXIST" }, { ENODEV, "ENODEV" },
		      { EBADF, "EBADF" },   { ENOSPC, "ENOSPC" }, { ENOTTY, "ENOTTY" } };
	static char other[32];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

/* A step the measured requests depend on: when it failed, "setup: WHAT: ERRNO" and exit 1. */
static inline void setup(int ok, const char *what)
{
	if (!ok) {
		printf("setup: %s: %s\n", what, errno_name(errno));
		exit(1);
	}
}
