/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PCI function reset: the methods a device has, the reset and reset_method files, execution. */

/*
 * The plan: a device keeps the list enumeration found (the recording's reset_method, which
 * may hold artefacts such as "bus" on a function whose sibling was not yet added) and the
 * methods enabled now. Writing a list re-probes each named method *now*, with the topology
 * of now; "default" re-probes all of them; a reset walks the enabled list, skipping methods
 * that answer ENOTTY at execution (a bus reset with a sibling on the bus). device_specific,
 * acpi and cxl_bus cannot be seen from config space: they are supported when the host listed
 * them.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

size_t fks_bus_siblings(const struct fks_dev *dev)
{
	const struct fks_host *h = dev->host;
	size_t n = 0;

	for (guint i = 0; i < h->devs->len; i++) {
		const struct fks_dev *o = h->devs->pdata[i];

		n += o != dev && !o->removed && o->domain == dev->domain && o->bus == dev->bus;
	}
	return n;
}

static bool on_root_bus(const struct fks_dev *dev)
{
	const char *slash = strrchr(dev->devpath, '/');
	g_autofree char *parent =
		slash ? g_strndup(dev->devpath, (gsize)(slash - dev->devpath)) : NULL;
	const char *base = parent ? strrchr(parent, '/') : NULL;
	char addr[16];

	return !base || fks_parse_address(base + 1, addr) < 0;
}

static const unsigned platform_methods =
	1u << PT_RESET_DEVICE_SPECIFIC | 1u << PT_RESET_ACPI | 1u << PT_RESET_CXL_BUS;

/* pci_init_reset_methods(): every method's probe, with the topology of now. */
unsigned fks_reset_probe_mask(const struct fks_dev *dev)
{
	struct pt_reset_topology topo = {
		.root_bus = on_root_bus(dev),
		.has_subordinate = dev->cfg.header_type == 1,
		.bus_siblings = fks_bus_siblings(dev),
	};
	struct pt_reset_info info;
	unsigned mask = dev->reset_platform & platform_methods;

	pt_reset_derive(&dev->cfg, &topo, &info);
	for (size_t i = 0; i < info.count; i++)
		mask |= 1u << info.methods[i];
	return mask;
}

static void set_from_mask(struct fks_dev *dev, unsigned mask)
{
	dev->reset_count = 0;
	for (int m = 0; m < _PT_RESET_METHOD_MAX; m++)
		if (mask & (1u << m))
			dev->reset_methods[dev->reset_count++] = (enum pt_reset_method)m;
}

void fks_reset_init(struct fks_dev *dev, const char *recorded)
{
	if (recorded) {
		struct pt_reset_info info;

		dev->reset_attr = true;
		if (pt_reset_parse_attr(recorded, &info) < 0) {
			set_from_mask(dev, fks_reset_probe_mask(dev));
			return;
		}
		dev->reset_count = info.count;
		for (size_t i = 0; i < info.count; i++) {
			dev->reset_methods[i] = info.methods[i];
			dev->reset_platform |= (1u << info.methods[i]) & platform_methods;
		}
		return;
	}
	set_from_mask(dev, fks_reset_probe_mask(dev));
	dev->reset_attr = dev->reset_count > 0;
}

size_t fks_reset_method_show(const struct fks_dev *dev, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < dev->reset_count; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "",
					pt_reset_method_to_string(dev->reset_methods[i]));
	if (dev->reset_count)
		len += (size_t)snprintf(buf + len, size - len, "\n");
	return MIN(len, size);
}

/* Simulated duration of each method, in milliseconds (the kernel's waits). */
static const unsigned method_ms[_PT_RESET_METHOD_MAX] = {
	[PT_RESET_DEVICE_SPECIFIC] = 100, [PT_RESET_ACPI] = 100, [PT_RESET_FLR] = 100,
	[PT_RESET_AF_FLR] = 100,	  [PT_RESET_PM] = 20,	 [PT_RESET_BUS] = 1000,
	[PT_RESET_CXL_BUS] = 1000,
};

/* The methods after which the kernel polls the device until it answers config reads again
 * (pci_dev_wait(): FLR, AF FLR, PM D3hot->D0, and the bus resets through their bridge). */
static bool waits_for_ready(enum pt_reset_method m)
{
	return m == PT_RESET_FLR || m == PT_RESET_AF_FLR || m == PT_RESET_PM || m == PT_RESET_BUS ||
	       m == PT_RESET_CXL_BUS;
}

/* How long pci_dev_wait() sleeps before it gives up on a device: it doubles its sleep from
 * 1 ms until the next would pass the timeout, 65535 ms for the 60 s of kernel 6.1. */
static unsigned give_up_ms(unsigned timeout)
{
	unsigned delay = 1, slept = 0;

	while (delay <= timeout) {
		slept += delay;
		delay *= 2;
	}
	return slept;
}

/*
 * A device that does not come back (config=ff fault): after each method the kernel waits for
 * reads all ones until pci_dev_wait() gives up with ENOTTY, and goes on to the next; a method
 * the kernel does not wait after (device-specific, ACPI) returns 0 with the device still gone.
 */
static int reset_unresponsive(struct fks_dev *dev)
{
	struct fks_host *h = dev->host;

	for (size_t i = 0; i < dev->reset_count; i++) {
		enum pt_reset_method m = dev->reset_methods[i];

		h->clock_ms += method_ms[m];
		if (!waits_for_ready(m))
			return 0;
		h->clock_ms += give_up_ms(h->reset_timeout_ms);
		fks_rule(h, "K-RESET-ORDER", dev->addr,
			 "not ready %u ms after %s; giving up: ENOTTY, next method",
			 give_up_ms(h->reset_timeout_ms), pt_reset_method_to_string(m));
	}
	fks_rule(h, "K-RESET-STORE", dev->addr, "no enabled method works: ENOTTY");
	return -ENOTTY;
}

/*
 * __pci_reset_function_locked(): the enabled methods in order, the first that does not answer
 * ENOTTY decides. An injected hang keeps the device from answering after the first method
 * tried: past the timeout pci_dev_wait() gives up with ENOTTY ("not ready after ...; giving
 * up"), so the kernel goes on to the next method, and a reset with none left fails with ENOTTY.
 */
int fks_reset_do(struct fks_dev *dev)
{
	struct fks_host *h = dev->host;
	unsigned hang = 0;
	int r;

	r = fks_fault_check_reset(h, dev, &hang);
	if (r < 0)
		return r;
	if (dev->unresponsive)
		return reset_unresponsive(dev);
	for (size_t i = 0; i < dev->reset_count; i++) {
		enum pt_reset_method m = dev->reset_methods[i];

		if (m == PT_RESET_BUS &&
		    (on_root_bus(dev) || dev->cfg.header_type == 1 || fks_bus_siblings(dev) > 0)) {
			fks_rule(
				h, "K-RESET-BUS", dev->addr,
				"bus reset refused at execution: not alone on a bus below a bridge");
			continue;
		}
		h->clock_ms += method_ms[m];
		if (hang && waits_for_ready(m) && hang > h->reset_timeout_ms) {
			h->clock_ms += give_up_ms(h->reset_timeout_ms);
			fks_rule(h, "K-RESET-ORDER", dev->addr,
				 "not ready %u ms after %s; giving up: ENOTTY, next method",
				 give_up_ms(h->reset_timeout_ms), pt_reset_method_to_string(m));
			hang = 0;
			continue;
		}
		h->clock_ms += hang;
		fks_rule(h, "K-RESET-ORDER", dev->addr, "reset by %s",
			 pt_reset_method_to_string(m));
		return 0;
	}
	fks_rule(h, "K-RESET-STORE", dev->addr, "no enabled method works: ENOTTY");
	return -ENOTTY;
}

int fks_reset_store(struct fks_dev *dev, const char *buf, size_t len)
{
	unsigned long long v;

	/* reset_store(): kstrtoul(buf, 0, ...) fails or the value is not 1: EINVAL. */
	if (fks_kstrtoull(buf, len, 0, &v) < 0 || v != 1) {
		fks_rule(dev->host, "K-RESET-STORE", dev->addr, "reset accepts only 1: EINVAL");
		return -EINVAL;
	}
	return fks_reset_do(dev);
}

int fks_reset_method_store(struct fks_dev *dev, const char *buf, size_t len)
{
	g_autofree char *opts = NULL;
	enum pt_reset_method list[_PT_RESET_METHOD_MAX];
	size_t n = 0;
	unsigned mask;
	char *p, *name;

	if (len >= FKS_PAGE_SIZE - 1)
		return -EINVAL;
	opts = g_strndup(buf, len);
	if (strcmp(opts, "\n") == 0 || opts[0] == '\0') {
		dev->reset_count = 0;
		fks_rule(dev->host, "K-RESET-METHOD-STORE", dev->addr, "all methods disabled");
		return 0;
	}
	if (strcmp(opts, "default") == 0 || strcmp(opts, "default\n") == 0) {
		set_from_mask(dev, fks_reset_probe_mask(dev));
		fks_rule(dev->host, "K-RESET-METHOD-STORE", dev->addr,
			 "default: methods re-probed, %zu supported now", dev->reset_count);
		return 0;
	}
	mask = fks_reset_probe_mask(dev);
	p = opts;
	while ((name = strsep(&p, " ")) != NULL) {
		int m;

		g_strstrip(name);
		if (name[0] == '\0')
			continue;
		m = pt_reset_method_from_string(name);
		if (m < 0 || !(mask & (1u << m))) {
			fks_rule(dev->host, "K-RESET-METHOD-STORE", dev->addr,
				 "%s reset method '%s': EINVAL", m < 0 ? "invalid" : "unsupported",
				 name);
			return -EINVAL;
		}
		if (n == _PT_RESET_METHOD_MAX) {
			fks_rule(dev->host, "K-RESET-METHOD-STORE", dev->addr,
				 "too many reset methods: EINVAL");
			return -EINVAL;
		}
		list[n++] = (enum pt_reset_method)m;
	}
	memcpy(dev->reset_methods, list, n * sizeof(list[0]));
	dev->reset_count = n;
	fks_rule(dev->host, "K-RESET-METHOD-STORE", dev->addr, "%zu methods enabled in order", n);
	return 0;
}

/* pci_try_reset_function() at VFIO open, without its side effects: would a method work? */
bool fks_reset_works(const struct fks_dev *dev)
{
	for (size_t i = 0; i < dev->reset_count; i++)
		if (dev->reset_methods[i] != PT_RESET_BUS ||
		    (!on_root_bus(dev) && dev->cfg.header_type != 1 && fks_bus_siblings(dev) == 0))
			return true;
	return false;
}
