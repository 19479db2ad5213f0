/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ptharness memlock`: the locked-memory limit a VM with assigned devices needs. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "memlock.h"
#include "output.h"
#include "size.h"

static void usage(FILE *f)
{
	fputs("Usage: ptharness memlock --memory SIZE [OPTIONS]\n"
	      "\n"
	      "The RLIMIT_MEMLOCK a VM's QEMU needs for its assigned devices (libvirt's formula:\n"
	      "guest memory + 1 GiB for VFIO devices sharing one address space, once more per\n"
	      "device with a vIOMMU, per NVMe disk and per vDPA device; an explicit hard limit\n"
	      "wins; locked memory is unlimited).\n"
	      "\n"
	      "  --memory SIZE       guest memory (4G, 512M, 1073741824)\n"
	      "  --devices N         VFIO host devices (default 1)\n"
	      "  --viommu            the VM has a vIOMMU\n"
	      "  --nvme N            NVMe disks assigned through VFIO\n"
	      "  --vdpa N            vDPA devices\n"
	      "  --hard-limit SIZE   an explicit <memtune><hard_limit>\n"
	      "  --locked            the VM's memory is locked\n"
	      "  --arch ARCH         x86_64 (default) or ppc64\n"
	      "  --phbs N            ppc64: PCI host bridges (default 1)\n"
	      "  --max-memory SIZE   ppc64: maximum memory with hotplug\n"
	      "  --tcg               not accelerated (ppc64 then pins nothing)\n"
	      "  --apply PID         raise PID's limit to it (never lowered; live host only)\n"
	      "  --json              machine-readable\n",
	      f);
}

static int fail_usage(const char *what, const char *arg)
{
	fprintf(stderr, "ptharness memlock: %s '%s' (see ptharness memlock --help)\n", what, arg);
	return PTH_EXIT_INPUT;
}

static int parse_count(const char *arg, unsigned *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || v > 4096)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

/* What the command line asked: the VM, and what to do with its limit. */
struct memlock_cli {
	struct pt_memlock_vm vm;
	bool json;
	long pid; /* --apply, or -1 */
};

/* A size that must not be zero when nonzero is set. */
static int parse_size_opt(const char *arg, uint64_t *ret, bool nonzero)
{
	if (pth_parse_size(arg, ret) < 0 || (nonzero && *ret == 0))
		return fail_usage("not a memory size:", arg);
	return 0;
}

static int parse_pid(const char *arg, long *ret)
{
	char *end;
	long pid;

	errno = 0;
	pid = strtol(arg, &end, 10);
	if (errno || *end || end == arg || pid <= 0 || pid > 4194304)
		return fail_usage("not a process id:", arg);
	*ret = pid;
	return 0;
}

/* One option; 0, -1 after --help, or an exit status. */
static int parse_option(struct memlock_cli *cli, int c, char **argv)
{
	struct pt_memlock_vm *vm = &cli->vm;
	int r;

	switch (c) {
	case 'm':
		return parse_size_opt(optarg, &vm->memory, true);
	case 'M':
		return parse_size_opt(optarg, &vm->max_memory, false);
	case 'L':
		return parse_size_opt(optarg, &vm->hard_limit, true);
	case 'd':
		return parse_count(optarg, &vm->vfio_devices) < 0 ?
			       fail_usage("not a device count (0..4096):", optarg) :
			       0;
	case 'n':
		return parse_count(optarg, &vm->nvme_disks) < 0 ?
			       fail_usage("not a disk count (0..4096):", optarg) :
			       0;
	case 'D':
		return parse_count(optarg, &vm->vdpa_devices) < 0 ?
			       fail_usage("not a device count (0..4096):", optarg) :
			       0;
	case 'p':
		return parse_count(optarg, &vm->phbs) < 0 || vm->phbs == 0 ?
			       fail_usage("not a PHB count (1..4096):", optarg) :
			       0;
	case 'a':
		r = pt_arch_from_string(optarg);
		if (r < 0)
			return fail_usage("unknown architecture (x86_64, ppc64):", optarg);
		vm->arch = (enum pt_arch)r;
		return 0;
	case 'v':
		vm->viommu = true;
		return 0;
	case 'l':
		vm->locked = true;
		return 0;
	case 't':
		vm->kvm = false;
		return 0;
	case 'A':
		return parse_pid(optarg, &cli->pid);
	case 'j':
		cli->json = true;
		return 0;
	case 'h':
		usage(stdout);
		return -1;
	default:
		return fail_usage(c == ':' ? "option needs a value:" : "unknown option",
				  argv[optind - 1]);
	}
}

static int parse_args(struct memlock_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "memory", required_argument, NULL, 'm' },
		{ "devices", required_argument, NULL, 'd' },
		{ "viommu", no_argument, NULL, 'v' },
		{ "nvme", required_argument, NULL, 'n' },
		{ "vdpa", required_argument, NULL, 'D' },
		{ "hard-limit", required_argument, NULL, 'L' },
		{ "locked", no_argument, NULL, 'l' },
		{ "arch", required_argument, NULL, 'a' },
		{ "phbs", required_argument, NULL, 'p' },
		{ "max-memory", required_argument, NULL, 'M' },
		{ "tcg", no_argument, NULL, 't' },
		{ "apply", required_argument, NULL, 'A' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:d:vn:D:L:la:p:M:tA:jh", opts, NULL)) != -1)
		if ((r = parse_option(cli, c, argv)) != 0)
			return r;
	if (optind < argc)
		return fail_usage("unexpected argument", argv[optind]);
	if (!cli->vm.memory) {
		fputs("ptharness memlock: --memory is required (see ptharness memlock --help)\n",
		      stderr);
		return PTH_EXIT_INPUT;
	}
	return 0;
}

static void print_json(uint64_t bytes, const char *rule)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *text = NULL;
	JsonNode *root;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "bytes");
	if (bytes == PT_MEMLOCK_UNLIMITED)
		json_builder_add_null_value(b);
	else
		json_builder_add_int_value(b, (gint64)bytes);
	json_builder_set_member_name(b, "unlimited");
	json_builder_add_boolean_value(b, bytes == PT_MEMLOCK_UNLIMITED);
	json_builder_set_member_name(b, "rule");
	json_builder_add_string_value(b, rule);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	text = pth_json_to_string(root);
	json_node_unref(root);
	fputs(text, stdout);
}

static void print_text(uint64_t bytes, const char *rule)
{
	g_autofree char *human = NULL;

	if (bytes == PT_MEMLOCK_UNLIMITED) {
		printf("unlimited [%s]\n", rule);
	} else if (bytes == 0) {
		printf("0: nothing to pin, no limit needed [%s]\n", rule);
	} else {
		human = g_format_size_full(bytes, G_FORMAT_SIZE_IEC_UNITS);
		printf("%" G_GUINT64_FORMAT " bytes (%s) [%s]\n", bytes, human, rule);
	}
}

/* --apply PID: raise its limit (never lowered). */
static int apply(long pid, uint64_t bytes)
{
	uint64_t old;
	int r = pt_memlock_apply((int)pid, bytes, &old);

	if (r < 0) {
		fprintf(stderr, "ptharness memlock: raise RLIMIT_MEMLOCK of pid %ld: %s\n", pid,
			g_strerror(-r));
		return PTH_EXIT_FAIL;
	}
	fprintf(stderr, "pid %ld: RLIMIT_MEMLOCK %s\n", pid,
		r ? "raised" : "already high enough, left as it was");
	return PTH_EXIT_OK;
}

int pth_cmd_memlock(int argc, char **argv)
{
	struct memlock_cli cli = {
		.vm = { .arch = PT_ARCH_X86_64, .kvm = true, .vfio_devices = 1 },
		.pid = -1,
	};
	const char *rule = NULL;
	uint64_t bytes;
	int r = parse_args(&cli, argc, argv);

	if (r != 0)
		return r < 0 ? PTH_EXIT_OK : r;
	if (pt_memlock_limit(&cli.vm, &bytes, &rule) < 0) {
		fputs("ptharness memlock: the limit does not fit in 64 bits\n", stderr);
		return PTH_EXIT_INPUT;
	}
	if (cli.json)
		print_json(bytes, rule);
	else
		print_text(bytes, rule);
	return cli.pid > 0 ? apply(cli.pid, bytes) : PTH_EXIT_OK;
}
