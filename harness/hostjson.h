/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host model as the JSON text of `inspect --json` (written by hand; see hostjson.c). */
#pragma once

#include "host.h"

#define PTH_INSPECT_SCHEMA "ptharness-inspect/1"

/* The whole host as JSON text with a trailing newline; source names where it came from.
 * Returns a newly allocated string (g_free). */
char *pth_host_json_text(const struct pt_host *host, const char *source);
