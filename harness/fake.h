/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ptharness fake: the kernel model served to unmodified programs through a FUSE file system. */
#pragma once

#include <glib.h>
#include <pthread.h>
#include <stdbool.h>

#include "backend.h"
#include "fakesys.h"

/*
 * The model's sysfs view (sys/) and device nodes (dev/vfio) mounted with FUSE in a private
 * temporary directory, served by a thread of this process until unmounted. Reads show the model, writes go to its
 * store handlers and fail with the kernel's errno, links and directories are the view's.
 * Every access goes through be (a fks_host_backend() of host), so be's trace sees them.
 */
struct pth_fakefs;

/* Mount and start serving. host and be are borrowed and must outlive the mount; nothing else
 * may use them until pth_fakefs_unmount(). Returns 0, or -errno with error set. */
int pth_fakefs_mount(struct fks_host *host, struct pt_backend *be, struct pth_fakefs **ret,
		     GError **error);
/* The mount, whose sys/ and dev/ are the model's (what UMOCKDEV_DIR names). */
const char *pth_fakefs_root(const struct pth_fakefs *fs);
/* A private directory beside the mount, for files the runner needs (removed at unmount). */
const char *pth_fakefs_scratch(const struct pth_fakefs *fs);
/* The unix socket of the VFIO server (for the preload shim's PTHARNESS_FAKE_VFIO). */
const char *pth_fakefs_vfio_socket(const struct pth_fakefs *fs);
/* The model's modules.alias (the recording's vfio_pci lines for the release the model runs),
 * read at mount; NULL when the model has none (the recording has no modules.alias). */
const char *pth_fakefs_modules_alias(const struct pth_fakefs *fs);
/* Unmount, stop the threads, remove the directory. Accepts NULL; returns NULL. */
struct pth_fakefs *pth_fakefs_unmount(struct pth_fakefs *fs);

/*
 * The VFIO server (fake-vfio.c): the model's /dev/vfio files for clients of the preload shim
 * (fake-preload.c), on a unix socket at path, served by a thread that takes lock around each
 * call into host or be (the FUSE thread takes it too). host, be and lock are borrowed.
 * Returns 0, or -errno with error set.
 */
struct pth_fakevfio;
int pth_fakevfio_start(struct fks_host *host, struct pt_backend *be, pthread_mutex_t *lock,
		       const char *path, struct pth_fakevfio **ret, GError **error);
const char *pth_fakevfio_socket(const struct pth_fakevfio *v);
/* Stop serving, close every client's files. Accepts NULL; returns NULL. */
struct pth_fakevfio *pth_fakevfio_stop(struct pth_fakevfio *v);

/* How a program is made to see the mount instead of the machine's /sys. */
enum pth_fake_via {
	PTH_FAKE_AUTO, /* namespace when root, else preload */
	PTH_FAKE_PRELOAD, /* LD_PRELOAD=libumockdev-preload, UMOCKDEV_DIR: dynamic programs */
	PTH_FAKE_NAMESPACE, /* a private mount namespace, the mount over /sys: any program */
	_PTH_FAKE_VIA_MAX,
};

const char *pth_fake_via_to_string(enum pth_fake_via via);
/* -EINVAL for an unknown name. */
int pth_fake_via_from_string(const char *s, enum pth_fake_via *ret);

/*
 * Run argv (PATH searched) against the mount and wait for it. out_fd >= 0 becomes the
 * program's stdout and stderr, and its stdin is /dev/null; -1 keeps ours. *ret_status gets the exit status as a shell
 * shows it (128 + signal for a killed program, 127 when it cannot be run, 126 for exec
 * failures other than ENOENT). Returns 0, or -errno with error set when no program ran
 * (namespace asked for and not permitted).
 */
int pth_fake_spawn(const struct pth_fakefs *fs, enum pth_fake_via via, const char *const argv[],
		   int out_fd, int *ret_status, GError **error);

/*
 * The scenario verb `exec`: run argv against host (the scenario's fake host, as it stands)
 * and check its exit status and, when pattern is not NULL, that its output (stdout and
 * stderr together) matches the regular expression (GRegex, multi-line).
 *
 * Returns 0 when both hold; 1 when a check failed, with *ret_reason saying which ("exit
 * status 1, expected 0" or "output does not match /.../") and the output; -errno when the
 * program could not be run (reason set). ret_status and ret_output (each may be NULL) get
 * the exit status and the output when the program ran. Strings are owned by the caller.
 */
int pth_fake_exec(struct fks_host *host, struct pt_backend *be, enum pth_fake_via via,
		  const char *const argv[], int expect_status, const char *pattern, int *ret_status,
		  char **ret_output, char **ret_reason);
