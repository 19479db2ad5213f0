/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host model as JSON (the inspect schema of docs/scenario-contract.md) and as readable text. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "host.h"
#include "hostjson.h"

/* The whole host as a JSON node (pth_host_json_text parsed), for embedding; the caller owns the
 * node. */
JsonNode *pth_host_to_json(const struct pt_host *host, const char *source);

/* The readable view: a block per IOMMU group. Returns a newly allocated string. */
char *pth_host_to_text(const struct pt_host *host, const char *source);

#include "escape.h"

/* Pretty-printed JSON text with a trailing newline. */
char *pth_json_to_string(JsonNode *node);

/* Write len bytes of data to the file path names, as an output file of the command: a regular
 * (or new) file replaced atomically (temporary file, fsync, rename), anything else (a device, a
 * FIFO, /dev/stdout) written in place, symlinks followed. Returns 0, or -errno with *error set
 * ("cannot write PATH: REASON"). */
int pth_write_file(const char *path, const char *data, size_t len, GError **error);
