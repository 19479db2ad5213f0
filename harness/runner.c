/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The scenario runner: a fresh model of the recorded host per scenario, each step through the
 * engine, each expectation checked, and the canonical result. */

/*
 * The plan: recordings load once into fakesys and each scenario works on a copy. A step runs
 * one engine operation (or a raw sysfs read/write) and yields an observation: the outcome,
 * a verb-specific result, and the slice of the trace it produced. Its expectations are checked
 * against that observation and against a fresh scan of the host. In fault-matrix mode every
 * write and reset a scenario makes is found in a first run; then the scenario runs again once
 * per such point with that write failing, and the host must end the step as it began it (or
 * as the fault-free run ended it, when the engine absorbed the fault), or name what it could
 * not restore.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "certify.h"
#include "commands.h"
#include "fakesys.h"
#include "migrate.h"
#include "rules.h"
#include "progress.h"
#include "runner.h"
#include "session.h"
#include "size.h"
#include "sriov.h"
#include "vfio.h"
#include "vm.h"

unsigned pth_shard_of(const char *id, unsigned n)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return n ? h % n + 1 : 1;
}

/* ---- the host cache: each recording is loaded once ---- */

static void free_host(gpointer h)
{
	fks_host_free(h);
}

struct cache {
	GMutex lock;
	GHashTable *hosts; /* path -> struct fks_host * */
};

static int cached_copy(struct cache *c, const char *path, const char *kernel, struct fks_host **ret,
		       struct pt_error *err)
{
	g_autofree char *key = g_strdup_printf("%s\n%s", path, kernel ? kernel : "");
	struct fks_host *h;
	int r = 0;

	g_mutex_lock(&c->lock);
	h = g_hash_table_lookup(c->hosts, key);
	if (!h) {
		struct fks_options fo = { .kernel = kernel };

		r = fks_host_new_from_recording(path, &fo, &h, err);
		if (r >= 0)
			g_hash_table_insert(c->hosts, g_strdup(key), h);
	}
	if (r >= 0)
		r = fks_host_copy(h, ret);
	g_mutex_unlock(&c->lock);
	return r;
}

/* ---- one scenario's run ---- */

struct run {
	struct pth_scenario *sc;
	struct cache *cache;
	unsigned target;
	struct fks_host *fake;
	struct pt_backend *be;
	struct pt_trace *trace;
	struct pt_engine *e;
	GHashTable *names; /* select-vf "as" name -> address */
	GHashTable *detached; /* address -> struct pt_detached * */
	GHashTable *fired; /* rule IDs fired in the whole scenario */
	/* certification: $DUT, the certify verb, and the scenario stopping at its first failure */
	const char *dut; /* $DUT, or NULL */
	const struct pth_step_hooks *hooks; /* the certify verb's check code, or NULL */
	GPtrArray *resolved; /* strings $DUT.vf[i] resolved to, alive until the run ends */
	bool stop_on_fail;
	enum pth_cert_status status; /* a certify step's skip or fail ends the scenario */
	char *reason; /* the first failure, or the last certify step's reason */
	/* fault matrix */
	struct fks_fault *fault; /* injected, or NULL */
	unsigned fault_step; /* the step it belongs to (1-based) */
	char *before_fault; /* export before that step */
	GPtrArray *points; /* baseline: struct point * */
	GPtrArray *after; /* baseline: export after each step (char *) */
	bool held;
	char *broken;
};

struct point {
	unsigned step;
	struct fks_fault fault;
	char path[256];
};

/* What a step produced. */
struct obs {
	struct pt_outcome out;
	bool has_outcome;
	int write_result; /* raw write/read: 0 or -errno */
	bool raw;
	char *value; /* read */
	JsonObject *result; /* verb-specific */
	size_t trace_from;
};

static void detached_free(gpointer p)
{
	pt_detached_clear(p);
	g_free(p);
}

/*
 * $DUT is the device under test; $DUT.vf[i] its i-th VF as the host shows it when the step runs
 * (after the VFs were enabled), or the name itself when there is none (the engine then says
 * device-not-found).
 */
static const char *resolve_dut(struct run *r, const char *s)
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

static const char *resolve_name(struct run *r, const char *s)
{
	const char *v = s && s[0] == '$' ? resolve_dut(r, s) : NULL;

	if (!v && s && s[0] == '$')
		v = g_hash_table_lookup(r->names, s + 1);
	return v ? v : s;
}

/* A sysfs path with $DUT and $DUT.vf[i] replaced ("bus/pci/devices/$DUT/reset"). */
static char *expand_path(struct run *r, const char *path)
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

static bool arg_bool(struct fy_node *args, const char *key, bool dflt)
{
	const char *s = pth_node_str(args, key);

	return s ? strcmp(s, "true") == 0 : dflt;
}

static long arg_int(struct fy_node *args, const char *key, long dflt)
{
	const char *s = pth_node_str(args, key);

	return s ? strtol(s, NULL, 10) : dflt;
}

static uint64_t arg_size(struct fy_node *args, const char *key, uint64_t dflt)
{
	const char *s = pth_node_str(args, key);
	uint64_t v;

	return s && pth_parse_size(s, &v) == 0 ? v : dflt;
}

static char **arg_list(struct run *r, struct fy_node *args, const char *key)
{
	struct fy_node *seq = pth_node_get(args, key), *item;
	GPtrArray *a = g_ptr_array_new();
	void *it = NULL;

	while (seq && (item = fy_node_sequence_iterate(seq, &it)))
		g_ptr_array_add(a, g_strdup(resolve_name(r, fy_node_get_scalar0(item))));
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

static int errno_from_name(const char *name)
{
	for (int i = 1; i < 134; i++) {
		const char *n = strerrorname_np(i);

		if (n && strcmp(n, name) == 0)
			return i;
	}
	return EIO;
}

/* host.set: edits applied after loading, with the kernel's own writes, untraced. */
static int apply_set(struct run *r, GError **error)
{
	struct fy_node_pair *p;
	void *it = NULL;

	while (r->sc->set && (p = fy_node_mapping_iterate(r->sc->set, &it))) {
		const char *addr = fy_node_get_scalar0(fy_node_pair_key(p));
		struct fy_node *v = fy_node_pair_value(p);
		struct fy_node *drv = pth_node_get(v, "driver"), *ovr = pth_node_get(v, "override");
		const char *cur = NULL;
		char path[256];

		if (fks_host_dev_driver(r->fake, addr, &cur) < 0) {
			g_autofree char *where = pth_node_where(r->sc, fy_node_pair_key(p));

			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s: host.set: no device %s in %s", where, addr,
				    r->sc->recording);
			return -ENODEV;
		}
		if (drv) {
			if (cur) {
				snprintf(path, sizeof(path), "bus/pci/drivers/%s/unbind", cur);
				pt_backend_write(r->be, PT_NS_SYS, path, addr, strlen(addr));
			}
			if (!pth_node_is_null(drv)) {
				const char *want = fy_node_get_scalar0(drv);

				snprintf(path, sizeof(path), "bus/pci/devices/%s/driver_override",
					 addr);
				pt_backend_write(r->be, PT_NS_SYS, path, want, strlen(want));
				pt_backend_write(r->be, PT_NS_SYS, "bus/pci/drivers_probe", addr,
						 strlen(addr));
				pt_backend_write(r->be, PT_NS_SYS, path, "\n", 1);
			}
		}
		if (ovr) {
			const char *want = pth_node_is_null(ovr) ? "\n" : fy_node_get_scalar0(ovr);

			snprintf(path, sizeof(path), "bus/pci/devices/%s/driver_override", addr);
			pt_backend_write(r->be, PT_NS_SYS, path, want, strlen(want));
		}
	}
	return 0;
}

static int add_faults(struct run *r, GError **error)
{
	static const struct {
		const char *key;
		enum fks_fault_kind kind;
	} kinds[] = {
		{ "write", FKS_FAULT_WRITE },
		{ "reset", FKS_FAULT_RESET },
		{ "numvfs", FKS_FAULT_NUMVFS },
		{ "remove", FKS_FAULT_REMOVE },
	};
	struct fy_node *item;
	void *it = NULL;

	while (r->sc->faults && (item = fy_node_sequence_iterate(r->sc->faults, &it))) {
		struct fks_fault f = { .nth = (unsigned)arg_int(item, "nth", 1),
				       .count = (unsigned)arg_int(item, "count", 1),
				       .hang_ms = (unsigned)arg_int(item, "hang_ms", 0),
				       .max_vfs = (unsigned)arg_int(item, "max", 0),
				       .step = (unsigned)arg_int(item, "step", 0) };
		const char *e = pth_node_str(item, "errno");
		const char *config = pth_node_str(item, "config");
		size_t k = 0;

		for (; k < G_N_ELEMENTS(kinds) && !pth_node_str(item, kinds[k].key); k++)
			;
		if (k == G_N_ELEMENTS(kinds) ||
		    (kinds[k].kind == FKS_FAULT_WRITE && !e && !pth_node_get(item, "errno"))) {
			g_autofree char *where = pth_node_where(r->sc, item);

			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s: a fault needs one of write, reset, numvfs, remove%s",
				    where, k < G_N_ELEMENTS(kinds) ? " (and errno)" : "");
			return -EINVAL;
		}
		if (config && strcmp(config, "ff") != 0) {
			g_autofree char *where = pth_node_where(r->sc, item);

			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s: config takes ff (the device reads all ones), not '%s'",
				    where, config);
			return -EINVAL;
		}
		f.kind = kinds[k].kind;
		f.path = pth_node_str(item, kinds[k].key);
		f.config_ff = config != NULL;
		f.error = e ? errno_from_name(e) :
			      (f.kind == FKS_FAULT_RESET && !f.hang_ms && !f.config_ff ? EIO : 0);
		if (fks_host_add_fault(r->fake, &f) < 0) {
			g_autofree char *where = pth_node_where(r->sc, item);

			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s: the fault model refuses this fault", where);
			return -EINVAL;
		}
	}
	return 0;
}

static int add_vms(struct run *r, GError **error)
{
	struct fy_node_pair *p;
	void *it = NULL;

	while (r->sc->vms && (p = fy_node_mapping_iterate(r->sc->vms, &it))) {
		struct fy_node *v = fy_node_pair_value(p);
		struct pt_vm_config cfg = {
			.name = fy_node_get_scalar0(fy_node_pair_key(p)),
			.memory = arg_size(v, "memory", 1ull << 30),
			.vcpus = (unsigned)arg_int(v, "vcpus", 1),
			.numa_node = (int)arg_int(v, "numa_node", -1),
			.viommu = arg_bool(v, "viommu", false),
			.hard_limit = arg_size(v, "hard_limit", 0),
			.pid = (int)arg_int(v, "pid", 0),
			.locked = arg_bool(v, "locked", false),
			.max_memory = arg_size(v, "max_memory", 0),
			.phbs = (unsigned)arg_int(v, "phbs", 0),
		};
		const char *arch = pth_node_str(v, "arch") ? pth_node_str(v, "arch") : "x86_64";
		int a = pt_arch_from_string(arch);

		if (a < 0) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s: VM %s: unknown arch '%s' (x86_64 or ppc64)", r->sc->file,
				    cfg.name, arch);
			return -EINVAL;
		}
		cfg.arch = (enum pt_arch)a;

		if (pt_engine_add_vm(r->e, &cfg, NULL) < 0) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s: VM %s is defined twice", r->sc->file, cfg.name);
			return -EEXIST;
		}
	}
	return 0;
}

static struct pt_vm *find_vm(struct run *r, const char *name, struct obs *o)
{
	struct pt_vm *vm = name ? pt_engine_find_vm(r->e, name) : NULL;

	if (!vm) {
		/* A VM named in a step but not under vms: a default 1 GiB guest. */
		struct pt_vm_config cfg = { .name = name ? name : "vm",
					    .memory = 1ull << 30,
					    .numa_node = -1 };

		pt_engine_add_vm(r->e, &cfg, &vm);
	}
	(void)o;
	return vm;
}

static void result_str(struct obs *o, const char *key, const char *value)
{
	if (!o->result)
		o->result = json_object_new();
	json_object_set_string_member(o->result, key, value);
}

static void result_int(struct obs *o, const char *key, gint64 value)
{
	if (!o->result)
		o->result = json_object_new();
	json_object_set_int_member(o->result, key, value);
}

static void result_bool(struct obs *o, const char *key, gboolean value)
{
	if (!o->result)
		o->result = json_object_new();
	json_object_set_boolean_member(o->result, key, value);
}

/* ---- the verbs ---- */

static void do_detach(struct run *r, struct fy_node *a, struct obs *o)
{
	const char *dev = resolve_name(r, pth_node_str(a, "device"));
	const char *m = pth_node_str(a, "method");
	struct pt_detach_options d = {
		.driver = pth_node_str(a, "driver"),
		.method = m && strcmp(m, "new_id") == 0 ? PT_BIND_NEW_ID : PT_BIND_OVERRIDE,
		.managed = arg_bool(a, "managed", true),
		.force = arg_bool(a, "force", false),
	};
	struct pt_detached *st = g_new0(struct pt_detached, 1);

	o->has_outcome = pt_detach(r->e, dev, &d, st, &o->out) >= 0;
	if (o->out.code == PT_CODE_OK && st->unbound_by_us)
		g_hash_table_replace(r->detached, g_strdup(dev), st);
	else
		detached_free(st);
}

static void do_reattach(struct run *r, struct fy_node *a, struct obs *o)
{
	const char *dev = resolve_name(r, pth_node_str(a, "device"));
	struct pt_detached *st = g_hash_table_lookup(r->detached, dev);
	struct pt_detached tmp = { .unbound_by_us = true, .managed = true, .orig_unknown = true };
	const struct pt_dev *d;

	if (!st) {
		d = pt_host_find_dev(pt_engine_host(r->e), dev);
		g_strlcpy(tmp.address, dev, sizeof(tmp.address));
		tmp.stub = d && pt_dev_props(d)->driver ? g_strdup(pt_dev_props(d)->driver) : NULL;
		st = &tmp;
	}
	o->has_outcome = pt_reattach(r->e, st, &o->out) >= 0;
	if (st == &tmp)
		pt_detached_clear(&tmp);
	else if (o->out.code == PT_CODE_OK)
		g_hash_table_remove(r->detached, dev);
}

static void do_reset(struct run *r, struct fy_node *a, struct obs *o)
{
	const char *m = pth_node_str(a, "method");
	int method = m ? pt_reset_method_from_string(m) : -1, used = -2;

	o->has_outcome = pt_reset_device(r->e, resolve_name(r, pth_node_str(a, "device")), method,
					 &used, &o->out) >= 0;
	if (o->out.code == PT_CODE_OK)
		result_str(o, "method",
			   used >= 0 ? pt_reset_method_to_string((enum pt_reset_method)used) :
				       "vfio");
}

static void do_attach(struct run *r, struct fy_node *a, struct obs *o, bool plan)
{
	const char *m = pth_node_str(a, "method");
	struct pt_attach_options ao = {
		.managed = arg_bool(a, "managed", true),
		.driver = pth_node_str(a, "driver"),
		.method = m && strcmp(m, "new_id") == 0 ? PT_BIND_NEW_ID : PT_BIND_OVERRIDE,
		.force = arg_bool(a, "force", false),
		.dry_run = plan,
	};
	char **devs = arg_list(r, a, "devices");
	struct pt_vm *vm = find_vm(r, pth_node_str(a, "vm"), o);
	struct pt_step *steps = NULL;
	size_t n = 0;

	o->has_outcome =
		pt_vm_attach(r->e, vm, (const char *const *)devs, &ao, &steps, &n, &o->out) >= 0;
	result_int(o, "steps", (gint64)n);
	pt_steps_free(steps, n);
	g_strfreev(devs);
}

static void do_release(struct run *r, struct fy_node *a, struct obs *o)
{
	struct pt_vm *vm = find_vm(r, pth_node_str(a, "vm"), o);

	o->has_outcome = pt_vm_release(r->e, vm, &o->out) >= 0;
}

static void do_select_vf(struct run *r, struct fy_node *a, struct obs *o)
{
	struct pt_vf_query q = {
		.pf = resolve_name(r, pth_node_str(a, "pf")),
		.id = pth_node_str(a, "id"),
		.vfs = pth_node_str(a, "vfs"),
		.class = pth_node_str(a, "class"),
		.same_address = pth_node_str(a, "same_address"),
		.numa_node = (int)arg_int(a, "numa_node", -1),
		.create = arg_bool(a, "create", false),
		.create_count = (unsigned)arg_int(a, "count", 0),
	};
	char vf[16] = "";
	int rc = pt_select_vf(r->e, &q, vf, &o->out);

	o->has_outcome = rc >= 0;
	if (rc == -EINVAL)
		pt_outcome_clear(&o->out), o->out.code = PT_CODE_HOST_ERROR,
					   o->out.message = g_strdup("malformed vfs ranges or id"),
					   o->has_outcome = true;
	if (rc == 0) {
		result_str(o, "device", vf);
		if (pth_node_str(a, "as"))
			g_hash_table_replace(r->names, g_strdup(pth_node_str(a, "as")),
					     g_strdup(vf));
	}
}

static void do_set_numvfs(struct run *r, struct fy_node *a, struct obs *o)
{
	o->has_outcome = pt_set_numvfs(r->e, resolve_name(r, pth_node_str(a, "pf")),
				       (unsigned)arg_int(a, "count", 0), &o->out) >= 0;
}

static void do_vfio_open(struct run *r, struct fy_node *a, struct obs *o)
{
	struct pt_vfio_options vo = { .map_bytes = arg_size(a, "map", 0),
				      .reset = arg_bool(a, "reset", false) };
	struct pt_vfio_info info = { 0 };
	uint64_t limit = arg_size(a, "memlock", 0);

	if (limit && r->fake) {
		char v[32];

		snprintf(v, sizeof(v), "%" G_GUINT64_FORMAT, limit);
		fks_host_set(r->fake, "cap_ipc_lock", "0");
		fks_host_set(r->fake, "memlock", v);
	}
	o->has_outcome = pt_vfio_open(r->e, resolve_name(r, pth_node_str(a, "device")), &vo, &info,
				      &o->out) >= 0;
	if (o->out.code == PT_CODE_OK) {
		result_int(o, "regions", info.num_regions);
		result_int(o, "irqs", info.num_irqs);
		result_int(o, "mapped", (gint64)info.mapped);
		result_bool(o, "reset", info.reset);
		result_bool(o, "migration", info.migration);
	}
}

static void do_migrate_check(struct run *r, struct fy_node *a, struct obs *o)
{
	const char *vmname = pth_node_str(a, "vm"), *to = pth_node_str(a, "to");
	char **devs = arg_list(r, a, "devices"), **fo = arg_list(r, a, "failover");
	struct pt_migrate_result res = { 0 };
	struct pt_migrate_device *md;
	struct pth_session dst = { 0 };
	struct pt_vm *vm = vmname ? pt_engine_find_vm(r->e, vmname) : NULL;
	size_t n = 0;

	if (vm && !devs[0]) {
		g_strfreev(devs);
		devs = g_new0(char *, pt_vm_device_count(vm) + 1);
		for (size_t i = 0; i < pt_vm_device_count(vm); i++)
			devs[i] = g_strdup(pt_vm_device(vm, i));
	}
	n = g_strv_length(devs);
	md = g_new0(struct pt_migrate_device, n + 1);
	for (size_t i = 0; i < n; i++) {
		md[i].address = devs[i];
		md[i].failover = g_strv_contains((const char *const *)fo, devs[i]);
	}
	if (to) {
		struct fy_node *h = pth_node_get(r->sc->hosts, to);
		const char *rec = h ? pth_node_str(h, "recording") : NULL;
		g_autofree char *dir = g_path_get_dirname(r->sc->file);
		g_autofree char *path = rec ? g_build_filename(dir, rec, NULL) : NULL;

		dst.spec = path;
		if (!path || pth_session_open(&dst, "run") != 0) {
			pt_outcome_clear(&o->out);
			o->out.code = PT_CODE_HOST_ERROR;
			o->out.message =
				g_strdup_printf("no destination host '%s' under hosts:", to);
			o->has_outcome = true;
			goto out;
		}
	}
	o->has_outcome = pt_migrate_check(r->e, md, n, dst.engine, &res, &o->out) >= 0;
	result_bool(o, "migratable", res.migratable);
	{
		JsonArray *reasons = json_array_new(), *dests = json_array_new();

		for (size_t i = 0; i < res.count; i++) {
			json_array_add_string_element(reasons, res.entries[i].reason);
			if (res.entries[i].destination)
				json_array_add_string_element(dests, res.entries[i].destination);
		}
		json_object_set_array_member(o->result, "reasons", reasons);
		json_object_set_array_member(o->result, "destinations", dests);
	}
out:
	if (dst.engine || dst.detached)
		pth_session_close(&dst, "run", 0);
	pt_migrate_result_clear(&res);
	g_free(md);
	g_strfreev(devs);
	g_strfreev(fo);
}

static void do_memlock(struct run *r, struct fy_node *a, struct obs *o)
{
	struct pt_vm *vm = find_vm(r, pth_node_str(a, "vm"), o);
	const char *rule = NULL;
	uint64_t bytes = 0;

	o->has_outcome = true;
	if (pt_vm_memlock(r->e, vm, &bytes, &rule) < 0) {
		o->out.code = PT_CODE_HOST_ERROR;
		o->out.message = g_strdup("the limit does not fit in 64 bits");
		return;
	}
	o->out.rule = rule;
	o->out.message = g_strdup_printf("%" G_GUINT64_FORMAT " bytes", bytes);
	if (bytes == PT_MEMLOCK_UNLIMITED)
		result_bool(o, "unlimited", TRUE);
	else
		result_int(o, "bytes", (gint64)bytes);
	if (r->trace)
		pt_trace_rule(r->trace, rule, pt_vm_name(vm), o->out.message);
}

static void do_write(struct run *r, struct fy_node *a, struct obs *o)
{
	g_autofree char *path = expand_path(r, pth_node_str(a, "path"));
	const char *value = pth_node_str(a, "value");
	g_autofree char *v = g_strcompress(value ? value : "");
	struct pt_error err = { 0 };

	o->raw = true;
	o->write_result = pt_backend_write(r->be, PT_NS_SYS, path, v, strlen(v));
	/* The host changed under the engine: scan it again. */
	pt_engine_rescan(r->e, &err);
}

static void do_read(struct run *r, struct fy_node *a, struct obs *o)
{
	g_autofree char *path = expand_path(r, pth_node_str(a, "path"));
	char buf[8192];
	size_t len = 0;

	o->raw = true;
	o->write_result = pt_backend_read(r->be, PT_NS_SYS, path, buf, sizeof(buf) - 1, &len);
	if (o->write_result >= 0) {
		while (len > 0 && buf[len - 1] == '\n')
			len--;
		o->value = g_strndup(buf, len);
	}
}

/* certify: {check: NAME}: certify's own check code (harness/certify.c), which only runs under
 * `ptharness certify` or `run --dut`. result: status (pass, fail, skip) and reason. */
static void do_certify(struct run *r, struct fy_node *a, struct obs *o)
{
	g_autofree char *reason = NULL;
	enum pth_cert_status st;

	o->has_outcome = true;
	if (!r->hooks || !r->hooks->certify) {
		o->out.code = PT_CODE_HOST_ERROR;
		o->out.message = g_strdup("the certify verb runs under 'ptharness certify' or "
					  "'ptharness run --dut BDF'");
		st = PTH_CERT_FAIL;
		reason = g_strdup(o->out.message);
	} else {
		st = r->hooks->certify(r->hooks->data, a, &reason);
		if (st == PTH_CERT_FAIL) {
			o->out.code = PT_CODE_HOST_ERROR;
			o->out.message = g_strdup(reason);
		}
	}
	result_str(o, "status", pth_cert_status_names[st]);
	result_str(o, "reason", reason ? reason : "");
	if (st == PTH_CERT_SKIP || r->status == PTH_CERT_PASS)
		r->status = st;
	g_free(r->reason);
	r->reason = g_steal_pointer(&reason);
}

static void run_verb(struct run *r, const char *verb, struct fy_node *a, struct obs *o)
{
	static const struct {
		const char *name;
		void (*fn)(struct run *, struct fy_node *, struct obs *);
	} table[] = {
		{ "detach", do_detach },       { "reattach", do_reattach },
		{ "reset", do_reset },	       { "release", do_release },
		{ "select-vf", do_select_vf }, { "set-numvfs", do_set_numvfs },
		{ "vfio-open", do_vfio_open }, { "migrate-check", do_migrate_check },
		{ "memlock", do_memlock },     { "write", do_write },
		{ "read", do_read },	       { "certify", do_certify },
	};
	struct pt_error err = { 0 };

	if (strcmp(verb, "attach") == 0 || strcmp(verb, "plan") == 0) {
		do_attach(r, a, o, strcmp(verb, "plan") == 0);
		return;
	}
	if (strcmp(verb, "inspect") == 0 || strcmp(verb, "check") == 0) {
		pt_engine_rescan(r->e, &err);
		/* inspect shows what the scan decided, each decision with its rule. */
		if (strcmp(verb, "inspect") == 0)
			pt_host_trace_rules(pt_engine_host(r->e), r->trace);
		return;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(table); i++)
		if (strcmp(table[i].name, verb) == 0) {
			table[i].fn(r, a, o);
			return;
		}
}

/* ---- expectations ---- */

static void fail_expf(JsonArray *f, const char *expected, const char *observed, const char *keyfmt,
		      ...) G_GNUC_PRINTF(4, 5);

static void fail_exp(JsonArray *f, const char *key, const char *expected, const char *observed)
{
	JsonObject *o = json_object_new();

	json_object_set_string_member(o, "key", key);
	json_object_set_string_member(o, "expected", expected);
	json_object_set_string_member(o, "observed", observed);
	json_array_add_object_element(f, o);
}

static void fail_expf(JsonArray *f, const char *expected, const char *observed, const char *keyfmt,
		      ...)
{
	g_autofree char *key = NULL;
	va_list ap;

	va_start(ap, keyfmt);
	key = g_strdup_vprintf(keyfmt, ap);
	va_end(ap);
	fail_exp(f, key, expected, observed);
}

static int cmp_strp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A list node or a string array as "a,b,c", sorted. */
static char *join_sorted(char **items)
{
	g_autoptr(GPtrArray) a = g_ptr_array_new();

	for (char **i = items; i && *i; i++)
		g_ptr_array_add(a, *i);
	g_ptr_array_sort(a, cmp_strp);
	g_ptr_array_add(a, NULL);
	return g_strjoinv(",", (char **)a->pdata);
}

static char *node_to_string(struct run *r, struct fy_node *n, bool sort)
{
	if (!n || pth_node_is_null(n))
		return g_strdup("null");
	if (fy_node_is_scalar(n))
		return g_strdup(resolve_name(r, fy_node_get_scalar0(n)));
	if (fy_node_is_sequence(n)) {
		g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func(g_free);
		struct fy_node *item;
		void *it = NULL;

		while ((item = fy_node_sequence_iterate(n, &it)))
			g_ptr_array_add(a, node_to_string(r, item, sort));
		if (sort)
			g_ptr_array_sort(a, cmp_strp);
		g_ptr_array_add(a, NULL);
		return g_strjoinv(",", (char **)a->pdata);
	}
	return g_strdup("{...}");
}

static char *json_to_plain(JsonNode *n)
{
	if (!n || JSON_NODE_HOLDS_NULL(n))
		return g_strdup("null");
	if (JSON_NODE_HOLDS_ARRAY(n)) {
		JsonArray *a = json_node_get_array(n);
		GPtrArray *p = g_ptr_array_new_with_free_func(g_free);
		char *s;

		for (guint i = 0; i < json_array_get_length(a); i++)
			g_ptr_array_add(p, json_to_plain(json_array_get_element(a, i)));
		g_ptr_array_add(p, NULL);
		s = g_strjoinv(",", (char **)p->pdata);
		g_ptr_array_unref(p);
		return s;
	}
	if (json_node_get_value_type(n) == G_TYPE_BOOLEAN)
		return g_strdup(json_node_get_boolean(n) ? "true" : "false");
	if (json_node_get_value_type(n) == G_TYPE_INT64)
		return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(n));
	return g_strdup(json_node_get_string(n));
}

static const char *observed_code(const struct obs *o)
{
	if (o->raw)
		return "none";
	if (!o->has_outcome)
		return "none";
	return o->out.code == PT_CODE_OK ? "none" : pt_code_to_string(o->out.code);
}

static void check_devices(struct run *r, struct fy_node *exp, JsonArray *f)
{
	struct pt_host *host = pt_engine_host(r->e);
	struct fy_node_pair *p;
	void *it = NULL;

	while ((p = fy_node_mapping_iterate(exp, &it))) {
		const char *addr = resolve_name(r, fy_node_get_scalar0(fy_node_pair_key(p)));
		struct fy_node *want = fy_node_pair_value(p);
		const struct pt_dev *d = pt_host_find_dev(host, addr);
		const struct pt_dev_props *pp = d ? pt_dev_props(d) : NULL;
		struct fy_node_pair *q;
		void *jt = NULL;

		if (pth_node_is_null(want)) {
			if (d)
				fail_expf(f, "absent", "present", "devices.%s", addr);
			continue;
		}
		while ((q = fy_node_mapping_iterate(want, &jt))) {
			const char *field = fy_node_get_scalar0(fy_node_pair_key(q));
			g_autofree char *exp_s = node_to_string(r, fy_node_pair_value(q), false);
			g_autofree char *obs_s = NULL;
			g_autofree char *key = g_strdup_printf("devices.%s.%s", addr, field);

			if (!pp)
				obs_s = g_strdup("no such device");
			else if (strcmp(field, "driver") == 0)
				obs_s = g_strdup(pp->driver ? pp->driver : "null");
			else if (strcmp(field, "override") == 0)
				obs_s = g_strdup(pp->override ? pp->override : "null");
			else if (strcmp(field, "group") == 0)
				obs_s = pp->iommu_group >= 0 ?
						g_strdup_printf("%d", pp->iommu_group) :
						g_strdup("null");
			else if (strcmp(field, "numvfs") == 0)
				obs_s = pp->sriov ? g_strdup_printf("%u", pp->sriov->numvfs) :
						    g_strdup("null");
			else if (strcmp(field, "physfn") == 0)
				obs_s = g_strdup(pp->physfn ? pp->physfn : "null");
			else
				obs_s = g_strdup_printf("(unknown field '%s')", field);
			if (strcmp(exp_s, obs_s) != 0)
				fail_exp(f, key, exp_s, obs_s);
		}
	}
}

static void check_groups(struct run *r, struct fy_node *exp, JsonArray *f)
{
	struct pt_host *host = pt_engine_host(r->e);
	struct fy_node_pair *p;
	void *it = NULL;

	while ((p = fy_node_mapping_iterate(exp, &it))) {
		const char *id = fy_node_get_scalar0(fy_node_pair_key(p));
		struct pt_group *g = pt_host_find_group(host, atoi(id));
		struct fy_node *want = fy_node_pair_value(p), *v;
		g_autofree char *key = g_strdup_printf("groups.%s", id);

		if (!g) {
			fail_exp(f, key, "present", "no such group");
			continue;
		}
		if ((v = pth_node_get(want, "viable"))) {
			g_autofree char *exp_s = node_to_string(r, v, false);
			const char *obs_s = pt_group_viable(g) ? "true" : "false";

			if (strcmp(exp_s, obs_s) != 0)
				fail_expf(f, exp_s, obs_s, "%s.viable", key);
		}
		if ((v = pth_node_get(want, "members"))) {
			g_autofree char *exp_s = node_to_string(r, v, true);
			g_autoptr(GPtrArray) m = g_ptr_array_new();
			g_autofree char *obs_s = NULL;

			for (size_t i = 0; i < pt_group_member_count(g); i++)
				g_ptr_array_add(m, (char *)pt_dev_address(pt_group_member(g, i)));
			g_ptr_array_add(m, NULL);
			obs_s = join_sorted((char **)m->pdata);
			if (strcmp(exp_s, obs_s) != 0)
				fail_expf(f, exp_s, obs_s, "%s.members", key);
		}
	}
}

static char *vfio_nodes(struct run *r)
{
	g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
	char **names = NULL;
	size_t n = 0;

	if (pt_backend_list(r->be, PT_NS_DEV, "vfio", &names, &n) >= 0)
		for (size_t i = 0; i < n; i++)
			if (g_ascii_isdigit(names[i][0]))
				g_ptr_array_add(ids, g_strdup(names[i]));
	pt_strv_free(names);
	g_ptr_array_sort(ids, cmp_strp);
	g_ptr_array_add(ids, NULL);
	return g_strjoinv(",", (char **)ids->pdata);
}

/* Rules fired in a slice of the trace, plus the outcome's own. */
/*
 * On a real kernel (lab, live) the kernel's rules are not named by anyone: the model names
 * them on fake, the kernel only behaves. There a kernel rule is judged by the step's results
 * (ok, errno, end state), not by firing; a scenario that passes there with its results has
 * the real kernel agree with the rules it declares.
 */
static bool rule_needs_firing(unsigned target, const char *id)
{
	const struct pt_rule *rule = pt_rule_find(id);

	return target == PTH_TARGET_FAKE || !rule || rule->kind != PT_RULE_KERNEL;
}

static bool fired_in(struct run *r, const struct obs *o, const char *rule)
{
	if (o->has_outcome && o->out.rule && strcmp(o->out.rule, rule) == 0)
		return true;
	for (size_t i = o->trace_from; i < pt_trace_count(r->trace); i++) {
		const struct pt_event *e = pt_trace_event(r->trace, i);

		if (e->rule && strcmp(e->rule, rule) == 0)
			return true;
	}
	return false;
}

/* One expected trace item: "KIND PATH" or {KIND: PATH, value:, errno:}. */
static bool trace_item_matches(struct fy_node *item, const struct pt_event *e)
{
	const char *kind = NULL, *what = NULL, *value = NULL, *err = NULL;
	g_autofree char *copy = NULL;

	if (fy_node_is_scalar(item)) {
		char *sp;

		copy = g_strdup(fy_node_get_scalar0(item));
		sp = strchr(copy, ' ');
		if (sp)
			*sp++ = '\0';
		kind = copy;
		what = sp;
	} else {
		struct fy_node_pair *p;
		void *it = NULL;

		while ((p = fy_node_mapping_iterate(item, &it))) {
			const char *k = fy_node_get_scalar0(fy_node_pair_key(p));
			const char *v = fy_node_get_scalar0(fy_node_pair_value(p));

			if (strcmp(k, "value") == 0)
				value = v;
			else if (strcmp(k, "errno") == 0)
				err = v;
			else
				kind = k, what = v;
		}
	}
	if (!kind || strcmp(kind, pt_event_kind_to_string(e->kind)) != 0)
		return false;
	if (what && e->kind == PT_EVENT_RULE ? !(e->rule && strcmp(e->rule, what) == 0) :
					       what && !(e->path && strcmp(e->path, what) == 0))
		return false;
	if (value && !(e->value && strcmp(e->value, value) == 0))
		return false;
	if (err && !(e->result < 0 && strcmp(pth_errno_name(e->result), err) == 0))
		return false;
	return true;
}

static void check_trace(struct run *r, const struct obs *o, struct fy_node *exp, JsonArray *f)
{
	size_t at = o->trace_from;
	struct fy_node *item;
	void *it = NULL;

	while ((item = fy_node_sequence_iterate(exp, &it))) {
		bool found = false;

		for (; at < pt_trace_count(r->trace) && !found; at++)
			found = trace_item_matches(item, pt_trace_event(r->trace, at));
		if (!found) {
			g_autofree char *want = node_to_string(r, item, false);

			fail_exp(f, "trace", fy_node_is_scalar(item) ? want : "(a mapping item)",
				 "not found in order in this step's trace");
			return;
		}
	}
}

static void check_expect(struct run *r, const struct obs *o, struct fy_node *exp, JsonArray *f)
{
	struct fy_node *v;
	const char *s;

	if ((s = pth_node_str(exp, "ok"))) {
		bool ok = o->raw ? o->write_result >= 0 :
				   !o->has_outcome || o->out.code == PT_CODE_OK;

		if ((strcmp(s, "true") == 0) != ok)
			fail_exp(f, "ok", s, ok ? "true" : "false");
	}
	if ((s = pth_node_str(exp, "error")) && strcmp(s, observed_code(o)) != 0) {
		g_autofree char *obs_s =
			g_strdup_printf("%s%s%s", observed_code(o), o->out.message ? ": " : "",
					o->out.message ? o->out.message : "");

		fail_exp(f, "error", s, obs_s);
	}
	if ((s = pth_node_str(exp, "errno"))) {
		int err = o->raw ? o->write_result : o->out.err;
		const char *obs_s = err < 0 ? pth_errno_name(err) : "none";

		if (strcmp(s, obs_s) != 0)
			fail_exp(f, "errno", s, obs_s);
	}
	if ((v = pth_node_get(exp, "value"))) {
		g_autofree char *exp_s = g_strcompress(fy_node_get_scalar0(v));
		const char *obs_s = o->value ? o->value : "(no value)";

		if (strcmp(exp_s, obs_s) != 0)
			fail_exp(f, "value", exp_s, obs_s);
	}
	if ((v = pth_node_get(exp, "blockers"))) {
		g_autofree char *exp_s = node_to_string(r, v, true);
		g_autofree char *obs_s = join_sorted(o->out.blockers);

		if (strcmp(exp_s, obs_s) != 0)
			fail_exp(f, "blockers", exp_s, obs_s);
	}
	if ((v = pth_node_get(exp, "result"))) {
		struct fy_node_pair *p;
		void *it = NULL;

		while ((p = fy_node_mapping_iterate(v, &it))) {
			const char *k = fy_node_get_scalar0(fy_node_pair_key(p));
			g_autofree char *exp_s = node_to_string(r, fy_node_pair_value(p), false);
			g_autofree char *obs_s =
				o->result && json_object_has_member(o->result, k) ?
					json_to_plain(json_object_get_member(o->result, k)) :
					g_strdup("(none)");
			g_autofree char *key = g_strdup_printf("result.%s", k);

			if (strcmp(exp_s, obs_s) != 0)
				fail_exp(f, key, exp_s, obs_s);
		}
	}
	if ((v = pth_node_get(exp, "devices")))
		check_devices(r, v, f);
	if ((v = pth_node_get(exp, "groups")))
		check_groups(r, v, f);
	if ((v = pth_node_get(exp, "vfio_nodes"))) {
		g_autofree char *exp_s = node_to_string(r, v, true);
		g_autofree char *obs_s = vfio_nodes(r);

		if (strcmp(exp_s, obs_s) != 0)
			fail_exp(f, "vfio_nodes", exp_s, obs_s);
	}
	if ((v = pth_node_get(exp, "rules"))) {
		struct fy_node *item;
		void *it = NULL;

		while ((item = fy_node_sequence_iterate(v, &it)))
			if (rule_needs_firing(r->target, fy_node_get_scalar0(item)) &&
			    !fired_in(r, o, fy_node_get_scalar0(item)))
				fail_exp(f, "rules", fy_node_get_scalar0(item),
					 "did not fire in this step");
	}
	if ((v = pth_node_get(exp, "trace")))
		check_trace(r, o, v, f);
}

/* ---- one scenario ---- */

static void obs_clear(struct obs *o)
{
	pt_outcome_clear(&o->out);
	g_free(o->value);
	if (o->result)
		json_object_unref(o->result);
	*o = (struct obs){ 0 };
}

static char *step_args(struct fy_node *a)
{
	g_autoptr(GString) s = g_string_new(NULL);
	struct fy_node_pair *p;
	void *it = NULL;

	while (a && fy_node_is_mapping(a) && (p = fy_node_mapping_iterate(a, &it))) {
		struct fy_node *v = fy_node_pair_value(p);
		g_autofree char *vs = NULL;

		if (fy_node_is_sequence(v)) {
			GPtrArray *items = g_ptr_array_new();
			struct fy_node *item;
			void *jt = NULL;

			while ((item = fy_node_sequence_iterate(v, &jt)))
				g_ptr_array_add(items, (char *)fy_node_get_scalar0(item));
			g_ptr_array_add(items, NULL);
			vs = g_strjoinv(",", (char **)items->pdata);
			g_ptr_array_unref(items);
		} else {
			vs = g_strdup(fy_node_is_scalar(v) ? fy_node_get_scalar0(v) : "{...}");
		}
		g_string_append_printf(s, "%s%s=%s", s->len ? " " : "",
				       fy_node_get_scalar0(fy_node_pair_key(p)), vs);
	}
	return g_strdup(s->str);
}

static void outcome_json(JsonBuilder *b, const struct obs *o)
{
	json_builder_set_member_name(b, "outcome");
	if (!o->has_outcome && !o->raw) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "ok");
	json_builder_add_boolean_value(b,
				       o->raw ? o->write_result >= 0 : o->out.code == PT_CODE_OK);
	json_builder_set_member_name(b, "error");
	if (o->raw || o->out.code == PT_CODE_OK)
		json_builder_add_null_value(b);
	else
		json_builder_add_string_value(b, pt_code_to_string(o->out.code));
	json_builder_set_member_name(b, "errno");
	{
		int err = o->raw ? o->write_result : o->out.err;

		if (err < 0)
			json_builder_add_string_value(b, pth_errno_name(err));
		else
			json_builder_add_null_value(b);
	}
	json_builder_set_member_name(b, "rule");
	if (o->out.rule)
		json_builder_add_string_value(b, o->out.rule);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "message");
	json_builder_add_string_value(b, o->raw		? (o->value ? o->value : "") :
					 o->out.message ? o->out.message :
							  "");
	json_builder_set_member_name(b, "blockers");
	json_builder_begin_array(b);
	for (char **x = o->out.blockers; x && *x; x++)
		json_builder_add_string_value(b, *x);
	json_builder_end_array(b);
	json_builder_end_object(b);
}

/* Addresses the host has, or will have once a PF enables its VFs (offset and stride). */
static GHashTable *known_addresses(struct pt_host *host)
{
	GHashTable *known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (size_t i = 0; i < pt_host_dev_count(host); i++) {
		const struct pt_dev_props *p = pt_dev_props(pt_host_dev(host, i));

		g_hash_table_add(known, g_strdup(p->address));
		for (unsigned v = 0; p->sriov && v < p->sriov->totalvfs; v++) {
			unsigned rid = (p->bus << 8) + (p->slot << 3) + p->function +
				       p->sriov->offset + p->sriov->stride * v;

			g_hash_table_add(known, g_strdup_printf("%04x:%02x:%02x.%x", p->domain,
								rid >> 8 & 0xff, rid >> 3 & 0x1f,
								rid & 7));
		}
	}
	return known;
}

static gboolean check_address(struct run *r, GHashTable *known, struct fy_node *n, GError **error)
{
	const char *a = n && fy_node_is_scalar(n) ? fy_node_get_scalar0(n) : NULL;
	unsigned d, b, sl, f;
	char tail;

	if (!a || a[0] == '$' || sscanf(a, "%4x:%2x:%2x.%1x%c", &d, &b, &sl, &f, &tail) != 4 ||
	    g_hash_table_contains(known, a))
		return TRUE;
	{
		g_autofree char *where = pth_node_where(r->sc, n);

		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s: unknown device address %s (not in %s)", where, a,
			    r->sc->recording);
	}
	return FALSE;
}

/* Every address a step names must be one the host has (or a VF it can create). */
static int check_addresses(struct run *r, GError **error)
{
	static const char *const scalar_keys[] = { "device", "pf", "same_address" };
	static const char *const list_keys[] = { "devices", "failover" };
	g_autoptr(GHashTable) known = known_addresses(pt_engine_host(r->e));
	struct fy_node *step, *item;
	void *it = NULL;

	while ((step = fy_node_sequence_iterate(r->sc->steps, &it))) {
		struct fy_node *args = NULL, *exp = pth_node_get(step, "expect"), *n;
		struct fy_node_pair *p;
		void *jt = NULL;

		pth_step_verb(step, &args);
		for (size_t k = 0; k < G_N_ELEMENTS(scalar_keys); k++)
			if (!check_address(r, known, pth_node_get(args, scalar_keys[k]), error))
				return -EINVAL;
		for (size_t k = 0; k < G_N_ELEMENTS(list_keys); k++) {
			jt = NULL;
			n = pth_node_get(args, list_keys[k]);
			while (n && (item = fy_node_sequence_iterate(n, &jt)))
				if (!check_address(r, known, item, error))
					return -EINVAL;
		}
		jt = NULL;
		n = pth_node_get(exp, "blockers");
		while (n && (item = fy_node_sequence_iterate(n, &jt)))
			if (!check_address(r, known, item, error))
				return -EINVAL;
		jt = NULL;
		n = pth_node_get(exp, "devices");
		while (n && (p = fy_node_mapping_iterate(n, &jt)))
			if (!check_address(r, known, fy_node_pair_key(p), error))
				return -EINVAL;
	}
	return 0;
}

static int setup(struct run *r, GError **error)
{
	struct pt_host_options hopts = { .kernel = r->sc->kernel };
	struct pt_error err = { 0 };
	int rc;

	if (r->target != PTH_TARGET_FAKE) {
		/* live, or lab: this machine is the lab's guest */
		rc = pt_backend_sysfs_new("/", &r->be);
	} else {
		rc = cached_copy(r->cache, r->sc->recording, r->sc->kernel, &r->fake, &err);
		if (rc >= 0)
			r->be = fks_host_backend(r->fake);
	}
	if (rc < 0) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s%s%s", r->sc->recording,
			    err.path, err.path[0] ? ": " : "",
			    err.reason[0] ? err.reason : g_strerror(-rc));
		return rc;
	}
	if (r->fake && (apply_set(r, error) < 0 || add_faults(r, error) < 0))
		return -EINVAL;
	if (r->fake && r->fault && fks_host_add_fault(r->fake, r->fault) < 0) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "fault refused");
		return -EINVAL;
	}
	if (pt_trace_new(&r->trace) < 0)
		return -ENOMEM;
	rc = pt_engine_new(r->be, &hopts, r->trace, &r->e, &err);
	if (rc < 0) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s: %s", r->sc->recording,
			    err.path, err.reason);
		return rc;
	}
	if (r->fake && check_addresses(r, error) < 0)
		return -EINVAL;
	return add_vms(r, error);
}

static void teardown(struct run *r)
{
	pt_engine_free(r->e);
	pt_backend_free(r->be);
	fks_host_free(r->fake);
	pt_trace_free(r->trace);
	r->e = NULL;
	r->be = NULL;
	r->fake = NULL;
	r->trace = NULL;
}

static char *export_state(struct run *r)
{
	char *text = NULL;

	if (!r->fake || fks_host_export_recording(r->fake, &text) < 0)
		return g_strdup("");
	return text;
}

/* Baseline of the fault matrix: the writes this step made, as fault points. */
static void collect_points(struct run *r, unsigned step, size_t from, GHashTable *seen)
{
	for (size_t i = from; i < pt_trace_count(r->trace); i++) {
		const struct pt_event *e = pt_trace_event(r->trace, i);
		struct point *p;
		unsigned nth;

		if (e->kind != PT_EVENT_WRITE || !e->path)
			continue;
		nth = GPOINTER_TO_UINT(g_hash_table_lookup(seen, e->path)) + 1;
		g_hash_table_insert(seen, g_strdup(e->path), GUINT_TO_POINTER(nth));
		p = g_new0(struct point, 1);
		p->step = step;
		g_strlcpy(p->path, e->path, sizeof(p->path));
		p->fault = (struct fks_fault){
			.kind = FKS_FAULT_WRITE, .error = EIO, .nth = nth, .count = 1
		};
		g_ptr_array_add(r->points, p);
	}
}

/*
 * A certify step that failed is a failure of its step (its reason is the check's); otherwise
 * the first failed expectation is the scenario's reason: "step 2 (reset): result.method:
 * expected flr, observed bus".
 */
static void note_failure(struct run *r, unsigned index, const char *verb, JsonArray *f)
{
	JsonObject *x;

	if (strcmp(verb, "certify") == 0 && r->status == PTH_CERT_FAIL) {
		if (!json_array_get_length(f))
			fail_exp(f, "certify", "pass or skip", r->reason ? r->reason : "fail");
		return;
	}
	if (!json_array_get_length(f) || r->status == PTH_CERT_FAIL)
		return;
	x = json_array_get_object_element(f, 0);
	g_free(r->reason);
	r->reason = g_strdup_printf("step %u (%s): %s: expected %s, observed %s", index, verb,
				    json_object_get_string_member(x, "key"),
				    json_object_get_string_member(x, "expected"),
				    json_object_get_string_member(x, "observed"));
	r->status = PTH_CERT_FAIL;
}

/* Run the scenario's steps; their results go into b as an array. Returns "pass" or "fail". */
static const char *run_steps(struct run *r, JsonBuilder *b)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	struct fy_node *step;
	unsigned index = 0;
	bool failed = false;
	void *it = NULL;

	json_builder_begin_array(b);
	while ((step = fy_node_sequence_iterate(r->sc->steps, &it))) {
		struct fy_node *args = NULL;
		const char *verb = pth_step_verb(step, &args);
		JsonArray *f = json_array_new();
		g_autofree char *argstr = step_args(args);
		g_autofree char *before = NULL;
		struct obs o = { 0 };

		index++;
		if (r->hooks && r->hooks->interrupted) {
			int sig = r->hooks->interrupted(r->hooks->data, index);

			if (sig) {
				g_free(r->reason);
				r->reason = g_strdup_printf(
					"interrupted by SIG%s before step %u (%s)",
					sigabbrev_np(sig) ?: "a signal", index, verb);
				r->status = PTH_CERT_FAIL;
				break;
			}
		}
		if (r->fake)
			fks_host_set_step(r->fake, index);
		if (r->fault && index == r->fault_step)
			before = export_state(r);
		o.trace_from = pt_trace_count(r->trace);
		run_verb(r, verb, args, &o);
		if (o.has_outcome && o.out.rule)
			g_hash_table_add(r->fired, g_strdup(o.out.rule));
		for (size_t i = o.trace_from; i < pt_trace_count(r->trace); i++)
			if (pt_trace_event(r->trace, i)->rule)
				g_hash_table_add(r->fired,
						 g_strdup(pt_trace_event(r->trace, i)->rule));
		if (pth_node_get(step, "expect"))
			check_expect(r, &o, pth_node_get(step, "expect"), f);
		note_failure(r, index, verb, f);
		if (r->points) {
			collect_points(r, index, o.trace_from, seen);
			g_ptr_array_add(r->after, export_state(r));
		}

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "index");
		json_builder_add_int_value(b, index);
		json_builder_set_member_name(b, "verb");
		json_builder_add_string_value(b, verb);
		json_builder_set_member_name(b, "args");
		json_builder_add_string_value(b, argstr);
		json_builder_set_member_name(b, "status");
		json_builder_add_string_value(b, json_array_get_length(f) ? "fail" : "pass");
		outcome_json(b, &o);
		json_builder_set_member_name(b, "failures");
		json_builder_add_value(b, json_node_init_array(json_node_alloc(), f));
		json_builder_end_object(b);
		failed |= json_array_get_length(f) > 0;
		json_array_unref(f);

		if (r->fault && index == r->fault_step) {
			g_autofree char *now = export_state(r);
			bool ok = o.raw ? o.write_result >= 0 : o.out.code == PT_CODE_OK;
			const char *after =
				index - 1 < r->after->len ? r->after->pdata[index - 1] : "";

			/* The promise: fail with a code and leave the host as it was, or name what
			 * is left; or absorb the fault and end as the fault-free run did. */
			r->held = (!ok && (strcmp(now, before) == 0 || o.out.unrestored)) ||
				  (ok && strcmp(now, after) == 0);
			if (!r->held)
				r->broken = g_strdup_printf(
					"step %u (%s): %s failing with EIO: %s", index, verb,
					r->fault->path,
					ok ? "the step succeeded but the host differs "
					     "from the fault-free run" :
					     "the host was left changed and the "
					     "outcome does not say so");
			obs_clear(&o);
			break;
		}
		obs_clear(&o);
		/* A check's skip or failure ends it; a certification run stops at any failure. */
		if (r->status == PTH_CERT_SKIP || (r->status == PTH_CERT_FAIL && r->stop_on_fail))
			break;
		if (r->status == PTH_CERT_FAIL && strcmp(verb, "certify") == 0)
			break;
	}
	json_builder_end_array(b);
	return failed ? "fail" : "pass";
}

/* ---- one scenario as a certification check ---- */

/* Give back what the check's steps left on a stub driver, and release its VMs. */
static void check_cleanup(struct run *r)
{
	GHashTableIter it;
	gpointer v;

	for (size_t i = 0; i < pt_engine_vm_count(r->e); i++) {
		struct pt_outcome o = { 0 };

		pt_vm_release(r->e, pt_engine_vm(r->e, i), &o);
		pt_outcome_clear(&o);
	}
	g_hash_table_iter_init(&it, r->detached);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct pt_outcome o = { 0 };

		pt_reattach(r->e, v, &o);
		pt_outcome_clear(&o);
	}
}

enum pth_cert_status pth_run_check(struct pth_scenario *sc, struct pt_engine *e,
				   struct pt_backend *be, struct fks_host *fake,
				   struct pt_trace *trace, const char *dut,
				   const struct pth_step_hooks *hooks, char **ret_reason)
{
	struct run r = { .sc = sc,
			 .target = fake ? PTH_TARGET_FAKE : PTH_TARGET_LIVE,
			 .fake = fake,
			 .be = be,
			 .trace = trace,
			 .e = e,
			 .dut = dut,
			 .hooks = hooks,
			 .stop_on_fail = true };
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GError) error = NULL;
	JsonNode *steps;

	r.resolved = g_ptr_array_new_with_free_func(g_free);
	r.names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	r.detached = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, detached_free);
	r.fired = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (add_vms(&r, &error) < 0) {
		r.status = PTH_CERT_FAIL;
		r.reason = g_strdup(error->message);
	} else {
		run_steps(&r, b);
		steps = json_builder_get_root(b);
		if (r.status == PTH_CERT_PASS && !r.reason)
			r.reason =
				g_strdup_printf("%u step(s) as expected",
						json_array_get_length(json_node_get_array(steps)));
		json_node_unref(steps);
		for (char **rl = sc->rules; r.status == PTH_CERT_PASS && rl && *rl; rl++)
			if (!g_hash_table_contains(r.fired, *rl) &&
			    rule_needs_firing(r.target, *rl)) {
				g_free(r.reason);
				r.reason = g_strdup_printf("rule %s never fired", *rl);
				r.status = PTH_CERT_FAIL;
			}
	}
	check_cleanup(&r);
	g_ptr_array_unref(r.resolved);
	g_hash_table_unref(r.names);
	g_hash_table_unref(r.detached);
	g_hash_table_unref(r.fired);
	*ret_reason = r.reason;
	return r.status;
}

/* ---- the run ---- */

struct job {
	const char *file;
	const struct pth_run_options *opts;
	struct cache *cache;
	char *id;
	struct pth_scenario *sc;
	char *load_error;
	JsonNode *node; /* the scenario's result object */
	GHashTable *fired; /* rule IDs */
	GPtrArray *held_by; /* "GROUP\tVM" at the end of the scenario */
	const char *status;
};

static void run_faults(struct job *j, struct run *base, unsigned *tried, unsigned *held,
		       GPtrArray *broken)
{
	for (guint i = 0; i < base->points->len; i++) {
		struct point *p = base->points->pdata[i];
		struct run r = { .sc = j->sc, .cache = j->cache, .target = base->target };
		g_autoptr(JsonBuilder) b = json_builder_new();
		g_autoptr(GError) error = NULL;

		r.names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
		r.detached = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, detached_free);
		r.fired = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		r.dut = base->dut;
		r.hooks = base->hooks;
		r.resolved = g_ptr_array_new_with_free_func(g_free);
		r.fault = &p->fault;
		r.fault->path = p->path;
		r.fault_step = p->step;
		r.after = base->after;
		(*tried)++;
		if (setup(&r, &error) >= 0) {
			run_steps(&r, b);
			if (r.held)
				(*held)++;
			else
				g_ptr_array_add(broken, r.broken ?
								g_strdup(r.broken) :
								g_strdup_printf("step %u: %s",
										p->step, p->path));
		} else {
			g_ptr_array_add(broken, g_strdup(error->message));
		}
		teardown(&r);
		g_free(r.broken);
		g_free(r.reason);
		g_ptr_array_unref(r.resolved);
		g_hash_table_unref(r.names);
		g_hash_table_unref(r.detached);
		g_hash_table_unref(r.fired);
	}
}

static void note_vms(struct job *j, struct run *r)
{
	for (size_t i = 0; i < pt_engine_vm_count(r->e); i++) {
		const struct pt_vm *vm = pt_engine_vm(r->e, i);

		for (size_t k = 0; k < pt_vm_device_count(vm); k++) {
			const struct pt_dev *d =
				pt_host_find_dev(pt_engine_host(r->e), pt_vm_device(vm, k));

			if (d && pt_dev_props(d)->iommu_group >= 0)
				g_ptr_array_add(j->held_by,
						g_strdup_printf("%d\t%s (%s)",
								pt_dev_props(d)->iommu_group,
								pt_vm_name(vm), j->id));
		}
	}
}

static void build_result(struct job *j, JsonNode *steps, const char *status, const char *message,
			 gint64 ms, unsigned tried, unsigned held, GPtrArray *broken)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GPtrArray) fired = g_ptr_array_new();
	GHashTableIter it;
	gpointer key;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_string_value(b, j->id);
	json_builder_set_member_name(b, "file");
	json_builder_add_string_value(b, j->file);
	json_builder_set_member_name(b, "title");
	json_builder_add_string_value(b, j->sc ? j->sc->title : "");
	json_builder_set_member_name(b, "category");
	json_builder_add_string_value(b, j->sc ? j->sc->category : "");
	json_builder_set_member_name(b, "target");
	json_builder_add_string_value(b, pth_target_to_string(j->opts->target));
	json_builder_set_member_name(b, "host");
	json_builder_add_string_value(b, j->sc ? j->sc->host_name : "");
	json_builder_set_member_name(b, "status");
	json_builder_add_string_value(b, status);
	json_builder_set_member_name(b, "duration_ms");
	json_builder_add_int_value(b, ms);
	json_builder_set_member_name(b, "message");
	if (message)
		json_builder_add_string_value(b, message);
	else
		json_builder_add_null_value(b);
	if (j->fired) {
		g_hash_table_iter_init(&it, j->fired);
		while (g_hash_table_iter_next(&it, &key, NULL))
			g_ptr_array_add(fired, key);
	}
	g_ptr_array_sort(fired, cmp_strp);
	json_builder_set_member_name(b, "rules_fired");
	json_builder_begin_array(b);
	for (guint i = 0; i < fired->len; i++)
		json_builder_add_string_value(b, fired->pdata[i]);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "rules_missing");
	json_builder_begin_array(b);
	for (char **rl = j->sc ? j->sc->rules : NULL; rl && *rl; rl++)
		if ((!j->fired || !g_hash_table_contains(j->fired, *rl)) &&
		    rule_needs_firing(j->opts->target, *rl))
			json_builder_add_string_value(b, *rl);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "fault_points");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "tried");
	json_builder_add_int_value(b, tried);
	json_builder_set_member_name(b, "held");
	json_builder_add_int_value(b, held);
	json_builder_set_member_name(b, "broken");
	json_builder_begin_array(b);
	for (guint i = 0; broken && i < broken->len; i++)
		json_builder_add_string_value(b, broken->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "steps");
	if (steps)
		json_builder_add_value(b, steps);
	else {
		json_builder_begin_array(b);
		json_builder_end_array(b);
	}
	json_builder_end_object(b);
	j->node = json_builder_get_root(b);
	j->status = status;
}

/* The first scalar of the steps that names $DUT, or the first certify verb; NULL if none. */
static struct fy_node *uses_dut(struct fy_node *n)
{
	struct fy_node *found = NULL, *item;
	struct fy_node_pair *p;
	void *it = NULL;

	if (!n)
		return NULL;
	if (fy_node_is_scalar(n))
		return strstr(fy_node_get_scalar0(n) ?: "", "$DUT") ? n : NULL;
	if (fy_node_is_sequence(n)) {
		while (!found && (item = fy_node_sequence_iterate(n, &it)))
			found = uses_dut(item);
		return found;
	}
	while (!found && (p = fy_node_mapping_iterate(n, &it))) {
		const char *k = fy_node_get_scalar0(fy_node_pair_key(p));

		/* the certify verb checks the device under test too */
		if (k && strcmp(k, "certify") == 0)
			return fy_node_pair_key(p);
		found = uses_dut(fy_node_pair_key(p)) ?: uses_dut(fy_node_pair_value(p));
	}
	return found;
}

static void run_job(gpointer data, gpointer user)
{
	struct job *j = data;
	struct run r = { .sc = j->sc, .cache = j->cache, .target = j->opts->target };
	g_autoptr(JsonBuilder) sb = json_builder_new();
	g_autoptr(GPtrArray) broken = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) error = NULL;
	gint64 start = g_get_monotonic_time();
	unsigned tried = 0, held = 0;
	const char *status;
	bool missing = false;

	(void)user;
	if (j->load_error) {
		build_result(j, NULL, "error", j->load_error, 0, 0, 0, NULL);
		return;
	}
	if (!(j->sc->targets & j->opts->target)) {
		g_autofree char *m = g_strdup_printf("not declared for the %s target",
						     pth_target_to_string(j->opts->target));

		build_result(j, NULL, "skip", m, 0, 0, 0, NULL);
		return;
	}
	if (j->opts->target != PTH_TARGET_FAKE && (j->sc->faults || j->sc->set)) {
		build_result(j, NULL, "skip", "faults and host.set need the fake target", 0, 0, 0,
			     NULL);
		return;
	}
	r.dut = j->opts->dut;
	r.hooks = j->opts->hooks;
	r.resolved = g_ptr_array_new_with_free_func(g_free);
	r.names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	r.detached = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, detached_free);
	r.fired = j->fired;
	if (j->opts->faults_all && j->opts->target == PTH_TARGET_FAKE) {
		r.points = g_ptr_array_new_with_free_func(g_free);
		r.after = g_ptr_array_new_with_free_func(g_free);
	}
	if (setup(&r, &error) < 0) {
		teardown(&r);
		build_result(j, NULL, "error", error->message, 0, 0, 0, NULL);
		goto out;
	}
	status = run_steps(&r, sb);
	note_vms(j, &r);
	teardown(&r);
	for (char **rl = j->sc->rules; rl && *rl; rl++)
		missing |= !g_hash_table_contains(j->fired, *rl) &&
			   rule_needs_firing(j->opts->target, *rl);
	if (r.points)
		run_faults(j, &r, &tried, &held, broken);
	if (missing || broken->len)
		status = "fail";
	else if (r.status == PTH_CERT_SKIP && strcmp(status, "pass") == 0)
		status = "skip"; /* a certify check skipped, with its reason */
	build_result(j, json_builder_get_root(sb), status,
		     missing	 ? "a rule the scenario names never fired" :
		     broken->len ? "a fault point left the host changed" :
		     r.reason && strcmp(status, "pass") != 0 ? r.reason :
							       NULL,
		     (g_get_monotonic_time() - start) / 1000, tried, held, broken);
out:
	g_free(r.reason);
	g_ptr_array_unref(r.resolved);
	g_hash_table_unref(r.names);
	g_hash_table_unref(r.detached);
	if (r.points)
		g_ptr_array_unref(r.points);
	if (r.after)
		g_ptr_array_unref(r.after);
}

static void add_hex(JsonBuilder *b, const char *key, unsigned v, int width)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%0*x", width, v);
	json_builder_set_member_name(b, key);
	json_builder_add_string_value(b, buf);
}

/* The recorded hosts the scenarios ran on, as the reports draw them. */
static void add_hosts(JsonBuilder *b, struct cache *c, GPtrArray *jobs)
{
	g_autoptr(GHashTable) done = g_hash_table_new(g_str_hash, g_str_equal);

	json_builder_set_member_name(b, "hosts");
	json_builder_begin_array(b);
	for (guint i = 0; i < jobs->len; i++) {
		struct job *j = jobs->pdata[i];
		struct pt_host_options ho = { .kernel = j->sc ? j->sc->kernel : NULL,
					      .names = true };
		struct fks_host *h = NULL;
		struct pt_backend *be;
		struct pt_host *host = NULL;
		struct pt_error err = { 0 };

		if (!j->sc || !j->sc->recording || g_hash_table_contains(done, j->sc->host_name) ||
		    cached_copy(c, j->sc->recording, j->sc->kernel, &h, &err) < 0)
			continue;
		g_hash_table_add(done, j->sc->host_name);
		be = fks_host_backend(h);
		if (pt_host_new(be, &ho, &host, &err) >= 0) {
			const struct pt_kver *kv = pt_host_kernel(host);

			json_builder_begin_object(b);
			json_builder_set_member_name(b, "name");
			json_builder_add_string_value(b, j->sc->host_name);
			json_builder_set_member_name(b, "source");
			json_builder_add_string_value(b, j->sc->recording);
			{
				char kbuf[32];

				snprintf(kbuf, sizeof(kbuf), "%u.%u", kv->major, kv->minor);
				json_builder_set_member_name(b, "kernel");
				json_builder_add_string_value(b, kbuf);
			}
			json_builder_set_member_name(b, "devices");
			json_builder_begin_array(b);
			for (size_t d = 0; d < pt_host_dev_count(host); d++) {
				const struct pt_dev_props *p = pt_dev_props(pt_host_dev(host, d));

				json_builder_begin_object(b);
				json_builder_set_member_name(b, "address");
				json_builder_add_string_value(b, p->address);
				add_hex(b, "vendor", p->vendor, 4);
				add_hex(b, "device", p->device, 4);
				add_hex(b, "class", p->class, 6);
				json_builder_set_member_name(b, "name");
				json_builder_add_string_value(b,
							      p->device_name ? p->device_name : "");
				json_builder_set_member_name(b, "driver");
				if (p->driver)
					json_builder_add_string_value(b, p->driver);
				else
					json_builder_add_null_value(b);
				json_builder_set_member_name(b, "iommu_group");
				if (p->iommu_group >= 0)
					json_builder_add_int_value(b, p->iommu_group);
				else
					json_builder_add_null_value(b);
				json_builder_set_member_name(b, "parent");
				if (p->parent)
					json_builder_add_string_value(b, p->parent);
				else
					json_builder_add_null_value(b);
				json_builder_set_member_name(b, "physfn");
				if (p->physfn)
					json_builder_add_string_value(b, p->physfn);
				else
					json_builder_add_null_value(b);
				json_builder_end_object(b);
			}
			json_builder_end_array(b);
			json_builder_set_member_name(b, "groups");
			json_builder_begin_array(b);
			for (size_t g = 0; g < pt_host_group_count(host); g++) {
				const struct pt_group *grp = pt_host_group(host, g);
				g_autofree char *prefix = g_strdup_printf("%d\t", pt_group_id(grp));
				const char *vm = NULL;

				/* Scenarios may leave the group with different VMs: the smallest
				 * name, as report merge does, so that shards merge to this. */
				for (guint k = 0; k < jobs->len; k++) {
					struct job *o = jobs->pdata[k];

					if (!o->sc ||
					    strcmp(o->sc->host_name, j->sc->host_name) != 0)
						continue;
					for (guint m = 0; o->held_by && m < o->held_by->len; m++) {
						const char *held = o->held_by->pdata[m];

						if (g_str_has_prefix(held, prefix) &&
						    (!vm || strcmp(held + strlen(prefix), vm) < 0))
							vm = held + strlen(prefix);
					}
				}
				json_builder_begin_object(b);
				json_builder_set_member_name(b, "id");
				json_builder_add_int_value(b, pt_group_id(grp));
				json_builder_set_member_name(b, "devices");
				json_builder_begin_array(b);
				for (size_t m = 0; m < pt_group_member_count(grp); m++)
					json_builder_add_string_value(
						b, pt_dev_address(pt_group_member(grp, m)));
				json_builder_end_array(b);
				json_builder_set_member_name(b, "viable");
				json_builder_add_boolean_value(b, pt_group_viable(grp));
				json_builder_set_member_name(b, "blockers");
				json_builder_begin_array(b);
				for (size_t m = 0; m < pt_group_blocker_count(grp); m++)
					json_builder_add_string_value(
						b, pt_dev_address(pt_group_blocker(grp, m)->dev));
				json_builder_end_array(b);
				json_builder_set_member_name(b, "vm");
				if (vm)
					json_builder_add_string_value(b, vm);
				else
					json_builder_add_null_value(b);
				json_builder_end_object(b);
			}
			json_builder_end_array(b);
			json_builder_end_object(b);
			pt_host_free(host);
		}
		pt_backend_free(be);
		fks_host_free(h);
	}
	json_builder_end_array(b);
}

/* Whether scenario j exercised rule: it fired, or (on a real kernel, where kernel rules are
 * not named) the scenario declares it. */
static bool exercised_by(const struct job *j, const struct pt_rule *rule)
{
	if (j->fired && g_hash_table_contains(j->fired, rule->id))
		return true;
	if (!j->sc || rule_needs_firing(j->opts->target, rule->id))
		return false;
	for (char **rl = j->sc->rules; rl && *rl; rl++)
		if (strcmp(*rl, rule->id) == 0)
			return true;
	return false;
}

static void add_rules(JsonBuilder *b, GPtrArray *jobs, unsigned target)
{
	json_builder_set_member_name(b, "rules");
	json_builder_begin_array(b);
	for (size_t i = 0; i < pt_rule_count(); i++) {
		const struct pt_rule *rule = pt_rule_at(i);

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_string_value(b, rule->id);
		json_builder_set_member_name(b, "kind");
		json_builder_add_string_value(b, pt_rule_kind_to_string(rule->kind));
		json_builder_set_member_name(b, "statement");
		json_builder_add_string_value(b, rule->statement);
		json_builder_set_member_name(b, "source");
		json_builder_add_string_value(b, rule->source);
		json_builder_set_member_name(b, "exercised");
		json_builder_begin_object(b);
		for (unsigned t = PTH_TARGET_FAKE; t <= PTH_TARGET_LIVE; t <<= 1) {
			json_builder_set_member_name(b, pth_target_to_string(t));
			json_builder_begin_array(b);
			for (guint k = 0; t == target && k < jobs->len; k++) {
				struct job *j = jobs->pdata[k];

				if (exercised_by(j, rule) && strcmp(j->status, "skip") != 0)
					json_builder_add_string_value(b, j->id);
			}
			json_builder_end_array(b);
		}
		json_builder_end_object(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

/* Kernel rules exercised by scenarios that also run on the lab: this target's verdict. */
static void add_fidelity(JsonBuilder *b, GPtrArray *jobs, unsigned target)
{
	json_builder_set_member_name(b, "fidelity");
	json_builder_begin_array(b);
	for (size_t i = 0; i < pt_rule_count(); i++) {
		const struct pt_rule *rule = pt_rule_at(i);
		const char *verdict = "none";

		if (rule->kind != PT_RULE_KERNEL)
			continue;
		for (guint k = 0; k < jobs->len; k++) {
			struct job *j = jobs->pdata[k];

			if (!j->sc || !(j->sc->targets & PTH_TARGET_LAB) ||
			    !(j->sc->targets & PTH_TARGET_FAKE) || !exercised_by(j, rule))
				continue;
			if (strcmp(j->status, "pass") == 0 && strcmp(verdict, "fail") != 0)
				verdict = "pass";
			else if (strcmp(j->status, "fail") == 0 || strcmp(j->status, "error") == 0)
				verdict = "fail";
		}
		if (strcmp(verdict, "none") == 0)
			continue;
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "rule");
		json_builder_add_string_value(b, rule->id);
		for (unsigned t = PTH_TARGET_FAKE; t <= PTH_TARGET_LAB; t <<= 1) {
			json_builder_set_member_name(b, pth_target_to_string(t));
			json_builder_add_string_value(b, t == target ? verdict : "none");
		}
		json_builder_set_member_name(b, "agree");
		json_builder_add_null_value(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static int cmp_job_id(gconstpointer a, gconstpointer b)
{
	return strcmp((*(struct job *const *)a)->id, (*(struct job *const *)b)->id);
}

JsonNode *pth_run_scenarios(GPtrArray *files, const struct pth_run_options *opts,
			    unsigned *ret_load_errors)
{
	struct cache cache = { .hosts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							      free_host) };
	g_autoptr(GPtrArray) jobs = g_ptr_array_new();
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
	unsigned counts[5] = { 0 }, tried = 0, held = 0, load_errors = 0;
	gint64 start = g_get_monotonic_time();
	GThreadPool *pool;
	JsonNode *root;

	g_mutex_init(&cache.lock);
	for (guint i = 0; i < files->len; i++) {
		struct job *j = g_new0(struct job, 1);
		g_autoptr(GError) error = NULL;
		struct fy_node *dut;

		j->file = files->pdata[i];
		j->opts = opts;
		j->cache = &cache;
		j->id = pth_scenario_id(j->file, opts->root);
		if (opts->shard_count &&
		    pth_shard_of(j->id, opts->shard_count) != opts->shard_index) {
			g_free(j->id);
			g_free(j);
			continue;
		}
		j->sc = pth_scenario_load(j->file, opts->root, &error);
		if (!j->sc) {
			j->load_error = g_strdup(error->message);
			load_errors++;
		} else if (!opts->dut && (j->sc->targets & opts->target) &&
			   (dut = uses_dut(j->sc->steps))) {
			g_autofree char *where = pth_node_where(j->sc, dut);

			j->load_error = g_strdup_printf("%s: the scenario uses $DUT (or certify:) "
							"but no device under test was given "
							"(--dut BDF)",
							where);
			load_errors++;
		}
		j->fired = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		j->held_by = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(jobs, j);
	}
	pool = g_thread_pool_new(run_job, NULL, (int)(opts->jobs ? opts->jobs : 1), TRUE, NULL);
	for (guint i = 0; i < jobs->len; i++)
		g_thread_pool_push(pool, jobs->pdata[i], NULL);
	pth_progress_pool(pool, jobs->len, "scenarios", opts->progress);
	/* The result lists scenarios by id (the schema's order), whatever order files came in. */
	g_ptr_array_sort(jobs, cmp_job_id);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "schema");
	json_builder_add_string_value(b, PTH_RESULT_SCHEMA);
	json_builder_set_member_name(b, "generated");
	json_builder_add_string_value(b, stamp);
	json_builder_set_member_name(b, "tool");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, "ptharness");
	json_builder_set_member_name(b, "version");
	json_builder_add_string_value(b, PTH_VERSION);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "target");
	json_builder_add_string_value(b, pth_target_to_string(opts->target));
	json_builder_set_member_name(b, "shard");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "index");
	json_builder_add_int_value(b, opts->shard_count ? opts->shard_index : 1);
	json_builder_set_member_name(b, "count");
	json_builder_add_int_value(b, opts->shard_count ? opts->shard_count : 1);
	json_builder_end_object(b);
	for (guint i = 0; i < jobs->len; i++) {
		struct job *j = jobs->pdata[i];
		JsonObject *o = json_node_get_object(j->node);
		JsonObject *fp = json_object_get_object_member(o, "fault_points");

		counts[strcmp(j->status, "pass") == 0  ? 0 :
		       strcmp(j->status, "fail") == 0  ? 1 :
		       strcmp(j->status, "error") == 0 ? 2 :
							 3]++;
		tried += (unsigned)json_object_get_int_member(fp, "tried");
		held += (unsigned)json_object_get_int_member(fp, "held");
	}
	json_builder_set_member_name(b, "summary");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "scenarios");
	json_builder_add_int_value(b, jobs->len);
	json_builder_set_member_name(b, "passed");
	json_builder_add_int_value(b, counts[0]);
	json_builder_set_member_name(b, "failed");
	json_builder_add_int_value(b, counts[1]);
	json_builder_set_member_name(b, "errors");
	json_builder_add_int_value(b, counts[2]);
	json_builder_set_member_name(b, "skipped");
	json_builder_add_int_value(b, counts[3]);
	json_builder_set_member_name(b, "duration_ms");
	json_builder_add_int_value(b, (g_get_monotonic_time() - start) / 1000);
	json_builder_set_member_name(b, "fault_points");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "tried");
	json_builder_add_int_value(b, tried);
	json_builder_set_member_name(b, "held");
	json_builder_add_int_value(b, held);
	json_builder_end_object(b);
	json_builder_end_object(b);
	add_hosts(b, &cache, jobs);
	add_rules(b, jobs, opts->target);
	json_builder_set_member_name(b, "scenarios");
	json_builder_begin_array(b);
	for (guint i = 0; i < jobs->len; i++)
		json_builder_add_value(b, json_node_ref(((struct job *)jobs->pdata[i])->node));
	json_builder_end_array(b);
	add_fidelity(b, jobs, opts->target);
	json_builder_end_object(b);
	root = json_builder_get_root(b);

	for (guint i = 0; i < jobs->len; i++) {
		struct job *j = jobs->pdata[i];

		json_node_unref(j->node);
		pth_scenario_free(j->sc);
		g_free(j->load_error);
		g_free(j->id);
		g_hash_table_unref(j->fired);
		g_ptr_array_unref(j->held_by);
		g_free(j);
	}
	g_hash_table_unref(cache.hosts);
	g_mutex_clear(&cache.lock);
	*ret_load_errors = load_errors;
	return root;
}
