/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The topology picture: devices, bridges and IOMMU groups of a host, laid out by graphviz. */

#include <errno.h>
#include <string.h>

#include <graphviz/gvc.h>

#include "internal.h"
#include "result.h"
#include "topology.h"

static const struct prp_group_style styles[PRP_GROUP_STATE_MAX] = {
	[PRP_GROUP_VIABLE] = { "viable", "#dcf1dc", "#3d8b3d" },
	[PRP_GROUP_NOT_VIABLE] = { "not viable", "#f7d9d9", "#b23b3b" },
	[PRP_GROUP_VM] = { "in use by a VM", "#d9e5f7", "#2f5fa8" },
};

const struct prp_group_style *prp_group_style(enum prp_group_state state)
{
	return &styles[state < PRP_GROUP_STATE_MAX ? state : PRP_GROUP_NOT_VIABLE];
}

/* Attributes every picture sets on the graph, its nodes and edges. */
static const struct {
	int kind;
	const char *name, *value;
} defaults[] = {
	{ AGRAPH, "rankdir", "LR" },
	{ AGRAPH, "fontname", "DejaVu Sans" },
	{ AGRAPH, "fontsize", "10" },
	{ AGRAPH, "nodesep", "0.12" },
	{ AGRAPH, "ranksep", "0.35" },
	{ AGRAPH, "style", "" },
	{ AGRAPH, "fillcolor", "" },
	{ AGRAPH, "color", "" },
	{ AGRAPH, "label", "" },
	{ AGRAPH, "labeljust", "l" },
	{ AGRAPH, "id", "" },
	{ AGNODE, "shape", "box" },
	{ AGNODE, "style", "rounded,filled" },
	{ AGNODE, "fillcolor", "#ffffff" },
	{ AGNODE, "color", "#555555" },
	{ AGNODE, "penwidth", "1" },
	{ AGNODE, "fontname", "DejaVu Sans" },
	{ AGNODE, "fontsize", "9" },
	{ AGNODE, "margin", "0.08,0.03" },
	{ AGNODE, "label", "\\N" },
	{ AGNODE, "id", "" },
	{ AGEDGE, "color", "#555555" },
	{ AGEDGE, "arrowsize", "0.5" },
	{ AGEDGE, "style", "solid" },
};

/*
 * Object ids for cgraph. Its default discipline makes a named object's id the address of its
 * interned name, and subgraphs are kept (and laid out, and written) in id order: the
 * clusters' order, and so the picture, changed from run to run. Here names are numbered in
 * the order they are created (even ids; anonymous objects get odd ones, as by default), so the
 * sorted input gives the same picture every time. The state belongs to one graph.
 */
struct ids {
	GHashTable *by_name; /* name -> index + 1 into names */
	GPtrArray *names; /* owned */
	IDTYPE anonymous; /* the next odd id */
};

static void *ids_open(Agraph_t *g, Agdisc_t *disc)
{
	struct ids *s = g_new0(struct ids, 1);

	s->by_name = g_hash_table_new(g_str_hash, g_str_equal);
	s->names = g_ptr_array_new_with_free_func(g_free);
	s->anonymous = 1;
	return s;
}

static long ids_map(void *state, int objtype, char *str, IDTYPE *id, int createflag)
{
	struct ids *s = state;
	guint index;

	if (!str) {
		*id = s->anonymous;
		s->anonymous += 2;
		return TRUE;
	}
	index = GPOINTER_TO_UINT(g_hash_table_lookup(s->by_name, str));
	if (!index) {
		if (!createflag)
			return FALSE;
		g_ptr_array_add(s->names, g_strdup(str));
		index = s->names->len;
		g_hash_table_insert(s->by_name, s->names->pdata[index - 1],
				    GUINT_TO_POINTER(index));
	}
	*id = 2 * (IDTYPE)index;
	return TRUE;
}

static long ids_alloc(void *state, int objtype, IDTYPE id)
{
	return FALSE; /* no ids chosen by the caller */
}

static void ids_free(void *state, int objtype, IDTYPE id)
{
}

static char *ids_print(void *state, int objtype, IDTYPE id)
{
	struct ids *s = state;

	return id % 2 == 0 && id / 2 >= 1 && id / 2 <= s->names->len ? s->names->pdata[id / 2 - 1] :
								       NULL;
}

static void ids_close(void *state)
{
	struct ids *s = state;

	g_hash_table_destroy(s->by_name);
	g_ptr_array_unref(s->names);
	g_free(s);
}

static void ids_register(void *state, int objtype, void *obj)
{
}

static Agiddisc_t id_discipline = {
	.open = ids_open,
	.map = ids_map,
	.alloc = ids_alloc,
	.free = ids_free,
	.print = ids_print,
	.close = ids_close,
	.idregister = ids_register,
};

/* Never written to; not const only because cgraph's prototypes are not. */
static Agdisc_t discipline = { &AgMemDisc, &id_discipline, &AgIoDisc };

/*
 * cgraph takes char * for names and values it only reads; this one place casts the const away
 * (it keeps its own copies).
 */
static void set(void *obj, const char *name, const char *value)
{
	agset(obj, (char *)name, (char *)value);
}

/* A name for a label: backslashes doubled (cgraph reads \n, \l, \N... in labels), shortened. */
static char *label_text(const char *s, size_t max)
{
	g_autofree char *shortened = NULL;
	g_auto(GStrv) parts = NULL;

	if (!s)
		return g_strdup("");
	if (g_utf8_strlen(s, -1) > (glong)max) {
		g_autofree char *head = g_utf8_substring(s, 0, max - 1);

		shortened = g_strconcat(head, "…", NULL);
	} else {
		shortened = g_strdup(s);
	}
	parts = g_strsplit(shortened, "\\", -1);
	return g_strjoinv("\\\\", parts);
}

static gboolean is_bridge(JsonObject *d)
{
	return g_str_has_prefix(prp_str(d, "class"), "0604");
}

/* The node of the root bus DOMAIN:BUS of ADDRESS ("0000:00" of "0000:00:1f.2"). */
static Agnode_t *root_bus(Agraph_t *g, const char *host, const char *address)
{
	g_autofree char *bus = g_strndup(address, 7);
	g_autofree char *name = g_strdup_printf("pci%s", bus);
	g_autofree char *label = g_strdup_printf("PCI root bus\\n%s", bus);
	g_autofree char *id = g_strdup_printf("%s-%s", host, name);
	Agnode_t *n = agnode(g, name, FALSE);

	if (n)
		return n;
	n = agnode(g, name, TRUE);
	set(n, "label", label);
	set(n, "id", id);
	set(n, "shape", "box");
	set(n, "style", "filled");
	set(n, "fillcolor", "#eeeeee");
	return n;
}

static gint compare_by(gconstpointer a, gconstpointer b, gpointer member)
{
	JsonObject *x = *(JsonObject *const *)a, *y = *(JsonObject *const *)b;

	if (strcmp(member, "id") == 0)
		return (prp_int(x, "id") > prp_int(y, "id")) -
		       (prp_int(x, "id") < prp_int(y, "id"));
	return strcmp(prp_str(x, member), prp_str(y, member));
}

/* The objects of A sorted by MEMBER ("address", or "id" compared as numbers). */
static GPtrArray *sorted(JsonArray *a, const char *member)
{
	GPtrArray *v = g_ptr_array_new();

	for (guint i = 0; i < prp_len(a); i++)
		g_ptr_array_add(v, prp_at(a, i));
	g_ptr_array_sort_with_data(v, compare_by, (gpointer)member);
	return v;
}

static void add_group(Agraph_t *g, const char *host, JsonObject *grp)
{
	gint64 id = prp_int(grp, "id");
	const char *vm = prp_str(grp, "vm");
	enum prp_group_state state = vm			     ? PRP_GROUP_VM :
				     prp_bool(grp, "viable") ? PRP_GROUP_VIABLE :
							       PRP_GROUP_NOT_VIABLE;
	g_autofree char *name = g_strdup_printf("cluster_group%" G_GINT64_FORMAT, id);
	g_autofree char *gid = g_strdup_printf("%s-group%" G_GINT64_FORMAT, host, id);
	g_autofree char *label = g_strdup_printf("group %" G_GINT64_FORMAT ": %s%s", id,
						 vm ? "VM " : styles[state].name, vm ? vm : "");
	Agraph_t *sg = agsubg(g, name, TRUE);

	set(sg, "style", "filled,rounded");
	set(sg, "fillcolor", styles[state].fill);
	set(sg, "color", styles[state].border);
	set(sg, "label", label);
	set(sg, "id", gid);
}

static void add_device(Agraph_t *g, const char *host, JsonObject *d)
{
	const char *address = prp_str(d, "address"), *driver = prp_str(d, "driver");
	/* host_critical (optional): why the host needs the device (boot-vga, storage, ...) */
	const char *critical = prp_str(d, "host_critical");
	/* host_critical_unknown (optional): why the data cannot show whether the host needs it */
	const char *maybe = critical ? NULL : prp_str(d, "host_critical_unknown");
	g_autofree char *name = label_text(prp_str(d, "name"), 42);
	g_autofree char *drv = label_text(driver ? driver : "no driver", 34);
	g_autofree char *why = critical ? label_text(critical, 34) :
			       maybe	? label_text(maybe, 34) :
					  NULL;
	g_autofree char *label =
		g_strdup_printf("%s\\n%s%s%s%s%s", address, name, *name ? "\\n" : "", drv,
				critical ? "\\nHOST-CRITICAL: " :
				maybe	 ? "\\nMAYBE HOST-CRITICAL: " :
					   "",
				why ? why : "");
	g_autofree char *id = g_strdup_printf("%s-%s", host, address);
	Agraph_t *parent = g;
	Agnode_t *n;

	if (!prp_is_null(d, "iommu_group")) {
		g_autofree char *cluster = g_strdup_printf("cluster_group%" G_GINT64_FORMAT,
							   prp_int(d, "iommu_group"));

		parent = agsubg(g, cluster, FALSE);
		if (!parent) /* a group the host's groups[] does not list */
			parent = g;
	}
	n = agnode(parent, (char *)address, TRUE);
	set(n, "label", label);
	set(n, "id", id);
	if (is_bridge(d))
		set(n, "style", "filled");
	if (!prp_is_null(d, "physfn"))
		set(n, "style", "rounded,filled,dashed");
	if (critical) {
		set(n, "color", "#b23b3b");
		set(n, "penwidth", "2.5");
	} else if (maybe) {
		set(n, "color", "#c77c02");
		set(n, "penwidth", "2.5");
	}
}

/*
 * Edges: bridge (or root bus) -> device, solid. A VF sits on its PF's bus, but drawing that
 * edge too tangles the picture: a VF hangs from its PF only, dashed.
 */
static void add_edges(Agraph_t *g, const char *host, JsonObject *d)
{
	const char *address = prp_str(d, "address"), *parent = prp_str(d, "parent");
	const char *physfn = prp_str(d, "physfn");
	Agnode_t *n = agnode(g, (char *)address, FALSE);
	Agnode_t *up = parent ? agnode(g, (char *)parent, FALSE) : NULL;
	Agnode_t *pf = physfn ? agnode(g, (char *)physfn, FALSE) : NULL;

	if (pf) {
		Agedge_t *e = agedge(g, pf, n, NULL, TRUE);

		set(e, "style", "dashed");
		set(e, "color", styles[PRP_GROUP_VM].border);
		return;
	}
	agedge(g, up ? up : root_bus(g, host, address), n, NULL, TRUE);
}

static Agraph_t *build(JsonObject *host)
{
	const char *name = prp_str(host, "name");
	g_autoptr(GPtrArray) devices = sorted(prp_arr(host, "devices"), "address");
	g_autoptr(GPtrArray) groups = sorted(prp_arr(host, "groups"), "id");
	g_autofree char *gid = g_strdup_printf("host-%s", name);
	Agraph_t *g = agopen((char *)"topology", Agdirected, &discipline);

	for (size_t i = 0; i < G_N_ELEMENTS(defaults); i++)
		agattr(g, defaults[i].kind, (char *)defaults[i].name, (char *)defaults[i].value);
	set(g, "id", gid);
	for (guint i = 0; i < groups->len; i++)
		add_group(g, name, groups->pdata[i]);
	for (guint i = 0; i < devices->len; i++)
		add_device(g, name, devices->pdata[i]);
	for (guint i = 0; i < devices->len; i++)
		add_edges(g, name, devices->pdata[i]);
	return g;
}

struct prp_topology {
	GVC_t *gvc;
};

int prp_topology_new(struct prp_topology **ret, GError **error)
{
	GVC_t *gvc = gvContext();

	if (!gvc) {
		g_set_error_literal(error, PRP_ERROR, PRP_ERROR_RENDER,
				    "graphviz: no context (are its plugins installed?)");
		return -EIO;
	}
	*ret = g_new0(struct prp_topology, 1);
	(*ret)->gvc = gvc;
	return 0;
}

struct prp_topology *prp_topology_free(struct prp_topology *t)
{
	if (t) {
		gvFreeContext(t->gvc);
		g_free(t);
	}
	return NULL;
}

int prp_topology_svg(struct prp_topology *t, JsonObject *host, char **ret_svg, GError **error)
{
	Agraph_t *g = build(host);
	char *data = NULL;
	unsigned int len = 0;
	const char *svg = NULL;

	if (gvLayout(t->gvc, g, "dot") == 0 && gvRenderData(t->gvc, g, "svg", &data, &len) == 0 &&
	    data)
		/* graphviz starts with a prolog and a comment naming its version: keep the element. */
		svg = g_strstr_len(data, len, "<svg");
	if (svg)
		*ret_svg = g_strndup(svg, len - (svg - data));
	else
		g_set_error(error, PRP_ERROR, PRP_ERROR_RENDER,
			    "graphviz could not draw host %s as SVG", prp_str(host, "name"));
	if (data)
		gvFreeRenderData(data);
	gvFreeLayout(t->gvc, g);
	agclose(g);
	return svg ? 0 : -EIO;
}
