/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine: operations a VM manager performs on a host, each with a stable outcome code. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "host.h"
#include "trace.h"

/* Stable outcome codes (docs/scenario-contract.md, "error"), kebab-case in reports. */
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

struct pt_engine;

/*
 * An engine over a host. The backend stays the caller's and must outlive the engine; trace
 * (optional, not owned) receives every host access and each rule that decided. Returns 0, or
 * a negative errno with ret_err filled when the host cannot be scanned.
 */
int pt_engine_new(struct pt_backend *be, const struct pt_host_options *opts, struct pt_trace *trace,
		  struct pt_engine **ret, struct pt_error *ret_err);
/* Accepts NULL; returns NULL. */
struct pt_engine *pt_engine_free(struct pt_engine *e);

/* The host as last scanned; operations rescan after they change it. */
struct pt_host *pt_engine_host(const struct pt_engine *e);
struct pt_backend *pt_engine_backend(const struct pt_engine *e);
struct pt_trace *pt_engine_trace(const struct pt_engine *e);
/* Scan the host again (after changes made by others). */
int pt_engine_rescan(struct pt_engine *e, struct pt_error *ret_err);

/* ---- detach and reattach ---- */

enum pt_bind_method {
	PT_BIND_OVERRIDE, /* driver_override + unbind + drivers_probe (default) */
	PT_BIND_NEW_ID, /* new_id + bind + remove_id, the legacy way */
	_PT_BIND_METHOD_MAX,
};
const char *pt_bind_method_to_string(enum pt_bind_method m);
int pt_bind_method_from_string(const char *s);

struct pt_detach_options {
	const char *driver; /* the stub: "vfio-pci" (NULL), "pci-stub" or a vfio-pci variant */
	enum pt_bind_method method;
	bool managed; /* false: only check that the device is already on a stub */
	bool force; /* detach even a bridge or a device the host needs */
};

/* What detach remembers, so reattach restores exactly that. Owned by the caller. */
struct pt_detached {
	char address[16];
	char *orig_driver; /* driver before detach, NULL when it was unbound */
	char *orig_override; /* driver_override before detach, NULL for "(null)" */
	char *stub; /* the driver it was moved to */
	bool unbound_by_us; /* false: it was already on the stub, reattach leaves it */
	bool managed;
	bool orig_unknown; /* no record of the original driver: reattach accepts any but the stub */
};
void pt_detached_clear(struct pt_detached *d);

/*
 * Move a device to a stub driver and verify it landed there. On failure the device is put
 * back as it was (driver, override, dynamic ids), or the outcome's unrestored list says what
 * is left. Returns 0 when the outcome is OK, 1 when the outcome holds a refusal or failure,
 * or a negative errno when the engine itself failed (out of memory).
 */
int pt_detach(struct pt_engine *e, const char *address, const struct pt_detach_options *opts,
	      struct pt_detached *ret_state, struct pt_outcome *out);

/* Return a detached device to its original driver and clear the override. */
int pt_reattach(struct pt_engine *e, const struct pt_detached *state, struct pt_outcome *out);

/* True when driver is a stub a VM can be given a device through (vfio-pci, variants,
 * pci-stub). */
bool pt_driver_is_stub(const char *driver);
bool pt_driver_is_vfio(const char *driver);
