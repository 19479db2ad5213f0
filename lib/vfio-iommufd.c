/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VFIO open through iommufd and the device cdev, as QEMU's iommufd backend does. */

/*
 * The plan: QEMU (hw/vfio/iommufd.c, backends/iommufd.c) opens /dev/iommu, allocates an IOAS,
 * opens the device's cdev (/dev/vfio/devices/vfioN, named by sysfs vfio-dev/vfioN), binds it
 * (VFIO_DEVICE_BIND_IOMMUFD) and attaches it to the IOAS (VFIO_DEVICE_ATTACH_IOMMUFD_PT), then
 * maps guest RAM with IOMMU_IOAS_MAP. Which path is taken is chosen first, from what the host
 * offers, so a path it lacks is refused before any file is opened. With no iommufd object
 * QEMU uses the container, so "auto" does too when the host has one.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include "uapi-iommufd.h"
#include "vfio-internal.h"

static const char *const path_names[] = {
	[PT_VFIO_IOMMU_LEGACY] = "the legacy VFIO container (/dev/vfio/vfio)",
	[PT_VFIO_IOMMU_IOMMUFD] = "iommufd with the device cdev (/dev/iommu, /dev/vfio/devices)",
};

int pt_vfio_choose_path(struct pt_engine *e, const char *address, enum pt_vfio_iommu want,
			struct pt_vfio_info *info, struct pt_outcome *out)
{
	struct pt_vfio_paths p;
	bool legacy, iommufd;
	int r;

	r = pt_vfio_paths_probe(e->be, pt_host_kernel(e->host), &p);
	if (r < 0)
		return r;
	legacy = p.container == 1;
	iommufd = p.iommufd == 1 && p.cdev != 0;
	if (want == PT_VFIO_IOMMU_AUTO)
		want = legacy || !iommufd ? PT_VFIO_IOMMU_LEGACY : PT_VFIO_IOMMU_IOMMUFD;
	if ((want == PT_VFIO_IOMMU_LEGACY && !legacy) ||
	    (want == PT_VFIO_IOMMU_IOMMUFD && !iommufd))
		return pt_outcome_set(out, PT_CODE_VFIO_FAILED, -ENOENT, "E-VFIO-PATH",
				      "%s: the host has no %s (container %s, iommufd %s, cdev %s); "
				      "nothing was opened or changed",
				      address, path_names[want], p.container ? "yes" : "no",
				      p.iommufd ? "yes" : "no",
				      p.cdev < 0 ? "unknown" :
				      p.cdev	 ? "yes" :
						   "no");
	pt_engine_rule(e, "E-VFIO-PATH", address, "through %s%s", path_names[want],
		       want == PT_VFIO_IOMMU_LEGACY && p.compat == 1 ? ", provided by iommufd" :
								       "");
	info->path = want;
	info->compat = want == PT_VFIO_IOMMU_LEGACY && p.compat == 1;
	return 0;
}

static int bind_error(struct vfio_session *s, const struct pt_dev *dev, int r,
		      struct pt_outcome *out)
{
	const char *address = pt_dev_address(dev);
	const struct pt_group *g = pt_dev_group(dev);

	if (r == -EPERM && g && !pt_group_viable(g)) {
		for (size_t i = 0; i < pt_group_blocker_count(g); i++)
			if (pt_strv_push(&out->blockers,
					 pt_dev_address(pt_group_blocker(g, i)->dev)) < 0)
				return -ENOMEM;
		return pt_outcome_set(out, PT_CODE_GROUP_NOT_VIABLE, r, "K-IOMMUFD-DMA-OWNER",
				      "bind %s to iommufd: %s: group %d is not viable (a member "
				      "is on a driver that uses the DMA API)",
				      address, strerror(-r), pt_group_id(g));
	}
	if (r == -EPERM)
		return pt_outcome_set(out, PT_CODE_VFIO_FAILED, r, "K-IOMMUFD-MSI",
				      "bind %s to iommufd: %s (MSIs cannot be isolated: no "
				      "interrupt remapping; see iommufd.allow_unsafe_interrupts)",
				      address, strerror(-r));
	if (r == -EBUSY)
		return pt_outcome_set(
			out, PT_CODE_GROUP_IN_USE, r, "K-VFIO-CDEV-EXCLUSIVE",
			"bind %s to iommufd: %s (its group node is open, or the device "
			"is bound elsewhere)",
			address, strerror(-r));
	if (r == -EACCES)
		return pt_outcome_set(out, PT_CODE_VFIO_FAILED, r, "K-VFIO-VF-TOKEN",
				      "bind %s to iommufd: %s (its PF is on vfio-pci: a VF token "
				      "is needed)",
				      address, strerror(-r));
	return pt_outcome_set(out, PT_CODE_VFIO_FAILED, r, "K-IOMMUFD-BIND",
			      "bind %s to iommufd: %s", address, strerror(-r));
}

static int open_cdev(struct vfio_session *s, const struct pt_dev *dev, struct pt_vfio_info *info,
		     struct pt_outcome *out)
{
	const struct pt_dev_props *p = pt_dev_props(dev);
	char node[48];
	int r;

	r = pt_vfio_dev_cdev(s->e->be, p->syspath, info->cdev, sizeof(info->cdev));
	if (r < 0)
		return pt_outcome_set(out, PT_CODE_VFIO_FAILED, r, "K-VFIO-CDEV-INDEX",
				      "%s has no VFIO device index (%s/vfio-dev): %s", p->address,
				      p->syspath, strerror(-r));
	snprintf(node, sizeof(node), "vfio/devices/%s", info->cdev);
	s->device = pt_backend_dev_open(s->e->be, node, O_RDWR);
	if (s->device < 0)
		return pt_outcome_set(out, PT_CODE_VFIO_FAILED, s->device, "K-VFIO-CDEV-INDEX",
				      "open the cdev %s of %s: %s", node, p->address,
				      strerror(-s->device));
	return 0;
}

/*
 * Whether the HWPT the device is attached to enforces cache coherency: VT-d's Snoop Control
 * (ecap bit 7) from IOMMU_GET_HW_INFO (6.6+); unknown (-1) for another IOMMU or an older kernel.
 */
static void query_coherency(struct vfio_session *s, const char *address, struct pt_vfio_info *info)
{
	struct iommu_hw_info_vtd vtd = { 0 };
	struct iommu_hw_info hw = { .size = sizeof(hw),
				    .dev_id = info->devid,
				    .data_len = sizeof(vtd),
				    .data_uptr = (uintptr_t)&vtd };

	if (pt_vfio_ioctl(s, s->ictx, IOMMU_GET_HW_INFO, "IOMMU_GET_HW_INFO", &hw) < 0 ||
	    hw.out_data_type != IOMMU_HW_INFO_TYPE_INTEL_VTD)
		return;
	info->dma_cc = (vtd.ecap_reg >> 7) & 1;
	pt_engine_rule(s->e, "K-IOMMUFD-ENFORCE-CC", address,
		       info->dma_cc ?
			       "the HWPT enforces cache coherency (VT-d Snoop Control)" :
			       "the HWPT's DMA is not cache-coherent (no VT-d Snoop Control): "
			       "the hypervisor must honour the guest's memory types");
}

int pt_vfio_iommufd_open(struct vfio_session *s, const struct pt_dev *dev,
			 struct pt_vfio_info *info, struct pt_outcome *out)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	const char *address = pt_dev_address(dev);
	int r;

	s->ictx = pt_backend_dev_open(s->e->be, "iommu", O_RDWR);
	if (s->ictx < 0)
		return pt_outcome_set(out, PT_CODE_VFIO_FAILED, s->ictx, "K-IOMMUFD-OBJECT",
				      "open iommufd (iommu under /dev): %s", strerror(-s->ictx));
	r = pt_vfio_ioctl(s, s->ictx, IOMMU_IOAS_ALLOC, "IOMMU_IOAS_ALLOC", &alloc);
	if (r < 0)
		return pt_outcome_set(out, PT_CODE_VFIO_FAILED, r, "K-IOMMUFD-OBJECT",
				      "allocate an IOAS: %s", strerror(-r));
	s->ioas = info->ioas = alloc.out_ioas_id;
	r = open_cdev(s, dev, info, out);
	if (r != 0)
		return r;
	bind.iommufd = s->ictx;
	r = pt_vfio_ioctl(s, s->device, VFIO_DEVICE_BIND_IOMMUFD, "VFIO_DEVICE_BIND_IOMMUFD",
			  &bind);
	if (r < 0)
		return bind_error(s, dev, r, out);
	info->devid = bind.out_devid;
	attach.pt_id = s->ioas;
	r = pt_vfio_ioctl(s, s->device, VFIO_DEVICE_ATTACH_IOMMUFD_PT,
			  "VFIO_DEVICE_ATTACH_IOMMUFD_PT", &attach);
	if (r == -ENOMEM)
		return pt_outcome_set(out, PT_CODE_MEMLOCK_EXCEEDED, r, "K-IOMMUFD-MEMLOCK",
				      "attach %s to IOAS %u: the attach pins the IOAS's mappings "
				      "past the locked-memory limit (RLIMIT_MEMLOCK)",
				      address, s->ioas);
	if (r < 0)
		return pt_outcome_set(out, PT_CODE_VFIO_FAILED, r, "K-IOMMUFD-ATTACH",
				      "attach %s to IOAS %u: %s", address, s->ioas, strerror(-r));
	info->hwpt = attach.pt_id;
	query_coherency(s, address, info);
	return pt_vfio_query_info(s, address, info, out);
}

int pt_vfio_iommufd_map(struct vfio_session *s, uint64_t bytes, struct pt_vfio_info *info,
			struct pt_outcome *out)
{
	struct iommu_ioas_map map = { .size = sizeof(map) };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	void *mem;
	int r;

	mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (mem == MAP_FAILED)
		return pt_outcome_set(out, PT_CODE_HOST_ERROR, negative_errno(), NULL,
				      "reserve %llu bytes to map: %s", (unsigned long long)bytes,
				      strerror(errno));
	map.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
	map.ioas_id = s->ioas;
	map.user_va = (uintptr_t)mem;
	map.length = bytes;
	map.iova = PT_VFIO_MAP_IOVA;
	r = pt_vfio_ioctl(s, s->ictx, IOMMU_IOAS_MAP, "IOMMU_IOAS_MAP", &map);
	if (r >= 0) {
		unmap.ioas_id = s->ioas;
		unmap.iova = PT_VFIO_MAP_IOVA;
		unmap.length = bytes;
		pt_vfio_ioctl(s, s->ictx, IOMMU_IOAS_UNMAP, "IOMMU_IOAS_UNMAP", &unmap);
		info->mapped = bytes;
	}
	munmap(mem, bytes);
	return pt_vfio_map_result(out, r, bytes, "K-IOMMUFD-MEMLOCK", "K-IOMMUFD-IOVA");
}
