/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ptharness fake: run an unmodified program against the kernel model of a recorded host. */

#include <errno.h>
#include <getopt.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "commands.h"
#include "fake.h"
#include "session.h"
#include "trace.h"

static const char usage_text[] =
	"Usage: ptharness fake --host REC [OPTIONS] -- CMD [ARGS...]\n"
	"Run CMD against the kernel model of a recorded host: under /sys, every read, write,\n"
	"readlink, readdir and stat is the model's (writes take effect or fail with the kernel's\n"
	"errno). /lib/modules/$(uname -r)/modules.alias holds the recording's vfio_pci\n"
	"aliases (none recorded: no file; preload: to open() only); everything else is the\n"
	"machine's. The exit status is CMD's.\n\n"
	"  --host REC       a umockdev recording or a directory holding sys/\n"
	"  --kernel X.Y     the kernel whose behaviour applies\n"
	"  --faults FILE    inject the faults in FILE (as `fault` lines of fakesys)\n"
	"  --save OUT       write the end state as a recording\n"
	"  --trace FILE     write what CMD did (every access, rule and fault) to FILE\n"
	"  --via MODE       preload: libumockdev-preload, dynamically linked programs only;\n"
	"                   namespace: a private mount namespace with the view over /sys (root);\n"
	"                   auto (default): namespace as root, else preload\n";

struct fake_opts {
	const char *host, *kernel, *faults, *save, *trace;
	enum pth_fake_via via;
};

static int parse(int argc, char **argv, struct fake_opts *o, int *ret_first)
{
	static const struct option longopts[] = { { "host", required_argument, NULL, 'H' },
						  { "kernel", required_argument, NULL, 'K' },
						  { "faults", required_argument, NULL, 'F' },
						  { "save", required_argument, NULL, 'W' },
						  { "trace", required_argument, NULL, 'T' },
						  { "via", required_argument, NULL, 'V' },
						  { "help", no_argument, NULL, 'h' },
						  {} };
	int c;

	/* "+": stop at the first non-option, so that CMD's own options are CMD's. */
	while ((c = getopt_long(argc, argv, "+H:K:F:W:T:V:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'H':
			o->host = optarg;
			break;
		case 'K':
			o->kernel = optarg;
			break;
		case 'F':
			o->faults = optarg;
			break;
		case 'W':
			o->save = optarg;
			break;
		case 'T':
			o->trace = optarg;
			break;
		case 'V':
			if (pth_fake_via_from_string(optarg, &o->via) < 0)
				return pth_usage_error("fake", "unknown --via", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		default:
			return pth_bad_option("fake", c, argv);
		}
	}
	if (!o->host)
		return pth_usage_error("fake", "missing", "--host");
	if (optind >= argc)
		return pth_usage_error("fake", "missing the command after", "--");
	*ret_first = optind;
	return 0;
}

/*
 * VFIO_IOMMU_MAP_DMA charges the pinned pages to the caller's RLIMIT_MEMLOCK unless it has
 * CAP_IPC_LOCK (vfio_pin_pages_remote()). CMD inherits both from us: the model takes ours.
 */
static void memlock_from_process(struct fks_host *host)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { 0 };
	bool cap = syscall(SYS_capget, &h, d) == 0 &&
		   d[CAP_IPC_LOCK / 32].effective & (1u << (CAP_IPC_LOCK % 32));
	struct rlimit rl;
	char v[32];

	fks_host_set(host, "cap_ipc_lock", cap ? "1" : "0");
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)rl.rlim_cur);
		fks_host_set(host, "memlock", v);
	} else if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0) {
		fks_host_set(host, "cap_ipc_lock", "1"); /* unlimited: nothing is refused */
	}
}

static int load(const struct fake_opts *o, struct fks_host **ret)
{
	struct fks_options fo = { .kernel = o->kernel };
	struct pt_error err = { 0 };
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	int r;

	if (g_file_test(o->host, G_FILE_TEST_IS_DIR))
		r = fks_host_new_from_dir(o->host, &fo, ret, &err);
	else
		r = fks_host_new_from_recording(o->host, &fo, ret, &err);
	if (r < 0) {
		fprintf(stderr, "ptharness fake: %s: %s\n", err.path[0] ? err.path : o->host,
			err.reason[0] ? err.reason : g_strerror(-r));
		return r;
	}
	memlock_from_process(*ret);
	if (!o->faults)
		return 0;
	if (!g_file_get_contents(o->faults, &text, NULL, &error)) {
		fprintf(stderr, "ptharness fake: %s\n", error->message);
		return -ENOENT;
	}
	memset(&err, 0, sizeof(err));
	r = fks_host_add_faults(*ret, o->faults, text, &err);
	if (r < 0)
		fprintf(stderr, "ptharness fake: %s: %s\n", err.path[0] ? err.path : o->faults,
			err.reason[0] ? err.reason : g_strerror(-r));
	return r;
}

static void write_trace(FILE *f, struct pt_trace *t)
{
	for (size_t i = 0; i < pt_trace_count(t); i++) {
		const struct pt_event *e = pt_trace_event(t, i);

		fprintf(f, "%-8s %s%s%s%s", pt_event_kind_to_string(e->kind),
			e->path ? e->path : "", e->value ? " \"" : "", e->value ? e->value : "",
			e->value ? "\"" : "");
		if (e->rule)
			fprintf(f, " [%s]", e->rule);
		if (e->result < 0)
			fprintf(f, " -> %s", pth_errno_name(e->result));
		fputc('\n', f);
	}
}

/* --save and --trace once CMD is done. Returns 0, or -errno (message printed). */
static int finish(const struct fake_opts *o, struct fks_host *host, struct pt_trace *trace)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	FILE *f;
	int r;

	if (o->save) {
		r = fks_host_export_recording(host, &text);
		if (r < 0 || !g_file_set_contents(o->save, text, -1, &error)) {
			fprintf(stderr, "ptharness fake: cannot save %s: %s\n", o->save,
				error ? error->message : g_strerror(-r));
			return r < 0 ? r : -EIO;
		}
	}
	if (!o->trace)
		return 0;
	f = fopen(o->trace, "we");
	if (!f) {
		r = -errno;
		fprintf(stderr, "ptharness fake: cannot write %s: %s\n", o->trace, g_strerror(-r));
		return r;
	}
	write_trace(f, trace);
	r = fclose(f) == 0 ? 0 : -errno;
	if (r < 0)
		fprintf(stderr, "ptharness fake: cannot write %s: %s\n", o->trace, g_strerror(-r));
	return r;
}

int pth_cmd_fake(int argc, char **argv)
{
	struct fake_opts o = { .via = PTH_FAKE_AUTO };
	g_autoptr(GError) error = NULL;
	struct fks_host *host = NULL;
	struct pt_backend *be = NULL;
	struct pt_trace *trace = NULL;
	struct pth_fakefs *fs = NULL;
	int first = 0, status = PTH_EXIT_INPUT, r;

	r = parse(argc, argv, &o, &first);
	if (r != 0)
		return r < 0 ? PTH_EXIT_OK : r;
	if (load(&o, &host) < 0)
		goto out;
	be = fks_host_backend(host);
	if (o.trace) {
		if (pt_trace_new(&trace) < 0)
			goto out;
		pt_trace_set_reads(trace, true);
		be->trace = trace;
		fks_host_set_trace(host, trace);
	}
	r = pth_fakefs_mount(host, be, &fs, &error);
	if (r == 0) {
		r = pth_fake_spawn(fs, o.via, (const char *const *)argv + first, -1, &status,
				   &error);
		fs = pth_fakefs_unmount(fs);
	}
	if (r < 0) {
		fprintf(stderr, "ptharness fake: %s\n", error->message);
		status = PTH_EXIT_INPUT;
		goto out;
	}
	/* CMD's status stands, unless what was asked for afterwards could not be written. */
	if (finish(&o, host, trace) < 0 && status == 0)
		status = PTH_EXIT_INPUT;
out:
	pt_backend_free(be);
	fks_host_free(host);
	pt_trace_free(trace);
	return status;
}
