/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One PCI device of the host model: scanned from its sysfs directory, then read-only. */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers.h"
#include "internal.h"
#include "macro.h"

#define CONFIG_SPACE 4096

/* What a scan of one device reads, with the directory listing to test presence. */
struct dev_scan {
	struct pt_host *host;
	struct pt_dev *dev;
	char dir[PATH_MAX / 2]; /* canonical path of the device directory */
	char **entries;
	size_t entry_count;
	struct pt_error *err;
};

static bool has_entry(const struct dev_scan *s, const char *name)
{
	size_t lo = 0, hi = s->entry_count;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->entries[mid], name);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int attr_path(const struct dev_scan *s, const char *name, char *buf, size_t size)
{
	if ((size_t)snprintf(buf, size, "%s/%s", s->dir, name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int read_line(struct dev_scan *s, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	int r = attr_path(s, name, path, sizeof(path));

	if (r < 0)
		return pt_error_set(s->err, r, path, "path too long");
	r = pt_backend_read_line(s->host->be, PT_NS_SYS, path, buf, size);
	if (r < 0)
		return pt_error_set(s->err, r, path, "cannot read: %s", strerror(-r));
	return 0;
}

/* Read a link's target name (its last component); -ENOENT quietly when absent. */
static int read_link_name(struct dev_scan *s, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX], target[PATH_MAX];
	int r = attr_path(s, name, path, sizeof(path));

	if (r < 0)
		return pt_error_set(s->err, r, path, "path too long");
	r = pt_backend_readlink(s->host->be, PT_NS_SYS, path, target, sizeof(target));
	if (r == -EXDEV)
		return pt_error_set(s->err, r, path, "link '%s' points outside the sysfs root",
				    target);
	if (r == -ENOLINK)
		return pt_error_set(s->err, r, path, "dangling link: '%s' does not exist", target);
	if (r < 0)
		return pt_error_set(s->err, r, path, "cannot read link: %s", strerror(-r));
	if ((size_t)snprintf(buf, size, "%s", pt_basename(target)) >= size)
		return pt_error_set(s->err, -ENAMETOOLONG, path, "link target name too long");
	return 0;
}

static int read_hex_attr(struct dev_scan *s, const char *name, unsigned long max,
			 unsigned long *ret)
{
	char buf[64], path[PATH_MAX];
	int r = read_line(s, name, buf, sizeof(buf));

	if (r < 0)
		return r;
	if (pt_parse_hex(buf, max, ret) < 0) {
		attr_path(s, name, path, sizeof(path));
		return pt_error_set(s->err, -EINVAL, path, "not a hexadecimal number: '%s'", buf);
	}
	return 0;
}

static int read_int_attr(struct dev_scan *s, const char *name, long min, long max, long *ret)
{
	char buf[64], path[PATH_MAX];
	int r = read_line(s, name, buf, sizeof(buf));

	if (r < 0)
		return r;
	if (pt_parse_int(buf, min, max, ret) < 0) {
		attr_path(s, name, path, sizeof(path));
		return pt_error_set(s->err, -EINVAL, path, "not a number in [%ld, %ld]: '%s'", min,
				    max, buf);
	}
	return 0;
}

/* Lexically resolve a link target relative to the directory holding the link. */
int pt_resolve_relative(const char *linkdir, const char *target, char *buf, size_t size)
{
	char tmp[2 * PATH_MAX];
	char *parts[256];
	size_t n = 0, len = 0;
	char *save = NULL;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/%s", linkdir, target) >= sizeof(tmp))
		return -ENAMETOOLONG;
	for (char *p = strtok_r(tmp, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (strcmp(p, ".") == 0)
			continue;
		if (strcmp(p, "..") == 0) {
			if (n == 0)
				return -EXDEV;
			n--;
			continue;
		}
		if (n == ELEMENTSOF(parts))
			return -ENAMETOOLONG;
		parts[n++] = p;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + len, size - len, "%s%s", i ? "/" : "", parts[i]);

		if (w < 0 || (size_t)w >= size - len)
			return -ENAMETOOLONG;
		len += (size_t)w;
	}
	return 0;
}

/* The device's canonical directory is known: keep it, and name the upstream bridge from it
 * (its parent directory is the bridge, or "pciDDDD:BB" for a root bus). */
static int set_location(struct dev_scan *s)
{
	struct pt_dev_props *p = &s->dev->props;
	const char *slash = strrchr(s->dir, '/');
	char parent[PATH_MAX / 2];
	unsigned d, b, sl, f;

	p->syspath = strdup(s->dir);
	if (!p->syspath)
		return -ENOMEM;
	if (!slash)
		return 0;
	memcpy(parent, s->dir, (size_t)(slash - s->dir));
	parent[slash - s->dir] = '\0';
	if (pt_parse_address(pt_basename(parent), &d, &b, &sl, &f) == 0 &&
	    !(p->parent = strdup(pt_basename(parent))))
		return -ENOMEM;
	return 0;
}

/* Find the device directory through its bus/pci/devices link. */
static int resolve_location(struct dev_scan *s, const char *name)
{
	char link[PATH_MAX / 4], target[PATH_MAX];
	int r;

	snprintf(link, sizeof(link), "bus/pci/devices/%s", name);
	r = pt_backend_readlink(s->host->be, PT_NS_SYS, link, target, sizeof(target));
	if (r == -EINVAL) {
		/* A captured tree may hold the device directory itself here. */
		snprintf(s->dir, sizeof(s->dir), "%s", link);
	} else if (r < 0) {
		return pt_error_set(s->err, r, link, "%s",
				    r == -EXDEV ? "link points outside the sysfs root" :
				    r == -ENOLINK ?
						  "dangling link: the device directory is missing" :
						  strerror(-r));
	} else {
		r = pt_resolve_relative("bus/pci/devices", target, s->dir, sizeof(s->dir));
		if (r < 0)
			return pt_error_set(s->err, r, link, "cannot resolve link '%s'", target);
	}
	return 0;
}

static bool all_ones(const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (b[i] != 0xff)
			return false;
	return true;
}

static int scan_config(struct dev_scan *s)
{
	uint8_t cfg[CONFIG_SPACE];
	char path[PATH_MAX];
	size_t len;
	int r;

	attr_path(s, "config", path, sizeof(path));
	r = has_entry(s, "config") ?
		    pt_backend_read(s->host->be, PT_NS_SYS, path, cfg, sizeof(cfg), &len) :
		    -ENODATA;
	/* Absent from the capture, unreadable, or empty: not a broken link (-ENOENT). */
	if (r == -ENODATA || r == -EACCES || r == -EPERM || (r >= 0 && len == 0)) {
		/* Not captured, or not readable: the device stays, with sysfs's ids. */
		s->dev->props.config_missing = true;
		memset(&s->dev->cfg, 0, sizeof(s->dev->cfg));
		return pt_host_add_finding(s->host, "E-CAPTURE-CONFIG", s->dev->props.address,
					   "%s: config space %s: ids from sysfs; FLR, PM reset "
					   "and ACS unknown",
					   s->dev->props.address,
					   r >= 0	? "is empty" :
					   r == -ENOENT ? "was not captured" :
							  "cannot be read");
	}
	if (r < 0)
		return pt_error_set(s->err, r, path, "cannot read: %s", strerror(-r));
	if (len == PT_PCICONF_MIN)
		r = pt_host_add_finding(s->host, "E-CAPTURE-CONFIG", s->dev->props.address,
					"%s: config space is 64 bytes (read without root): FLR, "
					"PM reset and ACS unknown",
					s->dev->props.address);
	if (r < 0)
		return r;
	if (len < PT_PCICONF_MIN)
		return pt_error_set(s->err, -EBADMSG, path,
				    "config space is %zu bytes, shorter than the %d-byte header",
				    len, PT_PCICONF_MIN);
	/* The kernel shows 256 or 4096 bytes, or the 64-byte header to unprivileged readers:
	 * any other size is a damaged copy. */
	if (len != PT_PCICONF_MIN && len != 256 && len != sizeof(cfg))
		return pt_error_set(s->err, -EBADMSG, path,
				    "config space is %zu bytes, not 64, 256 or 4096 (truncated?)",
				    len);
	r = pt_pciconf_parse(s->host->parser, cfg, len, &s->dev->cfg);
	if (r < 0 && all_ones(cfg, len)) {
		/* A device that stopped answering (dead after a reset, or surprise-removed) is
		 * still the kernel's device: keep it, with what sysfs remembers of it. */
		s->dev->props.not_answering = true;
		memset(&s->dev->cfg, 0, sizeof(s->dev->cfg));
		s->dev->cfg.len = len;
		return pt_host_add_finding(s->host, "E-DEVICE-ANSWERS", s->dev->props.address,
					   "%s does not answer: its config space reads all ones "
					   "(dead after a reset, or removed); ids from sysfs",
					   s->dev->props.address);
	}
	if (r < 0)
		return pt_error_set(s->err, r, path, "no device answers: vendor ID 0x%02x%02x",
				    cfg[1], cfg[0]);
	return 0;
}

/* The ids sysfs keeps from enumeration, for a device whose config space no longer answers:
 * the kernel prints what it read then (drivers/pci/pci-sysfs.c). A bridge has bus numbers. */
static int scan_ids_from_sysfs(struct dev_scan *s)
{
	static const struct {
		const char *name;
		unsigned long max;
	} attrs[] = {
		{ "vendor", 0xffff },		{ "device", 0xffff },
		{ "subsystem_vendor", 0xffff }, { "subsystem_device", 0xffff },
		{ "class", 0xffffff },		{ "revision", 0xff },
	};
	struct pt_dev_props *p = &s->dev->props;
	unsigned long v[ELEMENTSOF(attrs)] = { 0 };

	for (size_t i = 0; i < ELEMENTSOF(attrs); i++) {
		int r = has_entry(s, attrs[i].name) ?
				read_hex_attr(s, attrs[i].name, attrs[i].max, &v[i]) :
				0;

		if (r < 0)
			return r;
	}
	p->vendor = (uint16_t)v[0];
	p->device = (uint16_t)v[1];
	p->subsystem_vendor = (uint16_t)v[2];
	p->subsystem_device = (uint16_t)v[3];
	p->class = (uint32_t)v[4];
	p->revision = (uint8_t)v[5];
	p->header_type = has_entry(s, "secondary_bus_number") ? 1 : 0;
	return 0;
}

/*
 * Ids come from config space, as the kernel reads them at enumeration, except the class (and
 * a VF's vendor and device, see below):
 * quirks rewrite some devices' class (drivers/pci/quirks.c), so the class attribute is the
 * kernel's word when sysfs shows it. Reading the other five attributes would cost a third of
 * a scan's system calls for values config space already holds.
 */
static int scan_ids(struct dev_scan *s)
{
	struct pt_dev_props *p = &s->dev->props;
	const struct pt_pciconf *c = &s->dev->cfg;
	unsigned long v;
	int r;

	if (p->not_answering || p->config_missing)
		return scan_ids_from_sysfs(s);
	p->vendor = c->vendor;
	p->device = c->device;
	p->subsystem_vendor = c->subsystem_vendor;
	p->subsystem_device = c->subsystem_device;
	p->class = c->class;
	p->revision = c->revision;
	p->header_type = c->header_type;
	p->multifunction = c->multifunction;
	/* A VF's own Vendor and Device ID registers read FFFFh: the kernel's ids are in sysfs
	 * (drivers/pci/iov.c fills them from the PF). */
	if (c->vendor == 0xffff || c->device == 0xffff) {
		static const char *const names[] = { "vendor", "device" };
		uint16_t *fields[] = { &p->vendor, &p->device };

		for (size_t i = 0; i < ELEMENTSOF(names); i++) {
			char path[PATH_MAX];

			if (!has_entry(s, names[i])) {
				attr_path(s, "config", path, sizeof(path));
				return pt_error_set(s->err, -EBADMSG, path,
						    "%s reads FFFFh in config space and sysfs has "
						    "no %s attribute",
						    names[i], names[i]);
			}
			r = read_hex_attr(s, names[i], 0xffff, &v);
			if (r < 0)
				return r;
			*fields[i] = (uint16_t)v;
		}
	}
	if (has_entry(s, "class")) {
		r = read_hex_attr(s, "class", 0xffffff, &v);
		if (r < 0)
			return r;
		p->class = (uint32_t)v;
	}
	return 0;
}

static int scan_binding(struct dev_scan *s)
{
	struct pt_dev_props *p = &s->dev->props;
	char buf[PATH_MAX];
	long v;
	int r;

	if (has_entry(s, "driver")) {
		r = read_link_name(s, "driver", buf, sizeof(buf));
		/* Unbound between the listing and the read (a command on another group of a live
		 * host): the device has no driver now. */
		if (r == -ENOENT) {
			if (s->err)
				*s->err = (struct pt_error){ 0 };
		} else if (r < 0) {
			return r;
		} else if (!(p->driver = strdup(buf))) {
			return -ENOMEM;
		}
	}
	if (has_entry(s, "driver_override")) {
		r = read_line(s, "driver_override", buf, sizeof(buf));
		if (r < 0)
			return r;
		/* The kernel prints a NULL override as "(null)". */
		if (buf[0] != '\0' && strcmp(buf, "(null)") != 0 && !(p->override = strdup(buf)))
			return -ENOMEM;
	}
	p->iommu_group = -1;
	if (has_entry(s, "iommu_group")) {
		r = read_link_name(s, "iommu_group", buf, sizeof(buf));
		if (r < 0)
			return r;
		if (pt_parse_int(buf, 0, INT_MAX, &v) < 0) {
			attr_path(s, "iommu_group", buf, sizeof(buf));
			return pt_error_set(s->err, -EINVAL, buf,
					    "group link does not end in a number");
		}
		p->iommu_group = (int)v;
	}
	s->dev->has_vfio_dev = has_entry(s, "vfio-dev");
	return 0;
}

/*
 * A netdev below a bus device of the function, not on it: virtio-net keeps its interface at
 * virtioN/net/eth0. Added to the function's netdevs, so a default route through it counts.
 */
static int scan_bus_netdevs(struct dev_scan *s)
{
	for (size_t i = 0; i < s->entry_count; i++) {
		char path[PATH_MAX], rel[64];
		char **names = NULL;
		size_t n = 0;
		int r = 0;

		if (strncmp(s->entries[i], "virtio", 6) != 0 ||
		    snprintf(rel, sizeof(rel), "%s/net", s->entries[i]) >= (int)sizeof(rel))
			continue;
		attr_path(s, rel, path, sizeof(path));
		if (pt_backend_list(s->host->be, PT_NS_SYS, path, &names, &n) < 0)
			continue; /* a virtio device that is not a NIC */
		for (size_t j = 0; j < n && r >= 0; j++)
			r = pt_strv_append(&s->dev->props.netdevs, names[j]);
		pt_strv_free(names);
		if (r < 0)
			return r;
	}
	return 0;
}

static int scan_place(struct dev_scan *s)
{
	struct pt_dev_props *p = &s->dev->props;
	char path[PATH_MAX], buf[64];
	size_t n;
	long v;
	int r;

	p->numa_node = -1;
	if (has_entry(s, "numa_node")) {
		r = read_int_attr(s, "numa_node", -1, INT_MAX, &v);
		if (r < 0)
			return r;
		p->numa_node = (int)v;
	}
	p->boot_vga = -1;
	if (has_entry(s, "boot_vga")) {
		r = read_int_attr(s, "boot_vga", 0, 1, &v);
		if (r < 0)
			return r;
		p->boot_vga = (int)v;
	}
	if (has_entry(s, "physfn")) {
		r = read_link_name(s, "physfn", buf, sizeof(buf));
		if (r < 0)
			return r;
		if (!(p->physfn = strdup(buf)))
			return -ENOMEM;
	}
	if (has_entry(s, "net")) {
		attr_path(s, "net", path, sizeof(path));
		r = pt_backend_list(s->host->be, PT_NS_SYS, path, &p->netdevs, &n);
		if (r < 0)
			return pt_error_set(s->err, r, path, "cannot list: %s", strerror(-r));
	} else if (!(p->netdevs = calloc(1, sizeof(char *)))) {
		return -ENOMEM;
	}
	return scan_bus_netdevs(s);
}

static int scan_sriov(struct dev_scan *s)
{
	static const struct {
		const char *name;
		size_t offset;
	} counts[] = {
		{ "sriov_totalvfs", offsetof(struct pt_sriov, totalvfs) },
		{ "sriov_numvfs", offsetof(struct pt_sriov, numvfs) },
		{ "sriov_offset", offsetof(struct pt_sriov, offset) },
		{ "sriov_stride", offsetof(struct pt_sriov, stride) },
	};
	struct pt_sriov *sr;
	unsigned long vfdev;
	long v;
	int r;

	if (!has_entry(s, "sriov_totalvfs"))
		return 0;
	sr = s->dev->props.sriov = calloc(1, sizeof(*sr));
	if (!sr)
		return -ENOMEM;
	for (size_t i = 0; i < ELEMENTSOF(counts); i++) {
		if (!has_entry(s, counts[i].name))
			continue;
		r = read_int_attr(s, counts[i].name, 0, 0xffff, &v);
		if (r < 0)
			return r;
		*(unsigned *)((char *)sr + counts[i].offset) = (unsigned)v;
	}
	if (has_entry(s, "sriov_vf_device")) {
		r = read_hex_attr(s, "sriov_vf_device", 0xffff, &vfdev);
		if (r < 0)
			return r;
		sr->vf_device = (uint16_t)vfdev;
	}
	sr->drivers_autoprobe = -1;
	if (has_entry(s, "sriov_drivers_autoprobe")) {
		r = read_int_attr(s, "sriov_drivers_autoprobe", 0, 1, &v);
		if (r < 0)
			return r;
		sr->drivers_autoprobe = (int)v;
	}

	/* virtfnN links, by index; gaps are possible in a broken recording. */
	sr->vfs = calloc((size_t)sr->numvfs + 1, sizeof(char *));
	if (!sr->vfs)
		return -ENOMEM;
	for (size_t i = 0; i < sr->numvfs; i++) {
		char name[32], buf[64];

		snprintf(name, sizeof(name), "virtfn%zu", i);
		if (!has_entry(s, name))
			break;
		r = read_link_name(s, name, buf, sizeof(buf));
		if (r < 0)
			return r;
		if (!(sr->vfs[i] = strdup(buf)))
			return -ENOMEM;
		sr->vf_count = i + 1;
	}
	return 0;
}

static int scan_reset(struct dev_scan *s)
{
	char buf[256], path[PATH_MAX];
	int r;

	s->dev->props.has_reset_file = has_entry(s, "reset");
	s->dev->reset_attr = has_entry(s, "reset_method");
	if (!s->dev->reset_attr)
		return 0;
	r = read_line(s, "reset_method", buf, sizeof(buf));
	if (r < 0)
		return r;
	if (pt_reset_parse_attr(buf, &s->dev->reset) < 0) {
		attr_path(s, "reset_method", path, sizeof(path));
		return pt_error_set(s->err, -EINVAL, path, "unknown reset method in '%s'", buf);
	}
	return 0;
}

static int scan_names(struct dev_scan *s)
{
	struct pt_dev_props *p = &s->dev->props;
	char v[128], d[256];

	if (!s->host->names)
		return 0;
	if (pt_pciconf_names(s->host->parser, p->vendor, p->device, v, sizeof(v), d, sizeof(d)) < 0)
		return 0; /* no pci.ids: names stay unknown */
	if ((v[0] && !(p->vendor_name = strdup(v))) || (d[0] && !(p->device_name = strdup(d))))
		return -ENOMEM;
	return 0;
}

int pt_dev_scan(struct pt_host *host, const char *name, const char *dir, char **entries,
		size_t entry_count, struct pt_dev **ret, struct pt_error *err)
{
	struct dev_scan s = { .host = host, .err = err };
	struct pt_dev *dev;
	int r = 0;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->host = host;
	s.dev = dev;

	if (pt_parse_address(name, &dev->props.domain, &dev->props.bus, &dev->props.slot,
			     &dev->props.function) < 0) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "bus/pci/devices/%s", name);
		pt_dev_free(dev);
		return pt_error_set(err, -EINVAL, path, "not a PCI address (DDDD:BB:SS.F)");
	}
	snprintf(dev->props.address, sizeof(dev->props.address), "%s", name);

	if (dir) {
		snprintf(s.dir, sizeof(s.dir), "%s", dir);
		s.entries = entries;
		s.entry_count = entry_count;
	} else {
		r = resolve_location(&s, name);
		if (r >= 0) {
			r = pt_backend_list(host->be, PT_NS_SYS, s.dir, &s.entries, &s.entry_count);
			if (r < 0)
				pt_error_set(err, r, s.dir, "cannot list device directory: %s",
					     strerror(-r));
		}
	}
	if (r >= 0)
		r = set_location(&s);
	if (r >= 0)
		r = scan_config(&s);
	if (r >= 0)
		r = scan_ids(&s);
	if (r >= 0)
		r = scan_binding(&s);
	if (r >= 0)
		r = scan_place(&s);
	if (r >= 0)
		r = scan_sriov(&s);
	if (r >= 0)
		r = scan_reset(&s);
	if (r >= 0)
		r = scan_names(&s);
	if (!dir)
		pt_strv_free(s.entries);
	if (r < 0) {
		if (r == -ENOMEM)
			pt_error_set(err, r, dev->props.address, "out of memory");
		pt_dev_free(dev);
		return r;
	}
	*ret = dev;
	return 0;
}

static enum pt_critical find_critical(const struct pt_dev *dev, const char **via)
{
	const struct pt_dev_props *p = &dev->props;

	if (p->boot_vga == 1)
		return PT_CRITICAL_BOOT_VGA;
	if ((p->class >> 16) == 0x01 && p->driver && !pt_driver_is_stub(p->driver)) {
		size_t len = strlen(p->syspath);
		char **m = dev->host->mounted;

		/* Mounts unknown: a warning (pt_dev_critical_unknown), not a refusal. */
		for (; m && *m; m++)
			if (strncmp(*m, p->syspath, len) == 0 && (*m)[len] == '/')
				return PT_CRITICAL_STORAGE;
	}
	return pt_dev_net_critical(dev, via);
}

void pt_dev_finish(struct pt_dev *dev)
{
	struct pt_host *host = dev->host;
	struct pt_reset_topology topo = {
		.root_bus = dev->props.parent == NULL,
		.has_subordinate = dev->props.header_type != 0,
	};

	/* Counted for all devices at once by the host (pt_host's count_bus_siblings). */
	topo.bus_siblings = dev->bus_siblings;
	pt_reset_derive(&dev->cfg, &topo, &dev->reset_derived);

	/* Since 5.15 the kernel lists the methods; an absent attribute means it found none. */
	if (!dev->reset_attr) {
		if (pt_kver_at_least(&host->kver, 5, 15))
			dev->reset = (struct pt_reset_info){ .source = PT_RESET_SOURCE_KERNEL };
		else
			dev->reset = dev->reset_derived;
	}
	dev->critical = find_critical(dev, &dev->critical_via);
}

_public_ const char *pt_dev_driver_unknown(const struct pt_dev *dev)
{
	return dev->driver_unknown;
}

_public_ const char *pt_dev_group_unknown(const struct pt_dev *dev)
{
	return dev->group_unknown;
}

_public_ const char *pt_dev_config_unknown(const struct pt_dev *dev)
{
	if (dev->props.not_answering)
		return "the device does not answer: config space reads all ones";
	if (dev->props.config_missing)
		return "config space not in the capture";
	if (dev->cfg.len <= PT_PCICONF_MIN)
		return "config space is 64 bytes: captured without root";
	return NULL;
}

_public_ const char *pt_dev_acs_unknown(const struct pt_dev *dev)
{
	const char *why = pt_dev_config_unknown(dev);

	/* A PCIe function has 4096 bytes; 256 is all a conventional PCI one has. */
	if (!why && dev->cfg.pcie && dev->cfg.len < 4096)
		why = "config space is 256 bytes: extended capabilities not captured";
	return why;
}

struct pt_dev *pt_dev_free(struct pt_dev *dev)
{
	struct pt_dev_props *p;

	if (!dev)
		return NULL;
	p = &dev->props;
	free(p->driver);
	free(p->override);
	pt_strv_free(p->netdevs);
	free(p->physfn);
	if (p->sriov) {
		pt_strv_free(p->sriov->vfs);
		free(p->sriov);
	}
	free(p->parent);
	free(p->syspath);
	free(p->vendor_name);
	free(p->device_name);
	free(dev);
	return NULL;
}

_public_ const struct pt_dev_props *pt_dev_props(const struct pt_dev *dev)
{
	return &dev->props;
}

_public_ const char *pt_dev_address(const struct pt_dev *dev)
{
	return dev->props.address;
}

_public_ const struct pt_reset_info *pt_dev_reset(const struct pt_dev *dev)
{
	return &dev->reset;
}

_public_ const struct pt_reset_info *pt_dev_reset_derived(const struct pt_dev *dev)
{
	return &dev->reset_derived;
}

_public_ const struct pt_pciconf *pt_dev_config(const struct pt_dev *dev)
{
	return &dev->cfg;
}

_public_ struct pt_group *pt_dev_group(const struct pt_dev *dev)
{
	return dev->group;
}

_public_ size_t pt_dev_bus_sibling_count(const struct pt_dev *dev)
{
	return dev->bus_siblings;
}

_public_ enum pt_critical pt_dev_critical(const struct pt_dev *dev)
{
	return dev->critical;
}

_public_ const char *pt_dev_critical_via(const struct pt_dev *dev)
{
	return dev->critical_via;
}

static const char *const critical_names[_PT_CRITICAL_MAX][2] = {
	[PT_CRITICAL_NONE] = { "none", "not needed by the host" },
	[PT_CRITICAL_BOOT_VGA] = { "boot-vga", "the boot VGA device (the host console)" },
	[PT_CRITICAL_STORAGE] = { "storage", "a storage controller on a host driver holding a "
					     "mounted filesystem or swap of the host" },
	[PT_CRITICAL_DEFAULT_ROUTE] = { "default-route", "the NIC carrying the default route" },
	[PT_CRITICAL_NETWORK_ROOT] = { "network-root",
				       "the NIC carrying the host's root filesystem (NFS, iSCSI "
				       "or NBD root)" },
};

_public_ const char *pt_critical_to_string(enum pt_critical c)
{
	return (unsigned)c < _PT_CRITICAL_MAX ? critical_names[c][0] : NULL;
}

_public_ const char *pt_critical_describe(enum pt_critical c)
{
	return (unsigned)c < _PT_CRITICAL_MAX ? critical_names[c][1] : NULL;
}
