/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What an operation ended with: a stable code, the deciding rule, a message and lists. */
#pragma once

#include "macro.h"

/* Stable outcome codes (a scenario's "error"), kebab-case in reports. */
enum pt_code {
	PT_CODE_OK,
	PT_CODE_NO_IOMMU,
	PT_CODE_DEVICE_NOT_FOUND,
	PT_CODE_NOT_AN_ENDPOINT,
	PT_CODE_GROUP_NOT_VIABLE,
	PT_CODE_GROUP_IN_USE,
	PT_CODE_DEVICE_IN_USE,
	PT_CODE_HOST_CRITICAL,
	PT_CODE_NOT_DETACHED, /* unmanaged device not on a stub driver */
	PT_CODE_DRIVER_MISSING,
	PT_CODE_BIND_FAILED,
	PT_CODE_UNBIND_FAILED,
	PT_CODE_RESET_UNAVAILABLE,
	PT_CODE_RESET_REFUSED,
	PT_CODE_RESET_FAILED,
	PT_CODE_VFIO_FAILED,
	PT_CODE_VF_UNAVAILABLE,
	PT_CODE_SRIOV_UNSUPPORTED,
	PT_CODE_NUMVFS_BUSY,
	PT_CODE_NUMVFS_RANGE,
	PT_CODE_MEMLOCK_EXCEEDED,
	PT_CODE_MIGRATION_BLOCKED,
	PT_CODE_HOST_ERROR, /* a host call failed in a way no rule expects */
	_PT_CODE_MAX,
};

const char *pt_code_to_string(enum pt_code c);
/* Returns the code, or -EINVAL for an unknown name. */
int pt_code_from_string(const char *s);

/* What an operation ended with. Strings are owned by the outcome; pt_outcome_clear frees
 * them. */
struct pt_outcome {
	enum pt_code code;
	int err; /* the failing host call's negative errno, or 0 */
	const char *rule; /* the rule that decided, from the catalogue */
	char *message; /* one line for people: what happened, to which device */
	char **blockers; /* device addresses that block (group not viable, bus reset), or NULL */
	char **unrestored; /* after a failed rollback: what is left and how to fix it by hand */
};

void pt_outcome_clear(struct pt_outcome *o);

/* ---- for lib/ (not exported) ---- */

/* Set the outcome; returns 0 for PT_CODE_OK, 1 otherwise, -ENOMEM when out of memory. */
int pt_outcome_set(struct pt_outcome *o, enum pt_code code, int err, const char *rule,
		   const char *fmt, ...) _printf_(5, 6);
/* Add one line to the outcome's list of what could not be restored. */
int pt_outcome_unrestored(struct pt_outcome *o, const char *fmt, ...) _printf_(2, 3);
/* Append a copy of s to a NULL-terminated array (allocated when NULL). */
int pt_strv_push(char ***strv, const char *s);
