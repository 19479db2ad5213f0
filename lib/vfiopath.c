/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which VFIO access paths a host offers (container, iommufd, cdev, compat), from what it shows. */

/*
 * The plan: each path shows itself in the device-node namespace and in sysfs, so a capture
 * without /dev still tells: the container is the misc device "vfio" (drivers/vfio/container.c,
 * or iommufd's own with CONFIG_IOMMUFD_VFIO_CONTAINER: drivers/iommu/iommufd/main.c), iommufd
 * the misc device "iommu" (6.2), the cdev the nodes vfio/devices/vfioN (6.6,
 * drivers/vfio/device_cdev.c). iommufd's container replaces VFIO's (CONFIG_VFIO_CONTAINER=n),
 * so with it there is no vfio_iommu_type1 module. A host with CONFIG_VFIO_DEVICE_CDEV but no
 * device on a VFIO driver has no node yet; its character region "vfio-dev" in /proc/devices
 * (drivers/vfio/device_cdev.c, vfio_cdev_init()) tells, and without /proc/devices (a capture
 * that lacks it) the cdev stays unknown.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "macro.h"
#include "vfio.h"

static const char *const iommu_names[_PT_VFIO_IOMMU_MAX] = {
	[PT_VFIO_IOMMU_AUTO] = "auto",
	[PT_VFIO_IOMMU_LEGACY] = "legacy",
	[PT_VFIO_IOMMU_IOMMUFD] = "iommufd",
};

_public_ const char *pt_vfio_iommu_to_string(enum pt_vfio_iommu i)
{
	return i < _PT_VFIO_IOMMU_MAX ? iommu_names[i] : NULL;
}

_public_ int pt_vfio_iommu_from_string(const char *s, enum pt_vfio_iommu *ret)
{
	for (size_t i = 0; s && i < _PT_VFIO_IOMMU_MAX; i++)
		if (strcmp(s, iommu_names[i]) == 0) {
			*ret = (enum pt_vfio_iommu)i;
			return 0;
		}
	return -EINVAL;
}

static bool has(struct pt_backend *be, enum pt_ns ns, const char *path)
{
	return pt_backend_exists(be, ns, path) > 0;
}

/* 1 when /proc/devices lists the character region NAME, 0 when it does not, -1 when it cannot
 * be read (a capture without it). */
static int chrdev_region(struct pt_backend *be, const char *name)
{
	char buf[4096];
	size_t len;
	char *line, *save = NULL;

	if (pt_backend_read(be, PT_NS_PROC, "devices", buf, sizeof(buf) - 1, &len) < 0)
		return -1;
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *sp = strrchr(line, ' ');

		if (strcmp(line, "Block devices:") == 0)
			break;
		if (sp && strcmp(sp + 1, name) == 0)
			return 1;
	}
	return 0;
}

_public_ int pt_vfio_paths_probe(struct pt_backend *be, const struct pt_kver *kv,
				 struct pt_vfio_paths *ret)
{
	struct pt_vfio_paths p;
	bool misc;

	/* A capture that shows misc devices shows these two among them; one without (a tree
	 * made by hand) has only the device nodes to tell. */
	misc = has(be, PT_NS_SYS, "devices/virtual/misc");
	p.container = misc ? has(be, PT_NS_SYS, "devices/virtual/misc/vfio") :
			     has(be, PT_NS_DEV, "vfio/vfio");
	p.iommufd = (misc ? has(be, PT_NS_SYS, "devices/virtual/misc/iommu") :
			    has(be, PT_NS_DEV, "iommu")) &&
		    pt_kver_at_least(kv, 6, 2);
	if (has(be, PT_NS_DEV, "vfio/devices"))
		p.cdev = 1;
	else if (!p.iommufd || !pt_kver_at_least(kv, 6, 6))
		p.cdev = 0;
	else
		p.cdev = chrdev_region(be, "vfio-dev");
	p.compat = p.iommufd && p.container && !has(be, PT_NS_SYS, "module/vfio_iommu_type1");
	*ret = p;
	return 0;
}

_public_ int pt_vfio_dev_cdev(struct pt_backend *be, const char *syspath, char *buf, size_t size)
{
	char dir[512];
	char **names = NULL;
	size_t n = 0;
	int r;

	snprintf(dir, sizeof(dir), "%s/vfio-dev", syspath);
	r = pt_backend_list(be, PT_NS_SYS, dir, &names, &n);
	if (r < 0)
		return r;
	r = -ENOENT;
	for (size_t i = 0; i < n && r < 0; i++)
		if (strncmp(names[i], "vfio", 4) == 0 && strlen(names[i]) < size) {
			snprintf(buf, size, "%s", names[i]);
			r = 0;
		}
	pt_strv_free(names);
	return r;
}
