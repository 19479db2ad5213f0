/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JUnit XML from the canonical result, valid against the common (Jenkins junit-10) schema. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

/*
 * prp_render_junit: append RESULT as JUnit XML to OUT: <testsuites> with one <testsuite> per
 * category (sorted by name; tests, failures, errors, skipped, time), one <testcase
 * classname=CATEGORY name=ID time=SECONDS> per scenario in result order, holding <failure
 * type="expectation"> (every expected vs observed), <error> (a scenario that could not load
 * or run) or <skipped>, and <system-out> with the scenario's steps. The steps are also
 * <property name="ID.step.N" value="VERB ARGS: STATUS"/> of the suite: junit-10 allows
 * properties on suites only. No timestamp: the output depends only on RESULT.
 * Returns 0, or -EINVAL (not a ptharness-result/1) or -EIO (libxml2 failed) with @error.
 */
int prp_render_junit(JsonNode *result, GString *out, GError **error);

/*
 * prp_render_cert_junit: append a certificate of `ptharness certify` (ptharness-certificate/1)
 * as JUnit XML to OUT: one <testsuite name="certify BDF"> (tests, failures, skipped, time:
 * the sum of the checks' durations), one <testcase classname="certify" name=CHECK-ID
 * time=SECONDS> per check in order, holding <failure type="check" message=REASON>, <skipped
 * message=REASON/>, or for a pass <system-out>REASON</system-out>. Returns 0, or -EINVAL (not
 * a certificate) or -EIO (libxml2 failed) with @error.
 */
int prp_render_cert_junit(JsonNode *cert, GString *out, GError **error);
