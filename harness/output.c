/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Rendering the host model: JSON for machines, a group-per-block text view for people. */

#include <stdio.h>
#include <string.h>

#include "output.h"

/*
 * The view is built with json-glib's object API rather than JsonBuilder: on a host of 500
 * devices the builder's bookkeeping (a copied name and a stack operation per member) made
 * up a third of building it.
 */

static void set_hex(JsonObject *o, const char *key, unsigned v, int width)
{
	char s[16];

	snprintf(s, sizeof(s), "%0*x", width, v);
	json_object_set_string_member(o, key, s);
}

static void set_str_or_null(JsonObject *o, const char *key, const char *v)
{
	if (v)
		json_object_set_string_member(o, key, v);
	else
		json_object_set_null_member(o, key);
}

static void set_int_or_null(JsonObject *o, const char *key, long v, gboolean present)
{
	if (present)
		json_object_set_int_member(o, key, v);
	else
		json_object_set_null_member(o, key);
}

static JsonArray *strv_array(char **v)
{
	JsonArray *a = json_array_new();

	for (; v && *v; v++)
		json_array_add_string_element(a, *v);
	return a;
}

static JsonArray *methods_array(const struct pt_reset_info *r)
{
	JsonArray *a = json_array_sized_new((guint)r->count);

	for (size_t i = 0; i < r->count; i++)
		json_array_add_string_element(a, pt_reset_method_to_string(r->methods[i]));
	return a;
}

static void set_sriov(JsonObject *o, const struct pt_sriov *s)
{
	JsonObject *v;

	if (!s) {
		json_object_set_null_member(o, "sriov");
		return;
	}
	v = json_object_new();
	json_object_set_int_member(v, "totalvfs", s->totalvfs);
	json_object_set_int_member(v, "numvfs", s->numvfs);
	set_hex(v, "vf_device", s->vf_device, 4);
	json_object_set_int_member(v, "offset", s->offset);
	json_object_set_int_member(v, "stride", s->stride);
	set_int_or_null(v, "drivers_autoprobe", s->drivers_autoprobe, s->drivers_autoprobe >= 0);
	json_object_set_array_member(v, "vfs", strv_array(s->vfs));
	json_object_set_object_member(o, "sriov", v);
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

static JsonObject *device_object(const struct pt_dev *dev)
{
	const struct pt_dev_props *p = pt_dev_props(dev);
	const struct pt_pciconf *c = pt_dev_config(dev);
	const struct pt_reset_info *r = pt_dev_reset(dev);
	enum pt_critical crit = pt_dev_critical(dev);
	JsonObject *o = json_object_new();
	JsonObject *cfg = json_object_new();

	json_object_set_string_member(o, "address", p->address);
	set_hex(o, "vendor", p->vendor, 4);
	set_hex(o, "device", p->device, 4);
	set_hex(o, "subsystem_vendor", p->subsystem_vendor, 4);
	set_hex(o, "subsystem_device", p->subsystem_device, 4);
	set_hex(o, "class", p->class, 6);
	set_hex(o, "revision", p->revision, 2);
	if (p->vendor_name)
		json_object_set_string_member(o, "vendor_name", p->vendor_name);
	if (p->device_name)
		json_object_set_string_member(o, "device_name", p->device_name);
	json_object_set_int_member(o, "header_type", p->header_type);
	json_object_set_boolean_member(o, "multifunction", p->multifunction);
	set_str_or_null(o, "pcie_type", pcie_type_name(c));
	set_str_or_null(o, "parent", p->parent);
	set_str_or_null(o, "driver", p->driver);
	set_str_or_null(o, "override", p->override);
	set_int_or_null(o, "iommu_group", p->iommu_group, p->iommu_group >= 0);
	set_int_or_null(o, "numa_node", p->numa_node, p->numa_node >= 0);
	json_object_set_array_member(o, "netdevs", strv_array(p->netdevs));
	set_str_or_null(o, "physfn", p->physfn);
	set_sriov(o, p->sriov);
	json_object_set_array_member(o, "reset_methods", methods_array(r));
	json_object_set_string_member(o, "reset_source", pt_reset_source_to_string(r->source));
	json_object_set_array_member(o, "reset_derived", methods_array(pt_dev_reset_derived(dev)));

	json_object_set_int_member(cfg, "size", (gint64)c->len);
	json_object_set_boolean_member(cfg, "flr", c->flr);
	json_object_set_boolean_member(cfg, "af_flr", c->af && c->af_tp && c->af_flr);
	json_object_set_boolean_member(cfg, "pm_reset", c->pm && !c->pm_no_soft_reset);
	if (c->acs) {
		set_hex(cfg, "acs_cap", c->acs_cap, 4);
		set_hex(cfg, "acs_ctrl", c->acs_ctrl, 4);
	} else {
		json_object_set_null_member(cfg, "acs_cap");
		json_object_set_null_member(cfg, "acs_ctrl");
	}
	json_object_set_object_member(o, "config", cfg);
	set_int_or_null(o, "boot_vga", p->boot_vga, p->boot_vga >= 0);
	set_str_or_null(o, "host_critical",
			crit == PT_CRITICAL_NONE ? NULL : pt_critical_to_string(crit));
	return o;
}

static JsonObject *group_object(const struct pt_group *g)
{
	size_t n = pt_group_member_count(g), nb = pt_group_blocker_count(g);
	JsonObject *o = json_object_new();
	JsonObject *assignable = json_object_new();
	JsonArray *devices = json_array_sized_new((guint)n);
	JsonArray *blockers = json_array_sized_new((guint)nb);
	JsonArray *detach = json_array_sized_new((guint)nb);
	JsonArray *warnings = json_array_new();

	json_object_set_int_member(o, "id", pt_group_id(g));
	set_str_or_null(o, "type", pt_group_type(g));
	for (size_t i = 0; i < n; i++)
		json_array_add_string_element(devices, pt_dev_address(pt_group_member(g, i)));
	json_object_set_array_member(o, "devices", devices);
	json_object_set_boolean_member(o, "viable", pt_group_viable(g));
	for (size_t i = 0; i < nb; i++) {
		const struct pt_blocker *bl = pt_group_blocker(g, i);
		enum pt_critical crit = pt_dev_critical(bl->dev);
		JsonObject *b = json_object_new();

		json_object_set_string_member(b, "address", pt_dev_address(bl->dev));
		json_object_set_string_member(b, "driver", bl->driver);
		json_object_set_string_member(b, "rule", bl->rule);
		set_str_or_null(b, "host_critical",
				crit == PT_CRITICAL_NONE ? NULL : pt_critical_to_string(crit));
		json_array_add_object_element(blockers, b);

		/* To make it viable, detach the blockers; warn where that takes a device from
		 * the host. */
		json_array_add_string_element(detach, pt_dev_address(bl->dev));
		if (crit != PT_CRITICAL_NONE) {
			g_autofree char *w = g_strdup_printf("%s is %s [E-HOST-CRITICAL]",
							     pt_dev_address(bl->dev),
							     pt_critical_describe(crit));

			json_array_add_string_element(warnings, w);
		}
	}
	json_object_set_array_member(o, "blockers", blockers);
	json_object_set_array_member(assignable, "detach", detach);
	json_object_set_array_member(assignable, "warnings", warnings);
	json_object_set_object_member(o, "assignable", assignable);
	return o;
}

JsonNode *pth_host_to_json(const struct pt_host *host, const char *source)
{
	const struct pt_kver *kv = pt_host_kernel(host);
	size_t ndev = pt_host_dev_count(host), ngroup = pt_host_group_count(host);
	JsonObject *root = json_object_new();
	JsonObject *kernel = json_object_new();
	JsonObject *iommu = json_object_new();
	JsonArray *devices = json_array_sized_new((guint)ndev);
	JsonArray *groups = json_array_sized_new((guint)ngroup);
	JsonArray *findings = json_array_new();
	JsonNode *node;
	char kver[32];

	snprintf(kver, sizeof(kver), "%u.%u", kv->major, kv->minor);
	json_object_set_string_member(root, "schema", PTH_INSPECT_SCHEMA);
	json_object_set_string_member(root, "source", source);
	json_object_set_string_member(kernel, "version", kver);
	json_object_set_string_member(kernel, "source",
				      pt_kver_source_to_string(pt_host_kernel_source(host)));
	json_object_set_object_member(root, "kernel", kernel);
	json_object_set_boolean_member(iommu, "enabled", pt_host_iommu_present(host));
	json_object_set_object_member(root, "iommu", iommu);

	for (size_t i = 0; i < ndev; i++)
		json_array_add_object_element(devices, device_object(pt_host_dev(host, i)));
	json_object_set_array_member(root, "devices", devices);
	for (size_t i = 0; i < ngroup; i++)
		json_array_add_object_element(groups, group_object(pt_host_group(host, i)));
	json_object_set_array_member(root, "groups", groups);
	for (size_t i = 0; i < pt_host_finding_count(host); i++) {
		const struct pt_finding *f = pt_host_finding(host, i);
		JsonObject *o = json_object_new();

		json_object_set_string_member(o, "rule", f->rule);
		set_str_or_null(o, "address", f->address);
		json_object_set_string_member(o, "message", f->message);
		json_array_add_object_element(findings, o);
	}
	json_object_set_array_member(root, "findings", findings);
	node = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(node, root);
	return node;
}

char *pth_json_to_string(JsonNode *node)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	char *s, *out;

	json_generator_set_pretty(gen, FALSE);
	json_generator_set_indent(gen, 2);
	json_generator_set_root(gen, node);
	s = json_generator_to_data(gen, NULL);
	out = g_strconcat(s, "\n", NULL);
	g_free(s);
	return out;
}

static void text_device(GString *out, const struct pt_dev *dev)
{
	const struct pt_dev_props *p = pt_dev_props(dev);
	const struct pt_reset_info *r = pt_dev_reset(dev);

	g_string_append_printf(out, "  %s [%04x:%04x]", p->address, p->vendor, p->device);
	if (p->vendor_name)
		g_string_append_printf(out, " %s", p->vendor_name);
	if (p->device_name)
		g_string_append_printf(out, " %s", p->device_name);
	g_string_append_printf(out, "\n      driver: %s", p->driver ? p->driver : "(none)");
	if (p->override)
		g_string_append_printf(out, " (override %s)", p->override);
	g_string_append(out, "; reset:");
	if (r->count == 0)
		g_string_append(out, " none");
	for (size_t i = 0; i < r->count; i++)
		g_string_append_printf(out, " %s", pt_reset_method_to_string(r->methods[i]));
	g_string_append_printf(out, " (%s)", pt_reset_source_to_string(r->source));
	if (p->physfn)
		g_string_append_printf(out, "; VF of %s", p->physfn);
	if (p->sriov)
		g_string_append_printf(out, "; SR-IOV PF: %u/%u VFs enabled, VF id %04x",
				       p->sriov->numvfs, p->sriov->totalvfs, p->sriov->vf_device);
	for (char **n = p->netdevs; n && *n; n++)
		g_string_append_printf(out, "%s%s", n == p->netdevs ? "; net: " : ",", *n);
	g_string_append_c(out, '\n');
}

char *pth_host_to_text(const struct pt_host *host, const char *source)
{
	GString *out = g_string_new(NULL);
	const struct pt_kver *kv = pt_host_kernel(host);
	gboolean ungrouped = FALSE;

	g_string_append_printf(
		out, "Host %s: kernel %u.%u (%s), %zu PCI devices, %zu IOMMU groups\n", source,
		kv->major, kv->minor, pt_kver_source_to_string(pt_host_kernel_source(host)),
		pt_host_dev_count(host), pt_host_group_count(host));
	if (!pt_host_iommu_present(host))
		g_string_append(out,
				"No IOMMU: the kernel shows no IOMMU and no IOMMU groups, so VFIO "
				"cannot assign any device here (enable VT-d/AMD-Vi in firmware and "
				"boot with intel_iommu=on or amd_iommu=on) [K-IOMMU-PRESENT]\n");

	for (size_t i = 0; i < pt_host_group_count(host); i++) {
		const struct pt_group *g = pt_host_group(host, i);

		g_string_append_printf(out, "\nGroup %d: %s\n", pt_group_id(g),
				       pt_group_viable(g) ? "viable" : "NOT viable");
		for (size_t j = 0; j < pt_group_blocker_count(g); j++) {
			const struct pt_blocker *bl = pt_group_blocker(g, j);
			enum pt_critical c = pt_dev_critical(bl->dev);

			g_string_append_printf(out, "  blocked by %s on host driver %s [%s]%s%s\n",
					       pt_dev_address(bl->dev), bl->driver, bl->rule,
					       c ? "; careful: it is " : "",
					       c ? pt_critical_describe(c) : "");
		}
		for (size_t j = 0; j < pt_group_member_count(g); j++)
			text_device(out, pt_group_member(g, j));
	}
	for (size_t i = 0; i < pt_host_dev_count(host); i++) {
		const struct pt_dev *d = pt_host_dev(host, i);

		if (pt_dev_props(d)->iommu_group >= 0)
			continue;
		if (!ungrouped)
			g_string_append(out, "\nDevices without an IOMMU group:\n");
		ungrouped = TRUE;
		text_device(out, d);
	}
	for (size_t i = 0; i < pt_host_finding_count(host); i++) {
		const struct pt_finding *f = pt_host_finding(host, i);

		g_string_append_printf(out, "%sWarning: %s [%s]\n", i == 0 ? "\n" : "", f->message,
				       f->rule);
	}
	return g_string_free(out, FALSE);
}
