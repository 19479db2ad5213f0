/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* prp-split RESULT K N: print shard K of N of RESULT, as `ptharness run --shard K/N` would. */

#include <stdio.h>
#include <stdlib.h>

#include "result.h"
#include "util.h"

int main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) result = NULL, shard = NULL;
	g_autofree char *out = NULL;
	unsigned k, n;

	if (argc != 4 || (k = (unsigned)atoi(argv[2])) < 1 || (n = (unsigned)atoi(argv[3])) < k) {
		fputs("usage: prp-split RESULT K N (1 <= K <= N)\n", stderr);
		return 2;
	}
	if (prp_result_load(argv[1], &result, &error) < 0) {
		fprintf(stderr, "prp-split: %s\n", error->message);
		return 2;
	}
	shard = split_shard(result, k, n);
	out = prp_result_to_data(shard);
	fputs(out, stdout);
	return 0;
}
