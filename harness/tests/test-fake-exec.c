/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pth_fake_exec, the scenario verb `exec`: a program's status and output, and the host after it. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>

#include "fake.h"

#define SRIOV HOSTS_DIR "/lab-sriov-initial.umockdev"
#define PF "/sys/bus/pci/devices/0000:02:00.0/sriov_numvfs"

struct fixture {
	struct fks_host *host;
	struct pt_backend *be;
};

static int setup(void **state)
{
	struct fixture *f = g_new0(struct fixture, 1);
	struct pt_error err = { 0 };

	if (access("/dev/fuse", R_OK | W_OK) != 0) {
		g_free(f);
		return -1;
	}
	assert_int_equal(fks_host_new_from_recording(SRIOV, NULL, &f->host, &err), 0);
	f->be = fks_host_backend(f->host);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	pt_backend_free(f->be);
	fks_host_free(f->host);
	g_free(f);
	return 0;
}

/* The program's write changes the scenario's host: the VFs exist after it. */
static void test_fake_exec_changes_host(void **state)
{
	struct fixture *f = *state;
	const char *argv[] = { "sh", "-c", "echo 2 > " PF " && cat " PF, NULL };
	g_autofree char *out = NULL, *reason = NULL;
	int before = fks_host_dev_count(f->host);

	assert_int_equal(pth_fake_exec(f->host, f->be, PTH_FAKE_PRELOAD, argv, 0, "^2$", NULL, &out,
				       &reason),
			 0);
	assert_null(reason);
	assert_string_equal(out, "2\n");
	assert_int_equal(fks_host_dev_count(f->host), before + 2);
}

/* The kernel's EBUSY fails the program; the verb says which expectation did not hold. */
static void test_fake_exec_status_mismatch(void **state)
{
	struct fixture *f = *state;
	const char *argv[] = { "bash", "-c", "echo 2 > " PF " && echo 1 > " PF, NULL };
	g_autofree char *reason = NULL;

	assert_int_equal(
		pth_fake_exec(f->host, f->be, PTH_FAKE_PRELOAD, argv, 0, NULL, NULL, NULL, &reason),
		1);
	assert_non_null(strstr(reason, "exit status 1, expected 0"));
	assert_non_null(strstr(reason, "Device or resource busy"));
}

static void test_fake_exec_pattern_mismatch(void **state)
{
	struct fixture *f = *state;
	const char *argv[] = { "cat", "/sys/bus/pci/devices/0000:02:00.0/sriov_totalvfs", NULL };
	g_autofree char *reason = NULL;

	assert_int_equal(pth_fake_exec(f->host, f->be, PTH_FAKE_PRELOAD, argv, 0, "^8$", NULL, NULL,
				       &reason),
			 1);
	assert_non_null(strstr(reason, "output does not match /^8$/"));
}

static void test_fake_exec_bad_pattern(void **state)
{
	struct fixture *f = *state;
	const char *argv[] = { "true", NULL };
	g_autofree char *reason = NULL;

	assert_int_equal(
		pth_fake_exec(f->host, f->be, PTH_FAKE_PRELOAD, argv, 0, "(", NULL, NULL, &reason),
		-EINVAL);
	assert_non_null(strstr(reason, "bad output pattern"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fake_exec_changes_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fake_exec_status_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fake_exec_pattern_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fake_exec_bad_pattern, setup, teardown),
	};

	if (access("/dev/fuse", R_OK | W_OK) != 0) {
		printf("1..0 # SKIP no usable /dev/fuse\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
