/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scenario files (docs/scenarios.md): loading and checking them, with file:line:column errors. */
#pragma once

#include <glib.h>
#include <libfyaml.h>
#include <stdbool.h>

#include "node.h"
#include "schema.h"

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
	char *text; /* the file's bytes: doc points into them */
	struct fy_document *doc;
	struct fy_node *set; /* host.set, or NULL */
	struct fy_node *model; /* host.model: kernel model settings (fks_host_set), or NULL */
	struct fy_node *vms; /* vms, or NULL */
	struct fy_node *faults; /* faults, or NULL */
	struct fy_node *steps; /* steps (a sequence) */
	struct fy_node *hosts; /* hosts: named second hosts (migrate-check to:), or NULL */
};

/*
 * Load and check a scenario: the YAML parses, every key and verb is known (opts->verbs),
 * values have the right types, rule IDs are in the catalogue, the recording exists. Returns
 * NULL with error "FILE:LINE:COLUMN: what was expected" on failure.
 */
struct pth_scenario *pth_scenario_load(const char *file, const struct pth_load_options *opts,
				       GError **error);
void pth_scenario_free(struct pth_scenario *sc);
/* A path the scenario names (a recording), relative to its file's folder unless absolute,
 * canonical. Caller frees. */
char *pth_scenario_path(const struct pth_scenario *sc, const char *path);

/* "FILE:LINE:COLUMN" of a node of the scenario (pth_node_at). Caller frees. */
char *pth_node_where(const struct pth_scenario *sc, struct fy_node *n);

/* A scenario's id from its path: below root when it is there, without ".yaml". */
char *pth_scenario_id(const char *file, const char *root);

/* Every scenario file (*.yaml) below the paths given (files or directories), sorted. */
GPtrArray *pth_scenario_find(char **paths, GError **error);
