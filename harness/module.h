/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading a library or module when it is first needed, instead of at start-up. */
#pragma once

#include <glib.h>

/* One symbol to look up, and where its address goes. */
struct pth_symbol {
	const char *name;
	gpointer *ptr;
};

/*
 * Open path (a file, or a soname the dynamic loader finds) and fill in every symbol. what
 * names it in errors ("cannot load WHAT: ...", "PATH: not WHAT: ..."), hint is added to the
 * first (or NULL). The module stays loaded for the life of the process; on failure nothing
 * stays loaded and error is set.
 */
gboolean pth_module_load(const char *path, const char *what, const char *hint,
			 const struct pth_symbol *syms, size_t n, GError **error);
