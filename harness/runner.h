/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The step loop over one scenario, the fault matrix, and a scenario run as a certify check. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

#include "engine.h"
#include "fakesys.h"
#include "runctx.h"
#include "scenario.h"

/* Run r's steps (r set up by pth_run_setup); their results go into b as an array. Returns
 * "pass" or "fail"; a certify verdict and reason are in r->status and r->reason. */
const char *pth_run_steps(struct pth_run *r, JsonBuilder *b);

/* The fault matrix over base (a fault-free run that collected its points): the scenario again
 * once per point. Counts go to *tried and *held, what broke (strings) to broken. */
void pth_run_faults(struct pth_run *base, unsigned *tried, unsigned *held, GPtrArray *broken);

/*
 * Run one loaded scenario's steps as a certification check on a host the caller owns (certify's
 * session): $DUT is dut, the certify verb calls hooks. Stops at the first failure. Devices its
 * steps moved to a stub and did not give back are reattached, VMs its steps filled released.
 * Returns the check's status and sets *ret_reason (owned by the caller): a certify step's reason,
 * or the first failed expectation ("step 2 (reset): result.method: expected flr, observed bus"),
 * or for a scenario of plain steps "N step(s) as expected".
 */
enum pth_cert_status pth_run_check(struct pth_scenario *sc, struct pt_engine *e,
				   struct pt_backend *be, struct fks_host *fake,
				   struct pt_trace *trace, const char *dut,
				   const struct pth_step_hooks *hooks, char **ret_reason);
