/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where a command's host comes from: the live machine, or any capture loaded into fakesys. */
#pragma once

#include <glib.h>

#include "backend.h"
#include "host.h"

enum pth_host_kind {
	PTH_HOST_LIVE,
	PTH_HOST_DIR,
	PTH_HOST_RECORDING,
	_PTH_HOST_KIND_MAX,
};

struct pth_host_source;

struct pth_host_source_options {
	/* Kernel whose behaviour the model follows ("5.10"); NULL: the capture's own. */
	const char *kernel;
};

/*
 * Open the host named by spec: "live" (the machine's own root, read through the sysfs
 * backend), or a capture: a directory holding sys/ (a captured tree) or a file in the
 * umockdev-record format. Every capture is read into fakesys, in memory, and scanned through
 * the fakesys backend: nothing is written to disk and no name in the capture reaches the file
 * system. opts may be NULL. Returns NULL and sets error ("FILE:LINE: reason" for recordings)
 * on failure.
 */
struct pth_host_source *pth_host_source_open(const char *spec, GError **error);
struct pth_host_source *pth_host_source_open_with(const char *spec,
						  const struct pth_host_source_options *opts,
						  GError **error);
/* Accepts NULL; returns NULL. */
struct pth_host_source *pth_host_source_free(struct pth_host_source *src);

/* Whether file is named as a tarball (.tar, .tar.gz, .tgz, .tar.xz, .txz, .tar.bz2). */
gboolean pth_is_tarball(const char *file);
/*
 * Unpack a tarball with tar into a new private folder (no owners or permissions kept; GNU tar
 * drops leading "/" and refuses ".."). Returns the folder, which the caller removes with
 * pth_tarball_remove() whatever happens; NULL with error set when tar fails (nothing left).
 */
char *pth_tarball_unpack(const char *file, GError **error);
/* Removes the folder pth_tarball_unpack() made, and frees dir. Accepts NULL. */
void pth_tarball_remove(char *dir);
/* The folder holding sys/ in dir: dir itself, or its one subfolder that holds it (as a
 * tarball of a gathered tree unpacks); NULL when there is none. */
char *pth_tree_root(const char *dir);

struct pt_backend *pth_host_source_backend(struct pth_host_source *src);
enum pth_host_kind pth_host_source_kind(const struct pth_host_source *src);
const char *pth_host_source_spec(const struct pth_host_source *src);
/* The fake host a capture was loaded into (NULL for live); owned by src. */
struct fks_host *pth_host_source_fake(struct pth_host_source *src);

/*
 * Scan the host (pt_host_new) and add what loading the capture found as findings (a group
 * listing that disagrees with the links, a device without config space). On failure returns
 * -errno and sets error to one line naming the file, the block's line and the reason.
 */
int pth_host_source_scan(struct pth_host_source *src, const struct pt_host_options *opts,
			 struct pt_host **ret, GError **error);

/* Turn a model scan failure into one line naming the recording's file and device block line
 * (or the captured path) and the reason. Caller frees. */
char *pth_host_source_describe_error(const struct pth_host_source *src, const struct pt_error *err);

/*
 * Syntax and safety check of a umockdev recording (fakesys's parser and loader, nothing
 * kept). Returns TRUE, or FALSE with error "FILE:LINE: reason". Exposed for tests.
 */
gboolean pth_recording_check(const char *file, const char *text, GError **error);
