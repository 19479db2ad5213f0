/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The trace: what the backend wrappers record, and how values are kept. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "backend.h"
#include "trace.h"
#include "tree.h"

static void test_trace_backend_writes_and_reads(void **state)
{
	char *root = tree_new();
	struct pt_backend *be = NULL;
	struct pt_trace *t = NULL;
	const struct pt_event *e;
	char buf[64];

	(void)state;
	tree_file(root, "sys/bus/pci/drivers_probe", "");
	tree_file(root, "sys/bus/pci/drivers_autoprobe", "1\n");
	assert_int_equal(pt_backend_sysfs_new(root, &be), 0);
	assert_int_equal(pt_trace_new(&t), 0);
	be->trace = t;

	/* Reads are not recorded until asked for. */
	assert_int_equal(
		pt_backend_read_line(be, PT_NS_SYS, "bus/pci/drivers_autoprobe", buf, sizeof(buf)),
		0);
	assert_int_equal(pt_trace_count(t), 0);
	assert_int_equal(
		pt_backend_write(be, PT_NS_SYS, "bus/pci/drivers_probe", "0000:05:00.0\n", 13), 0);
	assert_int_equal(pt_backend_write(be, PT_NS_SYS, "bus/pci/nope", "x", 1), -ENOENT);
	pt_trace_set_reads(t, true);
	assert_int_equal(
		pt_backend_read_line(be, PT_NS_SYS, "bus/pci/drivers_autoprobe", buf, sizeof(buf)),
		0);

	assert_int_equal(pt_trace_count(t), 3);
	e = pt_trace_event(t, 0);
	assert_int_equal(e->kind, PT_EVENT_WRITE);
	assert_string_equal(e->path, "bus/pci/drivers_probe");
	assert_string_equal(e->value, "0000:05:00.0\\n");
	assert_int_equal(e->result, 0);
	e = pt_trace_event(t, 1);
	assert_int_equal(e->result, -ENOENT);
	e = pt_trace_event(t, 2);
	assert_int_equal(e->kind, PT_EVENT_READ);
	assert_string_equal(e->value, "1\\n");
	assert_string_equal(pt_event_kind_to_string(e->kind), "read");

	pt_trace_clear(t);
	assert_int_equal(pt_trace_count(t), 0);
	pt_trace_free(t);
	pt_backend_free(be);
	tree_remove(root);
}

static void test_trace_values(void **state)
{
	unsigned char cfg[4096];
	struct pt_trace *t = NULL;

	(void)state;
	memset(cfg, 0, sizeof(cfg));
	assert_int_equal(pt_trace_new(&t), 0);
	assert_int_equal(
		pt_trace_add(t, PT_EVENT_READ, PT_NS_SYS, "x/config", cfg, sizeof(cfg), 0, NULL),
		0);
	assert_string_equal(pt_trace_event(t, 0)->value, "<4096 bytes>");
	assert_int_equal(pt_trace_add(t, PT_EVENT_WRITE, PT_NS_SYS, "x", "a\tb\\\x01", 5, 0, NULL),
			 0);
	assert_string_equal(pt_trace_event(t, 1)->value, "a\\tb\\\\\\x01");
	assert_int_equal(pt_trace_rule(t, "K-GROUP-DMA-OWNER", "group 5", "e1000e on 0000:01:00.0"),
			 0);
	assert_int_equal(pt_trace_event(t, 2)->kind, PT_EVENT_RULE);
	assert_string_equal(pt_trace_event(t, 2)->rule, "K-GROUP-DMA-OWNER");
	assert_string_equal(pt_trace_event(t, 2)->path, "group 5");
	pt_trace_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_backend_writes_and_reads),
		cmocka_unit_test(test_trace_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
