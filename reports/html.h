/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The single-page HTML report, with an SVG topology picture per host. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

/*
 * prp_render_html: write DIR/index.html (created with DIR if needed) and DIR/host-NAME.svg
 * per host (NAME with characters other than letters, digits, '.', '_' and '-' made '_').
 * The page stands alone (inline CSS and SVG, no script, nothing fetched): a header (tool,
 * version, the result's one timestamp, target, shard), the summary with a pass/fail banner,
 * the failures and errors first with expected vs observed, every scenario as a <details>
 * with its steps, the rule coverage table (unexercised rules highlighted), the fidelity table
 * and each host's topology with a legend. Returns 0, or -errno with @error (not a
 * ptharness-result/1, graphviz failed, a file could not be written).
 */
int prp_render_html(JsonNode *result, const char *dir, GError **error);

/*
 * prp_render_html_page: the page itself appended to OUT, without writing files; the same
 * content prp_render_html() writes as index.html. Returns 0 or -errno with @error.
 */
int prp_render_html_page(JsonNode *result, GString *out, GError **error);

/*
 * prp_render_cert_html: append a certificate of `ptharness certify` (ptharness-certificate/1)
 * as one page to OUT, standing alone like the report (inline CSS, no script): the verdict,
 * the device's identity, firmware, kernel and host as <tr><th>KEY</th><td>VALUE</td></tr>
 * rows, one row per check (ID, title, status, reason, seconds), and a link to the recording
 * beside it. Returns 0, or -EINVAL (not a certificate) with @error.
 */
int prp_render_cert_html(JsonNode *cert, GString *out, GError **error);
