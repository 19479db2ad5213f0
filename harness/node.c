/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading a scenario's YAML nodes: values by key, nulls, positions. */

#include <string.h>

#include "node.h"

/* Where a node starts: its own token, or for a collection its first key or item. */
void pth_node_mark(struct fy_node *n, int *line, int *col)
{
	void *it = NULL;

	*line = *col = 0;
	for (int depth = 0; n && depth < 16; depth++) {
		if (fy_node_is_scalar(n)) {
			struct fy_token *t = fy_node_get_scalar_token(n);
			const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;

			if (m) {
				*line = m->line + 1;
				*col = m->column + 1;
			}
			return;
		}
		it = NULL;
		if (fy_node_is_mapping(n)) {
			struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);

			n = p ? fy_node_pair_key(p) : NULL;
		} else if (fy_node_is_sequence(n)) {
			n = fy_node_sequence_iterate(n, &it);
		} else {
			return;
		}
	}
}

/* A node without a mark of its own (an empty list or mapping): where its parent holds it, the
 * key it is the value of, or the list it is in. */
static void parent_mark(struct fy_node *n, int *line, int *col)
{
	for (int depth = 0; n && !*line && depth < 16; depth++) {
		struct fy_node *parent = fy_node_get_parent(n);
		struct fy_node_pair *p;
		void *it = NULL;

		if (parent && fy_node_is_mapping(parent))
			while ((p = fy_node_mapping_iterate(parent, &it)))
				if (fy_node_pair_value(p) == n) {
					pth_node_mark(fy_node_pair_key(p), line, col);
					return;
				}
		n = parent;
		if (n && fy_node_is_sequence(n))
			pth_node_mark(n, line, col);
	}
}

char *pth_node_at(const char *file, struct fy_node *n)
{
	int line, col;

	pth_node_mark(n, &line, &col);
	if (!line)
		parent_mark(n, &line, &col);
	return line ? g_strdup_printf("%s:%d:%d", file, line, col) : g_strdup(file);
}
gboolean pth_node_is_null(struct fy_node *n)
{
	const char *s;

	if (!n)
		return TRUE;
	if (!fy_node_is_scalar(n))
		return FALSE;
	s = fy_node_get_scalar0(n);
	return fy_node_get_style(n) == FYNS_PLAIN &&
	       (!s || !*s || strcmp(s, "null") == 0 || strcmp(s, "~") == 0);
}

struct fy_node *pth_node_get(struct fy_node *map, const char *key)
{
	return map && fy_node_is_mapping(map) ? fy_node_mapping_lookup_by_string(map, key, -1) :
						NULL;
}

const char *pth_node_str(struct fy_node *map, const char *key)
{
	struct fy_node *n = pth_node_get(map, key);

	return n && fy_node_is_scalar(n) && !pth_node_is_null(n) ? fy_node_get_scalar0(n) : NULL;
}

const char *pth_step_verb(struct fy_node *step, struct fy_node **ret_args)
{
	struct fy_node_pair *p;
	void *it = NULL;

	while (step && fy_node_is_mapping(step) && (p = fy_node_mapping_iterate(step, &it))) {
		struct fy_node *k = fy_node_pair_key(p);
		const char *name = fy_node_is_scalar(k) ? fy_node_get_scalar0(k) : NULL;

		if (name && strcmp(name, "expect") != 0) {
			if (ret_args)
				*ret_args = fy_node_pair_value(p);
			return name;
		}
	}
	return NULL;
}
