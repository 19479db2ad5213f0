/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests only: a recording built into a libumockdev testbed, to check fakesys against umockdev. */
#pragma once

#include <glib.h>

#include "backend.h"
#include "host.h"

struct umt_testbed;

/*
 * A file in the umockdev-record format, loaded through libumockdev into a private testbed
 * that is completed with what umockdev does not create (driver directories, IOMMU group
 * directories, the kernel release). Returns NULL and sets error (message names the file and
 * the line) on failure.
 */
struct umt_testbed *umt_testbed_open(const char *spec, GError **error);
/* Remove path and everything below it (links are removed, not followed). */
void umt_remove_tree(const char *path);
/* Removes a recording's testbed. Accepts NULL; returns NULL. */
struct umt_testbed *umt_testbed_free(struct umt_testbed *src);

struct pt_backend *umt_testbed_backend(struct umt_testbed *src);

/*
 * Syntax check of a umockdev recording, line by line, before libumockdev sees it (it reports
 * no line numbers). Returns TRUE, or FALSE with error "FILE:LINE: reason". Exposed for tests.
 */
gboolean umt_recording_check(const char *file, const char *text, GError **error);
