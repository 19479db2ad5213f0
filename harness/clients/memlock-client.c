/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A VFIO client that shows what a partial unmap or a copy gives back of the locked memory. */

/*
 * Run under ptharness fake with RLIMIT_MEMLOCK at 4 pages and CAP_IPC_LOCK dropped (the
 * scenario's model sets both), so that whether a 5th page can be mapped says what is charged.
 *
 *   memlock-client v1-unmap BDF
 *     QEMU's order of calls on the group's container with VFIO_SET_IOMMU type1 (v1): the
 *     container, the group, the device file, a 4-page VFIO_IOMMU_MAP_DMA, a 5th page, an
 *     unmap of the 2nd page (the bytes the kernel says it unmapped), the 5th page again.
 *     Whose container it is (type1 or iommufd's compat) decides the answers.
 *   memlock-client copy BDF [unmap-source]
 *     /dev/iommu with two IOASes; the device's cdev bound and attached to the first, a domain
 *     (IOMMU_HWPT_ALLOC) on the second; 4 pages mapped in the first, 2 of them copied into the
 *     second (IOMMU_IOAS_COPY), a 5th page; with unmap-source then the first's mapping goes,
 *     and 2 pages, then 1 more, are mapped again.
 *
 * Each request prints "WHAT: ERRNO" (0 when it succeeded) or, for an unmap, the bytes
 * unmapped; what each should be is the scenario's to say. A step before them that fails
 * prints "setup: ..." and exits 1.
 */

#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "client-util.h"
#include "uapi-iommufd.h"

#define PAGE 4096ul

/* 16 pages of anonymous memory: the mappings take their user addresses from it. */
static char *buffer(void)
{
	void *b = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	setup(b != MAP_FAILED, "anonymous mmap");
	return b;
}

/* ---- the container ---- */

static int dma_map(int container, char *va, uint64_t iova, unsigned long pages)
{
	struct vfio_iommu_type1_dma_map m = { .argsz = sizeof(m),
					      .flags = VFIO_DMA_MAP_FLAG_READ |
						       VFIO_DMA_MAP_FLAG_WRITE,
					      .vaddr = (uintptr_t)va,
					      .iova = iova,
					      .size = pages * PAGE };

	return ioctl(container, VFIO_IOMMU_MAP_DMA, &m) < 0 ? errno : 0;
}

/* The bytes unmapped, or the errno's name. */
static void dma_unmap(int container, const char *what, uint64_t iova, unsigned long pages)
{
	struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u),
						.iova = iova,
						.size = pages * PAGE };

	if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &u) < 0)
		printf("%s: %s\n", what, errno_name(errno));
	else
		printf("%s: %llu\n", what, (unsigned long long)u.size);
}

static void v1_unmap(const char *bdf)
{
	char link[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	int container, dev;
	char *buf = buffer();

	snprintf(link, sizeof(link), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(link, target, sizeof(target) - 1);
	setup(n > 0, "the device's iommu_group link");
	target[n] = '\0';
	container = open_through_container(basename(target), bdf, VFIO_TYPE1_IOMMU, &dev);
	printf("map 4 pages: %s\n", errno_name(dma_map(container, buf, 0x100000, 4)));
	printf("map a 5th: %s\n", errno_name(dma_map(container, buf + 8 * PAGE, 0x200000, 1)));
	dma_unmap(container, "unmap the 2nd page", 0x101000, 1);
	printf("map a 5th: %s\n", errno_name(dma_map(container, buf + 8 * PAGE, 0x200000, 1)));
}

/* ---- iommufd ---- */

static int ioas_map(int ictx, uint32_t ioas, char *va, uint64_t iova, unsigned long pages)
{
	struct iommu_ioas_map m = { .size = sizeof(m),
				    .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
					     IOMMU_IOAS_MAP_WRITEABLE,
				    .ioas_id = ioas,
				    .user_va = (uintptr_t)va,
				    .length = pages * PAGE,
				    .iova = iova };

	return ioctl(ictx, IOMMU_IOAS_MAP, &m) < 0 ? errno : 0;
}

static uint32_t ioas_alloc(int ictx)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };

	setup(ioctl(ictx, IOMMU_IOAS_ALLOC, &a) == 0, "IOMMU_IOAS_ALLOC");
	return a.out_ioas_id;
}

/* The device's cdev (/dev/vfio/devices/vfioN, named in its vfio-dev folder), opened. */
static int open_cdev(const char *bdf)
{
	char dir[PATH_MAX], node[PATH_MAX + 32] = "";
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(dir);
	setup(d != NULL, "the device's vfio-dev folder");
	while ((e = readdir(d)))
		if (strncmp(e->d_name, "vfio", 4) == 0)
			snprintf(node, sizeof(node), "/dev/vfio/devices/%s", e->d_name);
	closedir(d);
	errno = ENOENT;
	setup(node[0] != '\0', "a vfioN entry in vfio-dev");
	return open(node, O_RDWR | O_CLOEXEC);
}

static void copy(const char *bdf, int unmap_source)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct iommu_hwpt_alloc hwpt = { .size = sizeof(hwpt) };
	struct iommu_ioas_copy c = { .size = sizeof(c),
				     .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
					      IOMMU_IOAS_MAP_WRITEABLE,
				     .length = 2 * PAGE,
				     .dst_iova = 0x200000,
				     .src_iova = 0x101000 };
	struct iommu_ioas_unmap u = { .size = sizeof(u), .iova = 0x100000, .length = 4 * PAGE };
	char *buf = buffer();
	int ictx = open("/dev/iommu", O_RDWR | O_CLOEXEC), dev;
	uint32_t a, b;

	setup(ictx >= 0, "open /dev/iommu");
	a = ioas_alloc(ictx);
	b = ioas_alloc(ictx);
	dev = open_cdev(bdf);
	setup(dev >= 0, "open the cdev");
	bind.iommufd = ictx;
	setup(ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind) == 0, "VFIO_DEVICE_BIND_IOMMUFD");
	attach.pt_id = a;
	setup(ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) == 0,
	      "VFIO_DEVICE_ATTACH_IOMMUFD_PT");
	printf("map 4 pages: %s\n", errno_name(ioas_map(ictx, a, buf, 0x100000, 4)));
	hwpt.dev_id = bind.out_devid;
	hwpt.pt_id = b;
	printf("domain on b: %s\n",
	       errno_name(ioctl(ictx, IOMMU_HWPT_ALLOC, &hwpt) < 0 ? errno : 0));
	c.dst_ioas_id = b;
	c.src_ioas_id = a;
	printf("copy 2 pages: %s\n", errno_name(ioctl(ictx, IOMMU_IOAS_COPY, &c) < 0 ? errno : 0));
	printf("map a 5th: %s\n", errno_name(ioas_map(ictx, a, buf + 8 * PAGE, 0x400000, 1)));
	if (!unmap_source)
		return;
	u.ioas_id = a;
	if (ioctl(ictx, IOMMU_IOAS_UNMAP, &u) < 0)
		printf("unmap the source: %s\n", errno_name(errno));
	else
		printf("unmap the source: %llu\n", (unsigned long long)u.length);
	printf("map 2 pages: %s\n", errno_name(ioas_map(ictx, a, buf + 8 * PAGE, 0x400000, 2)));
	printf("map 1 more: %s\n", errno_name(ioas_map(ictx, a, buf + 10 * PAGE, 0x500000, 1)));
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "v1-unmap") == 0)
		v1_unmap(argv[2]);
	else if ((argc == 3 || (argc == 4 && strcmp(argv[3], "unmap-source") == 0)) &&
		 strcmp(argv[1], "copy") == 0)
		copy(argv[2], argc == 4);
	else
		return fprintf(stderr, "usage: memlock-client v1-unmap BDF | copy BDF "
				       "[unmap-source]\n"),
		       99;
	return 0;
}
