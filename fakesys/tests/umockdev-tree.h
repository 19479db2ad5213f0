/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests only: a recording built into a libumockdev testbed, to check fakesys against umockdev. */
#pragma once

#include <glib.h>

#include "backend.h"
#include "host.h"

enum pth_host_kind {
	PTH_HOST_LIVE,
	PTH_HOST_DIR,
	PTH_HOST_RECORDING,
};

struct pth_host_source;

/*
 * Open the host named by spec: "live" (the machine's own root), a directory holding sys/, or
 * a file in the umockdev-record format, loaded through libumockdev into a private testbed
 * that is completed with what umockdev does not create (driver directories, IOMMU group
 * directories, the kernel release). Returns NULL and sets error (message names the file and,
 * for recordings, the line) on failure.
 */
struct pth_host_source *pth_host_source_open(const char *spec, GError **error);
/* Removes a recording's testbed. Accepts NULL; returns NULL. */
struct pth_host_source *pth_host_source_free(struct pth_host_source *src);

struct pt_backend *pth_host_source_backend(struct pth_host_source *src);
enum pth_host_kind pth_host_source_kind(const struct pth_host_source *src);
const char *pth_host_source_spec(const struct pth_host_source *src);
/* The directory the backend is rooted at. */
const char *pth_host_source_root(const struct pth_host_source *src);

/* Turn a model scan failure into one line naming the recording's file and device block line
 * (or the captured path) and the reason. Caller frees. */
char *pth_host_source_describe_error(const struct pth_host_source *src, const struct pt_error *err);

/*
 * Syntax check of a umockdev recording, line by line, before libumockdev sees it (it reports
 * no line numbers). Returns TRUE, or FALSE with error "FILE:LINE: reason". Exposed for tests.
 */
gboolean pth_recording_check(const char *file, const char *text, GError **error);
