/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The replay of the matrix's VF-token calls (ci/lab/guest/matrix-vftoken.h) on a fake host. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fakesys.h"

/*
 * One call, split into n words: gopen, copen, tdevice, token, tbind, write or read, as the
 * guest's matrix-vftoken.h describes them; fd and ids are the row's 26 slots. Returns 0 (or
 * the call's non-negative result), -errno, or -ENOSYS when w[0] is none of these; after gets
 * what the call returned, as the guest prints it.
 */
int vft_call(struct pt_backend *be, int *fd, uint32_t *ids, char **w, int n, char *after,
	     size_t asize);
