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
	struct pt_vm **vms; /* VMs the engine gave devices to (libvirt's active list) */
	size_t vm_count;
};

struct pt_vm;
void pt_vm_free(struct pt_vm *vm);

/* Set the outcome; returns 0 for PT_CODE_OK, 1 otherwise, -ENOMEM when out of memory. */
int pt_outcome_set(struct pt_outcome *o, enum pt_code code, int err, const char *rule,
		   const char *fmt, ...) _printf_(5, 6);
/* Add one line to the outcome's list of what could not be restored. */
int pt_outcome_unrestored(struct pt_outcome *o, const char *fmt, ...) _printf_(2, 3);
/* Append a copy of s to a NULL-terminated array (allocated when NULL). */
int pt_strv_push(char ***strv, const char *s);

/* Write value (no newline added) to the sysfs path made from fmt. */
int pt_engine_write(struct pt_engine *e, const char *value, const char *fmt, ...) _printf_(3, 4);
/* Record in the trace that rule decided something about subject. */
void pt_engine_rule(struct pt_engine *e, const char *rule, const char *subject, const char *fmt,
		    ...) _printf_(4, 5);
/* The device's driver in the current model (NULL when unbound or unknown). */
const char *pt_engine_driver_of(struct pt_engine *e, const char *address);
/* Put a device back on driver (NULL: unbound) with the given driver_override, verify from a
 * fresh scan, and add what could not be restored to out. */
int pt_engine_restore_binding(struct pt_engine *e, const char *address, const char *driver,
			      const char *override, struct pt_outcome *out);
