/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sysfs backend: a host rooted at a directory, every access resolved beneath that root. */

/*
 * The plan: open the root and its sys/, dev/ and proc/ once. Every path is opened with
 * openat2(RESOLVE_BENEATH) on the namespace's directory, so neither ".." nor a symbolic link
 * can lead out of it: the kernel refuses with EXDEV. Kernels older than 5.6 have no openat2;
 * there a small walker resolves one component at a time with O_NOFOLLOW and follows links
 * itself, with the same refusal. This file is the only place that names the real sysfs.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "backend.h"
#include "macro.h"

#define WALK_MAX_DEPTH 64
#define WALK_MAX_LINKS 40

struct sysfs_backend {
	struct pt_backend be;
	bool no_openat2; /* resolve with the component walker (tests; kernels before 5.6) */
	int rootfd;
	int nsfd[_PT_NS_MAX]; /* -1 where the root has no such directory */
};

/* The directories that hold each namespace, relative to the root. */
static const char *const ns_dir[_PT_NS_MAX] = {
	[PT_NS_SYS] = "sys",
	[PT_NS_DEV] = "dev",
	[PT_NS_PROC] = "proc",
	[PT_NS_MODULES] = "lib/modules",
};

static struct sysfs_backend *to_sysfs(struct pt_backend *be)
{
	return (struct sysfs_backend *)be;
}

static void close_all(int *stack, size_t depth)
{
	while (depth > 0)
		close(stack[--depth]);
}

/*
 * Resolve path beneath dirfd without openat2. Follows symbolic links (the last one only when
 * follow_last), refuses absolute targets and ".." above dirfd with -EXDEV.
 */
static int walk_beneath(int dirfd, const char *path, int flags, bool follow_last)
{
	char rem[2 * PATH_MAX], next[2 * PATH_MAX], target[PATH_MAX];
	int stack[WALK_MAX_DEPTH];
	size_t depth = 0;
	int links = 0;
	char *p;

	if (strlen(path) >= sizeof(rem))
		return -ENAMETOOLONG;
	strcpy(rem, path);
	p = rem;

	for (;;) {
		char comp[NAME_MAX + 1];
		int cur = depth > 0 ? stack[depth - 1] : dirfd;
		size_t len;
		bool last;
		ssize_t n;
		int fd;

		p += strspn(p, "/");
		if (*p == '\0')
			break;
		len = strcspn(p, "/");
		if (len > NAME_MAX) {
			close_all(stack, depth);
			return -ENAMETOOLONG;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		p += len;
		last = p[strspn(p, "/")] == '\0';

		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (depth == 0)
				return -EXDEV;
			close(stack[--depth]);
			continue;
		}

		n = readlinkat(cur, comp, target, sizeof(target) - 1);
		if (n >= 0 && (!last || follow_last)) {
			target[n] = '\0';
			if (++links > WALK_MAX_LINKS || target[0] == '/') {
				close_all(stack, depth);
				return target[0] == '/' ? -EXDEV : -ELOOP;
			}
			if ((size_t)snprintf(next, sizeof(next), "%s/%s", target, p) >=
			    sizeof(next)) {
				close_all(stack, depth);
				return -ENAMETOOLONG;
			}
			strcpy(rem, next);
			p = rem;
			continue;
		}

		if (last) {
			fd = openat(cur, comp, flags | O_NOFOLLOW | O_CLOEXEC);
			fd = fd < 0 ? negative_errno() : fd;
			close_all(stack, depth);
			return fd;
		}
		if (depth == WALK_MAX_DEPTH) {
			close_all(stack, depth);
			return -ENAMETOOLONG;
		}
		fd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			fd = negative_errno();
			close_all(stack, depth);
			return fd;
		}
		stack[depth++] = fd;
	}

	/* The path named a directory we already hold (e.g. "a/.."). */
	{
		int fd = openat(depth > 0 ? stack[depth - 1] : dirfd, ".", flags | O_CLOEXEC);

		fd = fd < 0 ? negative_errno() : fd;
		close_all(stack, depth);
		return fd;
	}
}

static int open_beneath(const struct sysfs_backend *sb, int dirfd, const char *path, int flags,
			bool follow_last)
{
	struct open_how how = {
		.flags = (unsigned)(flags | O_CLOEXEC | (follow_last ? 0 : O_NOFOLLOW)),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	if (path[0] == '\0')
		path = ".";
	if (path[0] == '/')
		return -EXDEV;
	if (!sb->no_openat2) {
		/* EAGAIN: a rename or mount raced with ".." resolution somewhere on the system
		 * (sysfs changes as devices come and go); openat2(2) asks callers to retry. */
		for (int tries = 0; tries < 16; tries++) {
			fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
			if (fd >= 0)
				return (int)fd;
			if (errno != EAGAIN)
				break;
		}
		if (errno != ENOSYS && errno != EAGAIN)
			return negative_errno();
	}
	return walk_beneath(dirfd, path, flags, follow_last);
}

static int ns_fd(struct sysfs_backend *sb, enum pt_ns ns)
{
	if ((unsigned)ns >= _PT_NS_MAX)
		return -EINVAL;
	return sb->nsfd[ns] >= 0 ? sb->nsfd[ns] : -ENOENT;
}

/* Whether a path has a ".." component. */
static bool has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return true;
	return false;
}

static int sysfs_read(struct pt_backend *be, enum pt_ns ns, const char *path, void *buf,
		      size_t size, size_t *ret_len)
{
	struct sysfs_backend *sb = to_sysfs(be);
	_cleanup_close_ int fd = -1;
	size_t done = 0;
	int dfd = ns_fd(sb, ns);

	if (dfd < 0)
		return dfd;
	fd = open_beneath(sb, dfd, path, O_RDONLY, true);
	if (fd < 0)
		return fd;
	while (done < size) {
		ssize_t n = read(fd, (char *)buf + done, size - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (n == 0)
			break;
		done += (size_t)n;
		/* sysfs attributes and regular files return all they hold at once: a short read
		 * is the end, and asking again would only cost a system call. */
		if ((size_t)n < size - done + (size_t)n)
			break;
	}
	*ret_len = done;
	return 0;
}

static int sysfs_write(struct pt_backend *be, enum pt_ns ns, const char *path, const void *data,
		       size_t len)
{
	struct sysfs_backend *sb = to_sysfs(be);
	_cleanup_close_ int fd = -1;
	int dfd = ns_fd(sb, ns);
	ssize_t n;

	if (dfd < 0)
		return dfd;
	fd = open_beneath(sb, dfd, path, O_WRONLY, true);
	if (fd < 0)
		return fd;
	n = write(fd, data, len);
	if (n < 0)
		return negative_errno();
	return (size_t)n == len ? 0 : -EIO;
}

static int split_parent(const char *path, char *dir, size_t size, const char **ret_base)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		strcpy(dir, ".");
		*ret_base = path;
		return 0;
	}
	if ((size_t)(slash - path) >= size)
		return -ENAMETOOLONG;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	*ret_base = slash + 1;
	return 0;
}

static int sysfs_readlink(struct pt_backend *be, enum pt_ns ns, const char *path, char *buf,
			  size_t size)
{
	struct sysfs_backend *sb = to_sysfs(be);
	_cleanup_close_ int parent = -1, target = -1;
	char dir[PATH_MAX];
	const char *base;
	int dfd = ns_fd(sb, ns);
	ssize_t n;
	int r;

	if (dfd < 0)
		return dfd;
	if (path[0] != '/' && !sb->no_openat2 && !has_dotdot(path)) {
		/* The common case in one open fewer: read the link along the path as given, then
		 * let the open beneath the root prove every component of that path and the link's
		 * target. Anything it refuses goes the careful way below, which says what is
		 * wrong, and nothing read here is handed back. */
		n = readlinkat(dfd, path, buf, size);
		if (n >= 0 && (size_t)n < size) {
			target = open_beneath(sb, dfd, path, O_PATH, true);
			if (target >= 0) {
				buf[n] = '\0';
				return (int)n;
			}
		}
		if (size > 0)
			buf[0] = '\0';
	}

	r = split_parent(path, dir, sizeof(dir), &base);
	if (r < 0)
		return r;
	parent = open_beneath(sb, dfd, dir, O_PATH | O_DIRECTORY, true);
	if (parent < 0)
		return parent;
	n = readlinkat(parent, base, buf, size);
	if (n < 0)
		return negative_errno();
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	buf[n] = '\0';

	/* Resolve the link itself beneath the namespace root: escaping or dangling is an error
	 * (the link's own text stays in buf for the caller's message). */
	target = open_beneath(sb, dfd, path, O_PATH, true);
	if (target == -ENOENT)
		return -ENOLINK;
	if (target < 0)
		return target;
	return (int)n;
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

struct entry {
	char *name;
	unsigned char type;
};

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* A directory's entries with their types, sorted by name. */
static int list_entries(struct sysfs_backend *sb, enum pt_ns ns, const char *path,
			struct entry **ret, size_t *ret_count)
{
	_cleanup_close_ int fd = -1;
	int dfd = ns_fd(sb, ns);
	struct entry *v = NULL;
	size_t n = 0, cap = 0;
	/* Big enough for a sysfs device directory in one call; getdents64 directly, as
	 * fdopendir() would add an fcntl and an fstat per directory. */
	char buf[32768] __attribute__((aligned(8)));
	int r = 0;

	if (dfd < 0)
		return dfd;
	fd = open_beneath(sb, dfd, path, O_RDONLY | O_DIRECTORY, true);
	if (fd < 0)
		return fd;
	for (;;) {
		long len = syscall(SYS_getdents64, fd, buf, sizeof(buf));

		if (len < 0) {
			r = negative_errno();
			break;
		}
		if (len == 0)
			break;
		for (long off = 0; off < len && r >= 0;) {
			struct linux_dirent64 *de = (struct linux_dirent64 *)(buf + off);

			off += de->d_reclen;
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 32;
				struct entry *grown = realloc(v, ncap * sizeof(*v));

				if (!grown) {
					r = -ENOMEM;
					break;
				}
				v = grown;
				cap = ncap;
			}
			v[n] = (struct entry){ strdup(de->d_name), de->d_type };
			if (!v[n].name)
				r = -ENOMEM;
			else
				n++;
		}
		if (r < 0)
			break;
	}
	if (r < 0) {
		while (n > 0)
			free(v[--n].name);
		free(v);
		return r;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_entry);
	*ret = v;
	*ret_count = n;
	return 0;
}

static int sysfs_list_types(struct pt_backend *be, enum pt_ns ns, const char *path,
			    char ***ret_names, unsigned char **ret_types, size_t *ret_count)
{
	struct entry *v = NULL;
	unsigned char *types = NULL;
	char **names;
	size_t n = 0;
	int r = list_entries(to_sysfs(be), ns, path, &v, &n);

	if (r < 0)
		return r;
	names = calloc(n + 1, sizeof(*names));
	if (ret_types)
		types = malloc(n ? n : 1);
	if (!names || (ret_types && !types)) {
		while (n > 0)
			free(v[--n].name);
		free(v);
		free(names);
		free(types);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		names[i] = v[i].name;
		if (types)
			types[i] = v[i].type;
	}
	free(v);
	*ret_names = names;
	if (ret_types)
		*ret_types = types;
	*ret_count = n;
	return 0;
}

static int sysfs_list(struct pt_backend *be, enum pt_ns ns, const char *path, char ***ret_names,
		      size_t *ret_count)
{
	return sysfs_list_types(be, ns, path, ret_names, NULL, ret_count);
}

static int sysfs_exists(struct pt_backend *be, enum pt_ns ns, const char *path)
{
	struct sysfs_backend *sb = to_sysfs(be);
	int dfd = ns_fd(sb, ns);
	int fd;

	if (dfd == -ENOENT)
		return 0;
	if (dfd < 0)
		return dfd;
	fd = open_beneath(sb, dfd, path, O_PATH, true);
	if (fd == -ENOENT || fd == -ENOTDIR)
		return 0;
	if (fd < 0)
		return fd;
	close(fd);
	return 1;
}

static int sysfs_dev_open(struct pt_backend *be, const char *path, int flags)
{
	struct sysfs_backend *sb = to_sysfs(be);
	int dfd = ns_fd(sb, PT_NS_DEV);

	if (dfd < 0)
		return dfd;
	return open_beneath(sb, dfd, path, flags, true);
}

static int sysfs_dev_ioctl(struct pt_backend *be _unused_, int handle, unsigned long request,
			   void *arg)
{
	int r = ioctl(handle, request, arg);

	return r < 0 ? negative_errno() : r;
}

static int sysfs_dev_close(struct pt_backend *be _unused_, int handle)
{
	return close(handle) < 0 ? negative_errno() : 0;
}

static void sysfs_free(struct pt_backend *be)
{
	struct sysfs_backend *sb = to_sysfs(be);

	for (size_t i = 0; i < _PT_NS_MAX; i++)
		if (sb->nsfd[i] >= 0)
			close(sb->nsfd[i]);
	if (sb->rootfd >= 0)
		close(sb->rootfd);
	free(sb);
}

static const struct pt_backend_ops sysfs_ops = {
	.name = "sysfs",
	.read = sysfs_read,
	.write = sysfs_write,
	.readlink = sysfs_readlink,
	.list = sysfs_list,
	.exists = sysfs_exists,
	.list_types = sysfs_list_types,
	.dev_open = sysfs_dev_open,
	.dev_ioctl = sysfs_dev_ioctl,
	.dev_close = sysfs_dev_close,
	.free = sysfs_free,
};

static bool is_system_root(int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat("/", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

_public_ int pt_backend_sysfs_new_flags(const char *root, unsigned flags, struct pt_backend **ret)
{
	struct sysfs_backend *sb;

	sb = calloc(1, sizeof(*sb));
	if (!sb)
		return -ENOMEM;
	sb->be.ops = &sysfs_ops;
	sb->no_openat2 = flags & PT_SYSFS_NO_OPENAT2;
	for (size_t i = 0; i < _PT_NS_MAX; i++)
		sb->nsfd[i] = -1;

	sb->rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (sb->rootfd < 0) {
		int r = negative_errno();

		free(sb);
		return r;
	}
	for (size_t i = 0; i < _PT_NS_MAX; i++) {
		int fd = open_beneath(sb, sb->rootfd, ns_dir[i], O_PATH | O_DIRECTORY, true);

		/* lib/modules is optional whatever stops it (an absolute /lib link on a
		 * captured tree leaves the root: -EXDEV): the variant is then unknown. */
		if (fd < 0 && i == PT_NS_MODULES)
			fd = -1;
		else if (fd < 0 && (i == PT_NS_SYS || (fd != -ENOENT && fd != -ENOTDIR))) {
			sysfs_free(&sb->be);
			return fd;
		}
		sb->nsfd[i] = fd;
	}
	sb->be.live = is_system_root(sb->rootfd);
	*ret = &sb->be;
	return 0;
}

_public_ int pt_backend_sysfs_new(const char *root, struct pt_backend **ret)
{
	return pt_backend_sysfs_new_flags(root, 0, ret);
}
