/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VM-level commands: select-vf, set-numvfs, attach, plan, release, migrate-check, replay. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "migrate.h"
#include "session.h"
#include "size.h"
#include "sriov.h"
#include "vfio.h"
#include "vm.h"

int pth_cmd_select_vf(int argc, char **argv)
{
	static const struct option opts[] = {
		PTH_SESSION_OPTIONS,
		{ "pf", required_argument, NULL, 'p' },
		{ "vfs", required_argument, NULL, 'v' },
		{ "id", required_argument, NULL, 'i' },
		{ "class", required_argument, NULL, 'c' },
		{ "same-address", required_argument, NULL, 'a' },
		{ "numa-node", required_argument, NULL, 'n' },
		{ "create", no_argument, NULL, 'C' },
		{ "count", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct pt_vf_query q = { .numa_node = -1 };
	struct pth_session s = { 0 };
	struct pt_outcome out = { 0 };
	char vf[16] = "";
	long long v;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" PTH_SESSION_SHORTOPTS "p:v:i:c:a:n:CN:h", opts,
				NULL)) != -1) {
		if (pth_session_option(&s, c, optarg))
			continue;
		switch (c) {
		case 'p':
			q.pf = optarg;
			break;
		case 'v':
			q.vfs = optarg;
			break;
		case 'i':
			q.id = optarg;
			break;
		case 'c':
			q.class = optarg;
			break;
		case 'a':
			q.same_address = optarg;
			break;
		case 'n':
			if (pth_parse_int(optarg, -1, 1023, &v) < 0)
				return pth_usage_error("select-vf",
						       "not a NUMA node (-1..1023):", optarg);
			q.numa_node = (int)v;
			break;
		case 'C':
			q.create = true;
			break;
		case 'N':
			if (pth_parse_int(optarg, 0, 65535, &v) < 0)
				return pth_usage_error("select-vf",
						       "not a VF count (0..65535):", optarg);
			q.create_count = (unsigned)v;
			break;
		case 'h':
			printf("Usage: ptharness select-vf (--pf PF [--vfs 0,2-5] | --id VVVV:DDDD "
			       "[--numa-node N]\n"
			       "                           | --class CC[SS[PP]] | --same-address BDF) "
			       "[--create [--count N]]\n\n"
			       "Choose a free device for a VM the three ways: a VF of a given PF "
			       "(address or netdev),\nany VF with these ids (NUMA node first, then "
			       "the least busy PF), or a plain device by\nid, class or address. "
			       "--create enables VFs on a PF that has none when nothing is free.\n\n%s",
			       PTH_SESSION_HELP);
			return PTH_EXIT_OK;
		default:
			return pth_bad_option("select-vf", c, argv);
		}
	}
	if (!q.pf && !q.id && !q.class && !q.same_address)
		return pth_usage_error("select-vf", "needs --pf, --id, --class or --same-address",
				       NULL);
	s.mutating = q.create;
	r = pth_session_open(&s, "select-vf");
	if (r != 0)
		return pth_session_close(&s, "select-vf", r);
	r = pt_select_vf(s.engine, &q, vf, &out);
	if (r == -EINVAL)
		return pth_session_close(
			&s, "select-vf",
			pth_usage_error("select-vf", "malformed --vfs or --id", NULL));
	r = r < 0 ? PTH_EXIT_INPUT :
		    pth_session_outcome(&s, "select-vf",
					q.pf ? q.pf :
					q.id ? q.id :
					       q.class,
					&out, NULL, 0);
	pt_outcome_clear(&out);
	return pth_session_close(&s, "select-vf", r);
}

int pth_cmd_set_numvfs(int argc, char **argv)
{
	char addr[PT_ADDRESS_SIZE];
	static const struct option opts[] = {
		PTH_SESSION_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct pth_session s = { 0 };
	struct pt_outcome out = { 0 };
	char *end;
	long count;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" PTH_SESSION_SHORTOPTS "h", opts, NULL)) != -1) {
		if (pth_session_option(&s, c, optarg))
			continue;
		if (c == 'h') {
			printf("Usage: ptharness set-numvfs PF COUNT [HOST OPTIONS]\n\nEnable COUNT "
			       "VFs on a PF (0 disables them), writing 0 first between two\nnon-zero "
			       "counts; refused while a VM uses one of its VFs.\n\n%s",
			       PTH_SESSION_HELP);
			return PTH_EXIT_OK;
		}
		return pth_bad_option("set-numvfs", c, argv);
	}
	if (optind + 2 != argc)
		return pth_usage_error("set-numvfs", "expects a PF and a count", NULL);
	if (pth_address_arg("set-numvfs", &argv[optind], addr) != 0)
		return PTH_EXIT_INPUT;
	count = strtol(argv[optind + 1], &end, 10);
	if (*end || count < 0 || count > 65535)
		return pth_usage_error("set-numvfs", "not a VF count:", argv[optind + 1]);
	s.mutating = true;
	s.lock_devices = (const char *const[]){ argv[optind], NULL }; /* the PF's, its VFs' */
	r = pth_session_open(&s, "set-numvfs");
	if (r != 0)
		return pth_session_close(&s, "set-numvfs", r);
	r = pt_set_numvfs(s.engine, argv[optind], (unsigned)count, &out);
	r = r < 0 ? PTH_EXIT_INPUT :
		    pth_session_outcome(&s, "set-numvfs", argv[optind], &out, NULL, 0);
	pt_outcome_clear(&out);
	return pth_session_close(&s, "set-numvfs", r);
}

struct vm_args {
	const char *vm;
	char **devices;
	struct pt_attach_options opts;
	struct pt_vm_config cfg;
};

static int vm_option(struct vm_args *a, int c, const char *arg, const char *cmd)
{
	switch (c) {
	case 'v':
		a->vm = arg;
		return 0;
	case 'd':
		g_strfreev(a->devices);
		a->devices = g_strsplit(arg, ",", -1);
		return pth_address_list(cmd, a->devices);
	case 'm':
		if (pth_parse_size(arg, &a->cfg.memory) < 0)
			return pth_usage_error(cmd, "not a size:", arg);
		return 0;
	case 'I':
		a->cfg.viommu = true;
		return 0;
	case 'u':
		a->opts.managed = false;
		return 0;
	case 'D':
		if (!pt_driver_name_valid(arg) || !pt_driver_is_stub(arg))
			return pth_usage_error(
				cmd,
				"not a stub driver (vfio-pci, a vfio-pci variant, pci-stub):", arg);
		a->opts.driver = arg;
		return 0;
	case 'M': {
		int r = pt_bind_method_from_string(arg);

		if (r < 0)
			return pth_usage_error(cmd, "unknown method (override, new_id):", arg);
		a->opts.method = (enum pt_bind_method)r;
		return 0;
	}
	case 'f':
		a->opts.force = true;
		return 0;
	case 'O': {
		enum pt_vfio_iommu i;

		if (pt_vfio_iommu_from_string(arg, &i) < 0)
			return pth_usage_error(cmd, "--iommu takes legacy, iommufd or auto:", arg);
		a->opts.iommu = (int)i;
		return 0;
	}
	case 'n':
		a->opts.dry_run = true;
		return 0;
	default:
		return -1;
	}
}

/* Free what option parsing kept; returns status, so that every exit path can free. */
static int vm_args_done(struct vm_args *a, int status)
{
	g_strfreev(a->devices);
	a->devices = NULL;
	return status;
}

#define VM_OPTIONS                                                                                \
	{ "vm", required_argument, NULL, 'v' }, { "devices", required_argument, NULL, 'd' },      \
		{ "memory", required_argument, NULL, 'm' }, { "viommu", no_argument, NULL, 'I' }, \
		{ "unmanaged", no_argument, NULL, 'u' },                                          \
		{ "driver", required_argument, NULL, 'D' },                                       \
		{ "method", required_argument, NULL, 'M' }, { "force", no_argument, NULL, 'f' },  \
		{ "iommu", required_argument, NULL, 'O' },                                        \
	{                                                                                         \
		"dry-run", no_argument, NULL, 'n'                                                 \
	}
#define VM_SHORTOPTS "v:d:m:IuD:M:fO:n"

static int attach_like(int argc, char **argv, const char *cmd, bool plan)
{
	static const struct option opts[] = {
		PTH_SESSION_OPTIONS,
		VM_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct vm_args a = { .opts = { .managed = true },
			     .cfg = { .memory = 1ull << 30, .numa_node = -1 } };
	struct pth_session s = { 0 };
	struct pt_outcome out = { 0 };
	struct pt_step *steps = NULL;
	struct pt_vm *vm = NULL;
	size_t n = 0;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" PTH_SESSION_SHORTOPTS VM_SHORTOPTS "h", opts,
				NULL)) != -1) {
		if (pth_session_option(&s, c, optarg))
			continue;
		r = vm_option(&a, c, optarg, cmd);
		if (r > 0)
			return vm_args_done(&a, r);
		if (r == 0)
			continue;
		/* Usage errors and --help: nothing else runs (a --devices list seen so far goes). */
		g_strfreev(a.devices);
		if (r > 0)
			return r;
		if (c == 'h') {
			printf("Usage: ptharness %s --vm NAME --devices BDF[,BDF...] [--memory SIZE] "
			       "[--viommu]\n        [--unmanaged] [--driver STUB] [--method "
			       "override|new_id] [--force]\n        [--iommu legacy|iommufd|auto]%s [HOST "
			       "OPTIONS]\n\n"
			       "Give devices to a VM as one transaction, in libvirt's order: check "
			       "every device and\nits group, detach all, reset all, set locked "
			       "memory. A failure undoes the earlier\nsteps, or says what could not be "
			       "put back. --iommu names the VFIO path the VM will use: one the host\nlacks "
			       "is refused before anything changes.%s\n\n%s",
			       cmd, plan ? "" : " [--dry-run]",
			       plan ? " plan only checks and lists the steps." : "",
			       PTH_SESSION_HELP);
			return vm_args_done(&a, PTH_EXIT_OK);
		}
		return vm_args_done(&a, pth_bad_option(cmd, c, argv));
	}
	if (a.vm && !a.vm[0])
		return vm_args_done(&a, pth_usage_error(cmd, "--vm wants a name, not", ""));
	if (!a.vm || !a.devices || !a.devices[0])
		return vm_args_done(&a, pth_usage_error(cmd, "needs --vm and --devices", NULL));
	for (char **d = a.devices; *d; d++) {
		unsigned dom, bus, slot, fn;
		char tail;

		if (sscanf(*d, "%4x:%2x:%2x.%1x%c", &dom, &bus, &slot, &fn, &tail) != 4)
			return vm_args_done(
				&a, pth_usage_error(cmd, "not a PCI address (DDDD:BB:SS.F):", *d));
	}
	a.opts.dry_run |= plan;
	a.cfg.name = a.vm;
	s.mutating = !a.opts.dry_run;
	s.lock_devices = (const char *const *)a.devices; /* their groups */
	r = pth_session_open(&s, cmd);
	if (r == 0) {
		vm = pt_vms_find(s.vms, a.vm);
		if (!vm && pt_vms_add(s.vms, &a.cfg, &vm) < 0)
			r = PTH_EXIT_INPUT;
	}
	if (r == 0) {
		r = pt_vm_attach(s.engine, vm, (const char *const *)a.devices, &a.opts, &steps, &n,
				 &out);
		r = r < 0 ? PTH_EXIT_INPUT : pth_session_outcome(&s, cmd, a.vm, &out, steps, n);
		/* Devices the VM holds are remembered through the VM itself. */
	}
	pt_steps_free(steps, n);
	pt_outcome_clear(&out);
	vm_args_done(&a, 0);
	return pth_session_close(&s, cmd, r);
}

int pth_cmd_attach(int argc, char **argv)
{
	return attach_like(argc, argv, "attach", false);
}

int pth_cmd_plan(int argc, char **argv)
{
	return attach_like(argc, argv, "plan", true);
}

int pth_cmd_release(int argc, char **argv)
{
	static const struct option opts[] = {
		PTH_SESSION_OPTIONS,
		{ "vm", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct pth_session s = { 0 };
	struct pt_outcome out = { 0 };
	const char *name = NULL;
	struct pt_vm *vm;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" PTH_SESSION_SHORTOPTS "v:h", opts, NULL)) != -1) {
		if (pth_session_option(&s, c, optarg))
			continue;
		if (c == 'v') {
			name = optarg;
		} else if (c == 'h') {
			printf("Usage: ptharness release --vm NAME [HOST OPTIONS]\n\nTake a VM's "
			       "devices back: reset them, then return managed ones to the drivers\n"
			       "they had (from the engine's state).\n\n%s",
			       PTH_SESSION_HELP);
			return PTH_EXIT_OK;
		} else {
			return pth_bad_option("release", c, argv);
		}
	}
	if (!name)
		return pth_usage_error("release", "needs --vm", NULL);
	if (!name[0])
		return pth_usage_error("release", "--vm wants a name, not", "");
	s.mutating = true;
	s.lock_vm = name; /* the groups of its devices */
	r = pth_session_open(&s, "release");
	if (r != 0)
		return pth_session_close(&s, "release", r);
	vm = pt_vms_find(s.vms, name);
	if (!vm) {
		fprintf(stderr, "ptharness release: no VM %s in the engine's state%s%s\n", name,
			s.state_file ? " " : "", s.state_file ? s.state_file : "");
		return pth_session_close(&s, "release", PTH_EXIT_INPUT);
	}
	r = pt_vm_release(s.engine, vm, &out);
	r = r < 0 ? PTH_EXIT_INPUT : pth_session_outcome(&s, "release", name, &out, NULL, 0);
	pt_outcome_clear(&out);
	return pth_session_close(&s, "release", r);
}

int pth_cmd_migrate_check(int argc, char **argv)
{
	static const struct option opts[] = {
		PTH_SESSION_OPTIONS,
		{ "devices", required_argument, NULL, 'd' },
		{ "failover", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct pth_session s = { 0 }, dst = { 0 };
	struct pt_migrate_result res = { 0 };
	struct pt_outcome out = { 0 };
	g_auto(GStrv) devs = NULL, failover = NULL;
	g_autofree char *subject = NULL;
	struct pt_migrate_device *md;
	int c, r;
	size_t n;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" PTH_SESSION_SHORTOPTS "d:F:t:h", opts, NULL)) !=
	       -1) {
		if (pth_session_option(&s, c, optarg))
			continue;
		switch (c) {
		case 'd':
			g_strfreev(devs);
			devs = g_strsplit(optarg, ",", -1);
			break;
		case 'F':
			g_strfreev(failover);
			failover = g_strsplit(optarg, ",", -1);
			break;
		case 't':
			dst.spec = optarg;
			break;
		case 'h':
			printf("Usage: ptharness migrate-check --devices BDF[,BDF...] [--failover "
			       "BDF,...] [--to HOST] [HOST OPTIONS]\n\n"
			       "Decide whether a VM with these host devices can migrate: each must "
			       "support VFIO\nmigration (a migration-capable vfio-pci variant driver) "
			       "or be a NIC marked for\nfailover, unplugged before migration; with "
			       "--to, find each unplugged device's\nreplacement on the destination "
			       "(same PF network, any suitable VF, same address or\nany suitable "
			       "device).\n\n%s",
			       PTH_SESSION_HELP);
			return PTH_EXIT_OK;
		default:
			return pth_bad_option("migrate-check", c, argv);
		}
	}
	if (!devs || !devs[0])
		return pth_usage_error("migrate-check", "needs --devices", NULL);
	for (char **f = failover; f && *f; f++)
		if (!g_strv_contains((const char *const *)devs, *f))
			return pth_usage_error(
				"migrate-check",
				"--failover names a device not among --devices:", *f);
	n = g_strv_length(devs);
	subject = g_strjoinv(",", devs);
	md = g_new0(struct pt_migrate_device, n);
	for (size_t i = 0; i < n; i++) {
		md[i].address = devs[i];
		md[i].failover =
			failover && g_strv_contains((const char *const *)failover, devs[i]);
	}
	r = pth_session_open(&s, "migrate-check");
	if (r == 0 && dst.spec)
		r = pth_session_open(&dst, "migrate-check");
	if (r == 0) {
		r = pt_migrate_check(s.engine, md, n, dst.engine, &res, &out);
		if (r >= 0 && !s.json)
			for (size_t i = 0; i < res.count; i++)
				printf("  %s %s: %s [%s]\n",
				       res.entries[i].ok ? "ok     " : "BLOCKS ",
				       res.entries[i].address, res.entries[i].reason,
				       res.entries[i].rule);
		r = r < 0 ? PTH_EXIT_INPUT :
			    pth_session_outcome(&s, "migrate-check", subject, &out, NULL, 0);
	}
	pt_migrate_result_clear(&res);
	pt_outcome_clear(&out);
	g_free(md);
	if (dst.engine || dst.detached)
		pth_session_close(&dst, "migrate-check", 0);
	return pth_session_close(&s, "migrate-check", r);
}

/* replay FILE --attach BDF[,BDF]: the plan, then the attach on the model, with its trace. */
int pth_cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "attach", required_argument, NULL, 'a' }, { "json", no_argument, NULL, 'j' },
		{ "kernel", required_argument, NULL, 'K' }, { "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },	    {},
	};
	struct pt_attach_options ao = { .managed = true };
	struct pt_vm_config cfg = { .name = "replay", .memory = 1ull << 30, .numa_node = -1 };
	struct pth_session s = { .show_trace = true };
	struct pt_outcome out = { 0 };
	struct pt_step *steps = NULL;
	g_auto(GStrv) devs = NULL;
	struct pt_vm *vm = NULL;
	size_t n = 0;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":a:jK:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			g_strfreev(devs);
			devs = g_strsplit(optarg, ",", -1);
			break;
		case 'j':
			s.json = true;
			break;
		case 'K':
			s.kernel = optarg;
			break;
		case 'f':
			ao.force = true;
			break;
		case 'h':
			printf("Usage: ptharness replay FILE --attach BDF[,BDF...] [--json] "
			       "[--kernel X.Y] [--force]\n\nWhat the engine would do on a recorded "
			       "host: the plan, then the attach on a model of\nthat host's kernel, "
			       "with every host access, rule and fault in order.\n");
			return PTH_EXIT_OK;
		default:
			return pth_bad_option("replay", c, argv);
		}
	}
	if (optind + 1 != argc || !devs)
		return pth_usage_error("replay", "expects a recording and --attach", NULL);
	s.spec = argv[optind];
	if (strcmp(s.spec, "live") == 0)
		return pth_usage_error("replay", "replays a recording, not the live host:", s.spec);
	r = pth_session_open(&s, "replay");
	if (r == 0 && pt_vms_add(s.vms, &cfg, &vm) < 0)
		r = PTH_EXIT_INPUT;
	if (r == 0) {
		ao.dry_run = true;
		if (!s.json)
			printf("plan:\n");
		r = pt_vm_attach(s.engine, vm, (const char *const *)devs, &ao, &steps, &n, &out);
		r = r < 0 ? PTH_EXIT_INPUT :
			    pth_session_outcome(&s, "plan", argv[optind], &out, steps, n);
		pt_steps_free(steps, n);
		pt_outcome_clear(&out);
		steps = NULL;
		n = 0;
		if (r == PTH_EXIT_OK) {
			ao.dry_run = false;
			if (!s.json)
				printf("attach:\n");
			r = pt_vm_attach(s.engine, vm, (const char *const *)devs, &ao, &steps, &n,
					 &out);
			r = r < 0 ? PTH_EXIT_INPUT :
				    pth_session_outcome(&s, "attach", argv[optind], &out, steps, n);
		}
	}
	pt_steps_free(steps, n);
	pt_outcome_clear(&out);
	return pth_session_close(&s, "replay", r);
}
