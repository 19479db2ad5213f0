/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fake host as a struct pt_backend: every access resolved in the view, writes to stores. */

#include <errno.h>
#include <string.h>

#include "internal.h"

#define SHOW_MAX 16384

struct fks_backend {
	struct pt_backend be;
	struct fks_host *host;
};

static struct fks_host *enter(struct pt_backend *be)
{
	struct fks_host *h = ((struct fks_backend *)be)->host;

	/* Rules and faults of this call go where the caller's trace is. */
	h->trace = be->trace ? be->trace : h->own_trace;
	fks_view_sync(h);
	return h;
}

static struct fks_node *ns_root(struct fks_host *h, enum pt_ns ns)
{
	return (unsigned)ns < _PT_NS_MAX ? h->root[ns] : NULL;
}

/*
 * Resolve path in the view, starting from the directory the last path went through when
 * this one goes through it too: a scan reads some twenty files of one device in a row, and a
 * walk from the root compared every component of every path (a tenth of inspect's time on a
 * 500-device recording). Any node freed since (a view rebuilt, an entry removed) drops it.
 */
static int resolve(struct fks_host *h, enum pt_ns ns, const char *path, bool follow_last,
		   struct fks_node **ret)
{
	struct fks_node *root = ns_root(h, ns), *dir;
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	int r;

	if (!root || n == 0 || slash[1] == '\0' || n >= sizeof(h->last_dir.path))
		return fks_node_resolve(root, path, follow_last, ret);
	if (h->last_dir.root == root && h->last_dir.node && h->last_dir.len == n &&
	    h->last_dir.freed == fks_node_freed() && memcmp(h->last_dir.path, path, n) == 0) {
		dir = h->last_dir.node;
	} else {
		h->last_dir.node = NULL;
		memcpy(h->last_dir.path, path, n);
		h->last_dir.path[n] = '\0';
		r = fks_node_resolve(root, h->last_dir.path, true, &dir);
		if (r < 0 || dir->kind != FKS_NODE_DIR) /* the whole walk says which error */
			return fks_node_resolve(root, path, follow_last, ret);
		h->last_dir.root = root;
		h->last_dir.node = dir;
		h->last_dir.len = n;
		h->last_dir.freed = fks_node_freed();
	}
	return fks_node_resolve_from(root, dir, slash + 1, follow_last, ret);
}

static int fb_read(struct pt_backend *be, enum pt_ns ns, const char *path, void *buf, size_t size,
		   size_t *ret_len)
{
	struct fks_host *h = enter(be);
	/* On the stack: a scan reads some twenty files per device, and a 16 KiB chunk is
	 * beyond malloc's caches (each free merges chunks). */
	char tmp[SHOW_MAX];
	struct fks_node *n;
	size_t len;
	int r;

	r = resolve(h, ns, path, true, &n);
	if (r < 0)
		return r;
	if (n->kind == FKS_NODE_ATTR && !n->attr->show)
		return -EACCES; /* a write-only attribute (reset, bind, ...) */
	r = fks_view_read(h, n, tmp, SHOW_MAX, &len);
	if (r < 0)
		return r;
	*ret_len = MIN(len, size);
	memcpy(buf, tmp, *ret_len);
	return 0;
}

static int fb_write(struct pt_backend *be, enum pt_ns ns, const char *path, const void *data,
		    size_t len)
{
	struct fks_host *h = enter(be);
	struct fks_node *n;
	const struct fks_attr *attr;
	void *obj;
	int r;

	r = resolve(h, ns, path, true, &n);
	if (r < 0)
		return r;
	if (n->kind == FKS_NODE_DIR)
		return -EISDIR;
	if (n->kind != FKS_NODE_ATTR || !n->attr->store)
		return -EACCES; /* read-only: kernfs refuses the open for writing */
	/* sysfs_kf_write(): a 0-byte write never reaches the store function. */
	if (len == 0)
		return 0;
	h->writes++;
	r = fks_fault_check_write(h, n, path);
	if (r < 0)
		return r;
	attr = n->attr;
	obj = n->obj;
	fks_fault_check_remove(h);
	fks_view_sync(h);
	/* The device may have gone with a remove fault: look again. */
	if (resolve(h, ns, path, true, &n) < 0 || n->attr != attr || n->obj != obj)
		return -ENODEV;
	r = attr->store(obj, data, len);
	/* A kill lands after the kernel did what the write asked. */
	fks_fault_check_die(h);
	return r;
}

static int fb_readlink(struct pt_backend *be, enum pt_ns ns, const char *path, char *buf,
		       size_t size)
{
	struct fks_host *h = enter(be);
	struct fks_node *n, *t;
	size_t len;
	int r;

	r = resolve(h, ns, path, false, &n);
	if (r < 0)
		return r;
	if (n->kind != FKS_NODE_LINK)
		return -EINVAL;
	len = strlen(n->target);
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(buf, n->target, len + 1);
	r = resolve(h, ns, path, true, &t);
	if (r == -ENOENT)
		return -ENOLINK;
	if (r < 0)
		return r;
	return (int)len;
}

static int fb_list(struct pt_backend *be, enum pt_ns ns, const char *path, char ***ret_names,
		   size_t *ret_count)
{
	struct fks_host *h = enter(be);
	struct fks_node *n;
	char **names;
	int r;

	r = resolve(h, ns, path, true, &n);
	if (r < 0)
		return r;
	if (n->kind != FKS_NODE_DIR)
		return -ENOTDIR;
	names = g_new0(char *, n->children->len + 1);
	for (guint i = 0; i < n->children->len; i++)
		names[i] = strdup(((struct fks_node *)n->children->pdata[i])->name);
	/* The caller frees with pt_strv_free(): free(), so the array comes from malloc too. */
	{
		char **out = calloc(n->children->len + 1, sizeof(*out));

		if (!out) {
			g_strfreev(names);
			return -ENOMEM;
		}
		memcpy(out, names, n->children->len * sizeof(*out));
		g_free(names);
		*ret_names = out;
	}
	*ret_count = n->children->len;
	return 0;
}

static int fb_exists(struct pt_backend *be, enum pt_ns ns, const char *path)
{
	struct fks_host *h = enter(be);
	struct fks_node *n;

	return resolve(h, ns, path, true, &n) == 0;
}

static int fb_dev_open(struct pt_backend *be, const char *path, int flags)
{
	return fks_vfio_open(enter(be), path, flags);
}

static int fb_dev_ioctl(struct pt_backend *be, int handle, unsigned long request, void *arg)
{
	return fks_vfio_ioctl(enter(be), handle, request, arg);
}

static int fb_dev_close(struct pt_backend *be, int handle)
{
	return fks_vfio_close(enter(be), handle);
}

static void fb_free(struct pt_backend *be)
{
	g_free(be);
}

static const struct pt_backend_ops fks_backend_ops = {
	.name = "fakesys",
	.read = fb_read,
	.write = fb_write,
	.readlink = fb_readlink,
	.list = fb_list,
	.exists = fb_exists,
	.dev_open = fb_dev_open,
	.dev_ioctl = fb_dev_ioctl,
	.dev_close = fb_dev_close,
	.free = fb_free,
};

_public_ struct pt_backend *fks_host_backend(struct fks_host *host)
{
	struct fks_backend *fb = g_new0(struct fks_backend, 1);

	fb->be.ops = &fks_backend_ops;
	fb->be.live = false;
	fb->host = host;
	return &fb->be;
}
