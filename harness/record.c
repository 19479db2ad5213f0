/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ptharness record`: write a host in the umockdev-record format, plus what umockdev drops. */

/*
 * The plan: each device block is what umockdev-record writes for it (so real tools load it
 * and the two can be compared line for line): "P: devpath", "N: node" when the device has
 * one, its uevent properties sorted ("E: "), then its attributes sorted by name with one
 * level of subdirectories -- "L:" for links, "A:" for text (g_strescape'd), "H:" for binary
 * in upper-case hex -- skipping "subsystem", "uevent", subdirectories that are devices
 * themselves, and files that cannot be read. Two differences, both deliberate: resourceN
 * files are never read (an I/O BAR read is port I/O on real hardware), and E: lines come
 * from the kernel's uevent only (umockdev-record also copies udev's database properties).
 *
 * After the devices comes one block umockdev-record has no place for, a pseudo-device at
 * /devices/virtual/ptharness/host holding the kernel release and command line, the IOMMU
 * groups (membership and type), the PCI drivers present, vfio module parameters, the
 * route tables (net/route, net/ipv6_route) and the "vfio_pci:" lines of modules.alias;
 * `inspect` and fakesys turn it back into the files a kernel shows.
 *
 * Everything is read through the backend, so a captured tree or a fake host records alike.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "bugreport.h"
#include "commands.h"
#include "hostsrc.h"
#include "output.h"
#include "record.h"
#include "variant.h"

#define ATTR_MAX 65536

static gboolean skip_attribute(const char *name)
{
	/* resource0..5, resource0_wc: reading an I/O BAR does port I/O on the device. */
	if (g_str_has_prefix(name, "resource") && g_ascii_isdigit(name[strlen("resource")]))
		return TRUE;
	return FALSE;
}

/* A: for text (no NUL, valid UTF-8), H: otherwise; the same test umockdev-record makes. */
static void write_value(GString *out, const char *name, const char *data, size_t len)
{
	if (memchr(data, '\0', len) == NULL && g_utf8_validate(data, (gssize)len, NULL)) {
		g_autofree char *text = g_strndup(data, len);
		g_autofree char *esc = g_strescape(text, "");

		g_string_append_printf(out, "A: %s=%s\n", name, esc);
		return;
	}
	g_string_append_printf(out, "H: %s=", name);
	for (size_t i = 0; i < len; i++)
		g_string_append_printf(out, "%02X", (unsigned char)data[i]);
	g_string_append_c(out, '\n');
}

static gboolean has_name(char **names, const char *name)
{
	for (char **n = names; n && *n; n++)
		if (strcmp(*n, name) == 0)
			return TRUE;
	return FALSE;
}

/* One attribute (or, at the top level, a subdirectory of them). sub is "" or "power" etc. */
static void write_entry(struct pt_backend *be, GString *out, const char *dir, const char *sub,
			const char *name, char *buf);

static void write_subdir(struct pt_backend *be, GString *out, const char *dir, const char *sub,
			 char *buf)
{
	g_autofree char *path = g_build_filename(dir, sub, NULL);
	char **names = NULL;
	size_t n = 0;

	if (pt_backend_list(be, PT_NS_SYS, path, &names, &n) < 0)
		return;
	/* A directory that is a device by itself (net/eth0, a child PCI function) is not an
	 * attribute of this one. */
	if (!has_name(names, "subsystem") && !has_name(names, "uevent"))
		for (size_t i = 0; i < n; i++)
			write_entry(be, out, dir, sub, names[i], buf);
	pt_strv_free(names);
}

static void write_entry(struct pt_backend *be, GString *out, const char *dir, const char *sub,
			const char *name, char *buf)
{
	g_autofree char *rel = sub[0] ? g_build_filename(sub, name, NULL) : g_strdup(name);
	g_autofree char *path = g_build_filename(dir, rel, NULL);
	char target[4096];
	size_t len;
	int r;

	if (skip_attribute(name))
		return;
	r = pt_backend_readlink(be, PT_NS_SYS, path, target, sizeof(target));
	if (r >= 0 || r == -ENOLINK || r == -EXDEV) {
		/* The raw target, dangling or not, as the tree holds it. */
		g_string_append_printf(out, "L: %s=%s\n", rel, target);
		return;
	}
	r = pt_backend_read(be, PT_NS_SYS, path, buf, ATTR_MAX, &len);
	if (r >= 0) {
		write_value(out, rel, buf, len);
		return;
	}
	/* Only the top level descends, one level deep, as umockdev-record does. */
	if (r == -EISDIR && !sub[0])
		write_subdir(be, out, dir, name, buf);
}

static int cmp_strp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "E:" lines from the uevent file plus SUBSYSTEM, sorted; "N:" first when there is a node. */
static int write_properties(struct pt_backend *be, GString *out, const char *dir, char *buf)
{
	g_autofree char *uevent = g_build_filename(dir, "uevent", NULL);
	g_autofree char *subsys = g_build_filename(dir, "subsystem", NULL);
	g_autoptr(GPtrArray) props = g_ptr_array_new_with_free_func(g_free);
	char target[4096], *save = NULL;
	size_t len;
	int r;

	r = pt_backend_read(be, PT_NS_SYS, uevent, buf, ATTR_MAX - 1, &len);
	if (r < 0)
		return r;
	buf[len] = '\0';
	r = pt_backend_readlink(be, PT_NS_SYS, subsys, target, sizeof(target));
	if (r < 0 && r != -ENOLINK)
		return r;
	g_ptr_array_add(props,
			g_strdup_printf("SUBSYSTEM=%s",
					strrchr(target, '/') ? strrchr(target, '/') + 1 : target));
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (g_str_has_prefix(l, "DEVNAME=")) {
			g_string_append_printf(out, "N: %s\n", l + strlen("DEVNAME="));
			g_ptr_array_add(props,
					g_strdup_printf("DEVNAME=/dev/%s", l + strlen("DEVNAME=")));
		} else if (strchr(l, '=') && !g_str_has_prefix(l, "SUBSYSTEM=")) {
			/* SUBSYSTEM comes from the link above: a recorded host's uevent (served
			 * from its E: lines) has it too, the kernel's does not. */
			g_ptr_array_add(props, g_strdup(l));
		}
	}
	g_ptr_array_sort(props, cmp_strp);
	for (guint i = 0; i < props->len; i++)
		g_string_append_printf(out, "E: %s\n", (char *)props->pdata[i]);
	return 0;
}

/* One device block; dir is its canonical path below the sysfs root ("devices/..."). */
static int record_device(struct pt_backend *be, GString *out, const char *dir, GError **error)
{
	g_autofree char *buf = g_malloc(ATTR_MAX);
	char **names = NULL;
	size_t n = 0;
	int r;

	g_string_append_printf(out, "P: /%s\n", dir);
	r = write_properties(be, out, dir, buf);
	if (r >= 0)
		r = pt_backend_list(be, PT_NS_SYS, dir, &names, &n);
	if (r < 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r), "%s: %s", dir,
			    g_strerror(-r));
		return r;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], "subsystem") != 0 && strcmp(names[i], "uevent") != 0)
			write_entry(be, out, dir, "", names[i], buf);
	g_string_append_c(out, '\n');
	pt_strv_free(names);
	return 0;
}

/* The canonical path ("devices/...") behind a link such as class/iommu/dmar0. */
static char *resolve_link(struct pt_backend *be, const char *link)
{
	g_autofree char *dir = g_path_get_dirname(link);
	g_autofree char *base = g_strconcat("/", dir, NULL);
	g_autofree char *abs = NULL;
	char target[4096];

	if (pt_backend_readlink(be, PT_NS_SYS, link, target, sizeof(target)) < 0)
		return NULL;
	abs = g_canonicalize_filename(target, base);
	return g_strdup(abs + 1);
}

/* Devices under a class directory (iommu, vfio), as canonical paths. */
static void class_devices(struct pt_backend *be, const char *cls, GPtrArray *devs)
{
	char **names = NULL;
	size_t n = 0;

	if (pt_backend_list(be, PT_NS_SYS, cls, &names, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		g_autofree char *link = g_build_filename(cls, names[i], NULL);
		char *dev = resolve_link(be, link);

		if (dev)
			g_ptr_array_add(devs, dev);
	}
	pt_strv_free(names);
}

static void add_text(struct pt_backend *be, GString *out, enum pt_ns ns, const char *prefix,
		     const char *path)
{
	g_autofree char *buf = g_malloc(ATTR_MAX);
	g_autofree char *name = g_build_filename(prefix, path, NULL);
	size_t len;

	if (pt_backend_read(be, ns, path, buf, ATTR_MAX, &len) >= 0)
		write_value(out, name, buf, len);
}

/* modules.alias's "alias vfio_pci:" lines, under the file's own path: what libvirt picks a
 * variant driver from. Only those: the whole file is every module's ids (1-2 MiB). A file
 * without one is recorded empty (no variant: vfio-pci); no file, nothing (unknown). */
static void add_variant_aliases(struct pt_backend *be, GString *out)
{
	g_autofree char *release = NULL, *lines = NULL, *name = NULL;

	if (pt_variant_read_aliases(be, &release, &lines) < 0)
		return;
	name = g_strdup_printf("lib/modules/%s/modules.alias", release);
	write_value(out, name, lines, strlen(lines));
}

/* The ptharness block: what a kernel shows outside device directories. */
static void record_host_block(struct pt_backend *be, struct pt_host *host, GString *out)
{
	static const char *const modules[] = { "vfio", "vfio_pci", "vfio_pci_core",
					       "vfio_iommu_type1", "pci_stub" };
	char **names = NULL;
	size_t n = 0;

	g_string_append(out, "P: /devices/virtual/ptharness/host\nE: SUBSYSTEM=ptharness\n");
	add_text(be, out, PT_NS_PROC, "proc", "sys/kernel/osrelease");
	add_text(be, out, PT_NS_PROC, "proc", "cmdline");
	add_text(be, out, PT_NS_PROC, "proc", "net/route");
	add_text(be, out, PT_NS_PROC, "proc", "net/ipv6_route");
	add_text(be, out, PT_NS_PROC, "proc", "mounts");
	add_text(be, out, PT_NS_PROC, "proc", "swaps");
	/* The character majors: "vfio-dev" is the VFIO device cdev's region
	 * (drivers/vfio/device_cdev.c, vfio_cdev_init()), there from boot with
	 * CONFIG_VFIO_DEVICE_CDEV, before any /dev/vfio/devices/ node. */
	add_text(be, out, PT_NS_PROC, "proc", "devices");
	add_variant_aliases(be, out);
	add_text(be, out, PT_NS_SYS, "sys", "bus/pci/drivers_autoprobe");
	if (pt_backend_list(be, PT_NS_SYS, "bus/pci/drivers", &names, &n) >= 0) {
		g_autofree char *list = g_strjoinv(" ", names);

		g_string_append_printf(out, "A: sys/bus/pci/drivers=%s\n", list);
	}
	pt_strv_free(names);
	for (size_t i = 0; i < pt_host_group_count(host); i++) {
		const struct pt_group *g = pt_host_group(host, i);
		g_autofree char *dir = g_strdup_printf("kernel/iommu_groups/%d", pt_group_id(g));
		g_autofree char *devdir = g_build_filename(dir, "devices", NULL);
		g_autofree char *type = g_build_filename(dir, "type", NULL);
		g_autofree char *rr = g_build_filename(dir, "reserved_regions", NULL);

		if (pt_backend_list(be, PT_NS_SYS, devdir, &names, &n) >= 0) {
			g_autofree char *list = g_strjoinv(" ", names);

			g_string_append_printf(out, "A: sys/%s=%s\n", devdir, list);
		}
		pt_strv_free(names);
		names = NULL;
		add_text(be, out, PT_NS_SYS, "sys", type);
		add_text(be, out, PT_NS_SYS, "sys", rr);
	}
	for (size_t m = 0; m < G_N_ELEMENTS(modules); m++) {
		g_autofree char *dir = g_strdup_printf("module/%s/parameters", modules[m]);

		if (pt_backend_list(be, PT_NS_SYS, dir, &names, &n) < 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			g_autofree char *p = g_build_filename(dir, names[i], NULL);

			add_text(be, out, PT_NS_SYS, "sys", p);
		}
		pt_strv_free(names);
		names = NULL;
	}
	g_string_append_c(out, '\n');
}

/* A function's netdev: net/NAME on the function, or below its virtio device (virtioN/net/NAME,
 * recorded with the virtio device itself). */
static void add_netdev(struct pt_backend *be, GPtrArray *devs, const char *fn, const char *name)
{
	g_autofree char *direct = g_build_filename(fn, "net", name, NULL);
	char **entries = NULL;
	size_t n = 0;

	if (pt_backend_exists(be, PT_NS_SYS, direct) > 0) {
		g_ptr_array_add(devs, g_steal_pointer(&direct));
		return;
	}
	if (pt_backend_list(be, PT_NS_SYS, fn, &entries, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		g_autofree char *bus = g_build_filename(fn, entries[i], NULL);
		g_autofree char *nd = g_build_filename(bus, "net", name, NULL);

		if (g_str_has_prefix(entries[i], "virtio") &&
		    pt_backend_exists(be, PT_NS_SYS, nd) > 0) {
			g_ptr_array_add(devs, g_steal_pointer(&bus));
			g_ptr_array_add(devs, g_steal_pointer(&nd));
		}
	}
	pt_strv_free(entries);
}

/* Whether a device directory holds a lower_NAME link: a netdev stacked on another. */
static gboolean has_lower(struct pt_backend *be, const char *dir)
{
	char **names = NULL;
	size_t n = 0;
	gboolean found = FALSE;

	if (pt_backend_list(be, PT_NS_SYS, dir, &names, &n) < 0)
		return FALSE;
	for (size_t i = 0; i < n && !found; i++)
		found = g_str_has_prefix(names[i], "lower_");
	pt_strv_free(names);
	return found;
}

/* The virtual netdevs stacked on others (bond, team, bridge, VLAN, macvlan: the kernel links
 * their lower devices as lower_NAME, net/core/dev.c netdev_adjacent_sysfs_add), so that a
 * replay follows a route through br0 -> bond0 down to the NIC. */
static void stacked_netdevs(struct pt_backend *be, GPtrArray *devs)
{
	g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func(g_free);

	class_devices(be, "class/net", all);
	for (guint i = 0; i < all->len; i++)
		if (g_str_has_prefix(all->pdata[i], "devices/virtual/net/") &&
		    has_lower(be, all->pdata[i]))
			g_ptr_array_add(devs, g_strdup(all->pdata[i]));
}

int pth_record_host(struct pt_backend *be, struct pt_host *host, GString *out, GError **error)
{
	g_autoptr(GPtrArray) devs = g_ptr_array_new_with_free_func(g_free);

	for (size_t i = 0; i < pt_host_dev_count(host); i++) {
		const struct pt_dev_props *p = pt_dev_props(pt_host_dev(host, i));

		g_ptr_array_add(devs, g_strdup(p->syspath));
		for (char **nd = p->netdevs; nd && *nd; nd++)
			add_netdev(be, devs, p->syspath, *nd);
	}
	/* Block devices under PCI devices (or on an iSCSI session) that hold mounted filesystems
	 * or swap, so that a replay can tell which storage controller or NIC the host needs. */
	for (char *const *m = pt_host_mounted(host); m && *m; m++)
		if (g_str_has_prefix(*m, "devices/pci") || strstr(*m, "/session"))
			g_ptr_array_add(devs, g_strdup(*m));
	/* An iSCSI disk's session (.../sessionM/...) names its target in the connection's
	 * address: the route to it decides which NIC carries the root. */
	class_devices(be, "class/iscsi_connection", devs);
	stacked_netdevs(be, devs);
	class_devices(be, "class/iommu", devs);
	class_devices(be, "class/vfio", devs);
	if (pt_backend_exists(be, PT_NS_SYS, "class/misc/vfio") > 0)
		g_ptr_array_add(devs, resolve_link(be, "class/misc/vfio"));
	/* iommufd's /dev/iommu (drivers/iommu/iommufd/main.c, 6.2): without it a replay cannot
	 * tell that the kernel had iommufd, nor that /dev/vfio/vfio was iommufd's compat one. */
	if (pt_backend_exists(be, PT_NS_SYS, "class/misc/iommu") > 0)
		g_ptr_array_add(devs, resolve_link(be, "class/misc/iommu"));
	g_ptr_array_sort(devs, cmp_strp);
	for (guint i = 0; i < devs->len; i++) {
		if (!devs->pdata[i] ||
		    (i > 0 && g_strcmp0(devs->pdata[i], devs->pdata[i - 1]) == 0))
			continue;
		if (record_device(be, out, devs->pdata[i], error) < 0)
			return -EIO;
	}
	record_host_block(be, host, out);
	return 0;
}

int pth_record_devices(struct pt_backend *be, struct pt_host *host, char **which, GString *out,
		       GError **error)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (char **w = which; *w; w++) {
		const struct pt_dev *d = pt_host_find_dev(host, *w);
		g_autofree char *dir = NULL;

		if (!d) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
				    "%s: no such PCI device on this host", *w);
			return -ENODEV;
		}
		/* The device and its ancestors that are devices (uevent and subsystem), as
		 * umockdev-record does. */
		dir = g_strdup(pt_dev_props(d)->syspath);
		while (dir && strchr(dir, '/')) {
			g_autofree char *ue = g_build_filename(dir, "uevent", NULL);
			g_autofree char *ss = g_build_filename(dir, "subsystem", NULL);
			char *parent;

			if (!g_hash_table_contains(seen, dir) &&
			    pt_backend_exists(be, PT_NS_SYS, ue) > 0 &&
			    pt_backend_exists(be, PT_NS_SYS, ss) > 0) {
				if (record_device(be, out, dir, error) < 0)
					return -EIO;
				g_hash_table_add(seen, g_strdup(dir));
			}
			parent = g_path_get_dirname(dir);
			g_free(dir);
			dir = parent;
		}
	}
	return 0;
}

static void usage(FILE *f)
{
	fputs("Usage: ptharness record [--host DIR|live] [-o FILE] [DEVICE...]\n"
	      "       ptharness record --bug-report [--no-redact] [--host ...] [-o FILE]\n"
	      "\n"
	      "Write the host's PCI devices in the umockdev-record format, followed by what\n"
	      "umockdev-record leaves out and passthrough needs (IOMMU groups and their types,\n"
	      "the PCI drivers present, vfio module parameters, the kernel release and command\n"
	      "line, the IPv4 and IPv6 route tables, the bonds, bridges and VLANs stacked on\n"
	      "the NICs, an iSCSI root's session, modules.alias's vfio_pci lines), so that\n"
	      "`ptharness inspect --host FILE` and fake hosts see the machine as it was. With\n"
	      "DEVICE addresses, only those devices and their parents, exactly as\n"
	      "umockdev-record would write them. Read-only.\n"
	      "\n"
	      "  --host SPEC   live (default) or a directory holding sys/\n"
	      "  -o, --output FILE  write to FILE (default: standard output)\n"
	      "  --bug-report  one file to attach to a passthrough bug report: the recording\n"
	      "                plus the IOMMU and VFIO lines of the kernel log (dmesg), the\n"
	      "                kernel's IOMMU/VFIO/KVM config options, the loaded modules and\n"
	      "                the kernel command line. It discloses the machine's PCI\n"
	      "                devices, their ids, config space and drivers, network interface\n"
	      "                names, the kernel release, the route tables (networks and\n"
	      "                gateways) and an iSCSI root's target address.\n"
	      "                Serial numbers, MAC addresses and the host name are replaced\n"
	      "                by REDACTED unless --no-redact. `inspect`, `plan`, `replay` and\n"
	      "                `import` read it back.\n"
	      "  --no-redact   keep serial numbers, MAC addresses and the host name\n",
	      f);
}

int pth_cmd_record(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "output", required_argument, NULL, 'o' },
		{ "bug-report", no_argument, NULL, 'b' },
		{ "no-redact", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *spec = "live", *file = NULL;
	bool bugreport = false, redact = true;
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	struct pth_host_source *src;
	struct pt_host *host = NULL;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":H:o:bRh", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bugreport = true;
			break;
		case 'R':
			redact = false;
			break;
		case 'H':
			spec = optarg;
			break;
		case 'o':
			file = optarg;
			break;
		case 'h':
			usage(stdout);
			return PTH_EXIT_OK;
		default:
			fprintf(stderr, "ptharness record: %s '%s' (see ptharness record --help)\n",
				c == ':' ? "option needs a value:" : "unknown option",
				argv[optind - 1]);
			return PTH_EXIT_INPUT;
		}
	}
	src = pth_host_source_open(spec, &error);
	if (!src) {
		fprintf(stderr, "ptharness record: %s\n", error->message);
		return PTH_EXIT_INPUT;
	}
	r = pth_host_source_scan(src, NULL, &host, &error);
	if (r < 0) {
		fprintf(stderr, "ptharness record: %s\n", error->message);
		pth_host_source_free(src);
		return PTH_EXIT_INPUT;
	}
	if (optind < argc)
		r = pth_record_devices(pth_host_source_backend(src), host, argv + optind, out,
				       &error);
	else
		r = pth_record_host(pth_host_source_backend(src), host, out, &error);
	if (r >= 0 && bugreport)
		r = pth_bugreport_complete(pth_host_source_backend(src),
					   pth_host_source_kind(src) == PTH_HOST_LIVE, redact, out,
					   &error);
	pt_host_free(host);
	pth_host_source_free(src);
	if (r < 0) {
		fprintf(stderr, "ptharness record: %s\n", error->message);
		return PTH_EXIT_INPUT;
	}
	if (file) {
		if (pth_write_file(file, out->str, out->len, &error) < 0) {
			fprintf(stderr, "ptharness record: %s\n", error->message);
			return PTH_EXIT_INPUT;
		}
	} else if (fwrite(out->str, 1, out->len, stdout) != out->len || fflush(stdout) != 0) {
		fprintf(stderr, "ptharness record: cannot write the recording: %s\n",
			g_strerror(errno));
		return PTH_EXIT_INPUT;
	}
	return PTH_EXIT_OK;
}
