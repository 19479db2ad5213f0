/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading a scenario's YAML nodes (libfyaml): values by key, nulls, positions. */
#pragma once

#include <glib.h>
#include <libfyaml.h>

/* The value of key in a mapping, or NULL (also when map is not a mapping). */
struct fy_node *pth_node_get(struct fy_node *map, const char *key);
/* The value of key when it is a scalar other than null, else NULL. */
const char *pth_node_str(struct fy_node *map, const char *key);
/* Whether n is absent, or the plain scalar null, ~ or empty. */
gboolean pth_node_is_null(struct fy_node *n);
/* Where a node starts (1-based): its own token, or for a collection its first key or item;
 * 0 and 0 when libfyaml kept no mark. */
void pth_node_mark(struct fy_node *n, int *ret_line, int *ret_col);
/* "FILE:LINE:COLUMN" of a node, or FILE when it has no mark. Caller frees. */
char *pth_node_at(const char *file, struct fy_node *n);

/* The verb of a step (its one key other than `expect`), and its argument node. */
const char *pth_step_verb(struct fy_node *step, struct fy_node **ret_args);
