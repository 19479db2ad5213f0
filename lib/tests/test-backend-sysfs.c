/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sysfs backend: every access stays beneath the root, with openat2 and with the walker. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <dirent.h>

#include "backend.h"
#include "trace.h"
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
	tree_link(f->outside, "outlink", "secret-target");
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
	tree_link(f->root, "sys/escape-dir", f->outside);
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
	/* A link reached through a directory link that leaves the root: refused, and nothing
	 * of what lies outside is handed back. */
	strcpy(buf, "unchanged");
	assert_int_equal(
		pt_backend_readlink(f->be, PT_NS_SYS, "escape-dir/outlink", buf, sizeof(buf)),
		-EXDEV);
	assert_null(strstr(buf, "secret"));
	assert_int_equal(pt_backend_readlink(f->be, PT_NS_SYS, "devices/../escape-dir/outlink", buf,
					     sizeof(buf)),
			 -EXDEV);
	assert_null(strstr(buf, "secret"));
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

/* The typed listing says what each entry is (on a file system that fills d_type). */
static void test_backend_sysfs_list_types(void **state)
{
	struct fixture *f = *state;
	unsigned char *types = NULL;
	char **names = NULL;
	size_t n = 0;

	assert_int_equal(
		pt_backend_list_types(f->be, PT_NS_SYS, "devices/pci0000:00", &names, &types, &n),
		0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "0000:00:02.0");
	assert_true(types[0] == DT_DIR || types[0] == DT_UNKNOWN);
	pt_strv_free(names);
	free(types);
	assert_int_equal(pt_backend_list_types(f->be, PT_NS_SYS, "bus/pci/devices/0000:00:02.0",
					       &names, &types, &n),
			 0);
	assert_int_equal(n, 3);
	assert_string_equal(names[1], "subsystem");
	assert_true(types[1] == DT_LNK || types[1] == DT_UNKNOWN);
	assert_true(types[2] == DT_REG || types[2] == DT_UNKNOWN);
	/* tmpfs and ext4 fill d_type: the walker relies on it only when it is known. */
	assert_true(types[0] != DT_UNKNOWN || types[1] != DT_UNKNOWN || types[2] != DT_UNKNOWN);
	pt_strv_free(names);
	free(types);
	assert_int_equal(
		pt_backend_list_types(f->be, PT_NS_SYS, "escape-relative", &names, &types, &n),
		-EXDEV);
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

/* Names too long for the kernel: a component past NAME_MAX, a path past PATH_MAX. */
static void test_backend_sysfs_long_names(void **state)
{
	struct fixture *f = *state;
	char comp[NAME_MAX + 2], *path;
	char buf[64];
	size_t len;

	memset(comp, 'a', sizeof(comp) - 1);
	comp[sizeof(comp) - 1] = '\0';
	assert_int_equal(pt_backend_read(f->be, PT_NS_SYS, comp, buf, sizeof(buf), &len),
			 -ENAMETOOLONG);
	path = malloc(3 * PATH_MAX);
	for (size_t i = 0; i < 3 * PATH_MAX - 1; i += 2)
		memcpy(path + i, "a/", 2);
	path[3 * PATH_MAX - 1] = '\0';
	assert_int_equal(pt_backend_read(f->be, PT_NS_SYS, path, buf, sizeof(buf), &len),
			 -ENAMETOOLONG);
	/* A link whose directory part alone is past PATH_MAX. */
	assert_int_equal(pt_backend_readlink(f->be, PT_NS_SYS, path, buf, sizeof(buf)),
			 -ENAMETOOLONG);
	free(path);
	/* A link target that does not fit the caller's buffer. */
	assert_int_equal(pt_backend_readlink(f->be, PT_NS_SYS,
					     "bus/pci/devices/0000:00:02.0/subsystem", buf, 4),
			 -ENAMETOOLONG);
}

/* The namespaces: an unknown one is invalid, an absent one (no dev/ here) does not exist. */
static void test_backend_sysfs_namespaces(void **state)
{
	struct fixture *f = *state;
	char buf[64];
	char **names = NULL;
	size_t n = 0, len;

	assert_string_equal(pt_ns_to_string(PT_NS_SYS), "sys");
	assert_string_equal(pt_ns_to_string(PT_NS_DEV), "dev");
	assert_string_equal(pt_ns_to_string(PT_NS_PROC), "proc");
	assert_null(pt_ns_to_string(_PT_NS_MAX));
	assert_int_equal(pt_backend_read(f->be, _PT_NS_MAX, "x", buf, sizeof(buf), &len), -EINVAL);
	assert_int_equal(pt_backend_exists(f->be, _PT_NS_MAX, "x"), -EINVAL);
	assert_int_equal(pt_backend_read(f->be, PT_NS_DEV, "vfio/vfio", buf, sizeof(buf), &len),
			 -ENOENT);
	assert_int_equal(pt_backend_write(f->be, PT_NS_DEV, "vfio/vfio", "x", 1), -ENOENT);
	assert_int_equal(pt_backend_readlink(f->be, PT_NS_DEV, "vfio/1", buf, sizeof(buf)),
			 -ENOENT);
	assert_int_equal(pt_backend_list(f->be, PT_NS_DEV, "vfio", &names, &n), -ENOENT);
	assert_int_equal(pt_backend_dev_open(f->be, "vfio/vfio", O_RDWR), -ENOENT);
	/* The empty path is the namespace's own directory. */
	assert_int_equal(pt_backend_list(f->be, PT_NS_PROC, "", &names, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "sys");
	pt_strv_free(names);
	/* An empty directory lists as an empty, NULL-terminated array. */
	tree_dir(f->root, "sys/empty");
	assert_int_equal(pt_backend_list(f->be, PT_NS_SYS, "empty", &names, &n), 0);
	assert_int_equal(n, 0);
	assert_null(names[0]);
	pt_strv_free(names);
	/* Listing a file is not a directory. */
	assert_int_equal(pt_backend_list(f->be, PT_NS_SYS, "devices/pci0000:00/0000:00:02.0/vendor",
					 &names, &n),
			 -ENOTDIR);
}

/* The generic wrappers' argument checks, whatever the backend. */
static void test_backend_arguments(void **state)
{
	struct fixture *f = *state;
	char buf[8];
	size_t len;

	assert_int_equal(pt_backend_read(NULL, PT_NS_SYS, "x", buf, sizeof(buf), &len), -EINVAL);
	assert_int_equal(pt_backend_read(f->be, PT_NS_SYS, NULL, buf, sizeof(buf), &len), -EINVAL);
	assert_int_equal(pt_backend_write(NULL, PT_NS_SYS, "x", "1", 1), -EINVAL);
	assert_int_equal(pt_backend_exists(f->be, PT_NS_SYS, "/sys"), -EXDEV);
	assert_int_equal(pt_backend_dev_open(f->be, "/dev/null", O_RDONLY), -EXDEV);
	assert_int_equal(pt_backend_dev_ioctl(NULL, 0, 0, NULL), -EINVAL);
	assert_int_equal(pt_backend_dev_close(NULL, 0), -EINVAL);
	assert_null(pt_backend_free(NULL));
	/* A line needs room for at least one byte and its NUL. */
	assert_int_equal(pt_backend_read_line(f->be, PT_NS_SYS,
					      "bus/pci/devices/0000:00:02.0/vendor", buf, 1),
			 -EINVAL);
	/* "0x8086\n" is 7 bytes: it does not fit 7 with the NUL, it fits 8. */
	assert_int_equal(pt_backend_read_line(f->be, PT_NS_SYS,
					      "bus/pci/devices/0000:00:02.0/vendor", buf, 7),
			 -EFBIG);
	assert_int_equal(pt_backend_read_line(f->be, PT_NS_SYS,
					      "bus/pci/devices/0000:00:02.0/vendor", buf, 8),
			 0);
	assert_string_equal(buf, "0x8086");
}

/* Device nodes open beneath dev/; ioctl and close are the system's. */
static void test_backend_sysfs_dev_nodes(void **state)
{
	struct fixture *f = *state;
	struct pt_backend *be = NULL;
	struct pt_trace *t = NULL;
	int fd, one = 0;

	tree_file(f->root, "dev/vfio/vfio", "");
	assert_int_equal(pt_backend_sysfs_new(f->root, &be), 0);
	assert_int_equal(pt_trace_new(&t), 0);
	be->trace = t;
	fd = pt_backend_dev_open(be, "vfio/vfio", O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pt_trace_count(t), 1);
	assert_int_equal(pt_trace_event(t, 0)->kind, PT_EVENT_OPEN);
	assert_int_equal(pt_trace_event(t, 0)->ns, PT_NS_DEV);
	assert_string_equal(pt_trace_event(t, 0)->path, "vfio/vfio");
	/* A regular file has no ioctls: the kernel answers ENOTTY. */
	assert_int_equal(pt_backend_dev_ioctl(be, fd, TIOCGWINSZ, &one), -ENOTTY);
	assert_int_equal(pt_backend_dev_close(be, fd), 0);
	assert_int_equal(pt_backend_dev_close(be, fd), -EBADF);
	assert_int_equal(pt_backend_dev_open(be, "vfio/42", O_RDWR), -ENOENT);
	assert_int_equal(pt_trace_event(t, 1)->result, -ENOENT);
	/* With reads traced, readlink and list are recorded with their results. */
	pt_trace_set_reads(t, true);
	assert_int_equal(pt_backend_exists(be, PT_NS_DEV, "vfio/vfio"), 1);
	{
		char buf[64];
		char **names = NULL;
		size_t n = 0;

		assert_true(pt_backend_readlink(be, PT_NS_SYS, "bus/pci/devices/0000:00:02.0", buf,
						sizeof(buf)) > 0);
		assert_int_equal(pt_backend_list(be, PT_NS_DEV, "vfio", &names, &n), 0);
		pt_strv_free(names);
	}
	assert_int_equal(pt_trace_count(t), 4);
	assert_int_equal(pt_trace_event(t, 2)->kind, PT_EVENT_READLINK);
	assert_string_equal(pt_trace_event(t, 2)->value,
			    "../../../devices/pci0000:00/0000:00:02.0");
	assert_int_equal(pt_trace_event(t, 3)->kind, PT_EVENT_LIST);
	assert_string_equal(pt_trace_event(t, 3)->path, "vfio");
	pt_trace_free(t);
	pt_backend_free(be);
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
		BOTH(test_backend_sysfs_list_types),
		BOTH(test_backend_sysfs_write),
		BOTH(test_backend_sysfs_long_names),
		BOTH(test_backend_sysfs_namespaces),
		BOTH(test_backend_sysfs_dev_nodes),
		cmocka_unit_test_setup_teardown(test_backend_arguments, setup_openat2, teardown),
		cmocka_unit_test(test_backend_sysfs_root_without_sys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
