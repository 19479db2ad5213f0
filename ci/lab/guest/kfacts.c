/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kfacts: observe raw kernel behaviour (sysfs writes, VFIO ioctls) and print observed.tsv rows. */

/*
 * The plan: every fact is one row of a static table (facts[]). A row names a topology, a setup
 * (sysfs writes applied in order), one operation, the value the reading predicts (below),
 * and a restore list. Device addresses are never written in the table: templates use roles
 * ({edu}, {pair0}, {pf}, ...) that discover_roles() resolves by vendor:device in the running
 * guest, and {g:ROLE} for a role's IOMMU group (resolved late, after setup, so VFs work).
 *
 * For each row of the requested topology: snapshot the PCI state, apply setup, run the op,
 * apply restore (errors ignored), wait for NVMe controllers to settle, snapshot again. A
 * difference between the snapshots makes the run fail, so rows stay independent.
 *
 * Syntax of setup/restore templates: elements separated by ';', each "PATH=VALUE" with PATH
 * relative to /sys and VALUE C-escaped (\n, \t, \\, \xNN), or "vfio:hold=GROUP/BDF", which
 * opens the group, attaches it to a type1v2 container and opens the device, keeping all
 * three fds until restore starts.
 *
 * VFIO ops run in a forked child (rlimit and capability changes stay there) and report
 * "ok", an errno name, or a short description (e.g. "flags=0x1").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/vfio.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "guest-sysfs.h"

#define BUF 8192

#include "kfacts-facts.h"

/* --- roles ------------------------------------------------------------------------------ */

struct role {
	char name[16];
	char bdf[32];
};

static struct role roles[32];
static int nroles;
static int failed;

static void add_role(const char *name, const char *bdf)
{
	if (nroles >= (int)(sizeof(roles) / sizeof(roles[0])))
		return;
	snprintf(roles[nroles].name, sizeof(roles[nroles].name), "%s", name);
	snprintf(roles[nroles].bdf, sizeof(roles[nroles].bdf), "%s", bdf);
	nroles++;
}

static const char *role_bdf(const char *name)
{
	int i;

	for (i = 0; i < nroles; i++)
		if (!strcmp(roles[i].name, name))
			return roles[i].bdf;
	return NULL;
}

static int has_attr(const char *bdf, const char *attr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYSFS "bus/pci/devices/%s/%s", bdf, attr);
	return access(path, F_OK) == 0;
}

/* Add vf0/vf1 from the PF's First VF Offset and VF Stride (the VFs need not exist yet). */
static void add_vf_roles(const char *pf)
{
	unsigned int dom, bus, dev, fn, rid, i;
	unsigned long off = attr_ul(pf, "sriov_offset"), stride = attr_ul(pf, "sriov_stride");
	char name[8], bdf[32];

	if (sscanf(pf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		return;
	for (i = 0; i < 2; i++) {
		rid = (bus << 8 | dev << 3 | fn) + off + stride * i;
		snprintf(name, sizeof(name), "vf%u", i);
		snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%x", dom, rid >> 8, (rid >> 3) & 0x1f,
			 rid & 7);
		add_role(name, bdf);
	}
}

/* Name devices by what they are, never by where the firmware put them. */
static void discover_roles(void)
{
	char *names[256], sib[16];
	struct dirent *d;
	int n = 0, i;
	DIR *dir;

	dir = opendir(SYSFS "bus/pci/devices");
	if (!dir)
		return;
	while ((d = readdir(dir)) && n < 256)
		if (d->d_name[0] != '.')
			names[n++] = strdup(d->d_name);
	closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		const char *b = names[i];
		unsigned long ven = attr_ul(b, "vendor"), dev = attr_ul(b, "device");

		if (ven == 0x8086 && dev == 0x10d3 && b[11] == '0') {
			snprintf(sib, sizeof(sib), "%.11s1", b);
			if (attr_ul(sib, "device") == 0x10d3 && !role_bdf("pair0")) {
				add_role("pair0", b);
				add_role("pair1", sib);
			}
		} else if (ven == 0x8086 && dev == 0x100e) {
			add_role("e1000", b);
		} else if (ven == 0x1b36 && dev == 0x0005) {
			add_role("testdev", b);
		} else if (ven == 0x1b36 && dev == 0x000e) {
			add_role("bridge", b);
		} else if (ven == 0x1b36 && dev == 0x0010 && has_attr(b, "sriov_totalvfs")) {
			add_role("pf", b);
			add_vf_roles(b);
		} else if (ven == 0x1b36 && dev == 0x0010 && !role_bdf("nvme")) {
			add_role("nvme", b);
		} else if (ven == 0x1234 && dev == 0x11e8) {
			add_role("edu", b);
		} else if (ven == 0x1af4 && dev == 0x1041) {
			add_role("vnet", b);
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
}

static int group_of(const char *bdf, char *buf, size_t size)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), SYSFS "bus/pci/devices/%s/iommu_group", bdf);
	link[0] = '\0';
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (strlen(base) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

/* Expand {role} and {g:role} in tmpl; returns 0 or -ENOENT (message on stderr). */
static int expand(const char *tmpl, char *out, size_t size)
{
	char key[32], grp[16];
	const char *p = tmpl, *end, *val;
	size_t len = 0;

	while (*p && len + 1 < size) {
		if (*p != '{') {
			out[len++] = *p++;
			continue;
		}
		end = strchr(p, '}');
		if (!end || end - p - 1 >= (long)sizeof(key))
			return -EINVAL;
		snprintf(key, sizeof(key), "%.*s", (int)(end - p - 1), p + 1);
		val = role_bdf(strncmp(key, "g:", 2) ? key : key + 2);
		if (!val) {
			fprintf(stderr, "kfacts: no device for role '%s' in this topology\n", key);
			return -ENOENT;
		}
		if (!strncmp(key, "g:", 2)) {
			if (group_of(val, grp, sizeof(grp)) < 0)
				snprintf(grp, sizeof(grp), "nogroup");
			val = grp;
		}
		len += snprintf(out + len, size - len, "%s", val);
		p = end + 1;
	}
	out[len < size ? len : size - 1] = '\0';
	return 0;
}

/* --- escaping ---------------------------------------------------------------------------- */

static size_t unescape(const char *in, char *out, size_t size)
{
	size_t n = 0;

	while (*in && n < size) {
		if (*in != '\\') {
			out[n++] = *in++;
			continue;
		}
		in++;
		switch (*in) {
		case 'n':
			out[n++] = '\n';
			in++;
			break;
		case 't':
			out[n++] = '\t';
			in++;
			break;
		case '\\':
			out[n++] = '\\';
			in++;
			break;
		case 'x':
			out[n++] = (char)strtoul((char[]){ in[1], in[2], 0 }, NULL, 16);
			in += 3;
			break;
		default:
			out[n++] = '\\';
			break;
		}
	}
	return n;
}

static void escape(const char *in, size_t len, char *out, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < len && n + 5 < size; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '\n')
			n += sprintf(out + n, "\\n");
		else if (c == '\t')
			n += sprintf(out + n, "\\t");
		else if (c == '\\')
			n += sprintf(out + n, "\\\\");
		else if (c < 0x20 || c >= 0x7f)
			n += sprintf(out + n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
}

static const char *errname(int err)
{
	const char *s = strerrorname_np(err);

	return s ? s : "E?";
}

/* --- VFIO ------------------------------------------------------------------------------- */

struct vfio_hold {
	int container, group, device;
};

static struct vfio_hold hold = { -1, -1, -1 };

static int open_group(const char *group)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/vfio/%s", group);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Container + group + type1v2; returns 0 or -errno, fds in *h (caller closes). */
static int vfio_attach(const char *group, struct vfio_hold *h, int set_iommu)
{
	h->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (h->container < 0)
		return -errno;
	h->group = open_group(group);
	if (h->group < 0)
		return h->group;
	if (ioctl(h->group, VFIO_GROUP_SET_CONTAINER, &h->container) < 0)
		return -errno;
	if (set_iommu && ioctl(h->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0)
		return -errno;
	return 0;
}

static void vfio_release(struct vfio_hold *h)
{
	if (h->device >= 0)
		close(h->device);
	if (h->group >= 0)
		close(h->group);
	if (h->container >= 0)
		close(h->container);
	h->device = h->group = h->container = -1;
}

static int drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	data[cap / 32].effective &= ~(1u << (cap % 32));
	data[cap / 32].permitted &= ~(1u << (cap % 32));
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	return 0;
}

static unsigned long long param(const char *value, const char *key)
{
	const char *p = strstr(value, key);

	return p ? strtoull(p + strlen(key), NULL, 0) : 0;
}

static int dma_map(int container, void *buf, unsigned long long iova, unsigned long long size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)buf,
		.iova = iova,
		.size = size,
	};

	return ioctl(container, VFIO_IOMMU_MAP_DMA, &map) < 0 ? -errno : 0;
}

/* value: "[memlock=N] [drop=CAP_IPC_LOCK] [premap=IOVA+SIZE] iova=I size=S" */
static int op_map_dma(struct vfio_hold *h, const char *value)
{
	unsigned long long iova = param(value, "iova="), size = param(value, "size=");
	unsigned long long memlock = param(value, "memlock=");
	const char *pre = strstr(value, "premap=");
	struct rlimit rl;
	void *buf;
	int r;

	if (memlock) {
		rl.rlim_cur = rl.rlim_max = memlock;
		if (setrlimit(RLIMIT_MEMLOCK, &rl) < 0)
			return -errno;
	}
	if (strstr(value, "drop=CAP_IPC_LOCK") && (r = drop_cap(CAP_IPC_LOCK)) < 0)
		return r;
	buf = mmap(NULL, 0x400000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return -errno;
	if (pre) {
		char *plus;
		unsigned long long piova = strtoull(pre + 7, &plus, 0);

		r = dma_map(h->container, buf, piova, strtoull(plus + 1, NULL, 0));
		if (r < 0)
			return r;
	}
	return dma_map(h->container, (char *)buf + 0x200000, iova, size);
}

/* Run one vfio:<name> op; writes the observation to out. */
static void vfio_op_child(const char *name, const char *group, const char *bdf, const char *value,
			  char *out, size_t size)
{
	struct vfio_hold h = { -1, -1, -1 };
	struct vfio_group_status st = { .argsz = sizeof(st) };
	int r = 0, fd;

	if (!strcmp(name, "group-status")) {
		h.group = open_group(group);
		if (h.group >= 0 && ioctl(h.group, VFIO_GROUP_GET_STATUS, &st) < 0)
			r = -errno;
		if (h.group < 0)
			r = h.group;
		if (!r) {
			snprintf(out, size, "flags=0x%x", st.flags);
			return;
		}
	} else if (!strcmp(name, "open-group-twice")) {
		h.group = open_group(group);
		r = h.group < 0 ? h.group : open_group(group);
	} else if (!strcmp(name, "set-container")) {
		r = vfio_attach(group, &h, 0);
	} else if (!strcmp(name, "set-iommu")) {
		r = vfio_attach(group, &h, 1);
	} else if (!strcmp(name, "get-device-fd-no-iommu")) {
		r = vfio_attach(group, &h, 0);
		if (!r && ioctl(h.group, VFIO_GROUP_GET_DEVICE_FD, bdf) < 0)
			r = -errno;
	} else if (!strcmp(name, "get-device-fd")) {
		r = vfio_attach(group, &h, 1);
		if (!r && ioctl(h.group, VFIO_GROUP_GET_DEVICE_FD, value) < 0)
			r = -errno;
	} else if (!strcmp(name, "device-reset") || !strcmp(name, "hot-reset-info")) {
		struct vfio_pci_hot_reset_info *info = calloc(1, 4096);

		info->argsz = 4096;
		r = vfio_attach(group, &h, 1);
		fd = r ? -1 : ioctl(h.group, VFIO_GROUP_GET_DEVICE_FD, bdf);
		if (!r && fd < 0)
			r = -errno;
		if (!r && name[0] == 'd' && ioctl(fd, VFIO_DEVICE_RESET) < 0)
			r = -errno;
		if (!r && name[0] == 'h' && ioctl(fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, info) < 0)
			r = -errno;
	} else if (!strcmp(name, "dma-cc")) {
		/* VFIO_DMA_CC_IOMMU before the IOMMU is set, then after. */
		int before;

		r = vfio_attach(group, &h, 0);
		before = r ? 0 : ioctl(h.container, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU);
		if (!r && ioctl(h.container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0)
			r = -errno;
		if (!r) {
			snprintf(out, size, "before=%d after=%d", before,
				 ioctl(h.container, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU));
			return;
		}
	} else if (!strcmp(name, "map-dma")) {
		r = vfio_attach(group, &h, 1);
		if (!r)
			r = op_map_dma(&h, value);
	} else {
		snprintf(out, size, "unknown-op");
		return;
	}
	snprintf(out, size, "%s", r < 0 ? errname(-r) : "ok");
}

static void vfio_op(const char *name, const char *path, const char *value, char *out, size_t size)
{
	char group[32], bdf[32];
	int pfd[2], status;
	ssize_t n;
	pid_t pid;

	if (sscanf(path, "%31s %31s", group, bdf) != 2) {
		snprintf(out, size, "bad-path");
		return;
	}
	if (pipe(pfd) < 0) {
		snprintf(out, size, "pipe:%s", errname(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		char res[256];

		close(pfd[0]);
		vfio_op_child(name, group, bdf, value, res, sizeof(res));
		if (write(pfd[1], res, strlen(res)) < 0)
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	n = read(pfd[0], out, size - 1);
	out[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	waitpid(pid, &status, 0);
}

/* --- rows -------------------------------------------------------------------------------- */

/* Apply a ';'-separated template list; returns 0, or -errno of the first failure (strict). */
static int apply(const char *tmpl, int strict, char *shown, size_t shown_size)
{
	char exp[BUF], *save = NULL, *el, *eq, val[BUF];
	size_t len, used = 0;
	int r;

	if (shown_size)
		shown[0] = '\0';
	if (expand(tmpl, exp, sizeof(exp)) < 0)
		return -ENOENT;
	for (el = strtok_r(exp, ";", &save); el; el = strtok_r(NULL, ";", &save)) {
		if (shown_size)
			used += snprintf(shown + used, shown_size - used, "%s%s", used ? ";" : "",
					 el);
		eq = strchr(el, '=');
		if (!eq)
			return -EINVAL;
		*eq = '\0';
		if (!strcmp(el, "vfio:hold")) {
			char *slash = strchr(eq + 1, '/');

			if (!slash)
				return -EINVAL;
			*slash = '\0';
			r = vfio_attach(eq + 1, &hold, 1);
			if (!r && (hold.device = ioctl(hold.group, VFIO_GROUP_GET_DEVICE_FD,
						       slash + 1)) < 0)
				r = -errno;
		} else {
			len = unescape(eq + 1, val, sizeof(val));
			r = sysfs_write(el, val, len);
		}
		if (r < 0 && strict) {
			fprintf(stderr, "kfacts: setup %s failed: %s\n", el, errname(-r));
			return r;
		}
	}
	return 0;
}

/* Wait (at most 10 s) until no NVMe controller is still resetting or connecting. */
static void settle(void)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	char rel[128], st[32];
	int tries, busy, i;

	for (tries = 0; tries < 200; tries++) {
		busy = 0;
		for (i = 0; i < 16; i++) {
			snprintf(rel, sizeof(rel), "class/nvme/nvme%d/state", i);
			if (sysfs_read(rel, st, sizeof(st)) > 0 &&
			    (!strncmp(st, "resetting", 9) || !strncmp(st, "connecting", 10) ||
			     !strncmp(st, "new", 3)))
				busy = 1;
		}
		if (!busy)
			return;
		nanosleep(&ts, NULL);
	}
}

/* Driver, override, reset methods and VF count of every PCI device, as one string. */
static void snapshot(char *out, size_t size)
{
	static const char *const attrs[] = { "driver_override", "reset_method", "sriov_numvfs",
					     "sriov_drivers_autoprobe" };
	char path[PATH_MAX], link[PATH_MAX], rel[PATH_MAX], val[256];
	struct dirent *d;
	size_t used = 0, a;
	ssize_t n;
	DIR *dir;

	out[0] = '\0';
	dir = opendir(SYSFS "bus/pci/devices");
	if (!dir)
		return;
	while ((d = readdir(dir)) && used + 512 < size) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), SYSFS "bus/pci/devices/%s/driver", d->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = '\0';
		used += snprintf(out + used, size - used, "%s driver=%s", d->d_name,
				 n > 0 ? strrchr(link, '/') + 1 : "-");
		for (a = 0; a < sizeof(attrs) / sizeof(attrs[0]); a++) {
			snprintf(rel, sizeof(rel), "bus/pci/devices/%s/%s", d->d_name, attrs[a]);
			n = sysfs_read(rel, val, sizeof(val));
			if (n > 0 && val[n - 1] == '\n')
				val[n - 1] = '\0';
			used += snprintf(out + used, size - used, " %s=%s", attrs[a],
					 n >= 0 ? val : "-");
		}
		used += snprintf(out + used, size - used, "\n");
	}
	closedir(dir);
}

static void run_op(const struct fact *f, const char *path, const char *value, char *obs,
		   size_t size)
{
	char val[BUF], buf[BUF];
	size_t len;
	ssize_t n;
	int r;

	if (!strcmp(f->op, "write")) {
		len = unescape(value, val, sizeof(val));
		r = sysfs_write(path, val, len);
		snprintf(obs, size, "%s", r < 0 ? errname(-r) : "ok");
	} else if (!strcmp(f->op, "read")) {
		n = sysfs_read(path, buf, sizeof(buf));
		if (n < 0)
			snprintf(obs, size, "%s", errname((int)-n));
		else
			escape(buf, n, obs, size);
	} else if (!strncmp(f->op, "vfio:", 5)) {
		vfio_op(f->op + 5, path, value, obs, size);
	} else {
		snprintf(obs, size, "unknown-op");
	}
}

static char kernel_package[520] = "unknown";

/* "PACKAGE VERSION" of the kernel, from the /lab/meta the lab driver put into the initramfs. */
static void read_kernel_package(void)
{
	char line[256], pkg[256] = "", ver[256] = "";
	FILE *f = fopen("/lab/meta", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "kernel_package=", 15))
			snprintf(pkg, sizeof(pkg), "%s", line + 15);
		else if (!strncmp(line, "kernel_package_version=", 23))
			snprintf(ver, sizeof(ver), "%s", line + 23);
	}
	fclose(f);
	if (pkg[0])
		snprintf(kernel_package, sizeof(kernel_package), "%s %s", pkg, ver);
}

static void run_fact(const struct fact *f, const char *kernel, const char *topology)
{
	static char before[65536], after[65536];
	char setup[BUF], path[BUF], value[BUF], obs[BUF];
	int r;

	snapshot(before, sizeof(before));
	r = apply(f->setup, 1, setup, sizeof(setup));
	if (expand(f->path, path, sizeof(path)) < 0 || expand(f->value, value, sizeof(value)) < 0)
		r = -ENOENT;
	if (r < 0)
		snprintf(obs, sizeof(obs), "setup-failed:%s", errname(-r));
	else
		run_op(f, path, value, obs, sizeof(obs));
	vfio_release(&hold);
	apply(f->restore, 0, NULL, 0);
	settle();
	snapshot(after, sizeof(after));
	if (r < 0 || (!f->irreversible && strcmp(before, after))) {
		failed = 1;
		if (r >= 0)
			fprintf(stderr,
				"kfacts: %s: state not restored\n--- before\n%s--- after\n%s",
				f->id, before, after);
	}
	printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f->id, kernel, topology, setup,
	       f->op, path, value, f->expected, obs, f->note, kernel_package);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *topology;
	struct utsname u;
	int header = 0, i, rows = 0;

	if (argc > 1 && !strcmp(argv[1], "--header")) {
		header = 1;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: kfacts [--header] TOPOLOGY\n");
		return 2;
	}
	topology = argv[1];
	uname(&u);
	read_kernel_package();
	discover_roles();
	if (header)
		printf("id\tkernel\ttopology\tsetup\top\tpath\tvalue\texpected\tobserved\tnote\t"
		       "kernel_package\n");
	for (i = 0; i < (int)(sizeof(facts) / sizeof(facts[0])); i++) {
		if (strcmp(facts[i].topology, topology))
			continue;
		run_fact(&facts[i], u.release, topology);
		rows++;
	}
	if (!rows) {
		fprintf(stderr, "kfacts: no facts for topology '%s'\n", topology);
		return 2;
	}
	return failed;
}
