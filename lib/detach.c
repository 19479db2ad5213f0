/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Detach (move a device to a stub driver) and reattach (give it back), verified and undone. */

/*
 * The plan, as libvirt does it and one step further:
 *   checks: the device exists, is an endpoint, is not one the host needs (unless forced),
 *   the stub driver is loaded, and VFIO has an IOMMU group to work with;
 *   override (default): driver_override = stub, unbind from the current driver, drivers_probe;
 *   new_id (legacy): new_id "vvvv dddd" on the stub -- which also binds every other unbound
 *   device with those ids, so the engine notes them and unbinds them again -- then unbind,
 *   bind, remove_id;
 *   then it verifies, from a fresh scan, that the device sits on the stub. Any failure puts the
 *   device back (override, original driver) and says what could not be put back.
 * Reattach clears (or restores) the override, unbinds from the stub and reprobes, and checks
 * that the original driver took the device again; a device that had no driver (or of which
 * the engine has no record) may land on whatever driver the kernel's probe picks, as libvirt
 * accepts. Reattach never unbinds a driver that is not a stub: a device on its host driver
 * (an NVMe, the boot VGA, a root port) is already given back.
 * The stub is vfio-pci unless asked otherwise, or the vfio-pci variant the device is already
 * on (mlx5_vfio_pci, ...): moving it to plain vfio-pci would silently lose VFIO migration. A
 * managed device goes, as libvirt 10 sends it, to the variant the host's modules.alias names
 * for it (lib/variant.c), where the host shows that file.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-internal.h"
#include "internal.h"
#include "variant.h"

static const char *const method_names[_PT_BIND_METHOD_MAX] = {
	[PT_BIND_OVERRIDE] = "override",
	[PT_BIND_NEW_ID] = "new_id",
};

_public_ const char *pt_bind_method_to_string(enum pt_bind_method m)
{
	return (unsigned)m < _PT_BIND_METHOD_MAX ? method_names[m] : NULL;
}

_public_ int pt_bind_method_from_string(const char *s)
{
	for (size_t i = 0; i < _PT_BIND_METHOD_MAX; i++)
		if (strcmp(s, method_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

_public_ void pt_detached_clear(struct pt_detached *d)
{
	free(d->orig_driver);
	free(d->orig_override);
	free(d->stub);
	*d = (struct pt_detached){ 0 };
}

_public_ const char *pt_detach_target(const char *requested, const char *current)
{
	if (requested)
		return requested;
	return pt_driver_is_vfio_variant(current) ? current : "vfio-pci";
}

_public_ const char *pt_detach_target_for(struct pt_engine *e, const struct pt_dev *dev,
					  const char *requested, char *buf, size_t size)
{
	const char *target = pt_detach_target(requested, pt_dev_props(dev)->driver);
	char *variant = NULL;

	/* libvirt 10 binds the variant its modules.alias pick names instead of vfio-pci
	 * (virPCIDeviceFindBestVFIOVariant); unknown or no variant: vfio-pci, as before. */
	if (requested || strcmp(target, "vfio-pci") != 0 || pt_variant_for(e, dev, &variant) <= 0)
		return target;
	/* A name from a recording becomes a sysfs path: only a driver name. */
	if (pt_driver_name_valid(variant) && strlen(variant) < size)
		target = strcpy(buf, variant);
	free(variant);
	return target;
}

static int rescan(struct pt_engine *e, struct pt_outcome *out)
{
	struct pt_error err = { 0 };
	int r = pt_engine_rescan(e, &err);

	if (r < 0)
		return pt_outcome_set(out, PT_CODE_HOST_ERROR, r, NULL,
				      "cannot rescan the host: %s: %s", err.path, err.reason);
	return 0;
}

/* Checks before anything is written. Returns 0 to go on, 1 with the outcome set to refuse. */
static int check_detach(struct pt_engine *e, const struct pt_dev *dev, const char *stub,
			const struct pt_detach_options *o, struct pt_outcome *out)
{
	const struct pt_dev_props *p = pt_dev_props(dev);
	enum pt_critical crit = pt_dev_critical(dev);
	char drvdir[128];

	/* The device exists and, unless forced, is an endpoint: pt_detach checked. */
	if (crit != PT_CRITICAL_NONE && !o->force && o->managed && !pt_driver_is_stub(p->driver))
		return pt_outcome_set(out, PT_CODE_HOST_CRITICAL, 0, "E-HOST-CRITICAL",
				      "%s is %s%s%s; refusing to take it from the host without "
				      "--force",
				      p->address, pt_critical_describe(crit),
				      pt_dev_critical_via(dev) ? " through " : "",
				      pt_dev_critical_via(dev) ? pt_dev_critical_via(dev) : "");
	if (!o->force && o->managed && !pt_driver_is_stub(p->driver) &&
	    pt_dev_critical_unknown(dev))
		pt_engine_rule(e, "E-HOST-CRITICAL-UNKNOWN", p->address, "warning: %s",
			       pt_dev_critical_unknown(dev));
	snprintf(drvdir, sizeof(drvdir), "bus/pci/drivers/%s", stub);
	if (pt_backend_exists(e->be, PT_NS_SYS, drvdir) <= 0)
		return pt_outcome_set(out, PT_CODE_DRIVER_MISSING, -ENOENT, "E-STUB-LOADED",
				      "driver %s is not loaded on this host (modprobe %s)", stub,
				      stub);
	if (pt_driver_is_vfio(stub) && p->iommu_group < 0)
		return pt_outcome_set(out, PT_CODE_NO_IOMMU, -EINVAL, "K-IOMMU-PRESENT",
				      "%s has no IOMMU group: %s would refuse to probe it (EINVAL)",
				      p->address, stub);
	return 0;
}

/* Put the device back after a failed detach: its original driver, then its override. */
static void undo_detach(struct pt_engine *e, const struct pt_detached *st, struct pt_outcome *out)
{
	pt_engine_restore_binding(e, st->address, st->orig_driver, st->orig_override, out);
}

static int bind_by_override(struct pt_engine *e, struct pt_detached *st, struct pt_outcome *out)
{
	int r;

	r = pt_engine_write(e, st->stub, "bus/pci/devices/%s/driver_override", st->address);
	if (r < 0)
		return pt_outcome_set(out, PT_CODE_BIND_FAILED, r, "E-DETACH-OVERRIDE",
				      "set driver_override of %s to %s: %s", st->address, st->stub,
				      strerror(-r));
	if (st->orig_driver) {
		r = pt_engine_write(e, st->address, "bus/pci/drivers/%s/unbind", st->orig_driver);
		if (r < 0) {
			pt_outcome_set(out, PT_CODE_UNBIND_FAILED, r, "E-DETACH-OVERRIDE",
				       "unbind %s from %s: %s", st->address, st->orig_driver,
				       strerror(-r));
			return 1;
		}
	}
	r = pt_engine_write(e, st->address, "bus/pci/drivers_probe");
	if (r < 0)
		return pt_outcome_set(out, PT_CODE_BIND_FAILED, r, "E-DETACH-OVERRIDE",
				      "probe %s for %s: %s", st->address, st->stub, strerror(-r));
	pt_engine_rule(e, "E-DETACH-OVERRIDE", st->address,
		       "driver_override=%s, unbound from %s, "
		       "probed",
		       st->stub, st->orig_driver ? st->orig_driver : "no driver");
	return 0;
}

/* Devices with the same ids that new_id could bind: unbound ones, with no other override. */
static char **same_id_unbound(struct pt_engine *e, const struct pt_dev *dev)
{
	const struct pt_dev_props *p = pt_dev_props(dev);
	char **list = NULL;

	for (size_t i = 0; i < pt_host_dev_count(e->host); i++) {
		const struct pt_dev_props *q = pt_dev_props(pt_host_dev(e->host, i));

		if (q != p && q->vendor == p->vendor && q->device == p->device && !q->driver)
			pt_strv_push(&list, q->address);
	}
	return list;
}

static int bind_by_new_id(struct pt_engine *e, const struct pt_dev *dev, struct pt_detached *st,
			  struct pt_outcome *out)
{
	const struct pt_dev_props *p = pt_dev_props(dev);
	char **others = same_id_unbound(e, dev);
	char id[16];
	bool added;
	int r;

	snprintf(id, sizeof(id), "%04x %04x", p->vendor, p->device);
	r = pt_engine_write(e, id, "bus/pci/drivers/%s/new_id", st->stub);
	/* EEXIST: the id is already there (a static or earlier dynamic id); nothing to remove. */
	if (r < 0 && r != -EEXIST) {
		pt_strv_free(others);
		return pt_outcome_set(out, PT_CODE_BIND_FAILED, r, "E-DETACH-NEW-ID",
				      "add id %s to %s: %s", id, st->stub, strerror(-r));
	}
	added = r >= 0;
	if (rescan(e, out) == 0) {
		/* new_id bound every unbound device with these ids: give them back. */
		for (char **o = others; o && *o; o++) {
			const char *now = pt_engine_driver_of(e, *o);

			if (now && strcmp(now, st->stub) == 0) {
				pt_engine_rule(e, "E-DETACH-NEW-ID", *o,
					       "new_id also bound it to %s; unbinding it again",
					       st->stub);
				r = pt_engine_write(e, *o, "bus/pci/drivers/%s/unbind", st->stub);
				if (r < 0 && out->code == PT_CODE_OK)
					pt_outcome_set(out, PT_CODE_UNBIND_FAILED, r,
						       "E-DETACH-NEW-ID",
						       "unbind %s (bound by new_id) from %s: %s",
						       *o, st->stub, strerror(-r));
				if (r < 0)
					pt_outcome_unrestored(
						out,
						"%s was bound to %s by new_id; fix: "
						"echo %s > /sys/bus/pci/drivers/%s/unbind",
						*o, st->stub, *o, st->stub);
			}
		}
	}
	pt_strv_free(others);

	r = 0;
	if (st->orig_driver && strcmp(st->orig_driver, st->stub) != 0) {
		r = pt_engine_write(e, st->address, "bus/pci/drivers/%s/unbind", st->orig_driver);
		if (r < 0)
			pt_outcome_set(out, PT_CODE_UNBIND_FAILED, r, "E-DETACH-NEW-ID",
				       "unbind %s from %s: %s", st->address, st->orig_driver,
				       strerror(-r));
		else
			r = pt_engine_write(e, st->address, "bus/pci/drivers/%s/bind", st->stub);
		/* EBUSY: new_id already bound it (it was unbound when the id went in). */
		if (r < 0 && r != -EBUSY && out->code == PT_CODE_OK)
			pt_outcome_set(out, PT_CODE_BIND_FAILED, r, "E-DETACH-NEW-ID",
				       "bind %s to %s: %s", st->address, st->stub, strerror(-r));
	}
	if (added) {
		r = pt_engine_write(e, id, "bus/pci/drivers/%s/remove_id", st->stub);
		if (r < 0) {
			if (out->code == PT_CODE_OK)
				pt_outcome_set(out, PT_CODE_BIND_FAILED, r, "E-DETACH-NEW-ID",
					       "remove id %s from %s: %s", id, st->stub,
					       strerror(-r));
			pt_outcome_unrestored(out,
					      "%s keeps the dynamic id %s and will bind any new "
					      "device with it; remove it with: "
					      "echo %s > /sys/bus/pci/drivers/%s/remove_id",
					      st->stub, id, id, st->stub);
		}
	}
	return out->code == PT_CODE_OK ? 0 : 1;
}

_public_ int pt_detach(struct pt_engine *e, const char *address,
		       const struct pt_detach_options *opts, struct pt_detached *ret_state,
		       struct pt_outcome *out)
{
	struct pt_detach_options o = opts ? *opts : (struct pt_detach_options){ .managed = true };
	struct pt_detached st = { 0 };
	const struct pt_dev *dev;
	const char *stub;
	const struct pt_dev_props *p;
	char variant[64];
	int r;

	*out = (struct pt_outcome){ 0 };
	if (o.driver && (!pt_driver_name_valid(o.driver) || !pt_driver_is_stub(o.driver))) {
		r = pt_outcome_set(out, PT_CODE_DRIVER_MISSING, -EINVAL, "E-STUB-LOADED",
				   "'%s' is not a stub driver: a device is detached to vfio-pci, a "
				   "vfio-pci variant or pci-stub",
				   o.driver);
		return r < 0 ? r : -EINVAL;
	}
	r = pt_engine_find_endpoint(e, address,
				    o.managed && !o.force ? "only endpoints can be assigned" : NULL,
				    &dev, out);
	if (r != 0)
		return r;
	p = pt_dev_props(dev);
	stub = o.managed ? pt_detach_target_for(e, dev, o.driver, variant, sizeof(variant)) :
			   pt_detach_target(o.driver, p->driver);
	if (!o.managed) {
		/* Unmanaged: someone else detached it; the engine only checks. */
		if (!pt_driver_is_stub(p->driver))
			return pt_outcome_set(out, PT_CODE_NOT_DETACHED, 0, "E-UNMANAGED-STUB",
					      "unmanaged device %s is on %s, not a stub driver: "
					      "detach it first (ptharness detach %s)",
					      address, p->driver ? p->driver : "no driver",
					      address);
	} else {
		r = check_detach(e, dev, stub, &o, out);
		if (r != 0)
			return r;
	}

	snprintf(st.address, sizeof(st.address), "%s", address);
	st.managed = o.managed;
	if ((p->driver && !(st.orig_driver = strdup(p->driver))) ||
	    (p->override && !(st.orig_override = strdup(p->override))) ||
	    !(st.stub = strdup(p->driver && !o.managed ? p->driver : stub))) {
		pt_detached_clear(&st);
		return -ENOMEM;
	}
	if (!o.managed || (p->driver && strcmp(p->driver, stub) == 0)) {
		pt_engine_rule(e, "E-DETACH-NOOP", address, "already on %s", st.stub);
		*ret_state = st;
		return pt_outcome_set(out, PT_CODE_OK, 0, "E-DETACH-NOOP", "%s is already on %s",
				      address, st.stub);
	}

	r = o.method == PT_BIND_NEW_ID ? bind_by_new_id(e, dev, &st, out) :
					 bind_by_override(e, &st, out);
	if (r == 0 && (r = rescan(e, out)) == 0) {
		const char *now = pt_engine_driver_of(e, address);

		if (!now || strcmp(now, stub) != 0)
			r = pt_outcome_set(
				out, PT_CODE_BIND_FAILED, 0, "E-DETACH-VERIFY",
				"%s did not bind %s: it is on %s (see the kernel log for "
				"the probe error)",
				stub, address, now ? now : "no driver");
	}
	if (r != 0) {
		undo_detach(e, &st, out);
		pt_detached_clear(&st);
		return r < 0 ? r : 1;
	}
	st.unbound_by_us = true;
	pt_engine_rule(e, "E-DETACH-VERIFY", address, "bound to %s (was %s)", stub,
		       st.orig_driver ? st.orig_driver : "unbound");
	*ret_state = st;
	return pt_outcome_set(out, PT_CODE_OK, 0, "E-DETACH-VERIFY", "%s: %s -> %s", address,
			      st.orig_driver ? st.orig_driver : "no driver", stub);
}

/*
 * Whether the device, now on driver now, is given back. With a known original driver it
 * must be that one; a device that had none, or of which nothing is known, accepts whatever
 * the kernel's probe picked, or none, but not the stub it is given back from.
 */
static bool given_back(const struct pt_detached *st, const char *now)
{
	if (st->orig_driver && !st->orig_unknown)
		return now && strcmp(now, st->orig_driver) == 0;
	return !now || !st->stub || strcmp(now, st->stub) != 0;
}

/* A failed reattach puts the device back where it was before it started (on the stub). */
static int reattach_failed(struct pt_engine *e, const struct pt_detached *st, const char *drv,
			   const char *override, struct pt_outcome *out)
{
	pt_engine_restore_binding(e, st->address, drv, override, out);
	return 1;
}

_public_ int pt_reattach(struct pt_engine *e, const struct pt_detached *st, struct pt_outcome *out)
{
	const struct pt_dev *dev;
	char *drv = NULL, *override = NULL;
	const char *now;
	int r;

	*out = (struct pt_outcome){ 0 };
	r = pt_engine_find_endpoint(e, st->address, NULL, &dev, out);
	if (r != 0)
		return r;
	if (!st->unbound_by_us) {
		pt_engine_rule(e, "E-REATTACH-SKIP", st->address,
			       "the engine did not move it; left on %s", st->stub);
		return pt_outcome_set(out, PT_CODE_OK, 0, "E-REATTACH-SKIP",
				      "%s was not detached by the engine; left as it is",
				      st->address);
	}
	now = pt_dev_props(dev)->driver;
	if (now && !pt_driver_is_stub(now)) {
		pt_engine_rule(e, "E-REATTACH-SKIP", st->address,
			       "on its host driver %s: nothing to give back, nothing unbound", now);
		return pt_outcome_set(out, PT_CODE_OK, 0, "E-REATTACH-SKIP",
				      "%s is already on its host driver %s", st->address, now);
	}
	if ((pt_dev_props(dev)->driver && !(drv = strdup(pt_dev_props(dev)->driver))) ||
	    (pt_dev_props(dev)->override && !(override = strdup(pt_dev_props(dev)->override)))) {
		free(drv);
		return -ENOMEM;
	}
	r = pt_engine_write(e, st->orig_override ? st->orig_override : "\n",
			    "bus/pci/devices/%s/driver_override", st->address);
	if (r < 0) {
		pt_outcome_set(out, PT_CODE_BIND_FAILED, r, "E-REATTACH",
			       "clear driver_override of %s: %s", st->address, strerror(-r));
		goto failed;
	}
	if (drv) {
		r = pt_engine_write(e, st->address, "bus/pci/drivers/%s/unbind", drv);
		if (r < 0) {
			pt_outcome_set(out, PT_CODE_UNBIND_FAILED, r, "E-REATTACH",
				       "unbind %s from %s: %s", st->address, drv, strerror(-r));
			goto failed;
		}
	}
	r = pt_engine_write(e, st->address, "bus/pci/drivers_probe");
	if (r < 0) {
		pt_outcome_set(out, PT_CODE_BIND_FAILED, r, "E-REATTACH", "probe %s: %s",
			       st->address, strerror(-r));
		goto failed;
	}
	r = rescan(e, out);
	if (r != 0)
		goto failed;
	now = pt_engine_driver_of(e, st->address);
	if (!given_back(st, now)) {
		pt_outcome_set(out, PT_CODE_BIND_FAILED, 0, "E-REATTACH",
			       "%s did not return to %s (it is on %s)", st->address,
			       st->orig_driver ? st->orig_driver : "a host driver",
			       now ? now : "no driver");
		goto failed;
	}
	pt_engine_rule(e, "E-REATTACH", st->address, "back on %s",
		       now ? now : "no driver (as before)");
	free(drv);
	free(override);
	return pt_outcome_set(out, PT_CODE_OK, 0, "E-REATTACH", "%s: %s -> %s", st->address,
			      st->stub, now ? now : "no driver");
failed:
	r = reattach_failed(e, st, drv, override, out);
	free(drv);
	free(override);
	return r;
}
