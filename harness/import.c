/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ptharness import`: bug-report text (group listings, lspci, dmesg, ...) as a recording. */

#include <errno.h>
#include <getopt.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "fakesys.h"
#include "import.h"

static void usage(FILE *f)
{
	fputs("Usage: ptharness import FILE... [-o OUT.umockdev] [--quiet]\n"
	      "\n"
	      "Read what a bug report shows about one machine and write it as a recording that\n"
	      "every --host option loads (--host also takes these files directly). Formats are\n"
	      "detected line by line, so one paste may mix them: IOMMU group listings (the\n"
	      "\"IOMMU Group N:\" loops, one-line forms, find or ls -l of the iommu_groups\n"
	      "directory), lspci (plain, -D, -n, -nn, -k, -v to -vvv, -vmm, -nnvmm, -x to -xxxx),\n"
	      "dmesg or journalctl -k lines, /proc/cmdline, dpdk-devbind.py --status, and\n"
	      "`ptharness record --bug-report` bundles. Prompts, markdown fences and quotes, CRLF\n"
	      "and a diff's +/- prefixes are taken off.\n"
	      "\n"
	      "On stderr: each line no format could use, once, with its number; each conflict\n"
	      "between files (two groups for one device): the fact is then unknown. What the\n"
	      "text does not show stays unknown: config space only comes from a hex dump.\n"
	      "\n"
	      "  -o, --output FILE  write the recording there (default: stdout)\n"
	      "  -q, --quiet        leave out the \"not used\" lines (conflicts are still shown)\n"
	      "\n"
	      "Exit status: 0 written, 2 unreadable file or no PCI device in any of them.\n",
	      f);
}

/*
 * A recording (a `record --bug-report` bundle is one) is already what import makes: given
 * alone it is checked by loading it and passed through unchanged, so its bug-report sections
 * stay with it. Returns 1 when files[0] was such a recording (*ret_rec set), 0 when the files
 * are pastes, -EINVAL when a recording comes with other files or does not load.
 */
static int recording_alone(char **files, int n, char **ret_rec)
{
	for (int i = 0; i < n; i++) {
		g_autofree char *text = NULL;
		struct fks_host *host = NULL;
		struct pt_error err = { 0 };
		gsize len;

		if (!g_file_get_contents(files[i], &text, &len, NULL) ||
		    fks_import_is_paste(text, len) || !g_str_has_prefix(g_strchug(text), "P: "))
			continue;
		if (n > 1) {
			fprintf(stderr, "ptharness import: %s is a recording: import it alone\n",
				files[i]);
			return -EINVAL;
		}
		if (fks_host_new_from_text(files[i], text, len, NULL, &host, &err) < 0) {
			fprintf(stderr, "ptharness import: %s: %s\n", err.path, err.reason);
			return -EINVAL;
		}
		fks_host_free(host);
		*ret_rec = g_steal_pointer(&text);
		return 1;
	}
	return 0;
}

static int read_all(struct fks_import *imp, char **files, int n)
{
	for (int i = 0; i < n; i++) {
		g_autoptr(GError) e = NULL;
		g_autofree char *text = NULL;
		gsize len;

		if (!g_file_get_contents(files[i], &text, &len, &e)) {
			fprintf(stderr, "ptharness import: %s\n", e->message);
			return -EIO;
		}
		fks_import_add_text(imp, files[i], text, len);
	}
	return 0;
}

static void show_messages(const struct fks_import *imp, bool quiet)
{
	unsigned n = fks_import_n_messages(imp), shown = 0;

	for (unsigned i = 0; i < n; i++) {
		const char *m = fks_import_message(imp, i);

		if (quiet && strstr(m, ": not used: "))
			continue;
		fprintf(stderr, "%s\n", m);
		shown++;
	}
	fprintf(stderr,
		"ptharness import: %d devices from %u lines (%u of them recognised and not "
		"needed, %u messages)\n",
		fks_import_dev_count(imp), fks_import_lines_read(imp),
		fks_import_lines_ignored(imp), n);
}

int pth_cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct fks_import *imp = NULL;
	g_autofree char *rec = NULL;
	g_autoptr(GError) e = NULL;
	const char *out = NULL;
	bool quiet = false;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return PTH_EXIT_OK;
		default:
			fprintf(stderr, "ptharness import: bad option '%s'\n", argv[optind - 1]);
			usage(stderr);
			return PTH_EXIT_INPUT;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return PTH_EXIT_INPUT;
	}
	r = recording_alone(argv + optind, argc - optind, &rec);
	if (r < 0)
		return PTH_EXIT_INPUT;
	fks_import_new(&imp);
	r = r == 1 ? 0 : read_all(imp, argv + optind, argc - optind);
	if (r == 0 && !rec) {
		show_messages(imp, quiet);
		r = fks_import_recording(imp, &rec);
		if (r == -ENODATA)
			fprintf(stderr, "ptharness import: no PCI device in the text\n");
	}
	fks_import_free(imp);
	if (r < 0)
		return PTH_EXIT_INPUT;
	if (!out) {
		fputs(rec, stdout);
		return PTH_EXIT_OK;
	}
	if (!g_file_set_contents(out, rec, -1, &e)) {
		fprintf(stderr, "ptharness import: %s\n", e->message);
		return PTH_EXIT_INPUT;
	}
	return PTH_EXIT_OK;
}
