/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* certify: the checks that only look at the host, and the table of all checks. */

#include <stdio.h>
#include <string.h>

#include "certify-internal.h"
#include "memattr.h"

const char *const pth_cert_profile_names[_PTH_CERT_PROFILE_MAX] = { "generic", "nic", "gpu",
								    "nvme" };

/* ---- read-only checks ---- */

static enum pth_cert_status check_iommu(struct cert *c, struct cert_result *r)
{
	if (!pt_host_iommu_present(pt_engine_host(c->s.engine)))
		return pth_cert_set(
			r, PTH_CERT_FAIL,
			"no IOMMU: no iommu class device and no IOMMU groups (enable VT-d/AMD-Vi "
			"and intel_iommu=on)");
	return pth_cert_set(r, PTH_CERT_PASS, "IOMMU present, IOMMU groups shown");
}

static enum pth_cert_status check_intremap(struct cert *c, struct cert_result *r)
{
	struct pt_backend *be = c->s.be;
	g_auto(GStrv) names = NULL;
	size_t n = 0;

	if (pt_backend_list(be, PT_NS_SYS, "class/iommu", &names, &n) < 0 || n == 0)
		return pth_cert_set(r, PTH_CERT_FAIL,
				    "no IOMMU class device: interrupt remapping unknown");
	for (size_t i = 0; i < n; i++) {
		g_autofree char *path =
			g_strdup_printf("class/iommu/%s/intel-iommu/ecap", names[i]);
		char buf[64];
		unsigned long long v;

		if (pt_backend_read_line(be, PT_NS_SYS, path, buf, sizeof(buf)) < 0) {
			return pth_cert_set(
				r, PTH_CERT_SKIP,
				"%s: not an Intel IOMMU; interrupt remapping not shown in sysfs",
				names[i]);
		}
		/* VT-d extended capability bit 3: interrupt remapping. */
		if (sscanf(buf, "%llx", &v) != 1 || !(v & 0x8))
			return pth_cert_set(
				r, PTH_CERT_FAIL,
				"%s: no interrupt remapping (ecap %s, bit 3 clear): VFIO type1 "
				"refuses without allow_unsafe_interrupts",
				names[i], buf);
	}
	return pth_cert_set(r, PTH_CERT_PASS,
			    "interrupt remapping on every IOMMU (VT-d ecap bit 3)");
}

static enum pth_cert_status check_group(struct cert *c, struct cert_result *r)
{
	const struct pt_dev *d = pth_cert_dev(c, c->dut);
	const struct pt_group *g = pt_dev_group(d);
	g_autoptr(GString) others = g_string_new(NULL);

	if (!g)
		return pth_cert_set(r, PTH_CERT_FAIL, "%s has no IOMMU group", c->dut);
	for (size_t i = 0; i < pt_group_member_count(g); i++) {
		const struct pt_dev_props *p = pt_dev_props(pt_group_member(g, i));

		if (!pth_cert_same_slot(p, pt_dev_props(d)))
			g_string_append_printf(others, "%s%s", others->len ? ", " : "", p->address);
	}
	if (others->len)
		return pth_cert_set(r, PTH_CERT_FAIL,
				    "group %d also holds %s: they can only be assigned together",
				    pt_group_id(g), others->str);
	return pth_cert_set(r, PTH_CERT_PASS, "group %d holds only %s's own function(s) (%zu)",
			    pt_group_id(g), c->dut, pt_group_member_count(g));
}

static enum pth_cert_status check_acs(struct cert *c, struct cert_result *r)
{
	g_autoptr(GString) without = g_string_new(NULL);
	const char *up = pt_dev_props(pth_cert_dev(c, c->dut))->parent;
	size_t bridges = 0;

	for (; up; bridges++) {
		const struct pt_dev *b = pth_cert_dev(c, up);
		const struct pt_pciconf *cfg;

		if (!b)
			break;
		cfg = pt_dev_config(b);
		if (!cfg->acs || (cfg->acs_ctrl & PT_ACS_REQUIRED) != PT_ACS_REQUIRED)
			g_string_append_printf(without, "%s%s", without->len ? ", " : "", up);
		up = pt_dev_props(b)->parent;
	}
	if (bridges == 0)
		return pth_cert_set(r, PTH_CERT_PASS, "on a root bus: no bridge upstream");
	if (without->len == 0)
		return pth_cert_set(r, PTH_CERT_PASS,
				    "ACS (SV RR CR UF) enabled on all %zu upstream bridge(s)",
				    bridges);
	/* The kernel's groups already say what ACS allows: a bridge without ACS that still
	 * leaves the DUT alone (a single-slot root port) isolates it. */
	if (check_group(c, r) == PTH_CERT_PASS)
		return pth_cert_set(r, PTH_CERT_PASS,
				    "no ACS on %s, but the IOMMU group shows the DUT isolated",
				    without->str);
	return pth_cert_set(r, PTH_CERT_FAIL, "no ACS (SV RR CR UF) on upstream bridge(s) %s",
			    without->str);
}

/* The class a profile expects (base << 16 | sub << 8, prog-if ignored), and its name. */
static const struct {
	uint32_t class, mask;
	const char *what;
} profile_class[_PTH_CERT_PROFILE_MAX] = {
	[PTH_CERT_GENERIC] = { 0, 0, "any device" },
	[PTH_CERT_NIC] = { 0x020000, 0xff0000, "a network controller (class 02)" },
	[PTH_CERT_GPU] = { 0x030000, 0xff0000, "a display controller (class 03)" },
	[PTH_CERT_NVME] = { 0x010800, 0xffff00, "an NVM controller (class 0108)" },
};

/* The profile a class calls for: the first whose class matches, else generic. */
enum pth_cert_profile pth_cert_profile_of_class(uint32_t class)
{
	for (int i = PTH_CERT_GENERIC + 1; i < _PTH_CERT_PROFILE_MAX; i++)
		if ((class & profile_class[i].mask) == profile_class[i].class)
			return i;
	return PTH_CERT_GENERIC;
}

static enum pth_cert_status check_profile(struct cert *c, struct cert_result *r)
{
	const struct pt_dev_props *p = pt_dev_props(pth_cert_dev(c, c->dut));

	if (c->profile == PTH_CERT_GENERIC)
		return pth_cert_set(r, PTH_CERT_SKIP, "generic profile: any class");
	if ((p->class & profile_class[c->profile].mask) != profile_class[c->profile].class)
		return pth_cert_set(r, PTH_CERT_FAIL,
				    "profile %s wants %s; the DUT's class is %06x",
				    pth_cert_profile_names[c->profile],
				    profile_class[c->profile].what, p->class);
	if (c->profile == PTH_CERT_NIC && !(p->netdevs && p->netdevs[0]))
		return pth_cert_set(
			r, PTH_CERT_FAIL,
			"profile nic: the DUT has no network interface on its host driver");
	return pth_cert_set(r, PTH_CERT_PASS, "%s, as profile %s wants",
			    profile_class[c->profile].what, pth_cert_profile_names[c->profile]);
}

static enum pth_cert_status check_endpoint(struct cert *c, struct cert_result *r)
{
	const struct pt_dev_props *p = pt_dev_props(pth_cert_dev(c, c->dut));

	if (p->header_type != 0)
		return pth_cert_set(r, PTH_CERT_FAIL, "header type %u: a bridge, not an endpoint",
				    p->header_type);
	return pth_cert_set(r, PTH_CERT_PASS, "header type 0 (endpoint)");
}

static enum pth_cert_status check_reset_methods(struct cert *c, struct cert_result *r)
{
	const struct pt_reset_info *ri = pt_dev_reset(pth_cert_dev(c, c->dut));
	g_autoptr(GString) list = g_string_new(NULL);

	if (ri->count == 0)
		return pth_cert_set(r, PTH_CERT_FAIL,
				    "no reset method (%s): the device cannot be reset between VMs",
				    ri->source == PT_RESET_SOURCE_KERNEL ?
					    "the kernel's reset_method is empty" :
					    "none derivable from config space");
	for (size_t i = 0; i < ri->count; i++)
		g_string_append_printf(list, "%s%s", i ? " " : "",
				       pt_reset_method_to_string(ri->methods[i]));
	return pth_cert_set(r, PTH_CERT_PASS, "%s (%s)", list->str,
			    pt_reset_source_to_string(ri->source));
}

/* ---- informational and GPU checks ---- */

static enum pth_cert_status check_migration(struct cert *c, struct cert_result *r)
{
	if (!c->opened)
		return pth_cert_set(r, PTH_CERT_SKIP, "not known: the VFIO open did not succeed");
	if (c->info.migration)
		return pth_cert_set(r, PTH_CERT_PASS, "the device reports VFIO migration");
	return pth_cert_set(
		r, PTH_CERT_SKIP,
		"informational: no VFIO migration on vfio-pci (a variant driver may add it)");
}

/*
 * Snoop control: pass when the IOMMU keeps the DUT's DMA coherent. The kernel's answer
 * (VFIO_DMA_CC_IOMMU on the container the VFIO open set up) decides; without it, what sysfs
 * shows of the IOMMU unit. Non-coherent DMA is a cost for the VM, so it is informational.
 */
static enum pth_cert_status check_coherency(struct cert *c, struct cert_result *r)
{
	struct pt_memattr m;
	enum pt_tri kernel = PT_TRI_UNKNOWN;

	if (pt_dev_memattr(pth_cert_dev(c, c->dut), &m) < 0)
		return pth_cert_set(r, PTH_CERT_SKIP, "not known: out of memory");
	if (c->opened && c->info.dma_cc >= 0)
		kernel = c->info.dma_cc ? PT_TRI_YES : PT_TRI_NO;
	if (kernel == PT_TRI_YES || (kernel == PT_TRI_UNKNOWN && m.coherent == PT_TRI_YES))
		return pth_cert_set(
			r, PTH_CERT_PASS, "DMA is cache-coherent: %s%s; sysfs: %s",
			kernel ? "VFIO_DMA_CC_IOMMU is 1" : "predicted from sysfs (no VFIO answer)",
			kernel && m.coherent == PT_TRI_NO ? " (sysfs predicted no)" : "", m.reason);
	if (kernel == PT_TRI_NO || m.coherent == PT_TRI_NO)
		return pth_cert_set(r, PTH_CERT_SKIP,
				    "informational: DMA is not cache-coherent (%s%s): a VM with it "
				    "needs the hypervisor's non-coherent-DMA handling; sysfs: %s",
				    kernel ? "VFIO_DMA_CC_IOMMU is 0" : "predicted from sysfs",
				    kernel && m.coherent == PT_TRI_YES ? ", sysfs predicted yes" :
									 "",
				    m.reason);
	return pth_cert_set(r, PTH_CERT_SKIP, "not known: %s", m.reason);
}

/* Write-combining of the DUT's BARs, for GPU and NIC profiles: facts, so informational. */
static enum pth_cert_status check_wc(struct cert *c, struct cert_result *r)
{
	g_autoptr(GString) facts = g_string_new(NULL);
	struct pt_memattr m;
	size_t pref = 0;

	if (pt_dev_memattr(pth_cert_dev(c, c->dut), &m) < 0 || m.bars_unknown)
		return pth_cert_set(r, PTH_CERT_SKIP, "not known: %s",
				    m.bars_unknown ? m.bars_unknown : "out of memory");
	for (size_t i = 0; i < m.bar_count; i++) {
		const struct pt_bar_attr *b = &m.bars[i];

		if (b->io)
			continue;
		pref += b->prefetchable;
		g_string_append_printf(
			facts,
			"%sBAR%u %" G_GUINT64_FORMAT " bytes %s: "
			"resource%u_wc %s%s%s%s, vfio-pci WC %s",
			facts->len ? "; " : "", b->index, b->size,
			b->prefetchable ? "prefetchable" : "not prefetchable", b->index,
			pt_tri_to_string(b->sysfs_wc), b->sysfs_wc_unknown ? " (" : "",
			b->sysfs_wc_unknown ? b->sysfs_wc_unknown : "",
			b->sysfs_wc_unknown ? ")" : "", pt_tri_to_string(b->vfio_wc));
	}
	if (!facts->len)
		return pth_cert_set(r, PTH_CERT_SKIP, "informational: no memory BAR");
	return pth_cert_set(r, PTH_CERT_SKIP, "informational: %zu prefetchable memory BAR(s): %s",
			    pref, facts->str);
}

static bool is_gpu(struct cert *c)
{
	return c->profile == PTH_CERT_GPU ||
	       (pt_dev_props(pth_cert_dev(c, c->dut))->class >> 16) == 0x03;
}

static enum pth_cert_status check_boot_vga(struct cert *c, struct cert_result *r)
{
	const struct pt_dev_props *p = pt_dev_props(pth_cert_dev(c, c->dut));

	if (!is_gpu(c))
		return pth_cert_set(r, PTH_CERT_SKIP, "not a display controller");
	if (p->boot_vga < 0)
		return pth_cert_set(r, PTH_CERT_PASS,
				    "no boot_vga attribute: not the boot display");
	if (p->boot_vga == 1)
		return pth_cert_set(r, PTH_CERT_FAIL,
				    "the boot VGA device: the host console uses it");
	return pth_cert_set(r, PTH_CERT_PASS, "not the boot VGA device");
}

static enum pth_cert_status check_rom(struct cert *c, struct cert_result *r)
{
	/* VFIO_PCI_ROM_REGION_INDEX */
	const uint32_t rom = 6;

	if (!is_gpu(c))
		return pth_cert_set(r, PTH_CERT_SKIP, "not a display controller");
	if (c->dut_dead)
		return pth_cert_set(r, PTH_CERT_SKIP,
				    "not known: %s does not answer since its reset", c->dut);
	if (!c->opened)
		return pth_cert_set(r, PTH_CERT_FAIL,
				    "the VFIO open did not succeed: ROM not seen");
	if (c->info.num_regions <= rom || c->info.regions[rom].result < 0 ||
	    c->info.regions[rom].size == 0)
		return pth_cert_set(r, PTH_CERT_FAIL,
				    "no ROM region through VFIO: the guest gets no VBIOS");
	return pth_cert_set(r, PTH_CERT_PASS, "ROM region of %" G_GUINT64_FORMAT " bytes",
			    c->info.regions[rom].size);
}

/* The GPU's audio function went to vfio-pci with it (a guest needs the whole group) and came
 * back to where it was. */
static enum pth_cert_status check_audio(struct cert *c, struct cert_result *r)
{
	if (!is_gpu(c))
		return pth_cert_set(r, PTH_CERT_SKIP, "not a display controller");
	if (c->dut_dead)
		return pth_cert_set(r, PTH_CERT_SKIP,
				    "not known: %s does not answer since its reset", c->dut);
	for (guint i = 1; i < c->unit->len; i++) {
		const char *addr = c->unit->pdata[i];
		const struct pt_dev_props *p = pt_dev_props(pth_cert_dev(c, addr));
		const char *was = g_hash_table_lookup(c->before, addr);
		g_autofree char *now = NULL;

		if ((p->class >> 8) != 0x0403)
			continue;
		if (!g_hash_table_contains(c->moved, addr))
			return pth_cert_set(
				r, PTH_CERT_FAIL,
				"audio function %s in the same group was not bound to vfio-pci "
				"with the GPU",
				addr);
		if (c->unit_on_vfio)
			return pth_cert_set(
				r, PTH_CERT_PASS,
				"audio function %s in the same group is on vfio-pci with the GPU",
				addr);
		now = pth_cert_dev_state(c, addr);
		if (strcmp(now, was) != 0)
			return pth_cert_set(
				r, PTH_CERT_FAIL,
				"audio function %s went to vfio-pci with the GPU but is not "
				"back: %s, was %s",
				addr, now, was);
		return pth_cert_set(
			r, PTH_CERT_PASS,
			"audio function %s in the same group: to vfio-pci with the GPU and back "
			"to %s",
			addr, p->driver ? p->driver : "(none)");
	}
	return pth_cert_set(r, PTH_CERT_SKIP, "no audio function in the DUT's group");
}

static enum pth_cert_status check_restored(struct cert *c, struct cert_result *r)
{
	g_autoptr(GString) diff = g_string_new(NULL);
	GHashTableIter it;
	gpointer k, v;

	if (c->unit_on_vfio && !c->dut_dead) {
		g_autoptr(GString) left = g_string_new(NULL);

		pth_cert_unit_reattach(c, left);
	}
	pt_engine_rescan(c->s.engine, NULL);
	g_hash_table_iter_init(&it, c->before);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		g_autofree char *now = pth_cert_dev_state(c, k);

		if (strcmp(now, v) != 0)
			g_string_append_printf(diff, "%s%s: %s, was %s", diff->len ? "; " : "",
					       (char *)k, now, (char *)v);
	}
	if (diff->len)
		return pth_cert_set(r, PTH_CERT_FAIL, "NOT as found: %s", diff->str);
	return pth_cert_set(r, PTH_CERT_PASS,
			    "driver, driver_override and VF count as found (%u device(s))",
			    g_hash_table_size(c->before));
}

/*
 * certify's own checks, by the name a profile's scenario calls them with
 * (`certify: {check: acs-path}`). Which of them run, in which order and with which ID is the
 * profile's business (scenarios/certify/PROFILE/); this is what they do.
 */
static const struct pth_cert_check checks[] = {
	{ "iommu", check_iommu, NULL },
	{ "intremap", check_intremap, NULL },
	{ "group-isolated", check_group, NULL },
	{ "acs-path", check_acs, NULL },
	{ "profile", check_profile, NULL },
	{ "endpoint", check_endpoint, NULL },
	{ "reset-methods", check_reset_methods, NULL },
	{ "reset-alive", pth_cert_reset_alive,
	  "reset DUT through its sysfs reset file, bind UNIT to vfio-pci (driver_override), "
	  "reset DUT through VFIO" },
	{ "vfio-open", pth_cert_vfio_open,
	  "open DUT through VFIO, DMA-map and unmap 1 MiB, VFIO_DEVICE_RESET" },
	{ "vfio-iommufd", pth_cert_vfio_iommufd,
	  "open DUT through iommufd and its cdev (bind, attach), DMA-map and unmap 1 MiB" },
	{ "rebind", pth_cert_rebind,
	  "give UNIT back to its original driver, clear driver_override" },
	{ "sriov", pth_cert_sriov,
	  "enable VFS VFs on DUT, bind each to vfio-pci, VFIO-open it, give it back, disable VFs" },
	{ "migration", check_migration, NULL },
	{ "coherency", check_coherency, NULL },
	{ "wc-bars", check_wc, NULL },
	{ "gpu-boot-vga", check_boot_vga, NULL },
	{ "gpu-rom", check_rom, NULL },
	{ "gpu-audio", check_audio, NULL },
	{ "host-restored", check_restored, NULL },
};

const struct pth_cert_check *pth_cert_check_find(const char *name)
{
	for (size_t i = 0; name && i < G_N_ELEMENTS(checks); i++)
		if (strcmp(checks[i].name, name) == 0)
			return &checks[i];
	return NULL;
}

char **pth_cert_check_namev(void)
{
	char **v = g_new0(char *, G_N_ELEMENTS(checks) + 1);

	for (size_t i = 0; i < G_N_ELEMENTS(checks); i++)
		v[i] = g_strdup(checks[i].name);
	return v;
}
