/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ptharness certify`: certify one device for passthrough, and write the certificate. */

/*
 * The plan: certify records the host first (the recording goes into the certificate, so a
 * customer can replay what was seen), then walks the table of checks below in order. The
 * read-only checks look at the host model. The changing ones work on the DUT's "unit": the
 * DUT and the other functions of its slot that share its IOMMU group (a GPU and its audio
 * function, the two ports of a NIC), which are moved to vfio-pci together, reset, opened
 * through VFIO and given back through the engine's transactional detach and reattach. SR-IOV
 * enables the VFs, checks each one and disables them again, whatever happened in between.
 * The last check compares driver, driver_override and VF count of every device certify may
 * have touched with what they were at the start: the host must be left as found.
 */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certify.h"
#include "commands.h"
#include "runner.h"
#include "output.h"
#include "record.h"
#include "session.h"
#include "size.h"
#include "sriov.h"
#include "vfio.h"

#define CERT_SCHEMA "ptharness-certificate/1"
#define CERT_MAP_BYTES (1024 * 1024)

#ifndef PTH_SCENARIOS_DIR
#define PTH_SCENARIOS_DIR "scenarios"
#endif

const char *const pth_cert_status_names[_PTH_CERT_STATUS_MAX] = { "pass", "fail", "skip" };

static const char *const profile_names[_PTH_CERT_PROFILE_MAX] = { "generic", "nic", "gpu", "nvme" };

struct cert_result {
	char *id; /* the scenario's check_id */
	char *title;
	enum pth_cert_status status;
	char *reason;
	gint64 usec;
};

struct cert {
	struct pth_session s;
	const char *dut;
	enum pth_cert_profile profile;
	unsigned vfs;
	GPtrArray *unit; /* char *: the DUT first, then its slot's functions in its group */
	GArray *detached; /* struct pt_detached of the unit while on vfio-pci */
	GHashTable *moved; /* addresses unit_detach bound to vfio-pci at some point */
	GHashTable *before; /* address -> "driver|override|numvfs" at the start */
	char **netdevs; /* the DUT's network interfaces at the start */
	GArray *results; /* struct cert_result, in the order the checks ran */
	GPtrArray *checks; /* struct pth_scenario *: the profile's checks, in order */
	const char *profile_dir; /* --profile-dir, or NULL: the bundled profile */
	struct fy_node *args; /* the running certify step's arguments */
	unsigned numvfs0; /* the DUT's VF count at the start */
	int autoprobe0; /* and its sriov_drivers_autoprobe (-1: not a PF) */
	const char *running; /* the check_id of the check running */
	int interrupted; /* the signal that stopped the run, or 0 */
	bool restoring; /* the last check (host-restored) is running */
	struct pt_vfio_info info; /* of the DUT's VFIO open */
	bool opened, unit_on_vfio, unit_failed;
	bool dut_dead; /* did not come back from a reset: nothing more is done to it */
	const char *faults; /* --faults FILE: injected into the model */
	bool profile_given; /* --profile; else the DUT's class decides */
};

static struct pt_dev *dut_dev(struct cert *c, const char *addr)
{
	return pt_host_find_dev(pt_engine_host(c->s.engine), addr);
}

/* An argument of the running certify step (`map: 1M`, `vfs: 2`), or dflt. */
static uint64_t step_arg(struct cert *c, const char *key, uint64_t dflt)
{
	const char *v = pth_node_str(c->args, key);
	uint64_t n;

	return v && pth_parse_size(v, &n) == 0 ? n : dflt;
}

static enum pth_cert_status set(struct cert_result *r, enum pth_cert_status st, const char *fmt,
				...) G_GNUC_PRINTF(3, 4);
static enum pth_cert_status set(struct cert_result *r, enum pth_cert_status st, const char *fmt,
				...)
{
	va_list ap;

	va_start(ap, fmt);
	g_free(r->reason);
	r->reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	r->status = st;
	return st;
}

static enum pth_cert_status outcome_fail(struct cert_result *r, const char *what,
					 const struct pt_outcome *o)
{
	return set(r, PTH_CERT_FAIL, "%s: %s%s%s: %s", what, pt_code_to_string(o->code),
		   o->err ? " " : "", o->err ? pth_errno_name(o->err) : "",
		   o->message ? o->message : "");
}

/* ---- state of the devices certify may touch ---- */

static int read_config(struct cert *c, const char *addr, uint8_t *buf, size_t size);

/* Whether the device's config space reads all ones: it does not answer. */
static bool config_all_ones(struct cert *c, const char *addr)
{
	static const uint8_t ones[4] = { 0xff, 0xff, 0xff, 0xff };
	uint8_t id[4];

	return read_config(c, addr, id, sizeof(id)) == (int)sizeof(id) &&
	       memcmp(id, ones, sizeof(id)) == 0;
}

static char *dev_state(struct cert *c, const char *addr)
{
	const struct pt_dev *d = dut_dev(c, addr);
	const struct pt_dev_props *p;

	if (!d)
		return g_strdup("absent");
	p = pt_dev_props(d);
	return g_strdup_printf(
		"driver=%s override=%s numvfs=%u autoprobe=%d%s", p->driver ? p->driver : "(none)",
		p->override ? p->override : "(none)", p->sriov ? p->sriov->numvfs : 0,
		p->sriov ? p->sriov->drivers_autoprobe : -1,
		config_all_ones(c, addr) ? " config=all-ones" : "");
}

static void snapshot(struct cert *c)
{
	for (guint i = 0; i < c->unit->len; i++)
		g_hash_table_insert(c->before, g_strdup(c->unit->pdata[i]),
				    dev_state(c, c->unit->pdata[i]));
}

/* ---- read-only checks ---- */

static enum pth_cert_status check_iommu(struct cert *c, struct cert_result *r)
{
	if (!pt_host_iommu_present(pt_engine_host(c->s.engine)))
		return set(
			r, PTH_CERT_FAIL,
			"no IOMMU: no iommu class device and no IOMMU groups (enable VT-d/AMD-Vi "
			"and intel_iommu=on)");
	return set(r, PTH_CERT_PASS, "IOMMU present, IOMMU groups shown");
}

static enum pth_cert_status check_intremap(struct cert *c, struct cert_result *r)
{
	struct pt_backend *be = c->s.be;
	g_auto(GStrv) names = NULL;
	size_t n = 0;

	if (pt_backend_list(be, PT_NS_SYS, "class/iommu", &names, &n) < 0 || n == 0)
		return set(r, PTH_CERT_FAIL, "no IOMMU class device: interrupt remapping unknown");
	for (size_t i = 0; i < n; i++) {
		g_autofree char *path =
			g_strdup_printf("class/iommu/%s/intel-iommu/ecap", names[i]);
		char buf[64];
		unsigned long long v;

		if (pt_backend_read_line(be, PT_NS_SYS, path, buf, sizeof(buf)) < 0) {
			return set(r, PTH_CERT_SKIP,
				   "%s: not an Intel IOMMU; interrupt remapping not shown in sysfs",
				   names[i]);
		}
		/* VT-d extended capability bit 3: interrupt remapping. */
		if (sscanf(buf, "%llx", &v) != 1 || !(v & 0x8))
			return set(r, PTH_CERT_FAIL,
				   "%s: no interrupt remapping (ecap %s, bit 3 clear): VFIO type1 "
				   "refuses without allow_unsafe_interrupts",
				   names[i], buf);
	}
	return set(r, PTH_CERT_PASS, "interrupt remapping on every IOMMU (VT-d ecap bit 3)");
}

static bool same_slot(const struct pt_dev_props *a, const struct pt_dev_props *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->slot == b->slot;
}

static enum pth_cert_status check_group(struct cert *c, struct cert_result *r)
{
	const struct pt_dev *d = dut_dev(c, c->dut);
	const struct pt_group *g = pt_dev_group(d);
	g_autoptr(GString) others = g_string_new(NULL);

	if (!g)
		return set(r, PTH_CERT_FAIL, "%s has no IOMMU group", c->dut);
	for (size_t i = 0; i < pt_group_member_count(g); i++) {
		const struct pt_dev_props *p = pt_dev_props(pt_group_member(g, i));

		if (!same_slot(p, pt_dev_props(d)))
			g_string_append_printf(others, "%s%s", others->len ? ", " : "", p->address);
	}
	if (others->len)
		return set(r, PTH_CERT_FAIL,
			   "group %d also holds %s: they can only be assigned together",
			   pt_group_id(g), others->str);
	return set(r, PTH_CERT_PASS, "group %d holds only %s's own function(s) (%zu)",
		   pt_group_id(g), c->dut, pt_group_member_count(g));
}

static enum pth_cert_status check_acs(struct cert *c, struct cert_result *r)
{
	g_autoptr(GString) without = g_string_new(NULL);
	const char *up = pt_dev_props(dut_dev(c, c->dut))->parent;
	size_t bridges = 0;

	for (; up; bridges++) {
		const struct pt_dev *b = dut_dev(c, up);
		const struct pt_pciconf *cfg;

		if (!b)
			break;
		cfg = pt_dev_config(b);
		if (!cfg->acs || (cfg->acs_ctrl & PT_ACS_REQUIRED) != PT_ACS_REQUIRED)
			g_string_append_printf(without, "%s%s", without->len ? ", " : "", up);
		up = pt_dev_props(b)->parent;
	}
	if (bridges == 0)
		return set(r, PTH_CERT_PASS, "on a root bus: no bridge upstream");
	if (without->len == 0)
		return set(r, PTH_CERT_PASS,
			   "ACS (SV RR CR UF) enabled on all %zu upstream bridge(s)", bridges);
	/* The kernel's groups already say what ACS allows: a bridge without ACS that still
	 * leaves the DUT alone (a single-slot root port) isolates it. */
	if (check_group(c, r) == PTH_CERT_PASS)
		return set(r, PTH_CERT_PASS,
			   "no ACS on %s, but the IOMMU group shows the DUT isolated",
			   without->str);
	return set(r, PTH_CERT_FAIL, "no ACS (SV RR CR UF) on upstream bridge(s) %s", without->str);
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
static enum pth_cert_profile profile_of_class(uint32_t class)
{
	for (int i = PTH_CERT_GENERIC + 1; i < _PTH_CERT_PROFILE_MAX; i++)
		if ((class & profile_class[i].mask) == profile_class[i].class)
			return i;
	return PTH_CERT_GENERIC;
}

static enum pth_cert_status check_profile(struct cert *c, struct cert_result *r)
{
	const struct pt_dev_props *p = pt_dev_props(dut_dev(c, c->dut));

	if (c->profile == PTH_CERT_GENERIC)
		return set(r, PTH_CERT_SKIP, "generic profile: any class");
	if ((p->class & profile_class[c->profile].mask) != profile_class[c->profile].class)
		return set(r, PTH_CERT_FAIL, "profile %s wants %s; the DUT's class is %06x",
			   profile_names[c->profile], profile_class[c->profile].what, p->class);
	if (c->profile == PTH_CERT_NIC && !(p->netdevs && p->netdevs[0]))
		return set(r, PTH_CERT_FAIL,
			   "profile nic: the DUT has no network interface on its host driver");
	return set(r, PTH_CERT_PASS, "%s, as profile %s wants", profile_class[c->profile].what,
		   profile_names[c->profile]);
}

static enum pth_cert_status check_endpoint(struct cert *c, struct cert_result *r)
{
	const struct pt_dev_props *p = pt_dev_props(dut_dev(c, c->dut));

	if (p->header_type != 0)
		return set(r, PTH_CERT_FAIL, "header type %u: a bridge, not an endpoint",
			   p->header_type);
	return set(r, PTH_CERT_PASS, "header type 0 (endpoint)");
}

static enum pth_cert_status check_reset_methods(struct cert *c, struct cert_result *r)
{
	const struct pt_reset_info *ri = pt_dev_reset(dut_dev(c, c->dut));
	g_autoptr(GString) list = g_string_new(NULL);

	if (ri->count == 0)
		return set(r, PTH_CERT_FAIL,
			   "no reset method (%s): the device cannot be reset between VMs",
			   ri->source == PT_RESET_SOURCE_KERNEL ?
				   "the kernel's reset_method is empty" :
				   "none derivable from config space");
	for (size_t i = 0; i < ri->count; i++)
		g_string_append_printf(list, "%s%s", i ? " " : "",
				       pt_reset_method_to_string(ri->methods[i]));
	return set(r, PTH_CERT_PASS, "%s (%s)", list->str, pt_reset_source_to_string(ri->source));
}

/* ---- the unit on vfio-pci ---- */

static void unit_reattach(struct cert *c, GString *problems)
{
	/* In address order: the kernel names network interfaces in probe order, so the DUT's
	 * port probes first, as it did at boot. */
	for (guint i = 0; i < c->detached->len; i++) {
		struct pt_detached *st = &g_array_index(c->detached, struct pt_detached, i);
		struct pt_outcome o = { 0 };

		if (pt_reattach(c->s.engine, st, &o) != 0) {
			g_string_append_printf(problems, "%sreattach %s: %s",
					       problems->len ? "; " : "", st->address,
					       o.message ? o.message : "failed");
			/* Remembered (live): `ptharness reattach` can finish it. */
			pth_session_remember(&c->s, st);
		}
		pt_outcome_clear(&o);
		pt_detached_clear(st);
	}
	g_array_set_size(c->detached, 0);
	c->unit_on_vfio = false;
}

static enum pth_cert_status unit_detach(struct cert *c, struct cert_result *r)
{
	struct pt_detach_options o = { .managed = true };

	for (guint i = 0; i < c->unit->len; i++) {
		struct pt_detached st = { 0 };
		struct pt_outcome out = { 0 };
		int k = pt_detach(c->s.engine, c->unit->pdata[i], &o, &st, &out);

		if (k != 0) {
			g_autoptr(GString) more = g_string_new(NULL);

			outcome_fail(r, "bind to vfio-pci", &out);
			pt_outcome_clear(&out);
			unit_reattach(c, more);
			c->unit_failed = true;
			return PTH_CERT_FAIL;
		}
		pt_outcome_clear(&out);
		g_array_append_val(c->detached, st);
		g_hash_table_add(c->moved, g_strdup(c->unit->pdata[i]));
	}
	c->unit_on_vfio = true;
	return PTH_CERT_PASS;
}

static int read_config(struct cert *c, const char *addr, uint8_t *buf, size_t size)
{
	g_autofree char *path = g_strdup_printf("bus/pci/devices/%s/config", addr);
	size_t len = 0;
	int k = pt_backend_read(c->s.be, PT_NS_SYS, path, buf, size, &len);

	return k < 0 ? k : (int)len;
}

/*
 * The DUT did not come back from a reset. Its binding is given back as usual, but nothing
 * certify can do wakes it: say what is left and how to finish. r's reason so far (the failed
 * reset's outcome) is kept.
 */
static enum pth_cert_status dead(struct cert *c, struct cert_result *r, const char *what)
{
	/* A copy: giving the others back rescans the host, and the model with it. */
	g_autofree char *drv = g_strdup(pt_dev_props(dut_dev(c, c->dut))->driver);
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
	return set(r, PTH_CERT_FAIL,
		   "%s: the device does not come back after reset: config space reads all ones%s; "
		   "%s is left on %s, not answering%s: remove it and rescan "
		   "(echo 1 > /sys/bus/pci/devices/%s/remove; echo 1 > /sys/bus/pci/rescan), or "
		   "power-cycle the host",
		   what, outcome ? outcome : "", c->dut, drv ? drv : "no driver", others->str,
		   c->dut);
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

	if (read_config(c, c->dut, before, sizeof(before)) < (int)sizeof(before))
		return set(r, PTH_CERT_FAIL, "%s: config space not readable before the reset",
			   what);
	if (pt_reset_device(c->s.engine, c->dut, -1, ret_method, &o) != 0) {
		outcome_fail(r, what, &o);
		pt_outcome_clear(&o);
		if (config_all_ones(c, c->dut))
			return dead(c, r, what);
		return PTH_CERT_FAIL;
	}
	pt_outcome_clear(&o);
	memset(ones, 0xff, sizeof(ones));
	if (read_config(c, c->dut, after, sizeof(after)) < (int)sizeof(after))
		return set(r, PTH_CERT_FAIL, "%s: config space not readable after the reset", what);
	if (memcmp(after, ones, sizeof(ones)) == 0)
		return dead(c, r, what);
	if (memcmp(before, after, 4) != 0)
		return set(r, PTH_CERT_FAIL, "%s: vendor/device ids changed by the reset", what);
	if (memcmp(before + 0x10, after + 0x10, 24) != 0)
		return set(r, PTH_CERT_FAIL, "%s: BARs not restored after the reset", what);
	return PTH_CERT_PASS;
}

/*
 * Both ways a device is reset between VMs: through its sysfs reset file while on its host
 * driver (as the host resets it; only when the kernel shows the file and the DUT starts off
 * vfio-pci), then through VFIO with the unit on vfio-pci (as QEMU resets it).
 */
static enum pth_cert_status check_reset_alive(struct cert *c, struct cert_result *r)
{
	const struct pt_dev_props *p = pt_dev_props(dut_dev(c, c->dut));
	g_autofree char *sysfs = NULL;
	int method;

	if (pt_dev_reset(dut_dev(c, c->dut))->count == 0)
		return set(r, PTH_CERT_SKIP, "no reset method to try");
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
	if (!c->unit_on_vfio && unit_detach(c, r) != PTH_CERT_PASS)
		return PTH_CERT_FAIL;
	if (reset_once(c, r, "VFIO reset on vfio-pci", &method) != PTH_CERT_PASS)
		return PTH_CERT_FAIL;
	return set(r, PTH_CERT_PASS,
		   "%s; VFIO reset on vfio-pci (%s); each time config readable, ids unchanged, "
		   "BARs restored",
		   sysfs,
		   method < 0 ? "VFIO_DEVICE_RESET, which does not report the method" :
				pt_reset_method_to_string(method));
}

static enum pth_cert_status check_vfio_open(struct cert *c, struct cert_result *r)
{
	struct pt_vfio_options vo = { .map_bytes = step_arg(c, "map", CERT_MAP_BYTES) };
	struct pt_outcome o = { 0 };
	uint32_t regions = 0, irqs = 0;
	int k;

	if (!c->unit_on_vfio && (c->unit_failed || unit_detach(c, r) != PTH_CERT_PASS))
		return set(r, PTH_CERT_FAIL, "the device could not be bound to vfio-pci");
	vo.reset = pt_dev_reset(dut_dev(c, c->dut))->count > 0;
	k = pt_vfio_open(c->s.engine, c->dut, &vo, &c->info, &o);
	if (k != 0 && o.code == PT_CODE_RESET_UNAVAILABLE) {
		/* Opened, but VFIO cannot reset it (in the lab: a GPU whose only method is a bus
		 * reset its own audio function rules out). That fails the check; the regions,
		 * the ROM among them, are still looked at through an open without the reset. */
		struct pt_outcome again = { 0 };

		vo.reset = false;
		outcome_fail(r, "VFIO open", &o);
		pt_outcome_clear(&o);
		if (pt_vfio_open(c->s.engine, c->dut, &vo, &c->info, &again) == 0)
			c->opened = true;
		pt_outcome_clear(&again);
		return PTH_CERT_FAIL;
	}
	if (k != 0) {
		outcome_fail(r, "VFIO open", &o);
		pt_outcome_clear(&o);
		return PTH_CERT_FAIL;
	}
	pt_outcome_clear(&o);
	c->opened = true;
	for (uint32_t i = 0; i < c->info.num_regions && i < PT_VFIO_MAX_REGIONS; i++)
		regions += c->info.regions[i].result >= 0 && c->info.regions[i].size;
	for (uint32_t i = 0; i < c->info.num_irqs && i < PT_VFIO_MAX_IRQS; i++)
		irqs += c->info.irqs[i].result >= 0 && c->info.irqs[i].count;
	return set(r, PTH_CERT_PASS,
		   "VFIO API %d %s; %u region(s) with size, %u IRQ index(es) with vectors; DMA "
		   "map/unmap %" G_GUINT64_FORMAT " bytes%s",
		   c->info.api_version, c->info.type1v2 ? "type1v2" : "type1", regions, irqs,
		   c->info.mapped, c->info.reset ? "; VFIO reset done" : "; no VFIO reset");
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

static enum pth_cert_status check_rebind(struct cert *c, struct cert_result *r)
{
	g_autoptr(GString) problems = g_string_new(NULL);
	g_autofree char *was = g_strdup(g_hash_table_lookup(c->before, c->dut));
	g_autofree char *now = NULL;
	const struct pt_dev_props *p;

	if (!c->unit_on_vfio && (c->unit_failed || unit_detach(c, r) != PTH_CERT_PASS))
		return set(r, PTH_CERT_FAIL, "the device could not be bound to vfio-pci");
	unit_reattach(c, problems);
	if (problems->len)
		return set(r, PTH_CERT_FAIL, "%s", problems->str);
	now = dev_state(c, c->dut);
	if (strcmp(was, now) != 0)
		return set(r, PTH_CERT_FAIL, "after vfio-pci and back: %s, was %s", now, was);
	p = pt_dev_props(dut_dev(c, c->dut));
	if (!strv_equal(c->netdevs, p->netdevs)) {
		g_autofree char *a = g_strjoinv(" ", c->netdevs);
		g_autofree char *b = g_strjoinv(" ", p->netdevs);

		/* Without persistent names (udev) the kernel may name it anew: the function came
		 * back all the same. */
		if (g_strv_length(c->netdevs) != g_strv_length(p->netdevs))
			return set(r, PTH_CERT_FAIL, "network interfaces were [%s], now [%s]", a,
				   b);
		return set(r, PTH_CERT_PASS,
			   "vfio-pci and back to %s; netdev back, renamed by the kernel: [%s], was "
			   "[%s]",
			   p->driver, b, a);
	}
	return set(r, PTH_CERT_PASS, "vfio-pci and back to %s%s%s",
		   p->driver ? p->driver : "(none)",
		   p->netdevs && p->netdevs[0] ? "; netdev back: " : "",
		   p->netdevs && p->netdevs[0] ? p->netdevs[0] : "");
}

/* ---- SR-IOV ---- */

static int vf_check(struct cert *c, const char *vf, GString *why)
{
	struct pt_detach_options dopt = { .managed = true };
	struct pt_vfio_options vo = { .map_bytes = step_arg(c, "map", CERT_MAP_BYTES) };
	const struct pt_dev *d = dut_dev(c, vf);
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

/*
 * VFs come up with autoprobe off: a host driver probing them (nvme takes seconds under TCG)
 * races with certify's own binds and rescans, as the lab showed. Returns 0, or a negative
 * errno with why filled.
 */
static int autoprobe_set(struct cert *c, const char *pf, int value, GString *why)
{
	g_autofree char *path = g_strdup_printf("bus/pci/devices/%s/sriov_drivers_autoprobe", pf);
	const char *v = value ? "1" : "0";
	int k = pt_backend_write(c->s.be, PT_NS_SYS, path, v, 1);

	if (k < 0)
		g_string_append_printf(why, "%sset sriov_drivers_autoprobe of %s to %s: %s",
				       why->len ? "; " : "", pf, v, g_strerror(-k));
	pt_engine_rescan(c->s.engine, NULL);
	return k;
}

static enum pth_cert_status check_sriov(struct cert *c, struct cert_result *r)
{
	const struct pt_dev_props *p = pt_dev_props(dut_dev(c, c->dut));
	g_autoptr(GString) why = g_string_new(NULL);
	g_auto(GStrv) vfs = NULL;
	struct pt_outcome o = { 0 };
	unsigned n = c->vfs;
	int autoprobe;

	if (c->dut_dead)
		return set(r, PTH_CERT_SKIP, "not run: %s does not answer since its reset", c->dut);
	/* The unit is given back before SR-IOV, whatever happened to the checks before. */
	if (c->unit_on_vfio) {
		g_autoptr(GString) left = g_string_new(NULL);

		unit_reattach(c, left);
		p = pt_dev_props(dut_dev(c, c->dut));
	}
	if (!p->sriov)
		return set(r, PTH_CERT_SKIP, "not an SR-IOV physical function");
	if (p->sriov->numvfs != 0)
		return set(r, PTH_CERT_SKIP, "%u VFs already enabled: left as they are",
			   p->sriov->numvfs);
	/* Without --vfs: the profile's count (vfs: in the step), at most what the PF offers. */
	if (n == 0)
		n = MIN(p->sriov->totalvfs, (unsigned)step_arg(c, "vfs", 2));
	if (n > p->sriov->totalvfs)
		return set(r, PTH_CERT_FAIL, "--vfs %u: the PF offers %u", n, p->sriov->totalvfs);
	autoprobe = p->sriov->drivers_autoprobe;
	if (autoprobe == 1 && autoprobe_set(c, c->dut, 0, why) < 0)
		return set(r, PTH_CERT_FAIL, "%s", why->str);
	if (pt_set_numvfs(c->s.engine, c->dut, n, &o) != 0) {
		outcome_fail(r, "enable VFs", &o);
		pt_outcome_clear(&o);
		if (autoprobe == 1)
			autoprobe_set(c, c->dut, 1, why);
		return PTH_CERT_FAIL;
	}
	pt_outcome_clear(&o);
	p = pt_dev_props(dut_dev(c, c->dut));
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
		autoprobe_set(c, c->dut, 1, why);
	if (why->len)
		return set(r, PTH_CERT_FAIL, "%s", why->str);
	return set(r, PTH_CERT_PASS,
		   "%u VF(s) enabled (autoprobe off), each alone in its group, bound to vfio-pci, "
		   "VFIO-opened with DMA map, given back; VFs disabled again",
		   n);
}

/* ---- informational and GPU checks ---- */

static enum pth_cert_status check_migration(struct cert *c, struct cert_result *r)
{
	if (!c->opened)
		return set(r, PTH_CERT_SKIP, "not known: the VFIO open did not succeed");
	if (c->info.migration)
		return set(r, PTH_CERT_PASS, "the device reports VFIO migration");
	return set(r, PTH_CERT_SKIP,
		   "informational: no VFIO migration on vfio-pci (a variant driver may add it)");
}

static bool is_gpu(struct cert *c)
{
	return c->profile == PTH_CERT_GPU ||
	       (pt_dev_props(dut_dev(c, c->dut))->class >> 16) == 0x03;
}

static enum pth_cert_status check_boot_vga(struct cert *c, struct cert_result *r)
{
	const struct pt_dev_props *p = pt_dev_props(dut_dev(c, c->dut));

	if (!is_gpu(c))
		return set(r, PTH_CERT_SKIP, "not a display controller");
	if (p->boot_vga < 0)
		return set(r, PTH_CERT_PASS, "no boot_vga attribute: not the boot display");
	if (p->boot_vga == 1)
		return set(r, PTH_CERT_FAIL, "the boot VGA device: the host console uses it");
	return set(r, PTH_CERT_PASS, "not the boot VGA device");
}

static enum pth_cert_status check_rom(struct cert *c, struct cert_result *r)
{
	/* VFIO_PCI_ROM_REGION_INDEX */
	const uint32_t rom = 6;

	if (!is_gpu(c))
		return set(r, PTH_CERT_SKIP, "not a display controller");
	if (c->dut_dead)
		return set(r, PTH_CERT_SKIP, "not known: %s does not answer since its reset",
			   c->dut);
	if (!c->opened)
		return set(r, PTH_CERT_FAIL, "the VFIO open did not succeed: ROM not seen");
	if (c->info.num_regions <= rom || c->info.regions[rom].result < 0 ||
	    c->info.regions[rom].size == 0)
		return set(r, PTH_CERT_FAIL, "no ROM region through VFIO: the guest gets no VBIOS");
	return set(r, PTH_CERT_PASS, "ROM region of %" G_GUINT64_FORMAT " bytes",
		   c->info.regions[rom].size);
}

/* The GPU's audio function went to vfio-pci with it (a guest needs the whole group) and came
 * back to where it was. */
static enum pth_cert_status check_audio(struct cert *c, struct cert_result *r)
{
	if (!is_gpu(c))
		return set(r, PTH_CERT_SKIP, "not a display controller");
	if (c->dut_dead)
		return set(r, PTH_CERT_SKIP, "not known: %s does not answer since its reset",
			   c->dut);
	for (guint i = 1; i < c->unit->len; i++) {
		const char *addr = c->unit->pdata[i];
		const struct pt_dev_props *p = pt_dev_props(dut_dev(c, addr));
		const char *was = g_hash_table_lookup(c->before, addr);
		g_autofree char *now = NULL;

		if ((p->class >> 8) != 0x0403)
			continue;
		if (!g_hash_table_contains(c->moved, addr))
			return set(r, PTH_CERT_FAIL,
				   "audio function %s in the same group was not bound to vfio-pci "
				   "with the GPU",
				   addr);
		if (c->unit_on_vfio)
			return set(
				r, PTH_CERT_PASS,
				"audio function %s in the same group is on vfio-pci with the GPU",
				addr);
		now = dev_state(c, addr);
		if (strcmp(now, was) != 0)
			return set(r, PTH_CERT_FAIL,
				   "audio function %s went to vfio-pci with the GPU but is not "
				   "back: %s, was %s",
				   addr, now, was);
		return set(r, PTH_CERT_PASS,
			   "audio function %s in the same group: to vfio-pci with the GPU and back "
			   "to %s",
			   addr, p->driver ? p->driver : "(none)");
	}
	return set(r, PTH_CERT_SKIP, "no audio function in the DUT's group");
}

static enum pth_cert_status check_restored(struct cert *c, struct cert_result *r)
{
	g_autoptr(GString) diff = g_string_new(NULL);
	GHashTableIter it;
	gpointer k, v;

	if (c->unit_on_vfio && !c->dut_dead) {
		g_autoptr(GString) left = g_string_new(NULL);

		unit_reattach(c, left);
	}
	pt_engine_rescan(c->s.engine, NULL);
	g_hash_table_iter_init(&it, c->before);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		g_autofree char *now = dev_state(c, k);

		if (strcmp(now, v) != 0)
			g_string_append_printf(diff, "%s%s: %s, was %s", diff->len ? "; " : "",
					       (char *)k, now, (char *)v);
	}
	if (diff->len)
		return set(r, PTH_CERT_FAIL, "NOT as found: %s", diff->str);
	return set(r, PTH_CERT_PASS, "driver, driver_override and VF count as found (%u device(s))",
		   g_hash_table_size(c->before));
}

/*
 * certify's own checks, by the name a profile's scenario calls them with
 * (`certify: {check: acs-path}`). Which of them run, in which order and with which ID is the
 * profile's business (scenarios/certify/PROFILE/); this is what they do.
 */
static const struct check {
	const char *name;
	enum pth_cert_status (*run)(struct cert *c, struct cert_result *r);
	const char *changes; /* what it does to the host, for --dry-run; NULL: read-only */
} checks[] = {
	{ "iommu", check_iommu, NULL },
	{ "intremap", check_intremap, NULL },
	{ "group-isolated", check_group, NULL },
	{ "acs-path", check_acs, NULL },
	{ "profile", check_profile, NULL },
	{ "endpoint", check_endpoint, NULL },
	{ "reset-methods", check_reset_methods, NULL },
	{ "reset-alive", check_reset_alive,
	  "reset DUT through its sysfs reset file, bind UNIT to vfio-pci (driver_override), "
	  "reset DUT through VFIO" },
	{ "vfio-open", check_vfio_open,
	  "open DUT through VFIO, DMA-map and unmap 1 MiB, VFIO_DEVICE_RESET" },
	{ "rebind", check_rebind, "give UNIT back to its original driver, clear driver_override" },
	{ "sriov", check_sriov,
	  "enable VFS VFs on DUT, bind each to vfio-pci, VFIO-open it, give it back, disable VFs" },
	{ "migration", check_migration, NULL },
	{ "gpu-boot-vga", check_boot_vga, NULL },
	{ "gpu-rom", check_rom, NULL },
	{ "gpu-audio", check_audio, NULL },
	{ "host-restored", check_restored, NULL },
};

static const struct check *check_find(const char *name)
{
	for (size_t i = 0; name && i < G_N_ELEMENTS(checks); i++)
		if (strcmp(checks[i].name, name) == 0)
			return &checks[i];
	return NULL;
}

bool pth_cert_check_known(const char *name)
{
	return check_find(name) != NULL;
}

char *pth_cert_check_names(void)
{
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(checks); i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "", checks[i].name);
	return g_string_free(s, FALSE);
}

static void find_unit(struct cert *c)
{
	const struct pt_dev *d = dut_dev(c, c->dut);
	const struct pt_group *g = pt_dev_group(d);
	const struct pt_dev_props *p = pt_dev_props(d);

	g_ptr_array_add(c->unit, g_strdup(c->dut));
	for (size_t i = 0; g && i < pt_group_member_count(g); i++) {
		const struct pt_dev_props *q = pt_dev_props(pt_group_member(g, i));

		if (strcmp(q->address, c->dut) != 0 && same_slot(p, q))
			g_ptr_array_add(c->unit, g_strdup(q->address));
	}
	if (p->sriov)
		for (size_t i = 0; p->sriov->vfs && p->sriov->vfs[i]; i++)
			g_ptr_array_add(c->unit, g_strdup(p->sriov->vfs[i]));
}

static char *expand(const char *tmpl, struct cert *c, unsigned vfs_default)
{
	g_autofree char *unit = NULL;
	g_autofree char *vfs = g_strdup_printf("%u", c->vfs ? c->vfs : vfs_default);
	g_autoptr(GString) s = g_string_new(tmpl);
	const struct pt_dev_props *p = pt_dev_props(dut_dev(c, c->dut));
	guint n = 0;
	const char *parts[16] = { 0 };

	for (guint i = 0; i < c->unit->len && n < 15; i++)
		if (!p->sriov ||
		    !g_strv_contains((const char *const *)p->sriov->vfs, c->unit->pdata[i]))
			parts[n++] = c->unit->pdata[i];
	unit = g_strjoinv(" ", (char **)parts);
	g_string_replace(s, "UNIT", unit, 0);
	g_string_replace(s, "DUT", c->dut, 0);
	g_string_replace(s, "VFS", vfs, 0);
	return g_string_free(g_steal_pointer(&s), FALSE);
}

/* Step verbs that only look at the host. */
static const char *const read_only_verbs[] = { "inspect", "check",	   "read", "plan",
					       "memlock", "migrate-check", NULL };

/* What one scenario would change, for the plan: certify's own wording for its checks, the
 * verbs and arguments (with $DUT) for plain steps; NULL when it only looks. */
static char *scenario_changes(struct cert *c, struct pth_scenario *sc)
{
	g_autoptr(GString) s = g_string_new(NULL);
	struct fy_node *step, *args;
	void *it = NULL;

	while ((step = fy_node_sequence_iterate(sc->steps, &it))) {
		const char *verb = pth_step_verb(step, &args);
		const struct check *k = NULL;
		g_autofree char *what = NULL;

		if (strcmp(verb, "certify") == 0) {
			k = check_find(pth_node_str(args, "check"));
			if (!k || !k->changes ||
			    (strcmp(k->name, "sriov") == 0 &&
			     !pt_dev_props(dut_dev(c, c->dut))->sriov))
				continue;
			c->args = args;
			what = expand(k->changes, c, (unsigned)step_arg(c, "vfs", 2));
			c->args = NULL;
		} else if (g_strv_contains(read_only_verbs, verb)) {
			continue;
		} else {
			g_autoptr(GString) a = g_string_new(verb);
			struct fy_node_pair *p;
			void *jt = NULL;

			while (args && fy_node_is_mapping(args) &&
			       (p = fy_node_mapping_iterate(args, &jt))) {
				struct fy_node *v = fy_node_pair_value(p);

				g_string_append_printf(
					a, " %s=%s", fy_node_get_scalar0(fy_node_pair_key(p)),
					fy_node_is_scalar(v) ? fy_node_get_scalar0(v) : "...");
			}
			g_string_replace(a, "$DUT", c->dut, 0);
			what = g_string_free(g_steal_pointer(&a), FALSE);
		}
		g_string_append_printf(s, "%s%s", s->len ? "; " : "", what);
	}
	return s->len ? g_strdup(s->str) : NULL;
}

static void print_plan(struct cert *c, FILE *f)
{
	fprintf(f, "certify %s would run, on %s:\n", c->dut, c->s.spec);
	for (guint i = 0; i < c->checks->len; i++) {
		struct pth_scenario *sc = c->checks->pdata[i];
		g_autofree char *what = scenario_changes(c, sc);

		fprintf(f, "  %-20s %s%s%s\n", sc->check_id, sc->title, what ? ": " : "",
			what ? what : " (read-only)");
	}
}

/* The certify verb of a check's scenario: certify's own check code. */
static enum pth_cert_status certify_step(void *data, struct fy_node *args, char **ret_reason)
{
	struct cert *c = data;
	const struct check *k = check_find(pth_node_str(args, "check"));
	struct cert_result r = { 0 };

	if (!k) { /* the loader checked the name */
		*ret_reason = g_strdup("unknown check");
		return PTH_CERT_FAIL;
	}
	pt_engine_rescan(c->s.engine, NULL);
	c->args = args;
	k->run(c, &r);
	c->args = NULL;
	*ret_reason = r.reason;
	return r.status;
}

/*
 * After a check: VFs its steps enabled are disabled again (the DUT's count as found), so the
 * next check and the end state see the host as certify left it. certify's own checks keep
 * their state (the unit on vfio-pci from RESET-ALIVE to REBIND) across checks.
 */
static void restore_vfs(struct cert *c)
{
	const struct pt_dev *d;
	struct pt_outcome o = { 0 };

	pt_engine_rescan(c->s.engine, NULL);
	d = dut_dev(c, c->dut);
	if (d && pt_dev_props(d)->sriov && pt_dev_props(d)->sriov->numvfs != c->numvfs0)
		pt_set_numvfs(c->s.engine, c->dut, c->numvfs0, &o);
	pt_outcome_clear(&o);
	d = dut_dev(c, c->dut);
	if (d && pt_dev_props(d)->sriov && c->autoprobe0 >= 0 &&
	    pt_dev_props(d)->sriov->drivers_autoprobe != c->autoprobe0) {
		g_autoptr(GString) why = g_string_new(NULL);

		autoprobe_set(c, c->dut, c->autoprobe0, why);
	}
}

/* Whether a scenario runs certify's host-restored check: it goes last, whatever its name. */
static bool is_restored_check(struct pth_scenario *sc)
{
	struct fy_node *step, *args;
	void *it = NULL;

	while ((step = fy_node_sequence_iterate(sc->steps, &it)))
		if (strcmp(pth_step_verb(step, &args), "certify") == 0 &&
		    strcmp(pth_node_str(args, "check"), "host-restored") == 0)
			return true;
	return false;
}

/*
 * SIGINT and SIGTERM during a run: the handler only notes the signal (a signal handler can
 * reach nothing but a global); certify stops at the next safe point (before a check's next
 * step, or before the next check), gives back what it holds and writes the certificate.
 */
static volatile sig_atomic_t caught_signal;

static void on_signal(int sig)
{
	caught_signal = sig;
}

/*
 * The safe point. For tests, PTH_CERTIFY_TEST_SIGNAL=SIG@CHECK-ID[:STEP] raises SIG (INT or
 * TERM) just before step STEP (default 1) of that check runs, as if it came from the terminal.
 */
static int certify_interrupted(void *data, unsigned index)
{
	struct cert *c = data;
	const char *t = g_getenv("PTH_CERTIFY_TEST_SIGNAL");

	if (t && !c->interrupted && c->running) {
		g_auto(GStrv) f = g_strsplit_set(t, "@:", 3);
		unsigned step = f[1] && f[2] ? (unsigned)atoi(f[2]) : 1;

		if (f[0] && f[1] && strcmp(f[1], c->running) == 0 && step == index)
			raise(strcmp(f[0], "TERM") == 0 ? SIGTERM : SIGINT);
	}
	if (caught_signal && !c->interrupted)
		c->interrupted = caught_signal;
	/* The host-restored check runs to its end: it is the undo. */
	return c->restoring ? 0 : c->interrupted;
}

static void run_checks(struct cert *c)
{
	const struct pth_step_hooks hooks = { .certify = certify_step,
					      .interrupted = certify_interrupted,
					      .data = c };
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;

	caught_signal = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	for (guint i = 0; i < c->checks->len; i++) {
		struct pth_scenario *sc = c->checks->pdata[i];
		struct cert_result r = { .id = g_strdup(sc->check_id),
					 .title = g_strdup(sc->title) };
		gint64 t0 = g_get_monotonic_time();
		bool last = i + 1 == c->checks->len && is_restored_check(sc);

		c->running = sc->check_id;
		c->restoring = last;
		g_autofree char *changes = c->dut_dead && !last ? scenario_changes(c, sc) : NULL;

		if (c->interrupted && !last) {
			/* After an interruption only the host-restored check runs: it gives back
			 * the unit and says whether the host is as found. */
			r.status = set(&r, PTH_CERT_SKIP, "interrupted");
		} else if (changes) {
			/* A DUT that no longer answers is left where it is: moving it between
			 * drivers could only leave it on one that cannot drive it. */
			r.status = set(
				&r, PTH_CERT_SKIP,
				"not run: %s does not answer since its reset (CERT-RESET-ALIVE), "
				"so nothing more is done to it",
				c->dut);
		} else {
			r.status = pth_run_check(sc, c->s.engine, c->s.be, c->s.fake, c->s.trace,
						 c->dut, &hooks, &r.reason);
			if (!c->interrupted)
				certify_interrupted(c, 0);
			if (c->interrupted && !last && r.status == PTH_CERT_PASS)
				set(&r, PTH_CERT_FAIL,
				    "interrupted by SIG%s at the end of this check",
				    sigabbrev_np(c->interrupted) ?: "a signal");
		}
		restore_vfs(c);
		r.usec = g_get_monotonic_time() - t0;
		g_array_append_val(c->results, r);
	}
	c->running = NULL;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
}

/*
 * The profile: every *.yaml of its directory (--profile-dir, else $PTH_CERTIFY_PROFILES/PROFILE,
 * else scenarios/certify/PROFILE of the source tree), in
 * file-name order, each a certification scenario for the live target with a check_id, no two
 * with the same; the host-restored check last. Returns 0 or an exit status (message printed).
 */
static int load_profile(struct cert *c)
{
	const char *base = g_getenv("PTH_CERTIFY_PROFILES");
	g_autofree char *dir = c->profile_dir ? g_strdup(c->profile_dir) :
			       base ? g_build_filename(base, profile_names[c->profile], NULL) :
				      g_build_filename(PTH_SCENARIOS_DIR, "certify",
						       profile_names[c->profile], NULL);
	char *paths[] = { dir, NULL };
	g_autoptr(GPtrArray) files = NULL;
	g_autoptr(GPtrArray) last = g_ptr_array_new();
	g_autoptr(GHashTable) ids = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GError) error = NULL;

	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		fprintf(stderr, "ptharness certify: %s: no such profile directory\n", dir);
		return PTH_EXIT_INPUT;
	}
	files = pth_scenario_find(paths, &error);
	for (guint i = 0; files && i < files->len; i++) {
		struct pth_scenario *sc = pth_scenario_load(files->pdata[i], dir, &error);
		const char *why = NULL;

		if (!sc)
			break;
		if (!sc->check_id)
			why = "a certification check needs 'check_id' (its stable ID)";
		else if (strcmp(sc->category, "certification") != 0)
			why = "a certification check has category: certification";
		else if (!(sc->targets & PTH_TARGET_LIVE))
			why = "a certification check has targets: [live]";
		else if (!g_hash_table_add(ids, sc->check_id))
			why = "a second check with the same check_id";
		if (why) {
			g_set_error(&error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s%s%s",
				    sc->file, why, sc->check_id ? ": " : "",
				    sc->check_id ? sc->check_id : "");
			pth_scenario_free(sc);
			break;
		}
		g_ptr_array_add(is_restored_check(sc) ? last : c->checks, sc);
	}
	if (error) {
		fprintf(stderr, "ptharness certify: %s\n", error->message);
		return PTH_EXIT_INPUT;
	}
	if (c->checks->len + last->len == 0) {
		fprintf(stderr, "ptharness certify: %s: no checks (*.yaml) in the profile\n", dir);
		return PTH_EXIT_INPUT;
	}
	g_ptr_array_extend_and_steal(c->checks, g_steal_pointer(&last));
	return 0;
}

/* ---- the certificate ---- */

static char *read_text(struct cert *c, enum pt_ns ns, const char *path)
{
	char buf[4096];

	if (pt_backend_read_line(c->s.be, ns, path, buf, sizeof(buf)) < 0)
		return NULL;
	return g_strdup(buf);
}

static void add_str(JsonBuilder *b, const char *name, const char *v)
{
	json_builder_set_member_name(b, name);
	v ? json_builder_add_string_value(b, v) : json_builder_add_null_value(b);
}

static void set_str(JsonObject *o, const char *name, const char *v)
{
	if (v && *v)
		json_object_set_string_member(o, name, v);
	else
		json_object_set_null_member(o, name);
}

/* The DUT as inspect --json shows it (ids, subsystem ids, class, driver, group, resets), with
 * the names from pci.ids, the driver's version and the unit. */
static void dut_to_json(struct cert *c, JsonBuilder *b, const struct pth_cert_identity *id,
			JsonNode *host_view)
{
	JsonArray *devs = json_object_get_array_member(json_node_get_object(host_view), "devices");
	JsonNode *dut = NULL;
	JsonArray *unit = json_array_new();
	JsonObject *o;

	for (guint i = 0; !dut && i < json_array_get_length(devs); i++) {
		JsonObject *d = json_array_get_object_element(devs, i);

		if (strcmp(json_object_get_string_member(d, "address"), c->dut) == 0)
			dut = json_node_copy(json_array_get_element(devs, i));
	}
	o = json_node_get_object(dut);
	set_str(o, "vendor_name", id->vendor_name);
	set_str(o, "device_name", id->device_name);
	set_str(o, "subsystem_vendor_name", id->subvendor_name);
	set_str(o, "driver_version", id->driver_version);
	set_str(o, "firmware", id->firmware);
	set_str(o, "firmware_file", id->firmware_file);
	set_str(o, "model", id->model);
	for (guint i = 0; i < c->unit->len; i++)
		json_array_add_string_element(unit, c->unit->pdata[i]);
	json_object_set_array_member(o, "unit", unit);
	json_builder_set_member_name(b, "dut");
	json_builder_add_value(b, dut);
}

/*
 * Where sysfs shows a device's firmware version, in the order tried. The kernel has no
 * generic attribute: a few drivers add one. An NVMe controller's class device (a child of the
 * PCI device) shows the Identify Controller strings, space-padded to their field widths
 * (nvme_show_str_function() in drivers/nvme/host/core.c; sysfs.c since 6.8); its serial
 * identifies the unit and is never read. amdgpu shows the VBIOS version on the PCI device
 * (amdgpu_atombios.c). NIC drivers report firmware through ethtool only.
 */
static const struct firmware_file {
	const char *class_dir; /* the child class directory ("nvme"), or NULL: the device's own */
	const char *version; /* the attribute with the version */
	const char *model; /* an attribute with the model the firmware reports, or NULL */
} firmware_files[] = {
	{ "nvme", "firmware_rev", "model" },
	{ NULL, "vbios_version", NULL },
};

/* A sysfs text attribute without its trailing newline and padding; NULL when absent or empty. */
static char *read_attr(struct cert *c, const char *path)
{
	char *v = read_text(c, PT_NS_SYS, path);

	if (v && !*g_strchomp(v))
		g_clear_pointer(&v, g_free);
	return v;
}

static void identify_firmware(struct cert *c, struct pth_cert_identity *id)
{
	g_autofree char *dir = g_strdup_printf("bus/pci/devices/%s", c->dut);

	for (size_t i = 0; i < G_N_ELEMENTS(firmware_files) && !id->firmware; i++) {
		const struct firmware_file *f = &firmware_files[i];
		g_autofree char *sub = NULL;
		g_autofree char *path = NULL;

		if (f->class_dir) {
			g_autofree char *cdir = g_strdup_printf("%s/%s", dir, f->class_dir);
			g_auto(GStrv) names = NULL;
			size_t n = 0;

			if (pt_backend_list(c->s.be, PT_NS_SYS, cdir, &names, &n) < 0 || n == 0)
				continue;
			sub = g_strdup_printf("%s/%s/", f->class_dir, names[0]);
		}
		path = g_strdup_printf("%s/%s%s", dir, sub ? sub : "", f->version);
		id->firmware = read_attr(c, path);
		if (!id->firmware)
			continue;
		id->firmware_file = g_strdup_printf("%s%s", sub ? sub : "", f->version);
		if (f->model) {
			g_autofree char *mpath =
				g_strdup_printf("%s/%s%s", dir, sub ? sub : "", f->model);

			id->model = read_attr(c, mpath);
		}
	}
}

static void identify(struct cert *c, struct pth_cert_identity *id)
{
	const struct pt_dev_props *p = pt_dev_props(dut_dev(c, c->dut));
	struct pt_pciconf_parser *pp = NULL;
	char dummy[8];

	if (p->driver) {
		g_autofree char *path =
			g_strdup_printf("bus/pci/drivers/%s/module/version", p->driver);

		id->driver_version = read_text(c, PT_NS_SYS, path);
	}
	identify_firmware(c, id);
	if (pt_pciconf_parser_new(&pp) == 0) {
		pt_pciconf_names(pp, p->vendor, p->device, id->vendor_name, sizeof(id->vendor_name),
				 id->device_name, sizeof(id->device_name));
		pt_pciconf_names(pp, p->subsystem_vendor, 0, id->subvendor_name,
				 sizeof(id->subvendor_name), dummy, sizeof(dummy));
		pt_pciconf_parser_free(pp);
	}
	id->kernel = read_text(c, PT_NS_PROC, "sys/kernel/osrelease");
	id->cmdline = read_text(c, PT_NS_PROC, "cmdline");
}

static JsonNode *certificate_json(struct cert *c, const struct pth_cert_identity *id,
				  JsonNode *host_view, int status)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *when = g_date_time_format_iso8601(now);
	JsonObject *hv = json_node_get_object(host_view);
	unsigned count[_PTH_CERT_STATUS_MAX] = { 0 };

	json_builder_begin_object(b);
	add_str(b, "schema", CERT_SCHEMA);
	add_str(b, "tool", "ptharness " PTH_VERSION);
	add_str(b, "created", when);
	add_str(b, "host", c->s.spec);
	add_str(b, "profile", profile_names[c->profile]);
	add_str(b, "verdict", status == PTH_EXIT_OK ? "certified" : "not-certified");
	if (c->interrupted) {
		g_autofree char *sig = g_strdup_printf("SIG%s", sigabbrev_np(c->interrupted));

		add_str(b, "interrupted", sig);
	} else {
		add_str(b, "interrupted", NULL);
	}
	dut_to_json(c, b, id, host_view);
	json_builder_set_member_name(b, "kernel");
	json_builder_begin_object(b);
	add_str(b, "release", id->kernel);
	add_str(b, "cmdline", id->cmdline);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "checks");
	json_builder_begin_array(b);
	for (guint i = 0; i < c->results->len; i++) {
		const struct cert_result *r = &g_array_index(c->results, struct cert_result, i);

		count[r->status]++;
		json_builder_begin_object(b);
		add_str(b, "id", r->id);
		add_str(b, "title", r->title);
		add_str(b, "status", pth_cert_status_names[r->status]);
		add_str(b, "reason", r->reason);
		json_builder_set_member_name(b, "duration_us");
		json_builder_add_int_value(b, r->usec);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "summary");
	json_builder_begin_object(b);
	for (int i = 0; i < _PTH_CERT_STATUS_MAX; i++) {
		json_builder_set_member_name(b, pth_cert_status_names[i]);
		json_builder_add_int_value(b, count[i]);
	}
	json_builder_end_object(b);
	/* What the groups looked like before any change, as inspect --json shows them. */
	json_builder_set_member_name(b, "groups");
	json_builder_add_value(b, json_node_copy(json_object_get_member(hv, "groups")));
	add_str(b, "recording", "host.umockdev");
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

static void identity_clear(struct pth_cert_identity *id)
{
	g_free(id->driver_version);
	g_free(id->firmware);
	g_free(id->firmware_file);
	g_free(id->model);
	g_free(id->kernel);
	g_free(id->cmdline);
}

static const char *member(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);

	return n && JSON_NODE_HOLDS_VALUE(n) ? json_node_get_string(n) : NULL;
}

/* JUnit XML (the junit-10 schema): one suite, one testcase per check. */
static char *cert_junit(JsonNode *root)
{
	JsonObject *o = json_node_get_object(root);
	JsonObject *dut = json_object_get_object_member(o, "dut");
	JsonObject *sum = json_object_get_object_member(o, "summary");
	JsonArray *checks_ = json_object_get_array_member(o, "checks");
	GString *x = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	double total = 0;
	g_autofree char *name = NULL;

	for (guint i = 0; i < json_array_get_length(checks_); i++)
		total += json_object_get_int_member(json_array_get_object_element(checks_, i),
						    "duration_us") /
			 1e6;
	name = g_markup_printf_escaped("certify %s", member(dut, "address"));
	g_string_append_printf(x,
			       "<testsuites>\n  <testsuite name=\"%s\" tests=\"%u\" "
			       "failures=\"%" G_GINT64_FORMAT
			       "\" errors=\"0\" skipped=\"%" G_GINT64_FORMAT "\" time=\"%.6f\">\n",
			       name, json_array_get_length(checks_),
			       json_object_get_int_member(sum, "fail"),
			       json_object_get_int_member(sum, "skip"), total);
	for (guint i = 0; i < json_array_get_length(checks_); i++) {
		JsonObject *c = json_array_get_object_element(checks_, i);
		const char *st = member(c, "status");
		g_autofree char *tc = g_markup_printf_escaped(
			"    <testcase classname=\"certify\" name=\"%s\" time=\"%.6f\"",
			member(c, "id"), json_object_get_int_member(c, "duration_us") / 1e6);
		g_autofree char *why = g_markup_escape_text(member(c, "reason"), -1);

		g_string_append(x, tc);
		if (strcmp(st, "pass") == 0)
			g_string_append_printf(x,
					       ">\n      <system-out>%s</system-out>\n"
					       "    </testcase>\n",
					       why);
		else if (strcmp(st, "fail") == 0)
			g_string_append_printf(x,
					       ">\n      <failure type=\"check\" message=\"%s\">%s"
					       "</failure>\n    </testcase>\n",
					       why, why);
		else
			g_string_append_printf(x,
					       ">\n      <skipped message=\"%s\"/>\n"
					       "    </testcase>\n",
					       why);
	}
	g_string_append(x, "  </testsuite>\n</testsuites>\n");
	return g_string_free(x, FALSE);
}

static void html_row(GString *h, const char *key, const char *value)
{
	g_autofree char *row = g_markup_printf_escaped("<tr><th>%s</th><td>%s</td></tr>\n", key,
						       value ? value : "");

	g_string_append(h, row);
}

/* A page that stands alone: identity, verdict, one row per check. */
static char *cert_html(JsonNode *root)
{
	JsonObject *o = json_node_get_object(root);
	JsonObject *dut = json_object_get_object_member(o, "dut");
	JsonObject *k = json_object_get_object_member(o, "kernel");
	JsonArray *cs = json_object_get_array_member(o, "checks");
	GString *h = g_string_new(NULL);
	g_autofree char *title =
		g_markup_printf_escaped("Passthrough certificate: %s", member(dut, "address"));
	g_autofree char *ids = g_strdup_printf(
		"%s:%s (subsystem %s:%s), class %s, rev %s", member(dut, "vendor"),
		member(dut, "device"), member(dut, "subsystem_vendor"),
		member(dut, "subsystem_device"), member(dut, "class"), member(dut, "revision"));
	g_autofree char *name = g_strdup_printf("%s %s", member(dut, "vendor_name") ?: "",
						member(dut, "device_name") ?: "");
	g_autofree char *fw = member(dut, "firmware") ?
				      g_strdup_printf("%s (sysfs %s)", member(dut, "firmware"),
						      member(dut, "firmware_file")) :
				      g_strdup("not shown in sysfs");

	g_string_append_printf(h,
			       "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
			       "<title>%s</title>\n<style>body{font-family:sans-serif;margin:2em}"
			       "table{border-collapse:collapse}td,th{border:1px solid #ccc;"
			       "padding:4px 8px;text-align:left}.pass{background:#dfd}"
			       ".fail{background:#fdd}.skip{background:#eee}</style></head>\n"
			       "<body>\n<h1>%s</h1>\n",
			       title, title);
	g_string_append_printf(h, "<p class=\"%s\"><strong>%s</strong></p>\n<table>\n",
			       strcmp(member(o, "verdict"), "certified") == 0 ? "pass" : "fail",
			       strcmp(member(o, "verdict"), "certified") == 0 ? "Certified" :
										"Not certified");
	html_row(h, "Device", name);
	html_row(h, "Ids", ids);
	html_row(h, "Driver", member(dut, "driver"));
	html_row(h, "Driver version", member(dut, "driver_version"));
	html_row(h, "Firmware", fw);
	html_row(h, "Model", member(dut, "model"));
	html_row(h, "Kernel", member(k, "release"));
	html_row(h, "Command line", member(k, "cmdline"));
	html_row(h, "Host", member(o, "host"));
	html_row(h, "Profile", member(o, "profile"));
	html_row(h, "Tool", member(o, "tool"));
	html_row(h, "Created", member(o, "created"));
	g_string_append(h,
			"</table>\n<h2>Checks</h2>\n<table>\n"
			"<tr><th>Check</th><th>Status</th><th>Reason</th><th>Seconds</th></tr>\n");
	for (guint i = 0; i < json_array_get_length(cs); i++) {
		JsonObject *c = json_array_get_object_element(cs, i);
		g_autofree char *row = g_markup_printf_escaped(
			"<tr class=\"%s\"><td>%s<br><small>%s</small></td><td>%s</td><td>%s</td>"
			"<td>%.3f</td></tr>\n",
			member(c, "status"), member(c, "id"), member(c, "title"),
			member(c, "status"), member(c, "reason"),
			json_object_get_int_member(c, "duration_us") / 1e6);

		g_string_append(h, row);
	}
	g_string_append(h, "</table>\n<p>The host as it was before any change: "
			   "<a href=\"host.umockdev\">host.umockdev</a> (replay with "
			   "<code>ptharness inspect --host host.umockdev</code>).</p>\n"
			   "</body></html>\n");
	return g_string_free(h, FALSE);
}

static int write_file(const char *dir, const char *name, const char *text)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) error = NULL;

	if (pth_write_file(path, text, strlen(text), &error) < 0) {
		fprintf(stderr, "ptharness certify: %s\n", error->message);
		return -EIO;
	}
	return 0;
}

static int write_certificate(struct cert *c, const char *dir, GString *recording,
			     JsonNode *host_view, int status)
{
	struct pth_cert_identity id = { 0 };
	g_autofree char *json = NULL;
	g_autofree char *junit = NULL;
	g_autofree char *html = NULL;
	JsonNode *root;
	int r = 0;

	if (g_mkdir_with_parents(dir, 0755) < 0) {
		fprintf(stderr, "ptharness certify: cannot create %s: %s\n", dir,
			g_strerror(errno));
		return -errno;
	}
	identify(c, &id);
	root = certificate_json(c, &id, host_view, status);
	json = pth_json_to_string(root);
	junit = cert_junit(root);
	html = cert_html(root);
	json_node_unref(root);
	r |= write_file(dir, "certificate.json", json);
	r |= write_file(dir, "junit.xml", junit);
	r |= write_file(dir, "certificate.html", html);
	r |= write_file(dir, "host.umockdev", recording->str);
	identity_clear(&id);
	return r;
}

/* ---- the command ---- */

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "ptharness certify: %s%s%s%s (see ptharness certify --help)\n", what,
		arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
	return PTH_EXIT_INPUT;
}

static void usage(void)
{
	printf("Usage: ptharness certify BDF [--profile nic|gpu|nvme|generic] [--vfs N] [--out DIR]\n"
	       "                         [--yes] [--dry-run] [--host FILE|DIR|live]\n"
	       "                         [--profile-dir DIR]\n\n"
	       "Certify a device for passthrough: IOMMU and interrupt remapping, an isolated\n"
	       "group with ACS upstream, an endpoint with working reset, vfio-pci and back, a VFIO\n"
	       "open with DMA map and VFIO reset, SR-IOV VFs, migration, GPU specifics. The host\n"
	       "is left as found. A host-critical device is refused. On a live host nothing is\n"
	       "changed without --yes.\n\n"
	       "  --profile P    nic, gpu, nvme or generic (default: from the device's class)\n"
	       "  --profile-dir DIR  the profile's checks: one scenario per check (default:\n"
	       "                 " PTH_SCENARIOS_DIR "/certify/PROFILE)\n"
	       "  --vfs N        SR-IOV: enable N VFs (default 2, at most what the PF offers)\n"
	       "  --out DIR      write certificate.json, junit.xml, certificate.html and the\n"
	       "                 host recording made before any change (host.umockdev)\n"
	       "  --yes          change a live host\n"
	       "  --dry-run      list the steps, change nothing\n"
	       "  --host SPEC    live (default), a recording or a directory holding sys/\n"
	       "  --kernel X.Y   the kernel whose behaviour applies\n"
	       "  --save FILE    (model) write the end state as a recording\n"
	       "  --faults FILE  (model) inject faults (fakesys syntax: write, reset, numvfs,\n"
	       "                 remove), to see a check fail midway and the host restored\n\n"
	       "Exit status: 0 certified, 1 a check failed, 2 usage error or refusal.\n");
}

static int parse(struct cert *c, int argc, char **argv, const char **ret_out, bool *ret_yes,
		 bool *ret_dry)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "kernel", required_argument, NULL, 'K' },
		{ "save", required_argument, NULL, 'W' },
		{ "faults", required_argument, NULL, 'F' },
		{ "profile", required_argument, NULL, 'p' },
		{ "profile-dir", required_argument, NULL, 'P' },
		{ "vfs", required_argument, NULL, 'v' },
		{ "out", required_argument, NULL, 'o' },
		{ "yes", no_argument, NULL, 'y' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int o;

	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":H:K:W:F:p:P:v:o:ynh", opts, NULL)) != -1) {
		char *end = NULL;

		switch (o) {
		case 'H':
		case 'K':
		case 'W':
			pth_session_option(&c->s, o, optarg);
			break;
		case 'p':
			c->profile = _PTH_CERT_PROFILE_MAX;
			for (int i = 0; i < _PTH_CERT_PROFILE_MAX; i++)
				if (strcmp(optarg, profile_names[i]) == 0)
					c->profile = i;
			if (c->profile == _PTH_CERT_PROFILE_MAX)
				return usage_error("unknown profile (nic, gpu, nvme, generic):",
						   optarg);
			c->profile_given = true;
			break;
		case 'v':
			c->vfs = (unsigned)strtoul(optarg, &end, 10);
			if (!*optarg || *end || c->vfs == 0 || c->vfs > 256)
				return usage_error("--vfs wants a count from 1 to 256:", optarg);
			break;
		case 'F':
			c->faults = optarg;
			break;
		case 'P':
			c->profile_dir = optarg;
			break;
		case 'o':
			*ret_out = optarg;
			break;
		case 'y':
			*ret_yes = true;
			break;
		case 'n':
			*ret_dry = true;
			break;
		case 'h':
			usage();
			return -1;
		default:
			return usage_error(o == ':' ? "option needs a value:" : "unknown option",
					   argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return usage_error("expects one device address", NULL);
	c->dut = argv[optind];
	return 0;
}

/*
 * A recording made through the fake kernel repeats a device's SUBSYSTEM property (its uevent
 * file and the recorder both add it), which the loader refuses; keep the first of each E: line
 * within a device block. A work-around until record.c writes it once.
 */
static void drop_repeated_properties(GString *rec)
{
	g_auto(GStrv) lines = g_strsplit(rec->str, "\n", -1);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

	g_string_truncate(rec, 0);
	for (char **l = lines; *l; l++) {
		if (g_str_has_prefix(*l, "P: "))
			g_hash_table_remove_all(seen);
		else if (g_str_has_prefix(*l, "E: ") && !g_hash_table_add(seen, *l))
			continue;
		g_string_append(rec, *l);
		if (l[1])
			g_string_append_c(rec, '\n');
	}
}

/* ---- run --dut: certify's checks for `ptharness run` on this machine ---- */

static void cert_free(struct cert *c)
{
	/* A DUT that does not answer stays on vfio-pci (see dead()). */
	if (c->unit_on_vfio && !c->dut_dead) {
		g_autoptr(GString) p = g_string_new(NULL);

		unit_reattach(c, p);
	}
	for (guint i = 0; i < c->results->len; i++) {
		struct cert_result *x = &g_array_index(c->results, struct cert_result, i);

		g_free(x->id);
		g_free(x->title);
		g_free(x->reason);
	}
	g_array_unref(c->results);
	g_ptr_array_unref(c->checks);
	g_strfreev(c->netdevs);
	g_ptr_array_unref(c->unit);
	g_array_unref(c->detached);
	g_hash_table_unref(c->before);
	g_hash_table_unref(c->moved);
}

static void cert_init(struct cert *c)
{
	c->unit = g_ptr_array_new_with_free_func(g_free);
	c->results = g_array_new(FALSE, TRUE, sizeof(struct cert_result));
	c->checks = g_ptr_array_new_with_free_func((GDestroyNotify)pth_scenario_free);
	c->detached = g_array_new(FALSE, TRUE, sizeof(struct pt_detached));
	/* Entries left (a DUT that stopped answering stays detached) go with the array. */
	g_array_set_clear_func(c->detached, (GDestroyNotify)pt_detached_clear);
	c->before = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	c->moved = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

/* The state certify keeps from its start (find_unit first): the states to restore, the netdevs. */
static void cert_start(struct cert *c)
{
	const struct pt_dev_props *p = pt_dev_props(dut_dev(c, c->dut));

	c->netdevs = g_strdupv(p->netdevs);
	snapshot(c);
	c->numvfs0 = p->sriov ? p->sriov->numvfs : 0;
	c->autoprobe0 = p->sriov ? p->sriov->drivers_autoprobe : -1;
}

int pth_cert_hooks_new(const char *dut, struct pth_step_hooks *ret)
{
	struct cert *c = g_new0(struct cert, 1);
	const struct pt_dev *d;
	int r;

	cert_init(c);
	c->dut = dut;
	r = pth_session_open(&c->s, "run");
	d = r == 0 ? dut_dev(c, dut) : NULL;
	if (r == 0 && !d) {
		fprintf(stderr, "ptharness run: --dut %s: no such PCI device on %s\n", dut,
			c->s.spec);
		r = PTH_EXIT_INPUT;
	} else if (d && pt_dev_critical(d) != PT_CRITICAL_NONE) {
		fprintf(stderr, "ptharness run: refused: --dut %s is host-critical (%s): %s\n", dut,
			pt_critical_to_string(pt_dev_critical(d)),
			pt_critical_describe(pt_dev_critical(d)));
		r = PTH_EXIT_INPUT;
	}
	if (r != 0) {
		pth_session_close(&c->s, "run", r);
		cert_free(c);
		g_free(c);
		return r;
	}
	c->profile = profile_of_class(pt_dev_props(d)->class);
	find_unit(c);
	cert_start(c);
	*ret = (struct pth_step_hooks){ .certify = certify_step, .data = c };
	return 0;
}

void pth_cert_hooks_free(struct pth_step_hooks *hooks)
{
	struct cert *c = hooks->data;

	if (!c)
		return;
	restore_vfs(c);
	cert_free(c);
	pth_session_close(&c->s, "run", 0);
	g_free(c);
	hooks->data = NULL;
}

static int certify(struct cert *c, const char *out, bool yes, bool dry)
{
	const struct pt_dev *d = dut_dev(c, c->dut);
	g_autoptr(GString) recording = g_string_new(NULL);
	g_autoptr(GError) error = NULL;
	JsonNode *view;
	int status = PTH_EXIT_OK;

	if (!d) {
		fprintf(stderr, "ptharness certify: %s: no such PCI device on %s\n", c->dut,
			c->s.spec);
		return PTH_EXIT_INPUT;
	}
	if (pt_dev_critical(d) != PT_CRITICAL_NONE) {
		fprintf(stderr, "ptharness certify: refused: %s is host-critical (%s): %s\n",
			c->dut, pt_critical_to_string(pt_dev_critical(d)),
			pt_critical_describe(pt_dev_critical(d)));
		return PTH_EXIT_INPUT;
	}
	if (!c->profile_given)
		c->profile = profile_of_class(pt_dev_props(d)->class);
	status = load_profile(c);
	if (status != PTH_EXIT_OK)
		return status;
	find_unit(c);
	if (dry || (c->s.live && !yes)) {
		print_plan(c, stdout);
		if (dry)
			return PTH_EXIT_OK;
		fprintf(stderr, "ptharness certify: this changes the live host; run again with "
				"--yes to go ahead\n");
		return PTH_EXIT_INPUT;
	}
	/* Before anything changes: the recording and the groups as seen now. */
	if (pth_record_host(c->s.be, pt_engine_host(c->s.engine), recording, &error) < 0) {
		fprintf(stderr, "ptharness certify: cannot record the host: %s\n", error->message);
		return PTH_EXIT_INPUT;
	}
	drop_repeated_properties(recording);
	view = pth_host_to_json(pt_engine_host(c->s.engine), c->s.spec);
	cert_start(c);
	run_checks(c);
	for (guint i = 0; i < c->results->len; i++) {
		const struct cert_result *r = &g_array_index(c->results, struct cert_result, i);

		if (r->status == PTH_CERT_FAIL)
			status = PTH_EXIT_FAIL;
		printf("%-4s %-20s %s\n", pth_cert_status_names[r->status], r->id, r->reason);
	}
	if (c->interrupted) {
		printf("%s: NOT certified: interrupted by SIG%s\n", c->dut,
		       sigabbrev_np(c->interrupted) ?: "a signal");
		status = PTH_EXIT_FAIL;
	} else {
		printf("%s: %s\n", c->dut, status == PTH_EXIT_OK ? "certified" : "NOT certified");
	}
	if (out && write_certificate(c, out, recording, view, status) < 0)
		status = PTH_EXIT_INPUT;
	/* As a shell reports a command a signal ended: 128 + the signal (130 for Ctrl-C). */
	if (c->interrupted && status != PTH_EXIT_INPUT)
		status = 128 + c->interrupted;
	json_node_unref(view);
	return status;
}

/* Faults for the model, as scenario files write them (fakesys.h): to test that a check failing
 * midway leaves the host as found. */
static int add_faults(struct cert *c)
{
	c->s.faults = c->faults;
	return pth_session_add_faults(&c->s, "certify");
}

int pth_cmd_certify(int argc, char **argv)
{
	struct cert c = { .profile = PTH_CERT_GENERIC };
	const char *out = NULL;
	bool yes = false, dry = false;
	int r;

	r = parse(&c, argc, argv, &out, &yes, &dry);
	if (r != 0)
		return r < 0 ? PTH_EXIT_OK : r;
	cert_init(&c);
	c.s.mutating = !dry;
	r = pth_session_open(&c.s, "certify");
	if (r == 0 && c.faults)
		r = add_faults(&c);
	if (r == 0)
		r = certify(&c, out, yes, dry);
	cert_free(&c);
	return pth_session_close(&c.s, "certify", r);
}
