/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A VFIO client that DMA-maps a device's own BAR (peer-to-peer), run under ptharness fake. */

/*
 * Usage: bar-dma-client iommufd CDEV (vfio0: /dev/iommu, an IOAS, the cdev bound and
 * attached) or bar-dma-client container GROUP BDF (/dev/vfio/vfio with type1v2: the
 * kernel's type1, or iommufd's compat container). Either way it maps BAR0 of the device
 * (vfio_pci_core_mmap(): a VM_IO | VM_PFNMAP mapping) and asks for a DMA mapping of it, then
 * of anonymous memory, then of BAR0's address again once BAR0 is unmapped and anonymous
 * memory put there. Each request prints "NAME: ERRNO" (0 when it succeeded); what each
 * should be is the scenario's to say. A step before them that fails prints "setup: ..." and
 * exits 1. bar-dma-client leave GROUP BDF maps BAR0 through the container and exits without
 * unmapping it (the process's memory goes with it).
 */

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "client-util.h"
#include "uapi-iommufd.h"

#define LEN 4096ul

/* One DMA map request, through whichever path (iommufd or a container). */
typedef int (*map_fn)(int fd, uint32_t id, void *va, uint64_t iova);

static int ioas_map(int ictx, uint32_t ioas, void *va, uint64_t iova)
{
	struct iommu_ioas_map m = { .size = sizeof(m),
				    .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
					     IOMMU_IOAS_MAP_WRITEABLE,
				    .ioas_id = ioas,
				    .user_va = (uintptr_t)va,
				    .length = LEN,
				    .iova = iova };

	return ioctl(ictx, IOMMU_IOAS_MAP, &m) < 0 ? errno : 0;
}

static int dma_map(int container, uint32_t unused, void *va, uint64_t iova)
{
	struct vfio_iommu_type1_dma_map m = { .argsz = sizeof(m),
					      .flags = VFIO_DMA_MAP_FLAG_READ |
						       VFIO_DMA_MAP_FLAG_WRITE,
					      .vaddr = (uintptr_t)va,
					      .iova = iova,
					      .size = LEN };

	(void)unused;
	return ioctl(container, VFIO_IOMMU_MAP_DMA, &m) < 0 ? errno : 0;
}

/* BAR0 mapped, then the three requests. */
static void map_bar(int dev, map_fn map, int fd, uint32_t id, const char *name)
{
	struct vfio_region_info bar0 = { .argsz = sizeof(bar0),
					 .index = VFIO_PCI_BAR0_REGION_INDEX };
	void *bar, *anon;

	setup(ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &bar0) == 0, "BAR0 region info");
	errno = EINVAL;
	setup(bar0.flags & VFIO_REGION_INFO_FLAG_MMAP, "BAR0 may be mapped");
	bar = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, dev, (off_t)bar0.offset);
	setup(bar != MAP_FAILED, "BAR0 mmap");
	anon = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	setup(anon != MAP_FAILED, "anonymous mmap");
	printf("%s of BAR0: %s\n", name, errno_name(map(fd, id, bar, 0x100000)));
	printf("%s of anonymous memory: %s\n", name, errno_name(map(fd, id, anon, 0x200000)));
	setup(munmap(bar, LEN) == 0, "BAR0 munmap");
	setup(mmap(bar, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
		   0) == bar,
	      "anonymous mmap where BAR0 was");
	printf("%s of BAR0's address once unmapped: %s\n", name,
	       errno_name(map(fd, id, bar, 0x300000)));
}

static void through_iommufd(const char *cdev)
{
	char node[64];
	int ictx = open("/dev/iommu", O_RDWR | O_CLOEXEC), dev;
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };

	setup(ictx >= 0, "open /dev/iommu");
	setup(ioctl(ictx, IOMMU_IOAS_ALLOC, &alloc) == 0, "IOMMU_IOAS_ALLOC");
	snprintf(node, sizeof(node), "/dev/vfio/devices/%s", cdev);
	dev = open(node, O_RDWR | O_CLOEXEC);
	setup(dev >= 0, "open the cdev");
	bind.iommufd = ictx;
	setup(ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind) == 0, "VFIO_DEVICE_BIND_IOMMUFD");
	attach.pt_id = alloc.out_ioas_id;
	setup(ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) == 0,
	      "VFIO_DEVICE_ATTACH_IOMMUFD_PT");
	map_bar(dev, ioas_map, ictx, alloc.out_ioas_id, "IOMMU_IOAS_MAP");
}

static void through_container(const char *group_id, const char *bdf, bool leave)
{
	struct vfio_region_info bar0 = { .argsz = sizeof(bar0),
					 .index = VFIO_PCI_BAR0_REGION_INDEX };
	int dev, container = open_through_container(group_id, bdf, VFIO_TYPE1v2_IOMMU, &dev);

	if (!leave) {
		map_bar(dev, dma_map, container, 0, "VFIO_IOMMU_MAP_DMA");
		return;
	}
	setup(ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &bar0) == 0, "BAR0 region info");
	setup(mmap(NULL, LEN, PROT_READ, MAP_SHARED, dev, (off_t)bar0.offset) != MAP_FAILED,
	      "BAR0 mmap");
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "iommufd") == 0)
		through_iommufd(argv[2]);
	else if (argc == 4 && (strcmp(argv[1], "container") == 0 || strcmp(argv[1], "leave") == 0))
		through_container(argv[2], argv[3], argv[1][0] == 'l');
	else
		return fprintf(stderr, "usage: bar-dma-client iommufd CDEV | {container|leave} "
				       "GROUP BDF\n"),
		       99;
	return 0;
}
