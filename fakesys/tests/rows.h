/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helper: run one kernel-behaviour row (observed.tsv's form) against a fresh fake host. */
#pragma once

#include <stdbool.h>

#include "fakesys.h"

/*
 * A row: host is a recording under scenarios/hosts ("lab-shared-initial"); kernel NULL keeps
 * the recording's; setup is ';'-separated steps: "PATH=VALUE" (one write, C-escaped VALUE),
 * "vfio:hold=GROUP/BDF", "set:KEY=VALUE" (fks_host_set); op is "write", "read" or "vfio:NAME"
 * as in scenarios/kernel/README.md; expect is "ok", an errno name, "flags=0x.." or content.
 */
struct row {
	const char *id;
	const char *host;
	const char *kernel;
	const char *setup;
	const char *op;
	const char *path;
	const char *value;
	const char *expect;
};

/* The recording's path for a host name. Caller frees. */
char *row_host_path(const char *host);
/* Run the row; *ret_observed gets what happened (caller frees). Returns 0, or -1 when the
 * setup failed (ret_observed says which step). */
int row_run(const struct row *r, char **ret_observed);
/* Apply a row's ';'-separated setup to a host; 0, or the first failing step's -errno (the
 * step in *ret_step, caller frees). */
int row_setup(struct fks_host *h, struct pt_backend *be, const char *setup, char **ret_step);
/* Load a host for a test (fails the test on error). */
struct fks_host *row_load(const char *host, const char *kernel);

/* A host served as a backend, with one trace that the backend's calls and the host's own
 * (steps, direct calls) both go to; faults, when not NULL, are added in their text form. */
struct row_fx {
	struct fks_host *h;
	struct pt_backend *be;
	struct pt_trace *trace;
};
struct row_fx row_fx_load(const char *host, const char *faults);
void row_fx_free(struct row_fx *f);
/* One write of value (its strlen) to a sysfs path. */
int row_fx_write(struct row_fx *f, const char *path, const char *value);
const char *row_errno_name(int err);
/* C-escape/unescape as observed.tsv writes values. Caller frees. */
char *row_escape(const char *s, size_t len);
char *row_unescape(const char *s, size_t *ret_len);

/*
 * What the kernel shows of a host's passthrough state, one fact per line, as the engine's scan
 * of the fake host sees it: each device's ids, driver, override, group, netdevs, SR-IOV and
 * reset methods; each group's members and viability; the device blocks an export writes (a
 * netdev's or a VFIO group's class device appears and goes with the driver) and /dev/vfio.
 * Volatile content (runtime PM counters, IRQ numbers) is left out. Caller frees.
 */
char *row_state(struct fks_host *h);
/* The first differing line of two texts, for messages ("" when equal). Caller frees. */
char *row_first_diff(const char *a, const char *b);
