/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* matrix-iommufd.h: the matrix's iommufd (/dev/iommu) and VFIO cdev calls and cases. */
#pragma once

/*
 * The guest tools build against the host's <linux/vfio.h>, which is 6.1's on Debian 12: no
 * iommufd.h and no cdev ioctls. The structures and request numbers below are the kernel's
 * UAPI (include/uapi/linux/iommufd.h and vfio.h as of 6.12), restated field by field.
 *
 * Calls, in addition to matrix-vfio.h's ("F" an fd slot, "V" an id slot, also a letter; an
 * id argument is a slot letter or a number):
 *
 *   ioas F V SIZE FLAGS              IOMMU_IOAS_ALLOC; the new id goes to slot V
 *   imap F IOAS IOVA LEN FLAGS SIZE VOFF   IOMMU_IOAS_MAP (vaddr = the buffer + VOFF)
 *   iunmap F IOAS IOVA LEN SIZE      IOMMU_IOAS_UNMAP
 *   ranges F IOAS NUM SIZE           IOMMU_IOAS_IOVA_RANGES with room for NUM ranges
 *   icopy F DST SRC LEN DSTIOVA SRCIOVA FLAGS   IOMMU_IOAS_COPY
 *   destroy F ID                     IOMMU_DESTROY
 *   hwinfo F DEV SIZE                IOMMU_GET_HW_INFO (24 bytes of data asked for)
 *   vioas F OP ID                    IOMMU_VFIO_IOAS (0 get, 1 set, 2 clear)
 *   bind D F V ARGSZ                 VFIO_DEVICE_BIND_IOMMUFD (F: an fd slot or -1); devid to V
 *   attach D ID ARGSZ | detach D ARGSZ   VFIO_DEVICE_ATTACH_IOMMUFD_PT / DETACH
 *   ioption F OPTION OP VAL          IOMMU_OPTION (OPTION 0: RLIMIT_MODE; OP 0 set, 1 get)
 *   hwpt F DEV IOAS V                IOMMU_HWPT_ALLOC (a domain on IOAS); the id goes to V
 *   nocap                            CAP_IPC_LOCK leaves the effective set (back at the reset)
 *   pinned                           after: this process's VmLck and VmPin in kB ("lck=16
 *                                    pin=0"), /proc/self/status: mm->locked_vm, ->pinned_vm
 */

#include <linux/capability.h>
#include <sys/syscall.h>

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
static int icall_objects(int fd, uint32_t *ids, const int *fds, char **w, int n, char *after,
			 size_t asize)
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
		return ioctl(fd, IFD_DESTROY, &u.d) < 0 ? -errno : 0;
	}
	if (!strcmp(w[0], "hwinfo")) {
		memset(data, 0, sizeof(data));
		u.h = (struct ifd_hw_info){ .size = isize(W(3), sizeof(u.h)),
					    .dev_id = iid(ids, W(2)),
					    .data_len = 24,
					    .data_uptr = (uintptr_t)data };
		ret = ioctl(fd, IFD_GET_HW_INFO, &u.h) < 0 ? -errno : 0;
		if (!ret)
			snprintf(after, asize, "type=%u data_len=%u caps=0x%llx pasid_log2=%u",
				 u.h.out_data_type, u.h.data_len,
				 (unsigned long long)u.h.out_capabilities, u.h.out_max_pasid_log2);
		return ret;
	}
	if (!strcmp(w[0], "vioas")) {
		u.v = (struct ifd_vfio_ioas){ sizeof(u.v), iid(ids, W(3)), (uint16_t)inum(W(2)),
					      0 };
		ret = ioctl(fd, IFD_VFIO_IOAS, &u.v) < 0 ? -errno : 0;
		if (!ret)
			snprintf(after, asize, "id=%u", u.v.ioas_id);
		return ret;
	}
	if (!strcmp(w[0], "bind") && n >= 4) {
		int ifd = w[2][0] >= 'a' && w[2][0] <= 'z' ? fds[w[2][0] - 'a'] : atoi(w[2]);

		u.b = (struct vfio_cdev_bind){ isize(W(4), sizeof(u.b)), 0, ifd, 0 };
		ret = ioctl(fd, VFIO_CDEV_BIND, &u.b) < 0 ? -errno : 0;
		if (!ret && w[3][0] >= 'a' && w[3][0] <= 'z')
			ids[w[3][0] - 'a'] = u.b.out_devid;
		if (!ret)
			snprintf(after, asize, "devid=%u", u.b.out_devid);
		return ret;
	}
	if (!strcmp(w[0], "attach")) {
		u.at = (struct vfio_cdev_attach){ isize(W(3), sizeof(u.at)), 0, iid(ids, W(2)) };
		ret = ioctl(fd, VFIO_CDEV_ATTACH_PT, &u.at) < 0 ? -errno : 0;
		if (!ret)
			snprintf(after, asize, "pt=%u", u.at.pt_id);
		return ret;
	}
	if (!strcmp(w[0], "detach")) {
		u.de = (struct vfio_cdev_detach){ isize(W(2), sizeof(u.de)), 0 };
		return ioctl(fd, VFIO_CDEV_DETACH_PT, &u.de) < 0 ? -errno : 0;
	}
	if (!strcmp(w[0], "ioption")) {
		u.o = (struct ifd_option){
			sizeof(u.o), (uint32_t)inum(W(2)), (uint16_t)inum(W(3)), 0, 0, inum(W(4))
		};
		ret = ioctl(fd, IFD_OPTION, &u.o) < 0 ? -errno : 0;
		if (!ret)
			snprintf(after, asize, "val=%llu", (unsigned long long)u.o.val64);
		return ret;
	}
	if (!strcmp(w[0], "hwpt")) {
		u.hw = (struct ifd_hwpt_alloc){ .size = sizeof(u.hw),
						.dev_id = iid(ids, W(2)),
						.pt_id = iid(ids, W(3)) };
		ret = ioctl(fd, IFD_HWPT_ALLOC, &u.hw) < 0 ? -errno : 0;
		if (!ret && W(4) && W(4)[0] >= 'a' && W(4)[0] <= 'z')
			ids[W(4)[0] - 'a'] = u.hw.out_hwpt_id;
		if (!ret)
			snprintf(after, asize, "id=%u", u.hw.out_hwpt_id);
		return ret;
	}
	return -ENOSYS;
}

/*
 * The locked-memory counters (issue 17): VmLck is mm->locked_vm, VmPin mm->pinned_vm
 * (fs/proc/task_mmu.c task_mem()). Type1 charges locked_vm (vfio_lock_acct); iommufd charges
 * pinned_vm always and locked_vm only per process (pages.c do_update_pinned()); root's
 * CAP_IPC_LOCK makes iommufd's pages charge nothing else (iopt_alloc_pages), hence "nocap".
 */
static int proc_pinned(char *after, size_t asize)
{
	char line[256];
	long lck = -1, pin = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "VmLck: %ld", &lck);
		sscanf(line, "VmPin: %ld", &pin);
	}
	fclose(f);
	snprintf(after, asize, "lck=%ld pin=%ld", lck, pin);
	return 0;
}

/* CAP_IPC_LOCK in or out of the effective set (it stays permitted: the reset puts it back). */
static int ipc_lock_cap(int on)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &hdr, d) < 0)
		return -errno;
	if (on)
		d[0].effective |= 1u << CAP_IPC_LOCK;
	else
		d[0].effective &= ~(1u << CAP_IPC_LOCK);
	return syscall(SYS_capset, &hdr, d) < 0 ? -errno : 0;
}

/* The iommufd calls; -ENOSYS when w[0] is none of them. after: what the call returned. */
static int icall(int fd, uint32_t *ids, const int *fds, char *buf, char **w, int n, char *after,
		 size_t asize)
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
		ret = ioctl(fd, IFD_IOAS_ALLOC, &u.a) < 0 ? -errno : 0;
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
					     (uintptr_t)buf + strtoull(w[7], NULL, 0),
					     strtoull(w[4], NULL, 0),
					     strtoull(w[3], NULL, 0) };
		ret = ioctl(fd, IFD_IOAS_MAP, &u.m) < 0 ? -errno : 0;
		if (!ret)
			snprintf(after, asize, "iova=0x%llx", (unsigned long long)u.m.iova);
		return ret;
	}
	if (!strcmp(w[0], "iunmap") && n >= 6) {
		u.u = (struct ifd_ioas_unmap){ isize(w[5], sizeof(u.u)), iid(ids, w[2]),
					       strtoull(w[3], NULL, 0), strtoull(w[4], NULL, 0) };
		ret = ioctl(fd, IFD_IOAS_UNMAP, &u.u) < 0 ? -errno : 0;
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
		ret = ioctl(fd, IFD_IOAS_IOVA_RANGES, &u.r) < 0 ? -errno : 0;
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
		ret = ioctl(fd, IFD_IOAS_COPY, &u.c) < 0 ? -errno : 0;
		if (!ret)
			snprintf(after, asize, "iova=0x%llx", (unsigned long long)u.c.dst_iova);
		return ret;
	}
	return icall_objects(fd, ids, fds, w, n, after, asize);
}

#undef W

/* The iommufd and cdev cases: run only where /dev/iommu exists. */
#define I_OPEN "open i iommu"
#define I_IOAS I_OPEN ";ioas i a full 0"
#define I_MAP1 I_IOAS ";imap i a 0x100000 0x2000 7 full 0"
#define C_OPEN "open d vfio/devices/{cdev}"
#define C_BIND I_IOAS ";" C_OPEN ";bind d i v full"
#define C_ATT C_BIND ";attach d a full"
#define P_T2 V_T2 ";map c 0x100000 0x4000 3 full 0"
#define P_T1 V_T1 ";map c 0x100000 0x4000 3 full 0"
#define P_T2D V_DEV ";map c 0x100000 0x4000 3 full 0"
#define P_T1D V_T1 ";device g {dev} d;map c 0x100000 0x4000 3 full 0"
#define P_ATT C_BIND ";imap i a 0x100000 0x4000 7 full 0;attach d a full"
#define P_MM                                                                  \
	I_OPEN ";ioption i 0 0 1;ioas i a full 0;" C_OPEN ";bind d i v full;" \
	       "imap i a 0x100000 0x4000 7 full 0;attach d a full"
/* two pages of the four copied into an IOAS with its own domain (IOMMU_HWPT_ALLOC) */
#define P_COPY P_ATT ";ioas i b full 0;hwpt i v b h;icopy i b a 0x2000 0x200000 0x101000 7"

static const struct vcase icases[] = {
	{ "iommu-open", "vfio", "open", "iommufd", I_OPEN },
	{ "ioas-alloc", "vfio", "IOMMU_IOAS_ALLOC", "iommufd", I_IOAS },
	{ "ioas-alloc-second", "vfio", "IOMMU_IOAS_ALLOC", "iommufd", I_IOAS ";ioas i b full 0" },
	{ "ioas-alloc-size-small", "vfio", "IOMMU_IOAS_ALLOC", "iommufd", I_OPEN ";ioas i a 8 0" },
	{ "ioas-alloc-flags", "vfio", "IOMMU_IOAS_ALLOC", "iommufd", I_OPEN ";ioas i a full 1" },
	{ "imap", "vfio", "IOMMU_IOAS_MAP", "iommufd",
	  I_IOAS ";imap i a 0x100000 0x1000 7 full 0" },
	{ "imap-any-iova", "vfio", "IOMMU_IOAS_MAP", "iommufd",
	  I_IOAS ";imap i a 0 0x1000 6 full 0" },
	{ "imap-no-permission", "vfio", "IOMMU_IOAS_MAP", "iommufd",
	  I_IOAS ";imap i a 0x100000 0x1000 1 full 0" },
	{ "imap-unknown-flag", "vfio", "IOMMU_IOAS_MAP", "iommufd",
	  I_IOAS ";imap i a 0x100000 0x1000 0x87 full 0" },
	{ "imap-iova-unaligned", "vfio", "IOMMU_IOAS_MAP", "iommufd",
	  I_IOAS ";imap i a 0x100800 0x1000 7 full 0" },
	{ "imap-length-unaligned", "vfio", "IOMMU_IOAS_MAP", "iommufd",
	  I_IOAS ";imap i a 0x100000 0x1800 7 full 0" },
	{ "imap-vaddr-unaligned", "vfio", "IOMMU_IOAS_MAP", "iommufd",
	  I_IOAS ";imap i a 0x100000 0x1000 7 full 0x800" },
	{ "imap-length-zero", "vfio", "IOMMU_IOAS_MAP", "iommufd",
	  I_IOAS ";imap i a 0x100000 0 7 full 0" },
	{ "imap-overlap", "vfio", "IOMMU_IOAS_MAP", "iommufd",
	  I_MAP1 ";imap i a 0x101000 0x2000 7 full 0x4000" },
	{ "imap-adjacent", "vfio", "IOMMU_IOAS_MAP", "iommufd",
	  I_MAP1 ";imap i a 0x102000 0x1000 7 full 0x4000" },
	{ "imap-wrapping", "vfio", "IOMMU_IOAS_MAP", "iommufd",
	  I_IOAS ";imap i a 0xfffffffffffff000 0x2000 7 full 0" },
	{ "imap-too-big", "vfio", "IOMMU_IOAS_MAP", "iommufd",
	  I_IOAS ";imap i a 0 0x10000000000 7 full 0" },
	{ "imap-bad-ioas", "vfio", "IOMMU_IOAS_MAP", "iommufd",
	  I_IOAS ";imap i 99 0x100000 0x1000 7 full 0" },
	{ "imap-size-small", "vfio", "IOMMU_IOAS_MAP", "iommufd",
	  I_IOAS ";imap i a 0x100000 0x1000 7 16 0" },
	{ "iunmap-nothing", "vfio", "IOMMU_IOAS_UNMAP", "iommufd",
	  I_IOAS ";iunmap i a 0x100000 0x1000 full" },
	{ "iunmap-exact", "vfio", "IOMMU_IOAS_UNMAP", "iommufd",
	  I_MAP1 ";iunmap i a 0x100000 0x2000 full" },
	{ "iunmap-part", "vfio", "IOMMU_IOAS_UNMAP", "iommufd",
	  I_MAP1 ";iunmap i a 0x100000 0x1000 full" },
	{ "iunmap-covering", "vfio", "IOMMU_IOAS_UNMAP", "iommufd",
	  I_MAP1 ";iunmap i a 0 0x1000000 full" },
	{ "iunmap-all", "vfio", "IOMMU_IOAS_UNMAP", "iommufd", I_MAP1 ";iunmap i a 0 0 full" },
	{ "iunmap-wrapping", "vfio", "IOMMU_IOAS_UNMAP", "iommufd",
	  I_MAP1 ";iunmap i a 0xfffffffffffff000 0x2000 full" },
	{ "iunmap-unaligned", "vfio", "IOMMU_IOAS_UNMAP", "iommufd",
	  I_MAP1 ";iunmap i a 0x100800 0x1000 full" },
	{ "ranges", "vfio", "IOMMU_IOAS_IOVA_RANGES", "iommufd", I_IOAS ";ranges i a 4 full" },
	{ "ranges-no-room", "vfio", "IOMMU_IOAS_IOVA_RANGES", "iommufd",
	  I_IOAS ";ranges i a 0 full" },
	{ "ranges-attached", "vfio", "IOMMU_IOAS_IOVA_RANGES", "iommufd",
	  C_ATT ";ranges i a 4 full" },
	{ "icopy", "vfio", "IOMMU_IOAS_COPY", "iommufd",
	  I_MAP1 ";ioas i b full 0;icopy i b a 0x2000 0x200000 0x100000 7" },
	{ "icopy-nothing", "vfio", "IOMMU_IOAS_COPY", "iommufd",
	  I_IOAS ";ioas i b full 0;icopy i b a 0x1000 0x200000 0x100000 7" },
	{ "icopy-part", "vfio", "IOMMU_IOAS_COPY", "iommufd",
	  I_MAP1 ";ioas i b full 0;icopy i b a 0x1000 0x200000 0x101000 7" },
	{ "destroy", "vfio", "IOMMU_DESTROY", "iommufd", I_IOAS ";destroy i a" },
	{ "destroy-twice", "vfio", "IOMMU_DESTROY", "iommufd", I_IOAS ";destroy i a;destroy i a" },
	{ "destroy-attached", "vfio", "IOMMU_DESTROY", "iommufd", C_ATT ";destroy i a" },
	{ "hwinfo", "vfio", "IOMMU_GET_HW_INFO", "iommufd", C_BIND ";hwinfo i v full" },
	{ "hwinfo-unknown-dev", "vfio", "IOMMU_GET_HW_INFO", "iommufd",
	  I_OPEN ";hwinfo i 99 full" },
	{ "vfio-ioas-get-none", "vfio", "IOMMU_VFIO_IOAS", "iommufd", I_OPEN ";vioas i 0 0" },
	{ "vfio-ioas-set", "vfio", "IOMMU_VFIO_IOAS", "iommufd", I_IOAS ";vioas i 1 a" },
	{ "vfio-ioas-set-get", "vfio", "IOMMU_VFIO_IOAS", "iommufd",
	  I_IOAS ";vioas i 1 a;vioas i 0 0" },
	/* the device cdev */
	{ "cdev-open", "vfio", "open", "cdev", C_OPEN },
	{ "cdev-second-open", "vfio", "open", "cdev", C_OPEN ";open e vfio/devices/{cdev}" },
	{ "cdev-info-before-bind", "vfio", "VFIO_DEVICE_GET_INFO", "cdev", C_OPEN ";dinfo d full" },
	{ "bind", "vfio", "VFIO_DEVICE_BIND_IOMMUFD", "cdev", C_BIND },
	{ "bind-twice", "vfio", "VFIO_DEVICE_BIND_IOMMUFD", "cdev", C_BIND ";bind d i w full" },
	{ "bind-bad-fd", "vfio", "VFIO_DEVICE_BIND_IOMMUFD", "cdev", C_OPEN ";bind d -1 v full" },
	{ "bind-not-iommufd", "vfio", "VFIO_DEVICE_BIND_IOMMUFD", "cdev",
	  C_OPEN ";bind d d v full" },
	{ "bind-argsz-small", "vfio", "VFIO_DEVICE_BIND_IOMMUFD", "cdev",
	  I_OPEN ";" C_OPEN ";bind d i v 8" },
	{ "bind-second-cdev-fd", "vfio", "VFIO_DEVICE_BIND_IOMMUFD", "cdev",
	  C_BIND ";open e vfio/devices/{cdev};bind e i w full" },
	{ "bind-group-open", "vfio", "VFIO_DEVICE_BIND_IOMMUFD", "cdev",
	  "open g vfio/{g};" I_OPEN ";" C_OPEN ";bind d i v full" },
	{ "bind-group-device-open", "vfio", "VFIO_DEVICE_BIND_IOMMUFD", "cdev",
	  V_DEV ";" I_OPEN ";open e vfio/devices/{cdev};bind e i v full" },
	{ "group-device-after-bind", "vfio", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  C_BIND
	  ";open c vfio/vfio;open g vfio/{g};set_container g c;set_iommu c 3;device g {dev} e" },
	{ "group-open-after-bind", "vfio", "open", "group", C_BIND ";open g vfio/{g}" },
	{ "info-after-bind", "vfio", "VFIO_DEVICE_GET_INFO", "cdev", C_BIND ";dinfo d full" },
	{ "attach-before-bind", "vfio", "VFIO_DEVICE_ATTACH_IOMMUFD_PT", "cdev",
	  I_IOAS ";" C_OPEN ";attach d a full" },
	{ "attach", "vfio", "VFIO_DEVICE_ATTACH_IOMMUFD_PT", "cdev", C_ATT },
	{ "attach-twice", "vfio", "VFIO_DEVICE_ATTACH_IOMMUFD_PT", "cdev",
	  C_ATT ";attach d a full" },
	{ "attach-other-ioas", "vfio", "VFIO_DEVICE_ATTACH_IOMMUFD_PT", "cdev",
	  C_ATT ";ioas i b full 0;attach d b full" },
	{ "attach-bad-id", "vfio", "VFIO_DEVICE_ATTACH_IOMMUFD_PT", "cdev",
	  C_BIND ";attach d 99 full" },
	{ "attach-argsz-small", "vfio", "VFIO_DEVICE_ATTACH_IOMMUFD_PT", "cdev",
	  C_BIND ";attach d a 8" },
	{ "detach", "vfio", "VFIO_DEVICE_DETACH_IOMMUFD_PT", "cdev", C_ATT ";detach d full" },
	{ "detach-not-attached", "vfio", "VFIO_DEVICE_DETACH_IOMMUFD_PT", "cdev",
	  C_BIND ";detach d full" },
	{ "imap-attached", "vfio", "IOMMU_IOAS_MAP", "iommufd",
	  C_ATT ";imap i a 0x100000 0x1000 7 full 0" },
	{ "imap-attached-msi-window", "vfio", "IOMMU_IOAS_MAP", "iommufd",
	  C_ATT ";imap i a 0xfee00000 0x1000 7 full 0" },
	{ "imap-attached-beyond-aperture", "vfio", "IOMMU_IOAS_MAP", "iommufd",
	  C_ATT ";imap i a 0x1000000000000 0x1000 7 full 0" },
	{ "attach-after-msi-map", "vfio", "VFIO_DEVICE_ATTACH_IOMMUFD_PT", "cdev",
	  C_BIND ";imap i a 0xfee00000 0x1000 7 full 0;attach d a full" },
	{ "region-after-attach", "vfio", "VFIO_DEVICE_GET_REGION_INFO", "cdev",
	  C_ATT ";region d 0 full" },
	{ "reset-after-attach", "vfio", "VFIO_DEVICE_RESET", "cdev", C_ATT ";reset d" },
	/* a group that is not viable */
	{ "nonviable-cdev-open", "nonviable", "open", "cdev", C_OPEN },
	{ "nonviable-bind", "nonviable", "VFIO_DEVICE_BIND_IOMMUFD", "cdev", C_BIND }, /*
	 * Locked-memory accounting (issue 17): "pinned" reads VmLck and VmPin. /dev/vfio/vfio
	 * is iommufd's compat container on "own", type1 on "own-nocompat"; "nocap" drops root's
	 * CAP_IPC_LOCK, without which iommufd charges no locked_vm at all.
	 */
	{ "pin-type1v2-map", "vfio", "pinned", "container", P_T2 ";pinned" },
	{ "pin-type1v2-map-nocap", "vfio", "pinned", "container", "nocap;" P_T2 ";pinned" },
	{ "pin-type1v2-unmap-all", "vfio", "pinned", "container",
	  "nocap;" P_T2 ";unmap c 0x100000 0x4000 0 full;pinned" },
	{ "pin-type1-unmap-middle", "vfio", "VFIO_IOMMU_UNMAP_DMA", "container",
	  "nocap;" P_T1 ";unmap c 0x101000 0x1000 0 full" },
	{ "pin-type1-unmap-middle-pinned", "vfio", "pinned", "container",
	  "nocap;" P_T1 ";unmap c 0x101000 0x1000 0 full;pinned" },
	{ "pin-type1-unmap-first-pinned", "vfio", "pinned", "container",
	  "nocap;" P_T1 ";unmap c 0x100000 0x1000 0 full;pinned" },
	/* iommufd's compat container pins at the device open (the compat IOAS's domain) */
	{ "pin-type1v2-device", "vfio", "pinned", "container", P_T2D ";pinned" },
	{ "pin-type1v2-device-nocap", "vfio", "pinned", "container", "nocap;" P_T2D ";pinned" },
	{ "pin-type1-device-unmap-middle-pinned", "vfio", "pinned", "container",
	  "nocap;" P_T1D ";unmap c 0x101000 0x1000 0 full;pinned" },
	{ "pin-type1-device-unmap-first-pinned", "vfio", "pinned", "container",
	  "nocap;" P_T1D ";unmap c 0x100000 0x1000 0 full;pinned" },
	{ "pin-type1-device-unmap-first", "vfio", "VFIO_IOMMU_UNMAP_DMA", "container",
	  "nocap;" P_T1D ";unmap c 0x100000 0x1000 0 full" },
	{ "pin-rlimit-mode-get", "vfio", "IOMMU_OPTION", "iommufd", I_OPEN ";ioption i 0 1 0" },
	{ "pin-rlimit-mode-get-container", "vfio", "IOMMU_OPTION", "container",
	  "open c vfio/vfio;ioption c 0 1 0" },
	{ "pin-imap-unattached", "vfio", "pinned", "iommufd",
	  "nocap;" C_BIND ";imap i a 0x100000 0x4000 7 full 0;pinned" },
	{ "pin-imap-attached", "vfio", "pinned", "iommufd", P_ATT ";pinned" },
	{ "pin-imap-attached-nocap", "vfio", "pinned", "iommufd", "nocap;" P_ATT ";pinned" },
	{ "pin-rlimit-mode-mm", "vfio", "pinned", "iommufd", "nocap;" P_MM ";pinned" },
	{ "pin-rlimit-mode-mm-root", "vfio", "pinned", "iommufd", P_MM ";pinned" },
	{ "pin-icopy-shared", "vfio", "pinned", "iommufd", "nocap;" P_COPY ";pinned" },
	{ "pin-icopy-part-unmap-source", "vfio", "pinned", "iommufd",
	  "nocap;" P_COPY ";iunmap i a 0x100000 0x4000 full;pinned" },
	{ "pin-icopy-unattached-dst", "vfio", "pinned", "iommufd",
	  "nocap;" P_ATT ";ioas i b full 0;icopy i b a 0x2000 0x200000 0x101000 7;"
	  "iunmap i a 0x100000 0x4000 full;pinned" },
	{ "pin-hwpt-destroy", "vfio", "pinned", "iommufd",
	  "nocap;" P_COPY ";iunmap i a 0x100000 0x4000 full;destroy i h;pinned" },
	{ "pin-detach", "vfio", "pinned", "iommufd", "nocap;" P_ATT ";detach d full;pinned" },
};
