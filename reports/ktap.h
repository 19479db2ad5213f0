/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* KTAP version 1 (the kernel's Documentation/dev-tools/ktap.rst) from the canonical result. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

/*
 * prp_render_ktap: append RESULT as KTAP version 1 to OUT: the version line, one diagnostic
 * line naming the run, the plan 1..N, then per scenario (result order) its steps as a
 * subtest indented by four spaces (own version line and plan; a "# KEY: expected E, observed
 * O" diagnostic before each failing step) and its result line: "ok N ID", "not ok N ID",
 * "not ok N ID # ERROR MESSAGE" or "ok N ID # SKIP REASON". Descriptions are kept on one line
 * and free of '#'. No timestamp. Returns 0, or -EINVAL with @error for a result that is not
 * ptharness-result/1.
 */
int prp_render_ktap(JsonNode *result, GString *out, GError **error);
