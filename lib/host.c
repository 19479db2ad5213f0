/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host model: scan every PCI device and IOMMU group once, through the backend. */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rules.h"
#include "macro.h"
#include "trace.h"

static const char *const kver_source_names[_PT_KVER_SOURCE_MAX] = {
	[PT_KVER_SOURCE_OPTION] = "option",   [PT_KVER_SOURCE_HOST] = "host",
	[PT_KVER_SOURCE_DEFAULT] = "default", [PT_KVER_SOURCE_INFERRED] = "inferred",
	[PT_KVER_SOURCE_UNKNOWN] = "unknown",
};

_public_ const char *pt_kver_source_to_string(enum pt_kver_source s)
{
	return (unsigned)s < _PT_KVER_SOURCE_MAX ? kver_source_names[s] : NULL;
}

int pt_host_add_finding(struct pt_host *host, const char *rule, const char *address,
			const char *fmt, ...)
{
	struct pt_finding *grown, *f;
	va_list ap;
	int r;

	grown = realloc(host->findings, (host->finding_count + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	host->findings = grown;
	f = &grown[host->finding_count];
	*f = (struct pt_finding){ .rule = rule };
	va_start(ap, fmt);
	r = vasprintf(&f->message, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	if (address && !(f->address = strdup(address))) {
		free(f->message);
		return -ENOMEM;
	}
	host->finding_count++;
	return 0;
}

static int scan_kernel(struct pt_host *host, const char *option, bool not_shown,
		       struct pt_error *err)
{
	char release[128];

	if (option) {
		if (pt_kver_parse(option, &host->kver) < 0)
			return pt_error_set(err, -EINVAL, NULL,
					    "'%s' is not a kernel version (expected X.Y)", option);
		host->kver_source = PT_KVER_SOURCE_OPTION;
		return 0;
	}
	if (not_shown) {
		/* Refined by infer_kernel() once the devices are read. */
		host->kver = PT_KVER_NEWEST;
		host->kver_source = PT_KVER_SOURCE_INFERRED;
		return 0;
	}
	if (pt_backend_read_line(host->be, PT_NS_PROC, "sys/kernel/osrelease", release,
				 sizeof(release)) >= 0 &&
	    pt_kver_parse(release, &host->kver) >= 0) {
		host->kver_source = PT_KVER_SOURCE_HOST;
		return 0;
	}
	host->kver = PT_KVER_NEWEST;
	host->kver_source = PT_KVER_SOURCE_DEFAULT;
	return 0;
}

/* The interface of the default route, from procfs net/route, when the host shows it. */
static void scan_default_route(struct pt_host *host)
{
	char buf[16384];
	size_t len;
	char *save = NULL;

	if (pt_backend_read(host->be, PT_NS_PROC, "net/route", buf, sizeof(buf) - 1, &len) < 0)
		return;
	buf[len] = '\0';
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char iface[64];
		unsigned long dest, gw, flags, mask;

		if (sscanf(line, "%63s %lx %lx %lx %*s %*s %*s %lx", iface, &dest, &gw, &flags,
			   &mask) == 5 &&
		    dest == 0 && mask == 0) {
			snprintf(host->default_route_if, sizeof(host->default_route_if), "%s",
				 iface);
			return;
		}
	}
}

/* A device directory met while walking devices/: its canonical path and its listing. */
struct found {
	char *name;
	char *dir;
	char **entries;
	size_t count;
};

struct walk {
	struct pt_backend *be;
	struct found *found;
	size_t n, cap;
};

static int walk_children(struct walk *w, const char *dir, char **entries, size_t count, int depth)
{
	for (size_t i = 0; i < count; i++) {
		unsigned d, b, s, f;
		struct found *x;
		char *child;
		int r;

		if (pt_parse_address(entries[i], &d, &b, &s, &f) < 0)
			continue;
		if (depth > 32)
			return 0; /* deeper than any PCI hierarchy: leave it to the link scan */
		if (asprintf(&child, "%s/%s", dir, entries[i]) < 0)
			return -ENOMEM;
		if (w->n == w->cap) {
			size_t ncap = w->cap ? w->cap * 2 : 64;
			struct found *grown = realloc(w->found, ncap * sizeof(*grown));

			if (!grown) {
				free(child);
				return -ENOMEM;
			}
			w->found = grown;
			w->cap = ncap;
		}
		x = &w->found[w->n];
		*x = (struct found){ .dir = child };
		if (pt_backend_list(w->be, PT_NS_SYS, child, &x->entries, &x->count) < 0) {
			free(child); /* not a directory after all: the scan by link will judge */
			continue;
		}
		if (!(x->name = strdup(entries[i]))) {
			pt_strv_free(x->entries);
			free(child);
			return -ENOMEM;
		}
		w->n++;
		r = walk_children(w, child, x->entries, x->count, depth + 1);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Find every PCI device directory by walking devices/pciDDDD:BB/... once: the listing each
 * device scan needs anyway also names its children, so no bus/pci/devices link has to be
 * resolved. Devices elsewhere (a platform bus, a captured tree laid out differently) are
 * still found through their links by the scan.
 */
static int walk_devices(struct walk *w)
{
	char **roots = NULL;
	size_t n = 0;
	int r = 0;

	if (pt_backend_list(w->be, PT_NS_SYS, "devices", &roots, &n) < 0)
		return 0;
	for (size_t i = 0; i < n && r >= 0; i++) {
		char dir[300], **entries = NULL;
		size_t count = 0;

		if (strncmp(roots[i], "pci", 3) != 0 || strlen(roots[i]) > 64)
			continue;
		snprintf(dir, sizeof(dir), "devices/%s", roots[i]);
		if (pt_backend_list(w->be, PT_NS_SYS, dir, &entries, &count) < 0)
			continue;
		r = walk_children(w, dir, entries, count, 0);
		pt_strv_free(entries);
	}
	pt_strv_free(roots);
	return r;
}

static int cmp_found(const void *a, const void *b)
{
	return strcmp(((const struct found *)a)->name, ((const struct found *)b)->name);
}

static void walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->found[i].name);
		free(w->found[i].dir);
		pt_strv_free(w->found[i].entries);
	}
	free(w->found);
}

/* The canonical path of block device name (and, through slaves/, of what it is built on). */
static int add_block(struct pt_host *host, const char *name, int depth)
{
	char link[128], target[PATH_MAX], canon[PATH_MAX / 2], dir[PATH_MAX], **slaves = NULL;
	size_t n = 0;
	int r;

	if (depth > 4 || strchr(name, '/') ||
	    snprintf(link, sizeof(link), "class/block/%s", name) >= (int)sizeof(link))
		return -EINVAL;
	r = pt_backend_readlink(host->be, PT_NS_SYS, link, target, sizeof(target));
	if (r < 0)
		return r;
	r = pt_resolve_relative("class/block", target, canon, sizeof(canon));
	if (r < 0)
		return r;
	r = pt_strv_append(&host->mounted, canon);
	snprintf(dir, sizeof(dir), "%s/slaves", canon);
	if (r >= 0 && pt_backend_list(host->be, PT_NS_SYS, dir, &slaves, &n) >= 0)
		for (size_t i = 0; i < n && r >= 0; i++)
			r = add_block(host, slaves[i], depth + 1);
	pt_strv_free(slaves);
	return r;
}

/*
 * Which block devices hold mounted filesystems or swap, from procfs mounts and swaps. A
 * source that cannot be traced to a block device (/dev/root, a missing link) makes the mounts
 * unknown, and every storage controller then counts as one the host may need.
 */
static void scan_mounts(struct pt_host *host)
{
	static const char *const files[] = { "mounts", "swaps" };
	bool unknown = false;

	for (size_t f = 0; f < ELEMENTSOF(files) && !unknown; f++) {
		char buf[65536], *save = NULL;
		size_t len;

		if (pt_backend_read(host->be, PT_NS_PROC, files[f], buf, sizeof(buf) - 1, &len) <
		    0) {
			unknown = f == 0;
			continue;
		}
		buf[len] = '\0';
		for (char *l = strtok_r(buf, "\n", &save); l && !unknown;
		     l = strtok_r(NULL, "\n", &save)) {
			char src[256], target[256];
			const char *name;

			if (sscanf(l, "%255s", src) != 1 || strncmp(src, "/dev/", 5) != 0)
				continue;
			name = src + 5;
			/* /dev/mapper/NAME is a link to ../dm-N. */
			if (strncmp(name, "mapper/", 7) == 0) {
				if (pt_backend_readlink(host->be, PT_NS_DEV, name, target,
							sizeof(target)) < 0) {
					unknown = true;
					continue;
				}
				name = pt_basename(target);
			}
			if (add_block(host, name, 0) < 0)
				unknown = true;
		}
	}
	if (unknown)
		host->mounted = pt_strv_free(host->mounted);
	else if (!host->mounted)
		host->mounted = calloc(1, sizeof(char *));
}

struct bus_key {
	unsigned long long bus; /* domain << 8 | bus */
	size_t idx;
};

static int cmp_bus_key(const void *a, const void *b)
{
	const struct bus_key *x = a, *y = b;

	return x->bus < y->bus ? -1 : x->bus > y->bus;
}

/* Each device's number of other devices on its bus (a bus reset hits them): sorted once. */
static int count_bus_siblings(struct pt_host *host)
{
	size_t n = host->dev_count;
	struct bus_key *k = calloc(n ? n : 1, sizeof(*k));

	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		k[i] = (struct bus_key){ (unsigned long long)host->devs[i]->props.domain << 8 |
						 host->devs[i]->props.bus,
					 i };
	qsort(k, n, sizeof(*k), cmp_bus_key);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && k[j].bus == k[i].bus; j++)
			;
		for (size_t m = i; m < j; m++)
			host->devs[k[m].idx]->bus_siblings = j - i - 1;
	}
	free(k);
	return 0;
}

/* Whether the kernel would list a reset method for a device whose config space shows one. */
static bool shows_reset_method(const struct pt_host *host)
{
	for (size_t i = 0; i < host->dev_count; i++)
		if (!pt_dev_config_unknown(host->devs[i]) && host->devs[i]->reset_derived.count)
			return true;
	return false;
}

/*
 * A capture without the kernel release, dated by what its devices show (evidence is
 * pt_host_options.kernel_evidence): reset_method on any device means 5.15 or newer (the
 * newest modelled is assumed). Otherwise only a capture that holds the devices' attributes
 * dates the kernel by what it lacks: no driver_override, older than 3.16; no reset_method on
 * a device whose config space gives the kernel a method, older than 5.15 (5.14 is assumed,
 * so reset methods are derived from config space as that kernel would). Anything else is
 * unknown: the newest modelled kernel's rules apply, and the report says so.
 */
static void infer_kernel(struct pt_host *host, unsigned evidence)
{
	if (host->kver_source != PT_KVER_SOURCE_INFERRED)
		return;
	for (size_t i = 0; i < host->dev_count; i++)
		if (host->devs[i]->reset_attr)
			return;
	if (!host->dev_count || !(evidence & PT_SHOWN_UEVENTS)) {
		host->kver_source = PT_KVER_SOURCE_UNKNOWN;
		host->kver_unknown = host->dev_count ?
					     "the capture holds no attribute that dates it" :
					     "the capture holds no PCI device";
	} else if (!(evidence & PT_SHOWN_DRIVER_OVERRIDE)) {
		host->kver = (struct pt_kver){ 3, 15 };
	} else if (shows_reset_method(host)) {
		host->kver = (struct pt_kver){ 5, 14 };
	} else {
		host->kver_source = PT_KVER_SOURCE_UNKNOWN;
		host->kver_unknown = "3.16 or newer (driver_override), and no device shows "
				     "whether reset_method exists";
	}
	/* pt_dev_finish() assumed the newest, where no reset_method means no method: before
	 * 5.15, or not knowing, the methods are the ones config space shows. */
	for (size_t i = 0; i < host->dev_count; i++)
		if (!host->devs[i]->reset_attr && (host->kver_source == PT_KVER_SOURCE_UNKNOWN ||
						   !pt_kver_at_least(&host->kver, 5, 15)))
			host->devs[i]->reset = host->devs[i]->reset_derived;
}

static int scan_devices(struct pt_host *host, unsigned evidence, struct pt_error *err)
{
	struct walk w = { .be = host->be };
	char **names = NULL;
	size_t n = 0;
	int r;

	r = pt_backend_list(host->be, PT_NS_SYS, "bus/pci/devices", &names, &n);
	if (r == -ENOENT) {
		/* No PCI bus at all (a container, a non-PCI machine): an empty host. */
		return 0;
	}
	if (r < 0)
		return pt_error_set(err, r, "bus/pci/devices", "cannot list: %s", strerror(-r));
	r = walk_devices(&w);
	if (r >= 0 && w.n > 0)
		qsort(w.found, w.n, sizeof(*w.found), cmp_found);
	if (r >= 0 && !(host->devs = calloc(n ? n : 1, sizeof(*host->devs))))
		r = -ENOMEM;
	for (size_t i = 0; i < n && r >= 0; i++) {
		struct found key = { .name = names[i] };
		struct found *f =
			w.n ? bsearch(&key, w.found, w.n, sizeof(*w.found), cmp_found) : NULL;

		r = pt_dev_scan(host, names[i], f ? f->dir : NULL, f ? f->entries : NULL,
				f ? f->count : 0, &host->devs[host->dev_count], err);
		if (r >= 0)
			host->dev_count++;
	}
	walk_free(&w);
	pt_strv_free(names);
	if (r < 0)
		return r;
	r = count_bus_siblings(host);
	for (size_t i = 0; i < host->dev_count && r >= 0; i++)
		pt_dev_finish(host->devs[i]);
	if (r >= 0)
		infer_kernel(host, evidence);
	return r;
}

static int scan_iommu(struct pt_host *host)
{
	char **names = NULL;
	size_t n = 0;
	int r;

	if (pt_backend_list(host->be, PT_NS_SYS, "class/iommu", &names, &n) < 0)
		n = 0;
	if (n > 0)
		host->iommu = true;
	r = pt_host_scan_units(host, names, n);
	names = pt_strv_free(names);
	if (r < 0)
		return r;
	if (pt_backend_list(host->be, PT_NS_SYS, "kernel/iommu_groups", &names, &n) >= 0 && n > 0)
		host->iommu = true;
	pt_strv_free(names);
	return 0;
}

/* What the loader says the capture does not show: the IOMMU state, drivers. */
static int apply_unknowns(struct pt_host *host, const struct pt_host_options *opts)
{
	if (!opts)
		return 0;
	host->iommu |= opts->iommu_on;
	if (opts->iommu_unknown && !host->iommu &&
	    !(host->iommu_unknown = strdup(opts->iommu_unknown)))
		return -ENOMEM;
	for (size_t i = 0; opts->unknown && i < host->dev_count; i++) {
		struct pt_dev *d = host->devs[i];

		if (!d->props.driver)
			d->driver_unknown =
				opts->unknown(opts->ctx, d->props.address, PT_FACT_DRIVER);
		if (d->props.iommu_group < 0)
			d->group_unknown =
				opts->unknown(opts->ctx, d->props.address, PT_FACT_GROUP);
	}
	return 0;
}

_public_ int pt_host_new(struct pt_backend *be, const struct pt_host_options *opts,
			 struct pt_host **ret, struct pt_error *ret_err)
{
	struct pt_host *host;
	int r;

	if (!be || !ret)
		return -EINVAL;
	host = calloc(1, sizeof(*host));
	if (!host)
		return -ENOMEM;
	host->be = be;
	host->names = opts && opts->names;

	r = pt_pciconf_parser_new(&host->parser);
	if (r >= 0)
		r = scan_kernel(host, opts ? opts->kernel : NULL, opts && opts->kernel_not_shown,
				ret_err);
	if (r >= 0) {
		scan_default_route(host);
		scan_mounts(host);
		r = pt_host_scan_netroot(host);
	}
	if (r >= 0)
		r = scan_devices(host, opts ? opts->kernel_evidence : 0, ret_err);
	if (r >= 0)
		r = scan_iommu(host);
	if (r >= 0)
		r = apply_unknowns(host, opts);
	if (r >= 0)
		r = pt_host_build_groups(host, ret_err);
	if (r < 0) {
		if (r == -ENOMEM)
			pt_error_set(ret_err, r, NULL, "out of memory");
		pt_host_free(host);
		return r;
	}
	*ret = host;
	return 0;
}

_public_ struct pt_host *pt_host_free(struct pt_host *host)
{
	if (!host)
		return NULL;
	for (size_t i = 0; i < host->dev_count; i++)
		pt_dev_free(host->devs[i]);
	free(host->devs);
	for (size_t i = 0; i < host->group_count; i++)
		pt_group_free(host->groups[i]);
	free(host->groups);
	for (size_t i = 0; i < host->finding_count; i++) {
		free(host->findings[i].address);
		free(host->findings[i].message);
	}
	free(host->findings);
	pt_strv_free(host->mounted);
	free(host->units);
	pt_host_free_netroot(host);
	free(host->iommu_unknown);
	pt_pciconf_parser_free(host->parser);
	free(host);
	return NULL;
}

_public_ struct pt_backend *pt_host_backend(const struct pt_host *host)
{
	return host->be;
}

_public_ const struct pt_kver *pt_host_kernel(const struct pt_host *host)
{
	return &host->kver;
}

_public_ enum pt_kver_source pt_host_kernel_source(const struct pt_host *host)
{
	return host->kver_source;
}

_public_ bool pt_host_iommu_present(const struct pt_host *host)
{
	return host->iommu;
}

_public_ const char *pt_host_iommu_unknown(const struct pt_host *host)
{
	return host->iommu_unknown;
}

_public_ const char *pt_host_kernel_unknown(const struct pt_host *host)
{
	return host->kver_source == PT_KVER_SOURCE_UNKNOWN ? host->kver_unknown : NULL;
}

_public_ size_t pt_host_dev_count(const struct pt_host *host)
{
	return host->dev_count;
}

_public_ struct pt_dev *pt_host_dev(const struct pt_host *host, size_t i)
{
	return i < host->dev_count ? host->devs[i] : NULL;
}

static int cmp_dev_address(const void *key, const void *elem)
{
	return strcmp(key, (*(struct pt_dev *const *)elem)->props.address);
}

_public_ struct pt_dev *pt_host_find_dev(const struct pt_host *host, const char *address)
{
	struct pt_dev **d;

	if (!address || host->dev_count == 0)
		return NULL;
	d = bsearch(address, host->devs, host->dev_count, sizeof(*host->devs), cmp_dev_address);
	return d ? *d : NULL;
}

_public_ size_t pt_host_group_count(const struct pt_host *host)
{
	return host->group_count;
}

_public_ struct pt_group *pt_host_group(const struct pt_host *host, size_t i)
{
	return i < host->group_count ? host->groups[i] : NULL;
}

_public_ struct pt_group *pt_host_find_group(const struct pt_host *host, int id)
{
	for (size_t i = 0; i < host->group_count; i++)
		if (host->groups[i]->id == id)
			return host->groups[i];
	return NULL;
}

_public_ char *const *pt_host_mounted(const struct pt_host *host)
{
	return host->mounted;
}

_public_ int pt_host_note(struct pt_host *host, const char *rule, const char *address,
			  const char *message)
{
	const struct pt_rule *r = pt_rule_find(rule);

	if (!r)
		return -EINVAL;
	return pt_host_add_finding(host, r->id, address, "%s", message);
}

_public_ size_t pt_host_finding_count(const struct pt_host *host)
{
	return host->finding_count;
}

_public_ const struct pt_finding *pt_host_finding(const struct pt_host *host, size_t i)
{
	return i < host->finding_count ? &host->findings[i] : NULL;
}

static const char *const derive_rules[_PT_RESET_METHOD_MAX] = {
	[PT_RESET_FLR] = "K-RESET-FLR",
	[PT_RESET_AF_FLR] = "K-RESET-AF-FLR",
	[PT_RESET_PM] = "K-RESET-PM",
	[PT_RESET_BUS] = "K-RESET-BUS",
};

_public_ void pt_host_trace_rules(const struct pt_host *host, struct pt_trace *trace)
{
	char detail[256];

	if (!trace)
		return;
	if (!host->iommu)
		pt_trace_rule(trace, "K-IOMMU-PRESENT", "host",
			      "no IOMMU: no groups, VFIO cannot assign devices");
	for (size_t i = 0; i < host->group_count; i++) {
		const struct pt_group *g = host->groups[i];
		char subject[32];

		snprintf(subject, sizeof(subject), "group %d", g->id);
		for (size_t b = 0; b < g->blocker_count; b++) {
			snprintf(detail, sizeof(detail), "%s on %s blocks it",
				 g->blockers[b].dev->props.address, g->blockers[b].driver);
			pt_trace_rule(trace, g->blockers[b].rule, subject, detail);
		}
		if (g->blocker_count == 0)
			pt_trace_rule(trace,
				      pt_kver_at_least(&host->kver, 5, 19) ?
					      "K-GROUP-DMA-OWNER" :
					      "K-GROUP-LEGACY-VIABLE",
				      subject, "viable");
	}
	for (size_t i = 0; i < host->unit_count; i++)
		pt_trace_rule(trace, host->units[i].rule, host->units[i].name,
			      host->units[i].reason);
	for (size_t i = 0; i < host->finding_count; i++)
		pt_trace_rule(trace, host->findings[i].rule, host->findings[i].address,
			      host->findings[i].message);
	for (size_t i = 0; i < host->dev_count; i++) {
		const struct pt_dev *d = host->devs[i];

		if (d->reset.source == PT_RESET_SOURCE_KERNEL) {
			pt_trace_rule(trace, "K-RESET-METHOD-ATTR", d->props.address,
				      d->reset_attr ? "the kernel's reset_method" :
						      "no reset_method: no method");
			continue;
		}
		for (size_t m = 0; m < d->reset.count; m++)
			if (derive_rules[d->reset.methods[m]])
				pt_trace_rule(trace, derive_rules[d->reset.methods[m]],
					      d->props.address, "derived from config space");
		pt_trace_rule(trace, "K-RESET-ORDER", d->props.address, "derived order");
	}
}
