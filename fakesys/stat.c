/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What stat(2) shows for a path of the view: its type, permission bits and size. */

#include <errno.h>
#include <string.h>

#include "internal.h"

/* kernfs: an attribute's mode comes from which handlers it has; a file is 4096 bytes long
 * whatever it holds, except binary attributes (config), whose size is their own. */
static unsigned attr_mode(const struct fks_attr *attr)
{
	return (attr->show ? 0444 : 0) | (attr->store ? 0200 : 0);
}

_public_ int fks_host_stat(struct fks_host *host, enum pt_ns ns, const char *path,
			   struct fks_stat *ret)
{
	struct fks_node *n;
	int r;

	if ((unsigned)ns >= _PT_NS_MAX)
		return -EINVAL;
	fks_view_sync(host);
	r = fks_node_resolve(host->root[ns], path, false, &n);
	if (r < 0)
		return r;
	*ret = (struct fks_stat){ .size = 4096 };
	switch (n->kind) {
	case FKS_NODE_DIR:
		ret->kind = FKS_STAT_DIR;
		ret->mode = 0755;
		ret->size = 0;
		break;
	case FKS_NODE_LINK:
		ret->kind = FKS_STAT_LINK;
		ret->mode = 0777;
		ret->size = strlen(n->target);
		break;
	case FKS_NODE_FILE:
		ret->kind = FKS_STAT_FILE;
		ret->mode = 0444;
		break;
	case FKS_NODE_ATTR:
		ret->kind = FKS_STAT_FILE;
		ret->mode = attr_mode(n->attr);
		if (strcmp(n->attr->name, "config") == 0) {
			const struct fks_dev *d = n->obj;

			ret->size = d->config_len;
		}
		break;
	}
	return 0;
}
