/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VMs, and attach/release as all-or-nothing transactions in libvirt's order. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-internal.h"
#include "internal.h"
#include "vfio-internal.h"
#include "variant.h"
#include "vm.h"

struct pt_vms {
	struct pt_vm **v;
	size_t n;
};

struct pt_vm {
	struct pt_vms *list; /* the list that owns it: the other VMs */
	char *name;
	struct pt_vm_config cfg;
	char **devices; /* NULL-terminated */
	struct pt_detached *detached;
	size_t count;
};

struct steps {
	struct pt_step *v;
	size_t n;
};

static void add_step(struct steps *s, const char *rule, bool done, const char *fmt, ...)
	_printf_(4, 5);

static void add_step(struct steps *s, const char *rule, bool done, const char *fmt, ...)
{
	struct pt_step *grown = realloc(s->v, (s->n + 1) * sizeof(*grown));
	va_list ap;
	char *what;

	if (!grown)
		return;
	s->v = grown;
	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	if (what)
		s->v[s->n++] = (struct pt_step){ .what = what, .rule = rule, .done = done };
}

_public_ void pt_steps_free(struct pt_step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(steps[i].what);
	free(steps);
}

static void vm_free(struct pt_vm *vm)
{
	if (!vm)
		return;
	for (size_t i = 0; i < vm->count; i++)
		pt_detached_clear(&vm->detached[i]);
	free(vm->detached);
	pt_strv_free(vm->devices);
	free(vm->name);
	free(vm);
}

_public_ int pt_vms_new(struct pt_vms **ret)
{
	*ret = calloc(1, sizeof(**ret));
	return *ret ? 0 : -ENOMEM;
}

_public_ struct pt_vms *pt_vms_free(struct pt_vms *vms)
{
	if (vms) {
		for (size_t i = 0; i < vms->n; i++)
			vm_free(vms->v[i]);
		free(vms->v);
		free(vms);
	}
	return NULL;
}

_public_ int pt_vms_add(struct pt_vms *vms, const struct pt_vm_config *cfg, struct pt_vm **ret)
{
	struct pt_vm **grown, *vm;

	if (!cfg->name || !cfg->name[0])
		return -EINVAL;
	if (pt_vms_find(vms, cfg->name))
		return -EEXIST;
	vm = calloc(1, sizeof(*vm));
	if (!vm || !(vm->name = strdup(cfg->name))) {
		free(vm);
		return -ENOMEM;
	}
	vm->list = vms;
	vm->cfg = *cfg;
	vm->cfg.name = vm->name;
	grown = realloc(vms->v, (vms->n + 1) * sizeof(*grown));
	if (!grown) {
		vm_free(vm);
		return -ENOMEM;
	}
	vms->v = grown;
	vms->v[vms->n++] = vm;
	if (ret)
		*ret = vm;
	return 0;
}

_public_ struct pt_vm *pt_vms_find(const struct pt_vms *vms, const char *name)
{
	for (size_t i = 0; vms && i < vms->n; i++)
		if (strcmp(vms->v[i]->name, name) == 0)
			return vms->v[i];
	return NULL;
}

_public_ size_t pt_vms_count(const struct pt_vms *vms)
{
	return vms ? vms->n : 0;
}

_public_ struct pt_vm *pt_vms_vm(const struct pt_vms *vms, size_t i)
{
	return vms && i < vms->n ? vms->v[i] : NULL;
}

_public_ const struct pt_vm *pt_vms_assigned_to(const struct pt_vms *vms, const char *address)
{
	for (size_t i = 0; vms && i < vms->n; i++)
		for (size_t j = 0; j < vms->v[i]->count; j++)
			if (strcmp(vms->v[i]->devices[j], address) == 0)
				return vms->v[i];
	return NULL;
}

_public_ const char *pt_vm_name(const struct pt_vm *vm)
{
	return vm->name;
}

_public_ size_t pt_vm_device_count(const struct pt_vm *vm)
{
	return vm->count;
}

_public_ const char *pt_vm_device(const struct pt_vm *vm, size_t i)
{
	return i < vm->count ? vm->devices[i] : NULL;
}

_public_ const struct pt_detached *pt_vm_detached(const struct pt_vm *vm, size_t i)
{
	return i < vm->count ? &vm->detached[i] : NULL;
}

_public_ const struct pt_vm_config *pt_vm_config(const struct pt_vm *vm)
{
	return &vm->cfg;
}

static int dup_detached(const struct pt_detached *d, struct pt_detached *ret)
{
	*ret = *d;
	ret->orig_driver = d->orig_driver ? strdup(d->orig_driver) : NULL;
	ret->orig_override = d->orig_override ? strdup(d->orig_override) : NULL;
	ret->stub = d->stub ? strdup(d->stub) : NULL;
	if ((d->orig_driver && !ret->orig_driver) || (d->orig_override && !ret->orig_override) ||
	    (d->stub && !ret->stub)) {
		pt_detached_clear(ret);
		return -ENOMEM;
	}
	return 0;
}

_public_ int pt_vm_adopt(struct pt_engine *e, struct pt_vm *vm, const struct pt_detached *d)
{
	struct pt_detached *grown;
	int r;

	if (pt_vms_assigned_to(vm->list, d->address))
		return -EBUSY;
	grown = realloc(vm->detached, (vm->count + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	vm->detached = grown;
	r = dup_detached(d, &vm->detached[vm->count]);
	if (r < 0)
		return r;
	r = pt_strv_push(&vm->devices, d->address);
	if (r < 0) {
		pt_detached_clear(&vm->detached[vm->count]);
		return r;
	}
	vm->count++;
	return 0;
}

static bool listed(const char *const *devices, const char *address)
{
	for (const char *const *d = devices; *d; d++)
		if (strcmp(*d, address) == 0)
			return true;
	return false;
}

/* The checks before anything changes. Returns 0, or 1 with the refusal in the outcome. */
static int check_device(struct pt_engine *e, const struct pt_vms *vms, const char *address,
			const char *const *devices, const struct pt_attach_options *o,
			struct pt_outcome *out)
{
	const struct pt_dev *dev;
	const struct pt_dev_props *p;
	const struct pt_vm *owner;
	const struct pt_group *g;
	int found = 0, r;

	r = pt_engine_find_endpoint(e, address, "only endpoints can be assigned", &dev, out);
	if (r != 0)
		return r;
	p = pt_dev_props(dev);
	owner = pt_vms_assigned_to(vms, address);
	if (owner)
		return pt_outcome_set(out, PT_CODE_DEVICE_IN_USE, 0, "E-ATTACH-FREE",
				      "%s is in use by VM %s", address, owner->name);
	g = pt_dev_group(dev);
	if (!g)
		return pt_outcome_set(out, PT_CODE_NO_IOMMU, 0, "K-IOMMU-PRESENT",
				      "%s has no IOMMU group: VFIO needs an IOMMU", address);
	for (size_t i = 0; i < pt_group_member_count(g); i++) {
		const struct pt_dev_props *m = pt_dev_props(pt_group_member(g, i));
		const struct pt_vm *other = pt_vms_assigned_to(vms, m->address);

		if (listed(devices, m->address))
			continue;
		if (other) {
			pt_strv_push(&out->blockers, m->address);
			return pt_outcome_set(out, PT_CODE_GROUP_IN_USE, 0, "E-ATTACH-FREE",
					      "group %d of %s is in use: %s belongs to VM %s",
					      pt_group_id(g), address, m->address, other->name);
		}
	}
	for (size_t i = 0; i < pt_group_blocker_count(g); i++) {
		const struct pt_blocker *b = pt_group_blocker(g, i);

		if (listed(devices, pt_dev_address(b->dev)))
			continue;
		pt_strv_push(&out->blockers, pt_dev_address(b->dev));
		found++;
	}
	if (found)
		return pt_outcome_set(out, PT_CODE_GROUP_NOT_VIABLE, 0, "E-VIAB-HOSTDRV",
				      "group %d of %s is not viable: %d other member(s) on host "
				      "drivers (assign them too, or detach them)",
				      pt_group_id(g), address, found);
	if (!o->managed && !pt_driver_is_stub(p->driver))
		return pt_outcome_set(out, PT_CODE_NOT_DETACHED, 0, "E-UNMANAGED-STUB",
				      "unmanaged device %s is on %s: detach it first", address,
				      p->driver ? p->driver : "no driver");
	if (o->managed && !o->force && pt_dev_critical(dev) != PT_CRITICAL_NONE &&
	    !pt_driver_is_stub(p->driver))
		return pt_outcome_set(out, PT_CODE_HOST_CRITICAL, 0, "E-HOST-CRITICAL",
				      "%s is %s%s%s; refusing without force", address,
				      pt_critical_describe(pt_dev_critical(dev)),
				      pt_dev_critical_via(dev) ? " through " : "",
				      pt_dev_critical_via(dev) ? pt_dev_critical_via(dev) : "");
	return 0;
}

/* A device the host may need where the data cannot show it: a warning step, not a refusal. */
static void warn_unknown(struct pt_engine *e, const char *address,
			 const struct pt_attach_options *o, struct steps *steps)
{
	const struct pt_dev *dev = pt_host_find_dev(e->host, address);
	const char *why = dev ? pt_dev_critical_unknown(dev) : NULL;

	if (!why || !o->managed || o->force)
		return;
	pt_engine_rule(e, "E-HOST-CRITICAL-UNKNOWN", address, "%s", why);
	add_step(steps, "E-HOST-CRITICAL-UNKNOWN", false, "warning: %s is %s", address, why);
}

/* The VM's limit with extra more VFIO devices than it has. */
static int memlock_for(const struct pt_vm *vm, size_t extra, uint64_t *ret_bytes,
		       const char **ret_rule)
{
	struct pt_memlock_vm m = {
		.arch = vm->cfg.arch,
		.kvm = true,
		.memory = vm->cfg.memory,
		.max_memory = vm->cfg.max_memory,
		.hard_limit = vm->cfg.hard_limit,
		.locked = vm->cfg.locked,
		.viommu = vm->cfg.viommu,
		.vfio_devices = (unsigned)(vm->count + extra),
		.phbs = vm->cfg.phbs ? vm->cfg.phbs : 1,
	};

	return pt_memlock_limit(&m, ret_bytes, ret_rule);
}

/* A device that did not go back to its driver: say where it is and how to finish. */
static void not_given_back(struct pt_engine *e, const struct pt_detached *d, struct pt_outcome *o,
			   struct pt_outcome *out)
{
	const char *now = pt_engine_driver_of(e, d->address);

	pt_outcome_unrestored(out,
			      "%s stays on %s (%s); give it back with: "
			      "echo %s > /sys/bus/pci/drivers/%s/unbind; "
			      "echo %s > /sys/bus/pci/drivers_probe",
			      d->address, now ? now : "no driver",
			      o->message ? o->message : "reattach failed", d->address,
			      now ? now : d->stub, d->address);
	for (char **u = o->unrestored; u && *u; u++)
		pt_strv_push(&out->unrestored, *u);
}

/* Undo a partial attach: give back, in reverse, what this transaction detached. */
static void rollback(struct pt_engine *e, struct pt_detached *done, size_t n, struct steps *steps,
		     struct pt_outcome *out)
{
	while (n-- > 0) {
		struct pt_outcome o = { 0 };
		int r = pt_reattach(e, &done[n], &o);

		add_step(steps, "E-ROLLBACK", r == 0, "roll back: reattach %s to %s",
			 done[n].address, done[n].orig_driver ? done[n].orig_driver : "no driver");
		if (r == 0)
			pt_engine_rule(e, "E-ROLLBACK", done[n].address, "given back to %s",
				       done[n].orig_driver ? done[n].orig_driver : "no driver");
		else
			not_given_back(e, &done[n], &o, out);
		pt_outcome_clear(&o);
	}
}

/* Keep the first failure's outcome; copy o into out. */
/*
 * The plan names the cost of devices whose DMA is not known to be cache-coherent: appended to
 * buf as "; DMA not known to be cache-coherent: BDF (rule)...", each with the rule fired.
 */
static void note_coherency(struct pt_engine *e, const char *address, char *buf, size_t size)
{
	size_t len = strlen(buf);
	struct pt_memattr m;

	if (pt_dev_memattr(pt_host_find_dev(e->host, address), &m) < 0 || m.coherent == PT_TRI_YES)
		return;
	pt_engine_rule(e, "E-NONCOHERENT-DMA", address, "%s", m.reason);
	snprintf(buf + len, size - len, "%s%s (%s, %s)",
		 len ? ", " :
		       "; DMA not known to be cache-coherent, so the VM needs the "
		       "hypervisor's non-coherent-DMA handling (a cost, not a refusal): ",
		 address, pt_tri_to_string(m.coherent), m.rule);
}

static int fail_with(struct pt_outcome *out, struct pt_outcome *o)
{
	pt_outcome_clear(out);
	*out = *o;
	*o = (struct pt_outcome){ 0 };
	return 1;
}

static int do_attach(struct pt_engine *e, struct pt_vm *vm, const char *const *devices, size_t n,
		     const struct pt_attach_options *o, struct pt_detached *done,
		     struct steps *steps, struct pt_outcome *out)
{
	struct pt_detach_options dopt = {
		.driver = o->driver, .method = o->method, .managed = o->managed, .force = o->force
	};
	size_t ndone = 0;
	uint64_t bytes;
	const char *rule;
	int r;

	for (size_t i = 0; i < n; i++) {
		struct pt_outcome d = { 0 };

		r = pt_detach(e, devices[i], &dopt, &done[ndone], &d);
		add_step(steps, d.rule, r == 0, "detach %s: %s", devices[i],
			 d.message ? d.message : "?");
		if (r != 0) {
			rollback(e, done, ndone, steps, &d);
			return r < 0 ? r : fail_with(out, &d);
		}
		ndone++;
		pt_outcome_clear(&d);
	}
	/* Reset only once every device is off its host driver (a reset of one function must
	 * not find a sibling still in use). */
	for (size_t i = 0; i < n; i++) {
		struct pt_outcome d = { 0 };
		int method;

		r = pt_reset_device(e, devices[i], -1, &method, &d);
		if (r != 0 && d.code == PT_CODE_RESET_UNAVAILABLE) {
			/* QEMU can use a device it cannot reset; say so and go on. */
			add_step(steps, d.rule, false, "reset %s: %s (continuing)", devices[i],
				 d.message);
			pt_outcome_clear(&d);
			continue;
		}
		add_step(steps, d.rule, r == 0, "reset %s: %s", devices[i],
			 d.message ? d.message : "?");
		if (r != 0) {
			rollback(e, done, ndone, steps, &d);
			return r < 0 ? r : fail_with(out, &d);
		}
		pt_outcome_clear(&d);
	}
	/* Size locked memory for the VM with its new devices, then assign. */
	r = memlock_for(vm, n, &bytes, &rule);
	if (r == 0)
		pt_engine_rule(e, rule, vm->name, "locked-memory limit %llu bytes",
			       (unsigned long long)bytes);
	if (r == 0 && vm->cfg.pid > 0 && e->be->live) {
		uint64_t old;

		r = pt_memlock_apply(vm->cfg.pid, bytes, &old);
		add_step(steps, rule, r >= 0, "locked-memory limit of pid %d: %llu bytes",
			 vm->cfg.pid, (unsigned long long)bytes);
		if (r < 0) {
			struct pt_outcome m = { 0 };

			pt_outcome_set(&m, PT_CODE_MEMLOCK_EXCEEDED, r, rule,
				       "raise RLIMIT_MEMLOCK of pid %d to %llu bytes: %s",
				       vm->cfg.pid, (unsigned long long)bytes, strerror(-r));
			rollback(e, done, ndone, steps, &m);
			return fail_with(out, &m);
		}
	} else if (r == 0) {
		add_step(steps, rule, true, "locked-memory limit for VM %s: %llu bytes", vm->name,
			 (unsigned long long)bytes);
	} else {
		struct pt_outcome m = { 0 };

		pt_outcome_set(&m, PT_CODE_MEMLOCK_EXCEEDED, r, "E-MEMLOCK-PINNED",
			       "the locked-memory limit of VM %s overflows", vm->name);
		rollback(e, done, ndone, steps, &m);
		return fail_with(out, &m);
	}
	for (size_t i = 0; i < n; i++) {
		struct pt_detached *grown =
			realloc(vm->detached, (vm->count + 1) * sizeof(*vm->detached));

		if (!grown || pt_strv_push(&vm->devices, devices[i]) < 0) {
			if (grown)
				vm->detached = grown;
			return -ENOMEM;
		}
		vm->detached = grown;
		vm->detached[vm->count++] = done[i];
		done[i] = (struct pt_detached){ 0 };
	}
	return pt_outcome_set(out, PT_CODE_OK, 0, "E-ATTACH", "VM %s has %zu device(s)", vm->name,
			      n);
}

_public_ int pt_vm_attach(struct pt_engine *e, struct pt_vm *vm, const char *const *devices,
			  const struct pt_attach_options *opts, struct pt_step **ret_steps,
			  size_t *ret_nsteps, struct pt_outcome *out)
{
	struct pt_attach_options o = opts ? *opts : (struct pt_attach_options){ .managed = true };
	struct steps steps = { 0 };
	struct pt_detached *done;
	size_t n = 0;
	int r = 0;

	*out = (struct pt_outcome){ 0 };
	if (o.driver && (!pt_driver_name_valid(o.driver) || !pt_driver_is_stub(o.driver))) {
		r = pt_outcome_set(out, PT_CODE_DRIVER_MISSING, -EINVAL, "E-STUB-LOADED",
				   "'%s' is not a stub driver: a device is given to a VM through "
				   "vfio-pci, a vfio-pci variant or pci-stub",
				   o.driver);
		*ret_steps = NULL;
		*ret_nsteps = 0;
		return r < 0 ? r : -EINVAL;
	}
	while (devices[n])
		n++;
	for (size_t i = 0; i < n && r == 0; i++) {
		r = check_device(e, vm->list, devices[i], devices, &o, out);
		for (size_t j = 0; j < i && r == 0; j++)
			if (strcmp(devices[i], devices[j]) == 0)
				r = pt_outcome_set(out, PT_CODE_DEVICE_IN_USE, 0, "E-ATTACH-FREE",
						   "%s is listed twice", devices[i]);
		if (r == 0)
			pt_engine_rule(e, "E-ATTACH-CHECK", devices[i],
				       "exists, is an endpoint, is free, its group is viable");
		add_step(&steps, r == 0 ? "E-ATTACH-CHECK" : out->rule, r == 0, "check %s%s%s",
			 devices[i], r ? ": " : "", r ? out->message : "");
		if (r == 0)
			warn_unknown(e, devices[i], &o, &steps);
	}
	if (r == 0 && o.iommu != PT_VFIO_IOMMU_AUTO) {
		/* The VFIO path the VM's QEMU is to take: refused now, before any change. */
		struct pt_vfio_info vi = { 0 };

		r = pt_vfio_choose_path(e, vm->name, (enum pt_vfio_iommu)o.iommu, &vi, out);
		if (r == 0)
			add_step(&steps, "E-VFIO-PATH", true, "VFIO through %s%s",
				 pt_vfio_iommu_to_string(vi.path), vi.compat ? " (compat)" : "");
		else if (r > 0)
			add_step(&steps, out->rule, false, "VFIO path: %s", out->message);
	}
	if (r == 0 && o.dry_run) {
		char cost[1024] = "";

		for (size_t i = 0; i < n; i++) {
			const char *drv = pt_engine_driver_of(e, devices[i]);
			char variant[64];
			const char *stub =
				pt_detach_target_for(e, pt_host_find_dev(e->host, devices[i]),
						     o.driver, variant, sizeof(variant));

			if (o.managed && (!drv || strcmp(drv, stub) != 0))
				add_step(&steps,
					 o.method == PT_BIND_NEW_ID ? "E-DETACH-NEW-ID" :
								      "E-DETACH-OVERRIDE",
					 false, "detach %s from %s to %s (%s)", devices[i],
					 drv ? drv : "no driver", stub,
					 pt_bind_method_to_string(o.method));
		}
		for (size_t i = 0; i < n; i++) {
			const struct pt_reset_info *ri =
				pt_dev_reset(pt_host_find_dev(e->host, devices[i]));

			add_step(&steps, "K-RESET-ORDER", false, "reset %s (%s)", devices[i],
				 ri->count ? pt_reset_method_to_string(ri->methods[0]) :
					     "no reset method");
		}
		for (size_t i = 0; i < n; i++)
			note_coherency(e, devices[i], cost, sizeof(cost));
		r = pt_outcome_set(out, PT_CODE_OK, 0, "E-ATTACH-CHECK",
				   "plan for VM %s: %zu device(s), nothing changed%s", vm->name, n,
				   cost);
	} else if (r == 0) {
		done = calloc(n + 1, sizeof(*done));
		if (!done)
			r = -ENOMEM;
		else
			r = do_attach(e, vm, devices, n, &o, done, &steps, out);
		for (size_t i = 0; done && i < n; i++)
			pt_detached_clear(&done[i]);
		free(done);
	}
	*ret_steps = steps.v;
	*ret_nsteps = steps.n;
	return r;
}

_public_ int pt_vm_release(struct pt_engine *e, struct pt_vm *vm, struct pt_outcome *out)
{
	size_t failed = 0;

	*out = (struct pt_outcome){ 0 };
	/* Reset first (failures only noted, as libvirt does), then reattach managed devices. */
	for (size_t i = 0; i < vm->count; i++) {
		struct pt_outcome o = { 0 };
		int method;

		pt_reset_device(e, vm->devices[i], -1, &method, &o);
		pt_outcome_clear(&o);
	}
	for (size_t i = vm->count; i-- > 0;) {
		struct pt_outcome o = { 0 };

		if (vm->detached[i].managed && pt_reattach(e, &vm->detached[i], &o) != 0) {
			failed++;
			not_given_back(e, &vm->detached[i], &o, out);
		}
		pt_outcome_clear(&o);
		pt_detached_clear(&vm->detached[i]);
	}
	pt_strv_free(vm->devices);
	vm->devices = NULL;
	vm->count = 0;
	if (failed)
		return pt_outcome_set(
			out, PT_CODE_BIND_FAILED, 0, "E-REATTACH",
			"VM %s released; %zu device(s) did not return to their driver", vm->name,
			failed);
	return pt_outcome_set(out, PT_CODE_OK, 0, "E-REATTACH", "VM %s released", vm->name);
}

_public_ int pt_vm_memlock(const struct pt_engine *e, const struct pt_vm *vm, uint64_t *ret_bytes,
			   const char **ret_rule)
{
	(void)e;
	return memlock_for(vm, 0, ret_bytes, ret_rule);
}
