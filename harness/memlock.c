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

int pth_cmd_memlock(int argc, char **argv)
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
	struct pt_memlock_vm vm = { .arch = PT_ARCH_X86_64, .kvm = true, .vfio_devices = 1 };
	const char *rule = NULL;
	bool json = false;
	uint64_t bytes;
	long pid = -1;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:d:vn:D:L:la:p:M:tA:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (pth_parse_size(optarg, &vm.memory) < 0 || vm.memory == 0)
				return fail_usage("not a memory size:", optarg);
			break;
		case 'M':
			if (pth_parse_size(optarg, &vm.max_memory) < 0)
				return fail_usage("not a memory size:", optarg);
			break;
		case 'L':
			if (pth_parse_size(optarg, &vm.hard_limit) < 0 || vm.hard_limit == 0)
				return fail_usage("not a memory size:", optarg);
			break;
		case 'd':
			if (parse_count(optarg, &vm.vfio_devices) < 0)
				return fail_usage("not a device count:", optarg);
			break;
		case 'n':
			if (parse_count(optarg, &vm.nvme_disks) < 0)
				return fail_usage("not a disk count:", optarg);
			break;
		case 'D':
			if (parse_count(optarg, &vm.vdpa_devices) < 0)
				return fail_usage("not a device count:", optarg);
			break;
		case 'p':
			if (parse_count(optarg, &vm.phbs) < 0 || vm.phbs == 0)
				return fail_usage("not a PHB count:", optarg);
			break;
		case 'a':
			r = pt_arch_from_string(optarg);
			if (r < 0)
				return fail_usage("unknown architecture (x86_64, ppc64):", optarg);
			vm.arch = (enum pt_arch)r;
			break;
		case 'v':
			vm.viommu = true;
			break;
		case 'l':
			vm.locked = true;
			break;
		case 't':
			vm.kvm = false;
			break;
		case 'A': {
			char *end;

			pid = strtol(optarg, &end, 10);
			if (*end || end == optarg || pid <= 0)
				return fail_usage("not a process id:", optarg);
			break;
		}
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return PTH_EXIT_OK;
		default:
			return fail_usage(c == ':' ? "option needs a value:" : "unknown option",
					  argv[optind - 1]);
		}
	}
	if (optind < argc)
		return fail_usage("unexpected argument", argv[optind]);
	if (!vm.memory) {
		fputs("ptharness memlock: --memory is required (see ptharness memlock --help)\n",
		      stderr);
		return PTH_EXIT_INPUT;
	}
	r = pt_memlock_limit(&vm, &bytes, &rule);
	if (r < 0) {
		fputs("ptharness memlock: the limit does not fit in 64 bits\n", stderr);
		return PTH_EXIT_INPUT;
	}

	if (json) {
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
	} else if (bytes == PT_MEMLOCK_UNLIMITED) {
		printf("unlimited [%s]\n", rule);
	} else if (bytes == 0) {
		printf("0: nothing to pin, no limit needed [%s]\n", rule);
	} else {
		g_autofree char *human = g_format_size_full(bytes, G_FORMAT_SIZE_IEC_UNITS);

		printf("%" G_GUINT64_FORMAT " bytes (%s) [%s]\n", bytes, human, rule);
	}

	if (pid > 0) {
		uint64_t old;

		r = pt_memlock_apply((int)pid, bytes, &old);
		if (r < 0) {
			fprintf(stderr, "ptharness memlock: raise RLIMIT_MEMLOCK of pid %ld: %s\n",
				pid, g_strerror(-r));
			return PTH_EXIT_FAIL;
		}
		fprintf(stderr, "pid %ld: RLIMIT_MEMLOCK %s\n", pid,
			r ? "raised" : "already high enough, left as it was");
	}
	return PTH_EXIT_OK;
}
