/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Export: the view written out as a directory tree that real tools (lspci) can read. */

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static int write_node(struct fks_host *h, struct fks_node *n, const char *path)
{
	switch (n->kind) {
	case FKS_NODE_DIR:
		if (g_mkdir_with_parents(path, 0755) < 0)
			return -errno;
		for (guint i = 0; i < n->children->len; i++) {
			struct fks_node *c = n->children->pdata[i];
			g_autofree char *p = g_build_filename(path, c->name, NULL);
			int r = write_node(h, c, p);

			if (r < 0)
				return r;
		}
		return 0;
	case FKS_NODE_LINK:
		return symlink(n->target, path) < 0 && errno != EEXIST ? -errno : 0;
	default: {
		g_autofree char *buf = g_malloc(16384);
		size_t len = 0;
		int fd;
		bool readable = n->kind == FKS_NODE_FILE || n->attr->show;

		if (readable && fks_view_read(h, n, buf, 16384, &len) < 0)
			len = 0;
		/* Write-only attributes (bind, reset) become empty files a reader cannot read. */
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, readable ? 0644 : 0200);
		if (fd < 0)
			return -errno;
		if (len && write(fd, buf, len) != (ssize_t)len) {
			close(fd);
			return -EIO;
		}
		close(fd);
		return 0;
	}
	}
}

_public_ int fks_host_export_testbed(const struct fks_host *ch, const char *root)
{
	struct fks_host *h = (struct fks_host *)ch; /* attributes are shown through handlers */
	static const char *const dirs[_PT_NS_MAX] = { "sys", "dev", "proc", "lib/modules" };
	int r = 0;

	fks_view_sync(h);
	for (size_t i = 0; i < _PT_NS_MAX && r >= 0; i++) {
		g_autofree char *p = g_build_filename(root, dirs[i], NULL);

		/* Device nodes cannot be made as files: dev/ stays an empty directory. */
		if (i == PT_NS_MODULES && h->root[i]->children->len == 0)
			continue; /* no lib/modules in a testbed that recorded none */
		if (i == PT_NS_DEV)
			r = g_mkdir_with_parents(p, 0755) < 0 ? -errno : 0;
		else
			r = write_node(h, h->root[i], p);
	}
	return r;
}
