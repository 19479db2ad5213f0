/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helpers of the report writers: fixtures, canonical JSON, splitting a result by shard. */
#pragma once

#include <json-glib/json-glib.h>

/* The fixture reports/tests/NAME, loaded and checked; aborts the test if it does not load. */
JsonNode *fixture_load(const char *name);

/* The contents of reports/tests/NAME (a golden file); aborts if it cannot be read. */
char *fixture_text(const char *name);

/* NODE as compact JSON with every object's members sorted by name: equal data, equal text. */
char *canonical(JsonNode *node);

/*
 * The result shard K of N of a run would have written: the scenarios whose prp_shard_of() is
 * K, the summary counted from them, only the hosts they ran on, each rule's exercised lists
 * limited to them, fidelity rows kept where one of them fired the rule (else none/none),
 * shard {K, N}; shard 1 keeps the original's timestamp, the others are a minute older.
 */
JsonNode *split_shard(JsonNode *result, unsigned k, unsigned n);

/*
 * RESULT (a fake run) as the same suite run on the lab: every scenario's target and exercised
 * list moved to lab, the fidelity verdicts to the lab column, except K-NEW-ID-ATTACH, which
 * passes on the lab (a fidelity gap to find when the two are merged).
 */
JsonNode *on_lab(JsonNode *result);
