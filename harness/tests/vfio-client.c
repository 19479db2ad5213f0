/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A VFIO client with plain system calls, run under ptharness fake: the kernel's answers it checks. */

/*
 * Usage: vfio-client GROUP BDF VENDOR DEVICE (ids in hex, from the recording). Each check
 * prints "ok - ..." or "not ok - ... (observed, errno)"; the exit status is the number of
 * failures. What is expected is what drivers/vfio (6.1) answers: vfio_group_fops_open(),
 * vfio_group_ioctl_set_container(), vfio_config_do_rw(), vfio_bar_fixup(),
 * vfio_pci_core_mmap(), vfio_group_get_device_fd().
 */

#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

static int failures;

static void check(int cond, const char *what, long observed)
{
	if (cond)
		printf("ok - %s\n", what);
	else
		printf("not ok - %s (observed %ld, errno %s)\n", what, observed, strerror(errno));
	failures += !cond;
}

/* The BAR sizing a driver does: all ones written, the size mask read back. */
static void bar_sizing(int dev, const struct vfio_region_info *cfg,
		       const struct vfio_region_info *bar0)
{
	uint32_t ones = 0xffffffff, back = 0;
	off_t at = (off_t)cfg->offset + 0x10;

	check(pwrite(dev, &ones, 4, at) == 4 && pread(dev, &back, 4, at) == 4,
	      "BAR0: all ones written and read back", (long)back);
	check(~(back & ~0xfu) + 1 == (uint32_t)bar0->size,
	      "BAR0 reads back the mask of its region's size (vfio_bar_fixup)", (long)back);
}

static void regions(int dev, unsigned vendor, unsigned device)
{
	struct vfio_region_info cfg = { .argsz = sizeof(cfg),
					.index = VFIO_PCI_CONFIG_REGION_INDEX };
	struct vfio_region_info bar0 = { .argsz = sizeof(bar0),
					 .index = VFIO_PCI_BAR0_REGION_INDEX };
	uint16_t ids[2] = { 0 };
	uint8_t byte;
	void *p;

	check(ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &cfg) == 0 && cfg.size >= 256,
	      "config region info", (long)cfg.size);
	check(ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &bar0) == 0 && bar0.size > 0,
	      "BAR0 region info", (long)bar0.size);
	check(pread(dev, ids, 4, (off_t)cfg.offset) == 4 && ids[0] == vendor && ids[1] == device,
	      "config space starts with the recording's vendor and device", (long)ids[0]);
	errno = 0;
	check(pread(dev, &byte, 1, (off_t)(cfg.offset + cfg.size)) < 0 && errno == EFAULT,
	      "a read past the config space is EFAULT", 0);
	bar_sizing(dev, &cfg, &bar0);
	errno = 0;
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, dev, (off_t)bar0.offset);
	check(p == MAP_FAILED && errno == EINVAL, "a private mapping of a BAR is EINVAL", 0);
	if (!(bar0.flags & VFIO_REGION_INFO_FLAG_MMAP))
		return;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, dev, (off_t)bar0.offset);
	check(p != MAP_FAILED, "BAR0 mapped shared", 0);
	if (p != MAP_FAILED) {
		uint32_t v = 0x12345678, seen = 0;

		memcpy((char *)p + 8, &v, 4);
		check(pread(dev, &seen, 4, (off_t)bar0.offset + 8) == 4 && seen == v,
		      "what is stored through the mapping is what pread reads", (long)seen);
		munmap(p, 4096);
	}
}

int main(int argc, char **argv)
{
	char node[64];
	int group, again, container, dev, copy, nul;
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfio_device_info info = { .argsz = sizeof(info) };

	if (argc != 5)
		return fprintf(stderr, "usage: vfio-client GROUP BDF VENDOR DEVICE\n"), 99;
	snprintf(node, sizeof(node), "/dev/vfio/%s", argv[1]);
	group = open(node, O_RDWR | O_CLOEXEC);
	check(group >= 0, "the group node opens", group);
	errno = 0;
	again = open(node, O_RDWR);
	check(again < 0 && errno == EBUSY, "a second open of the group is EBUSY", again);
	check(ioctl(group, VFIO_GROUP_GET_STATUS, &st) == 0 && (st.flags & VFIO_GROUP_FLAGS_VIABLE),
	      "the group is viable", (long)st.flags);
	nul = open("/dev/null", O_RDONLY);
	errno = 0;
	check(ioctl(group, VFIO_GROUP_SET_CONTAINER, &nul) < 0 && errno == EINVAL,
	      "SET_CONTAINER with a file that is not a container is EINVAL", 0);
	close(nul);
	container = open("/dev/vfio/vfio", O_RDWR);
	check(ioctl(container, VFIO_GET_API_VERSION) == VFIO_API_VERSION, "API version", 0);
	check(ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) == 0, "SET_CONTAINER", 0);
	check(ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) == 0, "SET_IOMMU type1v2", 0);
	dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, argv[2]);
	check(dev >= 0 && (fcntl(dev, F_GETFD) & FD_CLOEXEC), "the device file, close-on-exec",
	      dev);
	if (dev < 0)
		return failures;
	regions(dev, (unsigned)strtoul(argv[3], NULL, 16), (unsigned)strtoul(argv[4], NULL, 16));
	copy = dup(dev);
	close(dev);
	check(ioctl(copy, VFIO_DEVICE_GET_INFO, &info) == 0 &&
		      info.num_regions == VFIO_PCI_NUM_REGIONS,
	      "a dup of the device file works after the original is closed",
	      (long)info.num_regions);
	close(copy);
	close(container);
	close(group);
	group = open(node, O_RDWR);
	check(group >= 0, "the group opens again once every file of it is closed", group);
	close(group);
	return failures;
}
