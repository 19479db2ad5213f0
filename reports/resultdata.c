/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The canonical result as text, and the shard of a scenario: the one copy ptharness and the
 * report writers share (json-glib only, linked into both). */

#include "result.h"

char *prp_result_to_data(JsonNode *result)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autofree char *s = NULL;

	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 2);
	json_generator_set_root(gen, result);
	s = json_generator_to_data(gen, NULL);
	return g_strconcat(s, "\n", NULL);
}

unsigned prp_shard_of(const char *id, unsigned n)
{
	guint32 h = 2166136261u;

	if (n <= 1)
		return 1;
	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return h % n + 1;
}
