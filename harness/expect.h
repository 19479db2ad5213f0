/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A step's expectations (expect:), checked against its observation and the host. */
#pragma once

#include <json-glib/json-glib.h>
#include <stdbool.h>

#include "runctx.h"

/* Check expect: (exp) of a step that observed o; each failure goes into f as {key, expected,
 * observed}. */
void pth_expect_check(struct pth_run *r, const struct pth_obs *o, struct fy_node *exp,
		      JsonArray *f);
/* Add one failure {key, expected, observed} to f. */
void pth_fail_exp(JsonArray *f, const char *key, const char *expected, const char *observed);

/*
 * Whether a rule must fire on target to count as exercised. On a real kernel (lab, live) the
 * kernel's rules are not named by anyone: the model names them on fake, the kernel only
 * behaves. There a kernel rule is judged by the step's results (ok, errno, end state), not by
 * firing; a scenario that passes there with its results has the real kernel agree with the
 * rules it declares.
 */
bool pth_rule_needs_firing(unsigned target, const char *id);
