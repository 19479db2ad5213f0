/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ptharness: test and validation harness for PCI device passthrough (VFIO). */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "inspect", pth_cmd_inspect, "show devices, IOMMU groups, viability, resets, SR-IOV" },
	{ "record", pth_cmd_record, "write the host as a umockdev recording (with IOMMU groups)" },
	{ "import", pth_cmd_import, "bug-report text (lspci, group lists, dmesg) as a host" },
	{ "memlock", pth_cmd_memlock, "the locked-memory limit a VM with assigned devices needs" },
	{ "detach", pth_cmd_detach, "move a device to a stub driver (vfio-pci), verified" },
	{ "reattach", pth_cmd_reattach, "give a detached device back to its driver" },
	{ "reset", pth_cmd_reset, "reset a device the way the kernel or VFIO would" },
	{ "vfio-open", pth_cmd_vfio_open, "open a device through VFIO as QEMU does, DMA map" },
	{ "select-vf", pth_cmd_select_vf, "choose a free VF (or device) for a VM" },
	{ "set-numvfs", pth_cmd_set_numvfs, "enable or disable a PF's VFs" },
	{ "attach", pth_cmd_attach, "give devices to a VM, all or nothing" },
	{ "plan", pth_cmd_plan, "what attach would do, changing nothing" },
	{ "release", pth_cmd_release, "take a VM's devices back" },
	{ "migrate-check", pth_cmd_migrate_check, "can a VM with host devices migrate, and how" },
	{ "replay", pth_cmd_replay, "the plan and trace of an attach on a recorded host" },
	{ "report", pth_cmd_report, "render a result as JUnit, KTAP or HTML; merge shards" },
	{ "run", pth_cmd_run, "run scenario files (the bundled suite by default)" },
	{ "certify", pth_cmd_certify, "certify a device for passthrough; write the certificate" },
	{ "fake", pth_cmd_fake, "run a program against the kernel model of a recorded host" },
	{ "recover", pth_cmd_recover, "put a host back after a command was killed midway" },
};

static void usage(FILE *f)
{
	fputs("Usage: ptharness COMMAND [OPTIONS]\n\nCommands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'ptharness COMMAND --help' for a command's options.\n", f);
}

/* What a command printed must have reached standard output (a full disk, a closed pipe):
 * otherwise say so and exit 2, whatever the command returned. */
static int flushed(int status)
{
	int err = fflush(stdout) != 0 ? errno : 0;

	if (err || ferror(stdout)) {
		fprintf(stderr, "ptharness: cannot write standard output: %s\n",
			err ? strerror(err) : "a write failed");
		return PTH_EXIT_INPUT;
	}
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return PTH_EXIT_INPUT;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return PTH_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("ptharness " PTH_VERSION);
		return PTH_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return flushed(commands[i].run(argc - 1, argv + 1));
	fprintf(stderr, "ptharness: unknown command '%s' (see ptharness --help)\n", argv[1]);
	return PTH_EXIT_INPUT;
}
