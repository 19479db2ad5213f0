/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Recordings: syntax errors with their line, and inspect reporting exactly what the links say. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "hostsrc.h"
#include "output.h"

static const struct {
	const char *text;
	const char *where; /* "rec:LINE:" prefix expected */
	const char *reason;
} syntax_cases[] = {
	{ "A: vendor=0x8086\n", "rec:1:", "must start with" },
	{ "P: /sys/bus/pci\nE: SUBSYSTEM=pci\n", "rec:1:", "not under /devices/" },
	{ "P: /devices/pci0000:00/0000:00:02.0\nA: vendor=1\n", "rec:1:", "SUBSYSTEM" },
	{ "P: /devices/p\nE: SUBSYSTEM=pci\nA: vendor\n", "rec:3:", "key=value" },
	{ "P: /devices/p\nE: SUBSYSTEM=pci\nH: config=868\n", "rec:3:", "even number" },
	{ "P: /devices/p\nE: SUBSYSTEM=pci\nH: config=86ZZ\n", "rec:3:", "even number" },
	{ "P: /devices/p\nE: SUBSYSTEM=pci\nQ: what\n", "rec:3:", "unknown line type" },
	{ "P: /devices/p\nE: SUBSYSTEM=pci\nL: subsystem=../../bus/pci\n",
	  "rec:3:", "umockdev creates it" },
	{ "P: /devices/p\nE: SUBSYSTEM=pci\nL: driver=a\nL: driver=b\n", "rec:4:", "twice" },
	{ "P: /devices/p\nE: SUBSYSTEM=pci\nE: SUBSYSTEM=net\n", "rec:3:", "duplicate" },
	{ "P: /devices/p\nE: SUBSYSTEM=pci\n\nP: /devices/q\nE: SUBSYSTEM=pci\nP: /devices/r\n",
	  "rec:6:", "P: line inside" },
	{ "\n\n", "rec:", "no device blocks" },
	{ "P: /devices/p\nE:SUBSYSTEM=pci\n", "rec:2:", "expected \"T: value\"" },
	{ "P: /devices/p\nE: SUBSYSTEM=pci\n\nP: /devices/p\nE: SUBSYSTEM=pci\n",
	  "rec:4:", "described twice (first at line 1)" },
	{ "P: /devices/p\nE: SUBSYSTEM=pci\nA: q/net/x=1\n\nP: /devices/p/q\nE: SUBSYSTEM=pci\n",
	  "rec:3:", "inside device /devices/p/q, which has its own block (line 5)" },
};

static void test_recording_syntax_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(syntax_cases); i++) {
		g_autoptr(GError) error = NULL;

		assert_false(pth_recording_check("rec", syntax_cases[i].text, &error));
		print_message("%s\n", error->message);
		assert_true(g_str_has_prefix(error->message, syntax_cases[i].where));
		assert_non_null(strstr(error->message, syntax_cases[i].reason));
	}
}

/*
 * A recording is untrusted: names that would leave the device's directory, collide or exceed
 * what a file system takes are load errors naming their line (the trial's evil-*.umockdev and
 * crash-*.umockdev, reduced to one device). Each case is appended to a valid block.
 */
#define HOSTILE_HEAD                                                                 \
	"P: /devices/pci0000:00/0000:00:02.0\nE: SUBSYSTEM=pci\n"                    \
	"H: config=8680101000000000000000020000000000000000000000000000000000000000" \
	"0000000000000000000000000000000000000000000000000000000000000000\n"

static const struct {
	const char *line; /* appended as line 4 */
	const char *reason;
} hostile_cases[] = {
	{ "A: ../../../../tmp/ptharness-escape/victim=overwritten\\n", "'..' component" },
	{ "L: ../../../../tmp/ptharness-escape/link=/etc/shadow", "'..' component" },
	{ "N: ../../../../tmp/ptharness-escape/node=41424344", "'..' component" },
	{ "A: /etc/passwd=x", "starts with '/'" },
	{ "A: power//control=auto", "empty component" },
	{ "A: power/=auto", "empty component" },
	{ "L: driver=", "no target" },
	{ "L: driver=/sys/bus/pci/drivers/e1000e", "absolute" },
	{ "A: a/b/c/d/e/f/g/h/i=1", "nested too deep" },
};

static void test_recording_hostile_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(hostile_cases); i++) {
		g_autofree char *text =
			g_strconcat(HOSTILE_HEAD, hostile_cases[i].line, "\n", NULL);
		g_autoptr(GError) error = NULL;

		assert_false(pth_recording_check("rec", text, &error));
		print_message("%s\n", error->message);
		assert_true(g_str_has_prefix(error->message, "rec:4: "));
		assert_non_null(strstr(error->message, hostile_cases[i].reason));
	}
	{
		/* Over-long names and targets: a 256-byte component, a 5,000-byte target. */
		g_autofree char *longname = g_strnfill(256, 'a');
		g_autofree char *longtarget = g_strnfill(5000, 'b');
		g_autofree char *t1 = g_strdup_printf(HOSTILE_HEAD "N: %s\n", longname);
		g_autofree char *t2 =
			g_strdup_printf(HOSTILE_HEAD "L: firmware_node=%s\n", longtarget);
		g_autoptr(GError) e1 = NULL, e2 = NULL;

		assert_false(pth_recording_check("rec", t1, &e1));
		assert_non_null(strstr(e1->message, "rec:4: device node: a component"));
		assert_false(pth_recording_check("rec", t2, &e2));
		assert_non_null(strstr(e2->message, "rec:4: link 'firmware_node': the link target "
						    "is longer than 4095 bytes"));
	}
	{
		/* Colliding: a name twice; one device under two roots (crash-samebase). */
		g_autoptr(GError) e1 = NULL, e2 = NULL;

		assert_false(
			pth_recording_check("rec", HOSTILE_HEAD "A: enable=1\nA: enable=0\n", &e1));
		assert_non_null(strstr(e1->message, "rec:5: 'enable' is given twice"));
		assert_false(pth_recording_check(
			"rec",
			HOSTILE_HEAD "\nP: /devices/pci0000:01/0000:00:02.0\nE: SUBSYSTEM=pci\n",
			&e2));
		assert_non_null(strstr(e2->message, "rec:5: device 0000:00:02.0 is given twice"));
	}
	{
		/* Cut short: the file ends inside a line (the trial's truncated-1000). */
		g_autoptr(GError) e = NULL;

		assert_false(pth_recording_check("rec", HOSTILE_HEAD "A: enable=1", &e));
		assert_non_null(strstr(e->message, "rec:4: the file ends inside this line"));
	}
}

/* A virtio-net function keeps its netdev at virtioN/net/eth0: the default route through it
 * makes the function host-critical (bugs row 6: certify planned to bind it to vfio-pci). */
static void test_recording_virtio_default_route(void **state)
{
	static const char rec[] =
		"P: /devices/pci0000:00/0000:00:03.0\nE: SUBSYSTEM=pci\nA: class=0x020000\\n\n"
		"H: config=F41A411000000000010000020000000000000000000000000000000000000000"
		"0000000000000000000000000000000000000000000000000000000000000000\n"
		"L: driver=../../../bus/pci/drivers/virtio-pci\n"
		"L: iommu_group=../../../kernel/iommu_groups/3\n\n"
		"P: /devices/pci0000:00/0000:00:03.0/virtio0\nE: SUBSYSTEM=virtio\n"
		"L: driver=../../../../bus/virtio/drivers/virtio_net\n\n"
		"P: /devices/pci0000:00/0000:00:03.0/virtio0/net/eth0\nE: SUBSYSTEM=net\n"
		"E: INTERFACE=eth0\nA: operstate=up\\n\n\n"
		"P: /devices/virtual/ptharness/host\nE: SUBSYSTEM=ptharness\n"
		"A: proc/sys/kernel/osrelease=6.1.0\\n\n"
		"A: proc/net/route=Iface\\tDestination\\tGateway\\tFlags\\tRefCnt\\tUse\\tMetric\\t"
		"Mask\\tMTU\\tWindow\\tIRTT\\neth0\\t00000000\\t0102A8C0\\t0003\\t0\\t0\\t0\\t"
		"00000000\\t0\\t0\\t0\\n\n\n";
	g_autofree char *tmp = NULL;
	g_autoptr(GError) error = NULL;
	struct pth_host_source *src;
	struct pt_host *host = NULL;
	int fd;

	(void)state;
	fd = g_file_open_tmp("pt-virtio-XXXXXX.umockdev", &tmp, NULL);
	close(fd);
	assert_true(g_file_set_contents(tmp, rec, -1, NULL));
	src = pth_host_source_open(tmp, &error);
	if (!src)
		fail_msg("%s", error->message);
	assert_int_equal(pth_host_source_scan(src, NULL, &host, &error), 0);
	assert_string_equal(pt_dev_props(pt_host_find_dev(host, "0000:00:03.0"))->netdevs[0],
			    "eth0");
	assert_int_equal(pt_dev_critical(pt_host_find_dev(host, "0000:00:03.0")),
			 PT_CRITICAL_DEFAULT_ROUTE);
	pt_host_free(host);
	pth_host_source_free(src);
	g_unlink(tmp);
}

static char *fixture(const char *name)
{
	return g_build_filename(HOSTS_DIR, name, NULL);
}

/* Cut a committed recording in the middle of a config line: the error names that line. */
static void test_recording_truncated(void **state)
{
	g_autofree char *path = fixture("desktop-gpu.umockdev"), *text = NULL, *tmp = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *want = NULL;
	char *cut;
	guint line = 1;
	int fd;

	(void)state;
	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	cut = strstr(strstr(text, "P: /devices/pci0000:00/0000:00:17.0"), "H: config=");
	for (char *c = text; c < cut; c++)
		line += *c == '\n';
	cut[strlen("H: config=") + 7] = '\0'; /* an odd number of hex digits */
	fd = g_file_open_tmp("pt-trunc-XXXXXX.umockdev", &tmp, NULL);
	assert_true(fd >= 0);
	close(fd);
	assert_true(g_file_set_contents(tmp, text, -1, NULL));

	assert_null(pth_host_source_open(tmp, &error));
	want = g_strdup_printf("%s:%u: ", tmp, line);
	print_message("%s\n", error->message);
	assert_true(g_str_has_prefix(error->message, want));
	g_unlink(tmp);
}

/* A well-formed recording whose config is too short: the load error names the block. */
static void test_recording_short_config(void **state)
{
	static const char rec[] = "P: /devices/pci0000:00/0000:00:02.0\n"
				  "E: SUBSYSTEM=pci\n"
				  "A: vendor=0x8086\\n\n"
				  "H: config=86801010\n"
				  "\n";
	g_autofree char *tmp = NULL, *want = NULL;
	g_autoptr(GError) error = NULL;
	int fd;

	(void)state;
	fd = g_file_open_tmp("pt-short-XXXXXX.umockdev", &tmp, NULL);
	close(fd);
	assert_true(g_file_set_contents(tmp, rec, -1, NULL));
	assert_null(pth_host_source_open(tmp, &error));
	print_message("%s\n", error->message);
	want = g_strdup_printf("%s:1: device 0000:00:02.0: config space shorter than 64 bytes",
			       tmp);
	assert_true(g_str_has_prefix(error->message, want));
	g_unlink(tmp);
}

static void test_recording_unknown_host(void **state)
{
	g_autoptr(GError) error = NULL;

	(void)state;
	assert_null(pth_host_source_open("/nonexistent/host.umockdev", &error));
	assert_non_null(strstr(error->message, "/nonexistent/host.umockdev: no such host"));
}

/*
 * The model serves the blocks it does not own as recorded: bond0's lower_eno1 link reaches
 * eno1's directory, br0 is listed in class/net, the iSCSI connection and the IPv6 route
 * table are there, and the scan follows br0 -> bond0 down to both I350 ports.
 */
static void test_recording_stacked_netdevs(void **state)
{
	g_autofree char *path = fixture("server-bond.umockdev");
	g_autoptr(GError) error = NULL;
	struct pth_host_source *src = pth_host_source_open(path, &error);
	struct pt_backend *be;
	struct pt_host *host = NULL;
	char buf[256];
	size_t len;

	(void)state;
	if (!src)
		fail_msg("%s", error->message);
	be = pth_host_source_backend(src);
	assert_true(pt_backend_readlink(be, PT_NS_SYS, "class/net/bond0/lower_eno1", buf,
					sizeof(buf)) >= 0);
	assert_string_equal(buf, "../../../pci0000:00/0000:00:1c.0/0000:02:00.0/net/eno1");
	assert_true(pt_backend_read_line(be, PT_NS_SYS,
					 "class/net/br0/lower_bond0/lower_eno2/address", buf,
					 sizeof(buf)) >= 0);
	assert_string_equal(buf, "3c:fd:fe:a0:5c:11");
	assert_true(pt_backend_read_line(be, PT_NS_SYS,
					 "class/iscsi_connection/connection1:0/persistent_address",
					 buf, sizeof(buf)) >= 0);
	assert_string_equal(buf, "fd00:10::5");
	assert_true(pt_backend_read(be, PT_NS_PROC, "net/ipv6_route", buf, sizeof(buf), &len) >= 0);
	assert_int_equal(pth_host_source_scan(src, NULL, &host, &error), 0);
	for (int fn = 0; fn < 2; fn++) {
		const struct pt_dev *d =
			pt_host_find_dev(host, fn ? "0000:02:00.1" : "0000:02:00.0");

		assert_int_equal(pt_dev_critical(d), PT_CRITICAL_DEFAULT_ROUTE);
		assert_string_equal(pt_dev_critical_via(d), "br0 -> bond0");
	}
	assert_int_equal(pt_dev_critical(pt_host_find_dev(host, "0000:03:00.1")),
			 PT_CRITICAL_NETWORK_ROOT);
	assert_int_equal(pt_dev_critical(pt_host_find_dev(host, "0000:03:00.0")), PT_CRITICAL_NONE);
	pt_host_free(host);
	pth_host_source_free(src);
}

/* What the recording itself says: per PCI block, its driver and iommu_group link targets. */
struct recorded {
	GHashTable *driver; /* bdf -> driver name ("" when unbound) */
	GHashTable *group; /* bdf -> group id as text ("" when none) */
};

static void read_links(const char *text, struct recorded *r)
{
	g_auto(GStrv) blocks = g_strsplit(text, "\n\n", -1);

	r->driver = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	r->group = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (guint i = 0; blocks[i]; i++) {
		g_auto(GStrv) lines = g_strsplit(blocks[i], "\n", -1);
		g_autofree char *bdf = NULL, *drv = g_strdup(""), *grp = g_strdup("");
		gboolean pci = FALSE;

		for (guint j = 0; lines[j]; j++) {
			const char *l = lines[j];

			if (g_str_has_prefix(l, "P: "))
				bdf = g_path_get_basename(l + 3);
			else if (strcmp(l, "E: SUBSYSTEM=pci") == 0)
				pci = TRUE;
			else if (g_str_has_prefix(l, "L: driver=")) {
				g_free(drv);
				drv = g_path_get_basename(l + strlen("L: driver="));
			} else if (g_str_has_prefix(l, "L: iommu_group=")) {
				g_free(grp);
				grp = g_path_get_basename(l + strlen("L: iommu_group="));
			}
		}
		if (pci && bdf) {
			g_hash_table_insert(r->driver, g_strdup(bdf), g_steal_pointer(&drv));
			g_hash_table_insert(r->group, g_steal_pointer(&bdf), g_steal_pointer(&grp));
		}
	}
}

/* The viability each recording must show, by the kernel's rule (>= 5.19: members on drivers
 * without driver_managed_dma block; vfio-pci, pci-stub, pcieport and unbound do not). */
static const struct {
	const char *file;
	const char *blocked; /* "group:bdf=driver ..." for every blocker, in order */
	const char *viable; /* ids of the viable groups */
} expected[] = {
	{ "desktop-gpu.umockdev",
	  "1:0000:01:00.0=nouveau 1:0000:01:00.1=snd_hda_intel 2:0000:00:14.0=xhci_hcd "
	  "3:0000:00:17.0=ahci 5:0000:02:00.0=nvme 6:0000:00:1f.6=e1000e",
	  "0 4" },
	{ "server-sriov.umockdev",
	  "11:0000:3b:00.0=igb 12:0000:3b:00.1=igb 13:0000:5e:00.0=mpt3sas 14:0000:00:1f.2=ahci "
	  "61:0000:3b:10.4=igbvf 62:0000:3b:11.0=igbvf 63:0000:3b:11.4=igbvf",
	  "0 10 60" },
	{ "switch-noacs.umockdev", "1:0000:05:00.0=nvme 2:0000:07:01.0=e1000", "0" },
};

static void test_recording_inspect_matches_links(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
		g_autofree char *path = fixture(expected[i].file), *text = NULL;
		g_autoptr(GError) error = NULL;
		g_autoptr(GString) blocked = g_string_new(NULL), viable = g_string_new(NULL);
		struct recorded rec;
		struct pth_host_source *src;
		struct pt_host *host = NULL;
		JsonNode *root;
		JsonArray *devs, *groups;

		print_message("%s\n", expected[i].file);
		assert_true(g_file_get_contents(path, &text, NULL, NULL));
		read_links(text, &rec);
		src = pth_host_source_open(path, &error);
		assert_non_null(src);
		assert_int_equal(pt_host_new(pth_host_source_backend(src), NULL, &host, NULL), 0);
		root = pth_host_to_json(host, path);
		devs = json_object_get_array_member(json_node_get_object(root), "devices");
		groups = json_object_get_array_member(json_node_get_object(root), "groups");

		/* Every PCI device of the recording, with its driver and group as linked. */
		assert_int_equal(json_array_get_length(devs), g_hash_table_size(rec.driver));
		for (guint d = 0; d < json_array_get_length(devs); d++) {
			JsonObject *o = json_array_get_object_element(devs, d);
			const char *bdf = json_object_get_string_member(o, "address");
			const char *drv = g_hash_table_lookup(rec.driver, bdf);
			const char *grp = g_hash_table_lookup(rec.group, bdf);
			JsonNode *jd = json_object_get_member(o, "driver");
			JsonNode *jg = json_object_get_member(o, "iommu_group");
			g_autofree char *gs = NULL;

			assert_non_null(drv);
			assert_string_equal(
				JSON_NODE_HOLDS_NULL(jd) ? "" : json_node_get_string(jd), drv);
			gs = JSON_NODE_HOLDS_NULL(jg) ?
				     g_strdup("") :
				     g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(jg));
			assert_string_equal(gs, grp);
		}
		/* Each group lists exactly the devices that link to it. */
		for (guint g = 0; g < json_array_get_length(groups); g++) {
			JsonObject *o = json_array_get_object_element(groups, g);
			JsonArray *members = json_object_get_array_member(o, "devices");
			JsonArray *bl = json_object_get_array_member(o, "blockers");
			g_autofree char *id = g_strdup_printf("%" G_GINT64_FORMAT,
							      json_object_get_int_member(o, "id"));
			guint linked = 0;
			GHashTableIter it;
			gpointer k, v;

			g_hash_table_iter_init(&it, rec.group);
			while (g_hash_table_iter_next(&it, &k, &v))
				linked += strcmp(v, id) == 0;
			assert_int_equal(json_array_get_length(members), linked);
			for (guint m = 0; m < json_array_get_length(members); m++)
				assert_string_equal(
					g_hash_table_lookup(
						rec.group,
						json_array_get_string_element(members, m)),
					id);
			if (json_object_get_boolean_member(o, "viable"))
				g_string_append_printf(viable, "%s%s", viable->len ? " " : "", id);
			for (guint b = 0; b < json_array_get_length(bl); b++) {
				JsonObject *x = json_array_get_object_element(bl, b);

				g_string_append_printf(blocked, "%s%s:%s=%s",
						       blocked->len ? " " : "", id,
						       json_object_get_string_member(x, "address"),
						       json_object_get_string_member(x, "driver"));
				assert_string_equal(json_object_get_string_member(x, "rule"),
						    "K-GROUP-DMA-OWNER");
			}
		}
		assert_string_equal(blocked->str, expected[i].blocked);
		assert_string_equal(viable->str, expected[i].viable);

		json_node_unref(root);
		pt_host_free(host);
		pth_host_source_free(src);
		g_hash_table_unref(rec.driver);
		g_hash_table_unref(rec.group);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recording_syntax_errors),
		cmocka_unit_test(test_recording_hostile_names),
		cmocka_unit_test(test_recording_virtio_default_route),
		cmocka_unit_test(test_recording_stacked_netdevs),
		cmocka_unit_test(test_recording_truncated),
		cmocka_unit_test(test_recording_short_config),
		cmocka_unit_test(test_recording_unknown_host),
		cmocka_unit_test(test_recording_inspect_matches_links),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
