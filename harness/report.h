/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Rendering a canonical result with the report writers (loaded as a module when needed). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

/* Render a canonical result: JUnit XML to junit, the HTML report into the directory html, KTAP
 * on stdout (last, and only when the rest worked); NULL/false skip one. Returns 0, or -EIO with
 * error set. */
int pth_report_render(JsonNode *result, const char *junit, bool ktap, const char *html,
		      GError **error);

/* A certificate (harness/certify-cert.c) as JUnit XML and an HTML page, appended to junit and
 * html. Returns 0, or -errno with error set. */
int pth_report_certificate(JsonNode *cert, GString *junit, GString *html, GError **error);
