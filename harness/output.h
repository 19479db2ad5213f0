/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host model as JSON (the inspect schema of SCENARIOS.md) and as readable text. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "host.h"

#define PTH_INSPECT_SCHEMA "ptharness-inspect/1"

/* The whole host as a JSON object; the caller owns the node. source names where it came from. */
JsonNode *pth_host_to_json(const struct pt_host *host, const char *source);

/* The readable view: a block per IOMMU group. Returns a newly allocated string. */
char *pth_host_to_text(const struct pt_host *host, const char *source);

/* Pretty-printed JSON text with a trailing newline. */
char *pth_json_to_string(JsonNode *node);
