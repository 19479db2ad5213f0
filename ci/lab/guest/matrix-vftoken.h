/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* matrix-vftoken.h: the matrix's VF-token rows (SR-IOV PF and VFs on vfio-pci) and their calls. */
#pragma once

/*
 * drivers/vfio/pci/vfio_pci_core.c guards the VFs of a PF that user space owns: a PF bound to
 * vfio-pci gets a token (vfio_pci_vf_init: uuid_gen, a random UUID), may create VFs when
 * vfio_pci.enable_sriov=Y (vfio_pci_sriov_configure, 0644: writable at run time), and its VFs
 * get driver_override "vfio-pci" as they are added (vfio_pci_bus_notifier). Opening such a VF
 * through its group asks for "BDF vf_token=UUID" (vfio_pci_core_match,
 * vfio_pci_validate_vf_token); the PF sets its token with VFIO_DEVICE_FEATURE PCI_VF_TOKEN
 * (vfio_pci_core_feature_token) or by being opened with one while no VF is in use.
 *
 * The rows run only on the sriov topology (the "pf" role) of a kernel with /dev/iommu (the
 * lab's own kernels): the Debian tables stay as recorded. Calls, in addition to
 * matrix-vfio.h's and matrix-iommufd.h's (BDF: an address, a role template such as {pf}):
 *
 *   gopen F BDF                   open the group node of BDF (/dev/vfio/N, N read at call time)
 *   copen F BDF                   open the device cdev of BDF (/dev/vfio/devices/vfioN)
 *   tdevice G BDF TOKEN F         VFIO_GROUP_GET_DEVICE_FD with "BDF vf_token=TOKEN"
 *   token D OPS UUID [LEN]        VFIO_DEVICE_FEATURE PCI_VF_TOKEN; OPS: set, get, probe,
 *                                 probe-set, probe-get, none; UUID "-": no data; LEN: the
 *                                 payload's size (default 16)
 *   tbind D F V UUID              VFIO_DEVICE_BIND_IOMMUFD with VFIO_DEVICE_BIND_FLAG_TOKEN
 *                                 (6.17's struct: token_uuid_ptr after out_devid)
 *   write PATH VALUE              a sysfs write; after 3 s without an answer every fd of the
 *                                 row is closed and after says "blocked-until-release"
 *   read PATH                     a sysfs read; after: "value=" the first line
 *
 * The group and cdev numbers are not in the rows: the replay (fakesys/tests/test-matrix.c)
 * resolves gopen and copen on its own host the same way.
 */

#include <sys/wait.h>

#define T_U1 "2c4f5e1a-7b3d-4e8f-9a61-0d2b3c4d5e6f"
#define T_U2 "9e8d7c6b-5a49-4382-8170-f6e5d4c3b2a1"
#define T_NULL "00000000-0000-0000-0000-000000000000"
#define T_PARAM "module/vfio_pci/parameters/enable_sriov=Y;"
#define T_PF_VFIO                                                                         \
	"bus/pci/devices/{pf}/driver_override=vfio-pci;bus/pci/drivers/nvme/unbind={pf};" \
	"bus/pci/drivers_probe={pf}"
#define T_PF_SETUP T_PARAM T_PF_VFIO
#define T_VF_SETUP T_PF_SETUP ";bus/pci/devices/{pf}/sriov_numvfs=2"
#define T_PLAIN_SETUP                                                                         \
	"bus/pci/devices/{nvme}/driver_override=vfio-pci;bus/pci/drivers/nvme/unbind={nvme};" \
	"bus/pci/drivers_probe={nvme}"

static const struct vstate tstates[] = {
	/* the PF on vfio-pci, enable_sriov=Y, no VFs */
	{ "sriov-pf", "pf", T_PF_SETUP },
	/* the same with 2 VFs, each on vfio-pci through the captured driver_override */
	{ "sriov-vf", "vf0", T_VF_SETUP },
	/* a device without SR-IOV on vfio-pci (the plain nvme) */
	{ "sriov-plain", "nvme", T_PLAIN_SETUP },
};

/* A group-path open: the group of BDF in a type1v2 container (letters: G group, C container). */
#define T_GRP(G, C, BDF) \
	"gopen " G " " BDF ";open " C " vfio/vfio;set_container " G " " C ";set_iommu " C " 3"
/* The PF through its cdev, bound to iommufd i (device slot p). */
#define T_PFC "open i iommu;copen p {pf};bind p i v full"
/* The VF through its cdev, bound (device slot d). */
#define T_VFC "open j iommu;copen d {vf0};bind d j w full"
#define T_SET1 T_PFC ";token p set " T_U1

static const struct vcase tcases[] = {
	/* the PF's feature (no VFs) */
	{ "pf-token-probe-set", "sriov-pf", "VFIO_DEVICE_FEATURE", "cdev",
	  T_PFC ";token p probe-set -" },
	{ "pf-token-probe", "sriov-pf", "VFIO_DEVICE_FEATURE", "cdev", T_PFC ";token p probe -" },
	{ "pf-token-set", "sriov-pf", "VFIO_DEVICE_FEATURE", "cdev", T_SET1 },
	{ "pf-token-get", "sriov-pf", "VFIO_DEVICE_FEATURE", "cdev", T_PFC ";token p get -" },
	{ "pf-token-probe-get", "sriov-pf", "VFIO_DEVICE_FEATURE", "cdev",
	  T_PFC ";token p probe-get -" },
	{ "pf-token-no-op", "sriov-pf", "VFIO_DEVICE_FEATURE", "cdev", T_PFC ";token p none -" },
	{ "pf-token-set-short", "sriov-pf", "VFIO_DEVICE_FEATURE", "cdev",
	  T_PFC ";token p set " T_U1 " 8" },
	{ "pf-token-before-bind", "sriov-pf", "VFIO_DEVICE_FEATURE", "cdev",
	  "copen p {pf};token p set " T_U1 },
	{ "pf-token-set-group", "sriov-pf", "VFIO_DEVICE_FEATURE", "device",
	  T_GRP("g", "c", "{pf}") ";device g {pf} p;token p set " T_U1 },
	{ "pf-open-with-token", "sriov-pf", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  T_GRP("g", "c", "{pf}") ";tdevice g {pf} " T_U1 " p" },
	{ "pf-numvfs-param-off", "sriov-pf", "write", "sysfs",
	  "write module/vfio_pci/parameters/enable_sriov N;write bus/pci/devices/{pf}/sriov_numvfs 1" },
	{ "pf-numvfs-pf-open", "sriov-pf", "write", "sysfs",
	  T_PFC ";write bus/pci/devices/{pf}/sriov_numvfs 1" },
	/* the VFs: their driver, the group path's token */
	{ "vf-driver-override", "sriov-vf", "read", "sysfs",
	  "read bus/pci/devices/{vf0}/driver_override" },
	{ "vf-open-no-token", "sriov-vf", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  T_GRP("g", "c", "{vf0}") ";device g {vf0} d" },
	{ "vf-open-wrong-token", "sriov-vf", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  T_GRP("g", "c", "{vf0}") ";tdevice g {vf0} " T_U2 " d" },
	{ "vf-open-null-token", "sriov-vf", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  T_GRP("g", "c", "{vf0}") ";tdevice g {vf0} " T_NULL " d" },
	{ "vf-open-token-set", "sriov-vf", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  T_SET1 ";" T_GRP("g", "c", "{vf0}") ";tdevice g {vf0} " T_U1 " d" },
	{ "vf-open-token-upper-case", "sriov-vf", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  T_SET1
	  ";" T_GRP("g", "c", "{vf0}") ";tdevice g {vf0} 2C4F5E1A-7B3D-4E8F-9A61-0D2B3C4D5E6F d" },
	{ "vf-open-other-token-set", "sriov-vf", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  T_SET1 ";" T_GRP("g", "c", "{vf0}") ";tdevice g {vf0} " T_U2 " d" },
	{ "vf-open-token-not-uuid", "sriov-vf", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  T_GRP("g", "c", "{vf0}") ";tdevice g {vf0} zc4f5e1a-7b3d-4e8f-9a61-0d2b3c4d5e6f d" },
	{ "vf-open-token-short", "sriov-vf", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  T_GRP("g", "c", "{vf0}") ";tdevice g {vf0} 2c4f5e1a d" },
	{ "vf-open-token-after-pf-close", "sriov-vf", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  T_SET1 ";close p;" T_GRP("g", "c", "{vf0}") ";tdevice g {vf0} " T_U1 " d" },
	{ "vf-open-token-from-pf-open", "sriov-vf", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  T_GRP("g", "c", "{pf}") ";tdevice g {pf} " T_U1
				  " p;gopen h {vf0};set_container h c;tdevice h {vf0} " T_U1 " d" },
	/* the cdev path (6.12: no token asked; the flag came with 6.17) */
	{ "vf-cdev-bind-no-token", "sriov-vf", "VFIO_DEVICE_BIND_IOMMUFD", "cdev", T_VFC },
	{ "vf-cdev-bind-token-flag", "sriov-vf", "VFIO_DEVICE_BIND_IOMMUFD", "cdev",
	  T_SET1 ";open j iommu;copen d {vf0};tbind d j w " T_U1 },
	{ "vf-token-feature", "sriov-vf", "VFIO_DEVICE_FEATURE", "cdev",
	  T_VFC ";token d set " T_U1 },
	{ "vf-token-probe", "sriov-vf", "VFIO_DEVICE_FEATURE", "cdev",
	  T_VFC ";token d probe-set -" },
	/* the PF while a VF is in use */
	{ "pf-open-vf-in-use-no-token", "sriov-vf", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  T_VFC ";" T_GRP("g", "c", "{pf}") ";device g {pf} p" },
	{ "pf-open-vf-in-use-token", "sriov-vf", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  T_SET1 ";close p;" T_VFC ";" T_GRP("g", "c", "{pf}") ";tdevice g {pf} " T_U1 " p" },
	{ "pf-open-vf-in-use-wrong-token", "sriov-vf", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  T_SET1 ";close p;" T_VFC ";" T_GRP("g", "c", "{pf}") ";tdevice g {pf} " T_U2 " p" },
	{ "pf-cdev-bind-vf-in-use", "sriov-vf", "VFIO_DEVICE_BIND_IOMMUFD", "cdev",
	  T_VFC ";" T_PFC },
	{ "pf-token-set-vf-in-use", "sriov-vf", "VFIO_DEVICE_FEATURE", "cdev",
	  T_VFC ";" T_PFC ";token p set " T_U2 },
	/* sriov_numvfs and the PF's driver while VFs are on vfio-pci */
	{ "numvfs-zero-vfs-bound", "sriov-vf", "write", "sysfs",
	  "write bus/pci/devices/{pf}/sriov_numvfs 0" },
	{ "numvfs-zero-vf-open", "sriov-vf", "write", "sysfs",
	  T_VFC ";write bus/pci/devices/{pf}/sriov_numvfs 0" },
	{ "numvfs-nonzero-vfs-bound", "sriov-vf", "write", "sysfs",
	  "write bus/pci/devices/{pf}/sriov_numvfs 1" },
	{ "pf-unbind-vfs-bound", "sriov-vf", "read", "sysfs",
	  "write bus/pci/drivers/vfio-pci/unbind {pf};read bus/pci/devices/{pf}/sriov_numvfs" },
	{ "pf-unbind-vf-open", "sriov-vf", "write", "sysfs",
	  T_VFC ";write bus/pci/drivers/vfio-pci/unbind {pf}" },
	/* a device that is neither PF nor VF */
	{ "plain-token-feature", "sriov-plain", "VFIO_DEVICE_FEATURE", "cdev",
	  "open i iommu;copen d {nvme};bind d i v full;token d set " T_U1 },
	{ "plain-open-with-token", "sriov-plain", "VFIO_GROUP_GET_DEVICE_FD", "group",
	  T_GRP("g", "c", "{nvme}") ";tdevice g {nvme} " T_U1 " d" },
};

/* 16 bytes from a UUID's 32 hex digits (dashes skipped); -1 when it has fewer. */
static int tuuid(const char *s, uint8_t *out)
{
	int n = 0;

	for (; *s && n < 32; s++) {
		if (*s == '-')
			continue;
		if (!((*s >= '0' && *s <= '9') || ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')))
			return -1;
		out[n / 2] = (uint8_t)((out[n / 2] << 4) |
				       (*s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10));
		n++;
	}
	return n == 32 ? 0 : -1;
}

/* The group number or cdev name of bdf, read now; "" when it has none. */
static void tnode(const char *bdf, int cdev, char *out, size_t size)
{
	char rel[PATH_MAX], link[PATH_MAX], **names;
	ssize_t len;
	int n;

	out[0] = '\0';
	if (cdev) {
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/vfio-dev", bdf);
		n = list_dir(rel, &names);
		if (n > 0)
			snprintf(out, size, "devices/%s", names[0]);
		free_list(names, n);
		return;
	}
	snprintf(rel, sizeof(rel), SYSFS "bus/pci/devices/%s/iommu_group", bdf);
	len = readlink(rel, link, sizeof(link) - 1);
	if (len > 0) {
		link[len] = '\0';
		snprintf(out, size, "%s", strrchr(link, '/') + 1);
	}
}

/* A sysfs write that may wait for the row's files to close (matrix.c: release_write). */
static int twrite(struct vrun *r, const char *path, const char *val)
{
	int blocked, ret = release_write(path, val, strlen(val), r->fd, 26, &blocked);

	if (blocked > 0)
		snprintf(r->after, sizeof(r->after), "blocked-until-release");
	return ret;
}

/* VFIO_DEVICE_FEATURE PCI_VF_TOKEN on fd. */
static int ttoken(int fd, char **w, int n)
{
	static const struct {
		const char *name;
		uint32_t flags;
	} ops[] = { { "set", VFIO_DEVICE_FEATURE_SET },
		    { "get", VFIO_DEVICE_FEATURE_GET },
		    { "probe", VFIO_DEVICE_FEATURE_PROBE },
		    { "probe-set", VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET },
		    { "probe-get", VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET },
		    { "none", 0 } };
	union {
		struct vfio_device_feature f;
		uint8_t raw[sizeof(struct vfio_device_feature) + 32];
	} u;
	size_t len = n > 4 ? strtoul(w[4], NULL, 0) : 16;

	memset(&u, 0, sizeof(u));
	if (n < 4 || len > 32)
		return -EINVAL;
	u.f.flags = VFIO_DEVICE_FEATURE_PCI_VF_TOKEN;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(w[2], ops[i].name))
			u.f.flags |= ops[i].flags;
	if (strcmp(w[3], "-") && tuuid(w[3], u.f.data) < 0)
		return -EINVAL;
	u.f.argsz = (uint32_t)(sizeof(u.f) + len);
	return vio(fd, VFIO_DEVICE_FEATURE, &u.f);
}

/* VFIO_DEVICE_BIND_IOMMUFD with the token flag (6.17's structure). */
static int ttbind(struct vrun *r, int fd, char **w, int n)
{
	struct {
		uint32_t argsz, flags;
		int32_t iommufd;
		uint32_t out_devid;
		uint64_t token_uuid_ptr;
	} b;
	uint8_t uuid[16] = { 0 };
	int *ifd = n > 2 ? vslot(r, w[2]) : NULL, ret;

	if (n < 5 || !ifd || tuuid(w[4], uuid) < 0)
		return -EINVAL;
	b = (typeof(b)){ sizeof(b), 1, *ifd, 0, (uintptr_t)uuid };
	ret = vio(fd, VFIO_CDEV_BIND, &b);
	if (ret >= 0 && vslot(r, w[3]))
		r->ids[w[3][0] - 'a'] = b.out_devid;
	if (ret >= 0)
		snprintf(r->after, sizeof(r->after), "devid=%u", b.out_devid);
	return ret < 0 ? ret : 0;
}

/* The calls above; -ENOSYS for any other. */
static int tcall(struct vrun *r, char **w, int n)
{
	char node[96], name[160], buf[200];
	int *f = n > 1 ? vslot(r, w[1]) : NULL, *d, ret;

	if (!strcmp(w[0], "write") && n >= 3)
		return twrite(r, w[1], w[2]);
	if (!strcmp(w[0], "read") && n >= 2) {
		ret = (int)sysfs_read(w[1], buf, sizeof(buf));
		if (ret >= 0) {
			buf[strcspn(buf, "\n")] = '\0';
			snprintf(r->after, sizeof(r->after), "value=%s", buf);
		}
		return ret < 0 ? ret : 0;
	}
	if ((!strcmp(w[0], "gopen") || !strcmp(w[0], "copen")) && f && n >= 3) {
		char path[128];

		tnode(w[2], w[0][0] == 'c', node, sizeof(node));
		if (!node[0])
			return -ENOENT;
		snprintf(path, sizeof(path), "/dev/vfio/%s", node);
		*f = open(path, O_RDWR | O_CLOEXEC);
		return *f < 0 ? -errno : 0;
	}
	if (!strcmp(w[0], "tdevice") && f && n >= 5 && (d = vslot(r, w[4]))) {
		snprintf(name, sizeof(name), "%s vf_token=%s", w[2], w[3]);
		ret = vio(*f, VFIO_GROUP_GET_DEVICE_FD, name);
		*d = ret;
		return ret < 0 ? ret : 0;
	}
	if (!strcmp(w[0], "token") && f)
		return ttoken(*f, w, n);
	if (!strcmp(w[0], "tbind") && f)
		return ttbind(r, *f, w, n);
	return -ENOSYS;
}
