/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helper: the row runner shared by the store-handler tests and the fidelity test. */

#include <errno.h>
#include <glib.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "rows.h"

char *row_host_path(const char *host)
{
	return g_strdup_printf("%s/%s.umockdev", HOSTS_DIR, host);
}

struct fks_host *row_load(const char *host, const char *kernel)
{
	g_autofree char *path = row_host_path(host);
	struct fks_options opts = { .kernel = kernel };
	struct pt_error err = { 0 };
	struct fks_host *h = NULL;

	if (fks_host_new_from_recording(path, &opts, &h, &err) < 0) {
		fprintf(stderr, "%s: %s\n", err.path, err.reason);
		abort();
	}
	return h;
}

struct row_fx row_fx_load(const char *host, const char *faults)
{
	struct row_fx f = { row_load(host, NULL), NULL, NULL };
	struct pt_error err = { 0 };

	f.be = fks_host_backend(f.h);
	if (!f.be || pt_trace_new(&f.trace) < 0)
		abort();
	f.be->trace = f.trace;
	fks_host_set_trace(f.h, f.trace);
	if (faults && fks_host_add_faults(f.h, "faults", faults, &err) < 0) {
		fprintf(stderr, "%s: %s\n", err.path, err.reason);
		abort();
	}
	return f;
}

void row_fx_free(struct row_fx *f)
{
	pt_backend_free(f->be);
	fks_host_free(f->h);
	pt_trace_free(f->trace);
}

int row_fx_write(struct row_fx *f, const char *path, const char *value)
{
	return pt_backend_write(f->be, PT_NS_SYS, path, value, strlen(value));
}

const char *row_errno_name(int err)
{
	static const struct {
		int e;
		const char *n;
	} names[] = {
		{ EPERM, "EPERM" },	{ ENOENT, "ENOENT" },	    { EIO, "EIO" },
		{ EBADF, "EBADF" },	{ EAGAIN, "EAGAIN" },	    { ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" },	{ EBUSY, "EBUSY" },	    { EEXIST, "EEXIST" },
		{ ENODEV, "ENODEV" },	{ EINVAL, "EINVAL" },	    { ENOSPC, "ENOSPC" },
		{ ERANGE, "ERANGE" },	{ ENOTTY, "ENOTTY" },	    { EISDIR, "EISDIR" },
		{ ENXIO, "ENXIO" },	{ ETIMEDOUT, "ETIMEDOUT" }, { EBADFD, "EBADFD" },
		{ ENOTDIR, "ENOTDIR" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (names[i].e == err)
			return names[i].n;
	/* The rest as the lab's guest tools name them (glibc's strerrorname_np). */
	return strerrorname_np(err) ? strerrorname_np(err) : "E?";
}

char *row_escape(const char *s, size_t len)
{
	GString *o = g_string_new(NULL);

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			g_string_append(o, "\\n");
		else if (c == '\t')
			g_string_append(o, "\\t");
		else if (c == '\\')
			g_string_append(o, "\\\\");
		else if (c < 0x20 || c >= 0x7f)
			g_string_append_printf(o, "\\x%02x", c);
		else
			g_string_append_c(o, (char)c);
	}
	return g_string_free(o, FALSE);
}

char *row_unescape(const char *s, size_t *ret_len)
{
	GString *o = g_string_new(NULL);

	for (; *s; s++) {
		if (*s != '\\' || !s[1]) {
			g_string_append_c(o, *s);
			continue;
		}
		s++;
		if (*s == 'n')
			g_string_append_c(o, '\n');
		else if (*s == 't')
			g_string_append_c(o, '\t');
		else if (*s == 'x' && g_ascii_isxdigit(s[1]) && g_ascii_isxdigit(s[2])) {
			g_string_append_c(o, (char)(g_ascii_xdigit_value(s[1]) << 4 |
						    g_ascii_xdigit_value(s[2])));
			s += 2;
		} else
			g_string_append_c(o, *s);
	}
	*ret_len = o->len;
	return g_string_free(o, FALSE);
}

static char *result(int r)
{
	return g_strdup(r < 0 ? row_errno_name(-r) : "ok");
}

struct vfio_set {
	int container, group, device;
};

/* Open group (and container, IOMMU, device as far as asked); -errno of the first failure. */
static int vfio_open(struct pt_backend *be, const char *group, const char *bdf, int depth,
		     struct vfio_set *v)
{
	g_autofree char *node = g_strdup_printf("vfio/%s", group);
	int r;

	*v = (struct vfio_set){ -1, -1, -1 };
	v->group = pt_backend_dev_open(be, node, 2);
	if (v->group < 0)
		return v->group;
	if (depth < 1)
		return 0;
	v->container = pt_backend_dev_open(be, "vfio/vfio", 2);
	if (v->container < 0)
		return v->container;
	r = pt_backend_dev_ioctl(be, v->group, VFIO_GROUP_SET_CONTAINER, &v->container);
	if (r < 0 || depth < 2)
		return r;
	r = pt_backend_dev_ioctl(be, v->container, VFIO_SET_IOMMU,
				 (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU);
	if (r < 0 || depth < 3)
		return r;
	r = pt_backend_dev_ioctl(be, v->group, VFIO_GROUP_GET_DEVICE_FD, (void *)bdf);
	if (r >= 0)
		v->device = r;
	return r < 0 ? r : 0;
}

static char *map_dma(struct fks_host *h, struct pt_backend *be, const char *group, const char *bdf,
		     const char *value)
{
	g_auto(GStrv) words = g_strsplit(value, " ", -1);
	struct vfio_iommu_type1_dma_map m = { .argsz = sizeof(m),
					      .flags = VFIO_DMA_MAP_FLAG_READ |
						       VFIO_DMA_MAP_FLAG_WRITE,
					      .vaddr = 0x7f0000000000ull };
	struct vfio_set v;
	int r = vfio_open(be, group, bdf, 3, &v);

	if (r < 0)
		return result(r);
	for (guint i = 0; words[i]; i++) {
		unsigned long long a, b;

		if (sscanf(words[i], "memlock=%llx", &a) == 1) {
			g_autofree char *s = g_strdup_printf("%llu", a);

			fks_host_set(h, "memlock", s);
		} else if (strcmp(words[i], "drop=CAP_IPC_LOCK") == 0) {
			fks_host_set(h, "cap_ipc_lock", "0");
		} else if (sscanf(words[i], "premap=%llx+%llx", &a, &b) == 2) {
			struct vfio_iommu_type1_dma_map p = m;

			p.iova = a;
			p.size = b;
			p.vaddr += 0x10000000;
			pt_backend_dev_ioctl(be, v.container, VFIO_IOMMU_MAP_DMA, &p);
		} else if (sscanf(words[i], "iova=%llx", &a) == 1) {
			m.iova = a;
		} else if (sscanf(words[i], "size=%llx", &a) == 1) {
			m.size = a;
		}
	}
	return result(pt_backend_dev_ioctl(be, v.container, VFIO_IOMMU_MAP_DMA, &m));
}

static char *vfio_op(struct fks_host *h, struct pt_backend *be, const char *op, const char *path,
		     const char *value)
{
	g_auto(GStrv) gb = g_strsplit(path, " ", 2);
	const char *group = gb[0], *bdf = gb[1] ? gb[1] : "";
	struct vfio_set v;
	int r;

	if (strcmp(op, "group-status") == 0) {
		struct vfio_group_status st = { .argsz = sizeof(st) };

		r = vfio_open(be, group, bdf, 0, &v);
		if (r >= 0)
			r = pt_backend_dev_ioctl(be, v.group, VFIO_GROUP_GET_STATUS, &st);
		return r < 0 ? result(r) : g_strdup_printf("flags=0x%x", st.flags);
	}
	if (strcmp(op, "set-container") == 0)
		return result(vfio_open(be, group, bdf, 1, &v));
	if (strcmp(op, "set-iommu") == 0)
		return result(vfio_open(be, group, bdf, 2, &v));
	if (strcmp(op, "get-device-fd-no-iommu") == 0) {
		r = vfio_open(be, group, bdf, 1, &v);
		if (r >= 0)
			r = pt_backend_dev_ioctl(be, v.group, VFIO_GROUP_GET_DEVICE_FD,
						 (void *)bdf);
		return result(r);
	}
	if (strcmp(op, "get-device-fd") == 0) {
		r = vfio_open(be, group, bdf, 2, &v);
		if (r >= 0)
			r = pt_backend_dev_ioctl(be, v.group, VFIO_GROUP_GET_DEVICE_FD,
						 (void *)value);
		return result(r);
	}
	if (strcmp(op, "open-group-twice") == 0) {
		g_autofree char *node = g_strdup_printf("vfio/%s", group);

		r = vfio_open(be, group, bdf, 0, &v);
		if (r >= 0)
			r = pt_backend_dev_open(be, node, 2);
		return result(r);
	}
	if (strcmp(op, "device-reset") == 0) {
		r = vfio_open(be, group, bdf, 3, &v);
		if (r >= 0)
			r = pt_backend_dev_ioctl(be, v.device, VFIO_DEVICE_RESET, NULL);
		return result(r);
	}
	if (strcmp(op, "hot-reset-info") == 0) {
		struct vfio_pci_hot_reset_info *hi = g_malloc0(4096);

		hi->argsz = 4096;
		r = vfio_open(be, group, bdf, 3, &v);
		if (r >= 0)
			r = pt_backend_dev_ioctl(be, v.device, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO,
						 hi);
		g_free(hi);
		return result(r);
	}
	if (strcmp(op, "dma-cc") == 0) {
		int before;

		r = vfio_open(be, group, bdf, 1, &v);
		before = r < 0 ? 0 :
				 pt_backend_dev_ioctl(be, v.container, VFIO_CHECK_EXTENSION,
						      (void *)(uintptr_t)VFIO_DMA_CC_IOMMU);
		if (r >= 0)
			r = pt_backend_dev_ioctl(be, v.container, VFIO_SET_IOMMU,
						 (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU);
		if (r < 0)
			return result(r);
		return g_strdup_printf("before=%d after=%d", before,
				       pt_backend_dev_ioctl(be, v.container, VFIO_CHECK_EXTENSION,
							    (void *)(uintptr_t)VFIO_DMA_CC_IOMMU));
	}
	if (strcmp(op, "map-dma") == 0)
		return map_dma(h, be, group, bdf, value);
	return g_strdup("unknown-op");
}

static int setup_step(struct fks_host *h, struct pt_backend *be, const char *step)
{
	const char *eq = strchr(step, '=');
	g_autofree char *path = NULL, *value = NULL;
	size_t len;

	if (!eq)
		return -EINVAL;
	path = g_strndup(step, (gsize)(eq - step));
	if (strcmp(path, "vfio:hold") == 0) {
		g_auto(GStrv) gb = g_strsplit(eq + 1, "/", 2);
		struct vfio_set v;

		return vfio_open(be, gb[0], gb[1] ? gb[1] : "", 3, &v);
	}
	if (g_str_has_prefix(path, "set:")) {
		g_autofree char *kv = g_strdup(step + 4);
		char *e2 = strchr(kv, '=');

		*e2 = '\0';
		return fks_host_set(h, kv, e2 + 1);
	}
	value = row_unescape(eq + 1, &len);
	return pt_backend_write(be, PT_NS_SYS, path, value, len);
}

int row_setup(struct fks_host *h, struct pt_backend *be, const char *setup, char **ret_step)
{
	g_auto(GStrv) steps = g_strsplit(setup ? setup : "", ";", -1);

	for (guint i = 0; steps[i]; i++) {
		int s;

		if (!steps[i][0])
			continue;
		s = setup_step(h, be, steps[i]);
		if (s < 0) {
			*ret_step = g_strdup(steps[i]);
			return s;
		}
	}
	*ret_step = NULL;
	return 0;
}

int row_run(const struct row *r, char **ret_observed)
{
	struct fks_host *h = row_load(r->host, r->kernel);
	struct pt_backend *be = fks_host_backend(h);
	g_autofree char *step = NULL;
	char *obs = NULL;
	int ret = 0, r0;

	r0 = row_setup(h, be, r->setup, &step);
	if (r0 < 0) {
		obs = g_strdup_printf("setup-failed:%s (%s)", row_errno_name(-r0), step);
		ret = -1;
	}
	if (!obs && strcmp(r->op, "write") == 0) {
		size_t len;
		g_autofree char *value = row_unescape(r->value ? r->value : "", &len);

		obs = result(pt_backend_write(be, PT_NS_SYS, r->path, value, len));
	} else if (!obs && strcmp(r->op, "read") == 0) {
		char buf[8192];
		size_t len;
		int s = pt_backend_read(be, PT_NS_SYS, r->path, buf, sizeof(buf), &len);

		obs = s < 0 ? result(s) : row_escape(buf, len);
	} else if (!obs && g_str_has_prefix(r->op, "vfio:")) {
		obs = vfio_op(h, be, r->op + 5, r->path, r->value ? r->value : "");
	}
	pt_backend_free(be);
	fks_host_free(h);
	*ret_observed = obs;
	return ret;
}

static void state_dev(GString *s, const struct pt_dev *d)
{
	const struct pt_dev_props *p = pt_dev_props(d);
	const struct pt_reset_info *ri = pt_dev_reset(d);

	g_string_append_printf(s, "dev %s %04x:%04x class %06x driver %s override %s group %d",
			       p->address, p->vendor, p->device, p->class,
			       p->driver ? p->driver : "-", p->override ? p->override : "-",
			       p->iommu_group);
	g_string_append(s, " net");
	for (char **n = p->netdevs; n && *n; n++)
		g_string_append_printf(s, " %s", *n);
	if (p->physfn)
		g_string_append_printf(s, " physfn %s", p->physfn);
	if (p->sriov)
		g_string_append_printf(s, " sriov %u/%u autoprobe %d vfs %zu", p->sriov->numvfs,
				       p->sriov->totalvfs, p->sriov->drivers_autoprobe,
				       p->sriov->vf_count);
	g_string_append(s, " reset");
	for (size_t i = 0; i < ri->count; i++)
		g_string_append_printf(s, " %s", pt_reset_method_to_string(ri->methods[i]));
	g_string_append_c(s, '\n');
}

char *row_state(struct fks_host *h)
{
	struct pt_backend *be = fks_host_backend(h);
	GString *s = g_string_new(NULL);
	struct pt_error err = { 0 };
	struct pt_host *ph = NULL;
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	char **names = NULL;
	size_t n = 0;

	if (pt_host_new(be, NULL, &ph, &err) < 0) {
		g_string_append_printf(s, "scan failed: %s %s\n", err.path, err.reason);
	} else {
		for (size_t i = 0; i < pt_host_dev_count(ph); i++)
			state_dev(s, pt_host_dev(ph, i));
		for (size_t i = 0; i < pt_host_group_count(ph); i++) {
			struct pt_group *g = pt_host_group(ph, i);

			g_string_append_printf(s, "group %d viable %d members", pt_group_id(g),
					       pt_group_viable(g));
			for (size_t j = 0; j < pt_group_member_count(g); j++)
				g_string_append_printf(s, " %s",
						       pt_dev_address(pt_group_member(g, j)));
			g_string_append_c(s, '\n');
		}
	}
	pt_host_free(ph);
	if (pt_backend_list(be, PT_NS_DEV, "vfio", &names, &n) >= 0) {
		for (size_t i = 0; i < n; i++)
			g_string_append_printf(s, "node vfio/%s\n", names[i]);
		pt_strv_free(names);
	}
	pt_backend_free(be);
	fks_host_export_recording(h, &text);
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i]; i++)
		if (g_str_has_prefix(lines[i], "P: "))
			g_string_append_printf(s, "block %s\n", lines[i] + 3);
	return g_string_free(s, FALSE);
}

char *row_first_diff(const char *a, const char *b)
{
	g_auto(GStrv) la = g_strsplit(a, "\n", -1), lb = g_strsplit(b, "\n", -1);
	guint i;

	for (i = 0; la[i] && lb[i]; i++)
		if (strcmp(la[i], lb[i]) != 0)
			return g_strdup_printf("line %u: '%s' vs '%s'", i + 1, la[i], lb[i]);
	if (la[i] || lb[i])
		return g_strdup_printf("line %u: '%s' vs '%s'", i + 1, la[i] ? la[i] : "(end)",
				       lb[i] ? lb[i] : "(end)");
	return g_strdup("");
}
