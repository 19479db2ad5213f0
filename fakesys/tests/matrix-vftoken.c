/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The replay of the matrix's VF-token calls (ci/lab/guest/matrix-vftoken.h) on a fake host. */

/*
 * The guest resolves a device's group node and cdev when the call runs (gopen, copen); so
 * does the replay, on its own host: the rows carry addresses, never the boot's numbers.
 */

#include <errno.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "matrix-vftoken.h"

#define VFIO_CDEV_BIND _IO(VFIO_TYPE, VFIO_BASE + 18)

static int *slot(int *fd, const char *name)
{
	return name && name[0] >= 'a' && name[0] <= 'z' && !name[1] ? &fd[name[0] - 'a'] : NULL;
}

/* 16 bytes from a UUID's 32 hex digits (dashes skipped); -1 when it has fewer. */
static int uuid_bytes(const char *s, uint8_t *out)
{
	int n = 0;

	for (; *s && n < 32; s++) {
		if (*s == '-')
			continue;
		if (!g_ascii_isxdigit(*s))
			return -1;
		out[n / 2] = (uint8_t)((out[n / 2] << 4) | g_ascii_xdigit_value(*s));
		n++;
	}
	return n == 32 ? 0 : -1;
}

/* "vfio/N" or "vfio/devices/vfioN" of a device, as the guest reads it from sysfs. */
static char *node_of(struct pt_backend *be, const char *bdf, bool cdev)
{
	g_autofree char *path = NULL;
	char target[256], **names = NULL;
	size_t count = 0;
	char *ret = NULL;

	if (!cdev) {
		path = g_strdup_printf("bus/pci/devices/%s/iommu_group", bdf);
		if (pt_backend_readlink(be, PT_NS_SYS, path, target, sizeof(target)) < 0 ||
		    !strrchr(target, '/'))
			return NULL;
		return g_strdup_printf("vfio/%s", strrchr(target, '/') + 1);
	}
	path = g_strdup_printf("bus/pci/devices/%s/vfio-dev", bdf);
	if (pt_backend_list(be, PT_NS_SYS, path, &names, &count) >= 0 && count > 0) {
		qsort(names, count, sizeof(*names), (int (*)(const void *, const void *))strcmp);
		ret = g_strdup_printf("vfio/devices/%s", names[0]);
	}
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return ret;
}

static int feature_token(struct pt_backend *be, int fd, char **w, int n)
{
	static const struct {
		const char *name;
		uint32_t flags;
	} ops[] = { { "set", VFIO_DEVICE_FEATURE_SET },
		    { "get", VFIO_DEVICE_FEATURE_GET },
		    { "probe", VFIO_DEVICE_FEATURE_PROBE },
		    { "probe-set", VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET },
		    { "probe-get", VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET },
		    { "none", 0 } };
	union {
		struct vfio_device_feature f;
		uint8_t raw[sizeof(struct vfio_device_feature) + 32];
	} u;
	size_t len = n > 4 ? strtoul(w[4], NULL, 0) : 16;

	memset(&u, 0, sizeof(u));
	if (n < 4 || len > 32)
		return -EINVAL;
	u.f.flags = VFIO_DEVICE_FEATURE_PCI_VF_TOKEN;
	for (size_t i = 0; i < G_N_ELEMENTS(ops); i++)
		if (!strcmp(w[2], ops[i].name))
			u.f.flags |= ops[i].flags;
	if (strcmp(w[3], "-") && uuid_bytes(w[3], u.f.data) < 0)
		return -EINVAL;
	u.f.argsz = (uint32_t)(sizeof(u.f) + len);
	return pt_backend_dev_ioctl(be, fd, VFIO_DEVICE_FEATURE, &u.f);
}

/* VFIO_DEVICE_BIND_IOMMUFD with VFIO_DEVICE_BIND_FLAG_TOKEN (6.17's structure). */
static int bind_token(struct pt_backend *be, int *fd, uint32_t *ids, char **w, int n, char *after,
		      size_t asize)
{
	struct {
		uint32_t argsz, flags;
		int32_t iommufd;
		uint32_t out_devid;
		uint64_t token_uuid_ptr;
	} b;
	uint8_t uuid[16] = { 0 };
	int *d = slot(fd, w[1]), *i = n > 2 ? slot(fd, w[2]) : NULL, r;

	if (n < 5 || !d || !i || uuid_bytes(w[4], uuid) < 0)
		return -EINVAL;
	b.argsz = sizeof(b);
	b.flags = 1;
	b.iommufd = *i;
	b.out_devid = 0;
	b.token_uuid_ptr = (uintptr_t)uuid;
	r = pt_backend_dev_ioctl(be, *d, VFIO_CDEV_BIND, &b);
	if (r >= 0 && slot(fd, w[3]))
		ids[w[3][0] - 'a'] = b.out_devid;
	if (r >= 0)
		snprintf(after, asize, "devid=%u", b.out_devid);
	return r < 0 ? r : 0;
}

/*
 * The guest's write: after 3 s without an answer it closes the row's files and the write
 * ends. fakesys answers such a write (vfio_unregister_group_dev waiting for a VFIO user) with
 * EBUSY at once; then, as the guest does, the row's files close and the write goes again. A
 * write the kernel refuses outright while files are open would still show as a difference.
 */
static int held_write(struct pt_backend *be, int *fd, const char *path, const char *value,
		      char *after, size_t asize)
{
	int r = pt_backend_write(be, PT_NS_SYS, path, value, strlen(value));
	bool open = false;

	for (int i = 0; i < 26; i++)
		open |= fd[i] >= 0;
	if (r != -EBUSY || !open)
		return r;
	for (int i = 0; i < 26; i++)
		if (fd[i] >= 0) {
			pt_backend_dev_close(be, fd[i]);
			fd[i] = -1;
		}
	snprintf(after, asize, "blocked-until-release");
	return pt_backend_write(be, PT_NS_SYS, path, value, strlen(value));
}

int vft_call(struct pt_backend *be, int *fd, uint32_t *ids, char **w, int n, char *after,
	     size_t asize)
{
	int *f = n > 1 ? slot(fd, w[1]) : NULL, *d, r;

	if (!strcmp(w[0], "write") && n >= 3)
		return held_write(be, fd, w[1], w[2], after, asize);
	if (!strcmp(w[0], "read") && n >= 2) {
		char buf[200];
		size_t len = 0;

		r = pt_backend_read(be, PT_NS_SYS, w[1], buf, sizeof(buf) - 1, &len);
		if (r >= 0) {
			buf[len] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			snprintf(after, asize, "value=%s", buf);
		}
		return r < 0 ? r : 0;
	}
	if ((!strcmp(w[0], "gopen") || !strcmp(w[0], "copen")) && f && n >= 3) {
		g_autofree char *node = node_of(be, w[2], w[0][0] == 'c');

		if (!node)
			return -ENOENT;
		*f = pt_backend_dev_open(be, node, 2);
		return *f < 0 ? *f : 0;
	}
	if (!strcmp(w[0], "tdevice") && f && n >= 5 && (d = slot(fd, w[4]))) {
		g_autofree char *name = g_strdup_printf("%s vf_token=%s", w[2], w[3]);

		r = pt_backend_dev_ioctl(be, *f, VFIO_GROUP_GET_DEVICE_FD, name);
		*d = r;
		return r < 0 ? r : 0;
	}
	if (!strcmp(w[0], "token") && f)
		return feature_token(be, *f, w, n);
	if (!strcmp(w[0], "tbind"))
		return bind_token(be, fd, ids, w, n, after, asize);
	return -ENOSYS;
}
