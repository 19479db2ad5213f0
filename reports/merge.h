/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Joining the results of a sharded run (or of several runs) into one result. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

/*
 * prp_merge: join N checked results into one ptharness-result/1, as docs/reports.md says:
 * the summaries summed; the scenarios concatenated and sorted by id (then target); hosts
 * united by name, in the order the sorted scenarios first use them (a group's vm is the
 * smallest non-null name); rules united by id in first-seen order with each target's exercised
 * list merged, sorted and without duplicates; fidelity rows united by rule in the rules'
 * order (fail over pass over none on each target; agree recomputed: null while a target has
 * no verdict, else fake == lab); generated the newest; shard {0, N}; target the common one,
 * or the distinct targets joined by '+'. The inputs are not changed. Returns 0 and the result
 * in *ret (the caller owns it), or -EINVAL with @error when N is 0, an input is not a
 * ptharness-result/1, the tools differ, or a scenario (id and target) appears twice.
 */
int prp_merge(JsonNode **results, size_t n, JsonNode **ret, GError **error);
