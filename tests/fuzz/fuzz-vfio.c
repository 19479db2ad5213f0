/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the simulated VFIO character devices: opens, ioctls with any argument, closes,
 * in any order, on a host with a VF on vfio-pci (group 8, 0000:02:00.1). Each input byte pair
 * is an operation; a struct argument is a 4 KiB buffer of input bytes with argsz kept inside it
 * (the kernel copies argsz bytes from the caller, who owns that much memory). */

#include <fcntl.h>
#include <linux/vfio.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fakesys.h"
#include "fuzz.h"

#define ARG_MAX 4096
#define MAX_HANDLES 8

static const unsigned long requests[] = {
	VFIO_GET_API_VERSION,	  VFIO_CHECK_EXTENSION,	    VFIO_SET_IOMMU,
	VFIO_IOMMU_GET_INFO,	  VFIO_IOMMU_MAP_DMA,	    VFIO_IOMMU_UNMAP_DMA,
	VFIO_GROUP_GET_STATUS,	  VFIO_GROUP_SET_CONTAINER, VFIO_GROUP_UNSET_CONTAINER,
	VFIO_GROUP_GET_DEVICE_FD, VFIO_DEVICE_GET_INFO,	    VFIO_DEVICE_GET_REGION_INFO,
	VFIO_DEVICE_GET_IRQ_INFO, VFIO_DEVICE_RESET,	    VFIO_DEVICE_GET_PCI_HOT_RESET_INFO,
	VFIO_DEVICE_FEATURE,
};

static const char *const nodes[] = { "vfio/vfio", "vfio/8", "vfio/9", "vfio/0", "iommu" };

struct input {
	const uint8_t *data;
	size_t size, at;
};

static uint8_t next(struct input *in)
{
	return in->at < in->size ? in->data[in->at++] : 0;
}

static void ioctl_op(struct pt_backend *be, struct input *in, int handle)
{
	unsigned long req = requests[next(in) % G_N_ELEMENTS(requests)];
	uint32_t *buf = calloc(1, ARG_MAX);
	size_t want = (size_t)next(in) * 4; /* MIN evaluates its arguments twice */
	size_t take = MIN(want, in->size - in->at);
	int fd;

	if (!buf)
		abort();
	memcpy(buf, in->data + in->at, take);
	in->at += take;
	buf[0] = MIN(buf[0], ARG_MAX); /* argsz: the caller's buffer is this big */
	switch (req) {
	case VFIO_CHECK_EXTENSION:
	case VFIO_SET_IOMMU:
		pt_backend_dev_ioctl(be, handle, req, (void *)(uintptr_t)(buf[1] & 0xff));
		break;
	case VFIO_GROUP_SET_CONTAINER:
		fd = (int)(buf[1] % (MAX_HANDLES + 4));
		pt_backend_dev_ioctl(be, handle, req, &fd);
		break;
	case VFIO_GROUP_GET_DEVICE_FD:
		((char *)buf)[32] = '\0'; /* a device name: a C string */
		pt_backend_dev_ioctl(be, handle, req, buf);
		break;
	default:
		pt_backend_dev_ioctl(be, handle, req, buf);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fks_host *h = fuzz_host();
	struct pt_backend *be = fks_host_backend(h);
	struct input in = { data, size, 0 };
	int handles[MAX_HANDLES];
	size_t nh = 0;

	while (in.at < in.size) {
		uint8_t op = next(&in), which = next(&in);
		int r;

		switch (op % 4) {
		case 0:
			r = pt_backend_dev_open(be, nodes[which % G_N_ELEMENTS(nodes)], O_RDWR);
			if (r >= 0 && nh < MAX_HANDLES)
				handles[nh++] = r;
			break;
		case 1:
		case 2:
			/* A handle we hold, or any small number (a closed or never-opened one). */
			ioctl_op(be, &in, nh && which < 200 ? handles[which % nh] : which % 16);
			break;
		default:
			if (nh) {
				size_t i = which % nh;

				pt_backend_dev_close(be, handles[i]);
				handles[i] = handles[--nh];
			}
		}
	}
	while (nh)
		pt_backend_dev_close(be, handles[--nh]);
	pt_backend_free(be);
	fks_host_free(h);
	return 0;
}
