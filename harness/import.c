/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ptharness import`: bug-report text (group listings, lspci, dmesg, ...) as a recording. */

#include <errno.h>
#include <getopt.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "fakesys.h"
#include "hostsrc.h"
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
	      "`ptharness record --bug-report` bundles; a sosreport folder or tarball gives its\n"
	      "lspci, dmesg, dpdk and /proc/cmdline captures. Prompts, markdown fences and quotes, CRLF\n"
	      "and a diff's +/- prefixes are taken off. A folder or tarball holding sys/ (a /sys\n"
	      "subtree, hwloc-gather-topology's output) is read alone, as --host reads it.\n"
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

static int read_file(struct fks_import *imp, const char *file)
{
	g_autoptr(GError) e = NULL;
	g_autofree char *text = NULL;
	gsize len;

	if (!g_file_get_contents(file, &text, &len, &e)) {
		fprintf(stderr, "ptharness import: %s\n", e->message);
		return -EIO;
	}
	fks_import_add_text(imp, file, text, len);
	return 0;
}

/* What a sosreport tree holds of ours, relative to its top: files, or folders whose every
 * file is read (lspci in all its forms, dmesg, the command line, dpdk-devbind). */
static const char *const sos_paths[] = {
	"proc/cmdline",
	"sos_commands/pci",
	"sos_commands/kernel/dmesg",
	"sos_commands/kernel/dmesg_-T",
	"var/log/dmesg",
	"sos_commands/dpdk",
};

/* A sosreport folder (or one folder above it, as a tarball unpacks). Returns the files
 * read, or a negative errno. */
static int read_dir(struct fks_import *imp, const char *dir)
{
	int found = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(sos_paths); i++) {
		g_autofree char *path = g_build_filename(dir, sos_paths[i], NULL);

		if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
			g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
			const char *name;

			while (d && (name = g_dir_read_name(d)))
				g_ptr_array_add(names, g_build_filename(path, name, NULL));
			g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
			for (guint j = 0; j < names->len; j++) {
				const char *f = *(char **)&names->pdata[j];

				if (g_file_test(f, G_FILE_TEST_IS_REGULAR) &&
				    read_file(imp, f) == 0)
					found++;
			}
		} else if (g_file_test(path, G_FILE_TEST_IS_REGULAR) && read_file(imp, path) == 0) {
			found++;
		}
	}
	if (found == 0) {
		/* A tarball's single top folder. */
		g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
		const char *name;

		while (d && (name = g_dir_read_name(d))) {
			g_autofree char *sub = g_build_filename(dir, name, NULL);

			if (g_file_test(sub, G_FILE_TEST_IS_DIR) &&
			    !g_file_test(sub, G_FILE_TEST_IS_SYMLINK))
				found += read_dir(imp, sub); /* never negative */
		}
	}
	return found;
}

/* A sosreport tarball: unpacked into a private folder (pth_tarball_unpack) and read as a
 * sosreport folder; the folder is removed after. */
static int read_tarball(struct fks_import *imp, const char *file)
{
	g_autoptr(GError) e = NULL;
	char *tmp = pth_tarball_unpack(file, &e);
	int r;

	if (!tmp) {
		fprintf(stderr, "ptharness import: %s\n", e->message);
		return -EIO;
	}
	r = read_dir(imp, tmp);
	if (r == 0)
		fprintf(stderr, "ptharness import: %s: no lspci, dmesg or cmdline in it\n", file);
	pth_tarball_remove(tmp);
	return r < 0 ? r : 0;
}

/*
 * A captured tree (a folder or a tarball holding sys/: a /sys subtree, hwloc-gather-topology's
 * output) is loaded as --host loads it and written as its recording: 1 when files[0] was one
 * (*ret_rec set), 0 when no file is a tree, -EINVAL when a tree comes with other files or
 * does not load.
 */
static int tree_alone(char **files, int n, char **ret_rec)
{
	for (int i = 0; i < n; i++) {
		g_autoptr(GError) e = NULL;
		char *tmp = NULL;
		g_autofree char *root = NULL;
		struct fks_host *host = NULL;
		struct pt_error err = { 0 };
		int r;

		if (pth_is_tarball(files[i]) && g_file_test(files[i], G_FILE_TEST_IS_REGULAR)) {
			tmp = pth_tarball_unpack(files[i], &e);
			if (!tmp) {
				fprintf(stderr, "ptharness import: %s\n", e->message);
				return -EINVAL;
			}
			root = pth_tree_root(tmp);
		} else if (g_file_test(files[i], G_FILE_TEST_IS_DIR)) {
			root = pth_tree_root(files[i]);
		}
		if (!root) {
			pth_tarball_remove(tmp);
			continue;
		}
		r = n > 1 ? -EINVAL : fks_host_new_from_dir(root, NULL, &host, &err);
		pth_tarball_remove(tmp);
		if (n > 1)
			fprintf(stderr, "ptharness import: %s holds a sys/ tree: import it alone\n",
				files[i]);
		else if (r < 0)
			fprintf(stderr, "ptharness import: %s: %s\n", files[i],
				err.reason[0] ? err.reason : g_strerror(-r));
		else
			r = fks_host_export_recording(host, ret_rec);
		fks_host_free(host);
		return r < 0 ? -EINVAL : 1;
	}
	return 0;
}

static int read_all(struct fks_import *imp, char **files, int n)
{
	for (int i = 0; i < n; i++) {
		int r;

		if (g_file_test(files[i], G_FILE_TEST_IS_DIR)) {
			r = read_dir(imp, files[i]);
			if (r == 0)
				fprintf(stderr,
					"ptharness import: %s: no lspci, dmesg or cmdline in it\n",
					files[i]);
		} else if (pth_is_tarball(files[i])) {
			r = read_tarball(imp, files[i]);
		} else {
			r = read_file(imp, files[i]);
		}
		if (r < 0)
			return r;
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
	if (fks_import_acs_override(imp))
		fprintf(stderr,
			"ptharness import: warning: the kernel command line overrides ACS "
			"(pcie_acs_override=): the IOMMU groups shown are not the isolation "
			"the hardware provides\n");
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
	r = tree_alone(argv + optind, argc - optind, &rec);
	if (r == 0)
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
