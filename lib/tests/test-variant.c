/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt's variant pick on modules.alias lines as a kernel writes them, and the file read
 * through the sysfs backend's modules namespace.
 *
 * The alias lines: each variant's id table is PCI_DRIVER_OVERRIDE_DEVICE_VFIO(vendor, device)
 * (override_only = PCI_ID_F_VFIO_DRIVER_OVERRIDE), so scripts/mod/file2alias.c do_pci_entry
 * starts the alias with "vfio_pci:" instead of "pci:", writes each field with ADD() -- "v" and
 * "d" as %08X, "sv", "sd" as '*' for PCI_ANY_ID, "bc", "sc", "i" as '*' for a zero class mask
 * -- and add_wildcard() ends it with '*'; depmod prints "alias ALIAS MODNAME", the module's
 * name with '_' for '-'. The tables: drivers/vfio/pci/mlx5/main.c (15b3:101e),
 * hisilicon/hisi_acc_vfio_pci.c (19e5:a256 SEC VF, a259 HPRE VF, a251 ZIP VF),
 * pds/pci_drv.c (1dd8:1003), virtio/main.c (1af4:1041 net, 1042 blk), nvgrace-gpu/main.c
 * (10de:2342, 2345, 2348, 2941), and vfio_pci.c's own PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_ANY_ID,
 * PCI_ANY_ID), which matches every device.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend.h"
#include "tree.h"
#include "variant.h"

static const char vfio_lines[] =
	"alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\n"
	"alias vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i* mlx5_vfio_pci\n"
	"alias vfio_pci:v000019E5d0000A256sv*sd*bc*sc*i* hisi_acc_vfio_pci\n"
	"alias vfio_pci:v000019E5d0000A259sv*sd*bc*sc*i* hisi_acc_vfio_pci\n"
	"alias vfio_pci:v000019E5d0000A251sv*sd*bc*sc*i* hisi_acc_vfio_pci\n"
	"alias vfio_pci:v00001DD8d00001003sv*sd*bc*sc*i* pds_vfio_pci\n"
	"alias vfio_pci:v00001AF4d00001041sv*sd*bc*sc*i* virtio_vfio_pci\n"
	"alias vfio_pci:v00001AF4d00001042sv*sd*bc*sc*i* virtio_vfio_pci\n"
	"alias vfio_pci:v000010DEd00002342sv*sd*bc*sc*i* nvgrace_gpu_vfio_pci\n"
	"alias vfio_pci:v000010DEd00002345sv*sd*bc*sc*i* nvgrace_gpu_vfio_pci\n";

/* Lines of other modules around them, as the file mixes every bus's aliases. */
static const char other_lines[] = "# Aliases extracted from modules themselves.\n"
				  "alias pci:v000015B3d0000101Esv*sd*bc*sc*i* mlx5_core\n"
				  "alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e\n"
				  "alias usb:v1D6Bp0002d*dc*dsc*dp*ic*isc*ip*in* usbcore\n"
				  "alias virtio:d00000001v* virtio_net\n";

static char *pick(const char *modalias, const char *aliases)
{
	char *mod = NULL;
	int r = pt_variant_pick(modalias, aliases, &mod);

	assert_true(r == 0 || r == 1);
	assert_true((r == 1) == (mod != NULL));
	return mod;
}

static void assert_pick(const char *modalias, const char *expected)
{
	char *mod = pick(modalias, vfio_lines);

	if (expected)
		assert_string_equal(mod, expected);
	else
		assert_null(mod);
	free(mod);
}

/* Each variant's device gets its variant; a device no variant lists gets vfio_pci's catch-all,
 * which is plain vfio-pci (0). */
static void test_pick_real_lines(void **state)
{
	(void)state;
	/* A ConnectX VF (subsystem ids and class as its config space has them). */
	assert_pick("pci:v000015B3d0000101Esv000015B3sd00000020bc02sc00i00", "mlx5_vfio_pci");
	/* HiSilicon ZIP and SEC VFs. */
	assert_pick("pci:v000019E5d0000A251sv000019E5sd00000000bc12sc00i00", "hisi_acc_vfio_pci");
	assert_pick("pci:v000019E5d0000A256sv000019E5sd00000000bc10sc00i00", "hisi_acc_vfio_pci");
	/* A Pensando (AMD) DSC Ethernet VF. */
	assert_pick("pci:v00001DD8d00001003sv00001DD8sd00005001bc02sc00i00", "pds_vfio_pci");
	/* Modern virtio-net and virtio-blk; the transitional virtio-net (1000) is not listed. */
	assert_pick("pci:v00001AF4d00001041sv00001AF4sd00001100bc02sc00i00", "virtio_vfio_pci");
	assert_pick("pci:v00001AF4d00001042sv00001AF4sd00001100bc01sc00i00", "virtio_vfio_pci");
	assert_pick("pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00", NULL);
	/* A GH200's GPU. */
	assert_pick("pci:v000010DEd00002342sv000010DEsd000016EBbc03sc02i00",
		    "nvgrace_gpu_vfio_pci");
	/* The ConnectX PF (101d) and an Intel NIC: only vfio_pci's own alias matches. */
	assert_pick("pci:v000015B3d0000101Dsv000015B3sd00000016bc02sc00i00", NULL);
	assert_pick("pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00", NULL);
}

/* Only "alias vfio_pci:" lines are kept, whole and in order; a "pci:" alias of the same ids
 * (mlx5_core's) is the host driver, never a variant. */
static void test_alias_lines(void **state)
{
	char text[4096], *lines;

	(void)state;
	snprintf(text, sizeof(text), "%s%s%s", other_lines, vfio_lines, "alias vfio_pci:");
	lines = pt_variant_alias_lines(text, strlen(text));
	assert_non_null(lines);
	assert_string_equal(lines, vfio_lines);
	free(lines);
	/* Without a final newline; and a file with none at all. */
	lines = pt_variant_alias_lines("alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci", 42);
	assert_string_equal(lines, "alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\n");
	free(lines);
	lines = pt_variant_alias_lines(other_lines, strlen(other_lines));
	assert_string_equal(lines, "");
	assert_null(pick("pci:v000015B3d0000101Esv000015B3sd00000020bc02sc00i00", lines));
	free(lines);
}

/* /lib/modules/RELEASE/modules.alias through the backend, RELEASE from procfs; /lib a
 * relative link to usr/lib as on a merged-/usr system; a file past the first read's 1 MiB. */
static void read_from_tree(unsigned flags)
{
	char *root = tree_new(), *release = NULL, *lines = NULL;
	struct pt_backend *be = NULL;
	size_t pad = 0, n = 0;
	char *big;

	tree_file(root, "sys/bus/pci/drivers_autoprobe", "1\n");
	tree_file(root, "proc/sys/kernel/osrelease", "6.12.12-amd64\n");
	tree_link(root, "lib", "usr/lib");
	big = malloc((2u << 20) + 80 + sizeof(vfio_lines));
	while (pad < (2u << 20)) {
		n = (size_t)snprintf(big + pad, 80,
				     "alias pci:v00008086d%08Xsv*sd*bc*sc*i* e1000e\n",
				     (unsigned)pad);
		pad += n;
	}
	memcpy(big + pad, vfio_lines, sizeof(vfio_lines));
	tree_file(root, "usr/lib/modules/6.12.12-amd64/modules.alias", big);
	free(big);
	assert_int_equal(pt_backend_sysfs_new_flags(root, flags, &be), 0);
	assert_int_equal(pt_variant_read_aliases(be, &release, &lines), 0);
	assert_string_equal(release, "6.12.12-amd64");
	assert_string_equal(lines, vfio_lines);
	free(release);
	free(lines);
	pt_backend_free(be);
	/* Another release's modules only: unknown. */
	tree_file(root, "proc/sys/kernel/osrelease", "6.1.0-28-amd64\n");
	assert_int_equal(pt_backend_sysfs_new_flags(root, flags, &be), 0);
	assert_int_equal(pt_variant_read_aliases(be, NULL, &lines), -ENOENT);
	assert_null(lines);
	pt_backend_free(be);
	tree_remove(root);
}

static void test_read_openat2(void **state)
{
	(void)state;
	read_from_tree(0);
}

static void test_read_walker(void **state)
{
	(void)state;
	read_from_tree(PT_SYSFS_NO_OPENAT2);
}

/* A root without lib/modules (a umockdev testbed), or whose lib leaves the root (an
 * absolute link in a copied tree): the backend still opens, the aliases are unknown. */
static void test_read_missing(void **state)
{
	char *root = tree_new(), *lines = NULL;
	struct pt_backend *be = NULL;

	(void)state;
	tree_file(root, "sys/bus/pci/drivers_autoprobe", "1\n");
	tree_file(root, "proc/sys/kernel/osrelease", "6.1.0-28-amd64\n");
	assert_int_equal(pt_backend_sysfs_new(root, &be), 0);
	assert_int_equal(pt_variant_read_aliases(be, NULL, &lines), -ENOENT);
	pt_backend_free(be);
	tree_link(root, "lib", "/usr/lib");
	assert_int_equal(pt_backend_sysfs_new(root, &be), 0);
	assert_int_equal(pt_variant_read_aliases(be, NULL, &lines), -ENOENT);
	assert_null(lines);
	pt_backend_free(be);
	tree_remove(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick_real_lines), cmocka_unit_test(test_alias_lines),
		cmocka_unit_test(test_read_openat2),	cmocka_unit_test(test_read_walker),
		cmocka_unit_test(test_read_missing),
	};

	return cmocka_run_group_tests_name("variant", tests, NULL, NULL);
}
