/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine: operations a VM manager performs on a host, each with a stable outcome code. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "drivers.h"
#include "outcome.h"
#include "host.h"
#include "trace.h"

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
/* The VMs that hold devices of this host (vm.h), which SR-IOV needs to know which VFs are in
 * use. The list stays the caller's and must outlive the engine; NULL: none. */
struct pt_vms;
void pt_engine_set_vms(struct pt_engine *e, const struct pt_vms *vms);
const struct pt_vms *pt_engine_vms(const struct pt_engine *e);
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
	/* The stub: vfio-pci, a vfio-pci variant or pci-stub (anything else is -EINVAL); NULL:
	 * pt_detach_target's choice. */
	const char *driver;
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

/* The driver a detach moves a device now on current (NULL: none) to: requested when given,
 * else the vfio-pci variant it is already on (so VFIO migration stays), else vfio-pci. */
const char *pt_detach_target(const char *requested, const char *current);

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
