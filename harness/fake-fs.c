/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The FUSE file system of ptharness fake: the model's sysfs view, with its store handlers. */

/*
 * The plan: a libfuse3 high-level file system mounted at ROOT/mnt of a temporary directory,
 * served by libfuse's multi-threaded loop from a thread of ours; every operation that touches
 * the model (not thread-safe) holds one lock, which the VFIO server takes too. Paths map one
 * to one onto PT_NS_SYS of the backend.
 *
 * What the kernel may cache, and for how long: names and attributes (entry and attribute
 * timeouts), never contents (direct I/O: every read(2) reaches the show handler, every write(2)
 * the store handler with exactly its bytes, as kernfs does) and never a failed lookup. A
 * program that only reads (lspci) looks each path up once. Every path the kernel was told
 * about since the last write is remembered; a write that reaches a store handler makes the
 * kernel forget them all before write(2) returns (fuse_invalidate_path, called without the
 * lock while the other threads serve the lookups it may wait for), so a driver link a bind
 * made, or a device a remove took away, is seen by the very next lookup. VFIO calls change no
 * name or attribute of the view. Permission checks that kernfs makes at open (a read-only
 * attribute opened for writing: EACCES) are made in open().
 */

#define FUSE_USE_VERSION 35

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <glib/gstdio.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake.h"
#include "macro.h"
#include "variant.h"

#define READ_MAX 65536

struct pth_fakefs {
	struct fks_host *host;
	struct pt_backend *be;
	char *root; /* the temporary directory */
	char *mountpoint; /* root/mnt: sys/ and dev/ */
	struct fuse *fuse;
	pthread_t thread;
	bool mounted, running;
	pthread_mutex_t lock; /* the model: the FUSE threads and the VFIO server take turns */
	GHashTable *told; /* paths whose name and attributes the kernel may have cached */
	struct pth_fakevfio *vfio;
	char *modules_alias; /* the model's modules.alias lines, or NULL: it has none */
};

#define CACHE_SECONDS 3600.0 /* until a write says otherwise */

static struct pth_fakefs *self(void)
{
	return fuse_get_context()->private_data;
}

/* The two trees at the top of the mount, and the backend namespace each one is. */
static const struct top {
	const char *name;
	enum pt_ns ns;
} tops[] = {
	{ "sys", PT_NS_SYS },
	{ "dev", PT_NS_DEV },
};

/*
 * "sys/bus/pci" -> PT_NS_SYS, "bus/pci"; "dev/vfio" -> PT_NS_DEV, "vfio"; "sys" -> "";
 * "/" -> -EISDIR (the mount's own root); anything else -ENOENT.
 */
static int split(const char *path, enum pt_ns *ret_ns, const char **ret_rel)
{
	while (*path == '/')
		path++;
	if (*path == '\0')
		return -EISDIR;
	for (size_t i = 0; i < ELEMENTSOF(tops); i++) {
		size_t n = strlen(tops[i].name);

		if (strncmp(path, tops[i].name, n) == 0 && (path[n] == '/' || path[n] == '\0')) {
			path += n;
			while (*path == '/')
				path++;
			*ret_ns = tops[i].ns;
			*ret_rel = path;
			return 0;
		}
	}
	return -ENOENT;
}

static const mode_t kind_type[_FKS_STAT_KIND_MAX] = {
	[FKS_STAT_FILE] = S_IFREG,
	[FKS_STAT_DIR] = S_IFDIR,
	[FKS_STAT_LINK] = S_IFLNK,
};

static int fill_stat(struct pth_fakefs *fs, const char *path, struct stat *st)
{
	struct fks_stat fst = { .kind = FKS_STAT_DIR, .mode = 0755 };
	const char *rel;
	enum pt_ns ns;
	int r;

	memset(st, 0, sizeof(*st));
	r = split(path, &ns, &rel);
	if (r < 0 && r != -EISDIR)
		return r;
	if (r == 0 && *rel) {
		r = fks_host_stat(fs->host, ns, rel, &fst);
		if (r < 0)
			return r;
	}
	st->st_mode = kind_type[fst.kind] | fst.mode;
	st->st_nlink = fst.kind == FKS_STAT_DIR ? 2 : 1;
	st->st_size = (off_t)fst.size;
	st->st_uid = 0;
	st->st_gid = 0;
	st->st_blksize = 4096;
	return 0;
}

static int ff_getattr_unlocked(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	return fill_stat(self(), path, st);
}

static int ff_readlink_unlocked(const char *path, char *buf, size_t size)
{
	const char *rel;
	enum pt_ns ns;
	int r = split(path, &ns, &rel);

	if (r < 0)
		return r == -EISDIR ? -EINVAL : r;
	r = pt_backend_readlink(self()->be, ns, rel, buf, size);

	/* A dangling link is still a link: readlink(2) shows its target. */
	return r >= 0 || r == -ENOLINK ? 0 : r;
}

/* The mount's own root: sys and dev. */
static char **top_names(size_t *ret_count)
{
	char **names = calloc(ELEMENTSOF(tops) + 1, sizeof(*names));

	for (size_t i = 0; names && i < ELEMENTSOF(tops); i++)
		names[i] = strdup(tops[i].name);
	*ret_count = ELEMENTSOF(tops);
	return names;
}

static int ff_readdir_unlocked(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
			       struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct pth_fakefs *fs = self();
	char **names = NULL;
	const char *dir;
	enum pt_ns ns;
	size_t n = 0;
	int r;

	r = split(path, &ns, &dir);
	if (r == -EISDIR) {
		names = top_names(&n);
		r = names ? 0 : -ENOMEM;
	} else if (r == 0) {
		r = pt_backend_list(fs->be, ns, dir, &names, &n);
	}
	if (r < 0)
		return r;
	filler(buf, ".", NULL, 0, 0);
	filler(buf, "..", NULL, 0, 0);
	for (size_t i = 0; i < n; i++) {
		g_autofree char *child = g_strconcat(path, "/", names[i], NULL);
		struct stat st;

		/* The entry's type, for readdir's d_type. */
		if (fill_stat(fs, child, &st) < 0)
			continue;
		filler(buf, names[i], &st, 0, 0);
	}
	pt_strv_free(names);
	return 0;
}

static int ff_open_unlocked(const char *path, struct fuse_file_info *fi)
{
	struct stat st;
	int acc = fi->flags & O_ACCMODE;
	int r;

	const char *rel;
	enum pt_ns ns;

	r = fill_stat(self(), path, &st);
	if (r < 0)
		return r;
	if (S_ISDIR(st.st_mode))
		return acc == O_RDONLY ? 0 : -EISDIR;
	/* The VFIO nodes exist so that no program reaches the machine's own; their ioctls
	 * carry no size a FUSE file system could serve: the preload shim serves them
	 * (fake-vfio.c), and an open that reaches the mount instead fails. */
	if (split(path, &ns, &rel) == 0 && ns == PT_NS_DEV)
		return -ENOSYS;
	/* kernfs_fop_open(): no show for a reader or no store for a writer is EACCES, even for
	 * root, whatever the permission bits would let through. */
	if ((acc != O_WRONLY && !(st.st_mode & 0444)) || (acc != O_RDONLY && !(st.st_mode & 0200)))
		return -EACCES;
	fi->direct_io = 1;
	fi->keep_cache = 0;
	return 0;
}

static int ff_read_unlocked(const char *path, char *buf, size_t size, off_t off,
			    struct fuse_file_info *fi)
{
	g_autofree char *tmp = g_malloc(READ_MAX);
	const char *rel;
	size_t len = 0;
	enum pt_ns ns;
	int r;

	r = split(path, &ns, &rel);
	if (r < 0)
		return r;
	r = pt_backend_read(self()->be, ns, rel, tmp, READ_MAX, &len);
	if (r < 0)
		return r;
	if ((size_t)off >= len)
		return 0;
	len = MIN(len - (size_t)off, size);
	memcpy(buf, tmp + off, len);
	return (int)len;
}

static int ff_write_unlocked(const char *path, const char *buf, size_t size, off_t off,
			     struct fuse_file_info *fi)
{
	/* sysfs_kf_write(): the store handler gets the bytes of one write(2), whatever the
	 * offset. */
	const char *rel;
	enum pt_ns ns;
	int r = split(path, &ns, &rel);

	if (r < 0)
		return r;
	r = pt_backend_write(self()->be, ns, rel, buf, size);
	return r < 0 ? r : (int)size;
}

static int ff_truncate_unlocked(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct stat st;
	int r = fill_stat(self(), path, &st);

	/* O_TRUNC of an attribute (the shell's >) is accepted and changes nothing. */
	if (r < 0)
		return r;
	return S_ISDIR(st.st_mode) ? -EISDIR : 0;
}

/* Each operation holds the model for its duration (the VFIO server's thread uses it too). */
#define LOCKED(call)                              \
	({                                        \
		struct pth_fakefs *fs_ = self();  \
		int r_;                           \
		pthread_mutex_lock(&fs_->lock);   \
		r_ = (call);                      \
		pthread_mutex_unlock(&fs_->lock); \
		r_;                               \
	})

static int ff_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct pth_fakefs *fs = self();
	int r;

	pthread_mutex_lock(&fs->lock);
	r = ff_getattr_unlocked(path, st, fi);
	if (r == 0)
		g_hash_table_add(fs->told, g_strdup(path));
	pthread_mutex_unlock(&fs->lock);
	return r;
}

static int ff_readlink(const char *path, char *buf, size_t size)
{
	return LOCKED(ff_readlink_unlocked(path, buf, size));
}

static int ff_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	return LOCKED(ff_readdir_unlocked(path, buf, filler, off, fi, flags));
}

static int ff_open(const char *path, struct fuse_file_info *fi)
{
	return LOCKED(ff_open_unlocked(path, fi));
}

static int ff_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	return LOCKED(ff_read_unlocked(path, buf, size, off, fi));
}

/* The model changed: the kernel forgets every name and attribute it was told. */
static void forget_told(struct pth_fakefs *fs, GHashTable *told)
{
	GHashTableIter it;
	gpointer path;

	g_hash_table_iter_init(&it, told);
	while (g_hash_table_iter_next(&it, &path, NULL))
		fuse_invalidate_path(fs->fuse, path); /* -ENOENT: libfuse forgot it already */
}

static int ff_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct pth_fakefs *fs = self();
	g_autoptr(GHashTable) told = NULL;
	int r;

	pthread_mutex_lock(&fs->lock);
	r = ff_write_unlocked(path, buf, size, off, fi);
	/* A store handler ran (whatever it answered, a fault may have fired): take the set. */
	told = fs->told;
	fs->told = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	pthread_mutex_unlock(&fs->lock);
	forget_told(fs, told);
	return r;
}

static int ff_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	return LOCKED(ff_truncate_unlocked(path, size, fi));
}

/*
 * kernfs has no create, mknod, mkdir, unlink or rename: the VFS answers for it. open(O_CREAT)
 * of a missing name fails in lookup_open() with EACCES; vfs_mknod(), vfs_mkdir(),
 * vfs_unlink(), vfs_rmdir() and vfs_rename() with EPERM.
 */
static int ff_create(const char *p, mode_t m, struct fuse_file_info *fi)
{
	return -EACCES;
}

static int ff_mknod(const char *p, mode_t m, dev_t d)
{
	return -EPERM;
}

static int ff_mkdir(const char *p, mode_t m)
{
	return -EPERM;
}

static int ff_unlink(const char *p)
{
	return -EPERM;
}

static int ff_rename(const char *from, const char *to, unsigned int flags)
{
	return -EPERM;
}

static int ff_chmod(const char *p, mode_t m, struct fuse_file_info *fi)
{
	return 0; /* kernfs accepts it; the model keeps its own modes */
}

static int ff_chown(const char *p, uid_t u, gid_t g, struct fuse_file_info *fi)
{
	return 0;
}

static void *ff_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	cfg->entry_timeout = CACHE_SECONDS;
	cfg->attr_timeout = CACHE_SECONDS;
	cfg->negative_timeout = 0; /* a failed lookup cannot be invalidated by path */
	cfg->direct_io = 1;
	cfg->kernel_cache = 0;
	return fuse_get_context()->private_data;
}

static const struct fuse_operations ff_ops = {
	.init = ff_init,
	.getattr = ff_getattr,
	.readlink = ff_readlink,
	.readdir = ff_readdir,
	.open = ff_open,
	.read = ff_read,
	.write = ff_write,
	.truncate = ff_truncate,
	.create = ff_create,
	.mknod = ff_mknod,
	.mkdir = ff_mkdir,
	.unlink = ff_unlink,
	.rmdir = ff_unlink,
	.rename = ff_rename,
	.chmod = ff_chmod,
	.chown = ff_chown,
};

static void *serve(void *arg)
{
	struct pth_fakefs *fs = arg;
	sigset_t all;

	struct fuse_loop_config cfg = { .clone_fd = 0, .max_idle_threads = 4 };

	/* Signals are the main thread's: it forwards them to the program and unmounts. The
	 * loop's workers inherit the mask. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	fuse_loop_mt(fs->fuse, &cfg);
	return NULL;
}

/*
 * The model's modules.alias, read once before any program runs, as the engine reads it
 * (pt_variant_read_aliases: /lib/modules/OSRELEASE/modules.alias of the model, i.e. the
 * recorded vfio_pci lines of the release the model runs). Untraced: CMD made no such read.
 */
static void read_modules_alias(struct pth_fakefs *fs)
{
	struct pt_trace *trace = fs->be->trace;

	fs->be->trace = NULL;
	if (pt_variant_read_aliases(fs->be, NULL, &fs->modules_alias) < 0)
		fs->modules_alias = NULL;
	fs->be->trace = trace;
}

int pth_fakefs_mount(struct fks_host *host, struct pt_backend *be, struct pth_fakefs **ret,
		     GError **error)
{
	/* default_permissions: the kernel checks the modes as sysfs's own (root-owned) files
	 * are checked, so a user who is not root cannot write sriov_numvfs here either. */
	char arg0[] = "ptharness-fake", opt[] = "-o",
	     names[] = "fsname=ptharness,subtype=ptharness,default_permissions";
	char *argv[] = { arg0, opt, names, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	g_autoptr(GError) e = NULL;
	struct pth_fakefs *fs = g_new0(struct pth_fakefs, 1);
	g_autofree char *sock = NULL;
	int r;

	fs->host = host;
	fs->be = be;
	pthread_mutex_init(&fs->lock, NULL);
	fs->told = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	read_modules_alias(fs);
	fs->root = g_dir_make_tmp("ptharness-fake-XXXXXX", &e);
	if (!fs->root) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(EIO),
			    "cannot make the mount directory: %s", e->message);
		pth_fakefs_unmount(fs);
		return -EIO;
	}
	fs->mountpoint = g_build_filename(fs->root, "mnt", NULL);
	if (g_mkdir(fs->mountpoint, 0755) < 0) {
		r = -errno;
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r), "%s: %s",
			    fs->mountpoint, g_strerror(-r));
		pth_fakefs_unmount(fs);
		return r;
	}
	fs->fuse = fuse_new(&args, &ff_ops, sizeof(ff_ops), fs);
	fuse_opt_free_args(&args);
	if (!fs->fuse || fuse_mount(fs->fuse, fs->mountpoint) != 0) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NODEV,
			    "cannot mount the FUSE file system at %s (needs /dev/fuse, and "
			    "fusermount3 from fuse3 when not root)",
			    fs->mountpoint);
		pth_fakefs_unmount(fs);
		return -ENODEV;
	}
	fs->mounted = true;
	r = -pthread_create(&fs->thread, NULL, serve, fs);
	if (r < 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r),
			    "cannot start the file system thread: %s", g_strerror(-r));
		pth_fakefs_unmount(fs);
		return r;
	}
	fs->running = true;
	sock = g_build_filename(fs->root, "vfio.sock", NULL);
	r = pth_fakevfio_start(host, be, &fs->lock, sock, &fs->vfio, error);
	if (r < 0) {
		pth_fakefs_unmount(fs);
		return r;
	}
	*ret = fs;
	return 0;
}

const char *pth_fakefs_root(const struct pth_fakefs *fs)
{
	return fs->mountpoint;
}

const char *pth_fakefs_scratch(const struct pth_fakefs *fs)
{
	return fs->root;
}

const char *pth_fakefs_vfio_socket(const struct pth_fakefs *fs)
{
	return pth_fakevfio_socket(fs->vfio);
}

const char *pth_fakefs_modules_alias(const struct pth_fakefs *fs)
{
	return fs->modules_alias;
}

struct pth_fakefs *pth_fakefs_unmount(struct pth_fakefs *fs)
{
	if (!fs)
		return NULL;
	fs->vfio = pth_fakevfio_stop(fs->vfio);
	if (fs->running)
		fuse_exit(fs->fuse);
	/* A lazy unmount: the kernel ends the connection, the loop's read fails, it returns. */
	if (fs->mounted)
		fuse_unmount(fs->fuse);
	if (fs->running)
		pthread_join(fs->thread, NULL);
	if (fs->fuse)
		fuse_destroy(fs->fuse);
	if (fs->mountpoint)
		g_rmdir(fs->mountpoint);
	if (fs->root)
		g_rmdir(fs->root);
	g_free(fs->mountpoint);
	g_free(fs->root);
	pthread_mutex_destroy(&fs->lock);
	g_hash_table_destroy(fs->told);
	free(fs->modules_alias);
	g_free(fs);
	return NULL;
}
