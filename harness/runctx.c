/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One scenario's run: setting it up, resolving names, step arguments, observations. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "runctx.h"
#include "size.h"
#include "vm.h"

void pth_run_init(struct pth_run *r, struct pth_scenario *sc, unsigned target, GHashTable *fired)
{
	*r = (struct pth_run){ .sc = sc, .target = target };
	r->resolved = g_ptr_array_new_with_free_func(g_free);
	r->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	r->detached = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, pth_detached_free);
	r->fired = fired ? g_hash_table_ref(fired) :
			   g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

void pth_run_clear(struct pth_run *r)
{
	g_free(r->reason);
	g_free(r->broken);
	g_ptr_array_unref(r->resolved);
	g_hash_table_unref(r->names);
	g_hash_table_unref(r->detached);
	g_hash_table_unref(r->fired);
	if (r->points)
		g_ptr_array_unref(r->points);
	if (r->after)
		g_ptr_array_unref(r->after);
	*r = (struct pth_run){ 0 };
}

void pth_detached_free(gpointer p)
{
	pt_detached_clear(p);
	g_free(p);
}

/*
 * $DUT is the device under test; $DUT.vf[i] its i-th VF as the host shows it when the step runs
 * (after the VFs were enabled), or the name itself when there is none (the engine then says
 * device-not-found).
 */
static const char *resolve_dut(struct pth_run *r, const char *s)
{
	const struct pt_dev *d;
	const struct pt_dev_props *p;
	unsigned i;
	char tail;

	if (!r->dut || !g_str_has_prefix(s, "$DUT"))
		return NULL;
	if (strcmp(s, "$DUT") == 0)
		return r->dut;
	if (sscanf(s, "$DUT.vf[%u%c", &i, &tail) != 2 || tail != ']' || s[strlen(s) - 1] != ']')
		return NULL;
	d = pt_host_find_dev(pt_engine_host(r->e), r->dut);
	p = d ? pt_dev_props(d) : NULL;
	if (!p || !p->sriov || !p->sriov->vfs || i >= g_strv_length(p->sriov->vfs))
		return NULL;
	g_ptr_array_add(r->resolved, g_strdup(p->sriov->vfs[i]));
	return r->resolved->pdata[r->resolved->len - 1];
}

const char *pth_run_resolve(struct pth_run *r, const char *s)
{
	const char *v = s && s[0] == '$' ? resolve_dut(r, s) : NULL;

	if (!v && s && s[0] == '$')
		v = g_hash_table_lookup(r->names, s + 1);
	return v ? v : s;
}

char *pth_run_expand_path(struct pth_run *r, const char *path)
{
	GString *s = g_string_new(NULL);

	for (const char *p = path ? path : ""; *p;) {
		const char *end = p + strlen("$DUT");
		g_autofree char *name = NULL;
		const char *v;

		if (!g_str_has_prefix(p, "$DUT")) {
			g_string_append_c(s, *p++);
			continue;
		}
		if (g_str_has_prefix(end, ".vf[") && strchr(end, ']'))
			end = strchr(end, ']') + 1;
		name = g_strndup(p, (gsize)(end - p));
		v = resolve_dut(r, name);
		g_string_append(s, v ? v : name);
		p = end;
	}
	return g_string_free(s, FALSE);
}

bool pth_arg_bool(struct fy_node *args, const char *key, bool dflt)
{
	const char *s = pth_node_str(args, key);

	return s ? strcmp(s, "true") == 0 : dflt;
}

long pth_arg_int(struct fy_node *args, const char *key, long dflt)
{
	const char *s = pth_node_str(args, key);

	return s ? strtol(s, NULL, 10) : dflt;
}

uint64_t pth_arg_size(struct fy_node *args, const char *key, uint64_t dflt)
{
	const char *s = pth_node_str(args, key);
	uint64_t v;

	return s && pth_parse_size(s, &v) == 0 ? v : dflt;
}

char **pth_arg_list(struct pth_run *r, struct fy_node *args, const char *key)
{
	struct fy_node *seq = pth_node_get(args, key), *item;
	GPtrArray *a = g_ptr_array_new();
	void *it = NULL;

	while (seq && (item = fy_node_sequence_iterate(seq, &it)))
		g_ptr_array_add(a, g_strdup(pth_run_resolve(r, fy_node_get_scalar0(item))));
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

int pth_errno_from_name(const char *name)
{
	for (int i = 1; i < 134; i++) {
		const char *n = strerrorname_np(i);

		if (n && strcmp(n, name) == 0)
			return i;
	}
	return EIO;
}

struct pt_vm *pth_run_find_vm(struct pth_run *r, const char *name)
{
	struct pt_vm *vm = name ? pt_vms_find(r->vms, name) : NULL;

	if (!vm) {
		/* A VM named in a step but not under vms: a default 1 GiB guest. */
		struct pt_vm_config cfg = { .name = name ? name : "vm",
					    .memory = 1ull << 30,
					    .numa_node = -1 };

		pt_vms_add(r->vms, &cfg, &vm);
	}
	return vm;
}

void pth_obs_str(struct pth_obs *o, const char *key, const char *value)
{
	if (!o->result)
		o->result = json_object_new();
	json_object_set_string_member(o->result, key, value);
}

void pth_obs_int(struct pth_obs *o, const char *key, gint64 value)
{
	if (!o->result)
		o->result = json_object_new();
	json_object_set_int_member(o->result, key, value);
}

void pth_obs_bool(struct pth_obs *o, const char *key, gboolean value)
{
	if (!o->result)
		o->result = json_object_new();
	json_object_set_boolean_member(o->result, key, value);
}
void pth_obs_clear(struct pth_obs *o)
{
	pt_outcome_clear(&o->out);
	g_free(o->value);
	if (o->result)
		json_object_unref(o->result);
	*o = (struct pth_obs){ 0 };
}
