/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vfio-pci's variant drivers and a VF's MSI-X count on the ConnectX server recording. Expected
 * values are the kernel's: pci_match_device() and bind_store() (drivers/pci/pci-driver.c,
 * drivers/base/bus.c), the variants' PCI_DRIVER_OVERRIDE_DEVICE_VFIO tables and probes
 * (drivers/vfio/pci/mlx5/main.c, cmd.c mlx5vf_cmd_set_migratable), vfio_ioctl_device_feature()
 * (drivers/vfio/vfio_main.c: MIGRATION without mig_ops is ENOTTY) and
 * sriov_vf_msix_count_store() (drivers/pci/iov.c).
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

#define DEVS "bus/pci/devices/"
#define MLX5_VFIO "bus/pci/drivers/mlx5_vfio_pci/"
#define FREE_VF "0000:17:00.5" /* a ConnectX VF (15b3:101e) without a driver, PF on mlx5_core */
#define EHCI "0000:00:1a.0" /* an Intel EHCI controller on ehci-pci, not a VF */

static const char *driver_of(struct row_fx *f, const char *bdf)
{
	const char *drv = NULL;

	assert_int_equal(fks_host_dev_driver(f->h, bdf, &drv), 0);
	return drv;
}

/* Open bdf through its group as QEMU does; the device fd, the others in fds[0..2]. */
static int open_device(struct row_fx *f, const char *bdf, int fds[2])
{
	g_autofree char *node = NULL;
	int group = -1, dev;

	assert_int_equal(fks_host_dev_group(f->h, bdf, &group), 0);
	node = g_strdup_printf("vfio/%d", group);
	fds[0] = pt_backend_dev_open(f->be, "vfio/vfio", 2);
	fds[1] = pt_backend_dev_open(f->be, node, 2);
	assert_true(fds[0] >= 0 && fds[1] >= 0);
	assert_int_equal(pt_backend_dev_ioctl(f->be, fds[1], VFIO_GROUP_SET_CONTAINER, &fds[0]), 0);
	assert_int_equal(pt_backend_dev_ioctl(f->be, fds[0], VFIO_SET_IOMMU,
					      (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU),
			 0);
	dev = pt_backend_dev_ioctl(f->be, fds[1], VFIO_GROUP_GET_DEVICE_FD, (void *)bdf);
	assert_true(dev >= 0);
	return dev;
}

static void close_device(struct row_fx *f, int dev, int fds[2])
{
	assert_int_equal(pt_backend_dev_close(f->be, dev), 0);
	assert_int_equal(pt_backend_dev_close(f->be, fds[1]), 0);
	assert_int_equal(pt_backend_dev_close(f->be, fds[0]), 0);
}

static int migration_flags(struct row_fx *f, int dev, uint64_t *ret_flags)
{
	uint8_t buf[sizeof(struct vfio_device_feature) +
		    sizeof(struct vfio_device_feature_migration)] = { 0 };
	struct vfio_device_feature *ft = (void *)buf;
	int r;

	ft->argsz = sizeof(buf);
	ft->flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIGRATION;
	r = pt_backend_dev_ioctl(f->be, dev, VFIO_DEVICE_FEATURE, ft);
	*ret_flags = ((struct vfio_device_feature_migration *)ft->data)->flags;
	return r;
}

/* An override_only id matches only while driver_override names the driver: bind_store() finds
 * no match (ENODEV) for the VF in mlx5_vfio_pci's own table until the override is set. */
static void test_variant_needs_override(void **state)
{
	struct row_fx f = row_fx_load("server-mlx5", NULL);

	(void)state;
	assert_null(driver_of(&f, FREE_VF));
	assert_int_equal(row_fx_write(&f, MLX5_VFIO "bind", FREE_VF), -ENODEV);
	assert_null(driver_of(&f, FREE_VF));
	/* drivers_probe does not pick the variant either (mlx5_core's own id takes the VF). */
	assert_int_equal(row_fx_write(&f, "bus/pci/drivers_probe", FREE_VF), 0);
	assert_string_not_equal(driver_of(&f, FREE_VF), "mlx5_vfio_pci");
	assert_int_equal(row_fx_write(&f, DEVS FREE_VF "/driver/unbind", FREE_VF), 0);
	assert_int_equal(row_fx_write(&f, DEVS FREE_VF "/driver_override", "mlx5_vfio_pci"), 0);
	assert_int_equal(row_fx_write(&f, "bus/pci/drivers_probe", FREE_VF), 0);
	assert_string_equal(driver_of(&f, FREE_VF), "mlx5_vfio_pci");
	row_fx_free(&f);
}

/* A VF recorded on mlx5_vfio_pci (through an override since cleared): once unbound, the
 * variant does not match it again without the override, as its table's id is override_only;
 * a binding seen in a recording teaches the model no id that autoprobes. */
static void test_variant_never_autoprobes(void **state)
{
	struct row_fx f = row_fx_load("server-mlx5", NULL);

	(void)state;
	assert_string_equal(driver_of(&f, "0000:17:00.2"), "mlx5_vfio_pci");
	assert_int_equal(row_fx_write(&f, DEVS "0000:17:00.2/driver_override", ""), 0);
	assert_int_equal(row_fx_write(&f, DEVS "0000:17:00.2/driver/unbind", "0000:17:00.2"), 0);
	assert_int_equal(row_fx_write(&f, MLX5_VFIO "bind", "0000:17:00.2"), -ENODEV);
	assert_int_equal(row_fx_write(&f, "bus/pci/drivers_probe", "0000:17:00.2"), 0);
	assert_string_not_equal(driver_of(&f, "0000:17:00.2"), "mlx5_vfio_pci");
	row_fx_free(&f);
}

/* Migration is the bound device's: mlx5vf_cmd_set_migratable() installs mig_ops only for a VF
 * whose PF is on mlx5_core; the same driver forced onto a device that is not such a VF (the
 * override matches anything: pci_device_id_any) has none, and the feature is ENOTTY. */
static void test_variant_migration_per_device(void **state)
{
	struct row_fx f = row_fx_load("server-mlx5", NULL);
	uint64_t flags = 0;
	int fds[2], dev;

	(void)state;
	assert_int_equal(row_fx_write(&f, DEVS FREE_VF "/driver_override", "mlx5_vfio_pci"), 0);
	assert_int_equal(row_fx_write(&f, "bus/pci/drivers_probe", FREE_VF), 0);
	dev = open_device(&f, FREE_VF, fds);
	assert_int_equal(migration_flags(&f, dev, &flags), 0);
	assert_true(flags & VFIO_MIGRATION_STOP_COPY);
	close_device(&f, dev, fds);

	assert_int_equal(row_fx_write(&f, DEVS EHCI "/driver_override", "mlx5_vfio_pci"), 0);
	assert_int_equal(row_fx_write(&f, DEVS EHCI "/driver/unbind", EHCI), 0);
	assert_int_equal(row_fx_write(&f, "bus/pci/drivers_probe", EHCI), 0);
	assert_string_equal(driver_of(&f, EHCI), "mlx5_vfio_pci");
	dev = open_device(&f, EHCI, fds);
	assert_int_equal(migration_flags(&f, dev, &flags), -ENOTTY);
	close_device(&f, dev, fds);
	row_fx_free(&f);
}

/* sriov_vf_msix_count_store(): kstrtoint, negative EINVAL; the PF driver must have
 * sriov_set_msix_vec_count (mlx5_core has); a VF with a driver is EBUSY. */
static void test_vf_msix_count(void **state)
{
	struct row_fx f = row_fx_load("server-mlx5", NULL);

	(void)state;
	assert_int_equal(row_fx_write(&f, DEVS FREE_VF "/sriov_vf_msix_count", "8"), 0);
	assert_int_equal(row_fx_write(&f, DEVS FREE_VF "/sriov_vf_msix_count", "-1"), -EINVAL);
	assert_int_equal(row_fx_write(&f, DEVS FREE_VF "/sriov_vf_msix_count", "x"), -EINVAL);
	assert_int_equal(row_fx_write(&f, DEVS "0000:17:00.2/sriov_vf_msix_count", "8"), -EBUSY);
	assert_int_equal(row_fx_write(&f, DEVS "0000:17:00.3/sriov_vf_msix_count", "8"), -EBUSY);
	row_fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variant_needs_override),
		cmocka_unit_test(test_variant_never_autoprobes),
		cmocka_unit_test(test_variant_migration_per_device),
		cmocka_unit_test(test_vf_msix_count),
	};

	return cmocka_run_group_tests_name("fakesys-variant", tests, NULL, NULL);
}
