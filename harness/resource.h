/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding the files ptharness ships (report module, suite, profiles) from the running binary. */
#pragma once

#include <glib.h>

/*
 * The files ptharness ships beside its binary. Each is found, in this order:
 *   1. the environment variable named in the table (PTH_REPORTS_MODULE, PTH_SCENARIOS_DIR,
 *      PTH_FAKE_PRELOAD, PTH_CLIENTS_DIR);
 *   2. beside the running binary (a private copy: the binary and the module in one folder);
 *   3. the build tree the binary runs from (BUILD/harness/ptharness: the module in
 *      BUILD/reports, the suite in the source tree named by BUILD/meson-info/meson-info.json);
 *   4. the installed layout, relative to the binary's folder ($prefix/bin/ptharness:
 *      $prefix/LIBDIR/ptharness/, $prefix/share/ptharness/), then the same at the prefix
 *      the binary was configured for.
 * The running binary is /proc/self/exe (symbolic links resolved), never argv[0].
 */
enum pth_resource {
	PTH_RESOURCE_REPORTS_MODULE, /* ptharness-reports.so, the report writers */
	PTH_RESOURCE_SCENARIOS, /* the bundled suite: scenarios/ with hosts/ and certify/ */
	PTH_RESOURCE_FAKE_PRELOAD, /* libptharness-fake-preload.so, fake's VFIO shim */
	PTH_RESOURCE_CLIENTS, /* clients/: ptharness's own programs for exec steps */
	PTH_RESOURCE_MAX,
};

/*
 * The path of resource r: the first candidate above that exists. Returns a newly allocated
 * path (the caller frees it), or NULL with error set naming every place looked at.
 */
char *pth_resource_find(enum pth_resource r, GError **error);

/*
 * The folder of the certification profile name: $PTH_CERTIFY_PROFILES/name if that is set,
 * else certify/name in the bundled suite (PTH_RESOURCE_SCENARIOS). Returns a newly allocated
 * path (it may not exist), or NULL with error set when the suite cannot be found.
 */
char *pth_profile_dir(const char *name, GError **error);
