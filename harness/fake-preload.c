/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The preload shim of ptharness fake: VFIO device nodes of a client served by fake's model. */

/*
 * The plan: VFIO's ioctls encode no argument size, so no file system (FUSE included) can
 * carry them, and VFIO_GROUP_GET_DEVICE_FD makes a new file out of nothing; umockdev's ioctl
 * handler cannot make that file either. So this library, first in the client's LD_PRELOAD
 * (before libumockdev-preload), takes open()s of the VFIO nodes ($PTHARNESS_FAKE_DEV/vfio/...
 * and .../iommu), and every call on the files it made: ioctl, pread, pwrite, mmap, dup,
 * fcntl(F_DUPFD), close (and munmap of their mappings). Each becomes a request on a unix
 * socket to fake's server ($PTHARNESS_FAKE_VFIO), which answers from the model. The client holds a real placeholder file (an eventfd: poll, close and exec work on
 * it) and the server's handle stands behind it. A VFIO argument is a struct whose first
 * field is its size (argsz); the few that are not are a table below. A BAR is mapped from
 * the memory the server passes back (the model says whether the region may be mapped), and
 * the server is told where it lies: vfio_pci_core_mmap() makes a VM_PFNMAP mapping, which
 * iommufd cannot pin (a DMA map of it fails with EFAULT) and type1 maps. munmap, and an
 * mmap with MAP_FIXED over it, make it ordinary memory again.
 *
 * This is an LD_PRELOAD library: its state is necessarily one per process (a static table
 * from file descriptor to handle), guarded by one lock. After fork() a child opens its own
 * connection and may use the files it inherited; closing them there does not close the
 * parent's (the kernel's files are counted; here the opener owns them).
 */

/* Both names of each call are defined here: no redirection of open to open64. */
#undef _FILE_OFFSET_BITS

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "fake-vfio-proto.h"
#include "uapi-iommufd.h"

#define FD_LIMIT 65536
#define FDS_MAX 253 /* SCM_MAX_FD */
#define EXPORT __attribute__((visibility("default")))

static struct {
	pthread_mutex_t lock;
	int sock;
	pid_t pid; /* the process that opened sock */
	int32_t handle[FD_LIMIT]; /* handle + 1 for each fd this library made; 0: not ours */
	pid_t opener[FD_LIMIT];
	uint8_t kind[FD_LIMIT]; /* enum pthv_kind */
} S = { .lock = PTHREAD_MUTEX_INITIALIZER, .sock = -1 };

/* The regions this process mapped (the model keeps 32 such ranges). */
#define MAPS_MAX 32

static struct {
	pthread_mutex_t lock;
	unsigned n;
	struct {
		uintptr_t va;
		size_t len;
		pid_t pid; /* the mapper: after fork() the child's munmap is not the parent's */
	} m[MAPS_MAX];
} M = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* The next definition of a call (umockdev's preload, or libc's), looked up once. */
#define NEXT(name)                                                                \
	({                                                                        \
		static __typeof__(&name) next_;                                   \
		__typeof__(&name) p_ = __atomic_load_n(&next_, __ATOMIC_RELAXED); \
		if (!p_) {                                                        \
			p_ = (__typeof__(&name))dlsym(RTLD_NEXT, #name);          \
			__atomic_store_n(&next_, p_, __ATOMIC_RELAXED);           \
		}                                                                 \
		p_;                                                               \
	})

/* The nodes the model serves (vfio/..., iommu) as paths below the device-node directory
 * fake names; NULL for any other path. */
static const char *vfio_node(int dirfd, const char *path)
{
	static const char *const nodes[] = { "vfio/", "iommu" };
	const char *dev = getenv(PTHV_DEV_ENV);
	size_t n = dev ? strlen(dev) : 0;

	if (!path || path[0] != '/' || !n || !getenv(PTHV_SOCKET_ENV) ||
	    strncmp(path, dev, n) != 0 || path[n] != '/')
		return NULL;
	(void)dirfd; /* an absolute path ignores it */
	path += n + 1;
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		if (strncmp(path, nodes[i], strlen(nodes[i])) == 0)
			return path;
	return NULL;
}

/*
 * fake's stand-in for /lib/modules (the recording's modules.alias under the machine's release,
 * fake-run.c): an absolute path below /lib/modules or /usr/lib/modules that a program opens
 * (libvirt's open() or grep's openat() of /lib/modules/$(uname -r)/modules.alias) is opened
 * there instead; buf holds the new path. Any other path is returned as it is.
 */
static const char *modules_path(const char *path, char buf[PATH_MAX])
{
	static const char *const roots[] = { "/lib/modules", "/usr/lib/modules" };
	const char *dir = getenv(PTHV_MODULES_ENV);

	if (!path || !dir || path[0] != '/')
		return path;
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		size_t n = strlen(roots[i]);

		if (strncmp(path, roots[i], n) == 0 && (path[n] == '/' || path[n] == '\0') &&
		    (size_t)snprintf(buf, PATH_MAX, "%s%s", dir, path + n) < PATH_MAX)
			return buf;
	}
	return path;
}

static int32_t handle_of(int fd)
{
	return fd >= 0 && fd < FD_LIMIT ? S.handle[fd] - 1 : -1;
}

/* With S.lock held. */
static int connect_server(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = getenv(PTHV_SOCKET_ENV);
	int fd;

	if (S.sock >= 0 && S.pid == getpid())
		return 0;
	if (S.sock >= 0)
		NEXT(close)(S.sock); /* our parent's connection: this child gets its own */
	S.sock = -1;
	if (!path || strlen(path) >= sizeof(sa.sun_path))
		return -ENOENT;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		NEXT(close)(fd);
		return r;
	}
	S.sock = fd;
	S.pid = getpid();
	return 0;
}

/*
 * One request and its reply. fds (nfds of them) go with the request; ret_fd (may be NULL)
 * gets the descriptor the reply carries, or -1. The reply's payload goes to out (at most
 * out_size bytes). Returns the reply's ret, or -errno when the server cannot be reached.
 */
static int64_t rpc(const struct pthv_req *req, const void *payload, const int *fds, size_t nfds,
		   void *out, size_t out_size, int *ret_fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * FDS_MAX)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov[2] = { { (void *)req, sizeof(*req) }, { (void *)payload, req->len } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = payload ? 2 : 1 };
	struct pthv_rep rep = { .ret = -EIO };
	struct cmsghdr *c;
	int64_t r;
	ssize_t n;

	if (ret_fd)
		*ret_fd = -1;
	pthread_mutex_lock(&S.lock);
	r = connect_server();
	if (r < 0)
		goto out;
	if (nfds) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&msg);
		if (!c) {
			r = -EINVAL;
			goto out;
		}
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	if (sendmsg(S.sock, &msg, MSG_NOSIGNAL) < 0) {
		r = -errno;
		goto out;
	}
	iov[0] = (struct iovec){ &rep, sizeof(rep) };
	iov[1] = (struct iovec){ out, out_size };
	msg = (struct msghdr){ .msg_iov = iov, .msg_iovlen = out ? 2 : 1 };
	msg.msg_control = ctl.buf;
	msg.msg_controllen = CMSG_SPACE(sizeof(int));
	n = recvmsg(S.sock, &msg, MSG_CMSG_CLOEXEC);
	if (n < (ssize_t)sizeof(rep)) {
		r = n < 0 ? -errno : -EIO;
		goto out;
	}
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_type == SCM_RIGHTS && ret_fd)
			memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
	r = rep.ret;
out:
	pthread_mutex_unlock(&S.lock);
	return r;
}

static int fail(int64_t r)
{
	errno = (int)-r;
	return -1;
}

/* A placeholder file for a new handle; closes the handle when none can be made. */
static int adopt(int32_t handle, enum pthv_kind kind, int cloexec)
{
	int fd = eventfd(0, cloexec ? EFD_CLOEXEC : 0);
	struct pthv_req req = { .op = PTHV_CLOSE, .handle = handle };

	if (fd < 0 || fd >= FD_LIMIT) {
		int e = fd < 0 ? errno : EMFILE;

		if (fd >= 0)
			NEXT(close)(fd);
		rpc(&req, NULL, NULL, 0, NULL, 0, NULL);
		return fail(-e);
	}
	S.handle[fd] = handle + 1;
	S.opener[fd] = getpid();
	S.kind[fd] = (uint8_t)kind;
	return fd;
}

static int shim_open(const char *node, int flags)
{
	struct pthv_req req = { .op = PTHV_OPEN,
				.request = (uint64_t)flags,
				.len = strlen(node) + 1 };
	int64_t r = rpc(&req, node, NULL, 0, NULL, 0, NULL);

	return r < 0 ? fail(r) : adopt((int32_t)r, pthv_kind_of_node(node), flags & O_CLOEXEC);
}

/* The last of our descriptors for fd's handle is going: the server closes the handle. */
static void forget(int fd)
{
	int32_t h = handle_of(fd);
	pid_t opener = S.opener[fd];
	struct pthv_req req = { .op = PTHV_CLOSE, .handle = h };

	S.handle[fd] = 0;
	for (int i = 0; i < FD_LIMIT; i++)
		if (S.handle[i] == h + 1)
			return;
	if (opener == getpid())
		rpc(&req, NULL, NULL, 0, NULL, 0, NULL);
}

#define OPEN_MODE(flags, mode)                           \
	do {                                             \
		if ((flags) & (O_CREAT | __O_TMPFILE)) { \
			va_list ap;                      \
			va_start(ap, flags);             \
			mode = va_arg(ap, mode_t);       \
			va_end(ap);                      \
		}                                        \
	} while (0)

EXPORT int open(const char *path, int flags, ...)
{
	const char *node = vfio_node(AT_FDCWD, path);
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	char buf[PATH_MAX];

	return node ? shim_open(node, flags) : NEXT(open)(modules_path(path, buf), flags, mode);
}

EXPORT int open64(const char *path, int flags, ...)
{
	const char *node = vfio_node(AT_FDCWD, path);
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	char buf[PATH_MAX];

	return node ? shim_open(node, flags) : NEXT(open64)(modules_path(path, buf), flags, mode);
}

EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	const char *node = vfio_node(dirfd, path);
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	char buf[PATH_MAX];

	return node ? shim_open(node, flags) :
		      NEXT(openat)(dirfd, modules_path(path, buf), flags, mode);
}

EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	const char *node = vfio_node(dirfd, path);
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	char buf[PATH_MAX];

	return node ? shim_open(node, flags) :
		      NEXT(openat64)(dirfd, modules_path(path, buf), flags, mode);
}

/* _FORTIFY_SOURCE's entry points (glibc declares them only for its own macros). */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

EXPORT int __open_2(const char *path, int flags)
{
	const char *node = vfio_node(AT_FDCWD, path);
	char buf[PATH_MAX];

	return node ? shim_open(node, flags) : NEXT(__open_2)(modules_path(path, buf), flags);
}

EXPORT int __open64_2(const char *path, int flags)
{
	const char *node = vfio_node(AT_FDCWD, path);
	char buf[PATH_MAX];

	return node ? shim_open(node, flags) : NEXT(__open64_2)(modules_path(path, buf), flags);
}

EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	const char *node = vfio_node(dirfd, path);
	char buf[PATH_MAX];

	return node ? shim_open(node, flags) :
		      NEXT(__openat_2)(dirfd, modules_path(path, buf), flags);
}

EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	const char *node = vfio_node(dirfd, path);
	char buf[PATH_MAX];

	return node ? shim_open(node, flags) :
		      NEXT(__openat64_2)(dirfd, modules_path(path, buf), flags);
}

/* glibc's fopen() opens with its own internal call: /lib/modules is rewritten here too. */
EXPORT FILE *fopen(const char *path, const char *mode)
{
	char buf[PATH_MAX];

	return NEXT(fopen)(modules_path(path, buf), mode);
}

EXPORT FILE *fopen64(const char *path, const char *mode)
{
	char buf[PATH_MAX];

	return NEXT(fopen64)(modules_path(path, buf), mode);
}

EXPORT int close(int fd)
{
	if (handle_of(fd) >= 0)
		forget(fd);
	return NEXT(close)(fd);
}

/* A new descriptor for the same file: the same handle stands behind it. */
static int share(int from, int to)
{
	if (to >= 0 && to < FD_LIMIT && handle_of(from) >= 0) {
		if (to != from && handle_of(to) >= 0)
			forget(to);
		S.handle[to] = S.handle[from];
		S.opener[to] = S.opener[from];
		S.kind[to] = S.kind[from];
	}
	return to;
}

EXPORT int dup(int fd)
{
	return share(fd, NEXT(dup)(fd));
}

EXPORT int dup2(int fd, int to)
{
	if (fd != to && handle_of(to) >= 0 && handle_of(fd) < 0)
		forget(to);
	return share(fd, NEXT(dup2)(fd, to));
}

EXPORT int dup3(int fd, int to, int flags)
{
	if (fd != to && handle_of(to) >= 0 && handle_of(fd) < 0)
		forget(to);
	return share(fd, NEXT(dup3)(fd, to, flags));
}

EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	unsigned long arg;
	int r;

	va_start(ap, cmd);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	r = NEXT(fcntl)(fd, cmd, arg);
	return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC ? share(fd, r) : r;
}

EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	unsigned long arg;
	int r;

	va_start(ap, cmd);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	r = NEXT(fcntl64)(fd, cmd, arg);
	return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC ? share(fd, r) : r;
}

/* The requests whose argument is not an argsz struct (iommufd's, all size-first, are not
 * here), per kind of file. */
static const struct {
	enum pthv_kind kind;
	unsigned long request;
	enum pthv_arg arg;
} arg_kinds[] = {
	{ PTHV_KIND_CONTAINER, VFIO_GET_API_VERSION, PTHV_ARG_VALUE },
	{ PTHV_KIND_CONTAINER, VFIO_CHECK_EXTENSION, PTHV_ARG_VALUE },
	{ PTHV_KIND_CONTAINER, VFIO_SET_IOMMU, PTHV_ARG_VALUE },
	{ PTHV_KIND_CONTAINER, VFIO_IOMMU_ENABLE, PTHV_ARG_VALUE },
	{ PTHV_KIND_CONTAINER, VFIO_IOMMU_DISABLE, PTHV_ARG_VALUE },
	{ PTHV_KIND_GROUP, VFIO_GROUP_UNSET_CONTAINER, PTHV_ARG_VALUE },
	{ PTHV_KIND_GROUP, VFIO_GROUP_SET_CONTAINER, PTHV_ARG_FD },
	{ PTHV_KIND_GROUP, VFIO_GROUP_GET_DEVICE_FD, PTHV_ARG_STRING },
	{ PTHV_KIND_DEVICE, VFIO_DEVICE_RESET, PTHV_ARG_VALUE },
	{ PTHV_KIND_DEVICE, VFIO_DEVICE_GET_GFX_DMABUF, PTHV_ARG_VALUE },
	{ PTHV_KIND_DEVICE, VFIO_DEVICE_SET_IRQS, PTHV_ARG_IRQ_SET },
	{ PTHV_KIND_DEVICE, VFIO_DEVICE_PCI_HOT_RESET, PTHV_ARG_HOT_RESET },
	{ PTHV_KIND_DEVICE, VFIO_DEVICE_BIND_IOMMUFD, PTHV_ARG_BIND },
};

static enum pthv_arg arg_kind(enum pthv_kind kind, unsigned long request, const void *arg)
{
	for (size_t i = 0; i < sizeof(arg_kinds) / sizeof(arg_kinds[0]); i++)
		if (arg_kinds[i].kind == kind && arg_kinds[i].request == request)
			return arg_kinds[i].arg;
	return arg ? PTHV_ARG_ARGSZ : PTHV_ARG_VALUE;
}

/* VFIO_DEVICE_PCI_HOT_RESET names groups by fd: a copy of the argument names them by handle
 * (caller frees). NULL with errno set: EBADF for a descriptor that is not a VFIO file. */
static void *hot_reset_handles(const struct vfio_pci_hot_reset *in, size_t len)
{
	struct vfio_pci_hot_reset *out = malloc(len);

	if (!out)
		return NULL;
	memcpy(out, in, len);
	for (uint32_t i = 0; len >= sizeof(*in) && i < in->count &&
			     sizeof(*in) + (i + 1) * sizeof(in->group_fds[0]) <= len;
	     i++) {
		if (handle_of(in->group_fds[i]) < 0) {
			free(out);
			errno = EBADF;
			return NULL;
		}
		out->group_fds[i] = handle_of(in->group_fds[i]);
	}
	return out;
}

/* VFIO_DEVICE_BIND_IOMMUFD names the iommufd by fd: a copy names it by handle (caller
 * frees). iommufd_ctx_from_fd(): no file is EBADF, a file not an iommufd's EBADFD. */
static void *bind_handle(const struct vfio_device_bind_iommufd *in, size_t len)
{
	struct vfio_device_bind_iommufd *out;
	int fd;

	if (len < offsetof(struct vfio_device_bind_iommufd, iommufd) + sizeof(in->iommufd)) {
		errno = EINVAL; /* vfio_df_ioctl_bind_iommufd(): shorter than its minsz */
		return NULL;
	}
	fd = in->iommufd;
	if (handle_of(fd) < 0) {
		errno = NEXT(fcntl)(fd, F_GETFD) < 0 ? EBADF : EBADFD;
		return NULL;
	}
	out = malloc(len);
	if (!out)
		return NULL;
	memcpy(out, in, len);
	out->iommufd = handle_of(fd);
	return out;
}

/* VFIO_DEVICE_SET_IRQS with eventfds: the descriptors themselves go to the server. */
static int irq_fds(const struct vfio_irq_set *set, size_t len, int *fds, size_t *ret_n)
{
	const int32_t *data = (const int32_t *)set->data;
	size_t n = 0;

	*ret_n = 0;
	if (len < sizeof(*set) ||
	    (set->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) != VFIO_IRQ_SET_DATA_EVENTFD)
		return 0;
	for (uint32_t i = 0; i < set->count && sizeof(*set) + (i + 1) * 4 <= len; i++) {
		if (data[i] < 0)
			continue;
		if (n == FDS_MAX)
			return -E2BIG; /* more vectors at once than one message carries */
		fds[n++] = data[i];
	}
	*ret_n = n;
	return 0;
}

static int shim_ioctl(int fd, unsigned long request, void *arg)
{
	struct pthv_req req = { .op = PTHV_IOCTL, .handle = handle_of(fd), .request = request };
	const void *payload = NULL;
	void *copy = NULL;
	int fds[FDS_MAX];
	size_t nfds = 0;
	int64_t r;

	req.arg = arg_kind(S.kind[fd], request, arg);
	switch (req.arg) {
	case PTHV_ARG_VALUE:
		req.value = (uint64_t)(uintptr_t)arg;
		break;
	case PTHV_ARG_FD:
		if (!arg)
			return fail(-EFAULT);
		/* vfio_group_ioctl_set_container(): no file is EBADF, another file EINVAL. */
		if (handle_of(*(int *)arg) < 0)
			return fail(NEXT(fcntl)(*(int *)arg, F_GETFD) < 0 ? -EBADF : -EINVAL);
		req.value = (uint64_t)handle_of(*(int *)arg);
		break;
	case PTHV_ARG_STRING:
		if (!arg)
			return fail(-EFAULT);
		payload = arg;
		req.len = strnlen(arg, PTHV_PAYLOAD_MAX - 1) + 1;
		break;
	default:
		if (!arg)
			return fail(-EFAULT);
		payload = arg;
		req.len = *(const uint32_t *)arg;
		req.len = req.len < 4 ? 4 : req.len > PTHV_PAYLOAD_MAX ? PTHV_PAYLOAD_MAX : req.len;
		if (req.arg == PTHV_ARG_IRQ_SET) {
			r = irq_fds(arg, req.len, fds, &nfds);
			if (r < 0)
				return fail(r);
		}
		if (req.arg == PTHV_ARG_HOT_RESET || req.arg == PTHV_ARG_BIND) {
			copy = req.arg == PTHV_ARG_BIND ? bind_handle(arg, req.len) :
							  hot_reset_handles(arg, req.len);
			if (!copy)
				return -1;
			payload = copy;
		}
	}
	r = rpc(&req, payload, fds, nfds,
		req.arg == PTHV_ARG_ARGSZ || req.arg == PTHV_ARG_IRQ_SET ? arg :
		req.arg == PTHV_ARG_BIND				 ? copy :
									   NULL,
		req.len, NULL);
	/* out_devid back to the caller; the kernel writes nothing else of it. */
	if (r >= 0 && req.arg == PTHV_ARG_BIND)
		((struct vfio_device_bind_iommufd *)arg)->out_devid =
			((struct vfio_device_bind_iommufd *)copy)->out_devid;
	free(copy);
	if (r >= 0 && req.arg == PTHV_ARG_STRING) /* vfio_group_get_device_fd(): O_CLOEXEC */
		return adopt((int32_t)r, PTHV_KIND_DEVICE, 1);
	return r < 0 ? fail(r) : (int)r;
}

EXPORT int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	/* Requests of other types (FIONBIO, TCGETS) are the placeholder's, as the VFS's. */
	if (handle_of(fd) >= 0 && _IOC_TYPE(request) == VFIO_TYPE)
		return shim_ioctl(fd, request, arg);
	return NEXT(ioctl)(fd, request, arg);
}

static ssize_t shim_rw(int fd, enum pthv_op op, void *buf, size_t count, off_t off)
{
	struct pthv_req req = { .op = op, .handle = handle_of(fd), .value = (uint64_t)off };
	int64_t r;

	/* A short transfer, as read(2) and write(2) may make; callers loop. */
	req.len = count > PTHV_PAYLOAD_MAX ? PTHV_PAYLOAD_MAX : count;
	if (op == PTHV_READ)
		r = rpc(&req, NULL, NULL, 0, buf, req.len, NULL);
	else
		r = rpc(&req, buf, NULL, 0, NULL, 0, NULL);
	return r < 0 ? fail(r) : (ssize_t)r;
}

EXPORT ssize_t pread(int fd, void *buf, size_t count, off_t off)
{
	return handle_of(fd) >= 0 ? shim_rw(fd, PTHV_READ, buf, count, off) :
				    NEXT(pread)(fd, buf, count, off);
}

EXPORT ssize_t pread64(int fd, void *buf, size_t count, off_t off)
{
	return handle_of(fd) >= 0 ? shim_rw(fd, PTHV_READ, buf, count, off) :
				    NEXT(pread64)(fd, buf, count, off);
}

/* _FORTIFY_SOURCE's pread, when the buffer's size is known. */
ssize_t __pread_chk(int fd, void *buf, size_t count, off_t off, size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t count, off_t off, size_t buflen);

EXPORT ssize_t __pread_chk(int fd, void *buf, size_t count, off_t off, size_t buflen)
{
	return handle_of(fd) >= 0 && count <= buflen ?
		       shim_rw(fd, PTHV_READ, buf, count, off) :
		       NEXT(__pread_chk)(fd, buf, count, off, buflen);
}

EXPORT ssize_t __pread64_chk(int fd, void *buf, size_t count, off_t off, size_t buflen)
{
	return handle_of(fd) >= 0 && count <= buflen ?
		       shim_rw(fd, PTHV_READ, buf, count, off) :
		       NEXT(__pread64_chk)(fd, buf, count, off, buflen);
}

EXPORT ssize_t pwrite(int fd, const void *buf, size_t count, off_t off)
{
	return handle_of(fd) >= 0 ? shim_rw(fd, PTHV_WRITE, (void *)buf, count, off) :
				    NEXT(pwrite)(fd, buf, count, off);
}

EXPORT ssize_t pwrite64(int fd, const void *buf, size_t count, off_t off)
{
	return handle_of(fd) >= 0 ? shim_rw(fd, PTHV_WRITE, (void *)buf, count, off) :
				    NEXT(pwrite64)(fd, buf, count, off);
}

/* A length as the kernel takes it: whole pages. */
static size_t pages_of(size_t len)
{
	size_t page = (size_t)getpagesize();

	return (len + page - 1) & ~(page - 1);
}

/* [addr, addr + len) is no longer what it was (munmap, or MAP_FIXED over it): the server
 * forgets the regions of this process wholly inside it. Asked only when one overlaps. */
static void unmapped(void *addr, size_t len)
{
	uintptr_t va = (uintptr_t)addr, last = va + (pages_of(len) - 1);
	struct pthv_req req = { .op = PTHV_UNMAPPED, .value = va, .request = pages_of(len) };
	bool hit = false;

	if (!len || !__atomic_load_n(&M.n, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&M.lock);
	for (unsigned i = 0; i < M.n;) {
		bool mine = M.m[i].pid == getpid();
		uintptr_t end = M.m[i].va + (M.m[i].len - 1);

		hit |= mine && M.m[i].va <= last && va <= end;
		if (!mine || (M.m[i].va >= va && end <= last))
			M.m[i] = M.m[--M.n];
		else
			i++;
	}
	pthread_mutex_unlock(&M.lock);
	if (hit)
		rpc(&req, NULL, NULL, 0, NULL, 0, NULL);
}

/* The server is told of the region fd's handle mapped at p. Past the model's 32, the
 * mapping works as ordinary memory would (the kernel has no such limit). */
static void mapped(int32_t handle, void *p, size_t len)
{
	struct pthv_req req = {
		.op = PTHV_MAPPED, .handle = handle, .value = (uintptr_t)p, .request = pages_of(len)
	};

	if (rpc(&req, NULL, NULL, 0, NULL, 0, NULL) < 0)
		return;
	pthread_mutex_lock(&M.lock);
	if (M.n < MAPS_MAX)
		M.m[M.n++] = (__typeof__(M.m[0])){ (uintptr_t)p, pages_of(len), getpid() };
	pthread_mutex_unlock(&M.lock);
}

static void *shim_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct pthv_req req = { .op = PTHV_MMAP,
				.handle = handle_of(fd),
				.value = (uint64_t)off,
				.request = len,
				.flags = (uint32_t)flags };
	int memfd = -1;
	int64_t r = rpc(&req, NULL, NULL, 0, NULL, 0, &memfd);
	void *p;

	if (r < 0 || memfd < 0) {
		if (memfd >= 0)
			NEXT(close)(memfd);
		errno = r < 0 ? (int)-r : EIO;
		return MAP_FAILED;
	}
	p = NEXT(mmap)(addr, len, prot, flags, memfd, (off_t)r);
	NEXT(close)(memfd);
	if (p != MAP_FAILED) {
		unmapped(p, len); /* MAP_FIXED over a region mapped before */
		mapped(req.handle, p, len);
	}
	return p;
}

/* Any other mapping placed with MAP_FIXED may replace a region's. */
static void *other_mapped(void *p, size_t len, int flags)
{
	if (p != MAP_FAILED && (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) == MAP_FIXED)
		unmapped(p, len);
	return p;
}

EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return handle_of(fd) >= 0 ?
		       shim_mmap(addr, len, prot, flags, fd, off) :
		       other_mapped(NEXT(mmap)(addr, len, prot, flags, fd, off), len, flags);
}

EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return handle_of(fd) >= 0 ?
		       shim_mmap(addr, len, prot, flags, fd, off) :
		       other_mapped(NEXT(mmap64)(addr, len, prot, flags, fd, off), len, flags);
}

EXPORT int munmap(void *addr, size_t len)
{
	int r = NEXT(munmap)(addr, len);

	if (r == 0)
		unmapped(addr, len);
	return r;
}
