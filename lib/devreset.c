/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A device reset the engine chooses or is told: through VFIO, or the kernel's sysfs reset. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devreset.h"
#include "engine-internal.h"
#include "internal.h"
#include "vfio.h"

/* Devices on the same bus that a bus reset would also hit and that the host is using. */
static int bus_users(struct pt_engine *e, const struct pt_dev *dev, struct pt_outcome *out)
{
	const struct pt_dev_props *p = pt_dev_props(dev);
	int n = 0;

	for (size_t i = 0; i < pt_host_dev_count(e->host); i++) {
		const struct pt_dev_props *q = pt_dev_props(pt_host_dev(e->host, i));

		if (q == p || q->domain != p->domain || q->bus != p->bus)
			continue;
		if (q->driver && !pt_driver_is_stub(q->driver)) {
			if (pt_strv_push(&out->blockers, q->address) < 0)
				return -ENOMEM;
			n++;
		}
	}
	return n;
}

static int method_list(const struct pt_reset_info *info, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < info->count; i++) {
		int w = snprintf(buf + len, size - len, "%s%s", i ? " " : "",
				 pt_reset_method_to_string(info->methods[i]));

		if (w < 0 || (size_t)w >= size - len)
			return -ENAMETOOLONG;
		len += (size_t)w;
	}
	return 0;
}

/* Why no method: the derivation's reasons for the ones that matter. */
static void why_none(const struct pt_dev *dev, char *buf, size_t size)
{
	const struct pt_reset_info *d = pt_dev_reset_derived(dev);

	snprintf(buf, size, "flr: %s; pm: %s; bus: %s", d->reason[PT_RESET_FLR],
		 d->reason[PT_RESET_PM], d->reason[PT_RESET_BUS]);
}

static int sysfs_reset(struct pt_engine *e, const struct pt_dev *dev, int method, int *ret_method,
		       struct pt_outcome *out)
{
	const struct pt_reset_info *info = pt_dev_reset(dev);
	const char *address = pt_dev_address(dev);
	char old[128], why[512], path[512];
	uint8_t cfg[8];
	size_t len;
	int first, r, k = 0;

	if (info->count == 0) {
		why_none(dev, why, sizeof(why));
		return pt_outcome_set(out, PT_CODE_RESET_UNAVAILABLE, -ENOTTY, "K-RESET-ORDER",
				      "%s has no reset method (%s)", address, why);
	}
	if (method >= 0 && !pt_reset_info_has(info, (enum pt_reset_method)method))
		return pt_outcome_set(out, PT_CODE_RESET_UNAVAILABLE, -EINVAL, "K-RESET-ORDER",
				      "%s does not support %s reset (%s: %s)", address,
				      pt_reset_method_to_string((enum pt_reset_method)method),
				      pt_reset_source_to_string(info->source),
				      pt_dev_reset_derived(dev)->reason[method]);
	first = method >= 0 ? method : (int)info->methods[0];
	if (first == PT_RESET_BUS) {
		r = bus_users(e, dev, out);
		if (r < 0)
			return r;
		if (r > 0)
			return pt_outcome_set(out, PT_CODE_RESET_REFUSED, 0, "E-RESET-BUS-USERS",
					      "a bus reset of %s would also reset %d device(s) the "
					      "host is using on its bus",
					      address, r);
	}
	/* A chosen method other than the kernel's first: select it through reset_method for
	 * this one reset, then put the list back. */
	if (method >= 0 && (int)info->methods[0] != method) {
		if (info->source != PT_RESET_SOURCE_KERNEL)
			return pt_outcome_set(
				out, PT_CODE_RESET_UNAVAILABLE, -EINVAL, "K-RESET-METHOD-ATTR",
				"this kernel has no reset_method: it resets %s by its "
				"own order, starting with %s",
				address, pt_reset_method_to_string(info->methods[0]));
		method_list(info, old, sizeof(old));
		r = pt_engine_write(e, pt_reset_method_to_string((enum pt_reset_method)method),
				    "bus/pci/devices/%s/reset_method", address);
		if (r < 0)
			return pt_outcome_set(
				out, PT_CODE_RESET_FAILED, r, "K-RESET-METHOD-ATTR",
				"select %s reset for %s: %s",
				pt_reset_method_to_string((enum pt_reset_method)method), address,
				strerror(-r));
	}
	r = pt_engine_write(e, "1", "bus/pci/devices/%s/reset", address);
	if (method >= 0 && (int)info->methods[0] != method) {
		k = pt_engine_write(e, old, "bus/pci/devices/%s/reset_method", address);
		if (k < 0)
			pt_outcome_unrestored(
				out,
				"reset_method of %s is still '%s' (putting back '%s' "
				"failed: %s); restore it with: "
				"echo '%s' > /sys/bus/pci/devices/%s/reset_method",
				address, pt_reset_method_to_string((enum pt_reset_method)method),
				old, strerror(-k), old, address);
	}
	/* The device has methods: ENOTTY here means none of them worked: each was refused when
	 * it ran (a bus reset with other devices on the bus), or the device did not answer after
	 * it in time (FLR, PM and bus resets give up with ENOTTY), and the kernel had no other. */
	if (r == -ENOTTY)
		return pt_outcome_set(
			out, PT_CODE_RESET_UNAVAILABLE, r, "K-RESET-ORDER",
			"reset %s: no enabled method worked (ENOTTY: each was refused "
			"or the device did not answer after it in time)",
			address);
	if (r < 0)
		return pt_outcome_set(out, PT_CODE_RESET_FAILED, r, "K-RESET-ORDER", "reset %s: %s",
				      address, strerror(-r));
	/* A device that does not come back reads all ones. Like pci_dev_wait(), look at the
	 * Command and Status registers, not at the Vendor ID: a VF's reads FFFFh by design. */
	snprintf(path, sizeof(path), "%s/config", pt_dev_props(dev)->syspath);
	r = pt_backend_read(e->be, PT_NS_SYS, path, cfg, sizeof(cfg), &len);
	if (r < 0 || len < sizeof(cfg) ||
	    (cfg[4] == 0xff && cfg[5] == 0xff && cfg[6] == 0xff && cfg[7] == 0xff))
		return pt_outcome_set(out, PT_CODE_RESET_FAILED, r < 0 ? r : -EIO, "E-RESET-ALIVE",
				      "%s does not come back after the reset: its config space "
				      "reads all ones",
				      address);
	if (k < 0)
		return pt_outcome_set(out, PT_CODE_HOST_ERROR, k, "K-RESET-METHOD-ATTR",
				      "%s was reset by %s, but its reset_method could not be put "
				      "back: %s",
				      address,
				      pt_reset_method_to_string((enum pt_reset_method)first),
				      strerror(-k));
	*ret_method = first;
	pt_engine_rule(e, "K-RESET-ORDER", address, "reset by %s",
		       pt_reset_method_to_string((enum pt_reset_method)first));
	return pt_outcome_set(out, PT_CODE_OK, 0, "K-RESET-ORDER", "%s reset by %s", address,
			      pt_reset_method_to_string((enum pt_reset_method)first));
}

_public_ int pt_reset_device(struct pt_engine *e, const char *address, int method, int *ret_method,
			     struct pt_outcome *out)
{
	const struct pt_dev *dev;
	int r;

	*out = (struct pt_outcome){ 0 };
	r = pt_engine_find_endpoint(e, address, "only endpoints are reset here", &dev, out);
	if (r != 0)
		return r;
	if (pt_driver_is_vfio(pt_dev_props(dev)->driver)) {
		struct pt_vfio_options o = { .reset = true };
		struct pt_vfio_info info;

		/* Bound to VFIO: the reset goes through VFIO, as QEMU's would. */
		r = pt_vfio_open(e, address, &o, &info, out);
		if (r == 0) {
			*ret_method = -1;
			return pt_outcome_set(out, PT_CODE_OK, 0, "K-VFIO-RESET",
					      "%s reset through VFIO", address);
		}
		if (out->code == PT_CODE_GROUP_NOT_VIABLE || out->code == PT_CODE_GROUP_IN_USE)
			out->code = PT_CODE_RESET_REFUSED;
		return r;
	}
	return sysfs_reset(e, dev, method, ret_method, out);
}
