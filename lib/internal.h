/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bodies of the host model's objects, shared by lib/ only. */
#pragma once

#include <stdarg.h>

#include "macro.h"

#include "host.h"
#include "memattr.h"
#include "pciconf.h"
#include "reset.h"

struct pt_dev {
	struct pt_host *host;
	struct pt_dev_props props;
	struct pt_pciconf cfg;
	struct pt_reset_info reset; /* what the host says, or derived when it cannot */
	struct pt_reset_info reset_derived; /* always derived, to compare with the kernel's */
	bool reset_attr; /* reset_method attribute present */
	struct pt_group *group;
	size_t bus_siblings;
	bool has_vfio_dev; /* a vfio-dev/ directory: bound to a VFIO driver (6.1+) */
	enum pt_critical critical;
	const char *critical_via; /* the stacked interfaces the route goes through (host's) */
	const char *driver_unknown; /* why the capture does not show the driver, or NULL */
	const char *group_unknown; /* why it does not show the IOMMU group, or NULL */
};

struct pt_group {
	int id;
	char *type;
	struct pt_dev **members;
	size_t member_count;
	struct pt_blocker *blockers;
	size_t blocker_count;
};

struct pt_carrier {
	char *name;
	char *via;
	bool netroot; /* below the network root's interface, not the default route's */
};

struct pt_host {
	struct pt_backend *be;
	struct pt_kver kver;
	enum pt_kver_source kver_source;
	const char *kver_unknown; /* why the kernel is unknown (static text), or NULL */
	bool iommu;
	char *iommu_unknown; /* why the IOMMU state is unknown, or NULL */
	bool names;
	struct pt_dev **devs;
	size_t dev_count;
	struct pt_group **groups;
	size_t group_count;
	struct pt_finding *findings;
	size_t finding_count;
	struct pt_pciconf_parser *parser;
	char default_route_if[64]; /* empty when unknown */
	/* Canonical sysfs paths of the block devices holding mounted filesystems; NULL when the
	 * host does not show its mounts (then a storage controller only gets a warning). */
	char **mounted;
	struct pt_iommu_unit *units; /* class/iommu, in listing order */
	size_t unit_count;
	/* The network root (hostcrit.c): "nfs", "iscsi", "nbd", or NULL when none is shown. */
	const char *netroot;
	char **netroot_ifs; /* the interfaces named or routed to the server, or NULL */
	char netroot_mac[18]; /* the booting NIC's MAC (BOOTIF=, iBFT), or empty */
	unsigned long netroot_server; /* the server's IPv4 address, when known */
	unsigned char netroot_server6[16]; /* or its IPv6 address (netroot_server_is6) */
	bool netroot_server_known;
	bool netroot_server_is6;
	char default_route6_if[64]; /* net/ipv6_route's ::/0, empty when none */
	/* Interfaces below a route's virtual interface (bond, bridge, VLAN...): lower_* links
	 * followed down, each with the chain above it ("br0 -> bond0"). */
	struct pt_carrier *carriers;
	size_t carrier_count;
	/* Addresses the engine's first scan saw, sorted (borrowed from the engine; NULL unless
	 * that host's mounts were unknown): a VF missing from it was created since. */
	char *const *initial;
	size_t initial_count;
};

/*
 * Scan one device named by its bus/pci/devices entry. dir is its canonical directory when the
 * caller found it by walking the devices/ tree, with that directory's sorted listing (still
 * owned by the caller); NULL resolves the bus link and lists the directory here.
 */
int pt_dev_scan(struct pt_host *host, const char *name, const char *dir, char **entries,
		size_t entry_count, struct pt_dev **ret, struct pt_error *err);
/* Work out what needs the whole device list: siblings, derived resets, criticality. */
void pt_dev_finish(struct pt_dev *dev);
struct pt_dev *pt_dev_free(struct pt_dev *dev);

/* Read the IOMMU units named (class/iommu's listing) into host->units (memattr.c). */
int pt_host_scan_units(struct pt_host *host, char **names, size_t n);
/* The host's network root and its interface (hostcrit.c). */
int pt_host_scan_netroot(struct pt_host *host);
void pt_host_free_netroot(struct pt_host *host);
/* NETWORK_ROOT, DEFAULT_ROUTE or NONE; *via names the chain when through stacked ones. */
enum pt_critical pt_dev_net_critical(const struct pt_dev *dev, const char **via);
/* A sorted copy of the host's device addresses (NULL-terminated; the caller frees it). */
int pt_host_remember_initial(struct pt_host *host, char ***ret, size_t *ret_count);

/* Build the groups from the devices' links and kernel/iommu_groups, then viability. */
int pt_host_build_groups(struct pt_host *host, struct pt_error *err);
struct pt_group *pt_group_free(struct pt_group *group);
int pt_group_evaluate(struct pt_group *group, const struct pt_kver *kv);

int pt_host_add_finding(struct pt_host *host, const char *rule, const char *address,
			const char *fmt, ...) _printf_(4, 5);

/* Fill err (when not NULL) and return code. */
int pt_error_set(struct pt_error *err, int code, const char *path, const char *fmt, ...)
	_printf_(4, 5);

/* Parsers for sysfs attribute text; all strict, -EINVAL on anything else. */
int pt_parse_hex(const char *s, unsigned long max, unsigned long *ret);
int pt_parse_int(const char *s, long min, long max, long *ret);
/* "0000:05:00.0", "10000:e1:00.0" -> its parts; -EINVAL unless exactly the kernel's form. */
int pt_parse_address(const char *s, unsigned *domain, unsigned *bus, unsigned *slot,
		     unsigned *function);
/* Lexically resolve a link target relative to the directory holding the link (both below
 * the sysfs root); -EXDEV when it climbs above the root. */
int pt_resolve_relative(const char *linkdir, const char *target, char *buf, size_t size);
/* Append a copy of s to a NULL-terminated array (allocated when NULL). */
int pt_strv_append(char ***strv, const char *s);
/* The last component of a link target. */
const char *pt_basename(const char *path);
