/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel matrix: every generated row of scenarios/kernel/matrix-*.tsv replayed on fakesys. */

/*
 * Each table was generated in the lab by ci/lab/matrix on one kernel (see
 * scenarios/kernel/README.md). A row is replayed on fakesys loaded from the lab recording of the
 * row's topology (lab-TOPOLOGY-initial) with the row's kernel release: the setup writes, the one
 * write, then the same observation the guest made: the errno (or ok) and the device's state
 * after the write (absent, or present with its driver and, where the guest read it back, the
 * file's content).
 *
 * One test per table and attribute; it prints how many rows agree, how many differ as listed in
 * scenarios/kernel/matrix-known.tsv (series, id glob, reason) and fails on any other difference
 * (the first few are printed) and on a listed difference that no longer happens.
 *
 * With PTH_MATRIX_SUMMARY=FILE the counts are also written to FILE (tab-separated, after a
 * header): one "attribute" line per table and attribute (series, attribute, rows, agree, known
 * differences, other differences), then one "known" line per listed difference (series, id glob,
 * rows it matched, its reason). ci/lab/fidelity puts them into the fidelity report.
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

#include "matrix-vftoken.h"
#include "rows.h"

enum col {
	C_ID,
	C_INDEX,
	C_KERNEL,
	C_PACKAGE,
	C_TOPOLOGY,
	C_STATE,
	C_DEVICE,
	C_ATTR,
	C_CLASS,
	C_SETUP,
	C_OP,
	C_PATH,
	C_VALUE,
	C_OBSERVED,
	C_AFTER,
	C_RESTORED,
	C_COUNT
};

struct known {
	char *series, *pattern, *reason;
	unsigned hits;
};

struct group {
	char *series, *attr;
	GPtrArray *rows; /* char ** (columns) */
	GPtrArray *known; /* struct known *, shared */
};

/* "present driver=X[ value=Y]" or "absent", as the guest's after_state() writes it. */
static char *after_state(struct pt_backend *be, char **c)
{
	g_autofree char *dir = g_strdup_printf("bus/pci/devices/%s", c[C_DEVICE]);
	g_autofree char *link = g_strdup_printf("%s/driver", dir);
	char target[256], buf[8192];
	const char *drv = "-";
	size_t len;
	int r;

	if (pt_backend_exists(be, PT_NS_SYS, dir) <= 0)
		return g_strdup("absent");
	if (pt_backend_readlink(be, PT_NS_SYS, link, target, sizeof(target)) >= 0)
		drv = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	if (!strstr(c[C_AFTER], " value="))
		return g_strdup_printf("present driver=%s", drv);
	r = pt_backend_read(be, PT_NS_SYS, c[C_PATH], buf, sizeof(buf) - 1, &len);
	if (r < 0)
		return g_strdup_printf("present driver=%s value=%s", drv, row_errno_name(-r));
	{
		g_autofree char *esc = row_escape(buf, len);

		return g_strdup_printf("present driver=%s value=%s", drv, esc);
	}
}

/*
 * The VFIO-ioctl rows (op "ioctl"): the value is the guest's call list
 * (ci/lab/guest/matrix-vfio.h describes the calls), run here through the backend's device
 * files. The guest's buffer becomes a fixed page-aligned address.
 */
#define VADDR_BASE 0x7f0000000000ull
#define BAD_IOCTL _IO(VFIO_TYPE, VFIO_BASE + 60)

struct vcall_ctx {
	struct fks_host *h;
	struct pt_backend *be;
	int fd[26];
	uint32_t ids[26];
	char after[256];
};

static int *vslot(struct vcall_ctx *x, const char *name)
{
	return name && name[0] >= 'a' && name[0] <= 'z' && !name[1] ? &x->fd[name[0] - 'a'] : NULL;
}

static unsigned long long vnum(const char *s)
{
	return s ? g_ascii_strtoull(s, NULL, 0) : 0;
}

static uint32_t vargsz(const char *s, size_t full)
{
	return s && strcmp(s, "full") ? (uint32_t)vnum(s) : (uint32_t)full;
}

static int vio(struct vcall_ctx *x, int fd, unsigned long req, void *arg)
{
	return pt_backend_dev_ioctl(x->be, fd, req, arg);
}

/*
 * The iommufd and cdev calls of ci/lab/guest/matrix-iommufd.h (the own kernel's rows), the
 * same structures restated from the kernel's UAPI (the host's headers are 6.1's).
 */
static int min0(int r)
{
	return r < 0 ? r : 0;
}

#define IFD_TYPE ';'
#define IFD_DESTROY _IO(IFD_TYPE, 0x80)
#define IFD_IOAS_ALLOC _IO(IFD_TYPE, 0x81)
#define IFD_IOAS_COPY _IO(IFD_TYPE, 0x83)
#define IFD_IOAS_IOVA_RANGES _IO(IFD_TYPE, 0x84)
#define IFD_IOAS_MAP _IO(IFD_TYPE, 0x85)
#define IFD_IOAS_UNMAP _IO(IFD_TYPE, 0x86)
#define IFD_OPTION _IO(IFD_TYPE, 0x87)
#define IFD_VFIO_IOAS _IO(IFD_TYPE, 0x88)
#define IFD_HWPT_ALLOC _IO(IFD_TYPE, 0x89)
#define IFD_GET_HW_INFO _IO(IFD_TYPE, 0x8a)
#define VFIO_CDEV_BIND _IO(VFIO_TYPE, VFIO_BASE + 18)
#define VFIO_CDEV_ATTACH_PT _IO(VFIO_TYPE, VFIO_BASE + 19)
#define VFIO_CDEV_DETACH_PT _IO(VFIO_TYPE, VFIO_BASE + 20)

struct ifd_destroy {
	uint32_t size, id;
};

struct ifd_ioas_alloc {
	uint32_t size, flags, out_ioas_id;
};

struct ifd_ioas_map {
	uint32_t size, flags, ioas_id, reserved;
	uint64_t user_va, length, iova;
};

struct ifd_ioas_unmap {
	uint32_t size, ioas_id;
	uint64_t iova, length;
};

struct ifd_iova_range {
	uint64_t start, last;
};

struct ifd_ioas_iova_ranges {
	uint32_t size, ioas_id, num_iovas, reserved;
	uint64_t allowed_iovas, out_iova_alignment;
};

struct ifd_ioas_copy {
	uint32_t size, flags, dst_ioas_id, src_ioas_id;
	uint64_t length, dst_iova, src_iova;
};

struct ifd_hw_info {
	uint32_t size, flags, dev_id, data_len;
	uint64_t data_uptr;
	uint32_t out_data_type;
	uint8_t out_max_pasid_log2, reserved[3];
	uint64_t out_capabilities;
};

struct ifd_vfio_ioas {
	uint32_t size, ioas_id;
	uint16_t op, reserved;
};

struct ifd_option {
	uint32_t size, option_id;
	uint16_t op, reserved;
	uint32_t object_id;
	uint64_t val64;
};

struct ifd_hwpt_alloc {
	uint32_t size, flags, dev_id, pt_id, out_hwpt_id, reserved, data_type, data_len;
	uint64_t data_uptr;
};

struct vfio_cdev_bind {
	uint32_t argsz, flags;
	int32_t iommufd;
	uint32_t out_devid;
};

struct vfio_cdev_attach {
	uint32_t argsz, flags, pt_id;
};

struct vfio_cdev_detach {
	uint32_t argsz, flags;
};

/* An id argument: a slot letter (its stored id) or a number. */
static uint32_t iid(const uint32_t *ids, const char *s)
{
	if (s && s[0] >= 'a' && s[0] <= 'z' && !s[1])
		return ids[s[0] - 'a'];
	return s ? (uint32_t)strtoul(s, NULL, 0) : 0;
}

static uint32_t isize(const char *s, size_t full)
{
	return s && strcmp(s, "full") ? (uint32_t)strtoul(s, NULL, 0) : (uint32_t)full;
}

#define W(i) (n > (i) ? w[i] : NULL)

static unsigned long inum(const char *s)
{
	return s ? strtoul(s, NULL, 0) : 0;
}

/* The object and device calls: destroy, hwinfo, vioas, bind, attach, detach. */
static int icall_objects(struct pt_backend *be, int fd, uint32_t *ids, const int *fds, char **w,
			 int n, char *after, size_t asize)
{
	union {
		struct ifd_destroy d;
		struct ifd_hw_info h;
		struct ifd_vfio_ioas v;
		struct vfio_cdev_bind b;
		struct vfio_cdev_attach at;
		struct vfio_cdev_detach de;
		struct ifd_option o;
		struct ifd_hwpt_alloc hw;
	} u;
	uint64_t data[8];
	int ret;

	memset(&u, 0, sizeof(u));
	if (!strcmp(w[0], "destroy")) {
		u.d = (struct ifd_destroy){ sizeof(u.d), iid(ids, W(2)) };
		return min0(pt_backend_dev_ioctl(be, fd, IFD_DESTROY, &u.d));
	}
	if (!strcmp(w[0], "hwinfo")) {
		memset(data, 0, sizeof(data));
		u.h = (struct ifd_hw_info){ .size = isize(W(3), sizeof(u.h)),
					    .dev_id = iid(ids, W(2)),
					    .data_len = 24,
					    .data_uptr = (uintptr_t)data };
		ret = min0(pt_backend_dev_ioctl(be, fd, IFD_GET_HW_INFO, &u.h));
		if (!ret)
			snprintf(after, asize, "type=%u data_len=%u caps=0x%llx pasid_log2=%u",
				 u.h.out_data_type, u.h.data_len,
				 (unsigned long long)u.h.out_capabilities, u.h.out_max_pasid_log2);
		return ret;
	}
	if (!strcmp(w[0], "vioas")) {
		u.v = (struct ifd_vfio_ioas){ sizeof(u.v), iid(ids, W(3)), (uint16_t)inum(W(2)),
					      0 };
		ret = min0(pt_backend_dev_ioctl(be, fd, IFD_VFIO_IOAS, &u.v));
		if (!ret)
			snprintf(after, asize, "id=%u", u.v.ioas_id);
		return ret;
	}
	if (!strcmp(w[0], "bind") && n >= 4) {
		int ifd = w[2][0] >= 'a' && w[2][0] <= 'z' ? fds[w[2][0] - 'a'] : atoi(w[2]);

		u.b = (struct vfio_cdev_bind){ isize(W(4), sizeof(u.b)), 0, ifd, 0 };
		ret = min0(pt_backend_dev_ioctl(be, fd, VFIO_CDEV_BIND, &u.b));
		if (!ret && w[3][0] >= 'a' && w[3][0] <= 'z')
			ids[w[3][0] - 'a'] = u.b.out_devid;
		if (!ret)
			snprintf(after, asize, "devid=%u", u.b.out_devid);
		return ret;
	}
	if (!strcmp(w[0], "attach")) {
		u.at = (struct vfio_cdev_attach){ isize(W(3), sizeof(u.at)), 0, iid(ids, W(2)) };
		ret = min0(pt_backend_dev_ioctl(be, fd, VFIO_CDEV_ATTACH_PT, &u.at));
		if (!ret)
			snprintf(after, asize, "pt=%u", u.at.pt_id);
		return ret;
	}
	if (!strcmp(w[0], "detach")) {
		u.de = (struct vfio_cdev_detach){ isize(W(2), sizeof(u.de)), 0 };
		return min0(pt_backend_dev_ioctl(be, fd, VFIO_CDEV_DETACH_PT, &u.de));
	}
	if (!strcmp(w[0], "ioption")) {
		u.o = (struct ifd_option){
			sizeof(u.o), (uint32_t)inum(W(2)), (uint16_t)inum(W(3)), 0, 0, inum(W(4))
		};
		ret = min0(pt_backend_dev_ioctl(be, fd, IFD_OPTION, &u.o));
		if (!ret)
			snprintf(after, asize, "val=%llu", (unsigned long long)u.o.val64);
		return ret;
	}
	if (!strcmp(w[0], "hwpt")) {
		u.hw = (struct ifd_hwpt_alloc){ .size = sizeof(u.hw),
						.dev_id = iid(ids, W(2)),
						.pt_id = iid(ids, W(3)) };
		ret = min0(pt_backend_dev_ioctl(be, fd, IFD_HWPT_ALLOC, &u.hw));
		if (!ret && W(4) && W(4)[0] >= 'a' && W(4)[0] <= 'z')
			ids[W(4)[0] - 'a'] = u.hw.out_hwpt_id;
		if (!ret)
			snprintf(after, asize, "id=%u", u.hw.out_hwpt_id);
		return ret;
	}
	return -ENOSYS;
}

/* The iommufd calls; -ENOSYS when w[0] is none of them. after: what the call returned. */
static int icall(struct pt_backend *be, int fd, uint32_t *ids, const int *fds, char **w, int n,
		 char *after, size_t asize)
{
	union {
		struct ifd_destroy d;
		struct ifd_ioas_alloc a;
		struct ifd_ioas_map m;
		struct ifd_ioas_unmap u;
		struct ifd_ioas_iova_ranges r;
		struct ifd_ioas_copy c;
		struct ifd_hw_info h;
		struct ifd_vfio_ioas v;
		struct vfio_cdev_bind b;
		struct vfio_cdev_attach at;
		struct vfio_cdev_detach de;
		char raw[256];
	} u;
	struct ifd_iova_range rg[8];
	int ret;

	memset(&u, 0, sizeof(u));
	if (!strcmp(w[0], "ioas")) {
		u.a.size = isize(W(3), sizeof(u.a));
		u.a.flags = (uint32_t)inum(W(4));
		ret = min0(pt_backend_dev_ioctl(be, fd, IFD_IOAS_ALLOC, &u.a));
		if (!ret && W(2) && W(2)[0] >= 'a' && W(2)[0] <= 'z')
			ids[W(2)[0] - 'a'] = u.a.out_ioas_id;
		if (!ret)
			snprintf(after, asize, "id=%u", u.a.out_ioas_id);
		return ret;
	}
	if (!strcmp(w[0], "imap") && n >= 8) {
		u.m = (struct ifd_ioas_map){ isize(w[6], sizeof(u.m)),
					     (uint32_t)strtoul(w[5], NULL, 0),
					     iid(ids, w[2]),
					     0,
					     VADDR_BASE + strtoull(w[7], NULL, 0),
					     strtoull(w[4], NULL, 0),
					     strtoull(w[3], NULL, 0) };
		ret = min0(pt_backend_dev_ioctl(be, fd, IFD_IOAS_MAP, &u.m));
		if (!ret)
			snprintf(after, asize, "iova=0x%llx", (unsigned long long)u.m.iova);
		return ret;
	}
	if (!strcmp(w[0], "iunmap") && n >= 6) {
		u.u = (struct ifd_ioas_unmap){ isize(w[5], sizeof(u.u)), iid(ids, w[2]),
					       strtoull(w[3], NULL, 0), strtoull(w[4], NULL, 0) };
		ret = min0(pt_backend_dev_ioctl(be, fd, IFD_IOAS_UNMAP, &u.u));
		if (!ret)
			snprintf(after, asize, "length=0x%llx", (unsigned long long)u.u.length);
		return ret;
	}
	if (!strcmp(w[0], "ranges") && n >= 5) {
		u.r = (struct ifd_ioas_iova_ranges){ isize(w[4], sizeof(u.r)),
						     iid(ids, w[2]),
						     (uint32_t)strtoul(w[3], NULL, 0),
						     0,
						     (uintptr_t)rg,
						     0 };
		ret = min0(pt_backend_dev_ioctl(be, fd, IFD_IOAS_IOVA_RANGES, &u.r));
		if (!ret || ret == -EMSGSIZE) {
			size_t len =
				(size_t)snprintf(after, asize, "num=%u align=0x%llx", u.r.num_iovas,
						 (unsigned long long)u.r.out_iova_alignment);

			for (uint32_t i = 0; !ret && i < u.r.num_iovas && i < 8 && len < asize; i++)
				len += (size_t)snprintf(after + len, asize - len, " 0x%llx-0x%llx",
							(unsigned long long)rg[i].start,
							(unsigned long long)rg[i].last);
		}
		return ret;
	}
	if (!strcmp(w[0], "icopy") && n >= 8) {
		u.c = (struct ifd_ioas_copy){ sizeof(u.c),
					      (uint32_t)strtoul(w[7], NULL, 0),
					      iid(ids, w[2]),
					      iid(ids, w[3]),
					      strtoull(w[4], NULL, 0),
					      strtoull(w[5], NULL, 0),
					      strtoull(w[6], NULL, 0) };
		ret = min0(pt_backend_dev_ioctl(be, fd, IFD_IOAS_COPY, &u.c));
		if (!ret)
			snprintf(after, asize, "iova=0x%llx", (unsigned long long)u.c.dst_iova);
		return ret;
	}
	return icall_objects(be, fd, ids, fds, w, n, after, asize);
}

#undef W

/* The container and group calls; -ENOSYS when w[0] is none of them. */
static int vcall_vfio(struct vcall_ctx *x, char **w, int n, int fd)
{
	union {
		struct vfio_group_status st;
		struct vfio_iommu_type1_info info;
		struct vfio_iommu_type1_dma_map map;
		struct vfio_iommu_type1_dma_unmap unmap;
		char raw[512];
	} u = { 0 };
	int *g = n > 2 ? vslot(x, w[2]) : NULL, r;

	if (!strcmp(w[0], "api") || !strcmp(w[0], "ext")) {
		r = !strcmp(w[0], "api") ?
			    vio(x, fd, VFIO_GET_API_VERSION, NULL) :
			    vio(x, fd, VFIO_CHECK_EXTENSION, (void *)(uintptr_t)vnum(w[2]));
		if (r >= 0)
			snprintf(x->after, sizeof(x->after), "ret=%d", r);
		return r;
	}
	if (!strcmp(w[0], "set_iommu"))
		return vio(x, fd, VFIO_SET_IOMMU, (void *)(uintptr_t)vnum(w[2]));
	if (!strcmp(w[0], "set_container")) {
		int other = g ? *g : (int)g_ascii_strtoll(n > 2 ? w[2] : "-1", NULL, 0);

		return vio(x, fd, VFIO_GROUP_SET_CONTAINER, &other);
	}
	if (!strcmp(w[0], "unset_container"))
		return vio(x, fd, VFIO_GROUP_UNSET_CONTAINER, NULL);
	if (!strcmp(w[0], "status")) {
		u.st.argsz = vargsz(n > 2 ? w[2] : NULL, sizeof(u.st));
		r = vio(x, fd, VFIO_GROUP_GET_STATUS, &u.st);
		if (r >= 0)
			snprintf(x->after, sizeof(x->after), "flags=0x%x", u.st.flags);
		return r;
	}
	if (!strcmp(w[0], "info")) {
		u.info.argsz = vargsz(n > 2 ? w[2] : NULL, sizeof(u.info));
		r = vio(x, fd, VFIO_IOMMU_GET_INFO, &u.info);
		if (r >= 0)
			snprintf(x->after, sizeof(x->after), "flags=0x%x pgsizes=0x%llx argsz=%u",
				 u.info.flags, (unsigned long long)u.info.iova_pgsizes,
				 u.info.argsz);
		return r;
	}
	if (!strcmp(w[0], "map") && n >= 7) {
		u.map = (struct vfio_iommu_type1_dma_map){ .argsz = vargsz(w[5], sizeof(u.map)),
							   .flags = (uint32_t)vnum(w[4]),
							   .vaddr = VADDR_BASE + vnum(w[6]),
							   .iova = vnum(w[2]),
							   .size = vnum(w[3]) };
		return vio(x, fd, VFIO_IOMMU_MAP_DMA, &u.map);
	}
	if (!strcmp(w[0], "unmap") && n >= 6) {
		u.unmap =
			(struct vfio_iommu_type1_dma_unmap){ .argsz = vargsz(w[5], sizeof(u.unmap)),
							     .flags = (uint32_t)vnum(w[4]),
							     .iova = vnum(w[2]),
							     .size = vnum(w[3]) };
		r = vio(x, fd, VFIO_IOMMU_UNMAP_DMA, &u.unmap);
		if (r >= 0)
			snprintf(x->after, sizeof(x->after), "size=0x%llx",
				 (unsigned long long)u.unmap.size);
		return r;
	}
	return -ENOSYS;
}

/* The device calls. */
static int vcall_device(struct vcall_ctx *x, char **w, int n, int fd)
{
	union {
		struct vfio_device_info dinfo;
		struct vfio_region_info region;
		struct vfio_irq_info irq;
		struct vfio_pci_hot_reset_info hot;
		char raw[512];
	} u = { 0 };
	int r;

	if (!strcmp(w[0], "dinfo")) {
		u.dinfo.argsz = vargsz(n > 2 ? w[2] : NULL, sizeof(u.dinfo));
		r = vio(x, fd, VFIO_DEVICE_GET_INFO, &u.dinfo);
		if (r >= 0)
			snprintf(x->after, sizeof(x->after), "flags=0x%x regions=%u irqs=%u",
				 u.dinfo.flags, u.dinfo.num_regions, u.dinfo.num_irqs);
		return r;
	}
	if (!strcmp(w[0], "region")) {
		u.region.index = (uint32_t)vnum(n > 2 ? w[2] : NULL);
		u.region.argsz = vargsz(n > 3 ? w[3] : NULL, sizeof(u.region));
		r = vio(x, fd, VFIO_DEVICE_GET_REGION_INFO, &u.region);
		if (r >= 0)
			snprintf(x->after, sizeof(x->after),
				 "flags=0x%x size=0x%llx offset=0x%llx argsz=%u", u.region.flags,
				 (unsigned long long)u.region.size,
				 (unsigned long long)u.region.offset, u.region.argsz);
		return r;
	}
	if (!strcmp(w[0], "irq")) {
		u.irq.index = (uint32_t)vnum(n > 2 ? w[2] : NULL);
		u.irq.argsz = vargsz(n > 3 ? w[3] : NULL, sizeof(u.irq));
		r = vio(x, fd, VFIO_DEVICE_GET_IRQ_INFO, &u.irq);
		if (r >= 0)
			snprintf(x->after, sizeof(x->after), "flags=0x%x count=%u", u.irq.flags,
				 u.irq.count);
		return r;
	}
	if (!strcmp(w[0], "reset"))
		return vio(x, fd, VFIO_DEVICE_RESET, NULL);
	if (!strcmp(w[0], "hotinfo")) {
		u.hot.argsz = vargsz(n > 2 ? w[2] : NULL, sizeof(u.raw));
		r = vio(x, fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &u.hot);
		if (r >= 0)
			snprintf(x->after, sizeof(x->after), "count=%u", u.hot.count);
		return r;
	}
	if (!strcmp(w[0], "bad"))
		return vio(x, fd, BAD_IOCTL, u.raw);
	return -ENOSYS;
}

static int vcall(struct vcall_ctx *x, char **w, int n)
{
	int *f = n > 1 ? vslot(x, w[1]) : NULL, r;

	x->after[0] = '\0';
	if (!strcmp(w[0], "pinned")) { /* the guest's VmLck and VmPin, in kB */
		uint64_t lck, pin;

		fks_host_locked_vm(x->h, &lck, &pin);
		snprintf(x->after, sizeof(x->after), "lck=%llu pin=%llu",
			 (unsigned long long)lck >> 10, (unsigned long long)pin >> 10);
		return 0;
	}
	if (!strcmp(w[0], "nocap")) /* the guest drops CAP_IPC_LOCK from its effective set */
		return fks_host_set(x->h, "cap_ipc_lock", "0");
	r = vft_call(x->be, x->fd, x->ids, w, n, x->after, sizeof(x->after));
	if (r != -ENOSYS)
		return r;
	if (!f)
		return -EINVAL;
	if (!strcmp(w[0], "open")) {
		*f = pt_backend_dev_open(x->be, n > 2 ? w[2] : "", 2);
		return *f < 0 ? *f : 0;
	}
	if (!strcmp(w[0], "close")) {
		r = pt_backend_dev_close(x->be, *f);
		*f = -1;
		return r;
	}
	if (!strcmp(w[0], "device")) {
		int *d = n > 3 ? vslot(x, w[3]) : NULL;
		char empty[1] = "";

		if (!d)
			return -EINVAL;
		r = vio(x, *f, VFIO_GROUP_GET_DEVICE_FD, strcmp(w[2], "-") ? w[2] : empty);
		*d = r;
		return r < 0 ? r : 0;
	}
	r = vcall_vfio(x, w, n, *f);
	if (r == -ENOSYS)
		r = vcall_device(x, w, n, *f);
	return r == -ENOSYS ? icall(x->be, *f, x->ids, x->fd, w, n, x->after, sizeof(x->after)) : r;
}

/* "observed\tafter" of a call list, as the guest's vrun_calls() prints them. */
static char *replay_calls(struct fks_host *h, struct pt_backend *be, const char *calls)
{
	g_auto(GStrv) steps = g_strsplit(calls, ";", -1);
	struct vcall_ctx x = { .h = h, .be = be };
	guint n = g_strv_length(steps);
	char *out = NULL;
	int r = 0;

	for (int i = 0; i < 26; i++)
		x.fd[i] = -1;
	for (guint i = 0; i < n && !out; i++) {
		g_auto(GStrv) w = g_strsplit(steps[i], " ", 8);

		r = vcall(&x, w, (int)g_strv_length(w));
		if (r < 0 && i + 1 < n)
			out = g_strdup_printf("step-failed:%u:%s\t-", i, row_errno_name(-r));
	}
	if (!out)
		out = g_strdup_printf("%s\t%s", r < 0 ? row_errno_name(-r) : "ok",
				      r < 0 || !x.after[0] ? "-" : x.after);
	for (int i = 25; i >= 0; i--)
		if (x.fd[i] >= 0)
			pt_backend_dev_close(be, x.fd[i]);
	return out;
}

/*
 * The lab's own kernel (ci/lab/kernel; release ending in -pth-own or -pth-own-nocompat) has
 * iommufd, the cdev and the iommufd selftest (ci/lab/kernel.config: CONFIG_IOMMUFD_TEST), and
 * iommufd's compat container in "own" only: the model is told so (a model without these
 * settings refuses them, and the rows then differ).
 */
static struct fks_host *own_config(struct fks_host *h, const char *kernel)
{
	if (!strstr(kernel, "-pth-own"))
		return h;
	fks_host_set(h, "iommufd", "1");
	fks_host_set(h, "vfio_device_cdev", "1");
	fks_host_set(h, "iommufd_test", "1");
	fks_host_set(h, "iommufd_vfio_container", strstr(kernel, "-pth-own-nocompat") ? "0" : "1");
	fks_host_set(h, "cap_sys_resource", "1"); /* the guest's matrix runs as root */
	return h;
}

/*
 * The calls name the state's device's IOMMU group by number (the guest's {g}: its
 * iommu_group link on that boot). Group numbers are an enumeration artefact of the boot: the
 * own kernel put the e1000e pair in group 1, the Debian kernels (and the recording replayed
 * here, lab-shared-initial) in group 6. So "vfio/N" becomes the recording's group of the same
 * device; the group's other member (e1000e function 0, on e1000e) is the same in both.
 */
static char *recorded_groups(struct pt_backend *be, const char *dev, const char *calls)
{
	g_autofree char *link = g_strdup_printf("bus/pci/devices/%s/iommu_group", dev);
	g_autoptr(GRegex) re = g_regex_new("vfio/[0-9]+\\b", 0, 0, NULL);
	g_autofree char *repl = NULL;
	char target[256];
	const char *slash;
	int r = pt_backend_readlink(be, PT_NS_SYS, link, target, sizeof(target) - 1);

	if (r < 0 || !(slash = strrchr(target, '/')))
		return g_strdup(calls);
	repl = g_strdup_printf("vfio/%s", slash + 1);
	return g_regex_replace_literal(re, calls, -1, 0, repl, 0, NULL);
}

/* The model's "observed\tafter" for a row. */
static char *replay(char **c)
{
	g_autofree char *host = g_strdup_printf("lab-%s-initial", c[C_TOPOLOGY]);
	struct fks_host *h = own_config(row_load(host, c[C_KERNEL]), c[C_KERNEL]);
	struct pt_backend *be = fks_host_backend(h);
	g_autofree char *step = NULL, *value = NULL, *after = NULL;
	char *out;
	size_t len;
	int r = row_setup(h, be, c[C_SETUP], &step);

	if (r < 0) {
		out = g_strdup_printf("setup-failed:%s\t-", row_errno_name(-r));
	} else if (!strcmp(c[C_OP], "ioctl")) {
		g_autofree char *calls = recorded_groups(be, c[C_DEVICE], c[C_VALUE]);

		out = replay_calls(h, be, calls);
	} else {
		value = row_unescape(c[C_VALUE], &len);
		r = pt_backend_write(be, PT_NS_SYS, c[C_PATH], value, len);
		after = after_state(be, c);
		out = g_strdup_printf("%s\t%s", r < 0 ? row_errno_name(-r) : "ok", after);
	}
	pt_backend_free(be);
	fks_host_free(h);
	return out;
}

static struct known *known_for(struct group *g, const char *id)
{
	for (guint i = 0; i < g->known->len; i++) {
		struct known *k = g->known->pdata[i];

		if (!strcmp(k->series, g->series) && g_pattern_match_simple(k->pattern, id))
			return k;
	}
	return NULL;
}

/* One line of the PTH_MATRIX_SUMMARY file, when there is one. */
static void summary_line(const char *fmt, ...)
{
	const char *path = g_getenv("PTH_MATRIX_SUMMARY");
	va_list ap;
	FILE *f;

	if (!path || !*path)
		return;
	f = fopen(path, "a");
	if (!f) {
		print_message("%s: %s\n", path, g_strerror(errno));
		return;
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static void test_attr(void **state)
{
	struct group *g = *state;
	unsigned agree = 0, known = 0, differ = 0, stale = 0;

	for (guint i = 0; i < g->rows->len; i++) {
		char **c = g->rows->pdata[i];
		g_autofree char *kernel = g_strdup_printf("%s\t%s", c[C_OBSERVED], c[C_AFTER]);
		g_autofree char *model = replay(c);
		struct known *k = known_for(g, c[C_ID]);

		if (!strcmp(kernel, model)) {
			agree++;
			stale += k != NULL;
			if (k)
				print_message(
					"matrix-%s %s: listed as a known difference but agrees\n",
					g->series, c[C_ID]);
		} else if (k) {
			known++;
			k->hits++;
		} else if (differ++ < 8) {
			print_message("matrix-%s %s: kernel '%s', fakesys '%s' (setup '%s', write "
				      "'%.60s' to %s)\n",
				      g->series, c[C_ID], kernel, model, c[C_SETUP], c[C_VALUE],
				      c[C_PATH]);
		}
	}
	print_message("matrix-%s %s: %u rows, %u agree, %u known differences, %u other "
		      "differences\n",
		      g->series, g->attr, g->rows->len, agree, known, differ);
	summary_line("attribute\t%s\t%s\t%u\t%u\t%u\t%u\t-\n", g->series, g->attr, g->rows->len,
		     agree, known, differ);
	if (differ || stale)
		fail_msg("matrix-%s %s: %u unlisted differences, %u stale known differences",
			 g->series, g->attr, differ, stale);
}

static GPtrArray *load_known(void)
{
	g_autofree char *path = g_build_filename(KERNEL_DIR, "matrix-known.tsv", NULL);
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	GPtrArray *v = g_ptr_array_new();

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return v;
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		g_auto(GStrv) f = g_strsplit(lines[i], "\t", 3);
		struct known *k;

		if (lines[i][0] == '#' || g_strv_length(f) < 3)
			continue;
		k = g_new0(struct known, 1);
		k->series = g_strdup(f[0]);
		k->pattern = g_strdup(f[1]);
		k->reason = g_strdup(f[2]);
		g_ptr_array_add(v, k);
	}
	return v;
}

/* One group per (table, attribute), in the table's order. */
static void load_table(const char *file, const char *series, GPtrArray *known, GArray *tests)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	struct group *g = NULL;

	if (!g_file_get_contents(file, &text, NULL, NULL)) {
		fprintf(stderr, "cannot read %s\n", file);
		return;
	}
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 1; lines[i]; i++) {
		char **c = g_strsplit(lines[i], "\t", -1);

		if (g_strv_length(c) != C_COUNT) {
			g_strfreev(c);
			continue;
		}
		if (!g || strcmp(g->attr, c[C_ATTR])) {
			struct CMUnitTest t = { 0 };

			g = NULL;
			for (guint j = 0; j < tests->len && !g; j++) {
				struct group *o =
					g_array_index(tests, struct CMUnitTest, j).initial_state;

				if (!strcmp(o->series, series) && !strcmp(o->attr, c[C_ATTR]))
					g = o;
			}
			if (!g) {
				g = g_new0(struct group, 1);
				g->series = g_strdup(series);
				g->attr = g_strdup(c[C_ATTR]);
				g->rows = g_ptr_array_new();
				g->known = known;
				t.name = g_strdup_printf("matrix_%s_%s", series, g->attr);
				t.test_func = test_attr;
				t.initial_state = g;
				g_array_append_val(tests, t);
			}
		}
		g_ptr_array_add(g->rows, c);
	}
}

static gint cmp_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	GArray *tests = g_array_new(FALSE, TRUE, sizeof(struct CMUnitTest));
	GPtrArray *known = load_known();
	g_autoptr(GDir) dir = g_dir_open(KERNEL_DIR, 0, NULL);
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	const char *name, *summary;
	int r;

	/* Every table, the lab's own kernel's (matrix-own-*.tsv: iommufd and the cdev) too. */
	while (dir && (name = g_dir_read_name(dir)))
		if (g_str_has_prefix(name, "matrix-") && g_str_has_suffix(name, ".tsv") &&
		    strcmp(name, "matrix-known.tsv"))
			g_ptr_array_add(files, g_strdup(name));
	g_ptr_array_sort(files, cmp_name);
	for (guint i = 0; i < files->len; i++) {
		const char *f = files->pdata[i];
		g_autofree char *path = g_build_filename(KERNEL_DIR, f, NULL);
		g_autofree char *series = g_strndup(f + 7, strlen(f) - 11);

		load_table(path, series, known, tests);
	}
	if (!tests->len) {
		fprintf(stderr, "no matrix-*.tsv in %s\n", KERNEL_DIR);
		return 1;
	}
	summary = g_getenv("PTH_MATRIX_SUMMARY");
	if (summary && *summary &&
	    !g_file_set_contents(summary,
				 "kind\tseries\tname\trows\tagree\tknown\tdiffer\treason\n", -1,
				 NULL)) {
		fprintf(stderr, "cannot write %s\n", summary);
		return 1;
	}
	r = _cmocka_run_group_tests("matrix", (struct CMUnitTest *)tests->data, tests->len, NULL,
				    NULL);
	for (guint i = 0; i < known->len; i++) {
		struct known *k = known->pdata[i];

		printf("known difference %s %s: %u rows: %s\n", k->series, k->pattern, k->hits,
		       k->reason);
		summary_line("known\t%s\t%s\t%u\t-\t-\t-\t%s\n", k->series, k->pattern, k->hits,
			     k->reason);
	}
	return r;
}
