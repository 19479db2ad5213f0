/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine's context and helpers shared by the operations in lib/. */
#pragma once

#include "engine.h"
#include "macro.h"

struct pt_engine {
	struct pt_backend *be;
	struct pt_host *host;
	struct pt_trace *trace;
	struct pt_host_options opts;
	char *kernel;
	const struct pt_vms *vms; /* the caller's VM list (libvirt's active list), or NULL */
	/* The first scan's device addresses, sorted, when what the host needs was unknown then
	 * (its mounts, its network root's interface): a VF created since is not a suspect. */
	char **initial;
	size_t initial_count;
	char *modules_alias; /* the host's modules.alias text, or NULL: unknown (variant.c) */
	bool modules_alias_read; /* the host's file was tried (or the caller set the text) */
};

/* Write value (no newline added) to the sysfs path made from fmt. */
int pt_engine_write(struct pt_engine *e, const char *value, const char *fmt, ...) _printf_(3, 4);
/* Record in the trace that rule decided something about subject. */
void pt_engine_rule(struct pt_engine *e, const char *rule, const char *subject, const char *fmt,
		    ...) _printf_(4, 5);
/* The device at address, checked to exist and, when why is given, to be an endpoint (why
 * says what a bridge cannot be used for). Returns 0 with *ret_dev, 1 with the outcome set
 * (device-not-found, not-an-endpoint), -ENOMEM. */
int pt_engine_find_endpoint(struct pt_engine *e, const char *address, const char *why,
			    const struct pt_dev **ret_dev, struct pt_outcome *out);
/* The device's driver in the current model (NULL when unbound or unknown). */
const char *pt_engine_driver_of(struct pt_engine *e, const char *address);
/* Put a device back on driver (NULL: unbound) with the given driver_override, verify from a
 * fresh scan, and add what could not be restored to out. */
int pt_engine_restore_binding(struct pt_engine *e, const char *address, const char *driver,
			      const char *override, struct pt_outcome *out);
