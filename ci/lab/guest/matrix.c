/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* matrix: write every value class to every writable PCI attribute in every device state; print rows. */

/*
 * The plan: three static tables. states[] names a device state (a role found by vendor:device,
 * the setup that puts it in that state, the driver its bind/unbind rows use); attrs[] names a
 * writable file (a path template, the kind of value its store function parses, one valid
 * value, the states it is written in); classes[] turns a valid value into the value class's
 * bytes for a kind (empty, "\n" only, leading space, sign, 0x, max, overflow, 4 KiB, NUL, ...).
 * The rows are the product state x attr x class, in table order: deterministic, and numbered,
 * so "matrix --from N TOPOLOGY" resumes after row N-1.
 *
 * Each row: apply the setup, write the value once, settle, record the errno (or ok) and the
 * target's state after the write (present or absent, driver, and the file's content read back
 * when it can be read), then put the machine back as booted. The boot state is a list of
 * (file, content) pairs taken once at start: every device's driver, driver_override,
 * sriov_numvfs, sriov_drivers_autoprobe, reset_method, enable, d3cold_allowed, power/control,
 * msi_bus, broken_parity_status, plus the bus's drivers_autoprobe, each IOMMU group's type and
 * vfio-pci's writable parameters. The reset rescans when a device is missing, disables VFs,
 * clears overrides, rebinds drivers, writes every other file that differs, and checks the
 * list again; a row that could not be undone says so in its "restored" column.
 *
 * Templates: {dev} the state's device, {drv} the state's driver, {id} the device's
 * "VENDOR DEVICE", {g} its IOMMU group, {ROLE} any role's address; a setup is ';'-separated
 * "PATH=VALUE" writes (C-escaped VALUE) or "vfio:hold=GROUP/BDF" (group, type1v2 container and
 * device fd kept open until the row's reset).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-sysfs.h"

#define BUF 8192
#define KIB4 4096

#include "matrix-tables.h"

struct role {
	char name[16];
	char bdf[32];
};

struct ctx {
	struct role roles[32];
	int nroles;
	const char *topology;
	char kernel[128];
	char package[520];
	char **boot; /* "PATH\tVALUE" */
	int nboot;
	int hold[3];
	FILE *mirror; /* --mirror: each row again, prefixed "PTH-MATRIX\t" */
};

static void add_role(struct ctx *c, const char *name, const char *bdf)
{
	if (c->nroles >= 32)
		return;
	snprintf(c->roles[c->nroles].name, sizeof(c->roles[0].name), "%s", name);
	snprintf(c->roles[c->nroles].bdf, sizeof(c->roles[0].bdf), "%s", bdf);
	c->nroles++;
}

static const char *role_bdf(const struct ctx *c, const char *name)
{
	for (int i = 0; i < c->nroles; i++)
		if (!strcmp(c->roles[i].name, name))
			return c->roles[i].bdf;
	return NULL;
}

static int wr(const char *rel, const char *val)
{
	return sysfs_write(rel, val, strlen(val));
}

/* Sorted entries of a /sys directory; returns the count (caller frees). */
static int list_dir(const char *rel, char ***ret)
{
	char path[PATH_MAX];
	struct dirent *d;
	char **v = NULL;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), SYSFS "%s", rel);
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		v = realloc(v, sizeof(*v) * (n + 1));
		v[n++] = strdup(d->d_name);
	}
	if (dir)
		closedir(dir);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*ret = v;
	return n;
}

static void free_list(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Roles by vendor:device (the same rules as kfacts); vf0 from the PF's offset. */
static void discover_roles(struct ctx *c)
{
	char **names;
	int n = list_dir("bus/pci/devices", &names);

	for (int i = 0; i < n; i++) {
		const char *b = names[i];
		unsigned long ven = attr_ul(b, "vendor"), dev = attr_ul(b, "device");
		unsigned dom, bus, sl, fn, rid;
		char vf[32];

		if (ven == 0x1b36 && dev == 0x0005) {
			add_role(c, "testdev", b);
		} else if (ven == 0x1234 && dev == 0x11e8) {
			add_role(c, "edu", b);
		} else if (ven == 0x8086 && dev == 0x10d3) {
			add_role(c, b[strlen(b) - 1] == '0' ? "e1000e0" : "e1000e1", b);
		} else if (ven == 0x1b36 && dev == 0x0010 && attr_ul(b, "sriov_totalvfs")) {
			add_role(c, "pf", b);
			if (sscanf(b, "%x:%x:%x.%x", &dom, &bus, &sl, &fn) != 4)
				continue;
			rid = (bus << 8 | sl << 3 | fn) + attr_ul(b, "sriov_offset");
			snprintf(vf, sizeof(vf), "%04x:%02x:%02x.%x", dom, rid >> 8,
				 (rid >> 3) & 0x1f, rid & 7);
			add_role(c, "vf0", vf);
		} else if (ven == 0x1b36 && dev == 0x0010 && !role_bdf(c, "nvme")) {
			add_role(c, "nvme", b);
		}
	}
	free_list(names, n);
}

struct vars {
	const char *dev, *drv, *value; /* value: the row's (escaped) value, once known */
	char id[16], group[16], shortaddr[32], cdev[32];
};

/* Refresh id and group from sysfs where the device is there (kept otherwise). */
static void vars_refresh(struct vars *v)
{
	char rel[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	if (attr_ul(v->dev, "vendor"))
		snprintf(v->id, sizeof(v->id), "%04lx %04lx", attr_ul(v->dev, "vendor"),
			 attr_ul(v->dev, "device"));
	snprintf(rel, sizeof(rel), SYSFS "bus/pci/devices/%s/iommu_group", v->dev);
	n = readlink(rel, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		snprintf(v->group, sizeof(v->group), "%s", strrchr(link, '/') + 1);
	}
	snprintf(v->shortaddr, sizeof(v->shortaddr), "%s", v->dev + 5);
	/* The VFIO device cdev (vfio-dev/vfioN) while the device is on a VFIO driver. */
	{
		char **names;
		int n;

		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/vfio-dev", v->dev);
		n = list_dir(rel, &names);
		snprintf(v->cdev, sizeof(v->cdev), "%s", n > 0 ? names[0] : "nocdev");
		free_list(names, n);
	}
}

static int expand(const struct ctx *c, const struct vars *v, const char *tmpl, char *out,
		  size_t size)
{
	const char *p = tmpl, *end, *val;
	size_t len = 0;
	char key[32];

	while (*p && len + 1 < size) {
		if (*p != '{') {
			out[len++] = *p++;
			continue;
		}
		end = strchr(p, '}');
		if (!end || end - p - 1 >= (long)sizeof(key))
			return -EINVAL;
		snprintf(key, sizeof(key), "%.*s", (int)(end - p - 1), p + 1);
		if (!strcmp(key, "dev"))
			val = v->dev;
		else if (!strcmp(key, "drv"))
			val = v->drv;
		else if (!strcmp(key, "id"))
			val = v->id;
		else if (!strcmp(key, "g"))
			val = v->group[0] ? v->group : "nogroup";
		else if (!strcmp(key, "value"))
			val = v->value;
		else if (!strcmp(key, "short"))
			val = v->shortaddr;
		else if (!strcmp(key, "cdev"))
			val = v->cdev;
		else
			val = role_bdf(c, key);
		if (!val)
			return -ENOENT;
		len += snprintf(out + len, size - len, "%s", val);
		p = end + 1;
	}
	out[len < size ? len : size - 1] = '\0';
	return 0;
}

static size_t unescape(const char *in, char *out, size_t size)
{
	size_t n = 0;

	while (*in && n < size) {
		if (*in != '\\' || !in[1]) {
			out[n++] = *in++;
			continue;
		}
		in++;
		if (*in == 'n')
			out[n++] = '\n';
		else if (*in == 't')
			out[n++] = '\t';
		else if (*in == 'x' && in[1] && in[2]) {
			out[n++] = (char)strtoul((char[]){ in[1], in[2], 0 }, NULL, 16);
			in += 2;
		} else
			out[n++] = *in;
		in++;
	}
	return n;
}

static void escape(const char *in, size_t len, char *out, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 5 < size; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (ch == '\n')
			n += sprintf(out + n, "\\n");
		else if (ch == '\t')
			n += sprintf(out + n, "\\t");
		else if (ch == '\\')
			n += sprintf(out + n, "\\\\");
		else if (ch < 0x20 || ch >= 0x7f)
			n += sprintf(out + n, "\\x%02x", ch);
		else
			out[n++] = (char)ch;
	}
	out[n] = '\0';
}

/*
 * The escaped value of class k for attribute a (valid value already expanded); 0, or -1 when
 * the class does not apply to the attribute's kind. "4k": 4096 bytes, the valid value padded
 * on the left ('0' for numbers, so the number is unchanged; 'a' otherwise). "nul": the valid
 * value, a NUL byte, then "9".
 */
static int make_value(const struct vclass *k, const struct attr *a, const char *valid, char *out,
		      size_t size)
{
	size_t vl = strlen(valid);

	if (!(k->kinds & K(a->kind)))
		return -1;
	if (!strcmp(k->name, "4k")) {
		char pad = a->kind == K_NUM || a->kind == K_BOOL ? '0' : 'a';
		size_t i;

		if (size < KIB4 + 1 || vl > KIB4)
			return -1;
		for (i = 0; i < KIB4 - vl; i++)
			out[i] = pad;
		snprintf(out + i, size - i, "%s", valid);
		return 0;
	}
	if (!strcmp(k->name, "nul")) {
		snprintf(out, size, "%s\\x009", valid);
		return 0;
	}
	if (!k->post)
		snprintf(out, size, "%s", k->pre);
	else
		snprintf(out, size, "%s%s%s", k->pre, valid, k->post);
	return 0;
}

static const char *errname(int err)
{
	const char *s = strerrorname_np(err);

	return s ? s : "E?";
}

static const char *const dev_files[] = { "driver_override", "sriov_drivers_autoprobe",
					 "reset_method",    "enable",
					 "d3cold_allowed",  "power/control",
					 "msi_bus",	    "broken_parity_status" };

static void push(char ***v, int *n, const char *path, const char *value)
{
	char *s;

	if (asprintf(&s, "%s\t%s", path, value) < 0)
		abort();
	*v = realloc(*v, sizeof(**v) * (*n + 1));
	(*v)[(*n)++] = s;
}

static void push_file(char ***v, int *n, const char *rel)
{
	char buf[512];
	ssize_t r = sysfs_read(rel, buf, sizeof(buf));

	if (r < 0)
		return;
	buf[strcspn(buf, "\n")] = '\0';
	push(v, n, rel, buf);
}

static void driver_of(const char *bdf, char *out, size_t size)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), SYSFS "bus/pci/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0)
		link[n] = '\0';
	snprintf(out, size, "%s", n > 0 ? strrchr(link, '/') + 1 : "-");
}

/* The state list: "bus/pci/devices/X/driver\tNAME", then files with their first line. */
static int snapshot(char ***ret)
{
	static const char *const global[] = { "bus/pci/drivers_autoprobe",
					      "module/vfio_pci/parameters/nointxmask",
					      "module/vfio_pci/parameters/disable_idle_d3",
					      "module/vfio_pci/parameters/enable_sriov" };
	char rel[PATH_MAX], drv[64], **devs, **groups, **v = NULL;
	int nd = list_dir("bus/pci/devices", &devs), ng, n = 0;

	for (int i = 0; i < nd; i++) {
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/driver", devs[i]);
		driver_of(devs[i], drv, sizeof(drv));
		push(&v, &n, rel, drv);
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/sriov_numvfs", devs[i]);
		push_file(&v, &n, rel);
		for (size_t f = 0; f < sizeof(dev_files) / sizeof(dev_files[0]); f++) {
			snprintf(rel, sizeof(rel), "bus/pci/devices/%s/%s", devs[i], dev_files[f]);
			push_file(&v, &n, rel);
		}
	}
	free_list(devs, nd);
	ng = list_dir("kernel/iommu_groups", &groups);
	for (int i = 0; i < ng; i++) {
		snprintf(rel, sizeof(rel), "kernel/iommu_groups/%s/type", groups[i]);
		push_file(&v, &n, rel);
	}
	free_list(groups, ng);
	for (size_t i = 0; i < sizeof(global) / sizeof(global[0]); i++)
		push_file(&v, &n, global[i]);
	*ret = v;
	return n;
}

/* Wait (at most 10 s) until no NVMe controller is resetting, connecting or new. */
static void settle(void)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	char rel[64], st[32];

	for (int tries = 0; tries < 200; tries++) {
		int busy = 0;

		for (int i = 0; i < 16; i++) {
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

static void hold_release(struct ctx *c)
{
	for (int i = 2; i >= 0; i--) {
		if (c->hold[i] >= 0)
			close(c->hold[i]);
		c->hold[i] = -1;
	}
}

/*
 * "enable" shows the enable count; "1" on a device without a driver adds one, and a driver's
 * probe adds one more. Before drivers are rebound, a device without a driver is disabled
 * ("0" drops one) until its count is 0, so the rebind brings it back to the boot count.
 */
static void disable_unbound(const char *path)
{
	char dev[64], drv[64], cur[32];

	snprintf(dev, sizeof(dev), "%.12s", path + 16);
	driver_of(dev, drv, sizeof(drv));
	for (int i = 0; i < 16 && !strcmp(drv, "-"); i++) {
		if (sysfs_read(path, cur, sizeof(cur)) <= 0 || atoi(cur) <= 0)
			break;
		wr(path, "0");
	}
}

/* One boot entry back: the device's bdf is in the path; the file is after it. */
static void restore_entry(const char *entry, int pass)
{
	char path[PATH_MAX], cur[512], dev[64], want[512];
	const char *tab = strchr(entry, '\t'), *base;
	ssize_t r;

	snprintf(path, sizeof(path), "%.*s", (int)(tab - entry), entry);
	snprintf(want, sizeof(want), "%s", tab + 1);
	base = strrchr(path, '/') + 1;
	if (!strcmp(base, "driver")) {
		snprintf(dev, sizeof(dev), "%.*s", (int)(base - path - 1 - 16), path + 16);
		driver_of(dev, cur, sizeof(cur));
		if (pass != 1 || !strcmp(cur, want))
			return;
		if (strcmp(cur, "-")) {
			snprintf(path, sizeof(path), "bus/pci/drivers/%s/unbind", cur);
			wr(path, dev);
		}
		if (strcmp(want, "-")) {
			snprintf(path, sizeof(path), "bus/pci/drivers/%s/bind", want);
			wr(path, dev);
		}
		return;
	}
	r = sysfs_read(path, cur, sizeof(cur));
	if (r < 0)
		return;
	cur[strcspn(cur, "\n")] = '\0';
	if (pass == 0 && !strcmp(base, "enable"))
		disable_unbound(path);
	else if (!strcmp(cur, want))
		return;
	if (pass == 0 && !strcmp(base, "sriov_numvfs"))
		wr(path, "0");
	else if (pass == 0 && !strncmp(path, "kernel/iommu_groups/", 20))
		wr(path, want); /* only while the group's devices have no driver */
	else if (pass == 0 && !strcmp(base, "driver_override"))
		wr(path, "\n");
	else if (pass == 2 && !strcmp(base, "reset_method"))
		wr(path, want[0] ? want : "\n");
	else if (pass == 2)
		wr(path, want);
}

/* Back to the boot state; returns 1 when the state list matches again. */
static int reset_state(struct ctx *c, const char *cleanup)
{
	char **now;
	int n, same, missing = 0;

	hold_release(c);
	for (int i = 0; i < c->nboot; i++) {
		char dir[PATH_MAX];

		if (strstr(c->boot[i], "/driver\t")) {
			snprintf(dir, sizeof(dir), SYSFS "%.*s", 28, c->boot[i]);
			missing |= access(dir, F_OK) != 0;
		}
	}
	if (missing) {
		wr("bus/pci/rescan", "1");
		settle();
	}
	wr("bus/pci/drivers_autoprobe", "1");
	if (cleanup && cleanup[0]) {
		char tmp[BUF], val[BUF], *save = NULL, *el, *eq;

		snprintf(tmp, sizeof(tmp), "%s", cleanup);
		for (el = strtok_r(tmp, ";", &save); el; el = strtok_r(NULL, ";", &save))
			if ((eq = strchr(el, '='))) {
				*eq = '\0';
				sysfs_write(el, val, unescape(eq + 1, val, sizeof(val)));
			}
	}
	for (int pass = 0; pass < 3; pass++)
		for (int i = 0; i < c->nboot; i++)
			restore_entry(c->boot[i], pass);
	settle();
	n = snapshot(&now);
	same = n == c->nboot;
	for (int i = 0; same && i < n; i++)
		same = !strcmp(now[i], c->boot[i]);
	if (!same)
		for (int i = 0; i < n || i < c->nboot; i++)
			if (i >= n || i >= c->nboot || strcmp(now[i], c->boot[i]))
				fprintf(stderr, "matrix: not restored: now '%s', boot '%s'\n",
					i < n ? now[i] : "(none)",
					i < c->nboot ? c->boot[i] : "(none)");
	free_list(now, n);
	return same;
}

static int vfio_hold(struct ctx *c, char *arg)
{
	char *slash = strchr(arg, '/'), node[64];

	if (!slash)
		return -EINVAL;
	*slash = '\0';
	snprintf(node, sizeof(node), "/dev/vfio/%s", arg);
	c->hold[0] = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	c->hold[1] = open(node, O_RDWR | O_CLOEXEC);
	if (c->hold[0] < 0 || c->hold[1] < 0)
		return -errno;
	if (ioctl(c->hold[1], VFIO_GROUP_SET_CONTAINER, &c->hold[0]) < 0 ||
	    ioctl(c->hold[0], VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0)
		return -errno;
	c->hold[2] = ioctl(c->hold[1], VFIO_GROUP_GET_DEVICE_FD, slash + 1);
	return c->hold[2] < 0 ? -errno : 0;
}

/* Apply an expanded setup; 0 or -errno of the first failing step (its text in *bad). */
static int apply(struct ctx *c, char *setup, char *bad, size_t size)
{
	char *save = NULL, *el, *eq, val[BUF], copy[BUF];
	int r;

	for (el = strtok_r(setup, ";", &save); el; el = strtok_r(NULL, ";", &save)) {
		snprintf(copy, sizeof(copy), "%s", el);
		eq = strchr(el, '=');
		if (!eq)
			return -EINVAL;
		*eq = '\0';
		if (!strcmp(el, "vfio:hold"))
			r = vfio_hold(c, eq + 1);
		else
			r = sysfs_write(el, val, unescape(eq + 1, val, sizeof(val)));
		settle();
		if (r < 0) {
			snprintf(bad, size, "%s", copy);
			return r;
		}
	}
	return 0;
}

/* "present driver=X value=CONTENT" (or "absent"); value only for readable files. */
static void after_state(const struct attr *a, const struct vars *v, const char *path, char *out,
			size_t size)
{
	char dir[PATH_MAX], drv[64], buf[1024], esc[BUF / 2];
	ssize_t n;

	snprintf(dir, sizeof(dir), SYSFS "bus/pci/devices/%s", v->dev);
	if (access(dir, F_OK)) {
		snprintf(out, size, "absent");
		return;
	}
	driver_of(v->dev, drv, sizeof(drv));
	if (!a->readable) {
		snprintf(out, size, "present driver=%s", drv);
		return;
	}
	n = sysfs_read(path, buf, sizeof(buf));
	if (n < 0)
		snprintf(esc, sizeof(esc), "%s", errname((int)-n));
	else
		escape(buf, n, esc, sizeof(esc));
	snprintf(out, size, "present driver=%s value=%s", drv, esc);
}

/*
 * With a VFIO device held, a write that releases it (unbind, remove, sriov_numvfs 0 with a VF
 * open) waits in the kernel until the user closes the device. The write runs in a child
 * without the n fds of fds; after 3 s without an answer the parent closes them, last first
 * (each becomes -1), and *blocked says so (-1: no child could be started). Returns the
 * write's result (0 or -errno).
 */
static int release_write(const char *path, const char *val, size_t len, int *fds, int n,
			 int *blocked)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	int pfd[2], st = 0, ret = -EIO;
	pid_t pid;

	*blocked = -1;
	if (pipe(pfd) < 0 || (pid = fork()) < 0)
		return -errno;
	if (pid == 0) {
		for (int i = 0; i < n; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		ret = sysfs_write(path, val, len);
		_exit(write(pfd[1], &ret, sizeof(ret)) == sizeof(ret) ? 0 : 1);
	}
	close(pfd[1]);
	*blocked = 1;
	for (int i = 0; i < 30 && *blocked; i++) {
		*blocked = waitpid(pid, &st, WNOHANG) == 0;
		if (*blocked)
			nanosleep(&ts, NULL);
	}
	if (*blocked) {
		for (int i = n - 1; i >= 0; i--) {
			if (fds[i] >= 0)
				close(fds[i]);
			fds[i] = -1;
		}
		waitpid(pid, &st, 0);
	}
	if (read(pfd[0], &ret, sizeof(ret)) != sizeof(ret))
		ret = -EIO;
	close(pfd[0]);
	return ret;
}

/* release_write() with the state's held files; the row says "blocked-until-release:RESULT". */
static void held_write(struct ctx *c, const char *path, const char *val, size_t len, char *obs,
		       size_t size)
{
	int blocked, r = release_write(path, val, len, c->hold, 3, &blocked);

	if (blocked < 0)
		snprintf(obs, size, "fork-failed:%s", errname(-r));
	else
		snprintf(obs, size, "%s%s", blocked ? "blocked-until-release:" : "",
			 r < 0 ? errname(-r) : "ok");
}

struct rowbuf {
	char setup[BUF], path[BUF], valid[256], value[BUF], raw[BUF], obs[BUF], after[BUF];
	char cleanup[BUF], bad[BUF], line[6 * BUF];
};

/* Run one row (the state's setup, one write, the state after, the reset) and print it. */
static void run_row(struct ctx *c, int idx, const struct state *s, const struct attr *a,
		    const struct vclass *k, struct rowbuf *b)
{
	struct vars v = { role_bdf(c, s->role), s->drv, "", "", "", "", "" };
	char esc[BUF];
	size_t len;
	int r, restored;

	b->obs[0] = '\0';
	vars_refresh(&v);
	r = expand(c, &v, s->setup, b->setup, sizeof(b->setup));
	if (!r) {
		char tmp[BUF];

		snprintf(tmp, sizeof(tmp), "%s", b->setup);
		r = apply(c, tmp, b->bad, sizeof(b->bad));
	}
	vars_refresh(&v);
	if (!r)
		r = expand(c, &v, a->path, b->path, sizeof(b->path));
	if (!r)
		r = expand(c, &v, a->valid, b->valid, sizeof(b->valid));
	make_value(k, a, b->valid, b->raw, sizeof(b->raw));
	expand(c, &v, b->raw, b->value, sizeof(b->value));
	v.value = b->value;
	expand(c, &v, a->cleanup, b->cleanup, sizeof(b->cleanup));
	if (r < 0) {
		snprintf(b->obs, sizeof(b->obs), "setup-failed:%s", errname(-r));
		snprintf(b->after, sizeof(b->after), "-");
	} else {
		len = unescape(b->value, esc, sizeof(esc));
		if (c->hold[0] >= 0)
			held_write(c, b->path, esc, len, b->obs, sizeof(b->obs));
		else
			r = sysfs_write(b->path, esc, len);
		if (c->hold[0] < 0 && !b->obs[0])
			snprintf(b->obs, sizeof(b->obs), "%s", r < 0 ? errname(-r) : "ok");
		settle();
		after_state(a, &v, b->path, b->after, sizeof(b->after));
	}
	restored = reset_state(c, b->cleanup);
	snprintf(b->line, sizeof(b->line),
		 "%s.%s.%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\twrite\t%s\t%s\t%s\t%s\t%s\n",
		 s->name, a->name, k->name, idx, c->kernel, c->package, c->topology, s->name, v.dev,
		 a->name, k->name, b->setup, b->path, b->value, b->obs, b->after,
		 restored ? "yes" : "no");
	fputs(b->line, stdout);
	fflush(stdout);
	if (c->mirror) {
		fprintf(c->mirror, "PTH-MATRIX\t%s", b->line);
		fflush(c->mirror);
	}
}

static void read_package(struct ctx *c)
{
	char line[256], pkg[256] = "", ver[256] = "";
	FILE *f = fopen("/lab/meta", "re");

	snprintf(c->package, sizeof(c->package), "unknown");
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
		snprintf(c->package, sizeof(c->package), "%s %s", pkg, ver);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

#include "matrix-vfio.h"
#include "matrix-vftoken.h"

static const struct vstate *vstate_find(const char *name)
{
	for (size_t i = 0; i < N(vstates); i++)
		if (!strcmp(vstates[i].name, name))
			return &vstates[i];
	for (size_t i = 0; i < N(tstates); i++)
		if (!strcmp(tstates[i].name, name))
			return &tstates[i];
	return NULL;
}

/* One VFIO-ioctl row: the state's sysfs setup, the calls, the row, the reset. */
static void run_vrow(struct ctx *c, int idx, const struct vcase *k, struct vrun *r,
		     struct rowbuf *b)
{
	const struct vstate *s = vstate_find(k->state);
	struct vars v = { role_bdf(c, s->role), "vfio-pci", "", "", "", "", "" };
	int ret, restored;

	vars_refresh(&v);
	ret = expand(c, &v, s->setup, b->setup, sizeof(b->setup));
	if (!ret) {
		char tmp[BUF];

		snprintf(tmp, sizeof(tmp), "%s", b->setup);
		ret = apply(c, tmp, b->bad, sizeof(b->bad));
	}
	vars_refresh(&v);
	if (!ret)
		ret = expand(c, &v, k->calls, b->value, sizeof(b->value));
	if (ret < 0) {
		snprintf(b->obs, sizeof(b->obs), "setup-failed:%s", errname(-ret));
		snprintf(b->after, sizeof(b->after), "-");
	} else {
		vrun_calls(r, b->value, b->obs, sizeof(b->obs), b->after, sizeof(b->after));
	}
	vrun_close(r);
	settle();
	restored = reset_state(c, "");
	snprintf(b->line, sizeof(b->line),
		 "vfio.%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\tioctl\t%s\t%s\t%s\t%s\t%s\n",
		 k->name, idx, c->kernel, c->package, c->topology, k->state, v.dev, k->ioctl,
		 k->name, b->setup, k->fdkind, b->value, b->obs, b->after, restored ? "yes" : "no");
	fputs(b->line, stdout);
	fflush(stdout);
	if (c->mirror) {
		fprintf(c->mirror, "PTH-MATRIX\t%s", b->line);
		fflush(c->mirror);
	}
}

/* The VFIO-ioctl rows (matrix --vfio): only where the topology has the states' devices. */
static int run_vfio(struct ctx *c, int from, struct rowbuf *b)
{
	static struct vrun r;
	int idx = 0;

	for (int i = 0; i < 26; i++)
		r.fd[i] = -1;
	r.buf = mmap(NULL, VBUF_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (r.buf == MAP_FAILED) {
		perror("matrix: mmap");
		return 1;
	}
	/*
	 * The legacy rows everywhere; the iommufd and cdev rows where /dev/iommu exists; the
	 * VF-token rows there too, on a topology with an SR-IOV PF (matrix-vftoken.h).
	 */
	for (size_t k = 0; k < N(vcases) + N(icases) + N(tcases); k++) {
		const struct vcase *vc = k < N(vcases) ? &vcases[k] :
					 k < N(vcases) + N(icases) ?
							 &icases[k - N(vcases)] :
							 &tcases[k - N(vcases) - N(icases)];
		const struct vstate *s = vstate_find(vc->state);

		if (!s || !role_bdf(c, s->role) || (k >= N(vcases) && access("/dev/iommu", F_OK)) ||
		    (k >= N(vcases) + N(icases) && !role_bdf(c, "pf")))
			continue;
		if (idx++ < from)
			continue;
		run_vrow(c, idx - 1, vc, &r, b);
	}
	fprintf(stderr, "matrix: %d VFIO rows for %s\n", idx, c->topology);
	return 0;
}

int main(int argc, char **argv)
{
	static struct ctx c = { .hold = { -1, -1, -1 } };
	static struct rowbuf b;
	struct utsname u;
	int from = 0, header = 0, idx = 0, vfio = 0;

	while (argc > 2 && argv[1][0] == '-') {
		int two = strcmp(argv[1], "--header") && strcmp(argv[1], "--vfio");

		vfio |= !strcmp(argv[1], "--vfio");

		if (!strcmp(argv[1], "--from"))
			from = atoi(argv[2]);
		else if (!strcmp(argv[1], "--mirror"))
			c.mirror = fopen(argv[2], "we");
		else if (two)
			break;
		header |= !strcmp(argv[1], "--header");
		argc -= 1 + two;
		argv += 1 + two;
	}
	if (argc != 2) {
		fprintf(stderr,
			"usage: matrix [--header] [--vfio] [--from N] [--mirror FILE] TOPOLOGY\n");
		return 2;
	}
	c.topology = argv[1];
	uname(&u);
	snprintf(c.kernel, sizeof(c.kernel), "%s", u.release);
	read_package(&c);
	discover_roles(&c);
	settle();
	c.nboot = snapshot(&c.boot);
	if (header)
		printf("id\tindex\tkernel\tkernel_package\ttopology\tstate\tdevice\tattr\tclass\tsetup\top\t"
		       "path\tvalue\tobserved\tafter\trestored\n");
	if (vfio)
		return run_vfio(&c, from, &b);
	for (size_t s = 0; s < N(states); s++) {
		if (strcmp(states[s].topology, c.topology) || !role_bdf(&c, states[s].role))
			continue;
		for (size_t a = 0; a < N(attrs); a++) {
			if (!(attrs[a].states & S(s)))
				continue;
			for (size_t k = 0; k < N(classes); k++) {
				char probe[BUF];

				if (make_value(&classes[k], &attrs[a], "", probe, sizeof(probe)))
					continue;
				/* A removed device: one row per attribute is enough. */
				if (S(s) == S_REMOVED && k > 0)
					break;
				if (idx++ < from)
					continue;
				run_row(&c, idx - 1, &states[s], &attrs[a], &classes[k], &b);
			}
		}
	}
	fprintf(stderr, "matrix: %d rows for %s\n", idx, c.topology);
	return 0;
}
