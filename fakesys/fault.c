/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Injected faults: data that says which write, reset, VF enable or step misbehaves, and how. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char *const kind_names[_FKS_FAULT_KIND_MAX] = {
	[FKS_FAULT_WRITE] = "write",   [FKS_FAULT_RESET] = "reset", [FKS_FAULT_NUMVFS] = "numvfs",
	[FKS_FAULT_REMOVE] = "remove", [FKS_FAULT_DIE] = "die",
};

_public_ const char *fks_fault_kind_to_string(enum fks_fault_kind k)
{
	return (unsigned)k < _FKS_FAULT_KIND_MAX ? kind_names[k] : NULL;
}

_public_ int fks_host_add_fault(struct fks_host *h, const struct fks_fault *f)
{
	struct fks_fault_state *s;

	if ((unsigned)f->kind >= _FKS_FAULT_KIND_MAX ||
	    (f->kind != FKS_FAULT_DIE && (!f->path || !f->path[0])))
		return -EINVAL;
	if ((f->kind == FKS_FAULT_WRITE && f->error <= 0) ||
	    (f->kind == FKS_FAULT_RESET && f->error <= 0 && !f->hang_ms && !f->config_ff))
		return -EINVAL;
	s = g_new0(struct fks_fault_state, 1);
	s->f = *f;
	s->path = g_strdup(f->path ? f->path : "");
	s->f.path = s->path;
	if (!s->f.nth)
		s->f.nth = 1;
	g_ptr_array_add(h->faults, s);
	return 0;
}

_public_ unsigned fks_host_faults_fired(const struct fks_host *h)
{
	return h->faults_fired;
}

/* One more matching event: does the fault fire this time? */
static bool fires(struct fks_fault_state *s)
{
	s->seen++;
	if (s->seen < s->f.nth)
		return false;
	if (s->f.count && s->fired >= s->f.count)
		return false;
	s->fired++;
	return true;
}

static bool same_file(struct fks_host *h, struct fks_node *n, const char *fpath)
{
	g_autofree char *viadev = g_strdup_printf("bus/pci/devices/%s", fpath);
	struct fks_node *x;

	return (fks_node_resolve(h->root[PT_NS_SYS], fpath, true, &x) == 0 && x == n) ||
	       (fks_node_resolve(h->root[PT_NS_SYS], viadev, true, &x) == 0 && x == n);
}

int fks_fault_check_write(struct fks_host *h, struct fks_node *n, const char *path)
{
	for (guint i = 0; i < h->faults->len; i++) {
		struct fks_fault_state *s = h->faults->pdata[i];

		if (s->f.kind != FKS_FAULT_WRITE || !same_file(h, n, s->path) || !fires(s))
			continue;
		fks_note_fault(h, path, "write fails with %s (%s)", g_strerror(s->f.error),
			       s->path);
		return -s->f.error;
	}
	return 0;
}

int fks_fault_check_reset(struct fks_host *h, struct fks_dev *dev, unsigned *ret_hang)
{
	*ret_hang = 0;
	for (guint i = 0; i < h->faults->len; i++) {
		struct fks_fault_state *s = h->faults->pdata[i];

		if (s->f.kind != FKS_FAULT_RESET || strcmp(s->path, dev->addr) != 0 || !fires(s))
			continue;
		*ret_hang = s->f.hang_ms;
		if (s->f.config_ff) {
			dev->unresponsive = true;
			fks_note_fault(h, dev->addr,
				       "the device does not come back from the reset");
			return 0;
		}
		fks_note_fault(h, dev->addr, "reset hangs %u ms%s", s->f.hang_ms,
			       s->f.error ? " and fails" : "");
		return s->f.error ? -s->f.error : 0;
	}
	return 0;
}

int fks_fault_numvfs_limit(struct fks_host *h, struct fks_dev *pf, unsigned want)
{
	for (guint i = 0; i < h->faults->len; i++) {
		struct fks_fault_state *s = h->faults->pdata[i];

		if (s->f.kind != FKS_FAULT_NUMVFS || strcmp(s->path, pf->addr) != 0 ||
		    s->f.max_vfs >= want || !fires(s))
			continue;
		fks_note_fault(h, pf->addr, "%u VFs requested; only %u enabled", want,
			       s->f.max_vfs);
		return (int)s->f.max_vfs;
	}
	return (int)want;
}

_public_ void fks_host_set_die_hook(struct fks_host *h, void (*hook)(struct fks_host *, void *),
				    void *data)
{
	h->die_hook = hook;
	h->die_data = data;
}

void fks_fault_check_die(struct fks_host *h)
{
	for (guint i = 0; i < h->faults->len; i++) {
		struct fks_fault_state *s = h->faults->pdata[i];

		if (s->f.kind != FKS_FAULT_DIE || h->writes != s->f.nth)
			continue;
		if (h->die_hook)
			h->die_hook(h, h->die_data);
		/* As a kill from outside: no atexit, no stdio flush, no cleanup. */
		raise(SIGKILL);
	}
}

/* ---- the text form ---- */

static int parse_errno(const char *s)
{
	static const struct {
		const char *name;
		int value;
	} names[] = {
		{ "EPERM", EPERM },   { "ENOENT", ENOENT },	    { "EIO", EIO },
		{ "ENXIO", ENXIO },   { "EAGAIN", EAGAIN },	    { "ENOMEM", ENOMEM },
		{ "EACCES", EACCES }, { "EBUSY", EBUSY },	    { "EEXIST", EEXIST },
		{ "ENODEV", ENODEV }, { "EINVAL", EINVAL },	    { "ENOSPC", ENOSPC },
		{ "ERANGE", ERANGE }, { "ENOTTY", ENOTTY },	    { "ETIMEDOUT", ETIMEDOUT },
		{ "ENOSYS", ENOSYS }, { "EOPNOTSUPP", EOPNOTSUPP },
	};

	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].value;
	return -EINVAL;
}

static int parse_unsigned(const char *s, unsigned *ret)
{
	char *end;
	unsigned long v;

	if (!g_ascii_isdigit(s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

static int parse_fault_line(char *line, struct fks_fault *f, const char **ret_bad)
{
	g_auto(GStrv) words = g_strsplit_set(line, " \t", -1);
	guint w = 0;
	int k = -1;

	while (words[w] && !words[w][0])
		w++;
	for (int i = 0; i < _FKS_FAULT_KIND_MAX && words[w]; i++)
		if (strcmp(words[w], kind_names[i]) == 0)
			k = i;
	if (k < 0) {
		*ret_bad = "unknown fault kind (write, reset, numvfs, remove, die)";
		return -EINVAL;
	}
	*f = (struct fks_fault){ .kind = (enum fks_fault_kind)k, .count = 1 };
	for (w++; words[w]; w++) {
		char *eq = strchr(words[w], '=');
		int r = 0;

		if (!words[w][0])
			continue;
		if (!eq) {
			*ret_bad = "expected key=value";
			return -EINVAL;
		}
		*eq++ = '\0';
		if (strcmp(words[w], "path") == 0 || strcmp(words[w], "dev") == 0)
			f->path = g_intern_string(eq);
		else if (strcmp(words[w], "errno") == 0)
			r = (f->error = parse_errno(eq)) < 0 ? -EINVAL : 0;
		else if (strcmp(words[w], "nth") == 0)
			r = parse_unsigned(eq, &f->nth);
		else if (strcmp(words[w], "count") == 0)
			r = parse_unsigned(eq, &f->count);
		else if (strcmp(words[w], "hang_ms") == 0)
			r = parse_unsigned(eq, &f->hang_ms);
		else if (strcmp(words[w], "max") == 0)
			r = parse_unsigned(eq, &f->max_vfs);
		else if (strcmp(words[w], "step") == 0)
			r = parse_unsigned(eq, &f->step);
		else if (strcmp(words[w], "config") == 0)
			r = (f->config_ff = strcmp(eq, "ff") == 0) ? 0 : -EINVAL;
		else
			r = -ENOENT;
		if (r < 0) {
			*ret_bad = r == -ENOENT ? "unknown key" : "bad value";
			return -EINVAL;
		}
	}
	return 0;
}

_public_ int fks_host_add_faults(struct fks_host *h, const char *name, const char *text,
				 struct pt_error *ret_err)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (guint i = 0; lines[i]; i++) {
		char *l = g_strstrip(lines[i]);
		const char *bad =
			"incomplete fault (path/dev and errno, hang_ms, config=ff or max)";
		struct fks_fault f;

		if (l[0] == '\0' || l[0] == '#')
			continue;
		if (parse_fault_line(l, &f, &bad) < 0 || fks_host_add_fault(h, &f) < 0)
			return fks_set_error(ret_err, -EINVAL, name, i + 1, "%s", bad);
	}
	return 0;
}
