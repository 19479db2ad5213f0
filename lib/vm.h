/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VMs and the transactions that give them host devices: attach, release, plan. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "devreset.h" /* a VM's devices are reset on attach and release */
#include "engine.h"
#include "memlock.h"

struct pt_vm;

struct pt_vm_config {
	const char *name;
	uint64_t memory; /* bytes */
	unsigned vcpus;
	int numa_node; /* preferred NUMA node, -1 none */
	bool viommu;
	uint64_t hard_limit; /* bytes, 0 none */
	int pid; /* the VM's QEMU on a live host (for memlock), 0 none */
	bool locked; /* <memoryBacking><locked/>: all guest memory locked */
	enum pt_arch arch; /* guest architecture (PT_ARCH_X86_64 by default) */
	uint64_t max_memory; /* ppc64: maximum memory with hotplug, bytes; 0: memory */
	unsigned phbs; /* ppc64: PCI host bridges in use; 0: 1 */
};

/* The VMs a VM manager knows, with the devices each holds (libvirt's domains and active
 * hostdev list). Owned by the caller, who hands it to the engine (pt_engine_set_vms). */
struct pt_vms;
int pt_vms_new(struct pt_vms **ret);
/* Frees the VMs too. Accepts NULL; returns NULL. */
struct pt_vms *pt_vms_free(struct pt_vms *vms);
/* A new VM in the list, which owns it. Returns 0, -EINVAL without a name, -EEXIST for a name
 * in use. */
int pt_vms_add(struct pt_vms *vms, const struct pt_vm_config *cfg, struct pt_vm **ret);
struct pt_vm *pt_vms_find(const struct pt_vms *vms, const char *name);
size_t pt_vms_count(const struct pt_vms *vms);
struct pt_vm *pt_vms_vm(const struct pt_vms *vms, size_t i);
/* The VM a device is assigned to, or NULL. The lookups take a NULL list as an empty one. */
const struct pt_vm *pt_vms_assigned_to(const struct pt_vms *vms, const char *address);

const char *pt_vm_name(const struct pt_vm *vm);
size_t pt_vm_device_count(const struct pt_vm *vm);
const char *pt_vm_device(const struct pt_vm *vm, size_t i);
/* The engine's record of how the VM's i-th device was detached. */
const struct pt_detached *pt_vm_detached(const struct pt_vm *vm, size_t i);
/* Give a VM a device that another process attached (state kept across processes). */
int pt_vm_adopt(struct pt_engine *e, struct pt_vm *vm, const struct pt_detached *d);
const struct pt_vm_config *pt_vm_config(const struct pt_vm *vm);

struct pt_attach_options {
	bool managed; /* detach to the stub and reattach on release (libvirt managed='yes') */
	const char *driver; /* stub, default vfio-pci */
	enum pt_bind_method method;
	bool force; /* allow host-critical devices */
	bool dry_run; /* plan only: check and list the steps, change nothing */
	int iommu; /* enum pt_vfio_iommu: the VFIO path the VM will use; one the host lacks is
		    * refused before anything changes (0: auto, whichever the host offers) */
};

/* One step of a transaction, for plans and reports. */
struct pt_step {
	char *what; /* "detach 0000:05:00.0 from e1000e to vfio-pci (override)" */
	const char *rule; /* rule behind it */
	bool done;
};

/*
 * Give devices to a VM, all or nothing, in libvirt's order: checks (every device exists, is an
 * endpoint, is free, and its group holds nothing the host still uses or another VM has);
 * detach every device; reset every device after all are detached; the locked-memory limit.
 * A failure undoes the earlier steps in reverse, so the host ends as it began, or the
 * outcome's unrestored list says what is left and how to fix it. With dry_run only the
 * checks run and the steps are listed. The steps (owned by the caller, free with
 * pt_steps_free) describe what was, or would be, done.
 */
int pt_vm_attach(struct pt_engine *e, struct pt_vm *vm, const char *const *devices,
		 const struct pt_attach_options *opts, struct pt_step **ret_steps,
		 size_t *ret_nsteps, struct pt_outcome *out);

/* Take a VM's devices back: reset, then reattach the managed ones to their drivers. */
int pt_vm_release(struct pt_engine *e, struct pt_vm *vm, struct pt_outcome *out);

void pt_steps_free(struct pt_step *steps, size_t n);

/* The VM's locked-memory limit for its current devices (see pt_memlock_limit). */
int pt_vm_memlock(const struct pt_engine *e, const struct pt_vm *vm, uint64_t *ret_bytes,
		  const char **ret_rule);
