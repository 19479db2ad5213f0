/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel versions: parsing "6.1.0-28-amd64" and comparing against the versions rules change at. */
#pragma once

#include <stdbool.h>

struct pt_kver {
	unsigned major, minor, patch;
};

/* The newest kernel whose behaviour the project models; used when a host does not say. */
#define PT_KVER_NEWEST ((struct pt_kver){ 6, 12, 0 })
/* The oldest: driver_override (3.16) is the first passthrough interface modelled. */
#define PT_KVER_OLDEST ((struct pt_kver){ 3, 16, 0 })

/* Whether v lies in the modelled range (major.minor from PT_KVER_OLDEST to PT_KVER_NEWEST):
 * outside it the nearest modelled kernel's rules apply, and the caller warns. */
bool pt_kver_modelled(const struct pt_kver *v);

/* Parse "X.Y", "X.Y.Z" and a release string with a suffix ("6.1.0-28-amd64").
 * Returns 0, or -EINVAL when it does not start with X.Y. */
int pt_kver_parse(const char *s, struct pt_kver *ret);

/* <0, 0, >0 as a is older than, the same as, or newer than major.minor. */
int pt_kver_cmp(const struct pt_kver *a, unsigned major, unsigned minor);

static inline bool pt_kver_at_least(const struct pt_kver *a, unsigned major, unsigned minor)
{
	return pt_kver_cmp(a, major, minor) >= 0;
}
