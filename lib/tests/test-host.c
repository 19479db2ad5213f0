/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host model scanned from small sysfs trees made of real config dumps, good and broken. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend.h"
#include "host.h"
#include "tree.h"

static void copy_config(const char *root, const char *devdir, const char *dump, size_t len)
{
	char path[512], dst[512];
	size_t n;
	void *b;

	snprintf(path, sizeof(path), "%s/libvirt-config-dumps/%s", FIXTURES_DIR, dump);
	b = tree_slurp(path, &n);
	snprintf(dst, sizeof(dst), "%s/config", devdir);
	tree_file_bytes(root, dst, b, len && len < n ? len : n);
	free(b);
}

/* A device the way the kernel lays it out: its directory, the bus link, driver and group. */
static void add_dev(const char *root, const char *bdf, const char *parent, const char *dump,
		    const char *driver, int group, const char *reset_method)
{
	char dir[512], p[640], t[640], ups[64] = "../../";
	int depth = 2;

	snprintf(dir, sizeof(dir), "sys/devices/%s/%s", parent, bdf);
	for (const char *c = parent; *c; c++)
		depth += *c == '/';
	for (int i = 1; i < depth; i++)
		strcat(ups, "../");
	copy_config(root, dir, dump, 0);
	snprintf(p, sizeof(p), "%s/driver_override", dir);
	tree_file(root, p, "(null)\n");
	snprintf(p, sizeof(p), "%s/numa_node", dir);
	tree_file(root, p, "-1\n");
	if (reset_method) {
		snprintf(p, sizeof(p), "%s/reset_method", dir);
		tree_file(root, p, reset_method);
	}
	snprintf(p, sizeof(p), "sys/bus/pci/devices/%s", bdf);
	snprintf(t, sizeof(t), "../../../devices/%s/%s", parent, bdf);
	tree_link(root, p, t);
	if (driver) {
		snprintf(p, sizeof(p), "%s/driver", dir);
		snprintf(t, sizeof(t), "%sbus/pci/drivers/%s", ups, driver);
		tree_link(root, p, t);
		snprintf(p, sizeof(p), "sys/bus/pci/drivers/%s", driver);
		tree_dir(root, p);
	}
	if (group >= 0) {
		snprintf(p, sizeof(p), "%s/iommu_group", dir);
		snprintf(t, sizeof(t), "%skernel/iommu_groups/%d", ups, group);
		tree_link(root, p, t);
		snprintf(p, sizeof(p), "sys/kernel/iommu_groups/%d/devices/%s", group, bdf);
		snprintf(t, sizeof(t), "../../../../devices/%s/%s", parent, bdf);
		tree_link(root, p, t);
	}
}

/*
 * A root port on pcieport with a dual-port NIC on e1000e behind it (one group, no ACS), an
 * IGD with AF FLR on the root bus that is the boot VGA device, and an unbound card reader.
 */
static char *basic_host(void)
{
	char *root = tree_new();

	tree_file(root, "proc/sys/kernel/osrelease", "6.1.0-28-amd64\n");
	tree_dir(root, "sys/class/iommu/dmar0");
	add_dev(root, "0000:00:1c.0", "pci0000:00", "0001-00-00.0.config", "pcieport", 5, "pm\n");
	add_dev(root, "0000:01:00.0", "pci0000:00/0000:00:1c.0", "0001-01-00.0.config", "e1000e", 5,
		"pm\n");
	add_dev(root, "0000:01:00.1", "pci0000:00/0000:00:1c.0", "0001-01-00.1.config", "e1000e", 5,
		"pm\n");
	add_dev(root, "0000:00:02.0", "pci0000:00", "0000-00-02.0.config", "i915", 1,
		"af_flr pm\n");
	tree_file(root, "sys/devices/pci0000:00/0000:00:02.0/boot_vga", "1\n");
	add_dev(root, "0000:00:03.0", "pci0000:00", "0000-00-03.0.config", NULL, 2, "pm\n");
	return root;
}

static int scan(const char *root, const char *kernel, struct pt_host **ret, struct pt_error *err)
{
	struct pt_host_options opts = { .kernel = kernel };
	struct pt_backend *be = NULL;
	int r;

	assert_int_equal(pt_backend_sysfs_new(root, &be), 0);
	r = pt_host_new(be, &opts, ret, err);
	if (r < 0)
		pt_backend_free(be);
	return r;
}

static void done(struct pt_host *host)
{
	struct pt_backend *be = pt_host_backend(host);

	pt_host_free(host);
	pt_backend_free(be);
}

static const char *methods(const struct pt_reset_info *r, char *buf)
{
	buf[0] = '\0';
	for (size_t i = 0; i < r->count; i++) {
		strcat(buf, i ? " " : "");
		strcat(buf, pt_reset_method_to_string(r->methods[i]));
	}
	return buf;
}

static void test_host_scan_groups_and_viability(void **state)
{
	char *root = basic_host();
	struct pt_host *host = NULL;
	struct pt_group *g;
	char buf[128];

	(void)state;
	assert_int_equal(scan(root, NULL, &host, NULL), 0);
	assert_int_equal(pt_host_kernel(host)->major, 6);
	assert_int_equal(pt_host_kernel_source(host), PT_KVER_SOURCE_HOST);
	assert_true(pt_host_iommu_present(host));
	assert_int_equal(pt_host_dev_count(host), 5);
	assert_int_equal(pt_host_group_count(host), 3);
	assert_int_equal(pt_host_finding_count(host), 0);

	/* Group 5: the port does not count (pcieport manages DMA), both NIC functions do. */
	g = pt_host_find_group(host, 5);
	assert_non_null(g);
	assert_int_equal(pt_group_member_count(g), 3);
	assert_false(pt_group_viable(g));
	assert_int_equal(pt_group_blocker_count(g), 2);
	assert_string_equal(pt_dev_address(pt_group_blocker(g, 0)->dev), "0000:01:00.0");
	assert_string_equal(pt_group_blocker(g, 0)->driver, "e1000e");
	assert_string_equal(pt_group_blocker(g, 0)->rule, "K-GROUP-DMA-OWNER");
	assert_string_equal(pt_dev_address(pt_group_blocker(g, 1)->dev), "0000:01:00.1");

	/* Group 1: the IGD on i915 blocks, and it is the host console. */
	g = pt_host_find_group(host, 1);
	assert_false(pt_group_viable(g));
	assert_int_equal(pt_dev_critical(pt_group_blocker(g, 0)->dev), PT_CRITICAL_BOOT_VGA);

	/* Group 2: its only member is unbound. */
	assert_true(pt_group_viable(pt_host_find_group(host, 2)));

	/* Topology and resets: the kernel's list and our derivation agree on each device. */
	{
		const struct pt_dev *nic = pt_host_find_dev(host, "0000:01:00.0");
		const struct pt_dev *igd = pt_host_find_dev(host, "0000:00:02.0");

		assert_string_equal(pt_dev_props(nic)->parent, "0000:00:1c.0");
		assert_string_equal(pt_dev_props(nic)->driver, "e1000e");
		assert_null(pt_dev_props(nic)->override);
		assert_int_equal(pt_dev_props(nic)->vendor, 0x8086);
		assert_int_equal(pt_dev_props(nic)->class, 0x020000);
		assert_int_equal(pt_dev_bus_sibling_count(nic), 1);
		assert_string_equal(methods(pt_dev_reset(nic), buf), "pm");
		assert_int_equal(pt_dev_reset(nic)->source, PT_RESET_SOURCE_KERNEL);
		assert_string_equal(methods(pt_dev_reset_derived(nic), buf), "pm");
		assert_null(pt_dev_props(igd)->parent);
		assert_string_equal(methods(pt_dev_reset_derived(igd), buf), "af_flr pm");
	}
	done(host);
	tree_remove(root);
}

static void test_host_legacy_rules(void **state)
{
	char *root = basic_host();
	struct pt_host *host = NULL;
	struct pt_group *g;
	char buf[128];

	(void)state;
	/* Before 5.19 a bridge on any driver is exempt; before 5.15 there is no reset_method,
	 * so methods are derived from config space and position. */
	unlink(strcat(strcpy(buf, root),
		      "/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0/reset_method"));
	unlink(strcat(strcpy(buf, root), "/sys/devices/pci0000:00/0000:00:1c.0/driver"));
	tree_link(root, "sys/devices/pci0000:00/0000:00:1c.0/driver",
		  "../../../bus/pci/drivers/shpchp");
	tree_dir(root, "sys/bus/pci/drivers/shpchp");

	assert_int_equal(scan(root, "5.10", &host, NULL), 0);
	assert_int_equal(pt_host_kernel_source(host), PT_KVER_SOURCE_OPTION);
	g = pt_host_find_group(host, 5);
	assert_int_equal(pt_group_blocker_count(g), 2);
	assert_string_equal(pt_group_blocker(g, 0)->rule, "K-GROUP-LEGACY-VIABLE");
	assert_int_equal(pt_dev_reset(pt_host_find_dev(host, "0000:01:00.0"))->source,
			 PT_RESET_SOURCE_DERIVED);
	assert_string_equal(methods(pt_dev_reset(pt_host_find_dev(host, "0000:01:00.0")), buf),
			    "pm");
	done(host);

	/* The same tree under 6.1: shpchp on the port blocks (no driver_managed_dma), and a
	 * device without reset_method has no method at all. */
	assert_int_equal(scan(root, "6.1", &host, NULL), 0);
	g = pt_host_find_group(host, 5);
	assert_int_equal(pt_group_blocker_count(g), 3);
	assert_string_equal(pt_group_blocker(g, 0)->driver, "shpchp");
	assert_int_equal(pt_dev_reset(pt_host_find_dev(host, "0000:01:00.0"))->count, 0);
	done(host);
	tree_remove(root);
}

/* A broken host: a mutation of the basic tree, and the error it must give. */
static const struct broken {
	const char *name;
	const char *file; /* written (or, with link set, linked) relative to the root */
	const char *value; /* file content, or link target */
	bool link;
	size_t config_len; /* truncate 01:00.0's config to this length instead */
	int code;
	const char *path_suffix;
} broken_cases[] = {
	{ "numa_node not a number", "sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0/numa_node",
	  "abc\n", false, 0, -EINVAL, "0000:01:00.0/numa_node" },
	{ "class not hex", "sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0/class", "0xzz\n",
	  false, 0, -EINVAL, "0000:01:00.0/class" },
	{ "config too short", NULL, NULL, false, 12, -EBADMSG, "0000:01:00.0/config" },
	{ "dangling driver link", "sys/devices/pci0000:00/0000:00:03.0/driver",
	  "../../../bus/pci/drivers/gone", true, 0, -ENOLINK, "0000:00:03.0/driver" },
	{ "group link escapes the root", "sys/devices/pci0000:00/0000:00:03.0/iommu_group", "/etc",
	  true, 0, -EXDEV, "0000:00:03.0/iommu_group" },
	{ "odd device name", "sys/bus/pci/devices/0000:0G:00.0", "../../../devices/pci0000:00",
	  true, 0, -EINVAL, "0000:0G:00.0" },
	{ "device link dangles", "sys/bus/pci/devices/0000:09:00.0",
	  "../../../devices/pci0000:00/0000:09:00.0", true, 0, -ENOLINK, "0000:09:00.0" },
	{ "unknown reset method", "sys/devices/pci0000:00/0000:00:03.0/reset_method", "pm reboot\n",
	  false, 0, -EINVAL, "0000:00:03.0/reset_method" },
	{ "driver is a file, not a link", "sys/devices/pci0000:00/0000:00:03.0/driver", "e1000e\n",
	  false, 0, -EINVAL, "0000:00:03.0/driver" },
	{ "group link does not end in a number", "sys/devices/pci0000:00/0000:00:03.0/iommu_group",
	  "../../../bus", true, 0, -EINVAL, "0000:00:03.0/iommu_group" },
	{ "config dangles", "sys/devices/pci0000:00/0000:00:03.0/config", "nowhere", true, 0,
	  -ENOENT, "0000:00:03.0/config" },
	{ "device link escapes the root", "sys/bus/pci/devices/0000:09:00.0", "/etc", true, 0,
	  -EXDEV, "bus/pci/devices/0000:09:00.0" },
	{ "sriov_totalvfs not a number", "sys/devices/pci0000:00/0000:00:03.0/sriov_totalvfs",
	  "many\n", false, 0, -EINVAL, "0000:00:03.0/sriov_totalvfs" },
	{ "net is a file", "sys/devices/pci0000:00/0000:00:03.0/net", "eth0\n", false, 0, -ENOTDIR,
	  "0000:00:03.0/net" },
	{ "physfn dangles", "sys/devices/pci0000:00/0000:00:03.0/physfn", "../0000:00:09.0", true,
	  0, -ENOLINK, "0000:00:03.0/physfn" },
};

/* A device whose capture has no config space stays, with sysfs's ids and a finding. */
static void test_host_device_without_config(void **state)
{
	char *root = basic_host();
	struct pt_host *host = NULL;
	struct pt_error err = { 0 };
	struct pt_dev *dev;
	bool found = false;

	(void)state;
	tree_file(root, "sys/bus/pci/devices/0000:09:00.0/vendor", "0x8086\n");
	tree_file(root, "sys/bus/pci/devices/0000:09:00.0/device", "0x10d3\n");
	assert_int_equal(scan(root, NULL, &host, &err), 0);
	dev = pt_host_find_dev(host, "0000:09:00.0");
	assert_non_null(dev);
	assert_int_equal(pt_dev_props(dev)->vendor, 0x8086);
	assert_int_equal(pt_dev_props(dev)->device, 0x10d3);
	assert_string_equal(pt_dev_config_unknown(dev), "config space not in the capture");
	for (size_t i = 0; i < pt_host_finding_count(host); i++)
		found |= strcmp(pt_host_finding(host, i)->rule, "E-CAPTURE-CONFIG") == 0 &&
			 strcmp(pt_host_finding(host, i)->address, "0000:09:00.0") == 0;
	assert_true(found);
	done(host);
	tree_remove(root);
}

static void test_host_broken_trees(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(broken_cases) / sizeof(broken_cases[0]); i++) {
		const struct broken *b = &broken_cases[i];
		char *root = basic_host();
		struct pt_host *host = NULL;
		struct pt_error err = { 0 };
		char path[512];
		size_t plen, slen;

		print_message("%s\n", b->name);
		if (b->config_len) {
			copy_config(root, "sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0",
				    "0001-01-00.0.config", b->config_len);
		} else if (b->link) {
			snprintf(path, sizeof(path), "%s/%s", root, b->file);
			unlink(path);
			tree_link(root, b->file, b->value);
		} else {
			tree_file(root, b->file, b->value);
		}
		assert_int_equal(scan(root, NULL, &host, &err), b->code);
		assert_null(host);
		assert_int_equal(err.code, b->code);
		plen = strlen(err.path);
		slen = strlen(b->path_suffix);
		print_message("  %s: %s\n", err.path, err.reason);
		assert_true(plen >= slen);
		assert_string_equal(err.path + plen - slen, b->path_suffix);
		assert_true(strlen(err.reason) > 0);
		tree_remove(root);
	}
}

static void test_host_group_links_disagree(void **state)
{
	char *root = basic_host();
	struct pt_host *host = NULL;
	char path[512];
	bool missing = false, stranger = false;

	(void)state;
	snprintf(path, sizeof(path), "%s/sys/kernel/iommu_groups/5/devices/0000:01:00.1", root);
	unlink(path);
	tree_link(root, "sys/kernel/iommu_groups/2/devices/0000:01:00.1",
		  "../../../../devices/pci0000:00/0000:00:1c.0/0000:01:00.1");
	assert_int_equal(scan(root, NULL, &host, NULL), 0);
	for (size_t i = 0; i < pt_host_finding_count(host); i++) {
		const struct pt_finding *f = pt_host_finding(host, i);

		assert_string_equal(f->rule, "K-GROUP-LINKS");
		assert_string_equal(f->address, "0000:01:00.1");
		missing |= strstr(f->message, "does not list it") != NULL;
		stranger |= strstr(f->message, "kernel/iommu_groups/2 lists") != NULL;
	}
	assert_true(missing);
	assert_true(stranger);
	/* Membership follows the device's own link. */
	assert_int_equal(pt_group_member_count(pt_host_find_group(host, 5)), 3);
	done(host);
	tree_remove(root);
}

static void test_host_sriov_links(void **state)
{
	char *root = basic_host();
	const char *pf = "sys/devices/pci0000:00/0000:00:03.0";
	struct pt_host *host = NULL;
	const struct pt_dev_props *p;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/sriov_totalvfs", pf);
	tree_file(root, path, "7\n");
	snprintf(path, sizeof(path), "%s/sriov_numvfs", pf);
	tree_file(root, path, "2\n");
	snprintf(path, sizeof(path), "%s/sriov_vf_device", pf);
	tree_file(root, path, "10ca\n");
	snprintf(path, sizeof(path), "%s/sriov_drivers_autoprobe", pf);
	tree_file(root, path, "0\n");
	add_dev(root, "0000:00:10.0", "pci0000:00", "0001-01-00.0.config", NULL, 20, "flr\n");
	add_dev(root, "0000:00:10.2", "pci0000:00", "0001-01-00.0.config", "vfio-pci", 21, "flr\n");
	snprintf(path, sizeof(path), "%s/virtfn0", pf);
	tree_link(root, path, "../0000:00:10.0");
	snprintf(path, sizeof(path), "%s/virtfn1", pf);
	tree_link(root, path, "../0000:00:10.2");
	tree_link(root, "sys/devices/pci0000:00/0000:00:10.0/physfn", "../0000:00:03.0");
	tree_link(root, "sys/devices/pci0000:00/0000:00:10.2/physfn", "../0000:00:03.0");

	assert_int_equal(scan(root, NULL, &host, NULL), 0);
	p = pt_dev_props(pt_host_find_dev(host, "0000:00:03.0"));
	assert_non_null(p->sriov);
	assert_int_equal(p->sriov->totalvfs, 7);
	assert_int_equal(p->sriov->numvfs, 2);
	assert_int_equal(p->sriov->vf_device, 0x10ca);
	assert_int_equal(p->sriov->drivers_autoprobe, 0);
	assert_int_equal(p->sriov->vf_count, 2);
	assert_string_equal(p->sriov->vfs[0], "0000:00:10.0");
	assert_string_equal(p->sriov->vfs[1], "0000:00:10.2");
	assert_string_equal(pt_dev_props(pt_host_find_dev(host, "0000:00:10.2"))->physfn,
			    "0000:00:03.0");
	assert_true(pt_group_viable(pt_host_find_group(host, 21)));
	done(host);
	tree_remove(root);
}

static void test_host_without_iommu(void **state)
{
	char *root = tree_new();
	struct pt_host *host = NULL;

	(void)state;
	add_dev(root, "0000:00:03.0", "pci0000:00", "0000-00-03.0.config", "sdhci-pci", -1, NULL);
	assert_int_equal(scan(root, NULL, &host, NULL), 0);
	assert_false(pt_host_iommu_present(host));
	assert_int_equal(pt_host_group_count(host), 0);
	assert_int_equal(pt_dev_props(pt_host_dev(host, 0))->iommu_group, -1);
	/* No osrelease under the root: the newest modelled kernel's rules. */
	assert_int_equal(pt_host_kernel_source(host), PT_KVER_SOURCE_DEFAULT);
	done(host);
	tree_remove(root);
}

static void test_host_bad_kernel_option(void **state)
{
	char *root = basic_host();
	struct pt_host *host = NULL;
	struct pt_error err = { 0 };

	(void)state;
	assert_int_equal(scan(root, "latest", &host, &err), -EINVAL);
	assert_non_null(strstr(err.reason, "'latest' is not a kernel version"));
	tree_remove(root);
}

/* The dual-port NIC of basic_host with its netdevs, each with a MAC and its class/net link. */
/* What a host-critical case gives of the network root: each file when the case has it. */
static void write_net_files(const char *root, const char *cmdline, const char *mounts,
			    const char *route, const char *route6)
{
	if (cmdline) {
		char line[512];

		snprintf(line, sizeof(line), "%s\n", cmdline);
		tree_file(root, "proc/cmdline", line);
	}
	if (mounts)
		tree_file(root, "proc/mounts", mounts);
	if (route)
		tree_file(root, "proc/net/route", route);
	if (route6)
		tree_file(root, "proc/net/ipv6_route", route6);
}

static void add_netdevs(const char *root)
{
	static const char *const fn[] = { "0000:01:00.0", "0000:01:00.1" };

	for (int i = 0; i < 2; i++) {
		char dir[256], p[320], t[320];

		snprintf(dir, sizeof(dir), "devices/pci0000:00/0000:00:1c.0/%s/net/enp1s0f%d",
			 fn[i], i);
		snprintf(p, sizeof(p), "sys/%s/address", dir);
		snprintf(t, sizeof(t), "aa:bb:cc:dd:ee:0%d\n", i + 1);
		tree_file(root, p, t);
		snprintf(p, sizeof(p), "sys/class/net/enp1s0f%d", i);
		snprintf(t, sizeof(t), "../../%s", dir);
		tree_link(root, p, t);
	}
}

/* procfs net/route lines (little-endian, as an x86 host prints them). */
#define ROUTE_HEAD "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\n"
#define ROUTE_DEFAULT_F1 "enp1s0f1\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\n"
#define ROUTE_NET_F0 "enp1s0f0\t0002010A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\n"

static const struct netroot_case {
	const char *what;
	const char *cmdline, *mounts, *route, *ibft_mac;
	enum pt_critical f0, f1; /* 0000:01:00.0 (enp1s0f0), 0000:01:00.1 (enp1s0f1) */
	bool unknown; /* both get the warning: network root, interface not shown */
} netroot_cases[] = {
	{ "nothing shown", NULL, NULL, NULL, NULL, PT_CRITICAL_NONE, PT_CRITICAL_NONE, false },
	{ "local root", "root=/dev/sda1 ip=10.1.2.50::10.1.2.1:255.255.255.0:h:enp1s0f1:off", NULL,
	  NULL, NULL, PT_CRITICAL_NONE, PT_CRITICAL_NONE, false },
	{ "kernel ip= names the device",
	  "root=/dev/nfs nfsroot=10.1.2.3:/srv ip=10.1.2.50:10.1.2.3:10.1.2.1:255.255.255.0:h:"
	  "enp1s0f1:off",
	  NULL, NULL, NULL, PT_CRITICAL_NONE, PT_CRITICAL_NETWORK_ROOT, false },
	{ "dracut ip=DEV:dhcp, iSCSI", "ip=enp1s0f0:dhcp netroot=iscsi:@10.0.0.2::3260::iqn.x:t",
	  NULL, NULL, NULL, PT_CRITICAL_NETWORK_ROOT, PT_CRITICAL_NONE, false },
	{ "nfs root, interface not shown", "root=/dev/nfs nfsroot=10.1.2.3:/srv ip=dhcp", NULL,
	  NULL, NULL, PT_CRITICAL_NONE, PT_CRITICAL_NONE, true },
	{ "route to the server: longest prefix, not the default route",
	  "root=/dev/nfs nfsroot=10.1.2.3:/srv ip=dhcp", NULL,
	  ROUTE_HEAD ROUTE_DEFAULT_F1 ROUTE_NET_F0, NULL, PT_CRITICAL_NETWORK_ROOT,
	  PT_CRITICAL_DEFAULT_ROUTE, false },
	{ "nfs4 mount of / only", NULL, "10.1.2.3:/export / nfs4 rw 0 0\n", ROUTE_HEAD ROUTE_NET_F0,
	  NULL, PT_CRITICAL_NETWORK_ROOT, PT_CRITICAL_NONE, false },
	{ "pxelinux BOOTIF MAC", "BOOTIF=01-aa-bb-cc-dd-ee-02 root=nfs:10.9.9.9:/x", NULL, NULL,
	  NULL, PT_CRITICAL_NONE, PT_CRITICAL_NETWORK_ROOT, false },
	{ "iBFT MAC", "root=/dev/mapper/vg-root", NULL, NULL, "AA:BB:CC:DD:EE:01\n",
	  PT_CRITICAL_NETWORK_ROOT, PT_CRITICAL_NONE, false },
	{ "rd.iscsi.firmware=0 is off", "rd.iscsi.firmware=0 root=/dev/sda1", NULL, NULL, NULL,
	  PT_CRITICAL_NONE, PT_CRITICAL_NONE, false },
};

static void test_host_network_root(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(netroot_cases) / sizeof(netroot_cases[0]); i++) {
		const struct netroot_case *c = &netroot_cases[i];
		char *root = basic_host();
		struct pt_host *host = NULL;
		const struct pt_dev *f0, *f1;

		add_netdevs(root);
		write_net_files(root, c->cmdline, c->mounts, c->route, NULL);
		if (c->ibft_mac)
			tree_file(root, "sys/firmware/ibft/ethernet0/mac", c->ibft_mac);
		assert_int_equal(scan(root, NULL, &host, NULL), 0);
		f0 = pt_host_find_dev(host, "0000:01:00.0");
		f1 = pt_host_find_dev(host, "0000:01:00.1");
		print_message("case: %s\n", c->what);
		assert_int_equal(pt_dev_critical(f0), c->f0);
		assert_int_equal(pt_dev_critical(f1), c->f1);
		assert_int_equal(pt_dev_critical_unknown(f0) != NULL, c->unknown);
		assert_int_equal(pt_dev_critical_unknown(f1) != NULL, c->unknown);
		done(host);
		tree_remove(root);
	}
}

/* A virtual netdev (devices/virtual/net/NAME, its class/net link) with lower_ links. */
static void add_upper(const char *root, const char *name, const char *lowers)
{
	char p[320], t[320], list[128], *save = NULL;

	snprintf(p, sizeof(p), "sys/devices/virtual/net/%s/address", name);
	tree_file(root, p, "aa:bb:cc:dd:ee:01\n");
	snprintf(p, sizeof(p), "sys/class/net/%s", name);
	snprintf(t, sizeof(t), "../../devices/virtual/net/%s", name);
	tree_link(root, p, t);
	snprintf(list, sizeof(list), "%s", lowers);
	for (char *l = strtok_r(list, " ", &save); l; l = strtok_r(NULL, " ", &save)) {
		snprintf(p, sizeof(p), "sys/devices/virtual/net/%s/lower_%s", name, l);
		/* The kernel's link: to the lower device's own directory. */
		if (strncmp(l, "enp1s0f", 7) == 0)
			snprintf(t, sizeof(t),
				 "../../../pci0000:00/0000:00:1c.0/0000:01:00.%c/net/%s", l[7], l);
		else
			snprintf(t, sizeof(t), "../%s", l);
		tree_link(root, p, t);
	}
}

/* net/ipv6_route lines as ipv6_route_native_seq_show() prints them (net/ipv6/route.c). */
#define R6_ZERO "00000000000000000000000000000000"
#define R6_LO_REJECT \
	R6_ZERO " 00 " R6_ZERO " 00 " R6_ZERO " ffffffff 00000001 00000000 00200200       lo\n"
#define R6_DEFAULT(flags, dev)                                                           \
	R6_ZERO " 00 " R6_ZERO " 00 fe800000000000000000000000000001 00000400 00000001 " \
		"00000000 " flags " " dev "\n"
#define R6_NET_FD00_64(dev)                                           \
	"fd000000000000010000000000000000 40 " R6_ZERO " 00 " R6_ZERO \
	" 00000100 00000001 00000000 00000001 " dev "\n"

static const struct stacked_case {
	const char *what;
	const char *uppers[3][2]; /* name, its lower devices */
	const char *cmdline, *mounts, *route, *route6;
	enum pt_critical f0, f1;
	const char *via0, *via1;
} stacked_cases[] = {
	{ "default route through a bond of both ports",
	  { { "bond0", "enp1s0f0 enp1s0f1" } },
	  NULL,
	  NULL,
	  ROUTE_HEAD "bond0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\n",
	  NULL,
	  PT_CRITICAL_DEFAULT_ROUTE,
	  PT_CRITICAL_DEFAULT_ROUTE,
	  "bond0",
	  "bond0" },
	{ "default route through br0 -> bond0 -> port 1",
	  { { "br0", "bond0" }, { "bond0", "enp1s0f1" } },
	  NULL,
	  NULL,
	  ROUTE_HEAD "br0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\n",
	  NULL,
	  PT_CRITICAL_NONE,
	  PT_CRITICAL_DEFAULT_ROUTE,
	  NULL,
	  "br0 -> bond0" },
	{ "a VLAN on port 0 carries the NFS root, the default route is port 1's",
	  { { "enp1s0f0.100", "enp1s0f0" } },
	  "root=/dev/nfs nfsroot=10.1.2.3:/srv ip=dhcp",
	  NULL,
	  ROUTE_HEAD ROUTE_DEFAULT_F1
	  "enp1s0f0.100\t0002010A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\n",
	  NULL,
	  PT_CRITICAL_NETWORK_ROOT,
	  PT_CRITICAL_DEFAULT_ROUTE,
	  "enp1s0f0.100",
	  NULL },
	{ "an IPv6-only default route; lo's reject route and a route down are skipped",
	  { { NULL, NULL } },
	  NULL,
	  NULL,
	  NULL,
	  R6_LO_REJECT R6_DEFAULT("00000000", "enp1s0f0") R6_DEFAULT("00450003", "enp1s0f1"),
	  PT_CRITICAL_NONE,
	  PT_CRITICAL_DEFAULT_ROUTE,
	  NULL,
	  NULL },
	{ "an IPv6 NFS server in the mount source, routed by prefix through a bond",
	  { { "bond0", "enp1s0f0" } },
	  NULL,
	  "[fd00:0:0:1::3]:/export / nfs4 rw 0 0\n",
	  NULL,
	  R6_DEFAULT("00450003", "enp1s0f1") R6_NET_FD00_64("bond0"),
	  PT_CRITICAL_NETWORK_ROOT,
	  PT_CRITICAL_DEFAULT_ROUTE,
	  "bond0",
	  NULL },
	{ "an IPv6 server outside the prefix: the default route carries it",
	  { { NULL, NULL } },
	  "root=nfs:[fd00:0:0:2::3]:/srv",
	  NULL,
	  NULL,
	  R6_DEFAULT("00450003", "enp1s0f1") R6_NET_FD00_64("enp1s0f0"),
	  PT_CRITICAL_NONE,
	  PT_CRITICAL_NETWORK_ROOT,
	  NULL,
	  NULL },
};

static void test_host_stacked_netdevs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(stacked_cases) / sizeof(stacked_cases[0]); i++) {
		const struct stacked_case *c = &stacked_cases[i];
		char *root = basic_host();
		struct pt_host *host = NULL;
		const struct pt_dev *f0, *f1;

		print_message("case: %s\n", c->what);
		add_netdevs(root);
		for (int u = 0; u < 3 && c->uppers[u][0]; u++)
			add_upper(root, c->uppers[u][0], c->uppers[u][1]);
		write_net_files(root, c->cmdline, c->mounts, c->route, c->route6);
		assert_int_equal(scan(root, NULL, &host, NULL), 0);
		f0 = pt_host_find_dev(host, "0000:01:00.0");
		f1 = pt_host_find_dev(host, "0000:01:00.1");
		assert_int_equal(pt_dev_critical(f0), c->f0);
		assert_int_equal(pt_dev_critical(f1), c->f1);
		if (c->via0)
			assert_string_equal(pt_dev_critical_via(f0), c->via0);
		else
			assert_null(pt_dev_critical_via(f0));
		if (c->via1)
			assert_string_equal(pt_dev_critical_via(f1), c->via1);
		else
			assert_null(pt_dev_critical_via(f1));
		done(host);
		tree_remove(root);
	}
}

/*
 * / on an iSCSI disk, nothing on the command line: the disk's path runs through session1,
 * whose connection names the target; the route to it makes port 0 the network root's.
 */
static void test_host_iscsi_from_block(void **state)
{
	static const char *const addrs[] = { "10.1.2.3\n", "fd00:0:0:1::3\n" };

	(void)state;
	for (int i = 0; i < 2; i++) {
		char *root = basic_host();
		struct pt_host *host = NULL;

		add_netdevs(root);
		tree_file(root, "proc/mounts", "/dev/sdb1 / ext4 rw 0 0\n");
		tree_file(root,
			  "sys/devices/platform/host3/session1/target3:0:0/3:0:0:0/block/sdb/sdb1/"
			  "partition",
			  "1\n");
		tree_link(
			root, "sys/class/block/sdb1",
			"../../devices/platform/host3/session1/target3:0:0/3:0:0:0/block/sdb/sdb1");
		tree_file(root,
			  "sys/devices/platform/host3/session1/connection1:0/iscsi_connection/"
			  "connection1:0/persistent_address",
			  addrs[i]);
		tree_link(root, "sys/class/iscsi_connection/connection1:0",
			  "../../devices/platform/host3/session1/connection1:0/iscsi_connection/"
			  "connection1:0");
		tree_file(root, "proc/net/route", ROUTE_HEAD ROUTE_DEFAULT_F1 ROUTE_NET_F0);
		tree_file(root, "proc/net/ipv6_route",
			  R6_DEFAULT("00450003", "enp1s0f1") R6_NET_FD00_64("enp1s0f0"));
		assert_int_equal(scan(root, NULL, &host, NULL), 0);
		assert_int_equal(pt_dev_critical(pt_host_find_dev(host, "0000:01:00.0")),
				 PT_CRITICAL_NETWORK_ROOT);
		assert_int_equal(pt_dev_critical(pt_host_find_dev(host, "0000:01:00.1")),
				 PT_CRITICAL_DEFAULT_ROUTE);
		done(host);
		tree_remove(root);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_scan_groups_and_viability),
		cmocka_unit_test(test_host_legacy_rules),
		cmocka_unit_test(test_host_broken_trees),
		cmocka_unit_test(test_host_device_without_config),
		cmocka_unit_test(test_host_group_links_disagree),
		cmocka_unit_test(test_host_sriov_links),
		cmocka_unit_test(test_host_without_iommu),
		cmocka_unit_test(test_host_bad_kernel_option),
		cmocka_unit_test(test_host_network_root),
		cmocka_unit_test(test_host_stacked_netdevs),
		cmocka_unit_test(test_host_iscsi_from_block),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
