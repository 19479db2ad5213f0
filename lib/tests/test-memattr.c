/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Coherency (IOMMU snoop control) and write-combining per BAR, from small sysfs trees. */

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend.h"
#include "host.h"
#include "memattr.h"
#include "tree.h"

#define DEV "0000:01:00.0"
#define DIR "sys/devices/pci0000:00/0000:00:1c.0/" DEV

/* QEMU 7.2's intel-iommu ecap without and with snoop-control=on (lab recordings, bit 7). */
#define ECAP_NO_SC "f00f4a\n"
#define ECAP_SC "f00fca\n"

/* The kernel's resource lines: BAR0 64-bit prefetchable, BAR2 32-bit memory, BAR4 I/O. */
static const char resource[] = "0x00000000c0000000 0x00000000cfffffff 0x000000000014220c\n"
			       "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
			       "0x00000000fe200000 0x00000000fe23ffff 0x0000000000040200\n"
			       "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
			       "0x000000000000e000 0x000000000000e01f 0x0000000000040101\n"
			       "0x0000000000000000 0x0000000000000000 0x0000000000000000\n";

/* One e1000e port (a real config dump) in group 5 behind a root port; unit: its iommu link. */
static char *host_tree(const char *unit, bool resource_files, bool wc_file)
{
	char *root = tree_new(), path[512], *b;
	size_t n;

	tree_file(root, "proc/sys/kernel/osrelease", "6.1.0-28-amd64\n");
	snprintf(path, sizeof(path), "%s/libvirt-config-dumps/0001-01-00.0.config", FIXTURES_DIR);
	b = tree_slurp(path, &n);
	tree_file_bytes(root, DIR "/config", b, n);
	free(b);
	tree_file(root, DIR "/resource", resource);
	tree_link(root, "sys/bus/pci/devices/" DEV,
		  "../../../devices/pci0000:00/0000:00:1c.0/" DEV);
	tree_link(root, DIR "/iommu_group", "../../../../kernel/iommu_groups/5");
	tree_link(root, "sys/kernel/iommu_groups/5/devices/" DEV,
		  "../../../../devices/pci0000:00/0000:00:1c.0/" DEV);
	if (unit) {
		snprintf(path, sizeof(path), "../../../virtual/iommu/%s", unit);
		tree_link(root, DIR "/iommu", path);
	}
	if (resource_files)
		tree_file(root, DIR "/resource0", "");
	if (wc_file)
		tree_file(root, DIR "/resource0_wc", "");
	return root;
}

/* An IOMMU unit: its device directory and the class link to it. */
static void add_unit(const char *root, const char *name, const char *dir, const char *cap,
		     const char *ecap)
{
	char path[512], target[512];

	snprintf(path, sizeof(path), "sys/devices/virtual/iommu/%s/%s/cap", name, dir);
	tree_file(root, path, cap);
	snprintf(path, sizeof(path), "sys/devices/virtual/iommu/%s/%s/%s", name, dir,
		 strcmp(dir, "amd-iommu") ? "ecap" : "features");
	tree_file(root, path, ecap);
	snprintf(path, sizeof(path), "sys/class/iommu/%s", name);
	snprintf(target, sizeof(target), "../../devices/virtual/iommu/%s", name);
	tree_link(root, path, target);
}

static void memattr_of(const char *root, struct pt_memattr *ret)
{
	struct pt_backend *be = NULL;
	struct pt_host *host = NULL;
	struct pt_error err = { 0 };

	assert_int_equal(pt_backend_sysfs_new(root, &be), 0);
	assert_int_equal(pt_host_new(be, NULL, &host, &err), 0);
	assert_int_equal(pt_dev_memattr(pt_host_find_dev(host, DEV), ret), 0);
	/* The unit points into the host: keep what the test reads, then free. */
	if (ret->unit)
		ret->unit = NULL;
	pt_host_free(host);
	pt_backend_free(be);
}

static void test_memattr_intel_snoop_control(void **state)
{
	char *root = host_tree("dmar0", true, true);
	struct pt_memattr m;

	(void)state;
	add_unit(root, "dmar0", "intel-iommu", "d2008c22260206\n", ECAP_SC);
	memattr_of(root, &m);
	assert_int_equal(m.coherent, PT_TRI_YES);
	assert_string_equal(m.rule, "K-IOMMU-SNOOP-CONTROL");
	/* A PCIe endpoint with its whole config space: the No Snoop enable is known. */
	assert_int_not_equal(m.no_snoop, PT_TRI_UNKNOWN);
	tree_remove(root);
}

static void test_memattr_intel_no_snoop_control(void **state)
{
	char *root = host_tree("dmar0", true, true);
	struct pt_memattr m;

	(void)state;
	add_unit(root, "dmar0", "intel-iommu", "d2008c22260206\n", ECAP_NO_SC);
	memattr_of(root, &m);
	assert_int_equal(m.coherent, PT_TRI_NO);
	assert_non_null(strstr(m.reason, "Snoop Control clear"));
	tree_remove(root);
}

static void test_memattr_amd_coherent(void **state)
{
	char *root = host_tree(NULL, true, true);
	struct pt_memattr m;

	(void)state;
	add_unit(root, "ivhd0", "amd-iommu", "190b0000\n", "8c01f2bfff\n");
	memattr_of(root, &m);
	/* No iommu link, but the only unit answers. */
	assert_int_equal(m.coherent, PT_TRI_YES);
	assert_string_equal(m.rule, "K-IOMMU-AMD-COHERENT");
	tree_remove(root);
}

static void test_memattr_units_disagree(void **state)
{
	char *root = host_tree(NULL, true, true);
	struct pt_memattr m;

	(void)state;
	add_unit(root, "dmar0", "intel-iommu", "d2008c22260206\n", ECAP_SC);
	add_unit(root, "dmar1", "intel-iommu", "d2008c22260206\n", ECAP_NO_SC);
	memattr_of(root, &m);
	assert_int_equal(m.coherent, PT_TRI_UNKNOWN);
	assert_non_null(strstr(m.reason, "do not all agree"));
	tree_remove(root);
}

static void test_memattr_no_unit_shown(void **state)
{
	char *root = host_tree(NULL, true, true);
	struct pt_memattr m;

	(void)state;
	memattr_of(root, &m);
	assert_int_equal(m.coherent, PT_TRI_UNKNOWN);
	assert_non_null(strstr(m.reason, "no IOMMU unit"));
	tree_remove(root);
}

static void test_memattr_bars_wc(void **state)
{
	char *root = host_tree("dmar0", true, true);
	struct pt_memattr m;

	(void)state;
	add_unit(root, "dmar0", "intel-iommu", "d2008c22260206\n", ECAP_SC);
	memattr_of(root, &m);
	assert_null(m.bars_unknown);
	assert_int_equal(m.bar_count, 3);
	assert_int_equal(m.bars[0].index, 0);
	assert_true(m.bars[0].prefetchable && m.bars[0].mem64 && !m.bars[0].io);
	assert_int_equal(m.bars[0].size, 0x10000000);
	assert_int_equal(m.bars[0].sysfs_wc, PT_TRI_YES);
	assert_int_equal(m.bars[0].vfio_wc, PT_TRI_NO);
	assert_int_equal(m.bars[1].index, 2);
	assert_false(m.bars[1].prefetchable);
	assert_int_equal(m.bars[1].sysfs_wc, PT_TRI_NO);
	assert_int_equal(m.bars[2].index, 4);
	assert_true(m.bars[2].io);
	assert_int_equal(m.bars[2].sysfs_wc, PT_TRI_NO);
	tree_remove(root);
}

static void test_memattr_wc_file_absent(void **state)
{
	char *root = host_tree("dmar0", true, false);
	struct pt_memattr m;

	(void)state;
	memattr_of(root, &m);
	/* resource0 shown without resource0_wc: the architecture cannot map WC (no PAT). */
	assert_int_equal(m.bars[0].sysfs_wc, PT_TRI_NO);
	tree_remove(root);
}

static void test_memattr_wc_unknown_without_resource_files(void **state)
{
	char *root = host_tree("dmar0", false, false);
	struct pt_memattr m;

	(void)state;
	memattr_of(root, &m);
	assert_int_equal(m.bars[0].sysfs_wc, PT_TRI_UNKNOWN);
	assert_non_null(m.bars[0].sysfs_wc_unknown);
	/* A non-prefetchable BAR never gets a WC file, whatever the capture shows. */
	assert_int_equal(m.bars[1].sysfs_wc, PT_TRI_NO);
	tree_remove(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memattr_intel_snoop_control),
		cmocka_unit_test(test_memattr_intel_no_snoop_control),
		cmocka_unit_test(test_memattr_amd_coherent),
		cmocka_unit_test(test_memattr_units_disagree),
		cmocka_unit_test(test_memattr_no_unit_shown),
		cmocka_unit_test(test_memattr_bars_wc),
		cmocka_unit_test(test_memattr_wc_file_absent),
		cmocka_unit_test(test_memattr_wc_unknown_without_resource_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
