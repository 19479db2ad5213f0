/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests only: a recording in a libumockdev testbed, scanned from disk as umockdev lays it out. */

/*
 * The plan for a recording: check its syntax ourselves (libumockdev names no lines), feed it
 * to libumockdev one device block at a time (its whole-file loader is quadratic), then add
 * what a real kernel shows and umockdev does not create: bus/pci/drivers/<name>/<BDF> links,
 * kernel/iommu_groups/N/devices/<BDF> links, and procfs files. Those come from the
 * recording's ptharness block (P: /devices/virtual/ptharness/host, see docs/recordings.md)
 * when it has one, else from the devices' own driver and iommu_group links. The pseudo-device
 * is removed afterwards, so the tree the engine scans looks like a kernel's.
 */

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <umockdev.h>
#include <unistd.h>

#include "umockdev-tree.h"
#include "module.h"

#define PTH_BLOCK_PATH "/devices/virtual/ptharness/host"

struct umt_testbed {
	char *spec;
	char *root;
	UMockdevTestbed *testbed;
	const struct umockdev_api *umockdev;
	struct pt_backend *be;
};

/*
 * libumockdev, and the libudev, libpcap, D-Bus and systemd libraries it needs, are loaded when
 * a recording is opened, not when ptharness starts: a host given as a directory, or live, has
 * no use for them. Each pointer has the type of the function it stands for.
 */
#define UMOCKDEV_SONAME "libumockdev.so.0"

struct umockdev_api {
	__typeof__(umockdev_testbed_new) *testbed_new;
	__typeof__(umockdev_testbed_get_root_dir) *get_root_dir;
	__typeof__(umockdev_testbed_add_from_string) *add_from_string;
};

static const struct umockdev_api *umockdev(GError **error)
{
	static struct umockdev_api api;
	static bool loaded;
	const struct pth_symbol syms[] = {
		{ "umockdev_testbed_new", (gpointer *)&api.testbed_new },
		{ "umockdev_testbed_get_root_dir", (gpointer *)&api.get_root_dir },
		{ "umockdev_testbed_add_from_string", (gpointer *)&api.add_from_string },
	};

	if (!loaded)
		loaded = pth_module_load(UMOCKDEV_SONAME, "libumockdev, needed to open recordings",
					 NULL, syms, G_N_ELEMENTS(syms), error);
	return loaded ? &api : NULL;
}

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

static gboolean is_hex(const char *s)
{
	for (; *s; s++)
		if (!g_ascii_isxdigit(*s))
			return FALSE;
	return TRUE;
}

/*
 * One line of a block: "T: value" or "T: key=value" with T one of umockdev's types. keys
 * holds the block's file names so far: libumockdev aborts the process (g_error) on a link
 * over an existing name, so such a recording is refused here instead.
 */
static gboolean check_line(const char *file, guint no, const char *line, gboolean *subsystem,
			   GHashTable *keys, GError **error)
{
	const char *val = line + 3, *eq;

	if (strlen(line) < 3 || line[1] != ':' || line[2] != ' ')
		return fail(error, file, no, "expected \"T: value\", got '%.40s'", line);
	eq = strchr(val, '=');
	switch (line[0]) {
	case 'P':
		return fail(error, file, no, "P: line inside a device block (missing blank line?)");
	case 'S':
		return TRUE;
	case 'N':
		return eq == NULL || is_hex(eq + 1) ||
		       fail(error, file, no, "device node contents are not hexadecimal");
	case 'E':
		if (eq && g_str_has_prefix(val, "SUBSYSTEM=")) {
			if (*subsystem)
				return fail(error, file, no, "duplicate SUBSYSTEM property");
			*subsystem = TRUE;
		}
		G_GNUC_FALLTHROUGH;
	case 'A':
	case 'L':
		if (!eq || eq == val)
			return fail(error, file, no, "expected key=value after '%c: '", line[0]);
		if (line[0] == 'E')
			return TRUE;
		{
			g_autofree char *key = g_strndup(val, (gsize)(eq - val));

			if (line[0] == 'L' && strcmp(key, "subsystem") == 0)
				return fail(error, file, no,
					    "'L: subsystem' is not recorded: umockdev creates it");
			if (g_hash_table_contains(keys, key) && line[0] == 'L')
				return fail(error, file, no, "'%s' is given twice in this block",
					    key);
			g_hash_table_add(keys, g_steal_pointer(&key));
		}
		return TRUE;
	case 'H':
		if (!eq || eq == val)
			return fail(error, file, no, "expected key=value after 'H: '");
		if (strlen(eq + 1) % 2 != 0 || !is_hex(eq + 1))
			return fail(error, file, no,
				    "binary attribute '%.*s' is not an even number of hex digits "
				    "(truncated?)",
				    (int)(eq - val), val);
		return TRUE;
	default:
		return fail(error, file, no, "unknown line type '%c'", line[0]);
	}
}

/*
 * Device paths: each once, and no attribute of one block inside another block's device
 * directory (libumockdev aborts the process on either: "device ... already exists").
 */
static gboolean check_devices(const char *file, char **lines, GError **error)
{
	g_autoptr(GHashTable) devs = g_hash_table_new(g_str_hash, g_str_equal);
	const char *dev = NULL;

	for (guint i = 0; lines[i]; i++)
		if (g_str_has_prefix(lines[i], "P: ")) {
			if (g_hash_table_contains(devs, lines[i] + 3))
				return fail(
					error, file, i + 1,
					"device %s is described twice (first at line %u)",
					lines[i] + 3,
					GPOINTER_TO_UINT(g_hash_table_lookup(devs, lines[i] + 3)));
			g_hash_table_insert(devs, lines[i] + 3, GUINT_TO_POINTER(i + 1));
		}
	for (guint i = 0; lines[i]; i++) {
		const char *l = lines[i], *eq = strchr(l, '=');
		g_autofree char *path = NULL;

		if (g_str_has_prefix(l, "P: ")) {
			dev = l + 3;
			continue;
		}
		if (!dev || !eq || !(l[0] == 'A' || l[0] == 'H' || l[0] == 'L') ||
		    !memchr(l + 3, '/', (size_t)(eq - l - 3)))
			continue;
		path = g_strdup_printf("%s/%.*s", dev, (int)(eq - l - 3), l + 3);
		for (char *slash = strrchr(path, '/'); slash && slash > path + strlen(dev);
		     slash = strrchr(path, '/')) {
			*slash = '\0';
			if (g_hash_table_contains(devs, path))
				return fail(
					error, file, i + 1,
					"attribute lies inside device %s, which has its own block "
					"(line %u)",
					path, GPOINTER_TO_UINT(g_hash_table_lookup(devs, path)));
		}
	}
	return TRUE;
}

gboolean umt_recording_check(const char *file, const char *text, GError **error)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	g_autoptr(GHashTable) keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	gboolean in_block = FALSE, subsystem = FALSE, any = FALSE;
	guint block_start = 0;

	for (guint i = 0; lines[i]; i++) {
		const char *l = lines[i];
		guint no = i + 1;

		if (l[0] == '\0') {
			if (in_block && !subsystem)
				return fail(error, file, block_start,
					    "device block has no E: SUBSYSTEM= property");
			in_block = FALSE;
			continue;
		}
		if (!in_block) {
			if (!g_str_has_prefix(l, "P: "))
				return fail(error, file, no,
					    "a device block must start with \"P: /devices/...\"");
			if (!g_str_has_prefix(l + 3, "/devices/"))
				return fail(error, file, no,
					    "device path '%s' is not under /devices/", l + 3);
			in_block = TRUE;
			subsystem = FALSE;
			g_hash_table_remove_all(keys);
			block_start = no;
			any = TRUE;
			continue;
		}
		if (!check_line(file, no, l, &subsystem, keys, error))
			return FALSE;
	}
	if (in_block && !subsystem)
		return fail(error, file, block_start, "device block has no E: SUBSYSTEM= property");
	if (!any)
		return fail(error, file, 0, "no device blocks: not a umockdev recording");
	return check_devices(file, lines, error);
}

/* Feed the recording to libumockdev one block at a time, remembering where each starts. */
static gboolean load_blocks(struct umt_testbed *src, const char *text, GError **error)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	g_autoptr(GString) block = g_string_new(NULL);
	guint start = 0;

	for (guint i = 0;; i++) {
		const char *l = lines[i];

		if (!l || l[0] == '\0') {
			if (block->len > 0) {
				g_autoptr(GError) e = NULL;

				if (!src->umockdev->add_from_string(src->testbed, block->str, &e))
					return fail(error, src->spec, start, "%s", e->message);
				g_string_truncate(block, 0);
			}
			if (!l)
				break;
			continue;
		}
		if (block->len == 0)
			start = i + 1;
		g_string_append(block, l);
		g_string_append_c(block, '\n');
	}
	return TRUE;
}

static gboolean write_file(const char *path, const char *content, GError **error)
{
	g_autofree char *dir = g_path_get_dirname(path);

	if (g_mkdir_with_parents(dir, 0755) < 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
			    "cannot create %s: %s", dir, g_strerror(errno));
		return FALSE;
	}
	return g_file_set_contents(path, content, -1, error);
}

static gboolean make_link(const char *target, const char *path, GError **error)
{
	g_autofree char *dir = g_path_get_dirname(path);

	if (g_mkdir_with_parents(dir, 0755) < 0 || (symlink(target, path) < 0 && errno != EEXIST)) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
			    "cannot create %s: %s", path, g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

/* The canonical path of a PCI device below sys/, "devices/pci0000:00/...". */
static char *device_syspath(const char *sys, const char *bdf)
{
	g_autofree char *link = g_build_filename(sys, "bus/pci/devices", bdf, NULL);
	g_autofree char *target = g_file_read_link(link, NULL);

	if (!target)
		return NULL;
	/* umockdev writes "../../../devices/..." */
	while (g_str_has_prefix(target, "../"))
		memmove(target, target + 3, strlen(target + 3) + 1);
	return g_steal_pointer(&target);
}

/* iommu_groups/N/devices/<BDF> links for the BDFs named in a space-separated list. */
static gboolean add_group_members(const char *sys, const char *group, const char *list,
				  GError **error)
{
	g_auto(GStrv) bdfs = g_strsplit_set(list, " \n", -1);

	for (guint i = 0; bdfs[i]; i++) {
		g_autofree char *dev = NULL, *link = NULL, *target = NULL;

		if (bdfs[i][0] == '\0')
			continue;
		dev = device_syspath(sys, bdfs[i]);
		link = g_build_filename(sys, "kernel/iommu_groups", group, "devices", bdfs[i],
					NULL);
		/* A member that is not a device of the recording stays a dangling link, as a
		 * broken bug-report tree would have it; the scan reports it. */
		target = g_strdup_printf("../../../../%s", dev ? dev : "devices/missing");
		if (!make_link(target, link, error))
			return FALSE;
	}
	return TRUE;
}

/* Copy the ptharness block's files into sys/ and proc/ of the testbed. */
static gboolean apply_host_block(const char *root, const char *dir, const char *prefix,
				 GError **error)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (!d)
		return TRUE;
	while ((name = g_dir_read_name(d))) {
		g_autofree char *from = g_build_filename(dir, name, NULL);
		g_autofree char *rel =
			prefix[0] ? g_build_filename(prefix, name, NULL) : g_strdup(name);

		if (g_file_test(from, G_FILE_TEST_IS_SYMLINK))
			continue;
		if (g_file_test(from, G_FILE_TEST_IS_DIR)) {
			if (!apply_host_block(root, from, rel, error))
				return FALSE;
			continue;
		}
		if (!g_str_has_prefix(rel, "sys/") && !g_str_has_prefix(rel, "proc/"))
			continue; /* uevent and umockdev's own files */
		{
			g_autofree char *content = NULL;
			g_autofree char *group = NULL;

			if (!g_file_get_contents(from, &content, NULL, error))
				return FALSE;
			if (strcmp(rel, "sys/bus/pci/drivers") == 0) {
				/* The drivers present, bound or not: their directories. */
				g_auto(GStrv) names = g_strsplit_set(content, " \n", -1);

				for (guint i = 0; names[i]; i++) {
					g_autofree char *drv = NULL;

					if (!names[i][0] || strchr(names[i], '/'))
						continue;
					drv = g_build_filename(root, "sys/bus/pci/drivers",
							       names[i], NULL);
					if (g_mkdir_with_parents(drv, 0755) < 0)
						return fail(error, drv, 0, "%s", g_strerror(errno));
				}
			} else if (g_str_has_prefix(rel, "sys/kernel/iommu_groups/") &&
				   g_str_has_suffix(rel, "/devices")) {
				g_autofree char *sys = g_build_filename(root, "sys", NULL);
				g_autofree char *gdir = g_path_get_dirname(rel);

				group = g_path_get_basename(gdir);
				if (!add_group_members(sys, group, content, error))
					return FALSE;
			} else {
				g_autofree char *to = g_build_filename(root, rel, NULL);

				if (!write_file(to, content, error))
					return FALSE;
			}
		}
	}
	return TRUE;
}

void umt_remove_tree(const char *path)
{
	g_autoptr(GDir) d = NULL;
	const char *name;

	if (!g_file_test(path, G_FILE_TEST_IS_SYMLINK) && (d = g_dir_open(path, 0, NULL)))
		while ((name = g_dir_read_name(d))) {
			g_autofree char *child = g_build_filename(path, name, NULL);

			umt_remove_tree(child);
		}
	g_remove(path);
}

/* Driver directories and, without a ptharness block, groups from the devices' links. */
static gboolean complete_from_links(const char *sys, gboolean groups, GError **error)
{
	g_autofree char *devdir = g_build_filename(sys, "bus/pci/devices", NULL);
	g_autoptr(GDir) d = g_dir_open(devdir, 0, NULL);
	const char *bdf;

	while (d && (bdf = g_dir_read_name(d))) {
		g_autofree char *dev = device_syspath(sys, bdf);
		g_autofree char *drv_link = NULL, *grp_link = NULL, *drv = NULL, *grp = NULL;

		if (!dev)
			continue;
		drv_link = g_build_filename(sys, dev, "driver", NULL);
		grp_link = g_build_filename(sys, dev, "iommu_group", NULL);
		drv = g_file_read_link(drv_link, NULL);
		grp = g_file_read_link(grp_link, NULL);
		if (drv) {
			g_autofree char *name = g_path_get_basename(drv);
			g_autofree char *link =
				g_build_filename(sys, "bus/pci/drivers", name, bdf, NULL);
			g_autofree char *target = g_strdup_printf("../../../../%s", dev);

			if (!make_link(target, link, error))
				return FALSE;
		}
		if (grp && groups) {
			g_autofree char *id = g_path_get_basename(grp);

			if (!add_group_members(sys, id, bdf, error))
				return FALSE;
		}
	}
	return TRUE;
}

static gboolean open_recording(struct umt_testbed *src, GError **error)
{
	g_autofree char *text = NULL, *sys = NULL, *block = NULL;
	gboolean has_block;

	if (!g_file_get_contents(src->spec, &text, NULL, error))
		return FALSE;
	if (!umt_recording_check(src->spec, text, error))
		return FALSE;
	if (!(src->umockdev = umockdev(error)))
		return FALSE;
	src->testbed = src->umockdev->testbed_new();
	src->root = src->umockdev->get_root_dir(src->testbed); /* transfer full */
	if (!load_blocks(src, text, error))
		return FALSE;

	sys = g_build_filename(src->root, "sys", NULL);
	block = g_build_filename(sys, PTH_BLOCK_PATH, NULL);
	has_block = g_file_test(block, G_FILE_TEST_IS_DIR);
	if (has_block && !apply_host_block(src->root, block, "", error))
		return FALSE;
	if (!complete_from_links(sys, !has_block, error))
		return FALSE;
	if (has_block) {
		g_autofree char *cls = g_build_filename(sys, "class/ptharness", NULL);

		umt_remove_tree(block);
		umt_remove_tree(cls);
	}
	return TRUE;
}

struct umt_testbed *umt_testbed_open(const char *spec, GError **error)
{
	struct umt_testbed *src = g_new0(struct umt_testbed, 1);
	int r;

	src->spec = g_strdup(spec);
	if (!open_recording(src, error))
		return umt_testbed_free(src);
	r = pt_backend_sysfs_new(src->root, &src->be);
	if (r < 0) {
		fail(error, spec, 0, "%s",
		     r == -ENOENT || r == -ENOTDIR ? "no sys/ directory below it" : g_strerror(-r));
		return umt_testbed_free(src);
	}
	return src;
}

struct umt_testbed *umt_testbed_free(struct umt_testbed *src)
{
	if (!src)
		return NULL;
	pt_backend_free(src->be);
	if (src->testbed)
		g_object_unref(src->testbed); /* removes its directory */
	g_free(src->root);
	g_free(src->spec);
	g_free(src);
	return NULL;
}

struct pt_backend *umt_testbed_backend(struct umt_testbed *src)
{
	return src->be;
}
