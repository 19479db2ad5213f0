/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writable files whose state is a recorded entry or a small counter: flags, enable, group type. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define SHOW(buf, size, ret_len, ...)                              \
	({                                                         \
		int _n = snprintf((buf), (size), __VA_ARGS__);     \
		*(ret_len) = _n < 0 ? 0 : MIN((size_t)_n, (size)); \
		0;                                                 \
	})

/*
 * Recorded files the model lets the engine write, their state kept in the recorded entry:
 * d3cold_allowed_store(), broken_parity_status_store() and msi_bus_store() (an endpoint)
 * take kstrtoul(buf, 0, ...) (any failure EINVAL) and keep !!value; power/control's
 * control_store() takes "on" or "auto" as sysfs_streq() compares (one trailing newline).
 */
static void set_entry(struct fks_entry *e, const char *text)
{
	g_free(e->data);
	e->data = g_strdup(text);
	e->len = strlen(text);
}

static int show_entry(void *o, char *b, size_t s, size_t *l)
{
	const struct fks_entry *e = o;

	*l = MIN(e->len, s);
	memcpy(b, e->data, *l);
	return 0;
}

static int store_flag(void *o, const char *b, size_t len)
{
	unsigned long long v;

	if (fks_kstrtoull(b, len, 0, &v) < 0)
		return -EINVAL;
	set_entry(o, v ? "1\n" : "0\n");
	return 0;
}

static int store_pm_control(void *o, const char *b, size_t len)
{
	g_autofree char *text = g_strndup(b, strnlen(b, len));
	size_t n = strlen(text);

	if (n && text[n - 1] == '\n')
		text[n - 1] = '\0';
	if (strcmp(text, "on") && strcmp(text, "auto"))
		return -EINVAL;
	set_entry(o, strcmp(text, "on") ? "auto\n" : "on\n");
	return 0;
}

static const struct {
	const char *dir;
	struct fks_attr attr;
} dev_flags[] = {
	{ NULL, { "broken_parity_status", show_entry, store_flag } },
	{ NULL, { "d3cold_allowed", show_entry, store_flag } },
	{ NULL, { "msi_bus", show_entry, store_flag } },
	{ "power", { "control", show_entry, store_pm_control } },
};

/* Drivers that call pci_enable_device() in probe: not vfio-pci (it enables on open) nor
 * pci-stub. */
static int enable_count(const struct fks_dev *d)
{
	bool drv = d->driver && !d->driver->info->vfio && !d->driver->info->stub;

	return d->enable_user + (drv ? 1 : 0) + (d->open_count ? 1 : 0);
}

static int show_enable(void *o, char *b, size_t s, size_t *l)
{
	return SHOW(b, s, l, "%d\n", enable_count(o));
}

/* enable_store(): EINVAL when kstrtoul fails, EBUSY with a driver, "1" enables (one more),
 * "0" disables an enabled device (one less), EIO when it is not enabled. */
static int store_enable(void *o, const char *b, size_t len)
{
	struct fks_dev *d = o;
	unsigned long long v;

	if (fks_kstrtoull(b, len, 0, &v) < 0)
		return -EINVAL; /* overflow too, on 6.1 and 6.12 (matrix rows) */
	if (d->driver)
		return -EBUSY;
	if (v)
		d->enable_user++;
	else if (enable_count(d) > 0)
		d->enable_user--;
	else
		return -EIO;
	return 0;
}

static const struct fks_attr enable_attr = { "enable", show_enable, store_enable };

void fks_view_dev_enable(struct fks_node *dir, struct fks_dev *d)
{
	if (!d->enable_known) {
		const struct fks_entry *e = NULL;

		for (guint i = 0; i < d->rec->entries->len && !e; i++)
			if (strcmp(((struct fks_entry *)d->rec->entries->pdata[i])->name,
				   "enable") == 0)
				e = d->rec->entries->pdata[i];
		d->enable_known = e || d->pf ? 1 : -1; /* a VF the model made has no record */
		d->enable_user = e ? MAX(0, atoi(e->data) - enable_count(d)) : 0;
	}
	if (d->enable_known > 0)
		fks_node_attr(dir, &enable_attr, d);
}

void fks_view_dev_flags(struct fks_node *dir, struct fks_rec *r)
{
	for (guint i = 0; i < r->entries->len; i++) {
		struct fks_entry *e = r->entries->pdata[i];

		for (size_t f = 0; f < ELEMENTSOF(dev_flags) && !e->link; f++) {
			const char *dir_name = dev_flags[f].dir, *name = e->name;
			size_t n = dir_name ? strlen(dir_name) : 0;

			/* e->name is "DIR/ATTR" or "ATTR": compared in place, nothing allocated. */
			if (dir_name && (strncmp(name, dir_name, n) != 0 || name[n] != '/'))
				continue;
			if (strcmp(name + (dir_name ? n + 1 : 0), dev_flags[f].attr.name) == 0)
				fks_node_attr(dev_flags[f].dir ?
						      fks_node_mkdir(dir, dev_flags[f].dir) :
						      dir,
					      &dev_flags[f].attr, e);
		}
	}
}

/* vfio-pci's writable bool parameters: param_set_bool() is kstrtobool(); shown as Y or N.
 * enable_sriov is the model's setting (sriov.c reads it); the others only keep the value. */
static int store_param(void *o, const char *b, size_t len)
{
	bool v;

	if (fks_kstrtobool(b, len, &v) < 0)
		return -EINVAL;
	set_entry(o, v ? "Y\n" : "N\n");
	return 0;
}

static int show_enable_sriov(void *o, char *b, size_t s, size_t *l)
{
	return SHOW(b, s, l, "%s\n", ((struct fks_host *)o)->vfio_enable_sriov ? "Y" : "N");
}

static int store_enable_sriov(void *o, const char *b, size_t len)
{
	struct fks_host *h = o;
	bool v;

	if (fks_kstrtobool(b, len, &v) < 0)
		return -EINVAL;
	h->vfio_enable_sriov = v;
	return 0;
}

static const struct fks_attr vfio_params[] = {
	{ "disable_idle_d3", show_entry, store_param },
	{ "nointxmask", show_entry, store_param },
};
static const struct fks_attr vfio_enable_sriov = { "enable_sriov", show_enable_sriov,
						   store_enable_sriov };

void fks_view_vfio_params(struct fks_host *h, struct fks_node *dir, struct fks_rec *r)
{
	for (guint i = 0; i < r->entries->len; i++) {
		struct fks_entry *e = r->entries->pdata[i];

		for (size_t p = 0; p < ELEMENTSOF(vfio_params); p++)
			if (strcmp(e->name, vfio_params[p].name) == 0)
				fks_node_attr(dir, &vfio_params[p], e);
		if (strcmp(e->name, "enable_sriov") == 0)
			fks_node_attr(dir, &vfio_enable_sriov, h);
	}
}

/*
 * kernel/iommu_groups/N/type, as iommu_group_store_type() answered on 6.1 and 6.12 (matrix
 * rows): "identity", "DMA", "DMA-FQ" or "auto" compared with sysfs_streq() (the text to the
 * first NUL, one trailing newline), else EINVAL. 6.1: a group of more than one device EINVAL,
 * a member with a driver EBUSY. 6.12: a member with a driver EPERM (the version between where
 * it changed was not observed; 6.12 is taken as the first). The new type is shown at once
 * ("auto": the default, DMA here, not observed).
 */
static int store_group_type(void *o, const char *b, size_t len)
{
	static const char *const types[] = { "identity", "DMA", "DMA-FQ", "auto" };
	struct fks_group *g = o;
	g_autofree char *text = g_strndup(b, strnlen(b, len));
	struct fks_entry *e = NULL;
	size_t n = strlen(text), t;

	if (n && text[n - 1] == '\n')
		text[n - 1] = '\0';
	for (t = 0; t < ELEMENTSOF(types) && strcmp(text, types[t]); t++)
		;
	if (t == ELEMENTSOF(types))
		return -EINVAL;
	if (fks_kver_at_least(g->host, 6, 12)) {
		/* 6.12: a group with a bound member (owner_cnt) is EPERM, whatever its size. */
		for (guint i = 0; i < g->members->len; i++)
			if (((struct fks_dev *)g->members->pdata[i])->driver)
				return -EPERM;
	} else {
		if (g->members->len != 1)
			return -EINVAL;
		if (((struct fks_dev *)g->members->pdata[0])->driver)
			return -EBUSY;
	}
	for (guint i = 0; i < g->rec->entries->len; i++)
		if (strcmp(((struct fks_entry *)g->rec->entries->pdata[i])->name, "type") == 0)
			e = g->rec->entries->pdata[i];
	if (e) {
		g_autofree char *shown = g_strdup_printf("%s\n", t == 3 ? "DMA" : types[t]);

		set_entry(e, shown);
	}
	return 0;
}

static int show_group_type(void *o, char *b, size_t s, size_t *l)
{
	struct fks_group *g = o;

	for (guint i = 0; i < g->rec->entries->len; i++)
		if (strcmp(((struct fks_entry *)g->rec->entries->pdata[i])->name, "type") == 0)
			return show_entry(g->rec->entries->pdata[i], b, s, l);
	*l = 0;
	return 0;
}

static const struct fks_attr group_type_attr = { "type", show_group_type, store_group_type };

void fks_view_group_type(struct fks_node *dir, struct fks_group *g)
{
	for (guint i = 0; i < g->rec->entries->len; i++)
		if (strcmp(((struct fks_entry *)g->rec->entries->pdata[i])->name, "type") == 0)
			fks_node_attr(dir, &group_type_attr, g);
}
