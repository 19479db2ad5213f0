/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sysfs backend: every access stays beneath the root, with openat2 and with the walker. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "backend.h"
#include "tree.h"

struct fixture {
	char *root;
	char *outside;
	struct pt_backend *be;
};

/*
 * root/sys/devices/pci0000:00/0000:00:02.0/{vendor,config,reset(0200)}
 * root/sys/bus/pci/devices/0000:00:02.0 -> ../../../devices/pci0000:00/0000:00:02.0
 * links that leave the root (relative and absolute), a dangling one, and a secret file
 * next to the root that no path may reach.
 */
static int setup(void **state, unsigned flags)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[512];

	f->outside = tree_new();
	tree_file(f->outside, "secret", "do not read\n");
	f->root = tree_new();
	tree_file(f->root, "sys/devices/pci0000:00/0000:00:02.0/vendor", "0x8086\n");
	tree_file(f->root, "sys/devices/pci0000:00/0000:00:02.0/reset", "");
	snprintf(path, sizeof(path), "%s/sys/devices/pci0000:00/0000:00:02.0/reset", f->root);
	chmod(path, 0200);
	tree_link(f->root, "sys/bus/pci/devices/0000:00:02.0",
		  "../../../devices/pci0000:00/0000:00:02.0");
	tree_link(f->root, "sys/devices/pci0000:00/0000:00:02.0/subsystem", "../../../bus/pci");
	snprintf(path, sizeof(path), "%s/secret", f->outside);
	tree_link(f->root, "sys/escape-absolute", path);
	tree_link(f->root, "sys/escape-relative", "../../..");
	tree_link(f->root, "sys/dangling", "devices/nowhere");
	tree_file(f->root, "proc/sys/kernel/osrelease", "6.1.0-28-amd64\n");
	assert_int_equal(pt_backend_sysfs_new_flags(f->root, flags, &f->be), 0);
	*state = f;
	return 0;
}

static int setup_openat2(void **state)
{
	return setup(state, 0);
}

static int setup_walker(void **state)
{
	return setup(state, PT_SYSFS_NO_OPENAT2);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	pt_backend_free(f->be);
	tree_remove(f->root);
	tree_remove(f->outside);
	free(f);
	return 0;
}

static void test_backend_sysfs_read_through_links(void **state)
{
	struct fixture *f = *state;
	char buf[64];

	assert_int_equal(pt_backend_read_line(f->be, PT_NS_SYS,
					      "bus/pci/devices/0000:00:02.0/vendor", buf,
					      sizeof(buf)),
			 0);
	assert_string_equal(buf, "0x8086");
	assert_int_equal(
		pt_backend_read_line(f->be, PT_NS_PROC, "sys/kernel/osrelease", buf, sizeof(buf)),
		0);
	assert_string_equal(buf, "6.1.0-28-amd64");
	assert_false(f->be->live);
}

static void test_backend_sysfs_refuses_escapes(void **state)
{
	struct fixture *f = *state;
	char buf[64];
	size_t len;

	assert_int_equal(
		pt_backend_read(f->be, PT_NS_SYS, "escape-absolute", buf, sizeof(buf), &len),
		-EXDEV);
	assert_int_equal(
		pt_backend_read(f->be, PT_NS_SYS, "escape-relative/secret", buf, sizeof(buf), &len),
		-EXDEV);
	assert_int_equal(pt_backend_read(f->be, PT_NS_SYS, "../proc/sys/kernel/osrelease", buf,
					 sizeof(buf), &len),
			 -EXDEV);
	assert_int_equal(pt_backend_read(f->be, PT_NS_SYS, "/etc/passwd", buf, sizeof(buf), &len),
			 -EXDEV);
	assert_int_equal(pt_backend_write(f->be, PT_NS_SYS, "escape-relative/secret", "x", 1),
			 -EXDEV);
}

static void test_backend_sysfs_readlink(void **state)
{
	struct fixture *f = *state;
	char buf[256];

	assert_int_equal(pt_backend_readlink(f->be, PT_NS_SYS,
					     "bus/pci/devices/0000:00:02.0/subsystem", buf,
					     sizeof(buf)),
			 (int)strlen("../../../bus/pci"));
	assert_string_equal(buf, "../../../bus/pci");
	assert_int_equal(pt_backend_readlink(f->be, PT_NS_SYS, "escape-absolute", buf, sizeof(buf)),
			 -EXDEV);
	assert_int_equal(pt_backend_readlink(f->be, PT_NS_SYS, "escape-relative", buf, sizeof(buf)),
			 -EXDEV);
	assert_int_equal(pt_backend_readlink(f->be, PT_NS_SYS, "dangling", buf, sizeof(buf)),
			 -ENOLINK);
	assert_int_equal(pt_backend_readlink(f->be, PT_NS_SYS, "missing", buf, sizeof(buf)),
			 -ENOENT);
	assert_int_equal(pt_backend_readlink(f->be, PT_NS_SYS,
					     "bus/pci/devices/0000:00:02.0/vendor", buf,
					     sizeof(buf)),
			 -EINVAL);
}

static void test_backend_sysfs_list_and_exists(void **state)
{
	struct fixture *f = *state;
	char **names = NULL;
	size_t n = 0;

	assert_int_equal(
		pt_backend_list(f->be, PT_NS_SYS, "bus/pci/devices/0000:00:02.0", &names, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "reset");
	assert_string_equal(names[1], "subsystem");
	assert_string_equal(names[2], "vendor");
	assert_null(names[3]);
	pt_strv_free(names);
	/* A write-only attribute exists even though it cannot be read. */
	assert_int_equal(pt_backend_exists(f->be, PT_NS_SYS, "bus/pci/devices/0000:00:02.0/reset"),
			 1);
	assert_int_equal(pt_backend_exists(f->be, PT_NS_SYS, "bus/pci/devices/0000:00:02.0/nope"),
			 0);
	assert_int_equal(pt_backend_exists(f->be, PT_NS_DEV, "vfio/vfio"), 0);
	assert_int_equal(pt_backend_list(f->be, PT_NS_SYS, "escape-relative", &names, &n), -EXDEV);
}

static void test_backend_sysfs_write(void **state)
{
	struct fixture *f = *state;
	char buf[64];

	assert_int_equal(pt_backend_write(f->be, PT_NS_SYS, "bus/pci/devices/0000:00:02.0/vendor",
					  "0x1234\n", 7),
			 0);
	assert_int_equal(pt_backend_read_line(f->be, PT_NS_SYS,
					      "bus/pci/devices/0000:00:02.0/vendor", buf,
					      sizeof(buf)),
			 0);
	assert_string_equal(buf, "0x1234");
	assert_int_equal(pt_backend_write(f->be, PT_NS_SYS, "bus/pci/nothing/here", "1", 1),
			 -ENOENT);
}

static void test_backend_sysfs_root_without_sys(void **state)
{
	char *root = tree_new();
	struct pt_backend *be = NULL;

	(void)state;
	assert_int_equal(pt_backend_sysfs_new(root, &be), -ENOENT);
	assert_null(be);
	tree_file(root, "sys", "not a directory");
	assert_int_equal(pt_backend_sysfs_new(root, &be), -ENOTDIR);
	tree_remove(root);
	assert_int_equal(pt_backend_sysfs_new("/nonexistent-pt-root", &be), -ENOENT);
}

#define BOTH(t)                                                      \
	cmocka_unit_test_setup_teardown(t, setup_openat2, teardown), \
		cmocka_unit_test_setup_teardown(t, setup_walker, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_backend_sysfs_read_through_links),
		BOTH(test_backend_sysfs_refuses_escapes),
		BOTH(test_backend_sysfs_readlink),
		BOTH(test_backend_sysfs_list_and_exists),
		BOTH(test_backend_sysfs_write),
		cmocka_unit_test(test_backend_sysfs_root_without_sys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
