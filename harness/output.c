/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Rendering the host model: JSON for machines, a group-per-block text view for people. */

#include <string.h>

#include "output.h"

static void add_hex(JsonBuilder *b, const char *key, unsigned v, int width)
{
	g_autofree char *s = g_strdup_printf("%0*x", width, v);

	json_builder_set_member_name(b, key);
	json_builder_add_string_value(b, s);
}

static void add_str_or_null(JsonBuilder *b, const char *key, const char *v)
{
	json_builder_set_member_name(b, key);
	if (v)
		json_builder_add_string_value(b, v);
	else
		json_builder_add_null_value(b);
}

static void add_int_or_null(JsonBuilder *b, const char *key, long v, gboolean present)
{
	json_builder_set_member_name(b, key);
	if (present)
		json_builder_add_int_value(b, v);
	else
		json_builder_add_null_value(b);
}

static void add_strv(JsonBuilder *b, const char *key, char **v)
{
	json_builder_set_member_name(b, key);
	json_builder_begin_array(b);
	for (; v && *v; v++)
		json_builder_add_string_value(b, *v);
	json_builder_end_array(b);
}

static void add_methods(JsonBuilder *b, const char *key, const struct pt_reset_info *r)
{
	json_builder_set_member_name(b, key);
	json_builder_begin_array(b);
	for (size_t i = 0; i < r->count; i++)
		json_builder_add_string_value(b, pt_reset_method_to_string(r->methods[i]));
	json_builder_end_array(b);
}

static void add_sriov(JsonBuilder *b, const struct pt_sriov *s)
{
	json_builder_set_member_name(b, "sriov");
	if (!s) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "totalvfs");
	json_builder_add_int_value(b, s->totalvfs);
	json_builder_set_member_name(b, "numvfs");
	json_builder_add_int_value(b, s->numvfs);
	add_hex(b, "vf_device", s->vf_device, 4);
	json_builder_set_member_name(b, "offset");
	json_builder_add_int_value(b, s->offset);
	json_builder_set_member_name(b, "stride");
	json_builder_add_int_value(b, s->stride);
	add_int_or_null(b, "drivers_autoprobe", s->drivers_autoprobe, s->drivers_autoprobe >= 0);
	add_strv(b, "vfs", s->vfs);
	json_builder_end_object(b);
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

static void add_device(JsonBuilder *b, const struct pt_dev *dev)
{
	const struct pt_dev_props *p = pt_dev_props(dev);
	const struct pt_pciconf *c = pt_dev_config(dev);
	const struct pt_reset_info *r = pt_dev_reset(dev);
	enum pt_critical crit = pt_dev_critical(dev);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "address");
	json_builder_add_string_value(b, p->address);
	add_hex(b, "vendor", p->vendor, 4);
	add_hex(b, "device", p->device, 4);
	add_hex(b, "subsystem_vendor", p->subsystem_vendor, 4);
	add_hex(b, "subsystem_device", p->subsystem_device, 4);
	add_hex(b, "class", p->class, 6);
	add_hex(b, "revision", p->revision, 2);
	if (p->vendor_name)
		add_str_or_null(b, "vendor_name", p->vendor_name);
	if (p->device_name)
		add_str_or_null(b, "device_name", p->device_name);
	json_builder_set_member_name(b, "header_type");
	json_builder_add_int_value(b, p->header_type);
	json_builder_set_member_name(b, "multifunction");
	json_builder_add_boolean_value(b, p->multifunction);
	add_str_or_null(b, "pcie_type", pcie_type_name(c));
	add_str_or_null(b, "parent", p->parent);
	add_str_or_null(b, "driver", p->driver);
	add_str_or_null(b, "override", p->override);
	add_int_or_null(b, "iommu_group", p->iommu_group, p->iommu_group >= 0);
	add_int_or_null(b, "numa_node", p->numa_node, p->numa_node >= 0);
	add_strv(b, "netdevs", p->netdevs);
	add_str_or_null(b, "physfn", p->physfn);
	add_sriov(b, p->sriov);
	add_methods(b, "reset_methods", r);
	json_builder_set_member_name(b, "reset_source");
	json_builder_add_string_value(b, pt_reset_source_to_string(r->source));
	add_methods(b, "reset_derived", pt_dev_reset_derived(dev));
	json_builder_set_member_name(b, "config");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "size");
	json_builder_add_int_value(b, (gint64)c->len);
	json_builder_set_member_name(b, "flr");
	json_builder_add_boolean_value(b, c->flr);
	json_builder_set_member_name(b, "af_flr");
	json_builder_add_boolean_value(b, c->af && c->af_tp && c->af_flr);
	json_builder_set_member_name(b, "pm_reset");
	json_builder_add_boolean_value(b, c->pm && !c->pm_no_soft_reset);
	if (c->acs) {
		add_hex(b, "acs_cap", c->acs_cap, 4);
		add_hex(b, "acs_ctrl", c->acs_ctrl, 4);
	} else {
		add_str_or_null(b, "acs_cap", NULL);
		add_str_or_null(b, "acs_ctrl", NULL);
	}
	json_builder_end_object(b);
	add_int_or_null(b, "boot_vga", p->boot_vga, p->boot_vga >= 0);
	add_str_or_null(b, "host_critical",
			crit == PT_CRITICAL_NONE ? NULL : pt_critical_to_string(crit));
	json_builder_end_object(b);
}

static void add_group(JsonBuilder *b, const struct pt_group *g)
{
	size_t n = pt_group_member_count(g), nb = pt_group_blocker_count(g);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, pt_group_id(g));
	add_str_or_null(b, "type", pt_group_type(g));
	json_builder_set_member_name(b, "devices");
	json_builder_begin_array(b);
	for (size_t i = 0; i < n; i++)
		json_builder_add_string_value(b, pt_dev_address(pt_group_member(g, i)));
	json_builder_end_array(b);
	json_builder_set_member_name(b, "viable");
	json_builder_add_boolean_value(b, pt_group_viable(g));
	json_builder_set_member_name(b, "blockers");
	json_builder_begin_array(b);
	for (size_t i = 0; i < nb; i++) {
		const struct pt_blocker *bl = pt_group_blocker(g, i);
		enum pt_critical crit = pt_dev_critical(bl->dev);

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "address");
		json_builder_add_string_value(b, pt_dev_address(bl->dev));
		json_builder_set_member_name(b, "driver");
		json_builder_add_string_value(b, bl->driver);
		json_builder_set_member_name(b, "rule");
		json_builder_add_string_value(b, bl->rule);
		add_str_or_null(b, "host_critical",
				crit == PT_CRITICAL_NONE ? NULL : pt_critical_to_string(crit));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	/* To make it viable, detach the blockers; warn where that takes a device from the host. */
	json_builder_set_member_name(b, "assignable");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "detach");
	json_builder_begin_array(b);
	for (size_t i = 0; i < nb; i++)
		json_builder_add_string_value(b, pt_dev_address(pt_group_blocker(g, i)->dev));
	json_builder_end_array(b);
	json_builder_set_member_name(b, "warnings");
	json_builder_begin_array(b);
	for (size_t i = 0; i < nb; i++) {
		const struct pt_dev *d = pt_group_blocker(g, i)->dev;
		enum pt_critical crit = pt_dev_critical(d);

		if (crit != PT_CRITICAL_NONE) {
			g_autofree char *w =
				g_strdup_printf("%s is %s [E-HOST-CRITICAL]", pt_dev_address(d),
						pt_critical_describe(crit));

			json_builder_add_string_value(b, w);
		}
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	json_builder_end_object(b);
}

JsonNode *pth_host_to_json(const struct pt_host *host, const char *source)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	const struct pt_kver *kv = pt_host_kernel(host);
	g_autofree char *kver = g_strdup_printf("%u.%u", kv->major, kv->minor);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "schema");
	json_builder_add_string_value(b, PTH_INSPECT_SCHEMA);
	json_builder_set_member_name(b, "source");
	json_builder_add_string_value(b, source);
	json_builder_set_member_name(b, "kernel");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "version");
	json_builder_add_string_value(b, kver);
	json_builder_set_member_name(b, "source");
	json_builder_add_string_value(b, pt_kver_source_to_string(pt_host_kernel_source(host)));
	json_builder_end_object(b);
	json_builder_set_member_name(b, "iommu");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "enabled");
	json_builder_add_boolean_value(b, pt_host_iommu_present(host));
	json_builder_end_object(b);

	json_builder_set_member_name(b, "devices");
	json_builder_begin_array(b);
	for (size_t i = 0; i < pt_host_dev_count(host); i++)
		add_device(b, pt_host_dev(host, i));
	json_builder_end_array(b);

	json_builder_set_member_name(b, "groups");
	json_builder_begin_array(b);
	for (size_t i = 0; i < pt_host_group_count(host); i++)
		add_group(b, pt_host_group(host, i));
	json_builder_end_array(b);

	json_builder_set_member_name(b, "findings");
	json_builder_begin_array(b);
	for (size_t i = 0; i < pt_host_finding_count(host); i++) {
		const struct pt_finding *f = pt_host_finding(host, i);

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "rule");
		json_builder_add_string_value(b, f->rule);
		add_str_or_null(b, "address", f->address);
		json_builder_set_member_name(b, "message");
		json_builder_add_string_value(b, f->message);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
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
