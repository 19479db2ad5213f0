/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Injected faults: each kind, its nth/count semantics, and that every fault that fires is in
 * the trace (PT_EVENT_FAULT). What the kernel does around a fault is the kernel's: a write
 * that fails changes nothing, sriov_numvfs_store() succeeds when the driver enables fewer VFs
 * than asked ("%d VFs requested; only %d enabled"), a removed device's files are gone.
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
#define E0 DEVS "0000:01:00.0/"
#define E1 DEVS "0000:01:00.1/"
#define PF DEVS "0000:02:00.0/"

static char *rd(struct row_fx *f, const char *path)
{
	char buf[256];
	int r = pt_backend_read_line(f->be, PT_NS_SYS, path, buf, sizeof(buf));

	return r < 0 ? g_strdup(g_strerror(-r)) : g_strdup(buf);
}

static const char *driver(struct row_fx *f, const char *addr)
{
	const char *name = NULL;

	assert_int_equal(fks_host_dev_driver(f->h, addr, &name), 0);
	return name ? name : "(none)";
}

/* The FAULT events in the trace: their number, and whether one names subject. */
static size_t faults_traced(const struct pt_trace *t, const char *subject, const char *word)
{
	size_t n = 0;

	for (size_t i = 0; i < pt_trace_count(t); i++) {
		const struct pt_event *e = pt_trace_event(t, i);

		if (e->kind != PT_EVENT_FAULT)
			continue;
		if (subject && !strstr(e->path, subject))
			continue;
		if (word && !(e->value && strstr(e->value, word)))
			continue;
		n++;
	}
	return n;
}

/* Every fault that fired is in the trace, once. */
static void assert_all_traced(struct row_fx *f)
{
	assert_int_equal(faults_traced(f->trace, NULL, NULL), fks_host_faults_fired(f->h));
}

/* ---- write ---- */

static void test_write_errno(void **state)
{
	struct row_fx f = row_fx_load("lab-shared-initial",
				      "write path=0000:01:00.1/driver/unbind errno=EBUSY");

	(void)state;
	assert_int_equal(fks_host_faults_fired(f.h), 0);
	/* The file is the same whichever path reaches it (device link or driver directory). */
	assert_int_equal(row_fx_write(&f, "bus/pci/drivers/e1000e/unbind", "0000:01:00.1"), -EBUSY);
	/* The failed write changed nothing. */
	assert_string_equal(driver(&f, "0000:01:00.1"), "e1000e");
	assert_int_equal(fks_host_faults_fired(f.h), 1);
	assert_int_equal(faults_traced(f.trace, "bus/pci/drivers/e1000e/unbind", "busy"), 1);
	/* count defaults to 1: the next write goes through. */
	assert_int_equal(row_fx_write(&f, E1 "driver/unbind", "0000:01:00.1"), 0);
	assert_string_equal(driver(&f, "0000:01:00.1"), "(none)");
	assert_int_equal(fks_host_faults_fired(f.h), 1);
	assert_all_traced(&f);
	row_fx_free(&f);
}

static void test_write_nth_count(void **state)
{
	/* The 2nd and 3rd writes to the file fail; the 1st and 4th do not. */
	struct row_fx f =
		row_fx_load("lab-shared-initial",
			    "write path=0000:00:08.0/driver_override errno=EINVAL nth=2 count=2");

	(void)state;
	assert_int_equal(row_fx_write(&f, DEVS "0000:00:08.0/driver_override", "a"), 0);
	/* Writes to other files, and empty writes (never reaching the store), do not count. */
	assert_int_equal(row_fx_write(&f, E1 "driver_override", "b"), 0);
	assert_int_equal(row_fx_write(&f, DEVS "0000:00:08.0/driver_override", ""), 0);
	assert_int_equal(row_fx_write(&f, DEVS "0000:00:08.0/driver_override", "c"), -EINVAL);
	assert_int_equal(row_fx_write(&f, DEVS "0000:00:08.0/driver_override", "d"), -EINVAL);
	{
		g_autofree char *v = rd(&f, DEVS "0000:00:08.0/driver_override");

		assert_string_equal(v, "a"); /* neither failed write took effect */
	}
	assert_int_equal(row_fx_write(&f, DEVS "0000:00:08.0/driver_override", "e"), 0);
	assert_int_equal(fks_host_faults_fired(f.h), 2);
	assert_all_traced(&f);
	row_fx_free(&f);
}

static void test_write_count_zero(void **state)
{
	/* count=0: every matching write from the nth on fails. */
	struct row_fx f =
		row_fx_load("lab-shared-initial",
			    "write path=bus/pci/drivers_probe errno=ENOMEM nth=3 count=0");

	(void)state;
	for (int i = 1; i <= 8; i++)
		assert_int_equal(row_fx_write(&f, "bus/pci/drivers_probe", "0000:00:08.0"),
				 i < 3 ? 0 : -ENOMEM);
	assert_int_equal(fks_host_faults_fired(f.h), 6);
	assert_all_traced(&f);
	row_fx_free(&f);
}

/* ---- reset ---- */

static void test_reset_errno(void **state)
{
	struct row_fx f = row_fx_load("lab-shared-initial", "reset dev=0000:01:00.1 errno=EIO");

	(void)state;
	assert_int_equal(row_fx_write(&f, E1 "reset", "1"), -EIO);
	assert_int_equal(faults_traced(f.trace, "0000:01:00.1", "reset"), 1);
	assert_int_equal(row_fx_write(&f, E1 "reset", "1"), 0);
	/* Another device is not affected. */
	assert_int_equal(row_fx_write(&f, E0 "reset", "1"), 0);
	assert_int_equal(fks_host_faults_fired(f.h), 1);
	assert_all_traced(&f);
	row_fx_free(&f);
}

static void test_reset_vfio(void **state)
{
	/* The same fault through VFIO_DEVICE_RESET (vfio_pci_core's pci_try_reset_function). */
	struct row_fx f =
		row_fx_load("lab-shared-e1000e-vfio", "reset dev=0000:01:00.0 errno=EIO nth=2");
	int c, g, d;

	(void)state;
	c = pt_backend_dev_open(f.be, "vfio/vfio", 2);
	g = pt_backend_dev_open(f.be, "vfio/6", 2);
	assert_int_equal(pt_backend_dev_ioctl(f.be, g, VFIO_GROUP_SET_CONTAINER, &c), 0);
	assert_int_equal(pt_backend_dev_ioctl(f.be, c, VFIO_SET_IOMMU,
					      (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU),
			 0);
	d = pt_backend_dev_ioctl(f.be, g, VFIO_GROUP_GET_DEVICE_FD, (void *)"0000:01:00.0");
	assert_true(d >= 0);
	assert_int_equal(pt_backend_dev_ioctl(f.be, d, VFIO_DEVICE_RESET, NULL), 0);
	assert_int_equal(pt_backend_dev_ioctl(f.be, d, VFIO_DEVICE_RESET, NULL), -EIO);
	assert_int_equal(pt_backend_dev_ioctl(f.be, d, VFIO_DEVICE_RESET, NULL), 0);
	assert_int_equal(fks_host_faults_fired(f.h), 1);
	assert_all_traced(&f);
	pt_backend_dev_close(f.be, d);
	pt_backend_dev_close(f.be, g);
	pt_backend_dev_close(f.be, c);
	row_fx_free(&f);
}

/* The RULE events whose path names subject and whose detail holds word. */
static size_t rules_traced(const struct pt_trace *t, const char *subject, const char *word)
{
	size_t n = 0;

	for (size_t i = 0; i < pt_trace_count(t); i++) {
		const struct pt_event *e = pt_trace_event(t, i);

		if (e->kind == PT_EVENT_RULE && strstr(e->path, subject) && e->value &&
		    strstr(e->value, word))
			n++;
	}
	return n;
}

/*
 * A device that does not answer after a reset. 6.1's pci_dev_wait() polls it with sleeps of
 * 1, 2, 4 ... ms and gives up once the next sleep would pass the timeout
 * (PCIE_RESET_READY_POLL_MS, 60 s): after 1023 ms of sleep for a 1000 ms timeout, 65535 ms for
 * 60 s. It gives up with ENOTTY, so __pci_reset_function_locked() tries the next method, and
 * the write fails with ENOTTY when there is none (drivers/pci/pci.c).
 */
static void test_reset_hang(void **state)
{
	/* 0000:01:00.1 has one method, pm (the lab's reset_method). */
	struct row_fx f =
		row_fx_load("lab-shared-initial", "reset dev=0000:01:00.1 hang_ms=5000 count=0");
	uint64_t t0 = fks_host_clock_ms(f.h);
	g_autofree char *methods = rd(&f, E1 "reset_method");

	(void)state;
	assert_string_equal(methods, "pm");
	/* Slow but within the timeout: the reset completes late. */
	assert_int_equal(row_fx_write(&f, E1 "reset", "1"), 0);
	assert_true(fks_host_clock_ms(f.h) - t0 >= 5000);
	t0 = fks_host_clock_ms(f.h);
	assert_int_equal(fks_host_set(f.h, "reset_timeout_ms", "1000"), 0);
	assert_int_equal(row_fx_write(&f, E1 "reset", "1"), -ENOTTY);
	assert_true(fks_host_clock_ms(f.h) - t0 >= 1023);
	assert_int_equal(rules_traced(f.trace, "0000:01:00.1", "giving up"), 1);
	assert_int_equal(faults_traced(f.trace, "0000:01:00.1", "hangs 5000"), 2);
	assert_all_traced(&f);
	row_fx_free(&f);
}

static void test_reset_hang_default_timeout(void **state)
{
	/* Past 6.1's 60 s: ENOTTY after 65535 ms, no other method; the next reset works. */
	struct row_fx f = row_fx_load("lab-shared-initial", "reset dev=0000:01:00.1 hang_ms=70000");

	(void)state;
	assert_int_equal(row_fx_write(&f, E1 "reset", "1"), -ENOTTY);
	assert_true(fks_host_clock_ms(f.h) >= 65535);
	assert_int_equal(row_fx_write(&f, E1 "reset", "1"), 0);
	assert_all_traced(&f);
	row_fx_free(&f);
}

static void test_reset_hang_next_method(void **state)
{
	/* The nvme PF resets by flr, then bus (alone below its root port): FLR never comes
	 * back, the kernel gives up on it and the bus reset does the job. */
	struct row_fx f = row_fx_load("lab-shared-initial", "reset dev=0000:02:00.0 hang_ms=70000");
	g_autofree char *methods = rd(&f, PF "reset_method");

	(void)state;
	assert_string_equal(methods, "flr bus");
	assert_int_equal(row_fx_write(&f, PF "reset", "1"), 0);
	assert_true(fks_host_clock_ms(f.h) >= 65535);
	assert_int_equal(rules_traced(f.trace, "0000:02:00.0", "after flr; giving up"), 1);
	assert_int_equal(rules_traced(f.trace, "0000:02:00.0", "reset by bus"), 1);
	assert_all_traced(&f);
	row_fx_free(&f);
}

/* A device that does not come back from its reset: from then on its config space reads all
 * ones, each method's wait gives up with ENOTTY, and sysfs still shows its enumerated ids. */
static void test_reset_device_dead(void **state)
{
	struct row_fx f = row_fx_load("lab-shared-initial", "reset dev=0000:02:00.0 config=ff");
	uint8_t cfg[8], ones[8];
	size_t len = 0;
	g_autofree char *vendor = NULL;

	(void)state;
	memset(ones, 0xff, sizeof(ones));
	assert_int_equal(pt_backend_read(f.be, PT_NS_SYS, PF "config", cfg, sizeof(cfg), &len), 0);
	assert_memory_not_equal(cfg, ones, sizeof(cfg));
	assert_int_equal(row_fx_write(&f, PF "reset", "1"), -ENOTTY);
	assert_int_equal(pt_backend_read(f.be, PT_NS_SYS, PF "config", cfg, sizeof(cfg), &len), 0);
	assert_int_equal(len, sizeof(cfg));
	assert_memory_equal(cfg, ones, sizeof(cfg));
	/* flr, then bus: both waited for, both given up on. */
	assert_int_equal(rules_traced(f.trace, "0000:02:00.0", "giving up"), 2);
	vendor = rd(&f, PF "vendor");
	assert_string_equal(vendor, "0x1b36");
	assert_all_traced(&f);
	row_fx_free(&f);
}

/* ---- numvfs ---- */

static void test_numvfs_fewer(void **state)
{
	struct row_fx f = row_fx_load("lab-sriov-initial", "numvfs dev=0000:02:00.0 max=1");

	(void)state;
	assert_int_equal(row_fx_write(&f, PF "sriov_drivers_autoprobe", "0"), 0);
	/* The store succeeds; the PF has one VF, not two. */
	assert_true(row_fx_write(&f, PF "sriov_numvfs", "2") >= 0);
	{
		g_autofree char *n = rd(&f, PF "sriov_numvfs");

		assert_string_equal(n, "1");
	}
	assert_int_equal(pt_backend_exists(f.be, PT_NS_SYS, PF "virtfn0"), 1);
	assert_int_equal(pt_backend_exists(f.be, PT_NS_SYS, PF "virtfn1"), 0);
	assert_int_equal(pt_backend_exists(f.be, PT_NS_SYS, DEVS "0000:02:00.1"), 1);
	assert_int_equal(pt_backend_exists(f.be, PT_NS_SYS, DEVS "0000:02:00.2"), 0);
	assert_int_equal(faults_traced(f.trace, "0000:02:00.0", "only 1"), 1);
	/* Asking for no more than the limit does not fire it. */
	assert_int_equal(row_fx_write(&f, PF "sriov_numvfs", "0"), 0);
	assert_true(row_fx_write(&f, PF "sriov_numvfs", "1") >= 0);
	assert_int_equal(fks_host_faults_fired(f.h), 1);
	assert_all_traced(&f);
	row_fx_free(&f);
}

/* ---- remove ---- */

static void test_remove_at_step(void **state)
{
	struct row_fx f = row_fx_load("lab-shared-initial", "remove dev=0000:01:00.1 step=2");
	int n = fks_host_dev_count(f.h), gid = -1;

	(void)state;
	fks_host_set_step(f.h, 1);
	assert_int_equal(pt_backend_exists(f.be, PT_NS_SYS, E1 "vendor"), 1);
	assert_int_equal(fks_host_faults_fired(f.h), 0);
	fks_host_set_step(f.h, 2);
	/* Gone: its files, its driver's link, its place in the group. */
	assert_int_equal(pt_backend_exists(f.be, PT_NS_SYS, E1 "vendor"), 0);
	assert_int_equal(pt_backend_exists(f.be, PT_NS_SYS, "bus/pci/drivers/e1000e/0000:01:00.1"),
			 0);
	assert_int_equal(
		pt_backend_exists(f.be, PT_NS_SYS, "kernel/iommu_groups/6/devices/0000:01:00.1"),
		0);
	assert_int_equal(fks_host_dev_group(f.h, "0000:01:00.1", &gid), -ENOENT);
	assert_int_equal(fks_host_dev_count(f.h), n - 1);
	/* Its sibling stays. */
	assert_int_equal(pt_backend_exists(f.be, PT_NS_SYS, E0 "vendor"), 1);
	assert_int_equal(faults_traced(f.trace, "0000:01:00.1", "disappears"), 1);
	/* A fault fires once: later steps do nothing more. */
	fks_host_set_step(f.h, 3);
	assert_int_equal(fks_host_faults_fired(f.h), 1);
	assert_all_traced(&f);
	row_fx_free(&f);
}

static void test_remove_at_nth_write(void **state)
{
	/* The device goes as the 2nd write begins; that write is to its own file, which a
	 * removed device's kernfs node refuses: ENODEV. */
	struct row_fx f = row_fx_load("lab-shared-initial", "remove dev=0000:01:00.1 nth=2");

	(void)state;
	assert_int_equal(row_fx_write(&f, E1 "driver_override", "vfio-pci"), 0);
	assert_int_equal(pt_backend_exists(f.be, PT_NS_SYS, E1 "vendor"), 1);
	assert_int_equal(row_fx_write(&f, E1 "driver_override", "pci-stub"), -ENODEV);
	assert_int_equal(pt_backend_exists(f.be, PT_NS_SYS, E1 "vendor"), 0);
	assert_int_equal(faults_traced(f.trace, "0000:01:00.1", "disappears"), 1);
	/* rescan brings it back (the hardware is still there as far as the model knows). */
	assert_int_equal(row_fx_write(&f, "bus/pci/rescan", "1"), 0);
	assert_int_equal(pt_backend_exists(f.be, PT_NS_SYS, E1 "vendor"), 1);
	assert_all_traced(&f);
	row_fx_free(&f);
}

/* ---- the fault language ---- */

static void test_parse_errors(void **state)
{
	static const struct {
		const char *text, *where;
	} bad[] = {
		{ "bogus dev=0000:01:00.0", "t:1" },
		{ "# comment\n\nwrite path=x", "t:3" }, /* no errno */
		{ "write path=x errno=EWHAT", "t:1" },
		{ "write path=x errno=EIO colour=red", "t:1" },
		{ "write path=x errno=EIO nth=-1", "t:1" },
		{ "write errno=EIO", "t:1" }, /* no path */
		{ "reset dev=0000:01:00.0", "t:1" }, /* neither errno nor hang_ms */
		{ "write path=x errno=EIO\nremove dev", "t:2" },
	};
	struct fks_host *h = row_load("lab-shared-initial", NULL);
	struct fks_fault ok = { .kind = FKS_FAULT_WRITE, .path = "x", .error = EIO };

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct pt_error err = { 0 };

		print_message("%s\n", bad[i].text);
		assert_int_equal(fks_host_add_faults(h, "t", bad[i].text, &err), -EINVAL);
		assert_string_equal(err.path, bad[i].where);
		assert_true(err.reason[0]);
	}
	/* The struct form checks the same. */
	assert_int_equal(fks_host_add_fault(h, &ok), 0);
	ok.error = 0;
	assert_int_equal(fks_host_add_fault(h, &ok), -EINVAL);
	ok.kind = _FKS_FAULT_KIND_MAX;
	assert_int_equal(fks_host_add_fault(h, &ok), -EINVAL);
	assert_string_equal(fks_fault_kind_to_string(FKS_FAULT_NUMVFS), "numvfs");
	assert_null(fks_fault_kind_to_string(_FKS_FAULT_KIND_MAX));
	fks_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_errno),
		cmocka_unit_test(test_write_nth_count),
		cmocka_unit_test(test_write_count_zero),
		cmocka_unit_test(test_reset_errno),
		cmocka_unit_test(test_reset_vfio),
		cmocka_unit_test(test_reset_hang),
		cmocka_unit_test(test_reset_hang_default_timeout),
		cmocka_unit_test(test_reset_hang_next_method),
		cmocka_unit_test(test_reset_device_dead),
		cmocka_unit_test(test_numvfs_fewer),
		cmocka_unit_test(test_remove_at_step),
		cmocka_unit_test(test_remove_at_nth_write),
		cmocka_unit_test(test_parse_errors),
	};

	return cmocka_run_group_tests_name("fakesys-fault", tests, NULL, NULL);
}
