/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The scenario verbs: one row each (name, typed arguments, run function, flags). */

/*
 * The plan: pth_verbs[] is the only list of verbs. The loader (schema.c) checks a step's
 * arguments against its row, the runner (runner.c) calls its run function, certify's dry-run
 * plan reads its flags. A run function gets the step's arguments as the loader checked them
 * and fills in the observation: the engine's outcome, or a raw read/write result, and its
 * verb-specific result members.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "fake.h"
#include "migrate.h"
#include "session.h"
#include "sriov.h"
#include "verbs.h"
#include "vfio.h"
#include "vm.h"

/* inspect: a fresh scan, and each decision it made traced with its rule. */
static void do_inspect(struct pth_run *r, struct fy_node *a, struct pth_obs *o)
{
	struct pt_error err = { 0 };

	(void)a, (void)o;
	pt_engine_rescan(r->e, &err);
	pt_host_trace_rules(pt_engine_host(r->e), r->trace);
}

/* check: a fresh scan; the step only evaluates its expect. */
static void do_check(struct pth_run *r, struct fy_node *a, struct pth_obs *o)
{
	struct pt_error err = { 0 };

	(void)a, (void)o;
	pt_engine_rescan(r->e, &err);
}

static void do_detach(struct pth_run *r, struct fy_node *a, struct pth_obs *o)
{
	const char *dev = pth_run_resolve(r, pth_node_str(a, "device"));
	const char *m = pth_node_str(a, "method");
	struct pt_detach_options d = {
		.driver = pth_node_str(a, "driver"),
		.method = m && strcmp(m, "new_id") == 0 ? PT_BIND_NEW_ID : PT_BIND_OVERRIDE,
		.managed = pth_arg_bool(a, "managed", true),
		.force = pth_arg_bool(a, "force", false),
	};
	struct pt_detached *st = g_new0(struct pt_detached, 1);

	o->has_outcome = pt_detach(r->e, dev, &d, st, &o->out) >= 0;
	if (o->out.code == PT_CODE_OK && st->unbound_by_us)
		g_hash_table_replace(r->detached, g_strdup(dev), st);
	else
		pth_detached_free(st);
}

static void do_reattach(struct pth_run *r, struct fy_node *a, struct pth_obs *o)
{
	const char *dev = pth_run_resolve(r, pth_node_str(a, "device"));
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

static void do_reset(struct pth_run *r, struct fy_node *a, struct pth_obs *o)
{
	const char *m = pth_node_str(a, "method");
	int method = m ? pt_reset_method_from_string(m) : -1, used = -2;

	o->has_outcome = pt_reset_device(r->e, pth_run_resolve(r, pth_node_str(a, "device")),
					 method, &used, &o->out) >= 0;
	if (o->out.code == PT_CODE_OK)
		pth_obs_str(o, "method",
			    used >= 0 ? pt_reset_method_to_string((enum pt_reset_method)used) :
					"vfio");
}

static void attach_or_plan(struct pth_run *r, struct fy_node *a, struct pth_obs *o, bool plan)
{
	const char *m = pth_node_str(a, "method");
	struct pt_attach_options ao = {
		.managed = pth_arg_bool(a, "managed", true),
		.driver = pth_node_str(a, "driver"),
		.method = m && strcmp(m, "new_id") == 0 ? PT_BIND_NEW_ID : PT_BIND_OVERRIDE,
		.force = pth_arg_bool(a, "force", false),
		.dry_run = plan,
	};
	enum pt_vfio_iommu iommu = PT_VFIO_IOMMU_AUTO;

	pt_vfio_iommu_from_string(pth_node_str(a, "iommu"), &iommu);
	ao.iommu = (int)iommu;
	char **devs = pth_arg_list(r, a, "devices");
	struct pt_vm *vm = pth_run_find_vm(r, pth_node_str(a, "vm"));
	struct pt_step *steps = NULL;
	size_t n = 0;

	o->has_outcome =
		pt_vm_attach(r->e, vm, (const char *const *)devs, &ao, &steps, &n, &o->out) >= 0;
	pth_obs_int(o, "steps", (gint64)n);
	pt_steps_free(steps, n);
	g_strfreev(devs);
}

static void do_attach(struct pth_run *r, struct fy_node *a, struct pth_obs *o)
{
	attach_or_plan(r, a, o, false);
}

/* plan: attach's decisions, the host untouched. */
static void do_plan(struct pth_run *r, struct fy_node *a, struct pth_obs *o)
{
	attach_or_plan(r, a, o, true);
}

static void do_release(struct pth_run *r, struct fy_node *a, struct pth_obs *o)
{
	struct pt_vm *vm = pth_run_find_vm(r, pth_node_str(a, "vm"));

	o->has_outcome = pt_vm_release(r->e, vm, &o->out) >= 0;
}

static void do_select_vf(struct pth_run *r, struct fy_node *a, struct pth_obs *o)
{
	struct pt_vf_query q = {
		.pf = pth_run_resolve(r, pth_node_str(a, "pf")),
		.id = pth_node_str(a, "id"),
		.vfs = pth_node_str(a, "vfs"),
		.class = pth_node_str(a, "class"),
		.same_address = pth_node_str(a, "same_address"),
		.numa_node = (int)pth_arg_int(a, "numa_node", -1),
		.create = pth_arg_bool(a, "create", false),
		.create_count = (unsigned)pth_arg_int(a, "count", 0),
	};
	char vf[16] = "";
	int rc = pt_select_vf(r->e, &q, vf, &o->out);

	o->has_outcome = rc >= 0;
	if (rc == -EINVAL)
		pt_outcome_clear(&o->out), o->out.code = PT_CODE_HOST_ERROR,
					   o->out.message = g_strdup("malformed vfs ranges or id"),
					   o->has_outcome = true;
	if (rc == 0) {
		pth_obs_str(o, "device", vf);
		if (pth_node_str(a, "as"))
			g_hash_table_replace(r->names, g_strdup(pth_node_str(a, "as")),
					     g_strdup(vf));
	}
}

static void do_set_numvfs(struct pth_run *r, struct fy_node *a, struct pth_obs *o)
{
	o->has_outcome = pt_set_numvfs(r->e, pth_run_resolve(r, pth_node_str(a, "pf")),
				       (unsigned)pth_arg_int(a, "count", 0), &o->out) >= 0;
}

static void do_vfio_open(struct pth_run *r, struct fy_node *a, struct pth_obs *o)
{
	struct pt_vfio_options vo = { .map_bytes = pth_arg_size(a, "map", 0),
				      .reset = pth_arg_bool(a, "reset", false) };
	struct pt_vfio_info info = { 0 };
	uint64_t limit = pth_arg_size(a, "memlock", 0);
	const char *iommu = pth_node_str(a, "iommu");

	if (iommu)
		pt_vfio_iommu_from_string(iommu, &vo.iommu);
	if (limit && r->fake) {
		char v[32];

		snprintf(v, sizeof(v), "%" G_GUINT64_FORMAT, limit);
		fks_host_set(r->fake, "cap_ipc_lock", "0");
		fks_host_set(r->fake, "memlock", v);
	}
	o->has_outcome = pt_vfio_open(r->e, pth_run_resolve(r, pth_node_str(a, "device")), &vo,
				      &info, &o->out) >= 0;
	if (o->out.code == PT_CODE_OK) {
		pth_obs_int(o, "regions", info.num_regions);
		pth_obs_int(o, "irqs", info.num_irqs);
		pth_obs_int(o, "mapped", (gint64)info.mapped);
		pth_obs_bool(o, "reset", info.reset);
		pth_obs_bool(o, "migration", info.migration);
		if (info.dma_cc >= 0)
			pth_obs_bool(o, "dma_coherent", info.dma_cc == 1);
		pth_obs_str(o, "path", pt_vfio_iommu_to_string(info.path));
		pth_obs_bool(o, "compat", info.compat);
		if (info.cdev[0])
			pth_obs_str(o, "cdev", info.cdev);
	}
}

static void do_migrate_check(struct pth_run *r, struct fy_node *a, struct pth_obs *o)
{
	const char *vmname = pth_node_str(a, "vm"), *to = pth_node_str(a, "to");
	char **devs = pth_arg_list(r, a, "devices"), **fo = pth_arg_list(r, a, "failover");
	struct pt_migrate_result res = { 0 };
	struct pt_migrate_device *md;
	struct pth_session dst = { 0 };
	struct pt_vm *vm = vmname ? pt_vms_find(r->vms, vmname) : NULL;
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
		g_autofree char *path = rec ? pth_scenario_path(r->sc, rec) : NULL;

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
	pth_obs_bool(o, "migratable", res.migratable);
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

static void do_memlock(struct pth_run *r, struct fy_node *a, struct pth_obs *o)
{
	struct pt_vm *vm = pth_run_find_vm(r, pth_node_str(a, "vm"));
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
		pth_obs_bool(o, "unlimited", TRUE);
	else
		pth_obs_int(o, "bytes", (gint64)bytes);
	if (r->trace)
		pt_trace_rule(r->trace, rule, pt_vm_name(vm), o->out.message);
}

static void do_write(struct pth_run *r, struct fy_node *a, struct pth_obs *o)
{
	g_autofree char *path = pth_run_expand_path(r, pth_node_str(a, "path"));
	const char *value = pth_node_str(a, "value");
	g_autofree char *v = g_strcompress(value ? value : "");
	struct pt_error err = { 0 };

	o->raw = true;
	o->write_result = pt_backend_write(r->be, PT_NS_SYS, path, v, strlen(v));
	/* The host changed under the engine: scan it again. */
	pt_engine_rescan(r->e, &err);
}

static void do_read(struct pth_run *r, struct fy_node *a, struct pth_obs *o)
{
	g_autofree char *path = pth_run_expand_path(r, pth_node_str(a, "path"));
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

/* rescan: the PCI core's bus/pci/rescan (what brings a removed device back), then a scan. */
static void do_rescan(struct pth_run *r, struct fy_node *a, struct pth_obs *o)
{
	struct pt_error err = { 0 };

	(void)a;
	o->raw = true;
	o->write_result = pt_backend_write(r->be, PT_NS_SYS, "bus/pci/rescan", "1", 1);
	pt_engine_rescan(r->e, &err);
}

/* certify: {check: NAME}: certify's own check code (harness/certify-*.c), which only runs under
 * `ptharness certify` or `run --dut`. result: status (pass, fail, skip) and reason.
 * certify: {profile: P, device: BDF}: a whole certification on the scenario's own host. */
static void do_certify(struct pth_run *r, struct fy_node *a, struct pth_obs *o)
{
	g_autofree char *reason = NULL;
	enum pth_cert_status st;

	o->has_outcome = true;
	if (pth_node_str(a, "profile") && r->hooks && r->hooks->certificate) {
		o->result = json_object_new();
		r->hooks->certificate(r->e, r->be, r->fake, r->trace, a, &o->out, o->result);
		return;
	}
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
	pth_obs_str(o, "status", pth_cert_status_names[st]);
	pth_obs_str(o, "reason", reason ? reason : "");
	if (st == PTH_CERT_SKIP || r->status == PTH_CERT_PASS)
		r->status = st;
	g_free(r->reason);
	r->reason = g_steal_pointer(&reason);
}

/* {check: NAME} runs one check on $DUT; {profile: P, device: BDF} a whole certification. */
static const char *certify_form(struct fy_node *a)
{
	bool whole = pth_node_str(a, "profile") != NULL;

	if (whole == (pth_node_str(a, "check") != NULL) ||
	    whole != (pth_node_str(a, "device") != NULL))
		return "certify takes {check: NAME} or {profile: P, device: BDF}";
	return NULL;
}

/*
 * exec: a program (PATH searched), unmodified, against the scenario's fake host as it stands
 * (ptharness fake's view: /sys and /dev/vfio are the model's). ok when it exits with status
 * (0 when absent) and its output (stdout and stderr) matches the pattern output; result:
 * status, output. A program that is not installed (status 127, unless that is the status
 * wanted), a machine without FUSE, or a namespace without root skips the scenario, with the
 * reason.
 */
static void do_exec(struct pth_run *r, struct fy_node *a, struct pth_obs *o)
{
	char **argv = pth_arg_list(r, a, "command");
	const char *via_name = pth_node_str(a, "via");
	enum pth_fake_via via = PTH_FAKE_AUTO;
	int want = (int)pth_arg_int(a, "status", 0), status = -1, rc;
	g_autofree char *output = NULL, *reason = NULL, *found = NULL;
	struct pt_error err = { 0 };

	o->has_outcome = true;
	if (!r->fake) {
		o->out.code = PT_CODE_HOST_ERROR;
		o->out.message = g_strdup("exec runs a program on the fake target only");
		g_strfreev(argv);
		return;
	}
	if (via_name)
		pth_fake_via_from_string(via_name, &via);
	rc = pth_fake_exec(r->fake, r->be, via, (const char *const *)argv, want,
			   pth_node_str(a, "output"), &status, &output, &reason);
	/* 127: the shell's "not found", for the program or one it runs. */
	if (rc >= 0 && status == 127 && want != 127) {
		found = g_find_program_in_path(argv[0]);
		r->status = PTH_CERT_SKIP;
		g_free(r->reason);
		r->reason =
			found ? g_strdup_printf("a program %s runs is not installed: %.*s", argv[0],
						(int)strcspn(output, "\n"), output) :
				g_strdup_printf("%s is not installed (not found in PATH)", argv[0]);
	}
	/* No FUSE here, or a namespace asked for without root: the machine cannot run it. */
	if (rc == -ENODEV || rc == -EPERM) {
		r->status = PTH_CERT_SKIP;
		g_free(r->reason);
		r->reason = g_strdup(reason);
	}
	if (rc != 0) {
		o->out.code = PT_CODE_HOST_ERROR;
		o->out.message = g_steal_pointer(&reason);
	}
	if (output) {
		pth_obs_int(o, "status", status);
		pth_obs_str(o, "output", output);
		/* The model changed under the engine: scan it again. */
		pt_engine_rescan(r->e, &err);
	}
	g_strfreev(argv);
}

/* How ptharness fake brings a program to the view (enum pth_fake_via). */
static const char *const fake_vias[] = { "auto", "preload", "namespace", NULL };

/* How detach and attach bind the stub (struct pt_detach_options). */
static const char *const bind_methods[] = { "override", "new_id", NULL };
static const char *const vfio_iommus[] = { "auto", "legacy", "iommufd", NULL };

/*
 * The verbs, one row each. Integer ranges are what the engine and the kernel take: an SR-IOV
 * VF count is 16 bits (the TotalVFs register), a NUMA node -1 (none) to 1023.
 */
const struct pth_verb pth_verbs[] = {
	{ "inspect", do_inspect, PTH_VERB_READ_ONLY, { {} } },
	{ "check", do_check, PTH_VERB_READ_ONLY, { {} } },
	{ "detach",
	  do_detach,
	  0,
	  { PTH_REQ("device", PTH_ARG_STR),
	    PTH_OPT("driver", PTH_ARG_STR),
	    PTH_ENUM("method", bind_methods),
	    PTH_OPT("managed", PTH_ARG_BOOL),
	    PTH_OPT("force", PTH_ARG_BOOL),
	    {} } },
	{ "reattach", do_reattach, 0, { PTH_REQ("device", PTH_ARG_STR), {} } },
	{ "reset",
	  do_reset,
	  0,
	  { PTH_REQ("device", PTH_ARG_STR), PTH_OPT("method", PTH_ARG_STR), {} } },
	{ "attach",
	  do_attach,
	  0,
	  { PTH_REQ("vm", PTH_ARG_STR),
	    PTH_REQ("devices", PTH_ARG_DEVICES),
	    PTH_OPT("managed", PTH_ARG_BOOL),
	    PTH_OPT("driver", PTH_ARG_STR),
	    PTH_ENUM("method", bind_methods),
	    PTH_OPT("force", PTH_ARG_BOOL),
	    PTH_ENUM("iommu", vfio_iommus),
	    {} } },
	{ "plan",
	  do_plan,
	  PTH_VERB_READ_ONLY,
	  { PTH_REQ("vm", PTH_ARG_STR),
	    PTH_REQ("devices", PTH_ARG_DEVICES),
	    PTH_OPT("managed", PTH_ARG_BOOL),
	    PTH_OPT("driver", PTH_ARG_STR),
	    PTH_ENUM("method", bind_methods),
	    PTH_OPT("force", PTH_ARG_BOOL),
	    PTH_ENUM("iommu", vfio_iommus),
	    {} } },
	{ "release", do_release, 0, { PTH_REQ("vm", PTH_ARG_STR), {} } },
	{ "select-vf",
	  do_select_vf,
	  0,
	  { PTH_OPT("pf", PTH_ARG_STR),
	    PTH_OPT("id", PTH_ARG_STR),
	    PTH_OPT("vfs", PTH_ARG_STR),
	    PTH_INT("numa_node", -1, 1023),
	    PTH_OPT("class", PTH_ARG_STR),
	    PTH_OPT("same_address", PTH_ARG_STR),
	    PTH_OPT("create", PTH_ARG_BOOL),
	    PTH_INT("count", 0, 65535),
	    PTH_OPT("as", PTH_ARG_STR),
	    {} } },
	{ "set-numvfs",
	  do_set_numvfs,
	  0,
	  { PTH_REQ("pf", PTH_ARG_STR), PTH_REQ_INT("count", 0, 65535), {} } },
	{ "vfio-open",
	  do_vfio_open,
	  0,
	  { PTH_REQ("device", PTH_ARG_STR),
	    PTH_OPT("map", PTH_ARG_SIZE),
	    PTH_OPT("memlock", PTH_ARG_SIZE),
	    PTH_OPT("reset", PTH_ARG_BOOL),
	    PTH_ENUM("iommu", vfio_iommus),
	    {} } },
	{ "migrate-check",
	  do_migrate_check,
	  PTH_VERB_READ_ONLY,
	  { PTH_OPT("vm", PTH_ARG_STR),
	    PTH_OPT("devices", PTH_ARG_STRLIST),
	    PTH_OPT("failover", PTH_ARG_STRLIST),
	    PTH_OPT("to", PTH_ARG_HOST),
	    {} } },
	{ "memlock", do_memlock, PTH_VERB_READ_ONLY, { PTH_REQ("vm", PTH_ARG_STR), {} } },
	{ "write",
	  do_write,
	  0,
	  { PTH_REQ("path", PTH_ARG_STR), PTH_REQ("value", PTH_ARG_STR), {} } },
	{ "read", do_read, PTH_VERB_READ_ONLY, { PTH_REQ("path", PTH_ARG_STR), {} } },
	{ "rescan", do_rescan, 0, { {} } },
	{ "exec",
	  do_exec,
	  PTH_VERB_NO_FAULT_POINTS | PTH_VERB_SELF_CHECKED,
	  { PTH_REQ("command", PTH_ARG_DEVICES),
	    PTH_INT("status", 0, 255),
	    PTH_OPT("output", PTH_ARG_STR),
	    PTH_ENUM("via", fake_vias),
	    {} } },
	{ "certify",
	  do_certify,
	  0,
	  { PTH_OPT("check", PTH_ARG_CHECK),
	    PTH_OPT("profile", PTH_ARG_STR),
	    PTH_OPT("device", PTH_ARG_STR),
	    PTH_INT("vfs", 0, 65535),
	    PTH_OPT("map", PTH_ARG_SIZE),
	    {} },
	  certify_form },
	{},
};

const struct pth_verb *pth_verb_find(const char *name)
{
	for (const struct pth_verb *v = pth_verbs; name && v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}
