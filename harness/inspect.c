/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ptharness inspect`: devices, IOMMU groups, viability, reset methods and SR-IOV of a host. */

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "hostsrc.h"
#include "output.h"

static void usage(FILE *f)
{
	fputs("Usage: ptharness inspect [--host FILE|DIR|live] [--json] [--kernel X.Y]\n"
	      "\n"
	      "Show the host's PCI devices by IOMMU group: whether each group is viable for VFIO\n"
	      "and which member blocks it (with the kernel rule that decides), drivers, reset\n"
	      "methods and SR-IOV state; the VFIO paths the host offers (container, iommufd,\n"
	      "cdev, compat) and each VFIO device's cdev. Read-only.\n"
	      "\n"
	      "  --host SPEC    live (default), a directory holding sys/, or a umockdev recording\n"
	      "  --json         the machine-readable view (schema " PTH_INSPECT_SCHEMA ")\n"
	      "  --kernel X.Y   apply this kernel's rules instead of the host's own version\n"
	      "  --names        add pci.ids vendor and device names to --json (the text view\n"
	      "                 always has them)\n"
	      "  --no-names     leave names out of the text view\n",
	      f);
}

int pth_cmd_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "no-names", no_argument, NULL, 'N' },
		{ "names", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct pt_host_options hopts = { 0 };
	struct pth_host_source_options sopts = { 0 };
	int names = -1; /* default: in the text view only */
	const char *spec = "live";
	struct pth_host_source *src;
	struct pt_host *host = NULL;
	gboolean json = FALSE;
	g_autoptr(GError) error = NULL;
	g_autofree char *out = NULL;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":H:jk:Nnh", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			spec = optarg;
			break;
		case 'j':
			json = TRUE;
			break;
		case 'k':
			hopts.kernel = sopts.kernel = optarg;
			break;
		case 'N':
			names = 0;
			break;
		case 'n':
			names = 1;
			break;
		case 'h':
			usage(stdout);
			return PTH_EXIT_OK;
		default:
			fprintf(stderr,
				"ptharness inspect: %s '%s' (see ptharness inspect --help)\n",
				c == ':' ? "option needs a value:" : "unknown option",
				argv[optind - 1]);
			return PTH_EXIT_INPUT;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ptharness inspect: unexpected argument '%s'\n", argv[optind]);
		return PTH_EXIT_INPUT;
	}

	hopts.names = names < 0 ? !json : names;
	src = pth_host_source_open_with(spec, &sopts, &error);
	if (!src) {
		fprintf(stderr, "ptharness inspect: %s\n", error->message);
		return PTH_EXIT_INPUT;
	}
	r = pth_host_source_scan(src, &hopts, &host, &error);
	if (r < 0) {
		fprintf(stderr, "ptharness inspect: %s\n", error->message);
		pth_host_source_free(src);
		return PTH_EXIT_INPUT;
	}

	if (json) {
		out = pth_host_json_text(host, spec);
	} else {
		out = pth_host_to_text(host, spec);
	}
	/* All or nothing on stdout: the output was built completely before this. */
	fputs(out, stdout);
	pt_host_free(host);
	pth_host_source_free(src);
	return fflush(stdout) == 0 ? PTH_EXIT_OK : PTH_EXIT_INPUT;
}
