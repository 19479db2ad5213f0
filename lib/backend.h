/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The backend seam: the only way the engine reaches a host (sysfs files, device nodes, VFIO). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * A host is three namespaces of files, each addressed by a path relative to its own root:
 *
 *   PT_NS_SYS   the sysfs root        "bus/pci/devices/0000:05:00.0/driver"
 *   PT_NS_DEV   the device-node root  "vfio/vfio", "vfio/13"
 *   PT_NS_PROC  the procfs root       "sys/kernel/osrelease", "cmdline"
 *   PT_NS_MODULES  the modules root (/lib/modules)  "6.1.0-57-amd64/modules.alias"
 *
 * Paths never start with '/' and never leave their root: a backend refuses ".." past the
 * root and a symbolic link whose target resolves outside it (-EXDEV).
 */
enum pt_ns {
	PT_NS_SYS,
	PT_NS_DEV,
	PT_NS_PROC,
	PT_NS_MODULES,
	_PT_NS_MAX,
};

const char *pt_ns_to_string(enum pt_ns ns);

struct pt_backend;

/*
 * The contract every backend implements. All functions return >= 0 on success and a
 * negative errno on failure, exactly as the kernel would report it to a process doing the
 * same operation (so a fake backend can be compared with a real one errno for errno).
 */
struct pt_backend_ops {
	const char *name;

	/* Read a file from offset 0 into buf (at most size bytes, no NUL added); *ret_len gets
	 * the number of bytes read. A file larger than size is truncated to size. */
	int (*read)(struct pt_backend *be, enum pt_ns ns, const char *path, void *buf, size_t size,
		    size_t *ret_len);

	/* One write() of exactly len bytes at offset 0, as `echo -n` into the file would do. */
	int (*write)(struct pt_backend *be, enum pt_ns ns, const char *path, const void *data,
		     size_t len);

	/* The raw target of a symbolic link, NUL-terminated in buf. -ENOENT when there is no
	 * such entry, -EINVAL when it is not a link, -EXDEV when the target leaves the root,
	 * -ENOLINK when the target does not exist (a dangling link). */
	int (*readlink)(struct pt_backend *be, enum pt_ns ns, const char *path, char *buf,
			size_t size);

	/* The entries of a directory, without "." and "..", sorted with strcmp(). The array
	 * and its strings are owned by the caller (free with pt_strv_free()). */
	int (*list)(struct pt_backend *be, enum pt_ns ns, const char *path, char ***ret_names,
		    size_t *ret_count);

	/* 1 when the path exists (whatever its type or permissions), 0 when it does not. */
	int (*exists)(struct pt_backend *be, enum pt_ns ns, const char *path);

	/* As list, with each entry's type as getdents(2) gives it (DT_DIR, DT_LNK, DT_REG, or
	 * DT_UNKNOWN when the file system does not say) in *ret_types, a malloc'd array the
	 * caller frees. Optional: NULL means every type is DT_UNKNOWN. */
	int (*list_types)(struct pt_backend *be, enum pt_ns ns, const char *path, char ***ret_names,
			  unsigned char **ret_types, size_t *ret_count);

	/* Device nodes (VFIO): open returns a handle >= 0 that only this backend understands;
	 * ioctl behaves as ioctl(2) on it; close releases it. Optional: NULL means -ENOSYS. */
	int (*dev_open)(struct pt_backend *be, const char *path, int flags);
	int (*dev_ioctl)(struct pt_backend *be, int handle, unsigned long request, void *arg);
	int (*dev_close)(struct pt_backend *be, int handle);

	/* Release the backend and everything it holds. */
	void (*free)(struct pt_backend *be);
};

struct pt_trace;

/* Every backend instance starts with this header. */
struct pt_backend {
	const struct pt_backend_ops *ops;
	/* True when the backend reaches the machine it runs on (its real /sys). */
	bool live;
	/* When set (not owned), the wrappers below record each write, device-node call and,
	 * if the trace asks for them, each read, readlink and listing, with its result. */
	struct pt_trace *trace;
};

/* Thin wrappers that check the arguments and call the ops. */
int pt_backend_read(struct pt_backend *be, enum pt_ns ns, const char *path, void *buf, size_t size,
		    size_t *ret_len);
int pt_backend_write(struct pt_backend *be, enum pt_ns ns, const char *path, const void *data,
		     size_t len);
int pt_backend_readlink(struct pt_backend *be, enum pt_ns ns, const char *path, char *buf,
			size_t size);
int pt_backend_list(struct pt_backend *be, enum pt_ns ns, const char *path, char ***ret_names,
		    size_t *ret_count);
int pt_backend_exists(struct pt_backend *be, enum pt_ns ns, const char *path);
/* A listing with the entries' types (see list_types): a walker then reads a file, follows a
 * link or lists a directory without first trying each. */
int pt_backend_list_types(struct pt_backend *be, enum pt_ns ns, const char *path, char ***ret_names,
			  unsigned char **ret_types, size_t *ret_count);
int pt_backend_dev_open(struct pt_backend *be, const char *path, int flags);
int pt_backend_dev_ioctl(struct pt_backend *be, int handle, unsigned long request, void *arg);
int pt_backend_dev_close(struct pt_backend *be, int handle);

/* Returns NULL, so that `be = pt_backend_free(be);` leaves nothing dangling. Accepts NULL. */
struct pt_backend *pt_backend_free(struct pt_backend *be);

/*
 * Read a text attribute as one line: the content without its trailing newline, NUL-terminated
 * in buf. -EFBIG when it does not fit.
 */
int pt_backend_read_line(struct pt_backend *be, enum pt_ns ns, const char *path, char *buf,
			 size_t size);

/*
 * The sysfs backend: a host rooted at a directory that holds sys/ (and optionally dev/ and
 * proc/): "/" for the machine itself, a umockdev testbed, or a captured tree. The root is
 * opened once; every access is resolved beneath it.
 *
 * Returns 0 and the new backend in *ret (owned by the caller, free with pt_backend_free()),
 * -ENOENT when root or root/sys does not exist, -ENOTDIR when either is not a directory.
 */
int pt_backend_sysfs_new(const char *root, struct pt_backend **ret);

/* The same with flags: PT_SYSFS_NO_OPENAT2 resolves paths with the portable component walker
 * used on kernels without openat2(2) (before 5.6), so tests can exercise both. */
enum {
	PT_SYSFS_NO_OPENAT2 = 1 << 0,
};
int pt_backend_sysfs_new_flags(const char *root, unsigned flags, struct pt_backend **ret);

/* Free a NULL-terminated string array and its strings. Accepts NULL; returns NULL. */
char **pt_strv_free(char **strv);
