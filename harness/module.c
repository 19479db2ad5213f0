/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading a library or module when it is first needed, instead of at start-up. */

#include <gmodule.h>

#include "module.h"

gboolean pth_module_load(const char *path, const char *what, const char *hint,
			 const struct pth_symbol *syms, size_t n, GError **error)
{
	GModule *module = g_module_open(path, G_MODULE_BIND_LOCAL);

	if (!module) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "cannot load %s: %s%s", what,
			    g_module_error(), hint ? hint : "");
		return FALSE;
	}
	for (size_t i = 0; i < n; i++)
		if (!g_module_symbol(module, syms[i].name, syms[i].ptr)) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not %s: %s", path,
				    what, g_module_error());
			g_module_close(module);
			return FALSE;
		}
	return TRUE;
}
