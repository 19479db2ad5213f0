/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The body the import fuzz targets share: pasted text through one parser (or all), then the
 * recording written from it loaded back into fakesys (what `--host PASTE` does). */
#pragma once

#include <stdlib.h>
#include <string.h>

#include "fakesys.h"
#include "import.h"

static int fuzz_import(const uint8_t *data, size_t size, const char *only)
{
	struct fks_import *imp = NULL;
	struct fks_host *host = NULL;
	struct pt_error err = { 0 };
	char *rec = NULL;

	if (fks_import_new(&imp) < 0)
		return 0;
	if (fks_import_only(imp, only) < 0)
		abort(); /* a target names a parser the table does not have */
	fks_import_add_text(imp, "fuzz.txt", (const char *)data, size);
	for (unsigned i = 0; i < fks_import_n_messages(imp); i++)
		if (!fks_import_message(imp, i))
			abort();
	if (fks_import_recording(imp, &rec) == 0) {
		if (fks_host_new_from_text("fuzz.umockdev", rec, strlen(rec), NULL, &host, &err) ==
		    0)
			fks_host_free(host);
		free(rec);
	}
	fks_import_free(imp);
	return 0;
}
