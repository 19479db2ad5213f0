/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What ptharness's own clients share: errno names, giving up on setup, QEMU's container open. */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include <linux/vfio.h>

/* The symbolic name of e ("0" for success), as the scenarios' expected output spells it. */
static inline const char *errno_name(int e)
{
	static const struct {
		int e;
		const char *name;
	} names[] = { { 0, "0" },	    { EFAULT, "EFAULT" }, { EINVAL, "EINVAL" },
		      { ENOMEM, "ENOMEM" }, { EBUSY, "EBUSY" },	  { EPERM, "EPERM" },
		      { ENOENT, "ENOENT" }, { EEXIST, "EEXIST" }, { ENODEV, "ENODEV" },
		      { EBADF, "EBADF" },   { ENOSPC, "ENOSPC" }, { ENOTTY, "ENOTTY" } };
	static char other[32];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

/* A step the measured requests depend on: when it failed, "setup: WHAT: ERRNO" and exit 1. */
static inline void setup(int ok, const char *what)
{
	if (!ok) {
		printf("setup: %s: %s\n", what, errno_name(errno));
		exit(1);
	}
}

/*
 * QEMU's legacy open: /dev/vfio/GROUP, a new container set on it with the IOMMU type, then the
 * device file of bdf (in *dev). Returns the container; a failed step ends the program.
 */
static inline int open_through_container(const char *group_id, const char *bdf, unsigned long type,
					 int *dev)
{
	char node[64];
	int group, container;

	snprintf(node, sizeof(node), "/dev/vfio/%s", group_id);
	group = open(node, O_RDWR | O_CLOEXEC);
	setup(group >= 0, "open the group");
	container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	setup(container >= 0, "open /dev/vfio/vfio");
	setup(ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) == 0, "VFIO_GROUP_SET_CONTAINER");
	setup(ioctl(container, VFIO_SET_IOMMU, type) == 0, "VFIO_SET_IOMMU");
	*dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	setup(*dev >= 0, "VFIO_GROUP_GET_DEVICE_FD");
	return container;
}
