/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Importing pasted text: cleaning, merging files, conflicts, unknowns, and never crashing. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "fakesys.h"
#include "import.h"

static struct fks_import *import_texts(const char *const *names, const char *const *texts, size_t n)
{
	struct fks_import *imp;

	assert_int_equal(fks_import_new(&imp), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(fks_import_add_text(imp, names[i], texts[i], strlen(texts[i])), 0);
	return imp;
}

static struct fks_import *import_one(const char *text)
{
	const char *name = "paste";

	return import_texts(&name, &text, 1);
}

static int group_of(const struct fks_import *imp, const char *addr)
{
	int g = -2;

	assert_int_equal(fks_import_dev_group(imp, addr, &g), 0);
	return g;
}

static const char *driver_of(const struct fks_import *imp, const char *addr)
{
	const char *d = "(unset)";

	assert_int_equal(fks_import_dev_driver(imp, addr, &d), 0);
	return d;
}

static bool has_message(const struct fks_import *imp, const char *needle)
{
	for (unsigned i = 0; i < fks_import_n_messages(imp); i++)
		if (strstr(fks_import_message(imp, i), needle))
			return true;
	return false;
}

/* CRLF, a markdown fence, a prompt and a tab-indented listing: the same host as clean text. */
static void test_import_messy_paste(void **state)
{
	struct fks_import *imp = import_one(
		"user@pve:~$ ./iommu.sh\r\n```\r\nIOMMU Group 13:\r\n"
		"\t05:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [10de:1b80] "
		"(rev a1)\r\n\t05:00.1 Audio device [0403]: NVIDIA Corporation GP104 [10de:10f0] "
		"(rev a1)\r\n```\r\n");

	assert_int_equal(fks_import_dev_count(imp), 2);
	assert_int_equal(group_of(imp, "0000:05:00.0"), 13);
	assert_int_equal(group_of(imp, "05:00.1"), 13);
	assert_int_equal(fks_import_n_messages(imp), 0);
	fks_import_free(imp);
}

/* Each line no parser used is reported once, with its number. */
static void test_import_unused_lines_numbered(void **state)
{
	struct fks_import *imp =
		import_one("hello there\n"
			   "IOMMU Group 1 00:01.0 PCI bridge [0604]: Intel [8086:1901]\n"
			   "this line means nothing\n");

	assert_int_equal(fks_import_n_messages(imp), 2);
	assert_non_null(strstr(fks_import_message(imp, 0), "paste:1: not used: hello there"));
	assert_non_null(strstr(fks_import_message(imp, 1), "paste:3: not used:"));
	fks_import_free(imp);
}

/* Two files that put one device in two groups: a conflict naming both places; unknown. */
static void test_import_conflict_between_files(void **state)
{
	const char *names[] = { "a.txt", "b.txt" };
	const char *texts[] = {
		"[    0.5] pci 0000:01:00.0: Adding to iommu group 1\n",
		"IOMMU Group 2:\n\t01:00.0 VGA compatible controller [0300]: X [10de:2184]\n",
	};
	struct fks_import *imp = import_texts(names, texts, 2);

	assert_int_equal(group_of(imp, "01:00.0"), -1);
	assert_true(has_message(imp, "b.txt:2: conflict: 0000:01:00.0 is in IOMMU group 2 here "
				     "and in group 1 at a.txt:1"));
	fks_import_free(imp);
}

/* Files that agree merge: dmesg gives the group, lspci -nnk the driver. */
static void test_import_merge_files(void **state)
{
	const char *names[] = { "dmesg.txt", "lspci.txt" };
	const char *texts[] = {
		"[    0.5] pci 0000:01:00.0: Adding to iommu group 7\n",
		"01:00.0 VGA compatible controller [0300]: X [10de:2184] (rev a1)\n"
		"\tKernel driver in use: vfio-pci\n\tKernel modules: nouveau\n",
	};
	struct fks_import *imp = import_texts(names, texts, 2);
	char *rec = NULL;

	assert_int_equal(group_of(imp, "01:00.0"), 7);
	assert_string_equal(driver_of(imp, "01:00.0"), "vfio-pci");
	assert_int_equal(fks_import_recording(imp, &rec), 0);
	assert_non_null(strstr(rec, "L: driver=../../../bus/pci/drivers/vfio-pci\n"));
	assert_non_null(strstr(rec, "A: sys/kernel/iommu_groups/7/devices=0000:01:00.0\n"));
	assert_null(strstr(rec, "H: config=")); /* none is invented */
	g_free(rec);
	fks_import_free(imp);
}

/* FLReset+ in lspci -vv without a hex dump: "flr" is one reset method, and only then. */
static void test_import_flr_without_config(void **state)
{
	struct fks_import *imp = import_one(
		"01:00.0 Ethernet controller: Intel Corporation I350 (rev 01)\n"
		"\tCapabilities: [a0] Express (v2) Endpoint, MSI 00\n"
		"\t\tDevCap:\tMaxPayload 512 bytes, PhantFunc 0, Latency L0s <512ns, L1 <64us\n"
		"\t\t\tExtTag- AttnBtn- AttnInd- PwrInd- RBE+ FLReset+ SlotPowerLimit 0W\n"
		"02:00.0 Ethernet controller: Intel Corporation I350 (rev 01)\n"
		"\t\tDevCap:\tMaxPayload 512 bytes, PhantFunc 0\n"
		"\t\t\tExtTag- AttnBtn- AttnInd- PwrInd- RBE+ FLReset- SlotPowerLimit 0W\n");
	char *rec = NULL;
	const char *second;

	assert_int_equal(fks_import_recording(imp, &rec), 0);
	second = strstr(rec, "P: /devices/pci0000:02/0000:02:00.0");
	assert_non_null(second);
	assert_non_null(strstr(rec, "A: reset_method=flr\\n"));
	assert_true(strstr(rec, "A: reset_method=flr\\n") < second);
	assert_null(strstr(second, "reset_method"));
	g_free(rec);
	fks_import_free(imp);
}

/* A diff's '+', a quote's '>' and HTML tags come off; 32-bit domains stay. */
static void test_import_prefixes_and_domains(void **state)
{
	struct fks_import *imp =
		import_one("@@ -1,3 +1,3 @@\n"
			   "+IOMMU Group 4:\n"
			   "+\t10000:e1:00.0 Non-Volatile memory controller [0108]: X "
			   "[8086:0a54]\n"
			   "> <pre>00:1f.3 Audio device [0403]: Intel [8086:a348]</pre>\n");

	assert_int_equal(group_of(imp, "10000:e1:00.0"), 4);
	assert_int_equal(group_of(imp, "00:1f.3"), -1);
	fks_import_free(imp);
}

/* A hex row out of order keeps only what came before it; a cut row keeps whole rows. */
static void test_import_hex_cut(void **state)
{
	g_autoptr(GString) s = g_string_new("00:02.0 VGA compatible controller: Intel (rev 06)\n");
	struct fks_import *imp;
	size_t len = 1;

	for (unsigned off = 0; off < 0x40; off += 16)
		g_string_append_printf(s, "%02x: 86 80 12 19 07 04 10 00 06 00 00 03 00 00 00 00\n",
				       off);
	g_string_append(s, "50: 00 00\n");
	imp = import_one(s->str);
	assert_int_equal(fks_import_dev_config_len(imp, "00:02.0", &len), 0);
	assert_int_equal(len, 64);
	assert_true(has_message(imp, "config row 050 does not follow row 030"));
	fks_import_free(imp);
}

/* Random bytes, NULs and huge lines: no crash, no device. */
static void test_import_garbage(void **state)
{
	GRand *rand = g_rand_new_with_seed(14);
	char buf[4096];

	for (int round = 0; round < 200; round++) {
		struct fks_import *imp;

		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (char)g_rand_int_range(rand, 0, 256);
		assert_int_equal(fks_import_new(&imp), 0);
		assert_int_equal(fks_import_add_text(imp, "noise", buf, sizeof(buf)), 0);
		fks_import_free(imp);
	}
	g_rand_free(rand);
}

/* A recording is not a paste; a paste is. */
static void test_import_is_paste(void **state)
{
	static const char rec[] = "P: /devices/pci0000:00/0000:00:00.0\nE: SUBSYSTEM=pci\n";
	static const char paste[] = "IOMMU Group 0:\n\t00:00.0 Host bridge [0600]: X [8086:1234]\n";

	assert_false(fks_import_is_paste(rec, strlen(rec)));
	assert_true(fks_import_is_paste(paste, strlen(paste)));
	assert_false(fks_import_is_paste("", 0));
}

/* The imported recording of a hex dump loads into the model with its config space. */
static void test_import_hex_loads(void **state)
{
	g_autoptr(GString) s = g_string_new("00:1f.6 Ethernet controller: Intel (rev 10)\n");
	struct fks_host *host = NULL;
	struct pt_error err = { 0 };
	struct fks_import *imp;
	const char *drv = NULL;
	char *rec = NULL;

	g_string_append(s, "\tKernel driver in use: e1000e\n");
	g_string_append(s, "00: 86 80 bb 15 06 04 10 00 10 00 00 02 00 00 00 00\n");
	for (unsigned off = 0x10; off < 0x100; off += 16)
		g_string_append_printf(s, "%02x: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n",
				       off);
	imp = import_one(s->str);
	assert_int_equal(fks_import_recording(imp, &rec), 0);
	assert_int_equal(fks_host_new_from_text("rec", rec, strlen(rec), NULL, &host, &err), 0);
	assert_int_equal(fks_host_dev_count(host), 1);
	assert_int_equal(fks_host_dev_driver(host, "0000:00:1f.6", &drv), 0);
	assert_string_equal(drv, "e1000e");
	fks_host_free(host);
	g_free(rec);
	fks_import_free(imp);
}

/* pcie_acs_override= on the command line is noticed, from /proc/cmdline or the log. */
static void test_import_acs_override(void **state)
{
	struct fks_import *imp = import_one("BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro amd_iommu=on "
					    "pcie_acs_override=downstream,multifunction\n");
	struct fks_import *plain =
		import_one("BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro amd_iommu=on\n");

	assert_true(fks_import_acs_override(imp));
	assert_false(fks_import_acs_override(plain));
	fks_import_free(imp);
	fks_import_free(plain);
}

/* lspci -t: each device under the bridge whose bus range the tree draws it in. */
static void test_import_tree(void **state)
{
	struct fks_import *imp = import_one("$ lspci -t\n"
					    "-[0000:00]-+-00.0\n"
					    "           +-01.0-[01]--+-00.0\n"
					    "           |            \\-00.1\n"
					    "           +-1c.0-[02-03]----00.0-[03]----00.0\n"
					    "           \\-1f.3\n");
	char *rec = NULL;

	assert_int_equal(fks_import_dev_count(imp), 8);
	assert_int_equal(fks_import_recording(imp, &rec), 0);
	assert_non_null(strstr(rec, "P: /devices/pci0000:00/0000:00:01.0/0000:01:00.1\n"));
	assert_non_null(
		strstr(rec, "P: /devices/pci0000:00/0000:00:1c.0/0000:02:00.0/0000:03:00.0\n"));
	assert_non_null(strstr(rec, "P: /devices/pci0000:00/0000:00:1f.3\n"));
	assert_int_equal(fks_import_n_messages(imp), 0);
	g_free(rec);
	fks_import_free(imp);
}

/* The names fuzz targets use are the table's, each one selectable. */
static void test_import_parser_names(void **state)
{
	struct fks_import *imp;
	unsigned n = 0;

	assert_int_equal(fks_import_new(&imp), 0);
	for (; fks_import_parser_name(n); n++)
		assert_int_equal(fks_import_only(imp, fks_import_parser_name(n)), 0);
	assert_int_equal(n, 10);
	assert_int_equal(fks_import_only(imp, "no such parser"), -ENOENT);
	/* Only the kernel log parser: a group listing is not used. */
	assert_int_equal(fks_import_only(imp, "kernel log"), 0);
	assert_int_equal(
		fks_import_add_text(imp, "x", "IOMMU Group 1 00:01.0 PCI bridge [0604]: X\n", 43),
		0);
	assert_int_equal(fks_import_dev_count(imp), 0);
	fks_import_free(imp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import_messy_paste),
		cmocka_unit_test(test_import_unused_lines_numbered),
		cmocka_unit_test(test_import_conflict_between_files),
		cmocka_unit_test(test_import_merge_files),
		cmocka_unit_test(test_import_flr_without_config),
		cmocka_unit_test(test_import_prefixes_and_domains),
		cmocka_unit_test(test_import_hex_cut),
		cmocka_unit_test(test_import_garbage),
		cmocka_unit_test(test_import_is_paste),
		cmocka_unit_test(test_import_hex_loads),
		cmocka_unit_test(test_import_tree),
		cmocka_unit_test(test_import_acs_override),
		cmocka_unit_test(test_import_parser_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
