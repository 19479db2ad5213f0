/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The trace: what the backend wrappers record, and how values are kept. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

/* The header's contract for a trace that is absent, empty, or asked for what it lacks. */
static void test_trace_null_and_bounds(void **state)
{
	struct pt_trace *t = NULL;

	(void)state;
	assert_int_equal(pt_trace_add(NULL, PT_EVENT_NOTE, PT_NS_SYS, "x", "y", 1, 0, NULL), 0);
	assert_int_equal(pt_trace_count(NULL), 0);
	assert_null(pt_trace_event(NULL, 0));
	assert_false(pt_trace_reads(NULL));
	assert_null(pt_trace_free(NULL));
	assert_null(pt_event_kind_to_string(_PT_EVENT_KIND_MAX));
	assert_null(pt_event_kind_to_string((enum pt_event_kind) - 1));
	assert_string_equal(pt_event_kind_to_string(PT_EVENT_READLINK), "readlink");
	assert_string_equal(pt_event_kind_to_string(PT_EVENT_IOCTL), "ioctl");
	assert_string_equal(pt_event_kind_to_string(PT_EVENT_FAULT), "fault");
	assert_string_equal(pt_event_kind_to_string(PT_EVENT_NOTE), "note");

	assert_int_equal(pt_trace_new(&t), 0);
	assert_false(pt_trace_reads(t));
	pt_trace_set_reads(t, true);
	assert_true(pt_trace_reads(t));
	assert_null(pt_trace_event(t, 0));
	/* An event without path or value keeps both NULL. */
	assert_int_equal(pt_trace_add(t, PT_EVENT_CLOSE, PT_NS_DEV, NULL, NULL, 0, -EBADF, NULL),
			 0);
	assert_null(pt_trace_event(t, 0)->path);
	assert_null(pt_trace_event(t, 0)->value);
	assert_int_equal(pt_trace_event(t, 0)->result, -EBADF);
	assert_int_equal(pt_trace_event(t, 0)->ns, PT_NS_DEV);
	assert_null(pt_trace_event(t, 1));
	/* A rule without detail has no value. */
	assert_int_equal(pt_trace_rule(t, "E-ROLLBACK", "0000:01:00.0", NULL), 0);
	assert_null(pt_trace_event(t, 1)->value);
	/* Clearing keeps the reads setting. */
	pt_trace_clear(t);
	assert_true(pt_trace_reads(t));
	pt_trace_free(t);
}

/* Text past 256 bytes is cut with "..."; short binary is escaped, not summarised. */
static void test_trace_long_and_short_values(void **state)
{
	char text[300], want[260];
	const unsigned char bin[4] = { 0x00, 0x10, 0x86, 0x80 };
	struct pt_trace *t = NULL;

	(void)state;
	memset(text, 'a', sizeof(text));
	memset(want, 'a', 256);
	strcpy(want + 256, "...");
	assert_int_equal(pt_trace_new(&t), 0);
	assert_int_equal(
		pt_trace_add(t, PT_EVENT_WRITE, PT_NS_SYS, "x", text, sizeof(text), 0, NULL), 0);
	assert_string_equal(pt_trace_event(t, 0)->value, want);
	assert_int_equal(
		pt_trace_add(t, PT_EVENT_READ, PT_NS_SYS, "x/config", bin, sizeof(bin), 4, NULL),
		0);
	assert_string_equal(pt_trace_event(t, 1)->value, "\\x00\\x10\\x86\\x80");
	/* Exactly 256 bytes of text is kept whole. */
	assert_int_equal(pt_trace_add(t, PT_EVENT_WRITE, PT_NS_SYS, "x", text, 256, 0, NULL), 0);
	assert_int_equal(strlen(pt_trace_event(t, 2)->value), 256);
	/* DEL is not printable. */
	assert_int_equal(pt_trace_add(t, PT_EVENT_WRITE, PT_NS_SYS, "x", "\x7f", 1, 0, NULL), 0);
	assert_string_equal(pt_trace_event(t, 3)->value, "\\x7f");
	pt_trace_free(t);
}

/* The trace grows past its first allocation and keeps every event in order. */
static void test_trace_grows(void **state)
{
	struct pt_trace *t = NULL;
	char path[32];

	(void)state;
	assert_int_equal(pt_trace_new(&t), 0);
	for (int i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "p%d", i);
		assert_int_equal(pt_trace_add(t, PT_EVENT_NOTE, PT_NS_SYS, path, NULL, 0, i, NULL),
				 0);
	}
	assert_int_equal(pt_trace_count(t), 200);
	for (int i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "p%d", i);
		assert_string_equal(pt_trace_event(t, (size_t)i)->path, path);
		assert_int_equal(pt_trace_event(t, (size_t)i)->result, i);
	}
	assert_null(pt_trace_event(t, 200));
	pt_trace_free(t);
}

/* An event inserted where an access began comes before what its handler traced meanwhile. */
static void test_trace_insert_causal_order(void **state)
{
	struct pt_trace *t = NULL;
	size_t at;

	(void)state;
	assert_int_equal(pt_trace_new(&t), 0);
	assert_int_equal(pt_trace_add(t, PT_EVENT_NOTE, PT_NS_SYS, "before", NULL, 0, 0, NULL), 0);
	at = pt_trace_count(t);
	assert_int_equal(pt_trace_rule(t, "K-X", "0000:01:00.0", "fired by the store"), 0);
	assert_int_equal(pt_trace_insert(t, at, PT_EVENT_WRITE, PT_NS_SYS, "bind", "a", 1, 0, NULL),
			 0);
	assert_int_equal(pt_trace_count(t), 3);
	assert_string_equal(pt_trace_event(t, 0)->path, "before");
	assert_int_equal(pt_trace_event(t, 1)->kind, PT_EVENT_WRITE);
	assert_int_equal(pt_trace_event(t, 2)->kind, PT_EVENT_RULE);
	/* Past the end appends. */
	assert_int_equal(pt_trace_insert(t, 99, PT_EVENT_NOTE, PT_NS_SYS, "end", NULL, 0, 0, NULL),
			 0);
	assert_string_equal(pt_trace_event(t, 3)->path, "end");
	pt_trace_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_backend_writes_and_reads),
		cmocka_unit_test(test_trace_values),
		cmocka_unit_test(test_trace_null_and_bounds),
		cmocka_unit_test(test_trace_long_and_short_values),
		cmocka_unit_test(test_trace_grows),
		cmocka_unit_test(test_trace_insert_causal_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
