/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host model as the JSON of `inspect --json` (docs/scenario-contract.md), written by hand. */

/*
 * Why by hand: this view is the output of `inspect --json`, whose speed is measured against
 * lspci (ci/bench). json-glib took a fifth of the command on 500 devices (five allocations per
 * member); json-c, used next, still built a tree of hash tables only to print it and free it:
 * on 4,096 devices its objects were a sixth of the peak memory and its allocations most of
 * the malloc time. The document is written as it is walked, into one string. The text is
 * json-c's plain form (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) byte for
 * byte: no spaces, "/" left alone, the escapes of json-c's json_escape_str().
 */

#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "hostjson.h"
#include "memattr.h"
#include "variant.h"
#include "vfio.h"

#define JW_DEPTH 16

/* The document being written (buf, len bytes of cap): at each open level, whether a member
 * was written (the next one needs a comma), and whether a key was just written (its value
 * needs none). Its own buffer: GString's appends are calls, and a document is 50,000 of
 * them per hundred devices. */
struct jw {
	char *buf;
	size_t len, cap;
	unsigned depth;
	bool more[JW_DEPTH];
	bool keyed;
};

static void room(struct jw *w, size_t n)
{
	if (w->len + n < w->cap)
		return;
	w->cap = MAX(w->cap * 2, w->len + n + 1);
	w->buf = g_realloc(w->buf, w->cap);
}

static inline void put(struct jw *w, const char *s, size_t n)
{
	room(w, n);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static inline void put_c(struct jw *w, char c)
{
	room(w, 1);
	w->buf[w->len++] = c;
}

static void sep(struct jw *w)
{
	if (w->keyed)
		w->keyed = false;
	else if (w->more[w->depth])
		put_c(w, ',');
	w->more[w->depth] = true;
}

/* json_escape_str(): \b \n \r \t \f \" \\ by name, other bytes below 0x20 as \u00xx. */
static void put_escaped(struct jw *w, const char *v)
{
	static const char names[32] = {
		['\b'] = 'b', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't', ['\f'] = 'f'
	};
	const char *run = v;

	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(w, run, (size_t)(v - run));
		run = v + 1;
		if (c >= 0x20 || names[c]) {
			put_c(w, '\\');
			put_c(w, c >= 0x20 ? (char)c : names[c]);
		} else {
			char u[8];

			snprintf(u, sizeof(u), "\\u00%02x", c);
			put(w, u, 6);
		}
	}
	put(w, run, (size_t)(v - run));
}

static void open_(struct jw *w, char c)
{
	sep(w);
	put_c(w, c);
	g_assert(w->depth + 1 < JW_DEPTH);
	w->more[++w->depth] = false;
}

static void close_(struct jw *w, char c)
{
	put_c(w, c);
	w->depth--;
}

/* Keys are the constants below: nothing to escape. */
static void key(struct jw *w, const char *k)
{
	sep(w);
	put_c(w, '"');
	put(w, k, strlen(k));
	put(w, "\":", 2);
	w->keyed = true;
}

/* Plain printable ASCII, as nearly every value is: pth_utf8_escape() would return it as is. */
static bool plain(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || (unsigned char)*v >= 0x7f)
			return false;
	return true;
}

/* Strings from a recording may hold any bytes: JSON holds UTF-8 (trial row 14). */
static void str(struct jw *w, const char *v)
{
	sep(w);
	put_c(w, '"');
	if (plain(v)) {
		put_escaped(w, v);
	} else {
		g_autofree char *valid = pth_utf8_escape(v);

		put_escaped(w, valid);
	}
	put_c(w, '"');
}

static void set_str(struct jw *w, const char *k, const char *v)
{
	key(w, k);
	str(w, v);
}

static void set_null(struct jw *w, const char *k)
{
	key(w, k);
	sep(w);
	put(w, "null", 4);
}

static void set_int(struct jw *w, const char *k, int64_t v)
{
	char s[24];

	key(w, k);
	sep(w);
	put(w, s, (size_t)snprintf(s, sizeof(s), "%" PRId64, v));
}

static void set_bool(struct jw *w, const char *k, bool v)
{
	key(w, k);
	sep(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

/* "%0*x" by hand: snprintf() was a tenth of the writer's time (eight ids per device). */
static void set_hex(struct jw *w, const char *k, unsigned v, int width)
{
	char s[16];
	int n = 0;

	do {
		s[n++] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	while (n < width && n < (int)sizeof(s))
		s[n++] = '0';
	key(w, k);
	sep(w);
	put_c(w, '"');
	while (n)
		put_c(w, s[--n]);
	put_c(w, '"');
}

/* An id config space would give: null when there is none and the capture kept no value. */
static void set_id(struct jw *w, const char *k, unsigned v, int digits, bool config_missing)
{
	if (config_missing && v == 0)
		set_null(w, k);
	else
		set_hex(w, k, v, digits);
}

static void set_str_or_null(struct jw *w, const char *k, const char *v)
{
	if (v)
		set_str(w, k, v);
	else
		set_null(w, k);
}

static void set_int_or_null(struct jw *w, const char *k, long v, bool present)
{
	if (present)
		set_int(w, k, v);
	else
		set_null(w, k);
}

static void open_key(struct jw *w, const char *k, char c)
{
	key(w, k);
	open_(w, c);
}

static void set_strv(struct jw *w, const char *k, char **v)
{
	open_key(w, k, '[');
	for (; v && *v; v++)
		str(w, *v);
	close_(w, ']');
}

static void set_methods(struct jw *w, const char *k, const struct pt_reset_info *r)
{
	open_key(w, k, '[');
	for (size_t i = 0; i < r->count; i++)
		str(w, pt_reset_method_to_string(r->methods[i]));
	close_(w, ']');
}

static void set_sriov(struct jw *w, const struct pt_sriov *s)
{
	if (!s) {
		set_null(w, "sriov");
		return;
	}
	open_key(w, "sriov", '{');
	set_int(w, "totalvfs", s->totalvfs);
	set_int(w, "numvfs", s->numvfs);
	set_hex(w, "vf_device", s->vf_device, 4);
	set_int(w, "offset", s->offset);
	set_int(w, "stride", s->stride);
	set_int_or_null(w, "drivers_autoprobe", s->drivers_autoprobe, s->drivers_autoprobe >= 0);
	set_strv(w, "vfs", s->vfs);
	close_(w, '}');
}

static const char *pcie_type_name(const struct pt_pciconf *c)
{
	static const char *const names[] = {
		[0x0] = "endpoint",	      [0x1] = "legacy-endpoint",
		[0x4] = "root-port",	      [0x5] = "upstream-port",
		[0x6] = "downstream-port",    [0x7] = "pcie-to-pci-bridge",
		[0x8] = "pci-to-pcie-bridge", [0x9] = "rc-integrated-endpoint",
		[0xa] = "rc-event-collector",
	};

	if (!c->pcie)
		return NULL;
	return c->pcie_type < G_N_ELEMENTS(names) && names[c->pcie_type] ? names[c->pcie_type] :
									   "unknown";
}

/* A yes/no/unknown fact: true, false or null. */
static void set_tri(struct jw *w, const char *k, enum pt_tri t)
{
	if (t == PT_TRI_UNKNOWN)
		set_null(w, k);
	else
		set_bool(w, k, t == PT_TRI_YES);
}

static void bar_object(struct jw *w, const struct pt_bar_attr *b)
{
	open_(w, '{');
	set_int(w, "index", b->index);
	set_str(w, "type", b->io ? "io" : b->mem64 ? "mem64" : "mem32");
	set_int(w, "size", (int64_t)b->size);
	set_bool(w, "prefetchable", b->prefetchable);
	set_tri(w, "resource_wc", b->sysfs_wc);
	set_str_or_null(w, "resource_wc_unknown_reason", b->sysfs_wc_unknown);
	set_tri(w, "vfio_wc", b->vfio_wc);
	close_(w, '}');
}

/* Coherency and write-combining (docs/coherency.md); null for a bridge. */
static void set_memory(struct jw *w, const struct pt_dev *dev)
{
	struct pt_memattr m;

	if (pt_dev_props(dev)->header_type != 0 || pt_dev_memattr(dev, &m) < 0) {
		set_null(w, "memory");
		return;
	}
	open_key(w, "memory", '{');
	set_str(w, "dma_coherent", pt_tri_to_string(m.coherent));
	set_str(w, "coherency_reason", m.reason);
	set_str(w, "coherency_rule", m.rule);
	set_str_or_null(w, "iommu_unit", m.unit ? m.unit->name : NULL);
	set_tri(w, "no_snoop", m.no_snoop);
	set_str_or_null(w, "bars_unknown_reason", m.bars_unknown);
	open_key(w, "bars", '[');
	for (size_t i = 0; i < m.bar_count; i++)
		bar_object(w, &m.bars[i]);
	close_(w, ']');
	close_(w, '}');
}

static void set_units(struct jw *w, const struct pt_host *host)
{
	size_t n = pt_host_iommu_unit_count(host);
	char hex[24];

	open_key(w, "units", '[');
	for (size_t i = 0; i < n; i++) {
		const struct pt_iommu_unit *u = pt_host_iommu_unit(host, i);

		open_(w, '{');
		set_str(w, "name", u->name);
		set_str(w, "kind", pt_iommu_kind_to_string(u->kind));
		snprintf(hex, sizeof(hex), "%llx", (unsigned long long)u->cap);
		set_str_or_null(w, "cap", u->cap_shown ? hex : NULL);
		snprintf(hex, sizeof(hex), "%llx", (unsigned long long)u->ecap);
		set_str_or_null(w, u->kind == PT_IOMMU_AMD ? "features" : "ecap",
				u->ecap_shown ? hex : NULL);
		set_str(w, "snoop_control", pt_tri_to_string(u->snoop_control));
		set_str(w, "reason", u->reason);
		close_(w, '}');
	}
	close_(w, ']');
}

/* A fact the host may not show: true, false, or null (v < 0). */
static void set_opt_bool(struct jw *w, const char *k, int v)
{
	if (v < 0)
		set_null(w, k);
	else
		set_bool(w, k, v);
}

static void set_paths(struct jw *w, const struct pt_host *host)
{
	struct pt_vfio_paths p = { -1, -1, -1, -1 };

	pt_vfio_paths_probe(pt_host_backend(host), pt_host_kernel(host), &p);
	open_key(w, "vfio_paths", '{');
	set_opt_bool(w, "container", p.container);
	set_opt_bool(w, "iommufd", p.iommufd);
	set_opt_bool(w, "cdev", p.cdev);
	set_opt_bool(w, "compat", p.compat);
	close_(w, '}');
}

static void set_config(struct jw *w, const struct pt_dev *dev, const char *why)
{
	const struct pt_pciconf *c = pt_dev_config(dev);
	const char *acs_why = pt_dev_acs_unknown(dev);

	open_key(w, "config", '{');
	set_int(w, "size", (int64_t)c->len);
	set_str_or_null(w, "unknown_reason", why);
	if (why) {
		set_null(w, "flr");
		set_null(w, "af_flr");
		set_null(w, "pm_reset");
	} else {
		set_bool(w, "flr", c->flr);
		set_bool(w, "af_flr", c->af && c->af_tp && c->af_flr);
		set_bool(w, "pm_reset", c->pm && !c->pm_no_soft_reset);
	}
	set_str_or_null(w, "acs_unknown_reason", acs_why);
	if (c->acs && !acs_why) {
		set_hex(w, "acs_cap", c->acs_cap, 4);
		set_hex(w, "acs_ctrl", c->acs_ctrl, 4);
	} else {
		set_null(w, "acs_cap");
		set_null(w, "acs_ctrl");
	}
	close_(w, '}');
}

/* libvirt's variant driver (lib/variant.c): its module, "vfio-pci" when no vfio_pci alias
 * matches, or null with the reason; only where libvirt would assign the device. */
static void set_variant(struct jw *w, const struct pt_host *host, const struct pt_dev *dev,
			const char *aliases)
{
	g_autofree char *mod = NULL;
	int r;

	if (!pt_variant_applies(host, dev))
		return;
	r = pt_variant_of_dev(dev, aliases, &mod);
	set_str_or_null(w, "vfio_variant", r > 0 ? mod : r == 0 ? "vfio-pci" : NULL);
	if (r < 0)
		set_str(w, "vfio_variant_unknown_reason", PT_VARIANT_UNKNOWN_REASON);
}

static void device_object(struct jw *w, const struct pt_host *host, const struct pt_dev *dev,
			  const char *aliases)
{
	char cdev[16];
	const struct pt_dev_props *p = pt_dev_props(dev);
	const struct pt_reset_info *r = pt_dev_reset(dev);
	enum pt_critical crit = pt_dev_critical(dev);
	const char *why = pt_dev_config_unknown(dev);

	open_(w, '{');
	set_str(w, "address", p->address);
	/* Without config space the ids are the sysfs attributes the capture kept: a zero is
	 * one it did not keep (no vendor is 0000), shown as null. */
	set_id(w, "vendor", p->vendor, 4, p->config_missing);
	set_id(w, "device", p->device, 4, p->config_missing);
	set_id(w, "subsystem_vendor", p->subsystem_vendor, 4, p->config_missing);
	set_id(w, "subsystem_device", p->subsystem_device, 4, p->config_missing);
	set_id(w, "class", p->class, 6, p->config_missing);
	set_id(w, "revision", p->revision, 2, p->config_missing);
	if (p->vendor_name)
		set_str(w, "vendor_name", p->vendor_name);
	if (p->device_name)
		set_str(w, "device_name", p->device_name);
	set_int(w, "header_type", p->header_type);
	set_bool(w, "multifunction", p->multifunction);
	set_str_or_null(w, "pcie_type", pcie_type_name(pt_dev_config(dev)));
	set_str_or_null(w, "parent", p->parent);
	set_str_or_null(w, "driver", p->driver);
	if (pt_dev_driver_unknown(dev))
		set_str(w, "driver_unknown_reason", pt_dev_driver_unknown(dev));
	if (pt_dev_group_unknown(dev))
		set_str(w, "iommu_group_unknown_reason", pt_dev_group_unknown(dev));
	set_str_or_null(w, "override", p->override);
	set_int_or_null(w, "iommu_group", p->iommu_group, p->iommu_group >= 0);
	set_int_or_null(w, "numa_node", p->numa_node, p->numa_node >= 0);
	set_strv(w, "netdevs", p->netdevs);
	set_str_or_null(w, "physfn", p->physfn);
	set_sriov(w, p->sriov);
	if (why && r->source == PT_RESET_SOURCE_DERIVED)
		set_null(w, "reset_methods");
	else
		set_methods(w, "reset_methods", r);
	set_str(w, "reset_source", pt_reset_source_to_string(r->source));
	/* Unknown is a state: null, and the reason beside it. */
	if (why)
		set_null(w, "reset_derived");
	else
		set_methods(w, "reset_derived", pt_dev_reset_derived(dev));
	set_config(w, dev, why);
	set_int_or_null(w, "boot_vga", p->boot_vga, p->boot_vga >= 0);
	set_str_or_null(w, "vfio_cdev",
			pt_vfio_dev_cdev(pt_host_backend(host), p->syspath, cdev, sizeof(cdev)) ==
					0 ?
				cdev :
				NULL);
	set_bool(w, "answers", !p->not_answering);
	set_str_or_null(w, "host_critical",
			crit == PT_CRITICAL_NONE ? NULL : pt_critical_to_string(crit));
	/* Only on a NIC below a bond, bridge or VLAN that carries the route: "br0 -> bond0". */
	if (pt_dev_critical_via(dev))
		set_str(w, "host_critical_via", pt_dev_critical_via(dev));
	set_memory(w, dev);
	set_str_or_null(w, "host_critical_unknown", pt_dev_critical_unknown(dev));
	set_variant(w, host, dev, aliases);
	close_(w, '}');
}

/* To make the group viable, detach the blockers; warn where that takes a device from the
 * host. */
static void set_assignable(struct jw *w, const struct pt_group *g)
{
	size_t nb = pt_group_blocker_count(g);

	open_key(w, "assignable", '{');
	open_key(w, "detach", '[');
	for (size_t i = 0; i < nb; i++)
		str(w, pt_dev_address(pt_group_blocker(g, i)->dev));
	close_(w, ']');
	open_key(w, "warnings", '[');
	for (size_t i = 0; i < nb; i++) {
		const struct pt_dev *d = pt_group_blocker(g, i)->dev;
		enum pt_critical crit = pt_dev_critical(d);
		g_autofree char *m = NULL;

		if (crit != PT_CRITICAL_NONE)
			m = g_strdup_printf("%s is %s [E-HOST-CRITICAL]", pt_dev_address(d),
					    pt_critical_describe(crit));
		else if (pt_dev_critical_unknown(d))
			m = g_strdup_printf("%s is %s [E-HOST-CRITICAL-UNKNOWN]", pt_dev_address(d),
					    pt_dev_critical_unknown(d));
		if (m)
			str(w, m);
	}
	close_(w, ']');
	close_(w, '}');
}

static void group_object(struct jw *w, const struct pt_group *g)
{
	size_t n = pt_group_member_count(g), nb = pt_group_blocker_count(g);

	open_(w, '{');
	set_int(w, "id", pt_group_id(g));
	set_str_or_null(w, "type", pt_group_type(g));
	open_key(w, "devices", '[');
	for (size_t i = 0; i < n; i++)
		str(w, pt_dev_address(pt_group_member(g, i)));
	close_(w, ']');
	if (pt_group_unknown_member(g) && pt_group_viable(g)) {
		g_autofree char *why = g_strdup_printf("the driver of %s is unknown",
						       pt_dev_address(pt_group_unknown_member(g)));

		set_null(w, "viable");
		set_str(w, "viable_unknown_reason", why);
	} else {
		set_bool(w, "viable", pt_group_viable(g));
	}
	open_key(w, "blockers", '[');
	for (size_t i = 0; i < nb; i++) {
		const struct pt_blocker *bl = pt_group_blocker(g, i);
		enum pt_critical crit = pt_dev_critical(bl->dev);

		open_(w, '{');
		set_str(w, "address", pt_dev_address(bl->dev));
		set_str(w, "driver", bl->driver);
		set_str(w, "rule", bl->rule);
		set_str_or_null(w, "host_critical",
				crit == PT_CRITICAL_NONE ? NULL : pt_critical_to_string(crit));
		close_(w, '}');
	}
	close_(w, ']');
	set_assignable(w, g);
	close_(w, '}');
}

static void set_kernel(struct jw *w, const struct pt_host *host)
{
	const struct pt_kver *kv = pt_host_kernel(host);
	char kver[32];

	snprintf(kver, sizeof(kver), "%u.%u", kv->major, kv->minor);
	open_key(w, "kernel", '{');
	/* Unknown is null with a reason; the rules that apply are named either way. */
	set_str_or_null(w, "version", pt_host_kernel_unknown(host) ? NULL : kver);
	set_str(w, "rules", kver);
	set_str(w, "source", pt_kver_source_to_string(pt_host_kernel_source(host)));
	if (pt_host_kernel_unknown(host))
		set_str(w, "unknown_reason", pt_host_kernel_unknown(host));
	set_bool(w, "modelled", pt_kver_modelled(kv));
	close_(w, '}');
}

char *pth_host_json_text(const struct pt_host *host, const char *source)
{
	size_t ndev = pt_host_dev_count(host), ngroup = pt_host_group_count(host);
	/* About a kilobyte per device: one allocation for most hosts. */
	struct jw w = { .cap = 4096 + 1024 * ndev };
	g_autofree char *aliases = NULL; /* NULL: unknown */

	if (pt_variant_read_aliases(pt_host_backend(host), NULL, &aliases) < 0)
		aliases = NULL;
	w.buf = g_malloc(w.cap);

	open_(&w, '{');
	set_str(&w, "schema", PTH_INSPECT_SCHEMA);
	set_str(&w, "source", source);
	set_kernel(&w, host);
	open_key(&w, "iommu", '{');
	if (pt_host_iommu_unknown(host)) {
		set_null(&w, "enabled");
		set_str(&w, "unknown_reason", pt_host_iommu_unknown(host));
	} else {
		set_bool(&w, "enabled", pt_host_iommu_present(host));
	}
	set_units(&w, host);
	close_(&w, '}');
	set_paths(&w, host);
	open_key(&w, "devices", '[');
	for (size_t i = 0; i < ndev; i++)
		device_object(&w, host, pt_host_dev(host, i), aliases);
	close_(&w, ']');
	open_key(&w, "groups", '[');
	for (size_t i = 0; i < ngroup; i++)
		group_object(&w, pt_host_group(host, i));
	close_(&w, ']');
	open_key(&w, "findings", '[');
	for (size_t i = 0; i < pt_host_finding_count(host); i++) {
		const struct pt_finding *f = pt_host_finding(host, i);

		open_(&w, '{');
		set_str(&w, "rule", f->rule);
		set_str_or_null(&w, "address", f->address);
		set_str(&w, "message", f->message);
		close_(&w, '}');
	}
	close_(&w, ']');
	close_(&w, '}');
	put_c(&w, '\n');
	w.buf[w.len] = '\0';
	return w.buf;
}
