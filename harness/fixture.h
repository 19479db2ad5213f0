/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A scenario's fixture: its recorded host (loaded once, copied per run), host.set, faults, VMs. */
#pragma once

#include <glib.h>

#include "runctx.h"

/* Recordings loaded once per suite, each run working on a copy; safe across threads. */
struct pth_cache;
struct pth_cache *pth_cache_new(void);
struct pth_cache *pth_cache_free(struct pth_cache *c);
/* A copy of the recording at path (kernel: NULL for the newest modelled) in *ret, owned by the
 * caller. Returns 0, or -errno with err saying why the recording does not load. */
int pth_cache_copy(struct pth_cache *c, const char *path, const char *kernel, struct fks_host **ret,
		   struct pt_error *err);

/*
 * The host of r's scenario: on fake a copy of its recording from r->cache with host.set, its
 * faults (and r->fault) applied; on lab or live this machine. Then the engine, the trace and
 * the VMs. Returns 0, or -errno with error "FILE:LINE:COL: ..." (or the recording's own error).
 * pth_run_teardown frees what it made, also after a failure.
 */
int pth_run_setup(struct pth_run *r, GError **error);
void pth_run_teardown(struct pth_run *r);
/* The scenario's vms: on r's engine. Returns 0 or -errno with error. */
int pth_run_add_vms(struct pth_run *r, GError **error);
