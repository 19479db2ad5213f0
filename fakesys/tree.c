/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading a sysfs tree (a captured directory, the live machine read-only) into the model. */

/*
 * The plan: walk the tree through a backend and reduce it to device blocks, as a recording
 * has them, then hand them to the loader in load.c: one model whatever the capture was.
 */

#include <dirent.h>
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "variant.h"

#define PTH_BLOCK "devices/virtual/ptharness/host"

static bool skip_attr(const char *name)
{
	/* Files a reader must not or cannot read: BAR and ROM windows, write-only triggers. */
	static const char *const skip[] = { "rom", "remove", "rescan", "reset", "uevent" };

	if (g_str_has_prefix(name, "resource") && name[8] != '\0')
		return true;
	for (size_t i = 0; i < ELEMENTSOF(skip); i++)
		if (strcmp(name, skip[i]) == 0)
			return true;
	return false;
}

struct tree_walk {
	struct pt_backend *be;
	struct fks_loader *l;
};

/* A file's content; -EFBIG when it is longer than any attribute the kernel shows (a sysfs
 * attribute is at most a page; config space, 4096 bytes), never a silently cut copy. */
static int read_all(struct pt_backend *be, enum pt_ns ns, const char *path, GByteArray **ret)
{
	uint8_t buf[8192];
	size_t len;
	int r = pt_backend_read(be, ns, path, buf, sizeof(buf), &len);

	if (r < 0)
		return r;
	if (len == sizeof(buf))
		return -EFBIG;
	*ret = g_byte_array_new();
	g_byte_array_append(*ret, buf, (guint)len);
	return 0;
}

/* A file the walk does not use, said once as a finding (trial row 30). */
static void not_used(struct tree_walk *w, const char *path, int r)
{
	const char *why = r == -EXDEV ? "it links out of the tree: not followed" :
			  r == -EFBIG ? "it is larger than the kernel ever shows it: not used" :
					g_strerror(-r);
	char addr[16];
	g_autofree char *dev = g_path_get_dirname(path);
	const char *dbase = strrchr(dev, '/');

	if (!(dbase && fks_parse_address(dbase + 1, addr) == 0))
		addr[0] = '\0';
	fks_loader_note(w->l, "E-CAPTURE-FILE", addr[0] ? addr : NULL, "%s: %s", path, why);
}

static bool has_name(char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

static void read_uevent(struct tree_walk *w, const char *dir, struct fks_rec *rec)
{
	g_autofree char *path = g_strdup_printf("%s/uevent", dir);
	GByteArray *b = NULL;

	if (read_all(w->be, PT_NS_SYS, path, &b) < 0)
		return;
	g_byte_array_append(b, (const guint8 *)"", 1);
	{
		g_auto(GStrv) lines = g_strsplit((char *)b->data, "\n", -1);

		for (guint i = 0; lines[i]; i++)
			if (lines[i][0])
				g_ptr_array_add(rec->env, g_strdup(lines[i]));
	}
	g_byte_array_unref(b);
}

/*
 * The kernel's uevent file has no SUBSYSTEM= line (udev adds it from the subsystem link):
 * pci for a directory named by a PCI address, else the subsystem link's last component.
 */
static void add_subsystem(struct tree_walk *w, const char *dir, struct fks_rec *rec)
{
	g_autofree char *link = g_strdup_printf("%s/subsystem", dir);
	char target[4096], addr[16];
	const char *base = strrchr(dir, '/');
	int r;

	for (guint i = 0; i < rec->env->len; i++)
		if (g_str_has_prefix(rec->env->pdata[i], "SUBSYSTEM="))
			return;
	/* Only the PCI core names a device DDDD:BB:SS.F (pci_setup_device): no link to read. */
	if (base && fks_parse_address(base + 1, addr) == 0) {
		g_ptr_array_add(rec->env, g_strdup("SUBSYSTEM=pci"));
		return;
	}
	r = pt_backend_readlink(w->be, PT_NS_SYS, link, target, sizeof(target));
	/* A dangling target (class/ not captured) still names the subsystem. */
	if (r >= 0 || r == -ENOLINK || r == -EXDEV) {
		const char *sub = strrchr(target, '/');

		g_ptr_array_add(rec->env, g_strdup_printf("SUBSYSTEM=%s", sub ? sub + 1 : target));
	}
}

static void walk_dir(struct tree_walk *w, const char *dir, char **names, const unsigned char *types,
		     size_t n, unsigned depth);

/*
 * The entry's link target into target, as pt_backend_readlink returns it; a listing that
 * says the entry is a file or a directory spares the call (-EINVAL: not a link).
 */
static int entry_readlink(struct tree_walk *w, const char *path, unsigned char type, char *target,
			  size_t size)
{
	if (type == DT_REG || type == DT_DIR)
		return -EINVAL;
	return pt_backend_readlink(w->be, PT_NS_SYS, path, target, size);
}

/*
 * The links of a device directory that cp -L or tar -h turn into copies of their targets:
 * walking those would meet each device again (and the group's members through iommu_group).
 */
static bool copied_link(const char *name)
{
	static const char *const links[] = { "driver",	      "subsystem", "iommu", "physfn",
					     "firmware_node", "device",	   "port",  "of_node",
					     "software_node", "module" };

	for (size_t i = 0; i < ELEMENTSOF(links); i++)
		if (strcmp(name, links[i]) == 0)
			return true;
	return g_str_has_prefix(name, "virtfn");
}

/* iommu_group copied as a directory: keep the names of its members, which it still lists. */
static void copied_group(struct tree_walk *w, const char *path, struct fks_rec *rec)
{
	g_autofree char *devices = g_strdup_printf("%s/devices", path);
	g_autofree char *joined = NULL;
	char **members = NULL;
	size_t n = 0;

	if (pt_backend_list(w->be, PT_NS_SYS, devices, &members, &n) < 0)
		return;
	joined = g_strjoinv(" ", members);
	fks_rec_add(rec, "iommu_group/devices", false, joined, strlen(joined));
	pt_strv_free(members);
}

/* Whether dir is named like a PCI function ("0000:00:1f.2", "10000:e1:00.0"). */
static bool is_pci_dir(const char *dir)
{
	const char *base = strrchr(dir, '/');
	char addr[16];

	return fks_parse_address(base ? base + 1 : dir, addr) == 0;
}

/* The entries of one device directory (files, links, plain subdirectories) into rec. */
static void walk_block(struct tree_walk *w, const char *dir, char **names,
		       const unsigned char *types, size_t n, struct fks_rec *rec,
		       const char *prefix, unsigned depth)
{
	for (size_t i = 0; i < n && depth < 24; i++) {
		g_autofree char *path = g_strconcat(dir, "/", names[i], NULL);
		g_autofree char *name = g_strconcat(prefix, names[i], NULL);
		char target[4096];
		char **sub = NULL;
		unsigned char *subtypes = NULL;
		size_t nsub = 0;
		GByteArray *b = NULL;
		int l;

		if (types[i] == DT_LNK && strcmp(name, "subsystem") == 0)
			continue; /* the view links every device to its bus or class */
		l = entry_readlink(w, path, types[i], target, sizeof(target));

		if ((l >= 0 || l == -ENOLINK || l == -EXDEV) && strcmp(name, "subsystem") == 0)
			continue; /* the view links every device to its bus or class */
		if (l >= 0 || l == -ENOLINK || l == -EXDEV) {
			/* A dangling link is kept: a broken tree is served as it was. */
			fks_rec_add(rec, name, true, target, strlen(target));
			continue;
		}
		if (types[i] != DT_REG &&
		    pt_backend_list_types(w->be, PT_NS_SYS, path, &sub, &subtypes, &nsub) >= 0) {
			if (!prefix[0] && strcmp(names[i], "iommu_group") == 0) {
				copied_group(w, path, rec);
			} else if (!prefix[0] && copied_link(names[i])) {
				/* Its target's copy: that device is walked where it lives. */
			} else if (has_name(sub, nsub, "uevent") || is_pci_dir(path)) {
				walk_dir(w, path, sub, subtypes, nsub, depth + 1);
			} else {
				g_autofree char *pre = g_strconcat(name, "/", NULL);

				walk_block(w, path, sub, subtypes, nsub, rec, pre, depth + 1);
			}
			pt_strv_free(sub);
			free(subtypes);
			continue;
		}
		if (skip_attr(names[i]))
			continue;
		l = read_all(w->be, PT_NS_SYS, path, &b);
		if (l == -EFBIG || l == -EXDEV)
			not_used(w, path, l);
		if (l < 0)
			continue;
		fks_rec_add(rec, name, false, b->data, b->len);
		g_byte_array_unref(b);
	}
}

/*
 * A directory: a device block of its own when it has a uevent file, or is named like a PCI
 * function (hwloc-gather-topology and other copies keep the attributes they read, not
 * uevent), else a plain container.
 */
static void walk_dir(struct tree_walk *w, const char *dir, char **names, const unsigned char *types,
		     size_t n, unsigned depth)
{
	if (depth > 24)
		return;
	if (has_name(names, n, "uevent") || is_pci_dir(dir)) {
		struct fks_rec *rec = fks_rec_new(dir);

		read_uevent(w, dir, rec);
		add_subsystem(w, dir, rec);
		walk_block(w, dir, names, types, n, rec, "", depth);
		fks_loader_add(w->l, rec, 0, NULL);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		g_autofree char *path = g_strconcat(dir, "/", names[i], NULL);
		char target[8];
		char **sub = NULL;
		unsigned char *subtypes = NULL;
		size_t nsub = 0;

		if (types[i] == DT_REG || types[i] == DT_LNK ||
		    entry_readlink(w, path, types[i], target, sizeof(target)) != -EINVAL)
			continue;
		if (pt_backend_list_types(w->be, PT_NS_SYS, path, &sub, &subtypes, &nsub) < 0)
			continue;
		walk_dir(w, path, sub, subtypes, nsub, depth + 1);
		pt_strv_free(sub);
		free(subtypes);
	}
}

static void walk_root(struct tree_walk *w, const char *dir)
{
	unsigned char *types = NULL;
	char **names = NULL;
	size_t n = 0;

	if (pt_backend_list_types(w->be, PT_NS_SYS, dir, &names, &types, &n) < 0)
		return;
	walk_dir(w, dir, names, types, n, 0);
	pt_strv_free(names);
	free(types);
}

/* The class/iommu devices outside devices/virtual/iommu (ptharness record keeps every one):
 * iommufd's selftest IOMMU (CONFIG_IOMMUFD_TEST) is a platform device. */
static void walk_other_iommus(struct tree_walk *w)
{
	char **names = NULL;
	size_t n = 0;

	if (pt_backend_list(w->be, PT_NS_SYS, "class/iommu", &names, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		g_autofree char *link = g_strdup_printf("class/iommu/%s", names[i]);
		g_autofree char *abs = NULL;
		char target[512];

		if (pt_backend_readlink(w->be, PT_NS_SYS, link, target, sizeof(target)) < 0)
			continue;
		abs = g_canonicalize_filename(target, "/class/iommu");
		if (g_str_has_prefix(abs, "/devices/") &&
		    !g_str_has_prefix(abs, "/devices/virtual/iommu/"))
			walk_root(w, abs + 1);
	}
	pt_strv_free(names);
}

/* A netdev stacked on others (bond, bridge, VLAN): it has lower_NAME links. */
static bool stacked_netdev(struct tree_walk *w, const char *dir)
{
	char **names = NULL;
	size_t n = 0;
	bool found = false;

	if (!g_str_has_prefix(dir, "devices/virtual/net/") ||
	    pt_backend_list(w->be, PT_NS_SYS, dir, &names, &n) < 0)
		return false;
	for (size_t i = 0; i < n && !found; i++)
		found = g_str_has_prefix(names[i], "lower_");
	pt_strv_free(names);
	return found;
}

/* A disk or partition of an iSCSI session (.../sessionM/targetN:0:0/...). */
static bool on_iscsi_session(struct tree_walk *w, const char *dir)
{
	(void)w;
	return strstr(dir, "/session") != NULL;
}

static int cmp_strp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The devices of a class the filter keeps, each walked where it lives (once: a partition
 * below a disk already walked is part of that walk).
 */
static void walk_class(struct tree_walk *w, const char *cls,
		       bool (*keep)(struct tree_walk *w, const char *dir))
{
	g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *base = g_strconcat("/", cls, NULL);
	char **names = NULL, target[4096];
	const char *last = NULL;
	size_t n = 0;

	if (pt_backend_list(w->be, PT_NS_SYS, cls, &names, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		g_autofree char *link = g_strconcat(cls, "/", names[i], NULL);
		g_autofree char *abs = NULL;

		if (pt_backend_readlink(w->be, PT_NS_SYS, link, target, sizeof(target)) < 0)
			continue;
		abs = g_canonicalize_filename(target, base);
		if (g_str_has_prefix(abs, "/devices/") && (!keep || keep(w, abs + 1)))
			g_ptr_array_add(dirs, g_strdup(abs + 1));
	}
	pt_strv_free(names);
	g_ptr_array_sort(dirs, cmp_strp);
	for (guint i = 0; i < dirs->len; i++) {
		const char *d = dirs->pdata[i];

		if (last && g_str_has_prefix(d, last) && d[strlen(last)] == '/')
			continue;
		walk_root(w, d);
		last = d;
	}
}

/*
 * hwloc-gather-topology does not copy /proc/sys: it writes what uname said to
 * proc/hwloc-nofile-info, one "Key: value" line each ("OSRelease: 4.9.0-3-amd64").
 */
static void add_hwloc_release(struct tree_walk *w, struct fks_rec *blk)
{
	GByteArray *b = NULL;

	if (read_all(w->be, PT_NS_PROC, "hwloc-nofile-info", &b) < 0)
		return;
	g_byte_array_append(b, (const guint8 *)"", 1);
	{
		g_auto(GStrv) lines = g_strsplit((char *)b->data, "\n", -1);

		for (guint i = 0; lines[i]; i++)
			if (g_str_has_prefix(lines[i], "OSRelease: ") && lines[i][11]) {
				g_autofree char *rel = g_strdup_printf("%s\n", lines[i] + 11);

				fks_rec_add(blk, "proc/sys/kernel/osrelease", false, rel,
					    strlen(rel));
				break;
			}
	}
	g_byte_array_unref(b);
}

/* The vfio_pci lines of the tree's lib/modules/RELEASE/modules.alias, as `ptharness record`
 * keeps them: libvirt's variant pick (lib/variant.c). No such file: the variant is unknown. */
static void add_variant_aliases(struct tree_walk *w, struct fks_rec *blk)
{
	g_autofree char *release = NULL, *lines = NULL, *name = NULL;

	if (pt_variant_read_aliases(w->be, &release, &lines) < 0)
		return;
	name = g_strdup_printf("lib/modules/%s/modules.alias", release);
	fks_rec_add(blk, name, false, lines, strlen(lines));
}

/* kernel/iommu_groups and procfs as a ptharness block, which the loader already knows. */
static void walk_kernel(struct tree_walk *w, bool iommu_shown)
{
	int r;
	struct fks_rec *blk = fks_rec_new(PTH_BLOCK);
	char **groups = NULL, **files = NULL;
	size_t ng = 0, nf = 0;
	GByteArray *b = NULL;

	g_ptr_array_add(blk->env, g_strdup("SUBSYSTEM=ptharness"));
	if (iommu_shown)
		fks_rec_add(blk, "fakesys/iommu_shown", false, "1\n", 2);
	r = read_all(w->be, PT_NS_PROC, "sys/kernel/osrelease", &b);
	if (r >= 0) {
		fks_rec_add(blk, "proc/sys/kernel/osrelease", false, b->data, b->len);
		g_byte_array_unref(b);
	} else {
		if (r == -EXDEV || r == -EFBIG)
			not_used(w, "proc/sys/kernel/osrelease", r);
		add_hwloc_release(w, blk);
	}
	add_variant_aliases(w, blk);
	if (pt_backend_list(w->be, PT_NS_SYS, "kernel/iommu_groups", &groups, &ng) >= 0) {
		for (size_t i = 0; i < ng; i++) {
			g_autofree char *dir = g_strdup_printf("kernel/iommu_groups/%s", groups[i]);
			g_autofree char *ddir = g_strdup_printf("%s/devices", dir);
			g_autoptr(GString) members = g_string_new(NULL);
			char **devs = NULL;
			size_t nd = 0;

			if (pt_backend_list(w->be, PT_NS_SYS, ddir, &devs, &nd) >= 0) {
				for (size_t j = 0; j < nd; j++)
					g_string_append_printf(members, "%s%s", j ? " " : "",
							       devs[j]);
				pt_strv_free(devs);
			}
			{
				g_autofree char *k = g_strdup_printf("sys/%s", ddir);

				fks_rec_add(blk, k, false, members->str, members->len);
			}
			if (pt_backend_list(w->be, PT_NS_SYS, dir, &files, &nf) < 0)
				continue;
			for (size_t j = 0; j < nf; j++) {
				g_autofree char *p = g_strdup_printf("%s/%s", dir, files[j]);
				g_autofree char *k = g_strdup_printf("sys/%s", p);

				if (strcmp(files[j], "devices") == 0 ||
				    read_all(w->be, PT_NS_SYS, p, &b) < 0)
					continue;
				fks_rec_add(blk, k, false, b->data, b->len);
				g_byte_array_unref(b);
			}
			pt_strv_free(files);
		}
		pt_strv_free(groups);
	}
	fks_loader_add(w->l, blk, 0, NULL);
}

_public_ int fks_host_new_from_backend(struct pt_backend *be, const struct fks_options *opts,
				       struct fks_host **ret, struct pt_error *ret_err)
{
	struct tree_walk w = { .be = be };
	char **roots = NULL, **names = NULL;
	bool iommu_shown = false;
	size_t n = 0;
	int r;

	fks_loader_new("sysfs tree", &w.l);
	if (pt_backend_list(be, PT_NS_SYS, "devices", &roots, &n) >= 0) {
		/* PCI roots only (a live machine has thousands of other devices), and the
		 * ptharness block a testbed made from a recording holds. */
		for (size_t i = 0; i < n; i++) {
			g_autofree char *dir = g_strdup_printf("devices/%s", roots[i]);

			if (g_str_has_prefix(roots[i], "pci"))
				walk_root(&w, dir);
		}
		pt_strv_free(roots);
		/* What ptharness record keeps of devices/virtual: IOMMUs, the VFIO and iommufd
		 * misc nodes. */
		walk_root(&w, "devices/virtual/iommu");
		walk_root(&w, "devices/virtual/misc/vfio");
		walk_root(&w, "devices/virtual/misc/iommu");
		walk_root(&w, "devices/virtual/vfio");
		walk_other_iommus(&w);
		/* And what it keeps for the host's network: the netdevs stacked on NICs, an
		 * iSCSI root's session connection and disk (lib/hostcrit.c reads them). */
		walk_class(&w, "class/net", stacked_netdev);
		walk_class(&w, "class/iscsi_connection", NULL);
		walk_class(&w, "class/block", on_iscsi_session);
		if (pt_backend_exists(be, PT_NS_SYS, PTH_BLOCK) > 0)
			walk_root(&w, PTH_BLOCK);
	}
	if (pt_backend_list(be, PT_NS_SYS, "bus/pci/drivers", &names, &n) >= 0) {
		for (size_t i = 0; i < n; i++)
			fks_loader_add_driver(w.l, names[i]);
		pt_strv_free(names);
	}
	if (pt_backend_list(be, PT_NS_SYS, "class/iommu", &names, &n) >= 0) {
		fks_loader_set_iommu_class(w.l, n > 0);
		pt_strv_free(names);
		iommu_shown = pt_backend_exists(be, PT_NS_SYS, "kernel/iommu_groups") > 0;
	}
	/* Only when the tree has no ptharness block of its own (a testbed may). */
	if (!fks_loader_has_block(w.l, PTH_BLOCK))
		walk_kernel(&w, iommu_shown);
	r = fks_loader_finish(w.l, opts, ret, ret_err);
	fks_loader_free(w.l);
	return r;
}

_public_ int fks_host_new_from_dir(const char *root, const struct fks_options *opts,
				   struct fks_host **ret, struct pt_error *ret_err)
{
	struct pt_backend *be = NULL;
	int r = pt_backend_sysfs_new(root, &be);

	if (r < 0)
		return fks_set_error(ret_err, r, root, 0, "%s",
				     r == -ENOENT || r == -ENOTDIR ? "no sys/ directory below it" :
								     g_strerror(-r));
	r = fks_host_new_from_backend(be, opts, ret, ret_err);
	pt_backend_free(be);
	return r;
}
