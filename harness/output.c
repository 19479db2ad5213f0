/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Rendering the host model: JSON for machines, a group-per-block text view for people. */

#include <stdio.h>
#include <string.h>

#include "output.h"

JsonNode *pth_host_to_json(const struct pt_host *host, const char *source)
{
	g_autofree char *text = pth_host_json_text(host, source);

	/* Our own output: it parses. */
	return json_from_string(text, NULL);
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
	const char *why = pt_dev_config_unknown(dev), *acs_why = pt_dev_acs_unknown(dev);

	g_string_append_printf(out, "  %s [%04x:%04x]", p->address, p->vendor, p->device);
	if (p->vendor_name)
		g_string_append_printf(out, " %s", p->vendor_name);
	if (p->device_name)
		g_string_append_printf(out, " %s", p->device_name);
	g_string_append_printf(out, "\n      driver: %s", p->driver ? p->driver : "(none)");
	if (p->override)
		g_string_append_printf(out, " (override %s)", p->override);
	g_string_append(out, "; reset:");
	if (why && r->source == PT_RESET_SOURCE_DERIVED)
		g_string_append_printf(out, " unknown (%s)", why);
	else if (r->count == 0)
		g_string_append(out, " none");
	for (size_t i = 0; !(why && r->source == PT_RESET_SOURCE_DERIVED) && i < r->count; i++)
		g_string_append_printf(out, " %s", pt_reset_method_to_string(r->methods[i]));
	if (!(why && r->source == PT_RESET_SOURCE_DERIVED))
		g_string_append_printf(out, " (%s)", pt_reset_source_to_string(r->source));
	if (why)
		g_string_append_printf(out, "; FLR, PM reset, ACS: unknown (%s)", why);
	else if (acs_why)
		g_string_append_printf(out, "; ACS: unknown (%s)", acs_why);
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
	if (!pt_kver_modelled(kv))
		g_string_append_printf(
			out,
			"Warning: kernel %u.%u is outside the modelled range "
			"(%u.%u to %u.%u): the nearest modelled kernel's rules apply\n",
			kv->major, kv->minor, PT_KVER_OLDEST.major, PT_KVER_OLDEST.minor,
			PT_KVER_NEWEST.major, PT_KVER_NEWEST.minor);
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
