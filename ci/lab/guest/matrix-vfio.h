/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* matrix-vfio.h: the matrix's VFIO-ioctl rows: a table of call sequences and their interpreter. */
#pragma once

/*
 * A case is a device state (a sysfs setup, as in states[]) and a ';'-separated sequence of
 * calls; every call but the last must succeed, the last is the one the row records. The same
 * text is the row's value column, so the replay (fakesys/tests/test-matrix.c) runs exactly
 * the calls the guest made. Calls ("NAME" is a one-letter fd slot, numbers in C syntax):
 *
 *   open F PATH                    open /dev/PATH (vfio/vfio, vfio/{g}, iommu)
 *   close F
 *   api C | ext C N                VFIO_GET_API_VERSION, VFIO_CHECK_EXTENSION
 *   set_iommu C N                  VFIO_SET_IOMMU
 *   set_container G C|-1|F         VFIO_GROUP_SET_CONTAINER (-1: a bad fd)
 *   unset_container G              VFIO_GROUP_UNSET_CONTAINER
 *   status G ARGSZ                 VFIO_GROUP_GET_STATUS
 *   device G NAME F                VFIO_GROUP_GET_DEVICE_FD (NAME: the string passed)
 *   info C ARGSZ                   VFIO_IOMMU_GET_INFO
 *   map C IOVA SIZE FLAGS ARGSZ VOFF   VFIO_IOMMU_MAP_DMA, vaddr = a 4 MiB buffer + VOFF
 *   unmap C IOVA SIZE FLAGS ARGSZ  VFIO_IOMMU_UNMAP_DMA
 *   dinfo D ARGSZ                  VFIO_DEVICE_GET_INFO
 *   region D INDEX ARGSZ | irq D INDEX ARGSZ    VFIO_DEVICE_GET_REGION_INFO / _IRQ_INFO
 *   reset D | hotinfo D ARGSZ      VFIO_DEVICE_RESET, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO
 *   bad F                          an ioctl number VFIO does not define (VFIO_BASE + 60)
 *   (and the iommufd and cdev calls of matrix-iommufd.h)
 *
 * ARGSZ "full" is the structure's size. The row: observed "ok" or the errno name of the last
 * call (or "step-failed:N:ERRNO" when call N before it failed); after: what the last call
 * returned ("ret=N", "flags=0x..", "size=0x..", ...) or "-".
 */

#include <stdint.h>
#include <sys/mman.h>

struct vcase {
	const char *name; /* the row's class */
	const char *state; /* "vfio" (edu on vfio-pci) or "nonviable" (e1000e fn 1 of 2) */
	const char *ioctl; /* the row's attribute: the last call's request */
	const char *fdkind; /* the row's path: container, group or device */
	const char *calls;
};

#define V_OPEN "open c vfio/vfio;open g vfio/{g}"
#define V_SET V_OPEN ";set_container g c"
#define V_T2 V_SET ";set_iommu c 3"
#define V_T1 V_SET ";set_iommu c 1"
#define V_DEV V_T2 ";device g {dev} d"
#define V_MAP1 V_T2 ";map c 0x100000 0x2000 3 full 0"
#define VFIO_EDU_SETUP "bus/pci/devices/{dev}/driver_override=vfio-pci;bus/pci/drivers_probe={dev}"
#define VFIO_E1000E_SETUP                                                                     \
	"bus/pci/devices/{dev}/driver_override=vfio-pci;bus/pci/drivers/e1000e/unbind={dev};" \
	"bus/pci/drivers_probe={dev}"

static const struct vcase vcases[] = {
	/* container before and after the backend */
	{ "api", "vfio", "VFIO_GET_API_VERSION", "container", "open c vfio/vfio;api c" },
	{ "ext-type1v2", "vfio", "VFIO_CHECK_EXTENSION", "container", "open c vfio/vfio;ext c 3" },
	{ "ext-type1", "vfio", "VFIO_CHECK_EXTENSION", "container", "open c vfio/vfio;ext c 1" },
	{ "ext-noiommu", "vfio", "VFIO_CHECK_EXTENSION", "container", "open c vfio/vfio;ext c 8" },
	{ "ext-unmap-all", "vfio", "VFIO_CHECK_EXTENSION", "container",
	  "open c vfio/vfio;ext c 9" },
	{ "ext-update-vaddr", "vfio", "VFIO_CHECK_EXTENSION", "container",
	  "open c vfio/vfio;ext c 10" },
	{ "ext-unknown", "vfio", "VFIO_CHECK_EXTENSION", "container", "open c vfio/vfio;ext c 99" },
	{ "ext-dma-cc-no-backend", "vfio", "VFIO_CHECK_EXTENSION", "container", V_SET ";ext c 4" },
	{ "ext-dma-cc", "vfio", "VFIO_CHECK_EXTENSION", "container", V_T2 ";ext c 4" },
	{ "ext-type1-after-set", "vfio", "VFIO_CHECK_EXTENSION", "container", V_T2 ";ext c 1" },
	{ "set-iommu-no-group", "vfio", "VFIO_SET_IOMMU", "container",
	  "open c vfio/vfio;set_iommu c 3" },
	{ "set-iommu-type1v2", "vfio", "VFIO_SET_IOMMU", "container", V_SET ";set_iommu c 3" },
	{ "set-iommu-type1", "vfio", "VFIO_SET_IOMMU", "container", V_SET ";set_iommu c 1" },
	{ "set-iommu-unknown", "vfio", "VFIO_SET_IOMMU", "container", V_SET ";set_iommu c 99" },
	{ "set-iommu-noiommu", "vfio", "VFIO_SET_IOMMU", "container", V_SET ";set_iommu c 8" },
	{ "set-iommu-twice", "vfio", "VFIO_SET_IOMMU", "container", V_T2 ";set_iommu c 3" },
	{ "container-unknown-ioctl", "vfio", "VFIO_BASE+60", "container",
	  "open c vfio/vfio;bad c" },
	{ "container-unknown-ioctl-set", "vfio", "VFIO_BASE+60", "container", V_T2 ";bad c" },
	{ "second-container", "vfio", "open", "container", "open c vfio/vfio;open x vfio/vfio" },
	/* group */
	{ "group-second-open", "vfio", "open", "group", V_OPEN ";open h vfio/{g}" },
	{ "group-reopen-after-close", "vfio", "open", "group", V_OPEN ";close g;open g vfio/{g}" },
	{ "status", "vfio", "VFIO_GROUP_GET_STATUS", "group", V_OPEN ";status g full" },
	{ "status-argsz-small", "vfio", "VFIO_GROUP_GET_STATUS", "group", V_OPEN ";status g 7" },
	{ "status-argsz-zero", "vfio", "VFIO_GROUP_GET_STATUS", "group", V_OPEN ";status g 0" },
	{ "status-set", "vfio", "VFIO_GROUP_GET_STATUS", "group", V_SET ";status g full" },
	{ "status-iommu", "vfio", "VFIO_GROUP_GET_STATUS", "group", V_T2 ";status g full" },
	{ "set-container", "vfio", "VFIO_GROUP_SET_CONTAINER", "group", V_SET },
	{ "set-container-twice", "vfio", "VFIO_GROUP_SET_CONTAINER", "group",
	  V_SET ";set_container g c" },
	{ "set-container-other", "vfio", "VFIO_GROUP_SET_CONTAINER", "group",
	  V_SET ";open x vfio/vfio;set_container g x" },
	{ "set-container-bad-fd", "vfio", "VFIO_GROUP_SET_CONTAINER", "group",
	  V_OPEN ";set_container g -1" },
	{ "set-container-not-container", "vfio", "VFIO_GROUP_SET_CONTAINER", "group",
	  V_OPEN ";set_container g g" },
	{ "unset-container-unset", "vfio", "VFIO_GROUP_UNSET_CONTAINER", "group",
	  V_OPEN ";unset_container g" },
	{ "unset-container", "vfio", "VFIO_GROUP_UNSET_CONTAINER", "group",
	  V_T2 ";unset_container g" },
	{ "unset-container-device-open", "vfio", "VFIO_GROUP_UNSET_CONTAINER", "group",
	  V_DEV ";unset_container g" },
	{ "device-no-container", "vfio", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  V_OPEN ";device g {dev} d" },
	{ "device-no-iommu", "vfio", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  V_SET ";device g {dev} d" },
	{ "device", "vfio", "VFIO_GROUP_GET_DEVICE_FD", "group", V_DEV },
	{ "device-twice", "vfio", "VFIO_GROUP_GET_DEVICE_FD", "group", V_DEV ";device g {dev} e" },
	{ "device-type1", "vfio", "VFIO_GROUP_GET_DEVICE_FD", "group", V_T1 ";device g {dev} d" },
	{ "device-unknown", "vfio", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  V_T2 ";device g 0000:ff:1f.7 d" },
	{ "device-short-name", "vfio", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  V_T2 ";device g {short} d" },
	{ "device-empty-name", "vfio", "VFIO_GROUP_GET_DEVICE_FD", "group", V_T2 ";device g - d" },
	{ "group-unknown-ioctl", "vfio", "VFIO_BASE+60", "group", V_OPEN ";bad g" },
	{ "group-after-unset-device", "vfio", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  V_T2 ";unset_container g;device g {dev} d" },
	/* the type1 backend */
	{ "iommu-info", "vfio", "VFIO_IOMMU_GET_INFO", "container", V_T2 ";info c 24" },
	{ "iommu-info-argsz-small", "vfio", "VFIO_IOMMU_GET_INFO", "container", V_T2 ";info c 8" },
	{ "iommu-info-no-backend", "vfio", "VFIO_IOMMU_GET_INFO", "container", V_SET ";info c 24" },
	{ "map", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_T2 ";map c 0x100000 0x1000 3 full 0" },
	{ "map-read-only", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_T2 ";map c 0x100000 0x1000 1 full 0" },
	{ "map-no-permission", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_T2 ";map c 0x100000 0x1000 0 full 0" },
	{ "map-unknown-flag", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_T2 ";map c 0x100000 0x1000 0x83 full 0" },
	{ "map-argsz-small", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_T2 ";map c 0x100000 0x1000 3 16 0" },
	{ "map-argsz-large", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_T2 ";map c 0x100000 0x1000 3 64 0" },
	{ "map-size-zero", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_T2 ";map c 0x100000 0 3 full 0" },
	{ "map-iova-unaligned", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_T2 ";map c 0x100800 0x1000 3 full 0" },
	{ "map-size-unaligned", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_T2 ";map c 0x100000 0x1800 3 full 0" },
	{ "map-vaddr-unaligned", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_T2 ";map c 0x100000 0x1000 3 full 0x800" },
	{ "map-same-twice", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_MAP1 ";map c 0x100000 0x2000 3 full 0x2000" },
	{ "map-overlap-start", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_MAP1 ";map c 0xff000 0x2000 3 full 0x4000" },
	{ "map-overlap-end", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_MAP1 ";map c 0x101000 0x2000 3 full 0x4000" },
	{ "map-inside", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_MAP1 ";map c 0x101000 0x1000 3 full 0x4000" },
	{ "map-covering", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_MAP1 ";map c 0xff000 0x4000 3 full 0x4000" },
	{ "map-adjacent", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_MAP1 ";map c 0x102000 0x1000 3 full 0x4000" },
	{ "map-wrapping", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_T2 ";map c 0xfffffffffffff000 0x2000 3 full 0" },
	{ "map-last-page", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_T2 ";map c 0xfffffffffffff000 0x1000 3 full 0" },
	{ "map-beyond-aperture", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_T2 ";map c 0x1000000000000 0x1000 3 full 0" },
	{ "map-msi-window", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_T2 ";map c 0xfee00000 0x1000 3 full 0" },
	{ "map-too-big", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_T2 ";map c 0 0x10000000000 3 full 0" },
	{ "map-no-backend", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_SET ";map c 0x100000 0x1000 3 full 0" },
	{ "map-type1", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_T1 ";map c 0x100000 0x1000 3 full 0" },
	{ "map-after-unset", "vfio", "VFIO_IOMMU_MAP_DMA", "container",
	  V_T2 ";unset_container g;map c 0x100000 0x1000 3 full 0" },
	{ "unmap-nothing", "vfio", "VFIO_IOMMU_UNMAP_DMA", "container",
	  V_T2 ";unmap c 0x100000 0x1000 0 full" },
	{ "unmap-exact", "vfio", "VFIO_IOMMU_UNMAP_DMA", "container",
	  V_MAP1 ";unmap c 0x100000 0x2000 0 full" },
	{ "unmap-first-part", "vfio", "VFIO_IOMMU_UNMAP_DMA", "container",
	  V_MAP1 ";unmap c 0x100000 0x1000 0 full" },
	{ "unmap-last-part", "vfio", "VFIO_IOMMU_UNMAP_DMA", "container",
	  V_MAP1 ";unmap c 0x101000 0x1000 0 full" },
	{ "unmap-covering", "vfio", "VFIO_IOMMU_UNMAP_DMA", "container",
	  V_MAP1 ";unmap c 0 0x1000000 0 full" },
	{ "unmap-overlap-start", "vfio", "VFIO_IOMMU_UNMAP_DMA", "container",
	  V_MAP1 ";unmap c 0xff000 0x2000 0 full" },
	{ "unmap-part-type1", "vfio", "VFIO_IOMMU_UNMAP_DMA", "container",
	  V_T1 ";map c 0x100000 0x2000 3 full 0;unmap c 0x101000 0x1000 0 full" },
	{ "unmap-unaligned", "vfio", "VFIO_IOMMU_UNMAP_DMA", "container",
	  V_MAP1 ";unmap c 0x100800 0x1000 0 full" },
	{ "unmap-size-zero", "vfio", "VFIO_IOMMU_UNMAP_DMA", "container",
	  V_MAP1 ";unmap c 0x100000 0 0 full" },
	{ "unmap-wrapping", "vfio", "VFIO_IOMMU_UNMAP_DMA", "container",
	  V_MAP1 ";unmap c 0xfffffffffffff000 0x2000 0 full" },
	{ "unmap-argsz-small", "vfio", "VFIO_IOMMU_UNMAP_DMA", "container",
	  V_MAP1 ";unmap c 0x100000 0x2000 0 8" },
	{ "unmap-unknown-flag", "vfio", "VFIO_IOMMU_UNMAP_DMA", "container",
	  V_MAP1 ";unmap c 0x100000 0x2000 0x80 full" },
	{ "unmap-all", "vfio", "VFIO_IOMMU_UNMAP_DMA", "container", V_MAP1 ";unmap c 0 0 2 full" },
	{ "unmap-all-with-range", "vfio", "VFIO_IOMMU_UNMAP_DMA", "container",
	  V_MAP1 ";unmap c 0x100000 0x2000 2 full" },
	{ "unmap-no-backend", "vfio", "VFIO_IOMMU_UNMAP_DMA", "container",
	  V_SET ";unmap c 0x100000 0x1000 0 full" },
	/* the device */
	{ "device-info", "vfio", "VFIO_DEVICE_GET_INFO", "device", V_DEV ";dinfo d full" },
	{ "device-info-argsz-small", "vfio", "VFIO_DEVICE_GET_INFO", "device", V_DEV ";dinfo d 8" },
	{ "region-bar0", "vfio", "VFIO_DEVICE_GET_REGION_INFO", "device",
	  V_DEV ";region d 0 full" },
	{ "region-bar1", "vfio", "VFIO_DEVICE_GET_REGION_INFO", "device",
	  V_DEV ";region d 1 full" },
	{ "region-rom", "vfio", "VFIO_DEVICE_GET_REGION_INFO", "device", V_DEV ";region d 6 full" },
	{ "region-config", "vfio", "VFIO_DEVICE_GET_REGION_INFO", "device",
	  V_DEV ";region d 7 full" },
	{ "region-vga", "vfio", "VFIO_DEVICE_GET_REGION_INFO", "device", V_DEV ";region d 8 full" },
	{ "region-bad-index", "vfio", "VFIO_DEVICE_GET_REGION_INFO", "device",
	  V_DEV ";region d 99 full" },
	{ "region-argsz-small", "vfio", "VFIO_DEVICE_GET_REGION_INFO", "device",
	  V_DEV ";region d 0 8" },
	{ "irq-intx", "vfio", "VFIO_DEVICE_GET_IRQ_INFO", "device", V_DEV ";irq d 0 full" },
	{ "irq-msi", "vfio", "VFIO_DEVICE_GET_IRQ_INFO", "device", V_DEV ";irq d 1 full" },
	{ "irq-msix", "vfio", "VFIO_DEVICE_GET_IRQ_INFO", "device", V_DEV ";irq d 2 full" },
	{ "irq-err", "vfio", "VFIO_DEVICE_GET_IRQ_INFO", "device", V_DEV ";irq d 3 full" },
	{ "irq-req", "vfio", "VFIO_DEVICE_GET_IRQ_INFO", "device", V_DEV ";irq d 4 full" },
	{ "irq-bad-index", "vfio", "VFIO_DEVICE_GET_IRQ_INFO", "device", V_DEV ";irq d 99 full" },
	{ "irq-argsz-small", "vfio", "VFIO_DEVICE_GET_IRQ_INFO", "device", V_DEV ";irq d 0 8" },
	{ "device-reset", "vfio", "VFIO_DEVICE_RESET", "device", V_DEV ";reset d" },
	{ "hot-reset-info-root-bus", "vfio", "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO", "device",
	  V_DEV ";hotinfo d full" },
	{ "device-unknown-ioctl", "vfio", "VFIO_BASE+60", "device", V_DEV ";bad d" },
	/* a group that is not viable: e1000e function 1 on vfio-pci, function 0 on e1000e */
	{ "nonviable-open", "nonviable", "open", "group", V_OPEN },
	{ "nonviable-status", "nonviable", "VFIO_GROUP_GET_STATUS", "group",
	  V_OPEN ";status g full" },
	{ "nonviable-set-container", "nonviable", "VFIO_GROUP_SET_CONTAINER", "group", V_SET },
	{ "nonviable-set-iommu", "nonviable", "VFIO_SET_IOMMU", "container",
	  V_OPEN ";set_iommu c 3" },
	{ "nonviable-device", "nonviable", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  V_OPEN ";device g {dev} d" },
};

struct vstate {
	const char *name, *role, *setup;
};

static const struct vstate vstates[] = {
	{ "vfio", "edu", VFIO_EDU_SETUP },
	{ "nonviable", "e1000e1", VFIO_E1000E_SETUP },
};

#include "matrix-iommufd.h"

/* ---- the interpreter (the guest side; the replay has its own on fakesys) ---- */

#define VBUF_SIZE (4u << 20)
#define VFIO_BAD_IOCTL _IO(VFIO_TYPE, VFIO_BASE + 60)

struct vrun {
	int fd[26];
	uint32_t ids[26]; /* iommufd object ids (matrix-iommufd.h) */
	char *buf; /* VBUF_SIZE bytes, page aligned */
	char after[256];
};

static int *vslot(struct vrun *r, const char *name)
{
	return name && name[0] >= 'a' && name[0] <= 'z' && !name[1] ? &r->fd[name[0] - 'a'] : NULL;
}

static unsigned long long vnum(const char *s)
{
	return s ? strtoull(s, NULL, 0) : 0;
}

static unsigned vargsz(const char *s, size_t full)
{
	return s && strcmp(s, "full") ? (unsigned)strtoul(s, NULL, 0) : (unsigned)full;
}

static int vio(int fd, unsigned long req, void *arg)
{
	int r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

/* The device calls, then the iommufd ones; 0 or -errno. */
static int vcall_device(struct vrun *r, char **w, int n, int fd)
{
	union {
		struct vfio_device_info dinfo;
		struct vfio_region_info region;
		struct vfio_irq_info irq;
		struct vfio_pci_hot_reset_info hot;
		char raw[512];
	} u;
	int ret;

	memset(&u, 0, sizeof(u));
	if (!strcmp(w[0], "dinfo")) {
		u.dinfo.argsz = vargsz(n > 2 ? w[2] : NULL, sizeof(u.dinfo));
		ret = vio(fd, VFIO_DEVICE_GET_INFO, &u.dinfo);
		if (ret >= 0)
			snprintf(r->after, sizeof(r->after), "flags=0x%x regions=%u irqs=%u",
				 u.dinfo.flags, u.dinfo.num_regions, u.dinfo.num_irqs);
		return ret;
	}
	if (!strcmp(w[0], "region")) {
		u.region.index = (uint32_t)vnum(n > 2 ? w[2] : NULL);
		u.region.argsz = vargsz(n > 3 ? w[3] : NULL, sizeof(u.region));
		ret = vio(fd, VFIO_DEVICE_GET_REGION_INFO, &u.region);
		if (ret >= 0)
			snprintf(r->after, sizeof(r->after),
				 "flags=0x%x size=0x%llx offset=0x%llx argsz=%u", u.region.flags,
				 (unsigned long long)u.region.size,
				 (unsigned long long)u.region.offset, u.region.argsz);
		return ret;
	}
	if (!strcmp(w[0], "irq")) {
		u.irq.index = (uint32_t)vnum(n > 2 ? w[2] : NULL);
		u.irq.argsz = vargsz(n > 3 ? w[3] : NULL, sizeof(u.irq));
		ret = vio(fd, VFIO_DEVICE_GET_IRQ_INFO, &u.irq);
		if (ret >= 0)
			snprintf(r->after, sizeof(r->after), "flags=0x%x count=%u", u.irq.flags,
				 u.irq.count);
		return ret;
	}
	if (!strcmp(w[0], "reset"))
		return vio(fd, VFIO_DEVICE_RESET, NULL);
	if (!strcmp(w[0], "hotinfo")) {
		u.hot.argsz = vargsz(n > 2 ? w[2] : NULL, sizeof(u.raw));
		ret = vio(fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &u.hot);
		if (ret >= 0)
			snprintf(r->after, sizeof(r->after), "count=%u", u.hot.count);
		return ret;
	}
	if (!strcmp(w[0], "bad"))
		return vio(fd, VFIO_BAD_IOCTL, u.raw);
	return icall(fd, r->ids, r->fd, r->buf, w, n, r->after, sizeof(r->after));
}

static int tcall(struct vrun *r, char **w, int n); /* matrix-vftoken.h */

/* One call (already split into words); 0 or a non-negative return, or -errno. */
static int vcall(struct vrun *r, char **w, int n)
{
	union {
		struct vfio_group_status st;
		struct vfio_iommu_type1_info info;
		struct vfio_iommu_type1_dma_map map;
		struct vfio_iommu_type1_dma_unmap unmap;
		struct vfio_device_info dinfo;
		struct vfio_region_info region;
		struct vfio_irq_info irq;
		struct vfio_pci_hot_reset_info hot;
		char raw[512];
	} u;
	int *f = n > 1 ? vslot(r, w[1]) : NULL, *g = n > 2 ? vslot(r, w[2]) : NULL, fd, ret;
	char path[96];

	memset(&u, 0, sizeof(u));
	r->after[0] = '\0';
	if (!strcmp(w[0], "pinned"))
		return proc_pinned(r->after, sizeof(r->after));
	if (!strcmp(w[0], "nocap"))
		return ipc_lock_cap(0);
	ret = tcall(r, w, n);
	if (ret != -ENOSYS)
		return ret;
	if (!f)
		return -EINVAL;
	if (!strcmp(w[0], "open")) {
		snprintf(path, sizeof(path), "/dev/%s", n > 2 ? w[2] : "");
		*f = open(path, O_RDWR | O_CLOEXEC);
		return *f < 0 ? -errno : 0;
	}
	if (!strcmp(w[0], "close")) {
		ret = close(*f);
		*f = -1;
		return ret < 0 ? -errno : 0;
	}
	fd = *f;
	if (!strcmp(w[0], "api") || !strcmp(w[0], "ext")) {
		ret = !strcmp(w[0], "api") ?
			      vio(fd, VFIO_GET_API_VERSION, NULL) :
			      vio(fd, VFIO_CHECK_EXTENSION, (void *)(uintptr_t)vnum(w[2]));
		if (ret >= 0)
			snprintf(r->after, sizeof(r->after), "ret=%d", ret);
		return ret;
	}
	if (!strcmp(w[0], "set_iommu"))
		return vio(fd, VFIO_SET_IOMMU, (void *)(uintptr_t)vnum(w[2]));
	if (!strcmp(w[0], "set_container")) {
		int other = g ? *g : (int)strtol(n > 2 ? w[2] : "-1", NULL, 0);

		return vio(fd, VFIO_GROUP_SET_CONTAINER, &other);
	}
	if (!strcmp(w[0], "unset_container"))
		return vio(fd, VFIO_GROUP_UNSET_CONTAINER, NULL);
	if (!strcmp(w[0], "status")) {
		u.st.argsz = vargsz(n > 2 ? w[2] : NULL, sizeof(u.st));
		ret = vio(fd, VFIO_GROUP_GET_STATUS, &u.st);
		if (ret >= 0)
			snprintf(r->after, sizeof(r->after), "flags=0x%x", u.st.flags);
		return ret;
	}
	if (!strcmp(w[0], "device")) {
		int *d = n > 3 ? vslot(r, w[3]) : NULL;

		if (!d)
			return -EINVAL;
		ret = vio(fd, VFIO_GROUP_GET_DEVICE_FD, strcmp(w[2], "-") ? w[2] : "");
		*d = ret;
		return ret < 0 ? ret : 0;
	}
	if (!strcmp(w[0], "info")) {
		u.info.argsz = vargsz(n > 2 ? w[2] : NULL, sizeof(u.info));
		ret = vio(fd, VFIO_IOMMU_GET_INFO, &u.info);
		if (ret >= 0)
			snprintf(r->after, sizeof(r->after), "flags=0x%x pgsizes=0x%llx argsz=%u",
				 u.info.flags, (unsigned long long)u.info.iova_pgsizes,
				 u.info.argsz);
		return ret;
	}
	if (!strcmp(w[0], "map")) {
		if (n < 7)
			return -EINVAL;
		u.map.iova = vnum(w[2]);
		u.map.size = vnum(w[3]);
		u.map.flags = (uint32_t)vnum(w[4]);
		u.map.argsz = vargsz(w[5], sizeof(u.map));
		u.map.vaddr = (uintptr_t)r->buf + vnum(w[6]);
		return vio(fd, VFIO_IOMMU_MAP_DMA, &u.map);
	}
	if (!strcmp(w[0], "unmap")) {
		if (n < 6)
			return -EINVAL;
		u.unmap.iova = vnum(w[2]);
		u.unmap.size = vnum(w[3]);
		u.unmap.flags = (uint32_t)vnum(w[4]);
		u.unmap.argsz = vargsz(w[5], sizeof(u.unmap));
		ret = vio(fd, VFIO_IOMMU_UNMAP_DMA, &u.unmap);
		if (ret >= 0)
			snprintf(r->after, sizeof(r->after), "size=0x%llx",
				 (unsigned long long)u.unmap.size);
		return ret;
	}
	return vcall_device(r, w, n, fd);
}

/* Run an expanded call list; observed and after as the row prints them. */
static void vrun_calls(struct vrun *r, const char *calls, char *obs, size_t osize, char *after,
		       size_t asize)
{
	char copy[BUF], *save = NULL, *call, *next;
	int i = 0, ret = 0;

	snprintf(copy, sizeof(copy), "%s", calls);
	for (call = strtok_r(copy, ";", &save); call; call = next, i++) {
		char *w[8], *wsave = NULL;
		int n = 0;

		next = strtok_r(NULL, ";", &save);
		for (char *t = strtok_r(call, " ", &wsave); t && n < 8;
		     t = strtok_r(NULL, " ", &wsave))
			w[n++] = t;
		if (!n)
			continue;
		ret = vcall(r, w, n);
		if (ret < 0 && next) {
			snprintf(obs, osize, "step-failed:%d:%s", i, errname(-ret));
			snprintf(after, asize, "-");
			return;
		}
	}
	snprintf(obs, osize, "%s", ret < 0 ? errname(-ret) : "ok");
	snprintf(after, asize, "%s", ret < 0 || !r->after[0] ? "-" : r->after);
}

static void vrun_close(struct vrun *r)
{
	/* Device files, then groups, then containers: the order a user closes them in. */
	static const char order[] = "dehgxc";

	for (const char *o = order; *o; o++)
		if (r->fd[*o - 'a'] >= 0) {
			close(r->fd[*o - 'a']);
			r->fd[*o - 'a'] = -1;
		}
	for (int i = 0; i < 26; i++)
		if (r->fd[i] >= 0) {
			close(r->fd[i]);
			r->fd[i] = -1;
		}
	ipc_lock_cap(1); /* after a "nocap" row */
}
