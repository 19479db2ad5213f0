/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated VFIO device through the backend's device-node operations, on the lab's
 * recordings. Expected values are the kernel's (drivers/vfio/vfio_main.c, container.c,
 * vfio_iommu_type1.c, pci/vfio_pci_core.c as of 6.1, the recordings' kernel), computed here
 * from the recorded `resource` and `config` with the kernel's own formulas.
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
#include "trace.h"

#define DEVS "bus/pci/devices/"
#define PAGE 4096ull
#define IORESOURCE_MEM 0x200ull

/* What an administrator does: override, unbind from the current driver, reprobe. */
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

static int vfio_exists(struct row_fx *f, int group)
{
	g_autofree char *node = g_strdup_printf("vfio/%d", group);

	return pt_backend_exists(f->be, PT_NS_DEV, node);
}

struct open_set {
	int container, group, device;
};

/* QEMU's order: container, group, SET_CONTAINER, SET_IOMMU type1v2, GET_DEVICE_FD. */
static struct open_set open_device(struct row_fx *f, int group, const char *bdf)
{
	g_autofree char *node = g_strdup_printf("vfio/%d", group);
	struct open_set s;

	s.container = pt_backend_dev_open(f->be, "vfio/vfio", 2);
	assert_true(s.container >= 0);
	s.group = pt_backend_dev_open(f->be, node, 2);
	assert_true(s.group >= 0);
	assert_int_equal(
		pt_backend_dev_ioctl(f->be, s.group, VFIO_GROUP_SET_CONTAINER, &s.container), 0);
	assert_int_equal(pt_backend_dev_ioctl(f->be, s.container, VFIO_SET_IOMMU,
					      (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU),
			 0);
	s.device = pt_backend_dev_ioctl(f->be, s.group, VFIO_GROUP_GET_DEVICE_FD, (void *)bdf);
	assert_true(s.device >= 0);
	return s;
}

static void close_set(struct row_fx *f, struct open_set *s)
{
	assert_int_equal(pt_backend_dev_close(f->be, s->device), 0);
	assert_int_equal(pt_backend_dev_close(f->be, s->group), 0);
	assert_int_equal(pt_backend_dev_close(f->be, s->container), 0);
}

static bool trace_has(const struct pt_trace *t, enum pt_event_kind kind, const char *path,
		      int result)
{
	for (size_t i = 0; i < pt_trace_count(t); i++) {
		const struct pt_event *e = pt_trace_event(t, i);

		if (e->kind == kind && strcmp(e->path, path) == 0 && e->result == result)
			return true;
	}
	return false;
}

static bool rule_fired(const struct pt_trace *t, const char *rule)
{
	for (size_t i = 0; i < pt_trace_count(t); i++) {
		const struct pt_event *e = pt_trace_event(t, i);

		if (e->kind == PT_EVENT_RULE && e->rule && strcmp(e->rule, rule) == 0)
			return true;
	}
	return false;
}

/* ---- container ---- */

static void test_container_api(void **state)
{
	struct row_fx f = row_fx_load("lab-shared-e1000e-vfio", NULL);
	int c = pt_backend_dev_open(f.be, "vfio/vfio", 2), c2, g;

	(void)state;
	assert_true(c >= 0);
	/* vfio_fops_unl_ioctl(): VFIO_GET_API_VERSION returns VFIO_API_VERSION, which is 0. */
	assert_int_equal(pt_backend_dev_ioctl(f.be, c, VFIO_GET_API_VERSION, NULL), 0);
	/* With no IOMMU driver set, CHECK_EXTENSION asks every registered driver: type1
	 * answers 1 for TYPE1 and TYPE1v2; nobody answers for sPAPR TCE on x86. */
	assert_int_equal(pt_backend_dev_ioctl(f.be, c, VFIO_CHECK_EXTENSION,
					      (void *)(uintptr_t)VFIO_TYPE1_IOMMU),
			 1);
	assert_int_equal(pt_backend_dev_ioctl(f.be, c, VFIO_CHECK_EXTENSION,
					      (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU),
			 1);
	assert_int_equal(pt_backend_dev_ioctl(f.be, c, VFIO_CHECK_EXTENSION,
					      (void *)(uintptr_t)VFIO_SPAPR_TCE_IOMMU),
			 0);
	/* vfio_ioctl_set_iommu(): no group in the container yet: EINVAL. */
	assert_int_equal(pt_backend_dev_ioctl(f.be, c, VFIO_SET_IOMMU,
					      (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU),
			 -EINVAL);
	/* Requests for the IOMMU driver before one is set: EINVAL. */
	{
		struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };

		assert_int_equal(pt_backend_dev_ioctl(f.be, c, VFIO_IOMMU_GET_INFO, &info),
				 -EINVAL);
	}
	g = pt_backend_dev_open(f.be, "vfio/6", 2);
	assert_true(g >= 0);
	assert_int_equal(pt_backend_dev_ioctl(f.be, g, VFIO_GROUP_SET_CONTAINER, &c), 0);
	/* An IOMMU type no driver supports: ENODEV. */
	assert_int_equal(pt_backend_dev_ioctl(f.be, c, VFIO_SET_IOMMU,
					      (void *)(uintptr_t)VFIO_SPAPR_TCE_IOMMU),
			 -ENODEV);
	assert_int_equal(pt_backend_dev_ioctl(f.be, c, VFIO_SET_IOMMU,
					      (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU),
			 0);
	/* Once set, a second SET_IOMMU: EINVAL. */
	assert_int_equal(
		pt_backend_dev_ioctl(f.be, c, VFIO_SET_IOMMU, (void *)(uintptr_t)VFIO_TYPE1_IOMMU),
		-EINVAL);
	/* A second container can be opened; the group is already in the first: EINVAL. */
	c2 = pt_backend_dev_open(f.be, "vfio/vfio", 2);
	assert_true(c2 >= 0);
	assert_int_equal(pt_backend_dev_ioctl(f.be, g, VFIO_GROUP_SET_CONTAINER, &c2), -EINVAL);
	/* Every call is in the trace, by request name. */
	/* Opening the node is in the trace (ioctls are traced by their callers, by name). */
	assert_true(trace_has(f.trace, PT_EVENT_OPEN, "vfio/vfio", c));
	assert_int_equal(pt_backend_dev_close(f.be, g), 0);
	assert_int_equal(pt_backend_dev_close(f.be, c), 0);
	assert_int_equal(pt_backend_dev_close(f.be, c2), 0);
	row_fx_free(&f);
}

static void test_set_iommu_no_intremap(void **state)
{
	/* type1's attach without interrupt remapping and allow_unsafe_interrupts=N: EPERM. */
	struct row_fx f = row_fx_load("lab-nointremap-initial", NULL);
	int c, g, gid = -1;

	(void)state;
	to_vfio(&f, "0000:00:08.0");
	assert_int_equal(fks_host_dev_group(f.h, "0000:00:08.0", &gid), 0);
	assert_int_equal(gid, 2);
	c = pt_backend_dev_open(f.be, "vfio/vfio", 2);
	g = pt_backend_dev_open(f.be, "vfio/2", 2);
	assert_true(c >= 0 && g >= 0);
	assert_int_equal(pt_backend_dev_ioctl(f.be, g, VFIO_GROUP_SET_CONTAINER, &c), 0);
	assert_int_equal(pt_backend_dev_ioctl(f.be, c, VFIO_SET_IOMMU,
					      (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU),
			 -EPERM);
	assert_int_equal(
		pt_backend_dev_ioctl(f.be, g, VFIO_GROUP_GET_DEVICE_FD, (void *)"0000:00:08.0"),
		-EINVAL);
	pt_backend_dev_close(f.be, g);
	pt_backend_dev_close(f.be, c);
	row_fx_free(&f);
}

/* ---- group ---- */

static unsigned group_flags(struct row_fx *f, int g)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };

	assert_int_equal(pt_backend_dev_ioctl(f->be, g, VFIO_GROUP_GET_STATUS, &st), 0);
	return st.flags;
}

static void test_group_status(void **state)
{
	struct row_fx f = row_fx_load("lab-shared-e1000e-vfio", NULL);
	int c = pt_backend_dev_open(f.be, "vfio/vfio", 2),
	    g = pt_backend_dev_open(f.be, "vfio/6", 2);

	(void)state;
	assert_true(c >= 0 && g >= 0);
	/* Both functions on vfio-pci: viable, no container. */
	assert_int_equal(group_flags(&f, g), VFIO_GROUP_FLAGS_VIABLE);
	/* Only one open file per group (vfio_group_fops_open): EBUSY. */
	assert_int_equal(pt_backend_dev_open(f.be, "vfio/6", 2), -EBUSY);
	/* A group the kernel has no /dev/vfio node for (nothing of it on a VFIO driver). */
	assert_int_equal(pt_backend_dev_open(f.be, "vfio/7", 2), -ENOENT);
	/* The device before the group is in a container: EINVAL. */
	assert_int_equal(
		pt_backend_dev_ioctl(f.be, g, VFIO_GROUP_GET_DEVICE_FD, (void *)"0000:01:00.0"),
		-EINVAL);
	assert_int_equal(pt_backend_dev_ioctl(f.be, g, VFIO_GROUP_SET_CONTAINER, &c), 0);
	assert_int_equal(group_flags(&f, g),
			 VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET);
	/* UNSET_CONTAINER gives the group back; a second UNSET: EINVAL. */
	assert_int_equal(pt_backend_dev_ioctl(f.be, g, VFIO_GROUP_UNSET_CONTAINER, NULL), 0);
	assert_int_equal(group_flags(&f, g), VFIO_GROUP_FLAGS_VIABLE);
	assert_int_equal(pt_backend_dev_ioctl(f.be, g, VFIO_GROUP_UNSET_CONTAINER, NULL), -EINVAL);
	/*
	 * SET_CONTAINER with something that is not a container fd: EINVAL on 6.1 (the
	 * recording's kernel; matrix-6.1-vfio.tsv vfio.set-container-not-container), EBADFD
	 * since 6.2 (matrix-6.12-vfio.tsv).
	 */
	assert_int_equal(pt_backend_dev_ioctl(f.be, g, VFIO_GROUP_SET_CONTAINER, &g), -EINVAL);
	pt_backend_dev_close(f.be, g);
	pt_backend_dev_close(f.be, c);
	row_fx_free(&f);
}

static void test_group_not_viable(void **state)
{
	/* 01:00.1 on vfio-pci, 01:00.0 still on e1000e (a kernel-DMA driver): the group's DMA
	 * owner count is not zero, so iommu_group_claim_dma_owner() refuses with EPERM. */
	struct row_fx f = row_fx_load("lab-shared-e1000e-half-vfio", NULL);
	int c, g;

	(void)state;
	assert_int_equal(vfio_exists(&f, 6), 1);
	c = pt_backend_dev_open(f.be, "vfio/vfio", 2);
	g = pt_backend_dev_open(f.be, "vfio/6", 2);
	assert_true(c >= 0 && g >= 0);
	assert_int_equal(group_flags(&f, g), 0);
	assert_int_equal(pt_backend_dev_ioctl(f.be, g, VFIO_GROUP_SET_CONTAINER, &c), -EPERM);
	assert_int_equal(group_flags(&f, g), 0);
	pt_backend_dev_close(f.be, g);
	/* Move the other function over: now viable, and the claim succeeds. */
	to_vfio(&f, "0000:01:00.0");
	g = pt_backend_dev_open(f.be, "vfio/6", 2);
	assert_true(g >= 0);
	assert_int_equal(group_flags(&f, g), VFIO_GROUP_FLAGS_VIABLE);
	assert_int_equal(pt_backend_dev_ioctl(f.be, g, VFIO_GROUP_SET_CONTAINER, &c), 0);
	pt_backend_dev_close(f.be, g);
	pt_backend_dev_close(f.be, c);
	row_fx_free(&f);
}

static void test_dev_node_lifetime(void **state)
{
	/* vfio_group_find_or_alloc() registers the group's node with its first VFIO device;
	 * vfio_device_remove_group() drops it with the last. */
	struct row_fx f = row_fx_load("lab-shared-initial", NULL);

	(void)state;
	assert_int_equal(vfio_exists(&f, 6), 0);
	to_vfio(&f, "0000:01:00.1");
	assert_int_equal(vfio_exists(&f, 6), 1);
	to_vfio(&f, "0000:01:00.0");
	assert_int_equal(vfio_exists(&f, 6), 1);
	assert_int_equal(row_fx_write(&f, "bus/pci/drivers/vfio-pci/unbind", "0000:01:00.1"), 0);
	assert_int_equal(vfio_exists(&f, 6), 1);
	assert_int_equal(row_fx_write(&f, "bus/pci/drivers/vfio-pci/unbind", "0000:01:00.0"), 0);
	assert_int_equal(vfio_exists(&f, 6), 0);
	assert_int_equal(pt_backend_dev_open(f.be, "vfio/6", 2), -ENOENT);
	/* The container node is always there. */
	assert_int_equal(pt_backend_exists(f.be, PT_NS_DEV, "vfio/vfio"), 1);
	row_fx_free(&f);
}

/* ---- device: the kernel's formulas applied to the recorded config and resource ---- */

struct kdev {
	uint8_t cfg[4096];
	size_t cfg_len;
	bool pcie, vf;
	unsigned msi, msix; /* vectors, 0: no capability */
	int msix_bar; /* BIR of the MSI-X table, -1: none */
	uint64_t bar_size[7], bar_start[7], bar_flags[7];
};

static unsigned cfg16(const struct kdev *k, unsigned off)
{
	return k->cfg[off] | k->cfg[off + 1] << 8;
}

static void kdev_read(struct row_fx *f, const char *bdf, struct kdev *k)
{
	g_autofree char *cpath = g_strdup_printf(DEVS "%s/config", bdf);
	g_autofree char *rpath = g_strdup_printf(DEVS "%s/resource", bdf);
	g_autofree char *physfn = g_strdup_printf(DEVS "%s/physfn", bdf);
	char res[2048];
	size_t len = 0;
	g_auto(GStrv) lines = NULL;

	memset(k, 0, sizeof(*k));
	k->msix_bar = -1;
	assert_int_equal(
		pt_backend_read(f->be, PT_NS_SYS, cpath, k->cfg, sizeof(k->cfg), &k->cfg_len), 0);
	assert_true(k->cfg_len >= 256);
	k->vf = pt_backend_exists(f->be, PT_NS_SYS, physfn) == 1;
	/* The capability list (PCI_STATUS_CAP_LIST, PCI_CAPABILITY_LIST). */
	if (cfg16(k, 0x06) & 0x10)
		for (unsigned p = k->cfg[0x34] & ~3u, n = 0; p >= 0x40 && n < 48;
		     p = k->cfg[p + 1] & ~3u, n++) {
			unsigned flags = cfg16(k, p + 2);

			if (k->cfg[p] == 0x10) /* PCI_CAP_ID_EXP */
				k->pcie = true;
			if (k->cfg[p] == 0x05) /* MSI: 1 << Multiple Message Capable */
				k->msi = 1u << ((flags & 0x000e) >> 1);
			if (k->cfg[p] == 0x11) { /* MSI-X: Table Size + 1, the table's BIR */
				k->msix = (flags & 0x07ff) + 1;
				k->msix_bar = k->cfg[p + 4] & 7;
			}
		}
	/* A recording without `resource` (the synthetic server-mlx5's VFs) has no BARs. */
	if (pt_backend_read(f->be, PT_NS_SYS, rpath, res, sizeof(res) - 1, &len) < 0)
		len = 0;
	res[len] = 0;
	lines = g_strsplit(res, "\n", -1);
	for (unsigned i = 0; i < 7 && lines[i]; i++) {
		unsigned long long s, e, fl;

		if (!*lines[i])
			break;
		assert_int_equal(sscanf(lines[i], "%llx %llx %llx", &s, &e, &fl), 3);
		k->bar_size[i] = e > s ? e - s + 1 : 0;
		k->bar_start[i] = s;
		k->bar_flags[i] = fl;
	}
}

/* vfio_pci_probe_mmaps(): a memory BAR of a page or more, or a smaller one starting a page. */
static bool kbar_mmap(const struct kdev *k, unsigned i)
{
	return (k->bar_flags[i] & IORESOURCE_MEM) && k->bar_size[i] &&
	       (k->bar_size[i] >= PAGE || !(k->bar_start[i] & (PAGE - 1)));
}

/* The capability does not fit in a bare vfio_region_info: argsz says how much is needed,
 * and with that much the MSIX_MAPPABLE header comes right after the struct. */
static void check_msix_cap(struct row_fx *f, int dev, unsigned index)
{
	struct {
		struct vfio_region_info ri;
		struct vfio_info_cap_header cap;
	} big = { .ri = { .argsz = sizeof(big), .index = index } };
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = index };

	assert_int_equal(pt_backend_dev_ioctl(f->be, dev, VFIO_DEVICE_GET_REGION_INFO, &ri), 0);
	assert_int_equal(ri.argsz, sizeof(ri) + sizeof(struct vfio_info_cap_header));
	assert_int_equal(ri.cap_offset, 0);
	assert_int_equal(pt_backend_dev_ioctl(f->be, dev, VFIO_DEVICE_GET_REGION_INFO, &big), 0);
	assert_int_equal(big.ri.cap_offset, sizeof(big.ri));
	assert_int_equal(big.cap.id, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE);
	assert_int_equal(big.cap.version, 1);
	assert_int_equal(big.cap.next, 0);
}

static void check_regions(struct row_fx *f, int dev, const struct kdev *k, const char *bdf)
{
	for (unsigned i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		struct vfio_region_info ri = { .argsz = sizeof(ri), .index = i };
		uint64_t want_size = 0, want_flags = 0;
		int want_r = 0;

		if (i <= VFIO_PCI_BAR5_REGION_INDEX) {
			want_size = k->bar_size[i];
			if (want_size)
				want_flags =
					VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
			if (kbar_mmap(k, i)) {
				want_flags |= VFIO_REGION_INFO_FLAG_MMAP;
				/* msix_mmappable_cap() adds a capability to the MSI-X BAR. */
				if ((int)i == k->msix_bar)
					want_flags |= VFIO_REGION_INFO_FLAG_CAPS;
			}
		} else if (i == VFIO_PCI_ROM_REGION_INDEX) {
			want_size = k->bar_size[i];
			want_flags = want_size ? VFIO_REGION_INFO_FLAG_READ : 0;
		} else if (i == VFIO_PCI_CONFIG_REGION_INDEX) {
			/* pdev->cfg_size: extended config space on PCIe. */
			want_size = k->pcie ? 4096 : 256;
			want_flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
		} else {
			want_r = -EINVAL; /* VGA: these are no VGA devices */
		}
		print_message("%s region %u: want %d size %llu flags 0x%llx\n", bdf, i, want_r,
			      (unsigned long long)want_size, (unsigned long long)want_flags);
		assert_int_equal(pt_backend_dev_ioctl(f->be, dev, VFIO_DEVICE_GET_REGION_INFO, &ri),
				 want_r);
		if (want_r)
			continue;
		assert_int_equal(ri.size, want_size);
		assert_int_equal(ri.flags & ~(uint32_t)0, want_flags);
		/* VFIO_PCI_INDEX_TO_OFFSET(). */
		assert_int_equal(ri.offset, (uint64_t)i << 40);
		if (want_flags & VFIO_REGION_INFO_FLAG_CAPS)
			check_msix_cap(f, dev, i);
	}
}

static void check_irqs(struct row_fx *f, int dev, const struct kdev *k, const char *bdf)
{
	for (unsigned i = 0; i <= VFIO_PCI_NUM_IRQS; i++) {
		struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = i };
		unsigned want_count = 0, want_flags = VFIO_IRQ_INFO_EVENTFD;
		int want_r = 0;

		switch (i) {
		case VFIO_PCI_INTX_IRQ_INDEX:
			/* vfio_pci_get_irq_count(): none for a VF, else the interrupt pin. */
			want_count = !k->vf && k->cfg[0x3d];
			want_flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
			break;
		case VFIO_PCI_MSI_IRQ_INDEX:
			want_count = k->msi;
			want_flags |= VFIO_IRQ_INFO_NORESIZE;
			break;
		case VFIO_PCI_MSIX_IRQ_INDEX:
			want_count = k->msix;
			want_flags |= VFIO_IRQ_INFO_NORESIZE;
			break;
		case VFIO_PCI_ERR_IRQ_INDEX:
			/* Only on PCIe; every index but INTx is NORESIZE. */
			want_r = k->pcie ? 0 : -EINVAL;
			want_count = 1;
			want_flags |= VFIO_IRQ_INFO_NORESIZE;
			break;
		case VFIO_PCI_REQ_IRQ_INDEX:
			want_count = 1;
			want_flags |= VFIO_IRQ_INFO_NORESIZE;
			break;
		default:
			want_r = -EINVAL; /* index >= VFIO_PCI_NUM_IRQS */
		}
		print_message("%s irq %u: want %d count %u flags 0x%x\n", bdf, i, want_r,
			      want_count, want_flags);
		assert_int_equal(pt_backend_dev_ioctl(f->be, dev, VFIO_DEVICE_GET_IRQ_INFO, &ii),
				 want_r);
		if (want_r)
			continue;
		assert_int_equal(ii.count, want_count);
		assert_int_equal(ii.flags, want_flags);
	}
}

static void check_device(const char *host, int group, const char *bdf, bool want_reset)
{
	struct row_fx f = row_fx_load(host, NULL);
	struct open_set s = open_device(&f, group, bdf);
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct kdev k;

	kdev_read(&f, bdf, &k);
	assert_int_equal(pt_backend_dev_ioctl(f.be, s.device, VFIO_DEVICE_GET_INFO, &info), 0);
	/* vfio_pci_ioctl_get_info(): PCI, RESET when a function reset worked at open. */
	assert_int_equal(info.flags,
			 VFIO_DEVICE_FLAGS_PCI | (want_reset ? VFIO_DEVICE_FLAGS_RESET : 0));
	assert_int_equal(info.num_regions, VFIO_PCI_NUM_REGIONS);
	assert_int_equal(info.num_irqs, VFIO_PCI_NUM_IRQS);
	check_regions(&f, s.device, &k, bdf);
	check_irqs(&f, s.device, &k, bdf);
	/* VFIO_DEVICE_RESET: EINVAL without reset_works. */
	assert_int_equal(pt_backend_dev_ioctl(f.be, s.device, VFIO_DEVICE_RESET, NULL),
			 want_reset ? 0 : -EINVAL);
	close_set(&f, &s);
	row_fx_free(&f);
}

static void test_device_e1000e(void **state)
{
	(void)state;
	/* 82574L: MSI and MSI-X (BAR 3), an I/O BAR, a ROM; reset_method "pm bus" / "pm". */
	check_device("lab-shared-e1000e-vfio", 6, "0000:01:00.0", true);
	check_device("lab-shared-e1000e-vfio", 6, "0000:01:00.1", true);
}

static void test_device_nvme(void **state)
{
	(void)state;
	check_device("lab-shared-nvme-vfio", 7, "0000:02:00.0", true);
}

static void test_device_vf(void **state)
{
	(void)state;
	/* A VF: no INTx whatever its pin reads; FLR. */
	check_device("lab-sriov-vf-vfio", 8, "0000:02:00.1", true);
}

static void test_device_mlx5_vf(void **state)
{
	(void)state;
	check_device("server-mlx5", 40, "0000:17:00.2", true);
	check_device("server-mlx5", 41, "0000:17:00.3", true);
}

static void test_device_no_reset(void **state)
{
	/* edu (1234:11e8) has no reset method at all (reset_method absent): no RESET flag,
	 * and VFIO_DEVICE_RESET is EINVAL. */
	struct row_fx f = row_fx_load("lab-shared-initial", NULL);
	struct open_set s;
	struct vfio_device_info info = { .argsz = sizeof(info) };

	(void)state;
	assert_int_equal(pt_backend_exists(f.be, PT_NS_SYS, DEVS "0000:00:08.0/reset_method"), 0);
	to_vfio(&f, "0000:00:08.0");
	s = open_device(&f, 4, "0000:00:08.0");
	assert_int_equal(pt_backend_dev_ioctl(f.be, s.device, VFIO_DEVICE_GET_INFO, &info), 0);
	assert_int_equal(info.flags, VFIO_DEVICE_FLAGS_PCI);
	assert_int_equal(pt_backend_dev_ioctl(f.be, s.device, VFIO_DEVICE_RESET, NULL), -EINVAL);
	/* On the root bus: no slot or bus reset, so no hot-reset info: ENODEV. */
	{
		struct vfio_pci_hot_reset_info hi = { .argsz = sizeof(hi) };

		assert_int_equal(pt_backend_dev_ioctl(f.be, s.device,
						      VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &hi),
				 -ENODEV);
	}
	/* A device not in the group, or not on a VFIO driver: ENODEV. */
	assert_int_equal(pt_backend_dev_ioctl(f.be, s.group, VFIO_GROUP_GET_DEVICE_FD,
					      (void *)"0000:01:00.0"),
			 -ENODEV);
	close_set(&f, &s);
	row_fx_free(&f);
}

static void test_hot_reset_info(void **state)
{
	/* 01:00.0 and 01:00.1 share bus 1 below root port 00:02.0: a bus reset takes both,
	 * each reported with its group, segment, bus and devfn. */
	struct row_fx f = row_fx_load("lab-shared-e1000e-vfio", NULL);
	struct open_set s = open_device(&f, 6, "0000:01:00.0");
	size_t sz = sizeof(struct vfio_pci_hot_reset_info) +
		    2 * sizeof(struct vfio_pci_dependent_device);
	g_autofree struct vfio_pci_hot_reset_info *hi = g_malloc0(sz);

	(void)state;
	/* Too small for the devices: ENOSPC, with the count to size the next call. */
	hi->argsz = sizeof(*hi);
	assert_int_equal(
		pt_backend_dev_ioctl(f.be, s.device, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, hi),
		-ENOSPC);
	assert_int_equal(hi->count, 2);
	hi->argsz = (uint32_t)sz;
	assert_int_equal(
		pt_backend_dev_ioctl(f.be, s.device, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, hi), 0);
	assert_int_equal(hi->count, 2);
	assert_int_equal(hi->flags, 0);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(hi->devices[i].group_id, 6);
		assert_int_equal(hi->devices[i].segment, 0);
		assert_int_equal(hi->devices[i].bus, 1);
		assert_int_equal(hi->devices[i].devfn, i); /* slot 0, functions 0 and 1 */
	}
	close_set(&f, &s);
	row_fx_free(&f);
}

/* ---- DMA ---- */

static int map(struct row_fx *f, int c, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = 0x7f0000000000ull + iova,
		.iova = iova,
		.size = size,
	};

	return pt_backend_dev_ioctl(f->be, c, VFIO_IOMMU_MAP_DMA, &m);
}

static int unmap(struct row_fx *f, int c, uint64_t iova, uint64_t size, uint64_t *ret_size)
{
	struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u), .iova = iova, .size = size };
	int r = pt_backend_dev_ioctl(f->be, c, VFIO_IOMMU_UNMAP_DMA, &u);

	*ret_size = u.size;
	return r;
}

static void test_dma(void **state)
{
	struct row_fx f = row_fx_load("lab-shared-e1000e-vfio", NULL);
	struct open_set s;
	uint64_t done = 0;

	(void)state;
	/* An unprivileged user: pinned pages count against RLIMIT_MEMLOCK (1 MiB). */
	assert_int_equal(fks_host_set(f.h, "cap_ipc_lock", "0"), 0);
	assert_int_equal(fks_host_set(f.h, "memlock", "1048576"), 0);
	s = open_device(&f, 6, "0000:01:00.0");
	assert_int_equal(map(&f, s.container, 0x100000, 0x80000), 0);
	/* vfio_dma_do_map(): any overlap with an existing mapping: EEXIST. */
	assert_int_equal(map(&f, s.container, 0x100000, 0x80000), -EEXIST);
	assert_int_equal(map(&f, s.container, 0x170000, 0x20000), -EEXIST);
	assert_int_equal(map(&f, s.container, 0x0f0000, 0x20000), -EEXIST);
	/* Adjacent is fine; exactly the limit is fine (locked + npage > limit fails). */
	assert_int_equal(map(&f, s.container, 0x180000, 0x80000), 0);
	/* One page more: ENOMEM (vfio_pin_pages_remote(), "RLIMIT_MEMLOCK exceeded"). */
	assert_int_equal(map(&f, s.container, 0x400000, 0x1000), -ENOMEM);
	/* Unaligned or empty: EINVAL. */
	assert_int_equal(map(&f, s.container, 0x500800, 0x1000), -EINVAL);
	assert_int_equal(map(&f, s.container, 0x500000, 0), -EINVAL);
	/* Unmapping returns what was unmapped and gives the pages back. */
	assert_int_equal(unmap(&f, s.container, 0x100000, 0x80000, &done), 0);
	assert_int_equal(done, 0x80000);
	assert_int_equal(map(&f, s.container, 0x400000, 0x1000), 0);
	/* type1v2 may not split a mapping: EINVAL. */
	assert_int_equal(unmap(&f, s.container, 0x180000, 0x1000, &done), -EINVAL);
	/* Nothing in the range: 0 bytes, no error. */
	assert_int_equal(unmap(&f, s.container, 0x10000000, 0x1000, &done), 0);
	assert_int_equal(done, 0);
	assert_true(rule_fired(f.trace, "K-VFIO-MEMLOCK"));
	assert_true(rule_fired(f.trace, "K-VFIO-MAP-DMA"));
	close_set(&f, &s);
	row_fx_free(&f);
}

static void test_dma_cap_ipc_lock(void **state)
{
	/* With CAP_IPC_LOCK (root), the limit does not apply. */
	struct row_fx f = row_fx_load("lab-shared-e1000e-vfio", NULL);
	struct open_set s;

	(void)state;
	assert_int_equal(fks_host_set(f.h, "cap_ipc_lock", "1"), 0);
	assert_int_equal(fks_host_set(f.h, "memlock", "65536"), 0);
	s = open_device(&f, 6, "0000:01:00.0");
	assert_int_equal(map(&f, s.container, 0x100000, 0x400000), 0);
	close_set(&f, &s);
	row_fx_free(&f);
}

/* ---- migration ---- */

static int feature_migration(struct row_fx *f, int dev, uint32_t dir, uint64_t *ret_flags)
{
	uint8_t buf[sizeof(struct vfio_device_feature) +
		    sizeof(struct vfio_device_feature_migration)] = { 0 };
	struct vfio_device_feature *ft = (void *)buf;
	int r;

	ft->argsz = sizeof(buf);
	ft->flags = dir | VFIO_DEVICE_FEATURE_MIGRATION;
	r = pt_backend_dev_ioctl(f->be, dev, VFIO_DEVICE_FEATURE, ft);
	if (ret_flags)
		*ret_flags = ((struct vfio_device_feature_migration *)ft->data)->flags;
	return r;
}

static void test_migration(void **state)
{
	struct row_fx f = row_fx_load("server-mlx5", NULL);
	struct open_set s = open_device(&f, 40, "0000:17:00.2"), p;
	uint64_t flags = 0;
	const char *drv = NULL;

	(void)state;
	assert_int_equal(fks_host_dev_driver(f.h, "0000:17:00.2", &drv), 0);
	assert_string_equal(drv, "mlx5_vfio_pci");
	/* mlx5vf sets STOP_COPY | P2P (PRE_COPY too where the firmware has it). */
	assert_int_equal(feature_migration(&f, s.device,
					   VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET,
					   NULL),
			 0);
	assert_int_equal(feature_migration(&f, s.device, VFIO_DEVICE_FEATURE_GET, &flags), 0);
	assert_int_equal(flags & (VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P),
			 VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P);
	/* MIGRATION is a GET-only feature (vfio_check_feature()): SET is EINVAL. */
	assert_int_equal(feature_migration(&f, s.device, VFIO_DEVICE_FEATURE_SET, NULL), -EINVAL);
	/* Plain vfio-pci has no mig_ops: ENOTTY. */
	p = open_device(&f, 41, "0000:17:00.3");
	assert_int_equal(feature_migration(&f, p.device, VFIO_DEVICE_FEATURE_GET, &flags), -ENOTTY);
	assert_int_equal(feature_migration(&f, p.device,
					   VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET,
					   NULL),
			 -ENOTTY);
	close_set(&f, &p);
	close_set(&f, &s);
	row_fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_container_api),
		cmocka_unit_test(test_set_iommu_no_intremap),
		cmocka_unit_test(test_group_status),
		cmocka_unit_test(test_group_not_viable),
		cmocka_unit_test(test_dev_node_lifetime),
		cmocka_unit_test(test_device_e1000e),
		cmocka_unit_test(test_device_nvme),
		cmocka_unit_test(test_device_vf),
		cmocka_unit_test(test_device_mlx5_vf),
		cmocka_unit_test(test_device_no_reset),
		cmocka_unit_test(test_hot_reset_info),
		cmocka_unit_test(test_dma),
		cmocka_unit_test(test_dma_cap_ipc_lock),
		cmocka_unit_test(test_migration),
	};

	return cmocka_run_group_tests_name("fakesys-vfio", tests, NULL, NULL);
}
