/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scenario files (docs/scenarios.md): loading and checking them, with file:line:column errors. */
#pragma once

#include <glib.h>
#include <libfyaml.h>

enum pth_target {
	PTH_TARGET_FAKE = 1 << 0,
	PTH_TARGET_LAB = 1 << 1,
	PTH_TARGET_LIVE = 1 << 2,
};
const char *pth_target_to_string(enum pth_target t);
int pth_target_from_string(const char *s);

/* A scenario as loaded: the YAML document stays alive, steps are read from it when run. */
struct pth_scenario {
	char *file; /* path as given */
	char *id; /* "category/name": the file's path below the suite root, no .yaml */
	char *title;
	char *category;
	char **rules; /* rule IDs the scenario means to exercise */
	unsigned targets; /* enum pth_target bits; default fake */
	char *check_id; /* check_id: the stable ID of a certification check, or NULL */
	char *recording; /* resolved path of host.recording; NULL without host (live only) */
	char *host_name; /* the recording's name (file name without .umockdev) */
	char *kernel; /* host.kernel, or NULL */
	struct fy_document *doc;
	struct fy_node *set; /* host.set, or NULL */
	struct fy_node *vms; /* vms, or NULL */
	struct fy_node *faults; /* faults, or NULL */
	struct fy_node *steps; /* steps (a sequence) */
	struct fy_node *hosts; /* hosts: named second hosts (migrate-check to:), or NULL */
};

/*
 * Load and check a scenario: the YAML parses, every key and verb is known, values have the
 * right types, rule IDs are in the catalogue, the recording exists. root is the suite
 * directory ids are relative to (NULL: the file's directory). Returns NULL with error
 * "FILE:LINE:COLUMN: what was expected" on failure.
 */
struct pth_scenario *pth_scenario_load(const char *file, const char *root, GError **error);
void pth_scenario_free(struct pth_scenario *sc);

/* Helpers for the runner, over the scenario's nodes. */
const char *pth_node_str(struct fy_node *map, const char *key); /* scalar or NULL */
struct fy_node *pth_node_get(struct fy_node *map, const char *key);
gboolean pth_node_is_null(struct fy_node *n);
/* "FILE:LINE:COLUMN" of a node (of its first key for mappings). Caller frees. */
char *pth_node_where(const struct pth_scenario *sc, struct fy_node *n);

/* The verb of a step (its one key other than `expect`), and its argument node. */
const char *pth_step_verb(struct fy_node *step, struct fy_node **ret_args);

/* A scenario's id from its path: below root when it is there, without ".yaml". */
char *pth_scenario_id(const char *file, const char *root);

/* Every scenario file (*.yaml) below the paths given (files or directories), sorted. */
GPtrArray *pth_scenario_find(char **paths, GError **error);
