/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening a host: the live machine, or a capture loaded into fakesys in memory. */

/*
 * The plan: one table says what kinds of --host input there are and how each is recognised
 * (the one dispatch point; a new kind of capture is a new row). Every capture goes into the
 * kernel model in memory and the engine scans it through the fakesys backend, the same path
 * every other command takes, so `inspect`, `record`, `plan` and `run` see one host. Nothing
 * is written to disk: a recording's names never become file names (the libumockdev testbed
 * this replaced let `../` in a recording write anywhere, and aborted on names it disliked).
 */

#include <errno.h>
#include <string.h>

#include "fakesys.h"
#include "hostsrc.h"
#include "import.h"

struct pth_host_source {
	char *spec;
	enum pth_host_kind kind;
	struct fks_host *fake;
	struct pt_backend *be;
};

static gboolean fail(GError **error, const char *file, guint line, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);

static gboolean fail(GError **error, const char *file, guint line, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (line)
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: %s", file, line, msg);
	else
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", file, msg);
	return FALSE;
}

/* A fakesys load error: its path already says "FILE:LINE" (or names the tree). */
static gboolean fail_load(GError **error, const char *spec, int r, const struct pt_error *err)
{
	const char *where = err->path[0] ? err->path : spec;

	g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", where,
		    err->reason[0] ? err->reason : g_strerror(-r));
	return FALSE;
}

static gboolean is_live(const char *spec)
{
	return strcmp(spec, "live") == 0;
}

static gboolean is_dir(const char *spec)
{
	return g_file_test(spec, G_FILE_TEST_IS_DIR);
}

static gboolean is_file(const char *spec)
{
	return g_file_test(spec, G_FILE_TEST_IS_REGULAR);
}

/*
 * Under umockdev-run (UMOCKDEV_DIR set) "live" is the testbed: umockdev's preload does not
 * catch openat2(), so reading "/" would reach the real /sys and /dev/vfio by surprise (trial
 * row 7), and a detach there would change the real machine. The testbed root is read as a
 * captured tree instead; one without sys/ is refused.
 */
static gboolean open_live(struct pth_host_source *src, const struct fks_options *fo, GError **error)
{
	const char *testbed = g_getenv("UMOCKDEV_DIR");
	int r;

	if (testbed && testbed[0]) {
		struct pt_error err = { 0 };

		r = fks_host_new_from_dir(testbed, fo, &src->fake, &err);
		if (r < 0)
			return fail(error, src->spec, 0,
				    "UMOCKDEV_DIR is set (running under umockdev), so live is its "
				    "testbed %s, and that does not load: %s",
				    testbed, err.reason[0] ? err.reason : g_strerror(-r));
		src->kind = PTH_HOST_DIR; /* a captured tree: nothing of this machine is read */
		return TRUE;
	}
	r = pt_backend_sysfs_new("/", &src->be);
	return r >= 0 || fail(error, src->spec, 0, "%s", g_strerror(-r));
}

static gboolean open_dir(struct pth_host_source *src, const struct fks_options *fo, GError **error)
{
	struct pt_error err = { 0 };
	int r = fks_host_new_from_dir(src->spec, fo, &src->fake, &err);

	return r >= 0 || fail_load(error, src->spec, r, &err);
}

static gboolean open_recording(struct pth_host_source *src, const struct fks_options *fo,
			       GError **error)
{
	g_autoptr(GMappedFile) map = g_mapped_file_new(src->spec, FALSE, NULL);
	const char *mapped = map ? g_mapped_file_get_contents(map) : NULL;
	g_autofree char *text = NULL;
	struct pt_error err = { 0 };
	gsize len;
	int r;

	/* Mapped: a large recording is then never resident whole (fks_host_new_from_mapping).
	 * A pasted bug report (group listings, lspci, dmesg...) becomes a recording first; a
	 * file that cannot be mapped (empty, a pipe, none: reading it tells why) is read. */
	if (mapped && !fks_import_is_paste(mapped, g_mapped_file_get_length(map))) {
		r = fks_host_new_from_mapping(src->spec, mapped, g_mapped_file_get_length(map), fo,
					      &src->fake, &err);
	} else {
		if (!g_file_get_contents(src->spec, &text, &len, error))
			return FALSE;
		if (fks_import_if_paste(src->spec, &text, &len) < 0)
			return fail(error, src->spec, 0, "no PCI device in the pasted text");
		r = fks_host_new_from_text(src->spec, text, len, fo, &src->fake, &err);
	}
	return r >= 0 || fail_load(error, src->spec, r, &err);
}

gboolean pth_is_tarball(const char *file)
{
	static const char *const ends[] = {
		".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2"
	};

	for (size_t i = 0; i < G_N_ELEMENTS(ends); i++)
		if (g_str_has_suffix(file, ends[i]))
			return TRUE;
	return FALSE;
}

void pth_tarball_remove(char *dir)
{
	const char *rm[] = { "rm", "-rf", "--", dir, NULL };

	if (!dir)
		return;
	g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
		     NULL);
	g_free(dir);
}

char *pth_tarball_unpack(const char *file, GError **error)
{
	g_autofree char *tmp = g_dir_make_tmp("ptharness-tar-XXXXXX", error);
	g_autofree char *err = NULL;
	const char *argv[] = {
		"tar", "-xf", file, "-C", tmp, "--no-same-owner", "--no-same-permissions", NULL
	};
	g_autoptr(GError) e = NULL;
	int status = 0;

	if (!tmp)
		return NULL;
	if (!g_spawn_sync(NULL, (char **)argv, NULL,
			  G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
			  &status, &e) ||
	    !g_spawn_check_wait_status(status, NULL)) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: tar: %s", file,
			    e ? e->message : g_strstrip(err));
		pth_tarball_remove(g_steal_pointer(&tmp));
		return NULL;
	}
	return g_steal_pointer(&tmp);
}

char *pth_tree_root(const char *dir)
{
	g_autofree char *sys = g_build_filename(dir, "sys", NULL);
	g_autoptr(GDir) d = NULL;
	char *found = NULL;
	const char *name;

	if (g_file_test(sys, G_FILE_TEST_IS_DIR))
		return g_strdup(dir);
	d = g_dir_open(dir, 0, NULL);
	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *sub = g_build_filename(dir, name, NULL);
		g_autofree char *subsys = g_build_filename(sub, "sys", NULL);

		if (g_file_test(sub, G_FILE_TEST_IS_SYMLINK) ||
		    !g_file_test(subsys, G_FILE_TEST_IS_DIR))
			continue;
		if (found) { /* two trees: not one machine */
			g_free(found);
			return NULL;
		}
		found = g_steal_pointer(&sub);
	}
	return found;
}

/* A tarball of a tree (a /sys subtree, hwloc-gather-topology's output): unpacked into a
 * private folder, loaded in memory like a directory, and the folder removed at once. */
static gboolean open_tarball(struct pth_host_source *src, const struct fks_options *fo,
			     GError **error)
{
	struct pt_error err = { 0 };
	char *tmp = pth_tarball_unpack(src->spec, error);
	g_autofree char *root = tmp ? pth_tree_root(tmp) : NULL;
	int r = root ? fks_host_new_from_dir(root, fo, &src->fake, &err) : -ENOENT;

	pth_tarball_remove(tmp);
	if (!tmp)
		return FALSE;
	if (!root)
		return fail(error, src->spec, 0,
			    "no sys/ directory in the tarball (nor in its one top folder)");
	return r >= 0 ||
	       fail(error, src->spec, 0, "%s", err.reason[0] ? err.reason : g_strerror(-r));
}

static gboolean is_tarball_file(const char *spec)
{
	return g_file_test(spec, G_FILE_TEST_IS_REGULAR) && pth_is_tarball(spec);
}

/*
 * What kind of --host input this is: the first row whose test accepts the spec. Live is a
 * word; a directory is a captured tree (DIR/sys/...), and so is a tarball of one; any other
 * regular file a recording (or a paste, which becomes one).
 */
static const struct host_loader {
	enum pth_host_kind kind;
	gboolean (*matches)(const char *spec);
	gboolean (*open)(struct pth_host_source *src, const struct fks_options *fo, GError **error);
} loaders[] = {
	{ PTH_HOST_LIVE, is_live, open_live },
	{ PTH_HOST_DIR, is_dir, open_dir },
	{ PTH_HOST_DIR, is_tarball_file, open_tarball },
	{ PTH_HOST_RECORDING, is_file, open_recording },
};

struct pth_host_source *pth_host_source_open_with(const char *spec,
						  const struct pth_host_source_options *opts,
						  GError **error)
{
	struct fks_options fo = { .kernel = opts ? opts->kernel : NULL };
	struct pth_host_source *src;
	const struct host_loader *ld = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(loaders) && !ld; i++)
		if (loaders[i].matches(spec))
			ld = &loaders[i];
	if (!ld) {
		fail(error, spec, 0,
		     "no such host: not 'live', a directory holding sys/, or a recording file");
		return NULL;
	}
	src = g_new0(struct pth_host_source, 1);
	src->spec = g_strdup(spec);
	src->kind = ld->kind;
	if (!ld->open(src, &fo, error))
		return pth_host_source_free(src);
	if (src->fake)
		src->be = fks_host_backend(src->fake);
	return src;
}

struct pth_host_source *pth_host_source_open(const char *spec, GError **error)
{
	return pth_host_source_open_with(spec, NULL, error);
}

struct pth_host_source *pth_host_source_free(struct pth_host_source *src)
{
	if (!src)
		return NULL;
	pt_backend_free(src->be);
	fks_host_free(src->fake);
	g_free(src->spec);
	g_free(src);
	return NULL;
}

struct pt_backend *pth_host_source_backend(struct pth_host_source *src)
{
	return src->be;
}

enum pth_host_kind pth_host_source_kind(const struct pth_host_source *src)
{
	return src->kind;
}

const char *pth_host_source_spec(const struct pth_host_source *src)
{
	return src->spec;
}

struct fks_host *pth_host_source_fake(struct pth_host_source *src)
{
	return src->fake;
}

char *pth_host_source_describe_error(const struct pth_host_source *src, const struct pt_error *err)
{
	/* Name the recording's line of the device block the failing path belongs to. */
	guint best_line = src->fake ? fks_host_block_line(src->fake, err->path) : 0;

	if (best_line)
		return g_strdup_printf("%s:%u: %s: %s", src->spec, best_line, err->path,
				       err->reason);
	if (err->path[0])
		return g_strdup_printf("%s: %s: %s", src->spec, err->path, err->reason);
	return g_strdup_printf("%s: %s", src->spec, err->reason);
}

static const char *fact_unknown(void *ctx, const char *address, enum pt_fact fact)
{
	return fact == PT_FACT_DRIVER ? fks_host_driver_unknown(ctx, address) :
					fks_host_group_unknown(ctx, address);
}

/*
 * The model serves an answer for everything (a kernel release, an empty iommu class, no
 * driver link); tell the engine which of them the capture did not show, so that it reports
 * them unknown rather than taking the model's word.
 */
static void capture_options(struct fks_host *fake, struct pt_host_options *o)
{
	const struct fks_capture *c = fks_host_capture(fake);

	o->kernel_not_shown = !o->kernel && !fks_host_kernel_shown(fake);
	o->kernel_evidence = (c->uevents ? PT_SHOWN_UEVENTS : 0) |
			     (c->driver_override ? PT_SHOWN_DRIVER_OVERRIDE : 0);
	if (!c->iommu_shown)
		o->iommu_unknown = c->imported ? "the pasted text shows no IOMMU group and no "
						 "IOMMU unit" :
						 "the capture holds neither the iommu class nor "
						 "kernel/iommu_groups";
	o->iommu_on = c->iommu_on;
	o->unknown = fact_unknown;
	o->ctx = fake;
}

int pth_host_source_scan(struct pth_host_source *src, const struct pt_host_options *opts,
			 struct pt_host **ret, GError **error)
{
	struct pt_host_options o = opts ? *opts : (struct pt_host_options){ 0 };
	struct pt_error err = { 0 };
	struct pt_host *host = NULL;
	int r;

	if (src->fake)
		capture_options(src->fake, &o);
	r = pt_host_new(src->be, &o, &host, &err);

	if (r < 0) {
		g_autofree char *msg = pth_host_source_describe_error(src, &err);

		g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, msg);
		return r;
	}
	for (size_t i = 0; src->fake && i < fks_host_note_count(src->fake) && r >= 0; i++) {
		const struct fks_note *n = fks_host_note(src->fake, i);

		r = pt_host_note(host, n->rule, n->address, n->message);
	}
	if (r < 0) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", src->spec,
			    g_strerror(-r));
		pt_host_free(host);
		return r;
	}
	*ret = host;
	return 0;
}

gboolean pth_recording_check(const char *file, const char *text, GError **error)
{
	struct fks_host *h = NULL;
	struct pt_error err = { 0 };
	int r = fks_host_new_from_text(file, text, strlen(text), NULL, &h, &err);

	fks_host_free(h);
	return r >= 0 || fail_load(error, file, r, &err);
}
