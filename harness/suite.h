/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Running a suite of scenario files: loading, sharding, worker threads, the canonical result. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "job.h"

/*
 * Run the scenario files given (already found and sorted) that fall in opts' shard. Scenarios
 * that do not load are reported as errors and the run goes on. Returns the result
 * (ptharness-result/1, owned by the caller) and sets *ret_load_errors to the number of
 * scenarios that could not be loaded or set up (their host, host.set, faults, the addresses
 * their steps name): input errors, exit status 2.
 */
JsonNode *pth_run_scenarios(GPtrArray *files, const struct pth_run_options *opts,
			    unsigned *ret_load_errors);
