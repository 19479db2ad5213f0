/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A host's topology as an SVG picture, laid out by graphviz (libgvc, dot). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

/* Fill and border colours of an IOMMU group box, by state (the HTML legend uses them too). */
enum prp_group_state {
	PRP_GROUP_VIABLE,
	PRP_GROUP_NOT_VIABLE,
	PRP_GROUP_VM, /* held by a VM */
	PRP_GROUP_STATE_MAX,
};

struct prp_group_style {
	const char *name; /* "viable", "not viable", "in use by a VM" */
	const char *fill;
	const char *border;
};

/* The style of each state; never NULL for a state below PRP_GROUP_STATE_MAX. */
const struct prp_group_style *prp_group_style(enum prp_group_state state);

/* A drawing context: one graphviz context (its plugins loaded once), for any number of hosts. */
struct prp_topology;

/*
 * prp_topology_new: a drawing context. Returns 0 and the context in *ret (free it with
 * prp_topology_free()), or -EIO with @error when graphviz has no context (plugins missing).
 */
int prp_topology_new(struct prp_topology **ret, GError **error);

/* prp_topology_free: free T (NULL is fine); returns NULL. */
struct prp_topology *prp_topology_free(struct prp_topology *t);

/*
 * prp_topology_svg: draw HOST (one hosts[] object of a checked result): the PCI tree from
 * each root bus through its bridges to the devices (solid edges parent -> child), each VF
 * hanging from its PF by a dashed edge, every IOMMU group a filled box named
 * "cluster_groupN" whose colour says viable, not viable or held by a VM. A device's label is
 * its address, its name (shortened) and its driver. Devices and groups are drawn in sorted
 * order and graphviz's object ids follow creation order, so the same host gives the same
 * picture. SVG ids are prefixed with the host's name so that several pictures can share a
 * page. Returns 0 and the <svg> element (from "<svg" on, without graphviz's XML prolog and
 * comments; the caller frees it with g_free()) in *ret_svg, or -EIO with @error.
 */
int prp_topology_svg(struct prp_topology *t, JsonObject *host, char **ret_svg, GError **error);
