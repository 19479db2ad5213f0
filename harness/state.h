/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine's state file (checked, written atomically) and the lock beside it. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <json-glib/json-glib.h>

/*
 * Read the state file at path. Returns 0 with *ret_body (the body object, owned by the caller)
 * or NULL when there is no file; -ENOENT never. A file that is not ours (no format tag, another
 * version), torn (not JSON, its checksum does not match) or from another boot of the host
 * (boot_id differs, both known) is -EBADMSG or -ESTALE with *error saying which: never trusted.
 */
int pth_state_read(const char *path, const char *boot_id, JsonNode **ret_body, GError **error);

/* Write body (an object) as the state file at path: a temporary file, fsync, rename, so that a
 * crash leaves the old file or the new one. boot_id may be NULL (unknown). Returns 0 or -errno
 * with *error set. */
int pth_state_write(const char *path, const char *boot_id, JsonNode *body, GError **error);

/*
 * Take the lock at path (created 0600 if missing; never removed), exclusive or shared, waiting
 * up to wait_ms for another holder. An exclusive holder's "PID COMMAND" is written into it.
 * Returns the locked fd (close it to release; the kernel releases it when the process dies,
 * however it dies), or -EBUSY with *error "busy: held by pid N (COMMAND)", or -errno.
 */
int pth_lock_take(const char *path, const char *command, unsigned wait_ms, bool shared,
		  GError **error);
