/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Memory attributes of an assignable device: DMA cache coherency (snoop control) and WC BARs. */

/*
 * The plan: whether a VM's RAM can stay write-back while a device DMAs into it depends on the
 * IOMMU, not on the device: a VFIO domain on a unit that can force snooping sets that bit in
 * every mapping, and then a No Snoop request from the device is snooped anyway (the kernel's
 * enforce_cache_coherency, answered to user space as VFIO_DMA_CC_IOMMU). Where the unit cannot,
 * KVM has to honour the guest's memory types for the VM (a cost, not a refusal), whatever the
 * device's No Snoop enable shows now: vfio-pci passes the guest's DevCtl writes through. So the
 * units are read once with the host (class/iommu), and a device's verdict is its unit's, found
 * through its iommu link, or the one answer every unit gives when the link is not shown.
 *
 * Write-combining is per BAR: the kernel offers resourceN_wc for a prefetchable memory BAR
 * (when the architecture can map WC: PAT on x86), and vfio-pci maps every BAR uncached on
 * every modelled kernel. A recording has no resourceN files, so the first is unknown there.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "memattr.h"

/* include/linux/ioport.h: the flags the resource file shows. */
#define IORESOURCE_IO 0x00000100
#define IORESOURCE_MEM 0x00000200
#define IORESOURCE_PREFETCH 0x00002000
#define IORESOURCE_MEM_64 0x00100000

/* PCIe Device Control (offset 8 in the PCIe capability): Enable No Snoop. */
#define DEVCTL_NOSNOOP 0x0800 /* PCI_EXP_DEVCTL_NOSNOOP */

static const char *const tri_names[_PT_TRI_MAX] = {
	[PT_TRI_UNKNOWN] = "unknown",
	[PT_TRI_NO] = "no",
	[PT_TRI_YES] = "yes",
};

_public_ const char *pt_tri_to_string(enum pt_tri t)
{
	return (unsigned)t < _PT_TRI_MAX ? tri_names[t] : NULL;
}

static const char *const kind_names[_PT_IOMMU_KIND_MAX] = {
	[PT_IOMMU_INTEL] = "intel",
	[PT_IOMMU_AMD] = "amd",
	[PT_IOMMU_OTHER] = "other",
};

_public_ const char *pt_iommu_kind_to_string(enum pt_iommu_kind k)
{
	return (unsigned)k < _PT_IOMMU_KIND_MAX ? kind_names[k] : NULL;
}

/* A hexadecimal register as sysfs prints it ("%llx\n"); -errno when absent or not a number. */
static int read_reg(struct pt_backend *be, const char *unit, const char *attr, uint64_t *ret)
{
	char path[256], buf[64], *end;
	unsigned long long v;
	int r;

	snprintf(path, sizeof(path), "class/iommu/%s/%s", unit, attr);
	r = pt_backend_read_line(be, PT_NS_SYS, path, buf, sizeof(buf));
	if (r < 0)
		return r;
	errno = 0;
	v = strtoull(buf, &end, 16);
	if (errno || end == buf || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

/*
 * The register sets each kind shows, in the order they are tried; a unit showing neither is
 * of another kind. What decides snoop control is in decide_unit().
 */
static const struct {
	enum pt_iommu_kind kind;
	const char *cap, *ecap;
} unit_regs[] = {
	{ PT_IOMMU_INTEL, "intel-iommu/cap", "intel-iommu/ecap" },
	{ PT_IOMMU_AMD, "amd-iommu/cap", "amd-iommu/features" },
};

static void decide_unit(struct pt_iommu_unit *u)
{
	switch (u->kind) {
	case PT_IOMMU_INTEL:
		u->rule = "K-IOMMU-SNOOP-CONTROL";
		if (!u->ecap_shown) {
			snprintf(u->reason, sizeof(u->reason),
				 "%s: VT-d ecap not readable: snoop control unknown", u->name);
			return;
		}
		u->snoop_control = u->ecap & PT_VTD_ECAP_SC ? PT_TRI_YES : PT_TRI_NO;
		snprintf(u->reason, sizeof(u->reason),
			 "%s: VT-d ecap %" PRIx64 ", Snoop Control %s", u->name, u->ecap,
			 u->snoop_control == PT_TRI_YES ? "set (bit 7)" : "clear (bit 7)");
		return;
	case PT_IOMMU_AMD:
		u->rule = "K-IOMMU-AMD-COHERENT";
		u->snoop_control = PT_TRI_YES;
		snprintf(u->reason, sizeof(u->reason),
			 "%s: AMD-Vi sets Force Coherent in every I/O page-table entry", u->name);
		return;
	default:
		u->rule = "K-IOMMU-SNOOP-CONTROL";
		snprintf(u->reason, sizeof(u->reason),
			 "%s: neither an Intel nor an AMD IOMMU: whether it forces snooping is "
			 "not shown in sysfs",
			 u->name);
	}
}

int pt_host_scan_units(struct pt_host *host, char **names, size_t n)
{
	host->units = calloc(n ? n : 1, sizeof(*host->units));
	if (!host->units)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct pt_iommu_unit *u = &host->units[host->unit_count];

		if (strlen(names[i]) >= sizeof(u->name) || strchr(names[i], '/'))
			continue;
		snprintf(u->name, sizeof(u->name), "%s", names[i]);
		u->kind = PT_IOMMU_OTHER;
		for (size_t k = 0; k < ELEMENTSOF(unit_regs); k++) {
			char probe[128];
			uint64_t v;
			int r;

			snprintf(probe, sizeof(probe), "class/iommu/%s/%.*s", u->name,
				 (int)(strchr(unit_regs[k].cap, '/') - unit_regs[k].cap),
				 unit_regs[k].cap);
			r = read_reg(host->be, u->name, unit_regs[k].ecap, &v);
			if (r < 0 && pt_backend_exists(host->be, PT_NS_SYS, probe) <= 0)
				continue;
			u->kind = unit_regs[k].kind;
			u->ecap = r == 0 ? v : 0;
			u->ecap_shown = r == 0;
			u->cap_shown = read_reg(host->be, u->name, unit_regs[k].cap, &u->cap) == 0;
			break;
		}
		decide_unit(u);
		host->unit_count++;
	}
	return 0;
}

_public_ size_t pt_host_iommu_unit_count(const struct pt_host *host)
{
	return host->unit_count;
}

_public_ const struct pt_iommu_unit *pt_host_iommu_unit(const struct pt_host *host, size_t i)
{
	return i < host->unit_count ? &host->units[i] : NULL;
}

/* The unit the device's iommu link names; NULL (and *ret_shown false) when there is none. */
static const struct pt_iommu_unit *dev_unit(const struct pt_dev *dev, bool *ret_shown)
{
	const struct pt_host *host = dev->host;
	char path[PATH_MAX], target[PATH_MAX];
	const char *name;

	*ret_shown = false;
	if (!dev->props.syspath ||
	    snprintf(path, sizeof(path), "%s/iommu", dev->props.syspath) >= (int)sizeof(path) ||
	    pt_backend_readlink(host->be, PT_NS_SYS, path, target, sizeof(target)) < 0)
		return NULL;
	*ret_shown = true;
	name = pt_basename(target);
	for (size_t i = 0; i < host->unit_count; i++)
		if (strcmp(host->units[i].name, name) == 0)
			return &host->units[i];
	return NULL;
}

/* The answer every unit gives, or unknown when they differ or there is none. */
static enum pt_tri all_units(const struct pt_host *host)
{
	enum pt_tri t = PT_TRI_UNKNOWN;

	for (size_t i = 0; i < host->unit_count; i++) {
		if (host->units[i].snoop_control == PT_TRI_UNKNOWN ||
		    (i > 0 && host->units[i].snoop_control != t))
			return PT_TRI_UNKNOWN;
		t = host->units[i].snoop_control;
	}
	return t;
}

static void no_snoop_of(const struct pt_dev *dev, struct pt_memattr *m)
{
	if (dev->props.config_missing || dev->props.not_answering || pt_dev_config_unknown(dev) ||
	    !dev->cfg.pcie)
		m->no_snoop = PT_TRI_UNKNOWN;
	else
		m->no_snoop = dev->cfg.devctl & DEVCTL_NOSNOOP ? PT_TRI_YES : PT_TRI_NO;
}

static void decide_coherency(const struct pt_dev *dev, struct pt_memattr *m)
{
	const struct pt_host *host = dev->host;
	bool shown;
	enum pt_tri t;
	const char *why;

	m->rule = "K-IOMMU-SNOOP-CONTROL";
	if (dev->props.iommu_group < 0) {
		snprintf(m->reason, sizeof(m->reason), "no IOMMU group: not assignable");
		return;
	}
	m->unit = dev_unit(dev, &shown);
	if (m->unit) {
		t = m->unit->snoop_control;
		why = m->unit->reason;
		m->rule = m->unit->rule;
	} else if (shown) {
		snprintf(m->reason, sizeof(m->reason),
			 "its iommu link names a unit class/iommu does not show");
		return;
	} else if ((t = all_units(host)) != PT_TRI_UNKNOWN) {
		why = host->unit_count == 1 ? host->units[0].reason : "every IOMMU unit agrees";
		m->rule = host->units[0].rule;
	} else {
		snprintf(
			m->reason, sizeof(m->reason), "%s",
			host->unit_count == 1 ?
				host->units[0].reason :
			host->unit_count ?
				"no iommu link, and the host's IOMMU units do not all agree" :
				"the host shows no IOMMU unit (class/iommu): snoop control unknown");
		return;
	}
	m->coherent = t;
	if (t == PT_TRI_YES)
		snprintf(m->reason, sizeof(m->reason),
			 "%s: the IOMMU forces snooping, so DMA is coherent even with No Snoop",
			 why);
	else if (t == PT_TRI_NO)
		snprintf(
			m->reason, sizeof(m->reason),
			"%s: No Snoop requests bypass the CPU caches, so the hypervisor must honour "
			"the guest's memory types%s",
			why,
			m->no_snoop == PT_TRI_YES ?
				" (the device's No Snoop enable is set)" :
			m->no_snoop == PT_TRI_NO ?
				" (the device's No Snoop enable is clear, but the "
				"guest can set it: vfio-pci passes DevCtl writes "
				"through)" :
				"");
	else
		snprintf(m->reason, sizeof(m->reason), "%s", why);
}

/* One line of the resource file: "0x<start> 0x<end> 0x<flags>". */
static void parse_bar(const char *line, unsigned index, const struct pt_dev *dev,
		      struct pt_memattr *m)
{
	unsigned long long start, end, flags;
	struct pt_bar_attr *b;
	char path[PATH_MAX];
	int r;

	if (sscanf(line, "%llx %llx %llx", &start, &end, &flags) != 3 || end <= start ||
	    !(flags & (IORESOURCE_IO | IORESOURCE_MEM)))
		return;
	b = &m->bars[m->bar_count++];
	*b = (struct pt_bar_attr){ .index = index, .size = end - start + 1 };
	b->io = flags & IORESOURCE_IO;
	b->prefetchable = !b->io && (flags & IORESOURCE_PREFETCH);
	b->mem64 = !b->io && (flags & IORESOURCE_MEM_64);
	/* The WC file exists only for a prefetchable memory BAR (pci_create_resource_files). */
	b->sysfs_wc = PT_TRI_NO;
	if (b->prefetchable) {
		snprintf(path, sizeof(path), "%s/resource%u", dev->props.syspath, index);
		if (pt_backend_exists(dev->host->be, PT_NS_SYS, path) <= 0) {
			b->sysfs_wc = PT_TRI_UNKNOWN;
			b->sysfs_wc_unknown = "the capture does not show the resourceN files";
		} else {
			snprintf(path, sizeof(path), "%s/resource%u_wc", dev->props.syspath, index);
			r = pt_backend_exists(dev->host->be, PT_NS_SYS, path);
			b->sysfs_wc = r > 0 ? PT_TRI_YES : PT_TRI_NO;
		}
	}
	/* vfio_pci_core_mmap() maps with pgprot_noncached() on every modelled kernel. */
	b->vfio_wc = pt_kver_modelled(&dev->host->kver) ? PT_TRI_NO : PT_TRI_UNKNOWN;
}

static void scan_bars(const struct pt_dev *dev, struct pt_memattr *m)
{
	char path[PATH_MAX], buf[4096], *save = NULL, *line;
	size_t len;
	unsigned index = 0;

	if (!dev->props.syspath ||
	    snprintf(path, sizeof(path), "%s/resource", dev->props.syspath) >= (int)sizeof(path) ||
	    pt_backend_read(dev->host->be, PT_NS_SYS, path, buf, sizeof(buf) - 1, &len) < 0) {
		m->bars_unknown = "no resource file: the BARs are not shown";
		return;
	}
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line && index < PT_BAR_COUNT;
	     line = strtok_r(NULL, "\n", &save), index++)
		parse_bar(line, index, dev, m);
}

_public_ int pt_dev_memattr(const struct pt_dev *dev, struct pt_memattr *ret)
{
	struct pt_memattr m = { .coherent = PT_TRI_UNKNOWN };

	if (!dev || !ret)
		return -EINVAL;
	no_snoop_of(dev, &m);
	decide_coherency(dev, &m);
	scan_bars(dev, &m);
	*ret = m;
	return 0;
}
