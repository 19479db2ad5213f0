/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The canonical result of a suite (ptharness-result/1, docs/result-schema.md) as JSON. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "job.h"

#define PTH_RESULT_SCHEMA "ptharness-result/1"

/* j's scenario object into j->node (and status into j->status): steps (taken; NULL: none),
 * the message (NULL: none), the duration and its fault points. */
void pth_result_scenario(struct pth_job *j, JsonNode *steps, const char *status,
			 const char *message, gint64 ms, unsigned tried, unsigned held,
			 GPtrArray *broken);

/* The whole result over the jobs (sorted by id, each with its node): header, summary, the
 * hosts drawn from cache, rule coverage, scenarios, fidelity. Caller owns it. */
JsonNode *pth_result_build(GPtrArray *jobs, struct pth_cache *cache,
			   const struct pth_run_options *opts, gint64 ms);
