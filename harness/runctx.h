/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One scenario's run: its state, what a step observed, and the helpers verbs share. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "fakesys.h"
#include "scenario.h"
#include "verdict.h"

struct pth_cache;

/*
 * The step verb `certify: {check: NAME, ...}` runs certify's own check code (harness/certify-*.c):
 * certify(data, args, &reason) returns the check's status and sets *ret_reason (owned by the
 * caller). Without hooks the verb fails with host-error.
 */
struct pth_step_hooks {
	enum pth_cert_status (*certify)(void *data, struct fy_node *args, char **ret_reason);
	/* A safe point, before step index (1-based) runs: non-zero (the signal number) stops the
	 * scenario there as interrupted. NULL: never. */
	int (*interrupted)(void *data, unsigned index);
	/* certify: {profile: P, device: BDF}: a whole certification of BDF on the run's own host
	 * (a scenario on a recording), by certify's code; sets the step's outcome (ok when the
	 * checks ran, whatever the verdict) and result (verdict, each check's status by its ID).
	 * NULL: the certificate form of the verb is not offered. */
	void (*certificate)(struct pt_engine *e, struct pt_backend *be, struct fks_host *fake,
			    struct pt_trace *trace, struct fy_node *args,
			    struct pt_outcome *ret_out, JsonObject *ret_result);
	void *data;
};

/* A scenario on one host: set up by pth_run_setup (fixture.c), stepped by pth_run_steps. */
struct pth_run {
	struct pth_scenario *sc;
	struct pth_cache *cache;
	unsigned target;
	struct fks_host *fake;
	struct pt_backend *be;
	struct pt_trace *trace;
	struct pt_engine *e;
	struct pt_vms *vms; /* the scenario's VMs, lent to the engine */
	GHashTable *names; /* select-vf "as" name -> address */
	GHashTable *detached; /* address -> struct pt_detached * */
	GHashTable *fired; /* rule IDs fired in the whole scenario */
	/* certification: $DUT, the certify verb, and the scenario stopping at its first failure */
	const char *dut; /* $DUT, or NULL */
	const struct pth_step_hooks *hooks; /* the certify verb's check code, or NULL */
	GPtrArray *resolved; /* strings $DUT.vf[i] resolved to, alive until the run ends */
	bool stop_on_fail;
	enum pth_cert_status status; /* a certify step's skip or fail ends the scenario */
	char *reason; /* the first failure, or the last certify step's reason */
	/* fault matrix */
	struct fks_fault *fault; /* injected, or NULL */
	unsigned fault_step; /* the step it belongs to (1-based) */
	GPtrArray *points; /* baseline: struct pth_point * */
	GPtrArray *after; /* baseline: export after each step (char *) */
	bool held;
	char *broken;
};

struct pth_point {
	unsigned step;
	struct fks_fault fault;
	char path[256];
};

/* What a step produced. */
struct pth_obs {
	struct pt_outcome out;
	bool has_outcome;
	int write_result; /* raw write/read: 0 or -errno */
	bool raw;
	char *value; /* read */
	JsonObject *result; /* verb-specific */
	size_t trace_from;
};

/*
 * Set up r for scenario sc on target (enum pth_target): empty name and detach tables, fired
 * (shared, referenced) or a new table of fired rule IDs. Everything else is zero: the caller
 * fills in what its kind of run needs (cache, dut, hooks, fault). pth_run_clear frees what
 * the run owns (not sc, the engine or the host: pth_run_teardown).
 */
void pth_run_init(struct pth_run *r, struct pth_scenario *sc, unsigned target, GHashTable *fired);
void pth_run_clear(struct pth_run *r);

/* A name as the scenario wrote it, resolved: $DUT, $DUT.vf[i], $NAME of select-vf `as`, or
 * itself. The string lives as long as the run. */
const char *pth_run_resolve(struct pth_run *r, const char *s);
/* A sysfs path with $DUT and $DUT.vf[i] replaced ("bus/pci/devices/$DUT/reset"). Caller frees. */
char *pth_run_expand_path(struct pth_run *r, const char *path);
/* The VM named in a step, created as a default 1 GiB guest when vms: does not define it. */
struct pt_vm *pth_run_find_vm(struct pth_run *r, const char *name);

/* Step arguments, already type-checked by the loader (schema.c): dflt when absent. */
bool pth_arg_bool(struct fy_node *args, const char *key, bool dflt);
long pth_arg_int(struct fy_node *args, const char *key, long dflt);
uint64_t pth_arg_size(struct fy_node *args, const char *key, uint64_t dflt);
/* A list of strings, each resolved (pth_run_resolve); NULL-terminated, caller g_strfreev()s. */
char **pth_arg_list(struct pth_run *r, struct fy_node *args, const char *key);
/* errno of its name (EBUSY), EIO for a name the loader did not check. */
int pth_errno_from_name(const char *name);

/* A member of the step's verb-specific result. */
void pth_obs_str(struct pth_obs *o, const char *key, const char *value);
void pth_obs_int(struct pth_obs *o, const char *key, gint64 value);
void pth_obs_bool(struct pth_obs *o, const char *key, gboolean value);
void pth_obs_clear(struct pth_obs *o);

/* GDestroyNotify for the detached table's struct pt_detached. */
void pth_detached_free(gpointer p);
