/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated iommufd (/dev/iommu), VFIO device cdev and VF tokens through the backend, on
 * the lab's recordings told to follow a 6.12 kernel with CONFIG_IOMMUFD and
 * CONFIG_VFIO_DEVICE_CDEV. Expected errnos are the kernel's: drivers/iommu/iommufd/{main,ioas,
 * io_pagetable,pages,device,vfio_compat}.c, drivers/vfio/{device_cdev,group,vfio_main}.c and
 * drivers/vfio/pci/vfio_pci_core.c; tools/testing/selftests/iommu/iommufd.c asserts the same.
 */

#include <errno.h>
#include <linux/vfio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "rows.h"
#include "uapi-iommufd.h"

#define DEVS "bus/pci/devices/"
#define MSI_START 0xfee00000ull

static void to_vfio(struct row_fx *f, const char *bdf)
{
	g_autofree char *ovr = g_strdup_printf(DEVS "%s/driver_override", bdf);
	g_autofree char *unbind = g_strdup_printf(DEVS "%s/driver/unbind", bdf);
	g_autofree char *drv = g_strdup_printf(DEVS "%s/driver", bdf);
	char target[256];

	assert_int_equal(row_fx_write(f, ovr, "vfio-pci"), 0);
	if (pt_backend_readlink(f->be, PT_NS_SYS, drv, target, sizeof(target)) >= 0)
		assert_int_equal(row_fx_write(f, unbind, bdf), 0);
	assert_int_equal(row_fx_write(f, "bus/pci/drivers_probe", bdf), 0);
}

/* A recording as a 6.12 host with iommufd and the cdev. */
static struct row_fx load_modern(const char *host)
{
	struct row_fx f = row_fx_load(host, NULL);

	assert_int_equal(fks_host_set(f.h, "kernel", "6.12"), 0);
	assert_int_equal(fks_host_set(f.h, "iommufd", "1"), 0);
	assert_int_equal(fks_host_set(f.h, "vfio_device_cdev", "1"), 0);
	return f;
}

static int ioctl_(struct row_fx *f, int fd, unsigned long req, void *arg)
{
	return pt_backend_dev_ioctl(f->be, fd, req, arg);
}

static uint32_t ioas_alloc(struct row_fx *f, int ictx)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };

	assert_int_equal(ioctl_(f, ictx, IOMMU_IOAS_ALLOC, &a), 0);
	return a.out_ioas_id;
}

static int ioas_map(struct row_fx *f, int ictx, uint32_t ioas, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_map m = { .size = sizeof(m),
				    .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
					     IOMMU_IOAS_MAP_WRITEABLE,
				    .ioas_id = ioas,
				    .user_va = 0x7f0000000000ull,
				    .length = len,
				    .iova = iova };

	return ioctl_(f, ictx, IOMMU_IOAS_MAP, &m);
}

static int ioas_unmap(struct row_fx *f, int ictx, uint32_t ioas, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = ioas, .iova = iova, .length = len
	};

	return ioctl_(f, ictx, IOMMU_IOAS_UNMAP, &u);
}

static int bind(struct row_fx *f, int cdev, int ictx, uint32_t *ret_devid)
{
	struct vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = ictx };
	int r = ioctl_(f, cdev, VFIO_DEVICE_BIND_IOMMUFD, &b);

	if (r == 0 && ret_devid)
		*ret_devid = b.out_devid;
	return r;
}

static int attach(struct row_fx *f, int cdev, uint32_t *pt)
{
	struct vfio_device_attach_iommufd_pt a = { .argsz = sizeof(a), .pt_id = *pt };
	int r = ioctl_(f, cdev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);

	*pt = a.pt_id;
	return r;
}

static int exists(struct row_fx *f, enum pt_ns ns, const char *path)
{
	return pt_backend_exists(f->be, ns, path);
}

/* ---- configuration gates ---- */

static void test_iommufd_gates(void **state)
{
	struct row_fx f = row_fx_load("lab-shared-e1000e-vfio", NULL);

	(void)state;
	/* Debian's 6.1 with no IOMMUFD: no /dev/iommu, no cdev, but vfio-dev/vfioN (6.1). */
	assert_int_equal(exists(&f, PT_NS_DEV, "iommu"), 0);
	assert_int_equal(exists(&f, PT_NS_DEV, "vfio/devices"), 0);
	assert_int_equal(exists(&f, PT_NS_SYS, DEVS "0000:01:00.0/vfio-dev/vfio0"), 1);
	/* The option alone does not make 6.1 have it (iommufd is 6.2). */
	assert_int_equal(fks_host_set(f.h, "iommufd", "1"), 0);
	assert_int_equal(exists(&f, PT_NS_DEV, "iommu"), 0);
	assert_int_equal(fks_host_set(f.h, "kernel", "6.2"), 0);
	assert_int_equal(fks_host_set(f.h, "vfio_device_cdev", "1"), 0);
	assert_int_equal(exists(&f, PT_NS_DEV, "iommu"), 1);
	/* The cdev is 6.6. */
	assert_int_equal(exists(&f, PT_NS_DEV, "vfio/devices/vfio0"), 0);
	assert_int_equal(fks_host_set(f.h, "kernel", "6.6"), 0);
	assert_int_equal(fks_host_set(f.h, "vfio_device_cdev", "1"), 0);
	assert_int_equal(exists(&f, PT_NS_DEV, "vfio/devices/vfio0"), 1);
	assert_int_equal(exists(&f, PT_NS_DEV, "vfio/devices/vfio1"), 1);
	row_fx_free(&f);
}

static void test_cdev_index_own_ida(void **state)
{
	struct row_fx f = load_modern("lab-shared-e1000e-vfio");
	char *state_text;

	(void)state;
	/* Group 6's two functions: indexes 0 and 1, not 6. */
	assert_int_equal(exists(&f, PT_NS_SYS, DEVS "0000:01:00.1/vfio-dev/vfio1"), 1);
	assert_int_equal(exists(&f, PT_NS_SYS, DEVS "0000:01:00.0/vfio-dev/vfio6"), 0);
	/* Unbound, 01:00.0 gives 0 back; the next VFIO device gets the lowest free number. */
	assert_int_equal(row_fx_write(&f, DEVS "0000:01:00.0/driver/unbind", "0000:01:00.0"), 0);
	assert_int_equal(exists(&f, PT_NS_DEV, "vfio/devices/vfio0"), 0);
	to_vfio(&f, "0000:00:08.0");
	assert_int_equal(exists(&f, PT_NS_SYS, DEVS "0000:00:08.0/vfio-dev/vfio0"), 1);
	assert_int_equal(exists(&f, PT_NS_DEV, "vfio/devices/vfio0"), 1);
	state_text = row_state(f.h);
	assert_non_null(state_text);
	g_free(state_text);
	row_fx_free(&f);
}

/* ---- the cdev ---- */

static void test_cdev_bind_rules(void **state)
{
	struct row_fx f = load_modern("lab-shared-e1000e-vfio");
	struct vfio_device_info info = { .argsz = sizeof(info) };
	int ictx = pt_backend_dev_open(f.be, "iommu", 2);
	int cdev = pt_backend_dev_open(f.be, "vfio/devices/vfio0", 2), cdev2;
	uint32_t devid = 0;

	(void)state;
	assert_true(ictx >= 0 && cdev >= 0);
	/* Nothing but BIND before the bind: EINVAL. */
	assert_int_equal(ioctl_(&f, cdev, VFIO_DEVICE_GET_INFO, &info), -EINVAL);
	/* A file that is not an iommufd: EBADFD; no file: EBADF. */
	assert_int_equal(bind(&f, cdev, cdev, NULL), -EBADFD);
	assert_int_equal(bind(&f, cdev, 999, NULL), -EBADF);
	assert_int_equal(bind(&f, cdev, ictx, &devid), 0);
	assert_int_equal(devid, 1); /* the context's first object */
	assert_int_equal(ioctl_(&f, cdev, VFIO_DEVICE_GET_INFO, &info), 0);
	assert_int_equal(info.num_regions, VFIO_PCI_NUM_REGIONS);
	/* Bound twice: EINVAL; a second file of the same device cannot bind either. */
	assert_int_equal(bind(&f, cdev, ictx, NULL), -EINVAL);
	cdev2 = pt_backend_dev_open(f.be, "vfio/devices/vfio0", 2);
	assert_true(cdev2 >= 0);
	assert_int_equal(bind(&f, cdev2, ictx, NULL), -EINVAL);
	/* The group node while a member is bound through its cdev: EBUSY. */
	assert_int_equal(pt_backend_dev_open(f.be, "vfio/6", 2), -EBUSY);
	/* The other member binds to the same iommufd: the same DMA owner. */
	{
		int other = pt_backend_dev_open(f.be, "vfio/devices/vfio1", 2);
		int ictx2 = pt_backend_dev_open(f.be, "iommu", 2);

		assert_int_equal(bind(&f, other, ictx2, NULL), -EPERM);
		assert_int_equal(bind(&f, other, ictx, &devid), 0);
		assert_int_equal(devid, 2);
		pt_backend_dev_close(f.be, other);
		pt_backend_dev_close(f.be, ictx2);
	}
	pt_backend_dev_close(f.be, cdev2);
	pt_backend_dev_close(f.be, cdev);
	/* Unbound: the group opens again. */
	cdev2 = pt_backend_dev_open(f.be, "vfio/6", 2);
	assert_true(cdev2 >= 0);
	/* And now the cdev cannot bind while the group is open. */
	cdev = pt_backend_dev_open(f.be, "vfio/devices/vfio0", 2);
	assert_int_equal(bind(&f, cdev, ictx, NULL), -EBUSY);
	pt_backend_dev_close(f.be, cdev);
	pt_backend_dev_close(f.be, cdev2);
	pt_backend_dev_close(f.be, ictx);
	row_fx_free(&f);
}

static void test_bind_checks(void **state)
{
	/* No interrupt remapping: EPERM at bind, unless iommufd.allow_unsafe_interrupts. */
	struct row_fx f = load_modern("lab-nointremap-initial");
	int ictx, cdev;

	(void)state;
	to_vfio(&f, "0000:00:08.0");
	ictx = pt_backend_dev_open(f.be, "iommu", 2);
	cdev = pt_backend_dev_open(f.be, "vfio/devices/vfio0", 2);
	assert_true(ictx >= 0 && cdev >= 0);
	assert_int_equal(bind(&f, cdev, ictx, NULL), -EPERM);
	assert_int_equal(fks_host_set(f.h, "iommufd.allow_unsafe_interrupts", "1"), 0);
	assert_int_equal(bind(&f, cdev, ictx, NULL), 0);
	pt_backend_dev_close(f.be, cdev);
	pt_backend_dev_close(f.be, ictx);
	row_fx_free(&f);

	/* A member on e1000e (kernel DMA): the group is not viable: EPERM; while a member is
	 * bound, e1000e cannot probe the other (EBUSY from the DMA-ownership check). */
	f = load_modern("lab-shared-e1000e-half-vfio");
	ictx = pt_backend_dev_open(f.be, "iommu", 2);
	cdev = pt_backend_dev_open(f.be, "vfio/devices/vfio0", 2);
	assert_true(ictx >= 0 && cdev >= 0);
	assert_int_equal(bind(&f, cdev, ictx, NULL), -EPERM);
	assert_int_equal(row_fx_write(&f, DEVS "0000:01:00.0/driver/unbind", "0000:01:00.0"), 0);
	assert_int_equal(bind(&f, cdev, ictx, NULL), 0);
	assert_int_equal(row_fx_write(&f, "bus/pci/drivers/e1000e/bind", "0000:01:00.0"), -EBUSY);
	pt_backend_dev_close(f.be, cdev);
	pt_backend_dev_close(f.be, ictx);
	row_fx_free(&f);
}

/* ---- IOAS, attach, memlock ---- */

static void test_ioas_attach_pins(void **state)
{
	struct row_fx f = load_modern("lab-shared-e1000e-vfio");
	int ictx = pt_backend_dev_open(f.be, "iommu", 2);
	int cdev = pt_backend_dev_open(f.be, "vfio/devices/vfio0", 2);
	struct iommu_iova_range ranges[4];
	struct iommu_ioas_iova_ranges q = { .size = sizeof(q),
					    .num_iovas = 4,
					    .allowed_iovas = (uintptr_t)ranges };
	struct iommu_destroy d = { .size = sizeof(d) };
	uint32_t ioas, pt;

	(void)state;
	assert_int_equal(fks_host_set(f.h, "cap_ipc_lock", "0"), 0);
	assert_int_equal(fks_host_set(f.h, "memlock", "1048576"), 0);
	assert_int_equal(bind(&f, cdev, ictx, NULL), 0);
	ioas = ioas_alloc(&f, ictx);
	assert_int_equal(ioas, 2); /* after the device (1) */
	/* A fresh IOAS allows everything, to any alignment. */
	q.ioas_id = ioas;
	assert_int_equal(ioctl_(&f, ictx, IOMMU_IOAS_IOVA_RANGES, &q), 0);
	assert_int_equal(q.num_iovas, 1);
	assert_int_equal(q.out_iova_alignment, 1);
	/* 2 MiB over a 1 MiB limit maps (nothing pinned yet); the attach pins it: ENOMEM. */
	assert_int_equal(ioas_map(&f, ictx, ioas, 0x100000, 0x200000), 0);
	pt = ioas;
	assert_int_equal(attach(&f, cdev, &pt), -ENOMEM);
	assert_int_equal(ioas_unmap(&f, ictx, ioas, 0x100000, 0x200000), 0);
	assert_int_equal(ioas_map(&f, ictx, ioas, 0x100000, 0x80000), 0);
	pt = ioas;
	assert_int_equal(attach(&f, cdev, &pt), 0);
	assert_int_equal(pt, 3); /* the automatic HWPT */
	/* Attached: the MSI window and the 39-bit aperture are reserved, pages 4 KiB. */
	q.num_iovas = 4;
	assert_int_equal(ioctl_(&f, ictx, IOMMU_IOAS_IOVA_RANGES, &q), 0);
	assert_int_equal(q.num_iovas, 2);
	assert_int_equal(ranges[0].last, MSI_START - 1);
	assert_int_equal(ranges[1].last, (1ull << 39) - 1);
	assert_int_equal(q.out_iova_alignment, 4096);
	assert_int_equal(ioas_map(&f, ictx, ioas, MSI_START, 0x1000), -EINVAL);
	assert_int_equal(ioas_map(&f, ictx, ioas, 0x100000, 0x1000), -EEXIST);
	assert_int_equal(ioas_map(&f, ictx, ioas, 0x1000000, 0x100000), -ENOMEM);
	/* Unmap may not cut a mapping, and finding nothing is ENOENT. */
	assert_int_equal(ioas_unmap(&f, ictx, ioas, 0x100000, 0x1000), -ENOENT);
	assert_int_equal(ioas_unmap(&f, ictx, ioas, 0x40000000, 0x1000), -ENOENT);
	/* The IOAS is under a HWPT, the HWPT under the device: EBUSY; an unknown ID: ENOENT. */
	d.id = ioas;
	assert_int_equal(ioctl_(&f, ictx, IOMMU_DESTROY, &d), -EBUSY);
	d.id = 3;
	assert_int_equal(ioctl_(&f, ictx, IOMMU_DESTROY, &d), -EBUSY);
	d.id = 99;
	assert_int_equal(ioctl_(&f, ictx, IOMMU_DESTROY, &d), -ENOENT);
	{
		struct vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt) };

		assert_int_equal(ioctl_(&f, cdev, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt), 0);
	}
	d.id = ioas;
	assert_int_equal(ioctl_(&f, ictx, IOMMU_DESTROY, &d), 0);
	pt_backend_dev_close(f.be, cdev);
	pt_backend_dev_close(f.be, ictx);
	row_fx_free(&f);
}

static void test_memlock_modes(void **state)
{
	struct row_fx f = load_modern("lab-shared-e1000e-vfio");
	struct iommu_option o = { .size = sizeof(o),
				  .option_id = IOMMU_OPTION_RLIMIT_MODE,
				  .op = IOMMU_OPTION_OP_SET,
				  .val64 = 1 };
	int a, b, ca, cb;
	uint32_t ioas, pt;

	(void)state;
	to_vfio(&f, "0000:00:08.0"); /* index 2, group 4 */
	assert_int_equal(fks_host_set(f.h, "cap_ipc_lock", "0"), 0);
	assert_int_equal(fks_host_set(f.h, "memlock", "1048576"), 0);
	a = pt_backend_dev_open(f.be, "iommu", 2);
	b = pt_backend_dev_open(f.be, "iommu", 2);
	ca = pt_backend_dev_open(f.be, "vfio/devices/vfio0", 2);
	cb = pt_backend_dev_open(f.be, "vfio/devices/vfio2", 2);
	assert_true(a >= 0 && b >= 0 && ca >= 0 && cb >= 0);
	/* Changing the mode needs CAP_SYS_RESOURCE. */
	assert_int_equal(ioctl_(&f, b, IOMMU_OPTION, &o), -EPERM);
	assert_int_equal(bind(&f, ca, a, NULL), 0);
	assert_int_equal(bind(&f, cb, b, NULL), 0);
	ioas = ioas_alloc(&f, a);
	assert_int_equal(ioas_map(&f, a, ioas, 0x100000, 0xc0000), 0);
	pt = ioas;
	assert_int_equal(attach(&f, ca, &pt), 0);
	/* Per user: a second context of the same user shares the 1 MiB. */
	ioas = ioas_alloc(&f, b);
	assert_int_equal(ioas_map(&f, b, ioas, 0x100000, 0xc0000), 0);
	pt = ioas;
	assert_int_equal(attach(&f, cb, &pt), -ENOMEM);
	pt_backend_dev_close(f.be, cb);
	pt_backend_dev_close(f.be, b);
	/* Per process (a fresh context, before any object): its own counter. */
	assert_int_equal(fks_host_set(f.h, "cap_sys_resource", "1"), 0);
	b = pt_backend_dev_open(f.be, "iommu", 2);
	assert_int_equal(ioctl_(&f, b, IOMMU_OPTION, &o), 0);
	o.op = IOMMU_OPTION_OP_GET;
	o.val64 = 0;
	assert_int_equal(ioctl_(&f, b, IOMMU_OPTION, &o), 0);
	assert_int_equal(o.val64, 1);
	cb = pt_backend_dev_open(f.be, "vfio/devices/vfio2", 2);
	assert_int_equal(bind(&f, cb, b, NULL), 0);
	/* With an object in the context the mode is fixed: EBUSY. */
	o.op = IOMMU_OPTION_OP_SET;
	assert_int_equal(ioctl_(&f, b, IOMMU_OPTION, &o), -EBUSY);
	ioas = ioas_alloc(&f, b);
	assert_int_equal(ioas_map(&f, b, ioas, 0x100000, 0xc0000), 0);
	pt = ioas;
	assert_int_equal(attach(&f, cb, &pt), 0);
	pt_backend_dev_close(f.be, cb);
	pt_backend_dev_close(f.be, ca);
	pt_backend_dev_close(f.be, b);
	pt_backend_dev_close(f.be, a);
	row_fx_free(&f);
}

static void test_ioas_copy_hwpt_info(void **state)
{
	struct row_fx f = load_modern("lab-shared-e1000e-vfio");
	int ictx = pt_backend_dev_open(f.be, "iommu", 2);
	int cdev = pt_backend_dev_open(f.be, "vfio/devices/vfio0", 2);
	struct iommu_ioas_copy c = { .size = sizeof(c),
				     .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
				     .length = 0x10000,
				     .src_iova = 0x100000,
				     .dst_iova = 0x200000 };
	struct iommu_hwpt_alloc h = { .size = sizeof(h) };
	struct iommu_hw_info_vtd vtd;
	struct iommu_hw_info hi = { .size = sizeof(hi),
				    .data_len = sizeof(vtd),
				    .data_uptr = (uintptr_t)&vtd };
	uint32_t src, dst, devid = 0, pt;

	(void)state;
	assert_int_equal(bind(&f, cdev, ictx, &devid), 0);
	src = ioas_alloc(&f, ictx);
	dst = ioas_alloc(&f, ictx);
	assert_int_equal(ioas_map(&f, ictx, src, 0x100000, 0x10000), 0);
	c.src_ioas_id = src;
	c.dst_ioas_id = dst;
	assert_int_equal(ioctl_(&f, ictx, IOMMU_IOAS_COPY, &c), 0);
	/* A part of a mapping copies (iopt_get_pages; matrix-own vfio.icopy-part); a source
	 * that runs past the mapping does not. */
	c.length = 0x1000;
	c.src_iova = 0x101000;
	c.dst_iova = 0x300000;
	assert_int_equal(ioctl_(&f, ictx, IOMMU_IOAS_COPY, &c), 0);
	c.src_iova = 0x10f000;
	c.length = 0x2000;
	c.dst_iova = 0x400000;
	assert_int_equal(ioctl_(&f, ictx, IOMMU_IOAS_COPY, &c), -ENOENT);
	/* HWPT_ALLOC on the IOAS, for the bound device; then attach to it by its ID. */
	h.dev_id = devid;
	h.pt_id = dst;
	assert_int_equal(ioctl_(&f, ictx, IOMMU_HWPT_ALLOC, &h), 0);
	pt = h.out_hwpt_id;
	assert_int_equal(attach(&f, cdev, &pt), 0);
	assert_int_equal(pt, h.out_hwpt_id);
	hi.dev_id = devid;
	assert_int_equal(ioctl_(&f, ictx, IOMMU_GET_HW_INFO, &hi), 0);
	assert_int_equal(hi.out_data_type, IOMMU_HW_INFO_TYPE_INTEL_VTD);
	assert_int_equal(hi.data_len, sizeof(vtd));
	hi.dev_id = src;
	assert_int_equal(ioctl_(&f, ictx, IOMMU_GET_HW_INFO, &hi), -ENOENT);
	/* On 6.2 neither exists: the number is not an iommufd command yet. */
	assert_int_equal(fks_host_set(f.h, "kernel", "6.2"), 0);
	assert_int_equal(ioctl_(&f, ictx, IOMMU_HWPT_ALLOC, &h), -ENOTTY);
	pt_backend_dev_close(f.be, cdev);
	pt_backend_dev_close(f.be, ictx);
	row_fx_free(&f);
}

/* ---- the compat container ---- */

static void test_compat_container(void **state)
{
	struct row_fx f = load_modern("lab-shared-e1000e-vfio");
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map),
						.flags = VFIO_DMA_MAP_FLAG_READ |
							 VFIO_DMA_MAP_FLAG_WRITE,
						.vaddr = 0x7f0000000000ull,
						.iova = 0x100000,
						.size = 0x1000000 };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	int c, g, d;

	(void)state;
	assert_int_equal(fks_host_set(f.h, "iommufd_vfio_container", "1"), 0);
	c = pt_backend_dev_open(f.be, "vfio/vfio", 2);
	assert_true(c >= 0);
	assert_int_equal(ioctl_(&f, c, VFIO_GET_API_VERSION, NULL), VFIO_API_VERSION);
	/* Without a group: ENODEV where type1 says EINVAL. */
	assert_int_equal(ioctl_(&f, c, VFIO_SET_IOMMU, (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU),
			 -ENODEV);
	assert_int_equal(ioctl_(&f, c, VFIO_CHECK_EXTENSION, (void *)(uintptr_t)VFIO_DMA_CC_IOMMU),
			 -ENODEV);
	assert_int_equal(ioctl_(&f, c, VFIO_CHECK_EXTENSION, (void *)(uintptr_t)VFIO_UPDATE_VADDR),
			 0);
	g = pt_backend_dev_open(f.be, "vfio/6", 2);
	assert_int_equal(ioctl_(&f, g, VFIO_GROUP_SET_CONTAINER, &c), 0);
	assert_int_equal(ioctl_(&f, c, VFIO_SET_IOMMU, (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU), 0);
	d = ioctl_(&f, g, VFIO_GROUP_GET_DEVICE_FD, (void *)"0000:01:00.0");
	assert_true(d >= 0);
	/* The VADDR flag is not supported: EINVAL. */
	map.flags |= VFIO_DMA_MAP_FLAG_VADDR;
	assert_int_equal(ioctl_(&f, c, VFIO_IOMMU_MAP_DMA, &map), -EINVAL);
	map.flags &= ~VFIO_DMA_MAP_FLAG_VADDR;
	assert_int_equal(ioctl_(&f, c, VFIO_IOMMU_MAP_DMA, &map), 0);
	/* An unmap of nothing: 0 bytes, as type1 (since afb47765f923; matrix-own
	 * vfio.unmap-nothing); one that would cut the mapping: ENOENT (type1v2: EINVAL). */
	unmap.iova = 0x40000000;
	unmap.size = 0x1000;
	assert_int_equal(ioctl_(&f, c, VFIO_IOMMU_UNMAP_DMA, &unmap), 0);
	assert_int_equal(unmap.size, 0);
	unmap.iova = 0x100000;
	unmap.size = 0x1000;
	assert_int_equal(ioctl_(&f, c, VFIO_IOMMU_UNMAP_DMA, &unmap), -ENOENT);
	/* The kernel copies the unmapped size (0) back even on failure. */
	assert_int_equal(unmap.size, 0);
	unmap.size = 0x1000;
	unmap.size = 0x1000000;
	assert_int_equal(ioctl_(&f, c, VFIO_IOMMU_UNMAP_DMA, &unmap), 0);
	assert_int_equal(unmap.size, 0x1000000);
	/* The cdev of a device opened through the group cannot bind. */
	{
		int ictx = pt_backend_dev_open(f.be, "iommu", 2);
		int cdev = pt_backend_dev_open(f.be, "vfio/devices/vfio1", 2);

		assert_int_equal(bind(&f, cdev, ictx, NULL), -EBUSY);
		pt_backend_dev_close(f.be, cdev);
		pt_backend_dev_close(f.be, ictx);
	}
	pt_backend_dev_close(f.be, d);
	pt_backend_dev_close(f.be, g);
	pt_backend_dev_close(f.be, c);
	row_fx_free(&f);
}

/* A compat container (CONFIG_IOMMUFD_VFIO_CONTAINER) with group 6 attached: *c, *g. */
static struct row_fx compat_with_group(int *c, int *g)
{
	struct row_fx f = load_modern("lab-shared-e1000e-vfio");

	assert_int_equal(fks_host_set(f.h, "iommufd_vfio_container", "1"), 0);
	*c = pt_backend_dev_open(f.be, "vfio/vfio", 2);
	*g = pt_backend_dev_open(f.be, "vfio/6", 2);
	assert_true(*c >= 0 && *g >= 0);
	assert_int_equal(ioctl_(&f, *g, VFIO_GROUP_SET_CONTAINER, c), 0);
	return f;
}

/*
 * iommufd_vfio_iommu_get_info(): no SET_IOMMU needed; without a domain every page size and
 * one IOVA range; the two capabilities (DMA entries left, IOVA ranges) padded to 8 bytes as
 * since 6.6: 24 + 16 + 32 = 72 bytes (matrix-own vfio.iommu-info-no-backend).
 */
static void test_compat_info(void **state)
{
	union {
		struct vfio_iommu_type1_info info;
		uint8_t raw[128];
	} u;
	struct vfio_iommu_type1_info_dma_avail dma;
	struct vfio_iommu_type1_info_cap_iova_range iova;
	struct vfio_iova_range r;
	int c, g, d;
	struct row_fx f = compat_with_group(&c, &g);

	(void)state;
	memset(&u, 0, sizeof(u));
	u.info.argsz = sizeof(u.info);
	assert_int_equal(ioctl_(&f, c, VFIO_IOMMU_GET_INFO, &u), 0);
	assert_int_equal(u.info.flags, VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS);
	assert_int_equal(u.info.iova_pgsizes, 0xfffffffffffff000ull);
	assert_int_equal(u.info.argsz, 72);
	assert_int_equal(u.info.cap_offset, 0);
	/* With the room asked for: the chain at 24, its second link at 40. */
	memset(&u, 0, sizeof(u));
	u.info.argsz = 72;
	assert_int_equal(ioctl_(&f, c, VFIO_IOMMU_GET_INFO, &u), 0);
	assert_int_equal(u.info.cap_offset, 24);
	memcpy(&dma, u.raw + 24, sizeof(dma));
	assert_int_equal(dma.header.id, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
	assert_int_equal(dma.header.next, 40);
	assert_int_equal(dma.avail, UINT32_MAX);
	memcpy(&iova, u.raw + 40, sizeof(iova));
	memcpy(&r, u.raw + 40 + sizeof(iova), sizeof(r));
	assert_int_equal(iova.header.id, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
	assert_int_equal(iova.nr_iovas, 1);
	assert_int_equal(r.start, 0);
	assert_int_equal(r.end, UINT64_MAX);
	/* A device attached brings its domain: VT-d's page sizes, the MSI window cut out. */
	assert_int_equal(ioctl_(&f, c, VFIO_SET_IOMMU, (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU), 0);
	d = ioctl_(&f, g, VFIO_GROUP_GET_DEVICE_FD, (void *)"0000:01:00.0");
	assert_true(d >= 0);
	memset(&u, 0, sizeof(u));
	u.info.argsz = sizeof(u.info);
	assert_int_equal(ioctl_(&f, c, VFIO_IOMMU_GET_INFO, &u), 0);
	assert_int_equal(u.info.iova_pgsizes, 0x40201000ull);
	assert_int_equal(u.info.argsz, 24 + 16 + 16 + 2 * 16);
	pt_backend_dev_close(f.be, d);
	pt_backend_dev_close(f.be, g);
	pt_backend_dev_close(f.be, c);
	row_fx_free(&f);
}

/*
 * Maps without a domain need no alignment (iopt_check_iova: iova_alignment 1) until v1 makes
 * it a page; type1 (v1) cuts a mapping to unmap a part of it (iopt_cut_iova); UNSET_CONTAINER
 * lets the iommufd go even with a device open (vfio_group_ioctl_unset_container), and the
 * group then has no IOMMU for GET_DEVICE_FD.
 */
static void test_compat_type1_unset(void **state)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map),
						.flags = VFIO_DMA_MAP_FLAG_READ,
						.vaddr = 0x7f0000000800ull,
						.iova = 0x100800,
						.size = 0x1800 };
	struct vfio_iommu_type1_dma_unmap unmap;
	int c, g, d;
	struct row_fx f = compat_with_group(&c, &g);

	(void)state;
	assert_int_equal(ioctl_(&f, c, VFIO_IOMMU_MAP_DMA, &map), 0);
	/* The device's domain needs page-aligned mappings (iopt_table_add_domain). */
	assert_int_equal(ioctl_(&f, g, VFIO_GROUP_GET_DEVICE_FD, (void *)"0000:01:00.0"),
			 -EADDRINUSE);
	/* v1 disables large pages: the IOVA alignment becomes a page, which the unaligned
	 * mapping does not keep (iopt_calculate_iova_alignment). Gone, v1 is set; an unaligned
	 * map is then refused. */
	assert_int_equal(ioctl_(&f, c, VFIO_SET_IOMMU, (void *)(uintptr_t)VFIO_TYPE1_IOMMU),
			 -EADDRINUSE);
	unmap = (struct vfio_iommu_type1_dma_unmap){ .argsz = sizeof(unmap),
						     .flags = VFIO_DMA_UNMAP_FLAG_ALL };
	assert_int_equal(ioctl_(&f, c, VFIO_IOMMU_UNMAP_DMA, &unmap), 0);
	assert_int_equal(unmap.size, 0x1800);
	assert_int_equal(ioctl_(&f, c, VFIO_SET_IOMMU, (void *)(uintptr_t)VFIO_TYPE1_IOMMU), 0);
	assert_int_equal(ioctl_(&f, c, VFIO_IOMMU_MAP_DMA, &map), -EINVAL);
	map.iova = 0x200000;
	map.size = 0x2000;
	map.vaddr = 0x7f0000000000ull;
	assert_int_equal(ioctl_(&f, c, VFIO_IOMMU_MAP_DMA, &map), 0);
	unmap = (struct vfio_iommu_type1_dma_unmap){ .argsz = sizeof(unmap),
						     .iova = 0x201000,
						     .size = 0x1000 };
	assert_int_equal(ioctl_(&f, c, VFIO_IOMMU_UNMAP_DMA, &unmap), 0);
	assert_int_equal(unmap.size, 0x1000);
	unmap.iova = 0x200000;
	assert_int_equal(ioctl_(&f, c, VFIO_IOMMU_UNMAP_DMA, &unmap), 0);
	assert_int_equal(unmap.size, 0x1000);
	d = ioctl_(&f, g, VFIO_GROUP_GET_DEVICE_FD, (void *)"0000:01:00.0");
	assert_true(d >= 0);
	assert_int_equal(ioctl_(&f, g, VFIO_GROUP_UNSET_CONTAINER, NULL), 0);
	assert_int_equal(ioctl_(&f, g, VFIO_GROUP_GET_DEVICE_FD, (void *)"0000:01:00.1"), -EINVAL);
	pt_backend_dev_close(f.be, d);
	pt_backend_dev_close(f.be, g);
	pt_backend_dev_close(f.be, c);
	row_fx_free(&f);
}

/* With CONFIG_IOMMUFD_TEST, VFIO_BASE + 60 is IOMMU_TEST_CMD: a short size is EINVAL, on the
 * compat container too (matrix-own vfio.container-unknown-ioctl); without it ENOTTY. */
static void test_iommufd_test_cmd(void **state)
{
	struct row_fx f = load_modern("lab-shared-e1000e-vfio");
	unsigned long bad = _IO(VFIO_TYPE, VFIO_BASE + 60);
	uint32_t arg[32] = { 0 };
	int c;

	(void)state;
	assert_int_equal(fks_host_set(f.h, "iommufd_vfio_container", "1"), 0);
	c = pt_backend_dev_open(f.be, "vfio/vfio", 2);
	assert_int_equal(ioctl_(&f, c, bad, arg), -ENOTTY);
	assert_int_equal(fks_host_set(f.h, "iommufd_test", "1"), 0);
	assert_int_equal(ioctl_(&f, c, bad, arg), -EINVAL);
	arg[0] = sizeof(arg);
	assert_int_equal(ioctl_(&f, c, bad, arg), -EOPNOTSUPP);
	pt_backend_dev_close(f.be, c);
	row_fx_free(&f);
}

/*
 * A BAR mmap'd from the device file is VM_IO | VM_PFNMAP: iommufd cannot pin it
 * (pin_user_pages: EFAULT). Mapped into an IOAS with a domain: EFAULT at once; into one
 * without: the map succeeds and the attach that would pin it fails. Type1 maps it.
 */
static void test_pfnmap_efault(void **state)
{
	struct row_fx f = load_modern("lab-shared-e1000e-vfio");
	const uint64_t bar_va = 0x7f1000000000ull;
	struct iommu_ioas_map m = { .size = sizeof(m),
				    .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
					     IOMMU_IOAS_MAP_WRITEABLE,
				    .user_va = bar_va,
				    .length = 0x1000,
				    .iova = 0x100000 };
	int ictx = pt_backend_dev_open(f.be, "iommu", 2);
	int cdev = pt_backend_dev_open(f.be, "vfio/devices/vfio0", 2);
	uint32_t ioas, other, pt;

	(void)state;
	assert_int_equal(fks_host_region_mapped(f.h, ictx, bar_va, 0x1000), -EBADF);
	assert_int_equal(fks_host_region_mapped(f.h, cdev, bar_va, 0x1000), 0);
	assert_int_equal(bind(&f, cdev, ictx, NULL), 0);
	ioas = ioas_alloc(&f, ictx);
	other = ioas_alloc(&f, ictx);
	/* No domain yet: nothing is pinned, the map succeeds; the attach then fails. */
	m.ioas_id = other;
	assert_int_equal(ioctl_(&f, ictx, IOMMU_IOAS_MAP, &m), 0);
	pt = other;
	assert_int_equal(attach(&f, cdev, &pt), -EFAULT);
	/* With the device attached, the map itself fails; anonymous memory maps. */
	pt = ioas;
	assert_int_equal(attach(&f, cdev, &pt), 0);
	m.ioas_id = ioas;
	assert_int_equal(ioctl_(&f, ictx, IOMMU_IOAS_MAP, &m), -EFAULT);
	m.user_va = bar_va + 0x1000;
	assert_int_equal(ioctl_(&f, ictx, IOMMU_IOAS_MAP, &m), 0);
	/* Once unmapped from the process, the address is ordinary memory again. */
	fks_host_region_unmapped(f.h, bar_va, 0x1000);
	m.user_va = bar_va;
	m.iova = 0x200000;
	assert_int_equal(ioctl_(&f, ictx, IOMMU_IOAS_MAP, &m), 0);
	pt_backend_dev_close(f.be, cdev);
	pt_backend_dev_close(f.be, ictx);
	row_fx_free(&f);
}

/* Type1 follows a PFNMAP mapping's PFNs (vaddr_get_pfns): the BAR maps. */
static void test_pfnmap_type1(void **state)
{
	struct row_fx f = row_fx_load("lab-shared-e1000e-vfio", NULL);
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map),
						.flags = VFIO_DMA_MAP_FLAG_READ |
							 VFIO_DMA_MAP_FLAG_WRITE,
						.vaddr = 0x7f1000000000ull,
						.iova = 0x100000,
						.size = 0x1000 };
	int c = pt_backend_dev_open(f.be, "vfio/vfio", 2),
	    g = pt_backend_dev_open(f.be, "vfio/6", 2), d;

	(void)state;
	assert_int_equal(ioctl_(&f, g, VFIO_GROUP_SET_CONTAINER, &c), 0);
	assert_int_equal(ioctl_(&f, c, VFIO_SET_IOMMU, (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU), 0);
	d = ioctl_(&f, g, VFIO_GROUP_GET_DEVICE_FD, (void *)"0000:01:00.0");
	assert_true(d >= 0);
	assert_int_equal(fks_host_region_mapped(f.h, d, map.vaddr, map.size), 0);
	assert_int_equal(ioctl_(&f, c, VFIO_IOMMU_MAP_DMA, &map), 0);
	pt_backend_dev_close(f.be, d);
	pt_backend_dev_close(f.be, g);
	pt_backend_dev_close(f.be, c);
	row_fx_free(&f);
}

/* ---- type1 beside it: the wrap errno of 6.18 ---- */

static void test_type1_unmap_wrap(void **state)
{
	struct row_fx f = row_fx_load("lab-shared-e1000e-vfio", NULL);
	struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u),
						.iova = 0xfffffffffffff000ull,
						.size = 0x2000 };
	int c = pt_backend_dev_open(f.be, "vfio/vfio", 2),
	    g = pt_backend_dev_open(f.be, "vfio/6", 2);

	(void)state;
	assert_int_equal(ioctl_(&f, g, VFIO_GROUP_SET_CONTAINER, &c), 0);
	assert_int_equal(ioctl_(&f, c, VFIO_SET_IOMMU, (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU), 0);
	/* vfio_dma_do_unmap(): a wrapping range was EINVAL; check_add_overflow makes it
	 * EOVERFLOW from 6.18. A zero size stays EINVAL. */
	assert_int_equal(ioctl_(&f, c, VFIO_IOMMU_UNMAP_DMA, &u), -EINVAL);
	assert_int_equal(fks_host_set(f.h, "kernel", "6.18"), 0);
	assert_int_equal(ioctl_(&f, c, VFIO_IOMMU_UNMAP_DMA, &u), -EOVERFLOW);
	u.size = 0;
	assert_int_equal(ioctl_(&f, c, VFIO_IOMMU_UNMAP_DMA, &u), -EINVAL);
	pt_backend_dev_close(f.be, g);
	pt_backend_dev_close(f.be, c);
	row_fx_free(&f);
}

/* ---- VF tokens ---- */

static void test_vf_token(void **state)
{
	struct row_fx f = row_fx_load("lab-sriov-initial", NULL);
	static const char *null_vf = "0000:02:00.1 vf_token=00000000-0000-0000-0000-000000000000";
	static const char *new_vf = "0000:02:00.1 vf_token=01234567-89ab-cdef-0123-456789abcdef";
	struct {
		struct vfio_device_feature hdr;
		uint8_t uuid[16];
	} feat = { .hdr = { .argsz = sizeof(feat),
			    .flags = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_PCI_VF_TOKEN } };
	int c, gpf, gvf, pf, vf, gid = -1;
	g_autofree char *node = NULL;

	(void)state;
	assert_int_equal(fks_host_set(f.h, "vfio_pci.enable_sriov", "1"), 0);
	to_vfio(&f, "0000:02:00.0");
	assert_int_equal(row_fx_write(&f, DEVS "0000:02:00.0/sriov_drivers_autoprobe", "0"), 0);
	assert_int_equal(row_fx_write(&f, DEVS "0000:02:00.0/sriov_numvfs", "1"), 0);
	to_vfio(&f, "0000:02:00.1");
	assert_int_equal(fks_host_dev_group(f.h, "0000:02:00.1", &gid), 0);
	node = g_strdup_printf("vfio/%d", gid);
	c = pt_backend_dev_open(f.be, "vfio/vfio", 2);
	gpf = pt_backend_dev_open(f.be, "vfio/6", 2);
	gvf = pt_backend_dev_open(f.be, node, 2);
	assert_true(c >= 0 && gpf >= 0 && gvf >= 0);
	assert_int_equal(ioctl_(&f, gpf, VFIO_GROUP_SET_CONTAINER, &c), 0);
	assert_int_equal(ioctl_(&f, gvf, VFIO_GROUP_SET_CONTAINER, &c), 0);
	assert_int_equal(ioctl_(&f, c, VFIO_SET_IOMMU, (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU), 0);
	/* The PF on vfio-pci: a VF needs its token. */
	assert_int_equal(ioctl_(&f, gvf, VFIO_GROUP_GET_DEVICE_FD, (void *)"0000:02:00.1"),
			 -EACCES);
	pf = ioctl_(&f, gpf, VFIO_GROUP_GET_DEVICE_FD, (void *)"0000:02:00.0");
	assert_true(pf >= 0);
	/* The PF's token starts as the null UUID; set another through the feature. */
	for (int i = 0; i < 16; i++)
		feat.uuid[i] = (uint8_t)(i * 0x11 & 0xff);
	memcpy(feat.uuid,
	       (uint8_t[]){ 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67,
			    0x89, 0xab, 0xcd, 0xef },
	       16);
	assert_int_equal(ioctl_(&f, pf, VFIO_DEVICE_FEATURE, &feat), 0);
	assert_int_equal(ioctl_(&f, gvf, VFIO_GROUP_GET_DEVICE_FD, (void *)null_vf), -EACCES);
	vf = ioctl_(&f, gvf, VFIO_GROUP_GET_DEVICE_FD, (void *)new_vf);
	assert_true(vf >= 0);
	/* GET of the token is refused; a VF has no token feature: ENOTTY. */
	feat.hdr.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_PCI_VF_TOKEN;
	assert_int_equal(ioctl_(&f, pf, VFIO_DEVICE_FEATURE, &feat), -EINVAL);
	feat.hdr.flags = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_PCI_VF_TOKEN;
	assert_int_equal(ioctl_(&f, vf, VFIO_DEVICE_FEATURE, &feat), -ENOTTY);
	pt_backend_dev_close(f.be, vf);
	pt_backend_dev_close(f.be, pf);
	pt_backend_dev_close(f.be, gvf);
	pt_backend_dev_close(f.be, gpf);
	pt_backend_dev_close(f.be, c);
	row_fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iommufd_gates),
		cmocka_unit_test(test_cdev_index_own_ida),
		cmocka_unit_test(test_cdev_bind_rules),
		cmocka_unit_test(test_bind_checks),
		cmocka_unit_test(test_ioas_attach_pins),
		cmocka_unit_test(test_memlock_modes),
		cmocka_unit_test(test_ioas_copy_hwpt_info),
		cmocka_unit_test(test_compat_container),
		cmocka_unit_test(test_compat_info),
		cmocka_unit_test(test_compat_type1_unset),
		cmocka_unit_test(test_iommufd_test_cmd),
		cmocka_unit_test(test_pfnmap_efault),
		cmocka_unit_test(test_pfnmap_type1),
		cmocka_unit_test(test_type1_unmap_wrap),
		cmocka_unit_test(test_vf_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
