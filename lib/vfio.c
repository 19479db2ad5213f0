/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VFIO open (container, group, device, DMA map, VFIO reset), through the backend. */

#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "engine-internal.h"
#include "internal.h"
#include "vfio-internal.h"
#include "vfio.h"

int pt_vfio_ioctl(struct vfio_session *s, int handle, unsigned long req, const char *name,
		  void *arg)
{
	size_t at = pt_trace_count(s->e->trace);
	int r = pt_backend_dev_ioctl(s->e->be, handle, req, arg);

	/* Before the rules the ioctl's handler fired: causal order. */
	if (s->e->trace)
		pt_trace_insert(s->e->trace, at, PT_EVENT_IOCTL, PT_NS_DEV, name, NULL, 0, r, NULL);
	return r;
}

static void session_close(struct vfio_session *s)
{
	if (s->device >= 0)
		pt_backend_dev_close(s->e->be, s->device);
	if (s->ictx >= 0)
		pt_backend_dev_close(s->e->be, s->ictx);
	if (s->group >= 0)
		pt_backend_dev_close(s->e->be, s->group);
	if (s->container >= 0)
		pt_backend_dev_close(s->e->be, s->container);
	s->device = s->group = s->container = s->ictx = -1;
}

/* The members of the group that keep it from being viable, from the model. */
static int add_blockers(struct pt_engine *e, const struct pt_group *g, struct pt_outcome *out)
{
	for (size_t i = 0; g && i < pt_group_blocker_count(g); i++) {
		int r = pt_strv_push(&out->blockers, pt_dev_address(pt_group_blocker(g, i)->dev));

		if (r < 0)
			return r;
	}
	return 0;
}

static int open_container(struct vfio_session *s, struct pt_vfio_info *info, struct pt_outcome *out)
{
	int r;

	s->container = pt_backend_dev_open(s->e->be, "vfio/vfio", O_RDWR);
	if (s->container < 0)
		return pt_outcome_set(out, PT_CODE_VFIO_FAILED, s->container, "K-VFIO-CONTAINER",
				      "open the VFIO container: %s (is the vfio module loaded?)",
				      strerror(-s->container));
	r = pt_vfio_ioctl(s, s->container, VFIO_GET_API_VERSION, "VFIO_GET_API_VERSION", NULL);
	if (r != VFIO_API_VERSION)
		return pt_outcome_set(out, PT_CODE_VFIO_FAILED, r < 0 ? r : -EINVAL,
				      "K-VFIO-CONTAINER", "VFIO API version %d, expected %d", r,
				      VFIO_API_VERSION);
	info->api_version = r;
	r = pt_vfio_ioctl(s, s->container, VFIO_CHECK_EXTENSION, "VFIO_CHECK_EXTENSION",
			  (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU);
	info->type1v2 = r > 0;
	if (!info->type1v2 &&
	    pt_vfio_ioctl(s, s->container, VFIO_CHECK_EXTENSION, "VFIO_CHECK_EXTENSION",
			  (void *)(uintptr_t)VFIO_TYPE1_IOMMU) <= 0)
		return pt_outcome_set(out, PT_CODE_VFIO_FAILED, -ENODEV, "K-VFIO-CONTAINER",
				      "the VFIO container offers no type1 IOMMU backend");
	return 0;
}

static int open_group(struct vfio_session *s, const struct pt_dev *dev, struct pt_vfio_info *info,
		      struct pt_outcome *out)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	const struct pt_dev_props *p = pt_dev_props(dev);
	char node[32];
	int r;

	snprintf(node, sizeof(node), "vfio/%d", p->iommu_group);
	s->group = pt_backend_dev_open(s->e->be, node, O_RDWR);
	if (s->group < 0)
		return pt_outcome_set(
			out, s->group == -EBUSY ? PT_CODE_GROUP_IN_USE : PT_CODE_VFIO_FAILED,
			s->group, "K-VFIO-GROUP-NODE", "open VFIO group %d of %s: %s%s",
			p->iommu_group, p->address, strerror(-s->group),
			s->group == -ENOENT || s->group == -ENODEV ?
				" (no member is bound to a VFIO driver)" :
			s->group == -EBUSY ? " (another process holds it)" :
					     "");
	r = pt_vfio_ioctl(s, s->group, VFIO_GROUP_GET_STATUS, "VFIO_GROUP_GET_STATUS", &status);
	if (r < 0)
		return pt_outcome_set(out, PT_CODE_VFIO_FAILED, r, "K-VFIO-GROUP-STATUS",
				      "status of VFIO group %d: %s", p->iommu_group, strerror(-r));
	info->group_flags = status.flags;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		r = add_blockers(s->e, pt_dev_group(dev), out);
		if (r < 0)
			return r;
		return pt_outcome_set(out, PT_CODE_GROUP_NOT_VIABLE, -EPERM, "K-GROUP-DMA-OWNER",
				      "VFIO group %d of %s is not viable: every member must be "
				      "unbound or on a VFIO or stub driver",
				      p->iommu_group, p->address);
	}
	r = pt_vfio_ioctl(s, s->group, VFIO_GROUP_SET_CONTAINER, "VFIO_GROUP_SET_CONTAINER",
			  &s->container);
	if (r < 0)
		return pt_outcome_set(
			out, r == -EPERM ? PT_CODE_GROUP_NOT_VIABLE : PT_CODE_VFIO_FAILED, r,
			"K-GROUP-DMA-OWNER", "attach group %d to the container: %s", p->iommu_group,
			strerror(-r));
	r = pt_vfio_ioctl(
		s, s->container, VFIO_SET_IOMMU, "VFIO_SET_IOMMU",
		(void *)(uintptr_t)(info->type1v2 ? VFIO_TYPE1v2_IOMMU : VFIO_TYPE1_IOMMU));
	if (r < 0)
		return pt_outcome_set(out, PT_CODE_VFIO_FAILED, r, "K-VFIO-INTREMAP",
				      "set the container's IOMMU: %s%s", strerror(-r),
				      r == -EPERM ? " (no interrupt remapping; see "
						    "vfio_iommu_type1.allow_unsafe_interrupts)" :
						    "");
	/* Whether the IOMMU blocks No Snoop for this container (snoop control). */
	r = pt_vfio_ioctl(s, s->container, VFIO_CHECK_EXTENSION,
			  "VFIO_CHECK_EXTENSION(VFIO_DMA_CC_IOMMU)",
			  (void *)(uintptr_t)VFIO_DMA_CC_IOMMU);
	info->dma_cc = r < 0 ? -1 : r > 0;
	if (r >= 0)
		pt_engine_rule(s->e, "K-VFIO-DMA-CC-IOMMU", p->address,
			       r > 0 ? "the container's IOMMU domains enforce cache coherency" :
				       "the container's DMA is not cache-coherent: the hypervisor "
				       "must honour the guest's memory types");
	return 0;
}

static int query_device(struct vfio_session *s, const char *address, struct pt_vfio_info *info,
			struct pt_outcome *out)
{
	s->device = pt_vfio_ioctl(s, s->group, VFIO_GROUP_GET_DEVICE_FD, "VFIO_GROUP_GET_DEVICE_FD",
				  (void *)address);
	if (s->device == -EACCES)
		return pt_outcome_set(out, PT_CODE_VFIO_FAILED, s->device, "K-VFIO-VF-TOKEN",
				      "get the VFIO device %s: %s (its PF is on vfio-pci: a VF "
				      "token is needed)",
				      address, strerror(-s->device));
	if (s->device < 0)
		return pt_outcome_set(out, PT_CODE_VFIO_FAILED, s->device, "K-VFIO-DEVICE",
				      "get the VFIO device %s: %s", address, strerror(-s->device));
	return pt_vfio_query_info(s, address, info, out);
}

int pt_vfio_query_info(struct vfio_session *s, const char *address, struct pt_vfio_info *info,
		       struct pt_outcome *out)
{
	struct vfio_device_info dinfo = { .argsz = sizeof(dinfo) };
	int r;

	r = pt_vfio_ioctl(s, s->device, VFIO_DEVICE_GET_INFO, "VFIO_DEVICE_GET_INFO", &dinfo);
	if (r < 0)
		return pt_outcome_set(out, PT_CODE_VFIO_FAILED, r, "K-VFIO-DEVICE",
				      "device info of %s: %s", address, strerror(-r));
	info->device_flags = dinfo.flags;
	info->num_regions = dinfo.num_regions;
	info->num_irqs = dinfo.num_irqs;
	for (uint32_t i = 0; i < dinfo.num_regions && i < PT_VFIO_MAX_REGIONS; i++) {
		struct vfio_region_info ri = { .argsz = sizeof(ri), .index = i };

		info->regions[i].index = i;
		info->regions[i].result = pt_vfio_ioctl(s, s->device, VFIO_DEVICE_GET_REGION_INFO,
							"VFIO_DEVICE_GET_REGION_INFO", &ri);
		info->regions[i].size = ri.size;
		info->regions[i].flags = ri.flags;
	}
	for (uint32_t i = 0; i < dinfo.num_irqs && i < PT_VFIO_MAX_IRQS; i++) {
		struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = i };

		info->irqs[i].index = i;
		info->irqs[i].result = pt_vfio_ioctl(s, s->device, VFIO_DEVICE_GET_IRQ_INFO,
						     "VFIO_DEVICE_GET_IRQ_INFO", &ii);
		info->irqs[i].count = ii.count;
		info->irqs[i].flags = ii.flags;
	}
	{
		struct {
			struct vfio_device_feature hdr;
			struct vfio_device_feature_migration mig;
		} feat = { .hdr = { .argsz = sizeof(feat),
				    .flags = VFIO_DEVICE_FEATURE_GET |
					     VFIO_DEVICE_FEATURE_MIGRATION } };

		info->migration = pt_vfio_ioctl(s, s->device, VFIO_DEVICE_FEATURE,
						"VFIO_DEVICE_FEATURE(MIGRATION)", &feat) >= 0;
	}
	return 0;
}

static int map_type1(struct vfio_session *s, uint64_t bytes, struct pt_vfio_info *info,
		     struct pt_outcome *out)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	void *mem;
	int r;

	/* Real memory for a live host (the kernel pins it); untouched by a fake one. */
	mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (mem == MAP_FAILED)
		return pt_outcome_set(out, PT_CODE_HOST_ERROR, negative_errno(), NULL,
				      "reserve %llu bytes to map: %s", (unsigned long long)bytes,
				      strerror(errno));
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)mem;
	map.iova = PT_VFIO_MAP_IOVA;
	map.size = bytes;
	r = pt_vfio_ioctl(s, s->container, VFIO_IOMMU_MAP_DMA, "VFIO_IOMMU_MAP_DMA", &map);
	if (r >= 0) {
		unmap.iova = PT_VFIO_MAP_IOVA;
		unmap.size = bytes;
		pt_vfio_ioctl(s, s->container, VFIO_IOMMU_UNMAP_DMA, "VFIO_IOMMU_UNMAP_DMA",
			      &unmap);
		info->mapped = bytes;
	}
	munmap(mem, bytes);
	return pt_vfio_map_result(out, r, bytes, "K-VFIO-MEMLOCK", "K-VFIO-MAP-DMA");
}

int pt_vfio_map_result(struct pt_outcome *out, int r, uint64_t bytes, const char *memlock_rule,
		       const char *map_rule)
{
	if (r == -ENOMEM)
		return pt_outcome_set(out, PT_CODE_MEMLOCK_EXCEEDED, r, memlock_rule,
				      "DMA-mapping %llu bytes exceeds the locked-memory limit "
				      "(RLIMIT_MEMLOCK; see ptharness memlock)",
				      (unsigned long long)bytes);
	if (r < 0)
		return pt_outcome_set(out, PT_CODE_VFIO_FAILED, r, map_rule,
				      "DMA-map %llu bytes: %s", (unsigned long long)bytes,
				      strerror(-r));
	return 0;
}

static int map_dma(struct vfio_session *s, uint64_t bytes, struct pt_vfio_info *info,
		   struct pt_outcome *out)
{
	if (s->ictx >= 0)
		return pt_vfio_iommufd_map(s, bytes, info, out);
	return map_type1(s, bytes, info, out);
}

static int vfio_session(struct pt_engine *e, const struct pt_dev *dev,
			const struct pt_vfio_options *o, struct pt_vfio_info *info,
			struct pt_outcome *out)
{
	struct vfio_session s = { .e = e, .container = -1, .group = -1, .device = -1, .ictx = -1 };
	const char *address = pt_dev_address(dev);
	int r;

	if (info->path == PT_VFIO_IOMMU_IOMMUFD) {
		r = pt_vfio_iommufd_open(&s, dev, info, out);
	} else {
		r = open_container(&s, info, out);
		if (r == 0)
			r = open_group(&s, dev, info, out);
		if (r == 0)
			r = query_device(&s, address, info, out);
	}
	if (r == 0 && o->map_bytes)
		r = map_dma(&s, o->map_bytes, info, out);
	if (r == 0 && o->reset) {
		if (!(info->device_flags & VFIO_DEVICE_FLAGS_RESET))
			r = pt_outcome_set(out, PT_CODE_RESET_UNAVAILABLE, -EINVAL, "K-VFIO-RESET",
					   "VFIO cannot reset %s: the kernel found no reset method "
					   "that works for it",
					   address);
		else if ((r = pt_vfio_ioctl(&s, s.device, VFIO_DEVICE_RESET, "VFIO_DEVICE_RESET",
					    NULL)) < 0)
			r = pt_outcome_set(out, PT_CODE_RESET_FAILED, r, "K-VFIO-RESET",
					   "VFIO reset of %s: %s", address, strerror(-r));
		else
			info->reset = true;
	}
	session_close(&s);
	return r;
}

_public_ int pt_vfio_open(struct pt_engine *e, const char *address,
			  const struct pt_vfio_options *opts, struct pt_vfio_info *ret_info,
			  struct pt_outcome *out)
{
	struct pt_vfio_options o = opts ? *opts : (struct pt_vfio_options){ 0 };
	const struct pt_dev *dev;
	struct pt_vfio_info info = { .dma_cc = -1 };
	const struct pt_dev_props *p;
	int r;

	*out = (struct pt_outcome){ 0 };
	r = pt_engine_find_endpoint(e, address, NULL, &dev, out);
	if (r != 0)
		return r;
	p = pt_dev_props(dev);
	if (p->iommu_group < 0)
		return pt_outcome_set(out, PT_CODE_NO_IOMMU, -ENODEV, "K-IOMMU-PRESENT",
				      "%s has no IOMMU group: VFIO needs an IOMMU", address);
	if (!pt_driver_is_vfio(p->driver))
		return pt_outcome_set(out, PT_CODE_NOT_DETACHED, 0, "E-UNMANAGED-STUB",
				      "%s is on %s, not a VFIO driver: detach it first "
				      "(ptharness detach %s)",
				      address, p->driver ? p->driver : "no driver", address);
	r = pt_vfio_choose_path(e, address, o.iommu, &info, out);
	if (r != 0)
		return r;
	r = vfio_session(e, dev, &o, &info, out);
	if (r != 0)
		return r;
	*ret_info = info;
	if (info.path == PT_VFIO_IOMMU_IOMMUFD)
		return pt_outcome_set(out, PT_CODE_OK, 0, "K-IOMMUFD-ATTACH",
				      "%s opened through iommufd and its cdev %s (device %u, HWPT "
				      "%u): %u regions, %u IRQ types%s",
				      address, info.cdev, info.devid, info.hwpt, info.num_regions,
				      info.num_irqs, info.mapped ? ", DMA map and unmap done" : "");
	return pt_outcome_set(out, PT_CODE_OK, 0, "K-VFIO-DEVICE",
			      "%s opened through VFIO group %d%s: %u regions, %u IRQ types%s",
			      address, p->iommu_group, info.compat ? " (iommufd's container)" : "",
			      info.num_regions, info.num_irqs,
			      info.mapped ? ", DMA map and unmap done" : "");
}
