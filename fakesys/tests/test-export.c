/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Export: recordings written after detach/attach load through the harness and libumockdev. */

/*
 * Every lab recording, every endpoint with a host driver: detach it to vfio-pci the way the
 * engine does (driver_override, unbind, drivers_probe), export, load the export as the
 * harness loads a recording (its syntax check, then libumockdev block by block), and compare
 * the harness's scan of that testbed with fakesys's own; then the same after giving the
 * device back. Also: a device's driver still matches it after an export and a reload.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "engine.h"
#include "host.h"
#include "umockdev-tree.h"
#include "rows.h"

static gint cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **lab_recordings(void)
{
	g_autoptr(GDir) d = g_dir_open(HOSTS_DIR, 0, NULL);
	GPtrArray *a = g_ptr_array_new();
	const char *n;

	while (d && (n = g_dir_read_name(d)))
		if (g_str_has_prefix(n, "lab-") && g_str_has_suffix(n, ".umockdev"))
			g_ptr_array_add(a, g_strndup(n, strlen(n) - strlen(".umockdev")));
	g_ptr_array_sort(a, cmp_str);
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

static int write_str(struct pt_backend *be, const char *path, const char *value)
{
	return pt_backend_write(be, PT_NS_SYS, path, value, strlen(value));
}

/* Drivers and groups as the engine's scan sees them, one line per device. */
static char *scan_summary(struct pt_backend *be, const char *what)
{
	GString *s = g_string_new(NULL);
	struct pt_error err = { 0 };
	struct pt_host *h = NULL;

	if (pt_host_new(be, NULL, &h, &err) < 0)
		fail_msg("%s: scan: %s %s", what, err.path, err.reason);
	for (size_t i = 0; i < pt_host_dev_count(h); i++) {
		const struct pt_dev_props *p = pt_dev_props(pt_host_dev(h, i));

		g_string_append_printf(s, "%s %s %s %d", p->address, p->driver ? p->driver : "-",
				       p->override ? p->override : "-", p->iommu_group);
		for (char **n = p->netdevs; n && *n; n++)
			g_string_append_printf(s, " %s", *n);
		g_string_append_c(s, '\n');
	}
	pt_host_free(h);
	return g_string_free(s, FALSE);
}

/*
 * Export h; the export must pass the harness's checker and load through libumockdev, and the
 * harness's scan of it must equal fakesys's scan of h. Returns the export (caller frees).
 */
static char *check_export(struct fks_host *h, const char *what)
{
	g_autofree char *tmp = g_build_filename(g_get_tmp_dir(), "fks-export-XXXXXX", NULL);
	g_autofree char *mine = NULL, *theirs = NULL, *diff = NULL;
	g_autoptr(GError) e = NULL;
	struct umt_testbed *src;
	struct pt_backend *be;
	char *text = NULL;
	int fd;

	assert_int_equal(fks_host_export_recording(h, &text), 0);
	if (!umt_recording_check(what, text, &e))
		fail_msg("%s: the harness refuses the export: %s", what, e->message);
	fd = g_mkstemp(tmp);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	src = umt_testbed_open(tmp, &e);
	if (!src)
		fail_msg("%s: libumockdev: %s", what, e->message);
	be = fks_host_backend(h);
	mine = scan_summary(be, what);
	theirs = scan_summary(umt_testbed_backend(src), what);
	diff = row_first_diff(mine, theirs);
	if (diff[0])
		fail_msg("%s: fakesys vs its export in a testbed: %s", what, diff);
	pt_backend_free(be);
	umt_testbed_free(src);
	g_unlink(tmp);
	return text;
}

/* The view after updates in place must be the view a full build makes (a copy's): the
 * same export, and at the ends the same testbed, file for file. */
static void check_view_fresh(struct fks_host *h, const char *what, bool testbed)
{
	struct fks_host *c = NULL;
	g_autofree char *a = NULL, *b = NULL, *diff = NULL;

	assert_int_equal(fks_host_copy(h, &c), 0);
	assert_int_equal(fks_host_export_recording(h, &a), 0);
	assert_int_equal(fks_host_export_recording(c, &b), 0);
	diff = row_first_diff(a, b);
	if (diff[0])
		fail_msg("%s: updated view vs a fresh one: %s", what, diff);
	if (testbed) {
		g_autofree char *x = g_dir_make_tmp("fks-view-XXXXXX", NULL);
		g_autofree char *y = g_dir_make_tmp("fks-view-XXXXXX", NULL);
		g_autofree char *cmd = g_strdup_printf("diff -r --no-dereference %s %s", x, y);
		g_autofree char *out = NULL;
		int status;

		assert_int_equal(fks_host_export_testbed(h, x), 0);
		assert_int_equal(fks_host_export_testbed(c, y), 0);
		assert_true(g_spawn_command_line_sync(cmd, &out, NULL, &status, NULL));
		if (!g_spawn_check_wait_status(status, NULL))
			fail_msg("%s: updated view vs a fresh one: %.400s", what, out);
		umt_remove_tree(x);
		umt_remove_tree(y);
	}
	fks_host_free(c);
}

/* Every step's export must pass the harness's checker (libumockdev would abort on what it
 * refuses); the full load through libumockdev, and the scan, when full is set. */
static void check_syntax(struct fks_host *h, const char *what, bool full)
{
	g_autoptr(GError) e = NULL;
	g_autofree char *text = NULL;

	check_view_fresh(h, what, full);
	if (full) {
		g_free(check_export(h, what));
		return;
	}
	assert_int_equal(fks_host_export_recording(h, &text), 0);
	if (!umt_recording_check(what, text, &e))
		fail_msg("%s: the harness refuses the export: %s", what, e->message);
}

struct moved {
	char addr[16];
	char *driver;
};

/* Detach every endpoint with a host driver, one by one, exporting after each step. */
static void test_export_detach_attach_every_lab_host(void **state)
{
	g_auto(GStrv) hosts = lab_recordings();

	(void)state;
	for (guint i = 0; hosts[i]; i++) {
		struct fks_host *h = row_load(hosts[i], NULL);
		struct pt_backend *be = fks_host_backend(h);
		struct pt_host *ph = NULL;
		struct pt_error err = { 0 };
		g_autoptr(GArray) moved = g_array_new(FALSE, TRUE, sizeof(struct moved));
		unsigned steps = 0;

		assert_int_equal(pt_host_new(be, NULL, &ph, &err), 0);
		for (size_t j = 0; j < pt_host_dev_count(ph); j++) {
			const struct pt_dev_props *p = pt_dev_props(pt_host_dev(ph, j));
			struct moved m = { .driver = NULL };

			/* vfio-pci refuses a PF with VFs enabled (a store test shows it). */
			if (p->header_type != 0 || !p->driver || pt_driver_is_stub(p->driver) ||
			    (p->sriov && p->sriov->numvfs > 0))
				continue;
			g_strlcpy(m.addr, p->address, sizeof(m.addr));
			m.driver = g_strdup(p->driver);
			g_array_append_val(moved, m);
		}
		pt_host_free(ph);
		for (guint j = 0; j < moved->len; j++) {
			struct moved *m = &g_array_index(moved, struct moved, j);
			g_autofree char *ovr =
				g_strdup_printf("bus/pci/devices/%s/driver_override", m->addr);
			g_autofree char *unbind =
				g_strdup_printf("bus/pci/drivers/%s/unbind", m->driver);
			g_autofree char *what =
				g_strdup_printf("%s, %s detached", hosts[i], m->addr);
			const char *drv;
			int group;

			assert_int_equal(write_str(be, ovr, "vfio-pci"), 0);
			assert_int_equal(write_str(be, unbind, m->addr), 0);
			assert_int_equal(write_str(be, "bus/pci/drivers_probe", m->addr), 0);
			assert_int_equal(fks_host_dev_driver(h, m->addr, &drv), 0);
			assert_int_equal(fks_host_dev_group(h, m->addr, &group), 0);
			/* Without an IOMMU group vfio-pci refuses the device: it stays unbound. */
			assert_string_equal(drv ? drv : "-", group >= 0 ? "vfio-pci" : "-");
			check_syntax(h, what, j + 1 == moved->len);
			steps++;
		}
		for (guint j = moved->len; j > 0; j--) {
			struct moved *m = &g_array_index(moved, struct moved, j - 1);
			g_autofree char *ovr =
				g_strdup_printf("bus/pci/devices/%s/driver_override", m->addr);
			g_autofree char *what =
				g_strdup_printf("%s, %s given back", hosts[i], m->addr);
			const char *drv;

			assert_int_equal(write_str(be, ovr, "\n"), 0);
			if (fks_host_dev_driver(h, m->addr, &drv) == 0 && drv)
				assert_int_equal(
					write_str(be, "bus/pci/drivers/vfio-pci/unbind", m->addr),
					0);
			assert_int_equal(write_str(be, "bus/pci/drivers_probe", m->addr), 0);
			assert_int_equal(fks_host_dev_driver(h, m->addr, &drv), 0);
			if (g_strcmp0(drv, m->driver) != 0)
				fail_msg("%s: on %s, not %s", what, drv ? drv : "no driver",
					 m->driver);
			check_syntax(h, what, j == 1);
			g_free(m->driver);
			steps++;
		}
		print_message("%s: %u steps exported and loaded\n", hosts[i], steps);
		pt_backend_free(be);
		fks_host_free(h);
	}
}

/* A NIC's netdev goes with its driver and comes back with it, in the view and the export. */
static void test_export_netdev_follows_driver(void **state)
{
	struct fks_host *h = row_load("lab-shared-initial", NULL);
	struct pt_backend *be = fks_host_backend(h);
	g_autofree char *after = NULL, *back = NULL;

	(void)state;
	assert_int_equal(write_str(be, "bus/pci/drivers/e1000e/unbind", "0000:01:00.0"), 0);
	assert_int_equal(pt_backend_exists(be, PT_NS_SYS, "bus/pci/devices/0000:01:00.0/net"), 0);
	assert_int_equal(pt_backend_exists(be, PT_NS_SYS, "class/net/eth0"), 0);
	after = check_export(h, "e1000e unbound");
	assert_null(strstr(after, "0000:01:00.0/net/eth0"));
	assert_int_equal(write_str(be, "bus/pci/drivers/e1000e/bind", "0000:01:00.0"), 0);
	assert_int_equal(
		pt_backend_exists(be, PT_NS_SYS, "bus/pci/devices/0000:01:00.0/net/eth0/address"),
		1);
	back = check_export(h, "e1000e bound again");
	assert_non_null(
		strstr(back, "P: /devices/pci0000:00/0000:00:02.0/0000:01:00.0/net/eth0\n"));
	pt_backend_free(be);
	fks_host_free(h);
}

/* A reload keeps what drivers match: the ids learned from bound devices (nvme's device comes
 * back by its class entry, the others by those ids) and the dynamic ids. */
static void test_export_driver_ids_survive_reload(void **state)
{
	static const char *const hosts[] = { "lab-shared-initial", "lab-sriov-initial" };
	static const char *const learned[] = { "e1000e 8086 10d3\\n", "virtio-pci 1af4 1041\\n" };

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(hosts); i++) {
		struct fks_host *h = row_load(hosts[i], NULL), *h2 = NULL;
		struct pt_backend *be = fks_host_backend(h), *be2;
		g_autofree char *text = NULL, *again = NULL;
		struct pt_error err = { 0 };
		const char *drv;

		assert_int_equal(
			write_str(be, "bus/pci/devices/0000:02:00.0/driver_override", "vfio-pci"),
			0);
		assert_int_equal(write_str(be, "bus/pci/drivers/nvme/unbind", "0000:02:00.0"), 0);
		assert_int_equal(write_str(be, "bus/pci/drivers_probe", "0000:02:00.0"), 0);
		/* A dynamic id survives too. */
		assert_int_equal(write_str(be, "bus/pci/drivers/pci-stub/new_id", "1234 5678"), 0);
		text = check_export(h, hosts[i]);
		assert_non_null(strstr(text, "A: fakesys/driver_ids="));
		assert_non_null(strstr(text, learned[i]));
		assert_null(strstr(text, "nvme 1b36 0010")); /* its class entry matches it */
		assert_non_null(strstr(text, "A: fakesys/new_ids=pci-stub 1234 5678\\n\n"));
		assert_int_equal(
			fks_host_new_from_text("export", text, strlen(text), NULL, &h2, &err), 0);
		be2 = fks_host_backend(h2);
		assert_int_equal(
			write_str(be2, "bus/pci/devices/0000:02:00.0/driver_override", "\n"), 0);
		assert_int_equal(write_str(be2, "bus/pci/drivers/vfio-pci/unbind", "0000:02:00.0"),
				 0);
		assert_int_equal(write_str(be2, "bus/pci/drivers_probe", "0000:02:00.0"), 0);
		assert_int_equal(fks_host_dev_driver(h2, "0000:02:00.0", &drv), 0);
		assert_string_equal(drv ? drv : "no driver", "nvme");
		assert_int_equal(write_str(be2, "bus/pci/drivers/pci-stub/new_id", "1234 5678"),
				 -EEXIST);
		/* The ids go out again in the same order. */
		pt_backend_free(be2);
		fks_host_free(h2);
		assert_int_equal(
			fks_host_new_from_text("export", text, strlen(text), NULL, &h2, &err), 0);
		assert_int_equal(fks_host_export_recording(h2, &again), 0);
		assert_string_equal(text, again);
		fks_host_free(h2);
		pt_backend_free(be);
		fks_host_free(h);
	}
}

/*
 * A driver with nothing bound when the host was recorded still matches by its class entry:
 * on lab-shared-nvme-vfio the nvme controller was on vfio-pci, so no device showed what nvme
 * binds, and given back it stayed without a driver. nvme's table matches the NVMe class
 * (drivers/nvme/host/pci.c, PCI_CLASS_STORAGE_EXPRESS): the kernel gives it to nvme.
 */
static void test_class_driver_takes_device_back(void **state)
{
	struct fks_host *h = row_load("lab-shared-nvme-vfio", NULL);
	struct pt_backend *be = fks_host_backend(h);
	const char *drv = NULL;

	(void)state;
	assert_int_equal(fks_host_dev_driver(h, "0000:02:00.0", &drv), 0);
	assert_string_equal(drv ? drv : "no driver", "vfio-pci");
	assert_int_equal(pt_backend_exists(be, PT_NS_SYS, "bus/pci/drivers/nvme"), 1);
	assert_int_equal(write_str(be, "bus/pci/devices/0000:02:00.0/driver_override", "\n"), 0);
	assert_int_equal(write_str(be, "bus/pci/drivers/vfio-pci/unbind", "0000:02:00.0"), 0);
	assert_int_equal(write_str(be, "bus/pci/drivers_probe", "0000:02:00.0"), 0);
	assert_int_equal(fks_host_dev_driver(h, "0000:02:00.0", &drv), 0);
	assert_string_equal(drv ? drv : "no driver", "nvme");
	pt_backend_free(be);
	fks_host_free(h);
}

/* Ids lines that do not parse are ignored, like anything unknown in the ptharness block. */
static void test_export_driver_ids_bad_lines_ignored(void **state)
{
	const char *text = "P: /devices/virtual/ptharness/host\nE: SUBSYSTEM=ptharness\n"
			   "A: fakesys/driver_ids=nvme\\nnvme zz\\n foo 1 2\\nnvme 1b36 0010\\n\n";
	struct pt_error err = { 0 };
	struct fks_host *h = NULL;
	g_autofree char *out = NULL;

	(void)state;
	/* No PCI device: the loader needs one block, and the ptharness block is one. */
	assert_int_equal(fks_host_new_from_text("ids", text, strlen(text), NULL, &h, &err), 0);
	assert_int_equal(fks_host_export_recording(h, &out), 0);
	assert_non_null(strstr(out, "A: fakesys/driver_ids=nvme 1b36 0010\\n\n"));
	fks_host_free(h);
}

/* A VFIO group's class device exists while a member is on vfio-pci, with the lowest minor. */
static void test_export_vfio_group_device(void **state)
{
	struct fks_host *h = row_load("lab-shared-initial", NULL);
	struct pt_backend *be = fks_host_backend(h);
	char buf[64];
	g_autofree char *text = NULL;

	(void)state;
	assert_int_equal(pt_backend_exists(be, PT_NS_SYS, "class/vfio/7"), 0);
	assert_int_equal(write_str(be, "bus/pci/devices/0000:02:00.0/driver_override", "vfio-pci"),
			 0);
	assert_int_equal(write_str(be, "bus/pci/drivers/nvme/unbind", "0000:02:00.0"), 0);
	assert_int_equal(write_str(be, "bus/pci/drivers_probe", "0000:02:00.0"), 0);
	assert_int_equal(pt_backend_read_line(be, PT_NS_SYS, "class/vfio/7/dev", buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "246:0");
	assert_int_equal(pt_backend_read_line(be, PT_NS_SYS, "devices/virtual/vfio/7/uevent", buf,
					      sizeof(buf)),
			 0);
	assert_string_equal(buf, "MAJOR=246\nMINOR=0\nDEVNAME=vfio/7");
	assert_int_equal(pt_backend_exists(be, PT_NS_DEV, "vfio/7"), 1);
	text = check_export(h, "nvme on vfio-pci");
	assert_non_null(strstr(text, "P: /devices/virtual/vfio/7\nE: DEVNAME=vfio/7\n"));
	assert_int_equal(write_str(be, "bus/pci/drivers/vfio-pci/unbind", "0000:02:00.0"), 0);
	assert_int_equal(pt_backend_exists(be, PT_NS_SYS, "devices/virtual/vfio/7"), 0);
	assert_int_equal(pt_backend_exists(be, PT_NS_DEV, "vfio/7"), 0);
	pt_backend_free(be);
	fks_host_free(h);
}

/* lspci's view of an exported testbed: ADDR -> "driver group" (from -k and -v). */
static GHashTable *lspci_view(const char *root)
{
	g_autofree char *opt = g_strdup_printf("sysfs.path=%s/sys/bus/pci", root);
	const char *argv[] = { "lspci", "-A", "linux-sysfs", "-O", opt, "-D", "-nnkv", NULL };
	GHashTable *view = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_autofree char *out = NULL, *err = NULL;
	g_autoptr(GError) e = NULL;
	g_auto(GStrv) lines = NULL;
	g_autofree char *addr = NULL, *drv = NULL;
	int group = -1, status;

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
			  &status, &e) ||
	    !g_spawn_check_wait_status(status, NULL))
		fail_msg("lspci on %s: %s %s", root, e ? e->message : "failed", err ? err : "");
	lines = g_strsplit(out, "\n", -1);
	for (guint i = 0;; i++) {
		const char *l = lines[i], *g;

		if (!l || (l[0] && l[0] != '\t')) {
			if (addr)
				g_hash_table_insert(
					view, g_steal_pointer(&addr),
					g_strdup_printf("%s %d", drv ? drv : "-", group));
			g_clear_pointer(&drv, g_free);
			group = -1;
			if (!l)
				break;
			addr = g_strndup(l, 12);
		} else if (g_str_has_prefix(l, "\tKernel driver in use: ")) {
			drv = g_strdup(l + strlen("\tKernel driver in use: "));
		} else if (g_str_has_prefix(l, "\tFlags: ") && (g = strstr(l, "IOMMU group "))) {
			group = atoi(g + strlen("IOMMU group "));
		}
	}
	return view;
}

/* Every device as lspci shows it must be as the model has it; each group link resolves to
 * the device's own directory. */
static void check_lspci(struct fks_host *h, const char *what)
{
	g_autofree char *root = g_dir_make_tmp("fks-testbed-XXXXXX", NULL);
	g_autoptr(GHashTable) view = NULL;
	struct pt_backend *be = fks_host_backend(h);
	char **addrs = NULL;
	size_t n = 0;

	assert_non_null(root);
	assert_int_equal(fks_host_export_testbed(h, root), 0);
	view = lspci_view(root);
	assert_int_equal(pt_backend_list(be, PT_NS_SYS, "bus/pci/devices", &addrs, &n), 0);
	assert_int_equal(g_hash_table_size(view), n);
	for (size_t i = 0; i < n; i++) {
		const char *drv, *seen = g_hash_table_lookup(view, addrs[i]);
		g_autofree char *want = NULL;
		int group;

		assert_int_equal(fks_host_dev_driver(h, addrs[i], &drv), 0);
		assert_int_equal(fks_host_dev_group(h, addrs[i], &group), 0);
		want = g_strdup_printf("%s %d", drv ? drv : "-", group);
		if (g_strcmp0(seen, want) != 0)
			fail_msg("%s: lspci shows %s as '%s', the model has '%s'", what, addrs[i],
				 seen ? seen : "(absent)", want);
		if (group >= 0) {
			g_autofree char *link = g_strdup_printf(
				"%s/sys/kernel/iommu_groups/%d/devices/%s", root, group, addrs[i]);
			g_autofree char *dev =
				g_strdup_printf("%s/sys/bus/pci/devices/%s", root, addrs[i]);
			g_autofree char *a = realpath(link, NULL), *b = realpath(dev, NULL);

			if (!a || !b || strcmp(a, b) != 0)
				fail_msg("%s: %s does not lead to %s", what, link, dev);
		}
	}
	pt_strv_free(addrs);
	pt_backend_free(be);
	umt_remove_tree(root);
}

/* lspci reads an exported testbed and shows the model's drivers and groups. */
static void test_export_testbed_lspci(void **state)
{
	/* A device to detach in each: vfio-pci takes the nvme; it refuses a PF with VFs and,
	 * without an IOMMU, any device, which then stays unbound. */
	static const char *const hosts[][2] = { { "lab-shared-initial", "0000:02:00.0" },
						{ "lab-sriov-2vfs", "0000:02:00.0" },
						{ "lab-noiommu-initial", "0000:01:00.0" } };
	g_autofree char *lspci = g_find_program_in_path("lspci");

	(void)state;
	if (!lspci) {
		print_message("SKIP: no lspci (pciutils)\n");
		skip();
	}
	for (size_t i = 0; i < G_N_ELEMENTS(hosts); i++) {
		const char *addr = hosts[i][1], *drv = NULL;
		struct fks_host *h = row_load(hosts[i][0], NULL);
		struct pt_backend *be = fks_host_backend(h);
		g_autofree char *what = g_strdup_printf("%s, %s detached", hosts[i][0], addr);
		g_autofree char *ovr = g_strdup_printf("bus/pci/devices/%s/driver_override", addr);
		g_autofree char *unbind = NULL;

		check_lspci(h, hosts[i][0]);
		assert_int_equal(fks_host_dev_driver(h, addr, &drv), 0);
		assert_non_null(drv);
		unbind = g_strdup_printf("bus/pci/drivers/%s/unbind", drv);
		assert_int_equal(write_str(be, ovr, "vfio-pci"), 0);
		assert_int_equal(write_str(be, unbind, addr), 0);
		write_str(be, "bus/pci/drivers_probe", addr);
		check_lspci(h, what);
		pt_backend_free(be);
		fks_host_free(h);
	}
}

int main(void)
{
	/* Each export becomes a testbed of a few thousand small files: on tmpfs when there is
	 * one, as creating them on a busy disk is most of this test's time otherwise. */
	if (!g_getenv("TMPDIR") && g_file_test("/dev/shm", G_FILE_TEST_IS_DIR) &&
	    access("/dev/shm", W_OK) == 0)
		g_setenv("TMPDIR", "/dev/shm", TRUE);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export_detach_attach_every_lab_host),
		cmocka_unit_test(test_export_netdev_follows_driver),
		cmocka_unit_test(test_export_driver_ids_survive_reload),
		cmocka_unit_test(test_class_driver_takes_device_back),
		cmocka_unit_test(test_export_driver_ids_bad_lines_ignored),
		cmocka_unit_test(test_export_vfio_group_device),
		cmocka_unit_test(test_export_testbed_lspci),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
