/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A suite's options and one scenario's job in it: what the suite runs and the result reads. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

#include "scenario.h"

struct pth_step_hooks;
struct pth_cache;

struct pth_run_options {
	const char *dut; /* --dut: $DUT (certification scenarios); NULL: none */
	const struct pth_step_hooks *hooks; /* the certify verb, or NULL */
	const char *const *checks; /* certify's check names, for the loader; NULL: none */
	unsigned target; /* one of enum pth_target; fake by default */
	unsigned shard_index; /* 1-based; 0 with shard_count 0: no sharding */
	unsigned shard_count;
	unsigned jobs; /* worker threads, >= 1 */
	bool faults_all; /* rerun each scenario with a fault at each mutating step */
	bool progress; /* a progress line on stderr */
	const char *root; /* the suite directory scenario ids are relative to */
};

/* One scenario of a suite: loaded (or its load error), then run into node. */
struct pth_job {
	const char *file;
	const struct pth_run_options *opts;
	struct pth_cache *cache;
	char *id;
	struct pth_scenario *sc;
	char *load_error;
	JsonNode *node; /* the scenario's result object */
	GHashTable *fired; /* rule IDs */
	GPtrArray *held_by; /* "GROUP\tVM (ID)" at the end of the scenario */
	char *end_state; /* the model at the end of the scenario (a recording), NULL: not on it */
	const char *status; /* pass, fail, error, skip */
	bool input_error; /* it did not load, or its host or fixture did not set up: exit 2 */
};
