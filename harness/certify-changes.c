/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* certify: the checks that change the host (reset, vfio-pci and back, VFIO open, SR-IOV). */

#include <string.h>

#include "certify-internal.h"
#include "sriov.h"

/*
 * The DUT did not come back from a reset. Its binding is given back as usual, but nothing
 * certify can do wakes it: say what is left and how to finish. r's reason so far (the failed
 * reset's outcome) is kept.
 */
static enum pth_cert_status dead(struct cert *c, struct cert_result *r, const char *what)
{
	/* A copy: giving the others back rescans the host, and the model with it. */
	g_autofree char *drv = g_strdup(pt_dev_props(pth_cert_dev(c, c->dut))->driver);
	g_autofree char *outcome = r->reason ? g_strdup_printf(" (%s)", r->reason) : NULL;
	g_autoptr(GString) others = g_string_new(NULL);

	c->dut_dead = true;
	/* On vfio-pci it stays there: no host driver can drive it, and vfio-pci leaves it alone.
	 * The other functions of its unit still answer: they go back to their drivers now. */
	for (guint i = 0; c->unit_on_vfio && i < c->detached->len;) {
		struct pt_detached *st = &g_array_index(c->detached, struct pt_detached, i);
		struct pt_outcome o = { 0 };

		if (strcmp(st->address, c->dut) == 0) {
			pth_session_remember(&c->s, st); /* `ptharness reattach` once it answers */
			i++;
			continue;
		}
		if (pt_reattach(c->s.engine, st, &o) != 0) {
			g_string_append_printf(others, "; %s could not be given back: %s",
					       st->address, o.message ? o.message : "failed");
			pth_session_remember(&c->s, st);
		} else {
			g_string_append_printf(others, "; %s was given back", st->address);
		}
		pt_outcome_clear(&o);
		pt_detached_clear(st);
		g_array_remove_index(c->detached, i);
	}
	return pth_cert_set(
		r, PTH_CERT_FAIL,
		"%s: the device does not come back after reset: config space reads all ones%s; "
		"%s is left on %s, not answering%s: remove it and rescan "
		"(echo 1 > /sys/bus/pci/devices/%s/remove; echo 1 > /sys/bus/pci/rescan), or "
		"power-cycle the host",
		what, outcome ? outcome : "", c->dut, drv ? drv : "no driver", others->str, c->dut);
}

/*
 * One reset of the DUT through the engine (pt_reset_device: through VFIO when the DUT is on a
 * VFIO driver, else the sysfs reset file), and the device afterwards: config space readable,
 * not all ones, ids unchanged, BARs 0-5 (0x10-0x27) as before (the kernel saves and restores
 * them around a function reset). what names the way in the reason. Returns pass, or fail
 * with the reason set; *ret_method is the kernel's method (-1: through VFIO, not reported).
 */
static enum pth_cert_status reset_once(struct cert *c, struct cert_result *r, const char *what,
				       int *ret_method)
{
	uint8_t before[64], after[64], ones[64];
	struct pt_outcome o = { 0 };

	if (pth_cert_read_config(c, c->dut, before, sizeof(before)) < (int)sizeof(before))
		return pth_cert_set(r, PTH_CERT_FAIL,
				    "%s: config space not readable before the reset", what);
	if (pt_reset_device(c->s.engine, c->dut, -1, ret_method, &o) != 0) {
		pth_cert_outcome_fail(r, what, &o);
		pt_outcome_clear(&o);
		if (pth_cert_all_ones(c, c->dut))
			return dead(c, r, what);
		return PTH_CERT_FAIL;
	}
	pt_outcome_clear(&o);
	memset(ones, 0xff, sizeof(ones));
	if (pth_cert_read_config(c, c->dut, after, sizeof(after)) < (int)sizeof(after))
		return pth_cert_set(r, PTH_CERT_FAIL,
				    "%s: config space not readable after the reset", what);
	if (memcmp(after, ones, sizeof(ones)) == 0)
		return dead(c, r, what);
	if (memcmp(before, after, 4) != 0)
		return pth_cert_set(r, PTH_CERT_FAIL, "%s: vendor/device ids changed by the reset",
				    what);
	if (memcmp(before + 0x10, after + 0x10, 24) != 0)
		return pth_cert_set(r, PTH_CERT_FAIL, "%s: BARs not restored after the reset",
				    what);
	return PTH_CERT_PASS;
}

/*
 * Both ways a device is reset between VMs: through its sysfs reset file while on its host
 * driver (as the host resets it; only when the kernel shows the file and the DUT starts off
 * vfio-pci), then through VFIO with the unit on vfio-pci (as QEMU resets it).
 */
enum pth_cert_status pth_cert_reset_alive(struct cert *c, struct cert_result *r)
{
	const struct pt_dev_props *p = pt_dev_props(pth_cert_dev(c, c->dut));
	g_autofree char *sysfs = NULL;
	int method;

	if (pt_dev_reset(pth_cert_dev(c, c->dut))->count == 0)
		return pth_cert_set(r, PTH_CERT_SKIP, "no reset method to try");
	if (!p->has_reset_file)
		sysfs = g_strdup("no sysfs reset file");
	else if (c->unit_on_vfio || (p->driver && pt_driver_is_vfio(p->driver)))
		sysfs = g_strdup("sysfs reset not tried: the DUT is already on vfio-pci");
	if (!sysfs) {
		g_autofree char *what =
			g_strdup_printf("sysfs reset on %s", p->driver ?: "no driver");

		if (reset_once(c, r, what, &method) != PTH_CERT_PASS)
			return PTH_CERT_FAIL;
		sysfs = g_strdup_printf("sysfs reset on %s by %s", p->driver ?: "no driver",
					pt_reset_method_to_string(method));
	}
	if (!c->unit_on_vfio && pth_cert_unit_detach(c, r) != PTH_CERT_PASS)
		return PTH_CERT_FAIL;
	if (reset_once(c, r, "VFIO reset on vfio-pci", &method) != PTH_CERT_PASS)
		return PTH_CERT_FAIL;
	return pth_cert_set(
		r, PTH_CERT_PASS,
		"%s; VFIO reset on vfio-pci (%s); each time config readable, ids unchanged, "
		"BARs restored",
		sysfs,
		method < 0 ? "VFIO_DEVICE_RESET, which does not report the method" :
			     pt_reset_method_to_string(method));
}

enum pth_cert_status pth_cert_vfio_open(struct cert *c, struct cert_result *r)
{
	struct pt_vfio_options vo = { .map_bytes = pth_cert_arg(c, "map", PTH_CERT_MAP_BYTES) };
	struct pt_outcome o = { 0 };
	uint32_t regions = 0, irqs = 0;
	int k;

	if (!c->unit_on_vfio && (c->unit_failed || pth_cert_unit_detach(c, r) != PTH_CERT_PASS))
		return pth_cert_set(r, PTH_CERT_FAIL, "the device could not be bound to vfio-pci");
	vo.reset = pt_dev_reset(pth_cert_dev(c, c->dut))->count > 0;
	k = pt_vfio_open(c->s.engine, c->dut, &vo, &c->info, &o);
	if (k != 0 && o.code == PT_CODE_RESET_UNAVAILABLE) {
		/* Opened, but VFIO cannot reset it (in the lab: a GPU whose only method is a bus
		 * reset its own audio function rules out). That fails the check; the regions,
		 * the ROM among them, are still looked at through an open without the reset. */
		struct pt_outcome again = { 0 };

		vo.reset = false;
		pth_cert_outcome_fail(r, "VFIO open", &o);
		pt_outcome_clear(&o);
		if (pt_vfio_open(c->s.engine, c->dut, &vo, &c->info, &again) == 0)
			c->opened = true;
		pt_outcome_clear(&again);
		return PTH_CERT_FAIL;
	}
	if (k != 0) {
		pth_cert_outcome_fail(r, "VFIO open", &o);
		pt_outcome_clear(&o);
		return PTH_CERT_FAIL;
	}
	pt_outcome_clear(&o);
	c->opened = true;
	for (uint32_t i = 0; i < c->info.num_regions && i < PT_VFIO_MAX_REGIONS; i++)
		regions += c->info.regions[i].result >= 0 && c->info.regions[i].size;
	for (uint32_t i = 0; i < c->info.num_irqs && i < PT_VFIO_MAX_IRQS; i++)
		irqs += c->info.irqs[i].result >= 0 && c->info.irqs[i].count;
	return pth_cert_set(
		r, PTH_CERT_PASS,
		"VFIO API %d %s; %u region(s) with size, %u IRQ index(es) with vectors; DMA "
		"map/unmap %" G_GUINT64_FORMAT " bytes%s",
		c->info.api_version, c->info.type1v2 ? "type1v2" : "type1", regions, irqs,
		c->info.mapped, c->info.reset ? "; VFIO reset done" : "; no VFIO reset");
}

/* The other path: through iommufd and the device cdev, when the host offers it. */
enum pth_cert_status pth_cert_vfio_iommufd(struct cert *c, struct cert_result *r)
{
	struct pt_vfio_options vo = { .map_bytes = pth_cert_arg(c, "map", PTH_CERT_MAP_BYTES),
				      .iommu = PT_VFIO_IOMMU_IOMMUFD };
	struct pt_vfio_info info = { 0 };
	struct pt_vfio_paths p;
	struct pt_outcome o = { 0 };
	int k;

	if (pt_vfio_paths_probe(pt_engine_backend(c->s.engine),
				pt_host_kernel(pt_engine_host(c->s.engine)), &p) < 0 ||
	    p.iommufd != 1 || p.cdev == 0)
		return pth_cert_set(r, PTH_CERT_SKIP,
				    "the host offers no iommufd with the device cdev (iommufd %s, "
				    "cdev %s)",
				    p.iommufd == 1 ? "yes" : "no", p.cdev < 0 ? "unknown" : "no");
	if (!c->unit_on_vfio && (c->unit_failed || pth_cert_unit_detach(c, r) != PTH_CERT_PASS))
		return pth_cert_set(r, PTH_CERT_FAIL, "the device could not be bound to vfio-pci");
	k = pt_vfio_open(c->s.engine, c->dut, &vo, &info, &o);
	if (k != 0) {
		pth_cert_outcome_fail(r, "iommufd open", &o);
		pt_outcome_clear(&o);
		return PTH_CERT_FAIL;
	}
	pt_outcome_clear(&o);
	return pth_cert_set(r, PTH_CERT_PASS,
			    "iommufd: cdev %s bound (device %u) and attached (HWPT %u); DMA "
			    "map/unmap %" G_GUINT64_FORMAT " bytes",
			    info.cdev, info.devid, info.hwpt, info.mapped);
}

static bool strv_equal(char **a, char **b)
{
	size_t na = a ? g_strv_length(a) : 0, nb = b ? g_strv_length(b) : 0;

	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!g_strv_contains((const char *const *)b, a[i]))
			return false;
	return true;
}

enum pth_cert_status pth_cert_rebind(struct cert *c, struct cert_result *r)
{
	g_autoptr(GString) problems = g_string_new(NULL);
	g_autofree char *was = g_strdup(g_hash_table_lookup(c->before, c->dut));
	g_autofree char *now = NULL;
	const struct pt_dev_props *p;

	if (!c->unit_on_vfio && (c->unit_failed || pth_cert_unit_detach(c, r) != PTH_CERT_PASS))
		return pth_cert_set(r, PTH_CERT_FAIL, "the device could not be bound to vfio-pci");
	pth_cert_unit_reattach(c, problems);
	if (problems->len)
		return pth_cert_set(r, PTH_CERT_FAIL, "%s", problems->str);
	now = pth_cert_dev_state(c, c->dut);
	if (strcmp(was, now) != 0)
		return pth_cert_set(r, PTH_CERT_FAIL, "after vfio-pci and back: %s, was %s", now,
				    was);
	p = pt_dev_props(pth_cert_dev(c, c->dut));
	if (!strv_equal(c->netdevs, p->netdevs)) {
		g_autofree char *a = g_strjoinv(" ", c->netdevs);
		g_autofree char *b = g_strjoinv(" ", p->netdevs);

		/* Without persistent names (udev) the kernel may name it anew: the function came
		 * back all the same. */
		if (g_strv_length(c->netdevs) != g_strv_length(p->netdevs))
			return pth_cert_set(r, PTH_CERT_FAIL,
					    "network interfaces were [%s], now [%s]", a, b);
		return pth_cert_set(
			r, PTH_CERT_PASS,
			"vfio-pci and back to %s; netdev back, renamed by the kernel: [%s], was "
			"[%s]",
			p->driver, b, a);
	}
	return pth_cert_set(r, PTH_CERT_PASS, "vfio-pci and back to %s%s%s",
			    p->driver ? p->driver : "(none)",
			    p->netdevs && p->netdevs[0] ? "; netdev back: " : "",
			    p->netdevs && p->netdevs[0] ? p->netdevs[0] : "");
}

/* ---- SR-IOV ---- */

static int vf_check(struct cert *c, const char *vf, GString *why)
{
	struct pt_detach_options dopt = { .managed = true };
	struct pt_vfio_options vo = { .map_bytes = pth_cert_arg(c, "map", PTH_CERT_MAP_BYTES) };
	const struct pt_dev *d = pth_cert_dev(c, vf);
	struct pt_detached st = { 0 };
	struct pt_vfio_info info = { 0 };
	struct pt_outcome o = { 0 };
	const struct pt_group *g = d ? pt_dev_group(d) : NULL;
	int bad = 0;

	if (!g || pt_group_member_count(g) != 1) {
		g_string_append_printf(why, "%s%s is not alone in an IOMMU group",
				       why->len ? "; " : "", vf);
		return -1;
	}
	if (pt_detach(c->s.engine, vf, &dopt, &st, &o) != 0) {
		g_string_append_printf(why, "%s%s: bind to vfio-pci: %s", why->len ? "; " : "", vf,
				       o.message ? o.message : "failed");
		pt_outcome_clear(&o);
		return -1;
	}
	pt_outcome_clear(&o);
	if (pt_vfio_open(c->s.engine, vf, &vo, &info, &o) != 0) {
		g_string_append_printf(why, "%s%s: VFIO open: %s", why->len ? "; " : "", vf,
				       o.message ? o.message : "failed");
		bad = -1;
	}
	pt_outcome_clear(&o);
	if (pt_reattach(c->s.engine, &st, &o) != 0) {
		g_string_append_printf(why, "%s%s: reattach: %s", why->len ? "; " : "", vf,
				       o.message ? o.message : "failed");
		bad = -1;
	}
	pt_outcome_clear(&o);
	pt_detached_clear(&st);
	return bad;
}

enum pth_cert_status pth_cert_sriov(struct cert *c, struct cert_result *r)
{
	const struct pt_dev_props *p = pt_dev_props(pth_cert_dev(c, c->dut));
	g_autoptr(GString) why = g_string_new(NULL);
	g_auto(GStrv) vfs = NULL;
	struct pt_outcome o = { 0 };
	unsigned n = c->vfs;
	int autoprobe;

	if (c->dut_dead)
		return pth_cert_set(r, PTH_CERT_SKIP, "not run: %s does not answer since its reset",
				    c->dut);
	/* The unit is given back before SR-IOV, whatever happened to the checks before. */
	if (c->unit_on_vfio) {
		g_autoptr(GString) left = g_string_new(NULL);

		pth_cert_unit_reattach(c, left);
		p = pt_dev_props(pth_cert_dev(c, c->dut));
	}
	if (!p->sriov)
		return pth_cert_set(r, PTH_CERT_SKIP, "not an SR-IOV physical function");
	if (p->sriov->numvfs != 0)
		return pth_cert_set(r, PTH_CERT_SKIP, "%u VFs already enabled: left as they are",
				    p->sriov->numvfs);
	/* Without --vfs: the profile's count (vfs: in the step), at most what the PF offers. */
	if (n == 0)
		n = MIN(p->sriov->totalvfs, (unsigned)pth_cert_arg(c, "vfs", 2));
	if (n > p->sriov->totalvfs)
		return pth_cert_set(r, PTH_CERT_FAIL, "--vfs %u: the PF offers %u", n,
				    p->sriov->totalvfs);
	autoprobe = p->sriov->drivers_autoprobe;
	if (autoprobe == 1 && pth_cert_autoprobe_set(c, c->dut, 0, why) < 0)
		return pth_cert_set(r, PTH_CERT_FAIL, "%s", why->str);
	if (pt_set_numvfs(c->s.engine, c->dut, n, &o) != 0) {
		pth_cert_outcome_fail(r, "enable VFs", &o);
		pt_outcome_clear(&o);
		if (autoprobe == 1)
			pth_cert_autoprobe_set(c, c->dut, 1, why);
		return PTH_CERT_FAIL;
	}
	pt_outcome_clear(&o);
	p = pt_dev_props(pth_cert_dev(c, c->dut));
	vfs = g_strdupv(p->sriov->vfs);
	if (!vfs || g_strv_length(vfs) != n)
		g_string_append_printf(why, "%u VFs asked, %u appeared", n,
				       vfs ? g_strv_length(vfs) : 0);
	for (char **v = vfs; v && *v; v++)
		vf_check(c, *v, why);
	if (pt_set_numvfs(c->s.engine, c->dut, 0, &o) != 0)
		g_string_append_printf(why, "%sdisable VFs: %s", why->len ? "; " : "",
				       o.message ? o.message : "failed");
	pt_outcome_clear(&o);
	if (autoprobe == 1)
		pth_cert_autoprobe_set(c, c->dut, 1, why);
	if (why->len)
		return pth_cert_set(r, PTH_CERT_FAIL, "%s", why->str);
	return pth_cert_set(
		r, PTH_CERT_PASS,
		"%u VF(s) enabled (autoprobe off), each alone in its group, bound to vfio-pci, "
		"VFIO-opened with DMA map, given back; VFs disabled again",
		n);
}
