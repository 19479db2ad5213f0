/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The view's nodes: directories, recorded files, links and attributes, as kernfs keeps them. */

#include <errno.h>
#include <string.h>

#include "internal.h"

#define MAX_LINKS 40

/*
 * A node, its name and a link's target in one allocation: a view has some twenty nodes per
 * device (a million for 65,536 devices), and three allocations each were a fifth of the time
 * spent building and freeing it.
 */
static struct fks_node *node_new(const char *name, enum fks_node_kind kind, const char *target)
{
	size_t nlen = strlen(name) + 1, tlen = target ? strlen(target) + 1 : 0;
	struct fks_node *n = g_malloc0(sizeof(*n) + nlen + tlen);

	n->name = memcpy((char *)(n + 1), name, nlen);
	if (target)
		n->target = memcpy(n->name + nlen, target, tlen);
	n->kind = kind;
	if (kind == FKS_NODE_DIR)
		n->children = g_ptr_array_new();
	return n;
}

struct fks_node *fks_node_new_root(void)
{
	return node_new("", FKS_NODE_DIR, NULL);
}

/* Counted for the callers that keep a resolved node (fks_node_freed()). */
static unsigned long freed_count;

unsigned long fks_node_freed(void)
{
	return __atomic_load_n(&freed_count, __ATOMIC_RELAXED);
}

void fks_node_free(struct fks_node *n)
{
	if (!n)
		return;
	__atomic_add_fetch(&freed_count, 1, __ATOMIC_RELAXED);
	if (n->children) {
		for (guint i = 0; i < n->children->len; i++)
			fks_node_free(n->children->pdata[i]);
		g_ptr_array_free(n->children, TRUE);
	}
	g_free(n);
}

guint fks_sorted_index(const GPtrArray *a, const char *key, const char *(*key_of)(gconstpointer),
		       bool *found)
{
	guint lo = 0, hi = a->len;

	while (lo < hi) {
		guint mid = (lo + hi) / 2;
		int c = strcmp(key_of(a->pdata[mid]), key);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static const char *node_name(gconstpointer n)
{
	return ((const struct fks_node *)n)->name;
}

/* Index of name in dir's sorted children, or where it would go (with *found false). */
static guint child_index(const struct fks_node *dir, const char *name, bool *found)
{
	return fks_sorted_index(dir->children, name, node_name, found);
}

struct fks_node *fks_node_child(const struct fks_node *dir, const char *name)
{
	bool found;
	guint i;

	if (!dir || dir->kind != FKS_NODE_DIR)
		return NULL;
	i = child_index(dir, name, &found);
	return found ? dir->children->pdata[i] : NULL;
}

/* Insert (replacing a node of the same name) and return the new node. */
static struct fks_node *insert(struct fks_node *dir, const char *name, enum fks_node_kind kind,
			       const char *target)
{
	struct fks_node *n = node_new(name, kind, target);
	bool found;
	guint i = child_index(dir, name, &found);

	n->parent = dir;
	if (found) {
		fks_node_free(dir->children->pdata[i]);
		dir->children->pdata[i] = n;
	} else {
		g_ptr_array_insert(dir->children, (gint)i, n);
	}
	return n;
}

struct fks_node *fks_node_mkdir(struct fks_node *dir, const char *path)
{
	/* Component by component, in place: the view makes thousands of these. */
	while (*path && dir) {
		size_t len = strcspn(path, "/");
		char comp[256];
		struct fks_node *c;

		if (len >= sizeof(comp))
			return NULL;
		if (len) {
			memcpy(comp, path, len);
			comp[len] = '\0';
			c = fks_node_child(dir, comp);
			if (c && c->kind != FKS_NODE_DIR)
				return NULL; /* a file of that name is in the way: keep the file */
			dir = c ? c : insert(dir, comp, FKS_NODE_DIR, NULL);
		}
		path += len + (path[len] == '/');
	}
	return dir;
}

void fks_node_link(struct fks_node *dir, const char *name, const char *target)
{
	insert(dir, name, FKS_NODE_LINK, target);
}

/* The directory part of path made below dir, and the last component. */
static struct fks_node *parent_of(struct fks_node *dir, const char *path, const char **ret_base)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		*ret_base = path;
		return dir;
	}
	{
		char d[1024];
		size_t n = (size_t)(slash - path);

		if (n >= sizeof(d))
			return NULL;
		memcpy(d, path, n);
		d[n] = '\0';
		*ret_base = slash + 1;
		return fks_node_mkdir(dir, d);
	}
}

void fks_node_file(struct fks_node *dir, const char *path, const struct fks_entry *e)
{
	const char *base;
	struct fks_node *p = parent_of(dir, path, &base);

	if (!p || base[0] == '\0' || fks_node_child(p, base))
		return; /* the model's own entry (or a directory) wins over a recorded one */
	if (e->link)
		fks_node_link(p, base, e->data);
	else
		insert(p, base, FKS_NODE_FILE, NULL)->entry = e;
}

void fks_node_attr(struct fks_node *dir, const struct fks_attr *attr, void *obj)
{
	struct fks_node *n = insert(dir, attr->name, FKS_NODE_ATTR, NULL);

	n->attr = attr;
	n->obj = obj;
}

void fks_node_remove(struct fks_node *dir, const char *name)
{
	bool found;
	guint i;

	if (!dir || dir->kind != FKS_NODE_DIR)
		return;
	i = child_index(dir, name, &found);
	if (found) {
		fks_node_free(dir->children->pdata[i]);
		g_ptr_array_remove_index(dir->children, i);
	}
}

static int walk(struct fks_node *root, struct fks_node *cur, const char *path, bool follow_last,
		int *links, struct fks_node **ret)
{
	const char *p = path;

	for (;;) {
		char comp[256];
		size_t len;
		bool last;
		struct fks_node *next;

		p += strspn(p, "/");
		if (*p == '\0')
			break;
		len = strcspn(p, "/");
		if (len >= sizeof(comp))
			return -ENAMETOOLONG;
		memcpy(comp, p, len);
		comp[len] = '\0';
		p += len;
		last = p[strspn(p, "/")] == '\0';

		if (cur->kind != FKS_NODE_DIR)
			return -ENOTDIR;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (!cur->parent)
				return -EXDEV;
			cur = cur->parent;
			continue;
		}
		next = fks_node_child(cur, comp);
		if (!next)
			return -ENOENT;
		if (next->kind == FKS_NODE_LINK && (!last || follow_last)) {
			int r;

			if (++*links > MAX_LINKS)
				return -ELOOP;
			if (next->target[0] == '/')
				return -EXDEV;
			r = walk(root, cur, next->target, true, links, &next);
			if (r < 0)
				return r == -ENOENT ? -ENOENT : r;
		}
		cur = next;
	}
	*ret = cur;
	return 0;
}

int fks_node_resolve(struct fks_node *root, const char *path, bool follow_last,
		     struct fks_node **ret)
{
	int links = 0;

	if (!root)
		return -ENOENT;
	return walk(root, root, path, follow_last, &links, ret);
}

int fks_node_resolve_from(struct fks_node *root, struct fks_node *dir, const char *path,
			  bool follow_last, struct fks_node **ret)
{
	int links = 0;

	return walk(root, dir, path, follow_last, &links, ret);
}

char *fks_node_path(const struct fks_node *n)
{
	GPtrArray *parts = g_ptr_array_new();
	GString *s = g_string_new(NULL);

	for (; n && n->parent; n = n->parent)
		g_ptr_array_add(parts, n->name);
	for (guint i = parts->len; i > 0; i--) {
		if (s->len)
			g_string_append_c(s, '/');
		g_string_append(s, parts->pdata[i - 1]);
	}
	g_ptr_array_free(parts, TRUE);
	return g_string_free(s, FALSE);
}

char *fks_rel_target(const char *from_dir, const char *to)
{
	/* A link in from_dir pointing at to (both relative to the same root): one "../" per
	 * level, written at once (the view makes a few links per device). */
	size_t depth = 1, tlen = strlen(to);
	char *s, *p;

	for (const char *c = from_dir; *c; c++)
		depth += *c == '/';
	if (from_dir[0] == '\0')
		depth = 0;
	p = s = g_malloc(3 * depth + tlen + 1);
	for (size_t i = 0; i < depth; i++, p += 3)
		memcpy(p, "../", 3);
	memcpy(p, to, tlen + 1);
	return s;
}
