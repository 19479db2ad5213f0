/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host model: PCI devices, IOMMU groups, viability and reset capability, scanned once. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "kver.h"
#include "pciconf.h"
#include "reset.h"

/* A PCI address as the kernel prints it, with its NUL: domains up to 7 hex digits. */
#define PT_ADDRESS_SIZE 16
#define PT_DOMAIN_DIGITS_MAX 7

/*
 * A PCI address as a user gives it (upper case, or lspci's short BB:SS.F for domain 0) in
 * the kernel's form ("0000:05:00.0", "10000:e1:00.0"). Returns 0, or -EINVAL for anything
 * that is not a PCI address (the caller says "not a PCI address").
 */
int pt_address_canonical(const char *s, char ret[PT_ADDRESS_SIZE]);

struct pt_host;
struct pt_dev;
struct pt_group;

/* Where a failure was found: the path (relative to the sysfs root) and a one-line reason. */
struct pt_error {
	int code; /* negative errno */
	char path[256]; /* empty when not about one file */
	char reason[256]; /* human-readable, no trailing newline */
};

/* Facts of a device a capture may not show (pt_host_options.unknown). */
enum pt_fact {
	PT_FACT_DRIVER,
	PT_FACT_GROUP,
};

struct pt_host_options {
	/* Kernel version whose rules apply ("5.15", "6.1.0-28-amd64"); NULL: the host's own
	 * (procfs sys/kernel/osrelease), or the newest modelled when the host does not say. */
	const char *kernel;
	/* Resolve vendor/device names through pci.ids (costs a few milliseconds once). */
	bool names;
	/* The capture does not show the kernel release (no osrelease): infer it from what the
	 * devices show (reset_method exists since 5.15), and say it was inferred. */
	bool kernel_not_shown;
	/* With kernel_not_shown: what the capture held that dates the kernel (PT_SHOWN_*). A
	 * paste holds none of it: the kernel is then unknown, never inferred. */
	unsigned kernel_evidence;
	/* Why the capture cannot show the IOMMU state (it holds no iommu class and no group
	 * tree); NULL when it shows it, present or absent. */
	const char *iommu_unknown;
	/* The capture shows that an IOMMU was on where the model serves no group (a group
	 * whose number a copy lost). */
	bool iommu_on;
	/* Why the capture does not show a fact of a device (its driver: a group listing, a copy
	 * without uevent or driver link; its group: a copy that turned the iommu_group link
	 * into a directory), or NULL when it does; ctx is passed back. */
	const char *(*unknown)(void *ctx, const char *address, enum pt_fact fact);
	void *ctx;
};

/* kernel_evidence: the capture holds the devices' kernel uevents (a recording or a tree, not
 * a paste), so an attribute it lacks was absent; and it holds driver_override (3.16+). */
#define PT_SHOWN_UEVENTS (1u << 0)
#define PT_SHOWN_DRIVER_OVERRIDE (1u << 1)

/* Where the kernel version came from. */
enum pt_kver_source {
	PT_KVER_SOURCE_OPTION,
	PT_KVER_SOURCE_HOST,
	PT_KVER_SOURCE_DEFAULT,
	PT_KVER_SOURCE_INFERRED, /* from what the capture shows, see pt_host_options */
	PT_KVER_SOURCE_UNKNOWN, /* nothing dates it: the newest modelled kernel's rules apply */
	_PT_KVER_SOURCE_MAX,
};
const char *pt_kver_source_to_string(enum pt_kver_source s);

/*
 * Scan the host behind be into a new model. The backend stays owned by the caller and must
 * outlive the host. On failure returns a negative errno and, when ret_err is not NULL, fills
 * it with the file and the reason.
 */
int pt_host_new(struct pt_backend *be, const struct pt_host_options *opts, struct pt_host **ret,
		struct pt_error *ret_err);
/* Accepts NULL; returns NULL. */
struct pt_host *pt_host_free(struct pt_host *host);

struct pt_backend *pt_host_backend(const struct pt_host *host);
const struct pt_kver *pt_host_kernel(const struct pt_host *host);
enum pt_kver_source pt_host_kernel_source(const struct pt_host *host);
/* An IOMMU is present when sysfs shows an IOMMU class device or any IOMMU group. */
bool pt_host_iommu_present(const struct pt_host *host);
/* Why the IOMMU state is unknown (pt_host_options.iommu_unknown), or NULL when it is known. */
const char *pt_host_iommu_unknown(const struct pt_host *host);
/* Why the kernel version is unknown (PT_KVER_SOURCE_UNKNOWN), or NULL. Static text. */
const char *pt_host_kernel_unknown(const struct pt_host *host);

size_t pt_host_dev_count(const struct pt_host *host);
/* Devices are sorted by address. */
struct pt_dev *pt_host_dev(const struct pt_host *host, size_t i);
struct pt_dev *pt_host_find_dev(const struct pt_host *host, const char *address);

size_t pt_host_group_count(const struct pt_host *host);
/* Groups are sorted by id. */
struct pt_group *pt_host_group(const struct pt_host *host, size_t i);
struct pt_group *pt_host_find_group(const struct pt_host *host, int id);

/* Things the scan noticed that are not errors (e.g. group links that disagree). */
struct pt_finding {
	const char *rule; /* rule ID from the catalogue */
	char *address; /* device concerned, or NULL */
	char *message;
};
/* Canonical sysfs paths of the block devices holding mounted filesystems or swap; NULL when
 * the host does not show them all (procfs mounts missing, a source that cannot be traced). */
char *const *pt_host_mounted(const struct pt_host *host);

size_t pt_host_finding_count(const struct pt_host *host);
/*
 * Why what config space shows about dev (FLR, PM reset, the derived reset methods) is
 * unknown: "config space is 64 bytes: captured without root", ...; NULL when it is known.
 * ACS lives in extended config space: pt_dev_acs_unknown() says why that is unknown.
 */
const char *pt_dev_config_unknown(const struct pt_dev *dev);
const char *pt_dev_acs_unknown(const struct pt_dev *dev);
/* Add a finding a loader made before the scan (rule: an ID of the catalogue, else -EINVAL;
 * address may be NULL; both strings are copied or looked up). Returns 0 or -errno. */
int pt_host_note(struct pt_host *host, const char *rule, const char *address, const char *message);
const struct pt_finding *pt_host_finding(const struct pt_host *host, size_t i);

/* SR-IOV state of a physical function (values as sysfs shows them). */
struct pt_sriov {
	unsigned totalvfs;
	unsigned numvfs;
	unsigned offset;
	unsigned stride;
	uint16_t vf_device;
	int drivers_autoprobe; /* -1 when the attribute is absent */
	char **vfs; /* VF addresses by index (virtfnN), NULL-terminated */
	size_t vf_count;
};

/* The plain facts of one device. Strings are owned by the device. */
struct pt_dev_props {
	char address[PT_ADDRESS_SIZE]; /* "0000:05:00.0", "10000:e1:00.0" */
	unsigned domain, bus, slot, function;
	uint16_t vendor, device, subsystem_vendor, subsystem_device;
	uint32_t class;
	uint8_t revision;
	uint8_t header_type; /* without the multifunction bit */
	bool multifunction;
	char *driver; /* NULL when unbound */
	char *override; /* NULL when driver_override reads "(null)" or is absent */
	int iommu_group; /* -1 without one */
	int numa_node; /* -1 when unknown */
	char **netdevs; /* NULL-terminated, maybe empty */
	char *physfn; /* the PF's address for a VF, else NULL */
	struct pt_sriov *sriov; /* NULL unless sysfs shows SR-IOV attributes */
	int boot_vga; /* 1, 0, or -1 when absent */
	bool has_reset_file;
	bool not_answering; /* config space reads all ones: ids are sysfs's, no capabilities */
	bool config_missing; /* the capture has no config space: ids are sysfs's */
	char *parent; /* upstream bridge address, NULL on a root bus */
	char *syspath; /* canonical path under the sysfs root */
	char *vendor_name; /* from pci.ids when names were asked for, else NULL */
	char *device_name;
};

const struct pt_dev_props *pt_dev_props(const struct pt_dev *dev);
const char *pt_dev_address(const struct pt_dev *dev);
/* Why the capture does not show dev's driver (props.driver is then NULL), or NULL. */
const char *pt_dev_driver_unknown(const struct pt_dev *dev);
/* Why the capture does not show dev's IOMMU group (props.iommu_group is then -1), or NULL. */
const char *pt_dev_group_unknown(const struct pt_dev *dev);
/* The reset methods the host shows (reset_method) or, before 5.15, the derived ones. */
const struct pt_reset_info *pt_dev_reset(const struct pt_dev *dev);
/* Always derived from config space and topology, to compare with the kernel's list. */
const struct pt_reset_info *pt_dev_reset_derived(const struct pt_dev *dev);
const struct pt_pciconf *pt_dev_config(const struct pt_dev *dev);
struct pt_group *pt_dev_group(const struct pt_dev *dev);

/* A device's own bus (another device below the same bridge with the same bus number). */
size_t pt_dev_bus_sibling_count(const struct pt_dev *dev);

/* Why a device the host may need is flagged; none for an ordinary device. */
enum pt_critical {
	PT_CRITICAL_NONE,
	PT_CRITICAL_BOOT_VGA,
	PT_CRITICAL_STORAGE,
	PT_CRITICAL_DEFAULT_ROUTE,
	PT_CRITICAL_NETWORK_ROOT,
	_PT_CRITICAL_MAX,
};
const char *pt_critical_to_string(enum pt_critical c);
const char *pt_critical_describe(enum pt_critical c);
/* Flagged only on evidence: a mount or swap on it, the boot VGA, a route or root through it. */
enum pt_critical pt_dev_critical(const struct pt_dev *dev);
/* The stacked interfaces the route or root goes through to this NIC ("br0 -> bond0"), when
 * it is flagged through a bond, bridge, VLAN...; NULL when its own netdev carries it. */
const char *pt_dev_critical_via(const struct pt_dev *dev);
/*
 * Why a device not flagged may still be needed by the host, when the data cannot show it (a
 * storage controller on a host whose mounts are not shown, a NIC on a host whose root is on
 * the network through an interface not shown); NULL when nothing is unknown. A VF created
 * after the engine first read the host is exempt: it holds nothing the host had then.
 */
const char *pt_dev_critical_unknown(const struct pt_dev *dev);

struct pt_trace;

/*
 * Record in trace the rules the scan applied: IOMMU presence, each group's viability (one
 * event per blocker, or one saying it is viable), group links that disagree, and where each
 * device's reset methods came from (the kernel's list, or the derivation's rules).
 */
void pt_host_trace_rules(const struct pt_host *host, struct pt_trace *trace);

/* One member of a group that stops it being viable. */
struct pt_blocker {
	struct pt_dev *dev;
	const char *driver;
	const char *rule;
};

int pt_group_id(const struct pt_group *group);
size_t pt_group_member_count(const struct pt_group *group);
struct pt_dev *pt_group_member(const struct pt_group *group, size_t i);
/* Default-domain type from kernel/iommu_groups/N/type, or NULL when not shown. */
const char *pt_group_type(const struct pt_group *group);
bool pt_group_viable(const struct pt_group *group);
/* A member whose driver the capture does not show (pt_dev_driver_unknown()): whether the
 * group is viable is then unknown. NULL when every member's driver is known. */
const struct pt_dev *pt_group_unknown_member(const struct pt_group *group);
size_t pt_group_blocker_count(const struct pt_group *group);
const struct pt_blocker *pt_group_blocker(const struct pt_group *group, size_t i);

/*
 * Whether a driver keeps DMA ownership of its device's group under the rules of kernel kv
 * (driver_managed_dma false since 5.19; the VFIO allow-list before). header_type is the
 * device's, for the older rule's bridge exemption. Returns true when a device bound to
 * driver blocks its group; *ret_rule names the rule that decided.
 */
bool pt_driver_blocks_group(const char *driver, uint8_t header_type, const struct pt_kver *kv,
			    bool has_vfio_dev, const char **ret_rule);
