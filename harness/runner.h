/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Running scenarios on fake (or live) hosts and building the canonical result. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

#include "certify.h"
#include "engine.h"
#include "fakesys.h"
#include "scenario.h"

#define PTH_RESULT_SCHEMA "ptharness-result/1"

/*
 * The step verb `certify: {check: NAME, ...}` runs certify's own check code (harness/certify.c):
 * certify(data, args, &reason) returns the check's status and sets *ret_reason (owned by the
 * caller). Without hooks the verb fails with host-error.
 */
struct pth_step_hooks {
	enum pth_cert_status (*certify)(void *data, struct fy_node *args, char **ret_reason);
	/* A safe point, before step index (1-based) runs: non-zero (the signal number) stops the
	 * scenario there as interrupted. NULL: never. */
	int (*interrupted)(void *data, unsigned index);
	/* certify: {profile: P, device: BDF}: a whole certification of BDF on the run's own host
	 * (a scenario on a recording), by certify's code; sets the step's outcome (ok when the
	 * checks ran, whatever the verdict) and result (verdict, each check's status by its ID).
	 * NULL: the certificate form of the verb is not offered. */
	void (*certificate)(struct pt_engine *e, struct pt_backend *be, struct fks_host *fake,
			    struct pt_trace *trace, struct fy_node *args,
			    struct pt_outcome *ret_out, JsonObject *ret_result);
	void *data;
};

struct pth_run_options {
	const char *dut; /* --dut: $DUT (certification scenarios); NULL: none */
	const struct pth_step_hooks *hooks; /* the certify verb, or NULL */
	unsigned target; /* one of enum pth_target; fake by default */
	unsigned shard_index; /* 1-based; 0 with shard_count 0: no sharding */
	unsigned shard_count;
	unsigned jobs; /* worker threads, >= 1 */
	bool faults_all; /* rerun each scenario with a fault at each mutating step */
	bool progress; /* a progress line on stderr */
	const char *root; /* the suite directory scenario ids are relative to */
};

/* FNV-1a (32-bit) of the scenario id, mod n, 1-based: a stable shard for each scenario. */
unsigned pth_shard_of(const char *id, unsigned n);

/*
 * Run the scenario files given (already found and sorted). Scenarios that do not load are
 * reported as errors and the run goes on. Returns the result (ptharness-result/1, owned by the
 * caller) and sets *ret_load_errors to the number of files that could not be loaded.
 */
JsonNode *pth_run_scenarios(GPtrArray *files, const struct pth_run_options *opts,
			    unsigned *ret_load_errors);

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

/* Render a canonical result (harness/report.c): JUnit XML to junit, the HTML report into the
 * directory html, KTAP on stdout (last, and only when the rest worked); NULL/false skip one.
 * Returns 0, or -EIO with error set. */
int pth_report_render(JsonNode *result, const char *junit, bool ktap, const char *html,
		      GError **error);
/* A certificate (harness/certify-cert.c) as JUnit XML and an HTML page, appended to junit and
 * html. Returns 0, or -errno with error set. */
int pth_report_certificate(JsonNode *cert, GString *junit, GString *html, GError **error);
