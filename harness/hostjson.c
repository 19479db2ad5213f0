/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host model as the JSON of `inspect --json` (docs/scenario-contract.md), with json-c. */

/*
 * Why json-c here when the rest of the harness uses json-glib: this view is the output of
 * `inspect --json`, whose speed is measured against lspci (ci/bench). On 500 devices (20,000
 * members) json-glib took 12 ms to build, print and free the document, a fifth of the whole
 * command, for its five allocations per member; json-c, libvirt's JSON library, takes 5 ms.
 * Keys are string constants, so json-c is told not to copy them.
 */

#include <glib.h>
#include <json-c/json.h>
#include <stdio.h>

#include "escape.h"
#include "hostjson.h"
#include "memattr.h"
#include "variant.h"
#include "vfio.h"

#define NEW_KEY (JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_ADD_CONSTANT_KEY)

static void set(json_object *o, const char *key, json_object *v)
{
	json_object_object_add_ex(o, key, v, NEW_KEY);
}

/* Strings from a recording may hold any bytes: JSON holds UTF-8 (trial row 14). */
static json_object *new_string(const char *v)
{
	g_autofree char *valid = pth_utf8_escape(v);

	return json_object_new_string(valid);
}

static void set_str(json_object *o, const char *key, const char *v)
{
	set(o, key, new_string(v));
}

static void set_null(json_object *o, const char *key)
{
	set(o, key, NULL);
}

static void set_int(json_object *o, const char *key, int64_t v)
{
	set(o, key, json_object_new_int64(v));
}

static void set_bool(json_object *o, const char *key, bool v)
{
	set(o, key, json_object_new_boolean(v));
}

static void add_str(json_object *a, const char *v)
{
	json_object_array_add(a, new_string(v));
}

static void set_hex(json_object *o, const char *key, unsigned v, int width)
{
	char s[16];

	snprintf(s, sizeof(s), "%0*x", width, v);
	set_str(o, key, s);
}

/* An id config space would give: null when there is none and the capture kept no value. */
static void set_id(json_object *o, const char *key, unsigned v, int digits, bool config_missing)
{
	if (config_missing && v == 0)
		set(o, key, NULL);
	else
		set_hex(o, key, v, digits);
}

static void set_str_or_null(json_object *o, const char *key, const char *v)
{
	if (v)
		set_str(o, key, v);
	else
		set_null(o, key);
}

static void set_int_or_null(json_object *o, const char *key, long v, bool present)
{
	if (present)
		set_int(o, key, v);
	else
		set_null(o, key);
}

static json_object *strv_array(char **v)
{
	json_object *a = json_object_new_array();

	for (; v && *v; v++)
		add_str(a, *v);
	return a;
}

static json_object *methods_array(const struct pt_reset_info *r)
{
	json_object *a = json_object_new_array_ext((int)r->count);

	for (size_t i = 0; i < r->count; i++)
		add_str(a, pt_reset_method_to_string(r->methods[i]));
	return a;
}

static void set_sriov(json_object *o, const struct pt_sriov *s)
{
	json_object *v;

	if (!s) {
		set_null(o, "sriov");
		return;
	}
	v = json_object_new_object();
	set_int(v, "totalvfs", s->totalvfs);
	set_int(v, "numvfs", s->numvfs);
	set_hex(v, "vf_device", s->vf_device, 4);
	set_int(v, "offset", s->offset);
	set_int(v, "stride", s->stride);
	set_int_or_null(v, "drivers_autoprobe", s->drivers_autoprobe, s->drivers_autoprobe >= 0);
	set(v, "vfs", strv_array(s->vfs));
	set(o, "sriov", v);
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
static void set_tri(json_object *o, const char *key, enum pt_tri t)
{
	if (t == PT_TRI_UNKNOWN)
		set_null(o, key);
	else
		set_bool(o, key, t == PT_TRI_YES);
}

static json_object *bar_object(const struct pt_bar_attr *b)
{
	json_object *o = json_object_new_object();

	set_int(o, "index", b->index);
	set_str(o, "type", b->io ? "io" : b->mem64 ? "mem64" : "mem32");
	set_int(o, "size", (int64_t)b->size);
	set_bool(o, "prefetchable", b->prefetchable);
	set_tri(o, "resource_wc", b->sysfs_wc);
	set_str_or_null(o, "resource_wc_unknown_reason", b->sysfs_wc_unknown);
	set_tri(o, "vfio_wc", b->vfio_wc);
	return o;
}

/* Coherency and write-combining (docs/coherency.md); null for a bridge. */
static void set_memory(json_object *o, const struct pt_dev *dev)
{
	struct pt_memattr m;
	json_object *v, *bars;

	if (pt_dev_props(dev)->header_type != 0 || pt_dev_memattr(dev, &m) < 0) {
		set_null(o, "memory");
		return;
	}
	v = json_object_new_object();
	set_str(v, "dma_coherent", pt_tri_to_string(m.coherent));
	set_str(v, "coherency_reason", m.reason);
	set_str(v, "coherency_rule", m.rule);
	set_str_or_null(v, "iommu_unit", m.unit ? m.unit->name : NULL);
	set_tri(v, "no_snoop", m.no_snoop);
	set_str_or_null(v, "bars_unknown_reason", m.bars_unknown);
	bars = json_object_new_array_ext((int)m.bar_count);
	for (size_t i = 0; i < m.bar_count; i++)
		json_object_array_add(bars, bar_object(&m.bars[i]));
	set(v, "bars", bars);
	set(o, "memory", v);
}

static json_object *units_array(const struct pt_host *host)
{
	size_t n = pt_host_iommu_unit_count(host);
	json_object *a = json_object_new_array_ext((int)n);
	char hex[24];

	for (size_t i = 0; i < n; i++) {
		const struct pt_iommu_unit *u = pt_host_iommu_unit(host, i);
		json_object *o = json_object_new_object();

		set_str(o, "name", u->name);
		set_str(o, "kind", pt_iommu_kind_to_string(u->kind));
		snprintf(hex, sizeof(hex), "%llx", (unsigned long long)u->cap);
		set_str_or_null(o, "cap", u->cap_shown ? hex : NULL);
		snprintf(hex, sizeof(hex), "%llx", (unsigned long long)u->ecap);
		set_str_or_null(o, u->kind == PT_IOMMU_AMD ? "features" : "ecap",
				u->ecap_shown ? hex : NULL);
		set_str(o, "snoop_control", pt_tri_to_string(u->snoop_control));
		set_str(o, "reason", u->reason);
		json_object_array_add(a, o);
	}
	return a;
}

/* A fact the host may not show: true, false, or null (v < 0). */
static void set_opt_bool(json_object *o, const char *key, int v)
{
	if (v < 0)
		set_null(o, key);
	else
		set_bool(o, key, v);
}

static json_object *paths_object(const struct pt_host *host)
{
	json_object *o = json_object_new_object();
	struct pt_vfio_paths p = { -1, -1, -1, -1 };

	pt_vfio_paths_probe(pt_host_backend(host), pt_host_kernel(host), &p);
	set_opt_bool(o, "container", p.container);
	set_opt_bool(o, "iommufd", p.iommufd);
	set_opt_bool(o, "cdev", p.cdev);
	set_opt_bool(o, "compat", p.compat);
	return o;
}

/* libvirt's variant driver (lib/variant.c): its module, "vfio-pci" when no vfio_pci alias
 * matches, or null with the reason; only where libvirt would assign the device. */
static void set_variant(json_object *o, const struct pt_host *host, const struct pt_dev *dev,
			const char *aliases)
{
	g_autofree char *mod = NULL;
	int r;

	if (!pt_variant_applies(host, dev))
		return;
	r = pt_variant_of_dev(dev, aliases, &mod);
	set_str_or_null(o, "vfio_variant", r > 0 ? mod : r == 0 ? "vfio-pci" : NULL);
	if (r < 0)
		set_str(o, "vfio_variant_unknown_reason", PT_VARIANT_UNKNOWN_REASON);
}

static json_object *device_object(const struct pt_host *host, const struct pt_dev *dev,
				  const char *aliases)
{
	char cdev[16];
	const struct pt_dev_props *p = pt_dev_props(dev);
	const struct pt_pciconf *c = pt_dev_config(dev);
	const struct pt_reset_info *r = pt_dev_reset(dev);
	enum pt_critical crit = pt_dev_critical(dev);
	json_object *o = json_object_new_object();
	json_object *cfg = json_object_new_object();
	const char *why = pt_dev_config_unknown(dev), *acs_why = pt_dev_acs_unknown(dev);

	set_str(o, "address", p->address);
	/* Without config space the ids are the sysfs attributes the capture kept: a zero is
	 * one it did not keep (no vendor is 0000), shown as null. */
	set_id(o, "vendor", p->vendor, 4, p->config_missing);
	set_id(o, "device", p->device, 4, p->config_missing);
	set_id(o, "subsystem_vendor", p->subsystem_vendor, 4, p->config_missing);
	set_id(o, "subsystem_device", p->subsystem_device, 4, p->config_missing);
	set_id(o, "class", p->class, 6, p->config_missing);
	set_id(o, "revision", p->revision, 2, p->config_missing);
	if (p->vendor_name)
		set_str(o, "vendor_name", p->vendor_name);
	if (p->device_name)
		set_str(o, "device_name", p->device_name);
	set_int(o, "header_type", p->header_type);
	set_bool(o, "multifunction", p->multifunction);
	set_str_or_null(o, "pcie_type", pcie_type_name(c));
	set_str_or_null(o, "parent", p->parent);
	set_str_or_null(o, "driver", p->driver);
	if (pt_dev_driver_unknown(dev))
		set_str(o, "driver_unknown_reason", pt_dev_driver_unknown(dev));
	if (pt_dev_group_unknown(dev))
		set_str(o, "iommu_group_unknown_reason", pt_dev_group_unknown(dev));
	set_str_or_null(o, "override", p->override);
	set_int_or_null(o, "iommu_group", p->iommu_group, p->iommu_group >= 0);
	set_int_or_null(o, "numa_node", p->numa_node, p->numa_node >= 0);
	set(o, "netdevs", strv_array(p->netdevs));
	set_str_or_null(o, "physfn", p->physfn);
	set_sriov(o, p->sriov);
	if (why && r->source == PT_RESET_SOURCE_DERIVED)
		set_null(o, "reset_methods");
	else
		set(o, "reset_methods", methods_array(r));
	set_str(o, "reset_source", pt_reset_source_to_string(r->source));
	/* Unknown is a state: null, and the reason beside it. */
	if (why)
		set_null(o, "reset_derived");
	else
		set(o, "reset_derived", methods_array(pt_dev_reset_derived(dev)));

	set_int(cfg, "size", (int64_t)c->len);
	set_str_or_null(cfg, "unknown_reason", why);
	if (why) {
		set_null(cfg, "flr");
		set_null(cfg, "af_flr");
		set_null(cfg, "pm_reset");
	} else {
		set_bool(cfg, "flr", c->flr);
		set_bool(cfg, "af_flr", c->af && c->af_tp && c->af_flr);
		set_bool(cfg, "pm_reset", c->pm && !c->pm_no_soft_reset);
	}
	set_str_or_null(cfg, "acs_unknown_reason", acs_why);
	if (c->acs && !acs_why) {
		set_hex(cfg, "acs_cap", c->acs_cap, 4);
		set_hex(cfg, "acs_ctrl", c->acs_ctrl, 4);
	} else {
		set_null(cfg, "acs_cap");
		set_null(cfg, "acs_ctrl");
	}
	set(o, "config", cfg);
	set_int_or_null(o, "boot_vga", p->boot_vga, p->boot_vga >= 0);
	set_str_or_null(o, "vfio_cdev",
			pt_vfio_dev_cdev(pt_host_backend(host), p->syspath, cdev, sizeof(cdev)) ==
					0 ?
				cdev :
				NULL);
	set_bool(o, "answers", !p->not_answering);
	set_str_or_null(o, "host_critical",
			crit == PT_CRITICAL_NONE ? NULL : pt_critical_to_string(crit));
	set_memory(o, dev);
	set_str_or_null(o, "host_critical_unknown", pt_dev_critical_unknown(dev));
	set_variant(o, host, dev, aliases);
	return o;
}

static json_object *group_object(const struct pt_group *g)
{
	size_t n = pt_group_member_count(g), nb = pt_group_blocker_count(g);
	json_object *o = json_object_new_object();
	json_object *assignable = json_object_new_object();
	json_object *devices = json_object_new_array_ext((int)n);
	json_object *blockers = json_object_new_array_ext((int)nb);
	json_object *detach = json_object_new_array_ext((int)nb);
	json_object *warnings = json_object_new_array();

	set_int(o, "id", pt_group_id(g));
	set_str_or_null(o, "type", pt_group_type(g));
	for (size_t i = 0; i < n; i++)
		add_str(devices, pt_dev_address(pt_group_member(g, i)));
	set(o, "devices", devices);
	if (pt_group_unknown_member(g) && pt_group_viable(g)) {
		g_autofree char *why = g_strdup_printf("the driver of %s is unknown",
						       pt_dev_address(pt_group_unknown_member(g)));

		set(o, "viable", NULL);
		set_str(o, "viable_unknown_reason", why);
	} else {
		set_bool(o, "viable", pt_group_viable(g));
	}
	for (size_t i = 0; i < nb; i++) {
		const struct pt_blocker *bl = pt_group_blocker(g, i);
		enum pt_critical crit = pt_dev_critical(bl->dev);
		json_object *b = json_object_new_object();

		set_str(b, "address", pt_dev_address(bl->dev));
		set_str(b, "driver", bl->driver);
		set_str(b, "rule", bl->rule);
		set_str_or_null(b, "host_critical",
				crit == PT_CRITICAL_NONE ? NULL : pt_critical_to_string(crit));
		json_object_array_add(blockers, b);

		/* To make it viable, detach the blockers; warn where that takes a device from
		 * the host. */
		add_str(detach, pt_dev_address(bl->dev));
		if (crit != PT_CRITICAL_NONE) {
			g_autofree char *w = g_strdup_printf("%s is %s [E-HOST-CRITICAL]",
							     pt_dev_address(bl->dev),
							     pt_critical_describe(crit));

			add_str(warnings, w);
		} else if (pt_dev_critical_unknown(bl->dev)) {
			g_autofree char *w = g_strdup_printf("%s is %s [E-HOST-CRITICAL-UNKNOWN]",
							     pt_dev_address(bl->dev),
							     pt_dev_critical_unknown(bl->dev));

			add_str(warnings, w);
		}
	}
	set(o, "blockers", blockers);
	set(assignable, "detach", detach);
	set(assignable, "warnings", warnings);
	set(o, "assignable", assignable);
	return o;
}

char *pth_host_json_text(const struct pt_host *host, const char *source)
{
	const struct pt_kver *kv = pt_host_kernel(host);
	size_t ndev = pt_host_dev_count(host), ngroup = pt_host_group_count(host);
	json_object *root = json_object_new_object();
	json_object *kernel = json_object_new_object();
	json_object *iommu = json_object_new_object();
	json_object *devices = json_object_new_array_ext((int)ndev);
	json_object *groups = json_object_new_array_ext((int)ngroup);
	json_object *findings = json_object_new_array();
	char *text;
	char kver[32];
	g_autofree char *aliases = NULL; /* NULL: unknown */

	if (pt_variant_read_aliases(pt_host_backend(host), NULL, &aliases) < 0)
		aliases = NULL;

	snprintf(kver, sizeof(kver), "%u.%u", kv->major, kv->minor);
	set_str(root, "schema", PTH_INSPECT_SCHEMA);
	set_str(root, "source", source);
	/* Unknown is null with a reason; the rules that apply are named either way. */
	set_str_or_null(kernel, "version", pt_host_kernel_unknown(host) ? NULL : kver);
	set_str(kernel, "rules", kver);
	set_str(kernel, "source", pt_kver_source_to_string(pt_host_kernel_source(host)));
	if (pt_host_kernel_unknown(host))
		set_str(kernel, "unknown_reason", pt_host_kernel_unknown(host));
	set_bool(kernel, "modelled", pt_kver_modelled(kv));
	set(root, "kernel", kernel);
	if (pt_host_iommu_unknown(host)) {
		set(iommu, "enabled", NULL);
		set_str(iommu, "unknown_reason", pt_host_iommu_unknown(host));
	} else {
		set_bool(iommu, "enabled", pt_host_iommu_present(host));
	}
	set(iommu, "units", units_array(host));
	set(root, "iommu", iommu);
	set(root, "vfio_paths", paths_object(host));

	for (size_t i = 0; i < ndev; i++)
		json_object_array_add(devices, device_object(host, pt_host_dev(host, i), aliases));
	set(root, "devices", devices);
	for (size_t i = 0; i < ngroup; i++)
		json_object_array_add(groups, group_object(pt_host_group(host, i)));
	set(root, "groups", groups);
	for (size_t i = 0; i < pt_host_finding_count(host); i++) {
		const struct pt_finding *f = pt_host_finding(host, i);
		json_object *o = json_object_new_object();

		set_str(o, "rule", f->rule);
		set_str_or_null(o, "address", f->address);
		set_str(o, "message", f->message);
		json_object_array_add(findings, o);
	}
	set(root, "findings", findings);
	/* Plain (no spaces), and "/" left alone: the paths in the view read as they are. */
	text = g_strconcat(json_object_to_json_string_ext(
				   root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			   "\n", NULL);
	json_object_put(root);
	return text;
}
