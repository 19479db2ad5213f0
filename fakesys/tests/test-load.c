/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading: the recording parser against libumockdev, round trips, scans, broken input. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>
#include <umockdev.h>

#include "host.h"
#include "umockdev-tree.h"
#include "rows.h"

static gint cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **recordings(void)
{
	g_autoptr(GDir) d = g_dir_open(HOSTS_DIR, 0, NULL);
	GPtrArray *a = g_ptr_array_new();
	const char *n;

	while (d && (n = g_dir_read_name(d)))
		if (g_str_has_suffix(n, ".umockdev"))
			g_ptr_array_add(a, g_build_filename(HOSTS_DIR, n, NULL));
	g_ptr_array_sort(a, cmp_str);
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

static struct fks_host *load_file(const char *path)
{
	struct pt_error err = { 0 };
	struct fks_host *h = NULL;

	if (fks_host_new_from_recording(path, NULL, &h, &err) < 0)
		fail_msg("%s: %s", err.path, err.reason);
	return h;
}

/* libumockdev builds a testbed from the recording, one block at a time; fakesys reads the
 * tree back; both models must export the same recording. */
static void test_load_parser_matches_libumockdev(void **state)
{
	g_auto(GStrv) files = recordings();

	(void)state;
	for (guint i = 0; files[i]; i++) {
		g_autoptr(UMockdevTestbed) tb = umockdev_testbed_new();
		g_autofree char *text = NULL, *root = umockdev_testbed_get_root_dir(tb);
		g_autofree char *a = NULL, *b = NULL;
		g_auto(GStrv) blocks = NULL;
		struct fks_host *mine = load_file(files[i]), *viadir = NULL;
		struct pt_error err = { 0 };

		assert_true(g_file_get_contents(files[i], &text, NULL, NULL));
		blocks = g_strsplit(text, "\n\n", -1);
		for (guint j = 0; blocks[j]; j++) {
			g_autoptr(GError) e = NULL;

			if (!g_str_has_prefix(blocks[j], "P: "))
				continue;
			if (!umockdev_testbed_add_from_string(tb, blocks[j], &e))
				fail_msg("%s: libumockdev: %s", files[i], e->message);
		}
		if (fks_host_new_from_dir(root, NULL, &viadir, &err) < 0)
			fail_msg("%s via testbed: %s %s", files[i], err.path, err.reason);
		fks_host_export_recording(mine, &a);
		fks_host_export_recording(viadir, &b);
		if (strcmp(a, b) != 0) {
			g_auto(GStrv) la = g_strsplit(a, "\n", -1), lb = g_strsplit(b, "\n", -1);

			for (guint k = 0; la[k] && lb[k]; k++)
				if (strcmp(la[k], lb[k]) != 0)
					fail_msg("%s: line %u: parser '%.120s', testbed '%.120s'",
						 files[i], k + 1, la[k], lb[k]);
			fail_msg("%s: exports differ in length", files[i]);
		}
		print_message("%s: %d devices, same model both ways\n", files[i],
			      fks_host_dev_count(mine));
		fks_host_free(mine);
		fks_host_free(viadir);
	}
}

/* recording -> model -> recording -> model -> recording: the second export is the first. */
static void test_load_round_trip(void **state)
{
	g_auto(GStrv) files = recordings();

	(void)state;
	for (guint i = 0; files[i]; i++) {
		struct fks_host *h = load_file(files[i]), *h2 = NULL;
		g_autofree char *a = NULL, *b = NULL;
		struct pt_error err = { 0 };

		fks_host_export_recording(h, &a);
		assert_int_equal(fks_host_new_from_text("export", a, strlen(a), NULL, &h2, &err),
				 0);
		fks_host_export_recording(h2, &b);
		assert_string_equal(a, b);
		fks_host_free(h);
		fks_host_free(h2);
	}
}

static void compare_hosts(const char *file, struct pt_host *x, struct pt_host *y)
{
	if (pt_host_dev_count(x) != pt_host_dev_count(y) ||
	    pt_host_group_count(x) != pt_host_group_count(y) ||
	    pt_host_iommu_present(x) != pt_host_iommu_present(y))
		fail_msg("%s: fakesys %zu devices %zu groups iommu %d, sysfs %zu %zu %d", file,
			 pt_host_dev_count(x), pt_host_group_count(x), pt_host_iommu_present(x),
			 pt_host_dev_count(y), pt_host_group_count(y), pt_host_iommu_present(y));
	for (size_t i = 0; i < pt_host_dev_count(x); i++) {
		const struct pt_dev_props *a = pt_dev_props(pt_host_dev(x, i));
		const struct pt_dev_props *b = pt_dev_props(pt_host_dev(y, i));

		assert_string_equal(a->address, b->address);
		if (g_strcmp0(a->driver, b->driver) || g_strcmp0(a->override, b->override) ||
		    a->iommu_group != b->iommu_group || g_strcmp0(a->physfn, b->physfn) ||
		    a->class != b->class || g_strcmp0(a->parent, b->parent))
			fail_msg("%s %s: fakesys %s/%s/%d, sysfs %s/%s/%d", file, a->address,
				 a->driver, a->override, a->iommu_group, b->driver, b->override,
				 b->iommu_group);
		if (pt_dev_reset(pt_host_dev(x, i))->count !=
		    pt_dev_reset(pt_host_dev(y, i))->count)
			fail_msg("%s %s: %zu reset methods on fakesys, %zu on sysfs", file,
				 a->address, pt_dev_reset(pt_host_dev(x, i))->count,
				 pt_dev_reset(pt_host_dev(y, i))->count);
	}
	for (size_t i = 0; i < pt_host_group_count(x); i++) {
		struct pt_group *a = pt_host_group(x, i), *b = pt_host_group(y, i);

		assert_int_equal(pt_group_id(a), pt_group_id(b));
		assert_int_equal(pt_group_viable(a), pt_group_viable(b));
		assert_int_equal(pt_group_member_count(a), pt_group_member_count(b));
		assert_int_equal(pt_group_blocker_count(a), pt_group_blocker_count(b));
	}
}

/* The engine's scanner sees a fake host as it sees the same recording in a real tree. */
static void test_load_scan_matches_sysfs(void **state)
{
	g_auto(GStrv) files = recordings();

	(void)state;
	for (guint i = 0; files[i]; i++) {
		g_autoptr(GError) e = NULL;
		struct umt_testbed *src = umt_testbed_open(files[i], &e);
		struct fks_host *h = load_file(files[i]);
		struct pt_backend *be = fks_host_backend(h);
		struct pt_host *x = NULL, *y = NULL;
		struct pt_error err = { 0 };

		assert_non_null(src);
		if (pt_host_new(be, NULL, &x, &err) < 0)
			fail_msg("%s fakesys scan: %s %s", files[i], err.path, err.reason);
		if (pt_host_new(umt_testbed_backend(src), NULL, &y, &err) < 0)
			fail_msg("%s sysfs scan: %s %s", files[i], err.path, err.reason);
		compare_hosts(files[i], x, y);
		pt_host_free(x);
		pt_host_free(y);
		(void)e;
		pt_backend_free(be);
		fks_host_free(h);
		umt_testbed_free(src);
	}
}

static const struct {
	const char *text, *where, *reason;
} bad[] = {
	{ "A: vendor=0x8086\n", "rec:1", "must start with" },
	{ "P: /sys/bus/pci\nE: SUBSYSTEM=pci\n", "rec:1", "not under /devices/" },
	{ "P: /devices/pci0000:00/0000:00:02.0\nA: vendor=1\n", "rec:1", "SUBSYSTEM" },
	{ "P: /devices/p\nE: SUBSYSTEM=pci\nA: vendor\n", "rec:3", "key=value" },
	{ "P: /devices/p\nE: SUBSYSTEM=pci\nH: config=868\n", "rec:3", "even number" },
	{ "P: /devices/p\nE: SUBSYSTEM=pci\nQ: what\n", "rec:3", "unknown line type" },
	{ "P: /devices/p\nE: SUBSYSTEM=pci\nL: driver=a\nL: driver=b\n", "rec:4", "twice" },
	{ "P: /devices/p\nE: SUBSYSTEM=pci\nE: SUBSYSTEM=net\n", "rec:3", "duplicate" },
	{ "P: /devices/p\nE: SUBSYSTEM=pci\nP: /devices/r\n", "rec:3", "P: line inside" },
	{ "\n\n", "rec", "no device blocks" },
	{ "P: /devices/p\nE:SUBSYSTEM=pci\n", "rec:2", "expected \"T: value\"" },
	{ "P: /devices/pci0000:00/0000:zz:02.0\nE: SUBSYSTEM=pci\nH: config=86802020\n", "rec:1",
	  "does not end in an address" },
	{ "P: /devices/pci0000:00/0000:00:02.0\nE: SUBSYSTEM=pci\nH: config=86802020\n", "rec:1",
	  "shorter than 64" },
};

static void test_load_errors_name_line(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct pt_error err = { 0 };
		struct fks_host *h = NULL;

		assert_true(fks_host_new_from_text("rec", bad[i].text, strlen(bad[i].text), NULL,
						   &h, &err) < 0);
		assert_null(h);
		assert_string_equal(err.path, bad[i].where);
		if (!strstr(err.reason, bad[i].reason))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.reason, bad[i].reason);
	}
	{
		/* A device whose config space was not captured stays (its ids from sysfs). */
		static const char nocfg[] = "P: /devices/pci0000:00/0000:00:02.0\n"
					    "E: SUBSYSTEM=pci\nA: vendor=0x8086\n\n";
		struct fks_host *h = NULL;

		assert_int_equal(
			fks_host_new_from_text("rec", nocfg, strlen(nocfg), NULL, &h, NULL), 0);
		assert_int_equal(fks_host_dev_count(h), 1);
		fks_host_free(h);
	}
}

/* Broken but loadable: dangling links, a truncated (short) config, unknown groups. */
static void test_load_broken_input_served(void **state)
{
	const char *text = "P: /devices/pci0000:00/0000:00:02.0\nE: SUBSYSTEM=pci\n"
			   "H: config=868020200700100001000006000000000000000000000000000000000000"
			   "00000000000000000000000000000000000000000000000000000000000000000000\n"
			   "L: driver=../../../bus/pci/drivers/nosuch\n"
			   "L: iommu_group=../../../kernel/iommu_groups/x\n"
			   "L: firmware_node=../../nowhere\n\n";
	struct pt_error err = { 0 };
	struct fks_host *h = NULL;
	struct pt_backend *be;
	char buf[256];

	(void)state;
	assert_int_equal(fks_host_new_from_text("rec", text, strlen(text), NULL, &h, &err), 0);
	be = fks_host_backend(h);
	assert_int_equal(pt_backend_readlink(be, PT_NS_SYS,
					     "bus/pci/devices/0000:00:02.0/firmware_node", buf,
					     sizeof(buf)),
			 -ENOLINK);
	assert_int_equal(pt_backend_read_line(be, PT_NS_SYS,
					      "bus/pci/devices/0000:00:02.0/driver/../nosuch/"
					      "0000:00:02.0/vendor",
					      buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "0x8086");
	assert_int_equal(pt_backend_exists(be, PT_NS_SYS, "kernel/iommu_groups"), 0);
	assert_int_equal(pt_backend_read_line(be, PT_NS_SYS, "nowhere", buf, sizeof(buf)), -ENOENT);
	pt_backend_free(be);
	fks_host_free(h);
}

/* Block lines: a path names the P: line of the deepest block it lies in (a child block, its
 * device's block), as its own directory or a file below it. */
static void test_load_block_lines(void **state)
{
	static const char text[] = "P: /devices/pci0000:00/0000:00:02.0\n"
				   "E: SUBSYSTEM=pci\n"
				   "A: vendor=0x8086\n\n"
				   "P: /devices/pci0000:00/0000:00:02.0/net/eth0\n"
				   "E: SUBSYSTEM=net\n"
				   "A: address=00:11:22:33:44:55\n\n";
	struct pt_error err = { 0 };
	struct fks_host *h = NULL;

	(void)state;
	assert_int_equal(fks_host_new_from_text("rec", text, strlen(text), NULL, &h, &err), 0);
	assert_int_equal(fks_host_block_line(h, "devices/pci0000:00/0000:00:02.0"), 1);
	assert_int_equal(fks_host_block_line(h, "devices/pci0000:00/0000:00:02.0/vendor"), 1);
	assert_int_equal(fks_host_block_line(h, "devices/pci0000:00/0000:00:02.0/net/eth0/"), 5);
	assert_int_equal(fks_host_block_line(h, "devices/pci0000:00/0000:00:02.0/net/eth0/x/y"), 5);
	assert_int_equal(fks_host_block_line(h, "devices/pci0000:00/0000:00:02.00"), 0);
	assert_int_equal(fks_host_block_line(h, "devices/pci0000:00"), 0);
	assert_int_equal(fks_host_block_line(h, ""), 0);
	fks_host_free(h);
}

/* A recording loaded from its mapping, pages given back while parsing (past 8 MiB), is the
 * host loaded from the same text in memory. */
static void test_load_mapped_same_as_text(void **state)
{
	g_autoptr(GString) rec = g_string_new(NULL);
	g_autofree char *path = NULL, *a = NULL, *b = NULL;
	struct pt_error err = { 0 };
	struct fks_host *mapped = NULL, *copied = NULL;
	int fd;

	(void)state;
	/* 12 MiB: about 1,500 functions with 4 KiB of config space, subsystem ids telling
	 * them apart. */
	for (unsigned i = 0; rec->len < ((size_t)12 << 20); i++) {
		g_string_append_printf(rec,
				       "P: /devices/pci0000:00/0000:%02x:%02x.%u\n"
				       "E: SUBSYSTEM=pci\nA: vendor=0x8086\nH: config=86801010",
				       i / 256 + 1, (i / 8) % 32, i % 8);
		/* Config bytes 4 to 0x2b zero, 0x2c-0x2d the subsystem vendor, the rest zero. */
		g_string_append_printf(rec, "%080d%02X%02X%08100d", 0, i & 0xff, i >> 8, 0);
		g_string_append(rec, "\n\n");
	}
	fd = g_file_open_tmp("test-load-XXXXXX.umockdev", &path, NULL);
	assert_true(fd >= 0);
	close(fd);
	assert_true(g_file_set_contents(path, rec->str, (gssize)rec->len, NULL));
	if (fks_host_new_from_recording(path, NULL, &mapped, &err) < 0)
		fail_msg("mapped: %s %s", err.path, err.reason);
	if (fks_host_new_from_text(path, rec->str, rec->len, NULL, &copied, &err) < 0)
		fail_msg("text: %s %s", err.path, err.reason);
	fks_host_export_recording(mapped, &a);
	fks_host_export_recording(copied, &b);
	assert_true(strcmp(a, b) == 0);
	assert_int_equal(fks_host_block_line(mapped, "devices/pci0000:00/0000:01:00.0/vendor"), 1);
	unlink(path);
	fks_host_free(mapped);
	fks_host_free(copied);
}

/* A copy is independent: a write to one leaves the other as it was. */
static void test_load_copy_independent(void **state)
{
	struct fks_host *h = row_load("lab-shared-initial", NULL), *c = NULL;
	struct pt_backend *be;
	const char *drv;

	(void)state;
	assert_int_equal(fks_host_copy(h, &c), 0);
	be = fks_host_backend(c);
	assert_int_equal(pt_backend_write(be, PT_NS_SYS, "bus/pci/drivers/e1000e/unbind",
					  "0000:01:00.1", 12),
			 0);
	assert_int_equal(fks_host_dev_driver(c, "0000:01:00.1", &drv), 0);
	assert_null(drv);
	assert_int_equal(fks_host_dev_driver(h, "0000:01:00.1", &drv), 0);
	assert_string_equal(drv, "e1000e");
	pt_backend_free(be);
	fks_host_free(c);
	fks_host_free(h);
}

/* A removed device keeps its IOMMU group across a copy: rescan on the copy puts it back in the
 * group it had (the kernel re-adds a device to the group its topology gives, which has not
 * changed), not in group 0. */
static void test_load_copy_keeps_removed_group(void **state)
{
	struct fks_host *h = row_load("lab-shared-initial", NULL), *c = NULL;
	struct pt_backend *be;
	int before, after;

	(void)state;
	assert_int_equal(fks_host_dev_group(h, "0000:02:00.0", &before), 0);
	assert_int_not_equal(before, 0);
	assert_int_equal(fks_host_remove_device(h, "0000:02:00.0"), 0);
	assert_int_equal(fks_host_copy(h, &c), 0);
	be = fks_host_backend(c);
	assert_int_equal(pt_backend_write(be, PT_NS_SYS, "bus/pci/rescan", "1", 1), 0);
	assert_int_equal(fks_host_dev_group(c, "0000:02:00.0", &after), 0);
	assert_int_equal(after, before);
	pt_backend_free(be);
	fks_host_free(c);
	fks_host_free(h);
}

static bool write_in(const char *dir, const char *name, const char *text)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);

	return g_file_set_contents(path, text, -1, NULL);
}

/* A copy has the loader's findings as its own: each host frees its list (they were shared,
 * and freeing both hosts freed one list twice). The finding: an attribute larger than the
 * kernel ever shows one, in a captured tree. */
static void test_load_copy_keeps_notes(void **state)
{
	g_autofree char *root = g_dir_make_tmp("pth-notes-XXXXXX", NULL);
	g_autofree char *dev = g_build_filename(root, "sys/devices/pci0000:00/0000:00:02.0", NULL);
	g_autofree char *big = g_malloc0(16384);
	struct fks_host *h = NULL, *c = NULL;
	struct pt_error err = { 0 };
	size_t n;

	(void)state;
	assert_int_equal(g_mkdir_with_parents(dev, 0755), 0);
	memset(big, 'x', 16383);
	assert_true(write_in(dev, "uevent", "PCI_SLOT_NAME=0000:00:02.0\n"));
	assert_true(write_in(dev, "vendor", "0x8086\n"));
	assert_true(write_in(dev, "device", "0x1234\n"));
	assert_true(write_in(dev, "class", "0x020000\n"));
	assert_true(write_in(dev, "huge", big));
	assert_int_equal(fks_host_new_from_dir(root, NULL, &h, &err), 0);
	n = fks_host_note_count(h);
	assert_true(n > 0);
	assert_int_equal(fks_host_copy(h, &c), 0);
	fks_host_free(h);
	assert_int_equal(fks_host_note_count(c), n);
	for (size_t i = 0; i < n; i++)
		assert_non_null(fks_host_note(c, i)->message);
	fks_host_free(c);
	umt_remove_tree(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_parser_matches_libumockdev),
		cmocka_unit_test(test_load_round_trip),
		cmocka_unit_test(test_load_scan_matches_sysfs),
		cmocka_unit_test(test_load_errors_name_line),
		cmocka_unit_test(test_load_broken_input_served),
		cmocka_unit_test(test_load_block_lines),
		cmocka_unit_test(test_load_mapped_same_as_text),
		cmocka_unit_test(test_load_copy_independent),
		cmocka_unit_test(test_load_copy_keeps_removed_group),
		cmocka_unit_test(test_load_copy_keeps_notes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
