/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: `report merge`: up to four results (separated by a line "---"), each checked
 * against the result schema as report merge loads it, then merged and written out. */

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "merge.h"
#include "result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	g_auto(GStrv) docs = g_strsplit(text, "\n---\n", 5);
	JsonNode *results[5];
	JsonNode *merged = NULL;
	size_t n = 0;

	for (guint i = 0; docs[i] && i < 4; i++) {
		g_autoptr(GError) error = NULL;
		JsonNode *r = json_from_string(docs[i], NULL);

		if (!r)
			continue;
		if (prp_result_check(r, "fuzz", &error) < 0) {
			json_node_unref(r);
			continue;
		}
		results[n++] = r;
	}
	if (n > 0) {
		g_autoptr(GError) error = NULL;

		if (prp_merge(results, n, &merged, &error) == 0) {
			g_free(prp_result_to_data(merged));
			json_node_unref(merged);
		}
	}
	for (size_t i = 0; i < n; i++)
		json_node_unref(results[i]);
	free(text);
	return 0;
}
