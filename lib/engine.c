/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine context: backend, current host model, trace, and the writes and rules of its
 * operations. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-internal.h"
#include "internal.h"
#include "macro.h"

_public_ int pt_engine_new(struct pt_backend *be, const struct pt_host_options *opts,
			   struct pt_trace *trace, struct pt_engine **ret, struct pt_error *ret_err)
{
	struct pt_engine *e = calloc(1, sizeof(*e));
	int r;

	if (!e)
		return -ENOMEM;
	e->be = be;
	e->trace = trace;
	if (opts) {
		e->opts = *opts;
		if (opts->kernel && !(e->kernel = strdup(opts->kernel))) {
			free(e);
			return -ENOMEM;
		}
		e->opts.kernel = e->kernel;
	}
	be->trace = trace;
	r = pt_host_new(be, &e->opts, &e->host, ret_err);
	if (r >= 0 && (!e->host->mounted || e->host->netroot)) {
		r = pt_host_remember_initial(e->host, &e->initial, &e->initial_count);
		if (r < 0)
			pt_error_set(ret_err, r, NULL, "out of memory");
		else
			e->host->initial = e->initial;
		e->host->initial_count = e->initial_count;
	}
	if (r < 0) {
		pt_engine_free(e);
		return r;
	}
	*ret = e;
	return 0;
}

_public_ struct pt_engine *pt_engine_free(struct pt_engine *e)
{
	if (e) {
		pt_host_free(e->host);
		if (e->be && e->be->trace == e->trace)
			e->be->trace = NULL;
		pt_strv_free(e->initial);
		free(e->kernel);
		free(e->modules_alias);
		free(e);
	}
	return NULL;
}

_public_ struct pt_host *pt_engine_host(const struct pt_engine *e)
{
	return e->host;
}

_public_ void pt_engine_set_vms(struct pt_engine *e, const struct pt_vms *vms)
{
	e->vms = vms;
}

_public_ const struct pt_vms *pt_engine_vms(const struct pt_engine *e)
{
	return e->vms;
}

_public_ struct pt_backend *pt_engine_backend(const struct pt_engine *e)
{
	return e->be;
}

_public_ struct pt_trace *pt_engine_trace(const struct pt_engine *e)
{
	return e->trace;
}

_public_ int pt_engine_rescan(struct pt_engine *e, struct pt_error *ret_err)
{
	struct pt_host *host = NULL;
	int r = pt_host_new(e->be, &e->opts, &host, ret_err);

	if (r < 0)
		return r;
	host->initial = e->initial;
	host->initial_count = e->initial_count;
	pt_host_free(e->host);
	e->host = host;
	return 0;
}

int pt_engine_write(struct pt_engine *e, const char *value, const char *fmt, ...)
{
	char path[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	return pt_backend_write(e->be, PT_NS_SYS, path, value, strlen(value));
}

void pt_engine_rule(struct pt_engine *e, const char *rule, const char *subject, const char *fmt,
		    ...)
{
	char detail[512];
	va_list ap;

	if (!e->trace)
		return;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	pt_trace_rule(e->trace, rule, subject, detail);
}

int pt_engine_find_endpoint(struct pt_engine *e, const char *address, const char *why,
			    const struct pt_dev **ret_dev, struct pt_outcome *out)
{
	const struct pt_dev *dev = pt_host_find_dev(e->host, address);
	const struct pt_dev_props *p;

	if (!dev)
		return pt_outcome_set(out, PT_CODE_DEVICE_NOT_FOUND, -ENODEV, "E-DEVICE-EXISTS",
				      "no PCI device %s on this host", address);
	p = pt_dev_props(dev);
	if (why && p->header_type != 0)
		return pt_outcome_set(out, PT_CODE_NOT_AN_ENDPOINT, 0, "E-DETACH-ENDPOINT",
				      "%s is a bridge (header type %u), not an endpoint: %s",
				      address, p->header_type, why);
	*ret_dev = dev;
	return 0;
}

const char *pt_engine_driver_of(struct pt_engine *e, const char *address)
{
	struct pt_dev *d = pt_host_find_dev(e->host, address);

	return d ? pt_dev_props(d)->driver : NULL;
}

int pt_engine_restore_binding(struct pt_engine *e, const char *address, const char *driver,
			      const char *override, struct pt_outcome *out)
{
	struct pt_error err = { 0 };
	const char *now;
	int r;

	/* The override steers drivers_probe to the driver the device had, then goes back. */
	pt_engine_write(e, driver ? driver : "\n", "bus/pci/devices/%s/driver_override", address);
	/* Where the device is now, not where the model last saw it. */
	if (pt_engine_rescan(e, &err) < 0)
		return pt_outcome_unrestored(
			out, "cannot read the host (%s: %s); check that %s is on %s", err.path,
			err.reason, address, driver ? driver : "no driver");
	now = pt_engine_driver_of(e, address);
	if (now && (!driver || strcmp(now, driver) != 0))
		pt_engine_write(e, address, "bus/pci/drivers/%s/unbind", now);
	if (driver && (!now || strcmp(now, driver) != 0))
		pt_engine_write(e, address, "bus/pci/drivers_probe");
	r = pt_engine_write(e, override ? override : "\n", "bus/pci/devices/%s/driver_override",
			    address);
	if (pt_engine_rescan(e, &err) < 0)
		return pt_outcome_unrestored(out,
					     "cannot read the host back to check %s (%s: %s); "
					     "check that it is on %s",
					     address, err.path, err.reason,
					     driver ? driver : "no driver");
	now = pt_engine_driver_of(e, address);
	if ((driver == NULL) != (now == NULL) || (now && strcmp(now, driver) != 0)) {
		if (driver)
			return pt_outcome_unrestored(out,
						     "%s is on %s instead of %s; restore it with: "
						     "echo %s > /sys/bus/pci/drivers/%s/bind",
						     address, now ? now : "no driver", driver,
						     address, driver);
		return pt_outcome_unrestored(out,
					     "%s is on %s but had no driver; release it with: "
					     "echo %s > /sys/bus/pci/drivers/%s/unbind",
					     address, now, address, now);
	}
	if (r < 0)
		return pt_outcome_unrestored(out,
					     "driver_override of %s could not be set back to "
					     "'%s' (%s); set it with: "
					     "echo '%s' > /sys/bus/pci/devices/%s/driver_override",
					     address, override ? override : "", strerror(-r),
					     override ? override : "", address);
	pt_engine_rule(e, "E-ROLLBACK", address, "restored to %s", driver ? driver : "no driver");
	return 0;
}
