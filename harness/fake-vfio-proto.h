/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The wire between the fake's preload shim (in the client) and its VFIO server (in fake). */
#pragma once

#include <stdint.h>

/*
 * One SOCK_SEQPACKET connection per client process. Each request is one message: a struct
 * pthv_req followed by len bytes of payload (an ioctl's argument, the bytes of a pwrite, a
 * path); file descriptors ride along as SCM_RIGHTS (the eventfds of VFIO_DEVICE_SET_IRQS).
 * Each reply is one message: a struct pthv_rep and rep.len bytes (the ioctl's argument as the
 * model left it, the bytes of a pread), with a file descriptor for PTHV_MMAP (the memory that
 * backs the BAR). The server answers requests in order; the shim sends one at a time.
 */
#define PTHV_SOCKET_ENV "PTHARNESS_FAKE_VFIO"
/* The machine's device-node directory, whose VFIO nodes the shim takes ("/dev"). */
#define PTHV_DEV_ENV "PTHARNESS_FAKE_DEV"
/* The folder that stands for /lib/modules in the preload mode (the shim opens paths there). */
#define PTHV_MODULES_ENV "PTHARNESS_FAKE_MODULES"
#define PTHV_PAYLOAD_MAX 65536u

enum pthv_op {
	PTHV_OPEN, /* payload: the node's path below /dev ("vfio/12"); request: open flags */
	PTHV_CLOSE,
	PTHV_IOCTL, /* request: the ioctl; value: its integer argument, or payload: the struct */
	PTHV_READ, /* value: file offset; len: bytes wanted */
	PTHV_WRITE, /* value: file offset; payload: the bytes */
	PTHV_MMAP, /* value: file offset; request: length; flags: mmap flags */
	/* The client mapped the handle's region at value (request bytes): a VM_PFNMAP mapping,
	 * which iommufd cannot pin (fks_host_region_mapped). */
	PTHV_MAPPED,
	PTHV_UNMAPPED, /* value, request: a range the client unmapped or mapped over */
	_PTHV_OP_MAX,
};

/* What a handle is: VFIO's requests share numbers across them (VFIO_BASE + 12 is
 * VFIO_IOMMU_GET_INFO on a container and VFIO_DEVICE_GET_PCI_HOT_RESET_INFO on a device). */
enum pthv_kind {
	PTHV_KIND_OTHER, /* /dev/iommu and anything else the model may serve */
	PTHV_KIND_CONTAINER, /* /dev/vfio/vfio */
	PTHV_KIND_GROUP, /* /dev/vfio/N */
	PTHV_KIND_DEVICE, /* from VFIO_GROUP_GET_DEVICE_FD, or /dev/vfio/devices/vfioN */
	_PTHV_KIND_MAX,
};

static inline enum pthv_kind pthv_kind_of_node(const char *node)
{
	if (__builtin_strcmp(node, "vfio/vfio") == 0)
		return PTHV_KIND_CONTAINER;
	if (__builtin_strncmp(node, "vfio/devices/", 13) == 0)
		return PTHV_KIND_DEVICE;
	if (__builtin_strncmp(node, "vfio/", 5) == 0)
		return PTHV_KIND_GROUP;
	return PTHV_KIND_OTHER;
}

/* How an ioctl's argument travels (the shim's table decides per request). */
enum pthv_arg {
	PTHV_ARG_VALUE, /* an integer, or nothing */
	PTHV_ARG_ARGSZ, /* a struct whose first __u32 is its size (argsz), read and written back */
	PTHV_ARG_FD, /* a pointer to an int holding a VFIO fd: sent as its handle */
	PTHV_ARG_STRING, /* a NUL-terminated string; the reply is a new handle */
	PTHV_ARG_IRQ_SET, /* struct vfio_irq_set: its eventfds are passed as SCM_RIGHTS */
	PTHV_ARG_HOT_RESET, /* struct vfio_pci_hot_reset: its group fds sent as handles */
	PTHV_ARG_BIND, /* struct vfio_device_bind_iommufd: its iommufd fd sent as its handle */
};

struct pthv_req {
	uint32_t op;
	uint32_t arg; /* enum pthv_arg, for PTHV_IOCTL */
	int32_t handle;
	uint32_t flags;
	uint64_t request;
	uint64_t value;
	uint64_t len;
};

struct pthv_rep {
	int64_t ret; /* >= 0, or -errno */
	uint64_t len;
};
