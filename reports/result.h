/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The canonical result (ptharness-result/1): loading, schema checking, writing, sharding. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#define PRP_RESULT_SCHEMA "ptharness-result/1"

/* Errors of the report writers, in the domain PRP_ERROR. */
enum prp_error {
	PRP_ERROR_IO, /* a file could not be read or written */
	PRP_ERROR_SCHEMA, /* the JSON is not a ptharness-result/1 (message names the member) */
	PRP_ERROR_MERGE, /* the results cannot be merged (message says which and why) */
	PRP_ERROR_RENDER, /* a library (libxml2, graphviz) failed while rendering */
};

#define PRP_ERROR (prp_error_quark())
GQuark prp_error_quark(void);

/*
 * prp_result_load: parse FILE and check it against ptharness-result/1.
 * Returns 0 and the root in *ret (the caller owns it: json_node_unref()), or -errno with
 * @error saying "FILE: ..." (a parse error with its line, or the missing or wrong member as a
 * path such as "scenarios[3].steps[0]: member 'status' is missing"). *ret is untouched on
 * failure.
 */
int prp_result_load(const char *file, JsonNode **ret, GError **error);

/*
 * prp_result_check: check RESULT against ptharness-result/1: the schema name, every member
 * docs/result-schema.md lists with its type, and the enumerated values (scenario and step
 * status, fidelity results). Members it does not know are allowed. NAME prefixes the error
 * message (a file name, or NULL). Returns 0, or -EINVAL with @error.
 */
int prp_result_check(JsonNode *result, const char *name, GError **error);

/*
 * prp_result_to_data: RESULT as pretty-printed JSON (two-space indent, members in their
 * order, a final newline). Returns a string the caller frees with g_free().
 */
char *prp_result_to_data(JsonNode *result);

/*
 * prp_shard_of: the shard (1..N) a scenario belongs to in a run split N ways: the FNV-1a
 * 32-bit hash of its id (offset basis 2166136261, prime 16777619, over the id's bytes) mod N,
 * plus one. Stable across runs, machines and suite changes. N of 0 or 1 gives 1.
 */
unsigned prp_shard_of(const char *id, unsigned n);
