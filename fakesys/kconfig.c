/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel configuration the model follows: CONFIG_IOMMUFD, the VFIO cdev, the compat. */

#include <string.h>

#include "internal.h"

bool fks_iommufd_present(const struct fks_host *h)
{
	return h->iommufd && fks_kver_at_least(h, 6, 2);
}

bool fks_cdev_present(const struct fks_host *h)
{
	return fks_iommufd_present(h) && h->vfio_cdev && fks_kver_at_least(h, 6, 6);
}

bool fks_compat_present(const struct fks_host *h)
{
	return fks_iommufd_present(h) && h->iommufd_compat;
}

static const char *env_of(const struct fks_rec *r, const char *key)
{
	size_t n = strlen(key);

	for (guint i = 0; i < r->env->len; i++) {
		const char *e = r->env->pdata[i];

		if (strncmp(e, key, n) == 0 && e[n] == '=')
			return e + n + 1;
	}
	return NULL;
}

/* A CONFIG_X=y line (or =m) in a recorded kernel configuration. */
static bool config_on(const char *text, const char *key)
{
	g_autofree char *y = g_strdup_printf("%s=y", key), *m = g_strdup_printf("%s=m", key);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (guint i = 0; lines[i]; i++)
		if (strcmp(lines[i], y) == 0 || strcmp(lines[i], m) == 0)
			return true;
	return false;
}

/* A recorded /proc/devices with the character region NAME ("244 vfio-dev"). */
static bool proc_chrdev(const struct fks_host *h, const char *name)
{
	for (guint i = 0; i < h->proc->len; i++) {
		const struct fks_entry *e = h->proc->pdata[i];
		g_auto(GStrv) lines = NULL;
		bool found = false;

		if (strcmp(e->name, "devices") != 0)
			continue;
		lines = g_strsplit(e->data, "\n", -1);
		for (guint j = 0; lines[j] && strcmp(lines[j], "Block devices:") != 0; j++) {
			const char *sp = strrchr(lines[j], ' ');

			found |= sp && strcmp(sp + 1, name) == 0;
		}
		return found;
	}
	return false;
}

void fks_iommufd_host_init(struct fks_host *h)
{
	if (h->kconfig_source == FKS_KCONFIG_SET)
		return;
	if (h->kconfig) {
		h->iommufd = config_on(h->kconfig, "CONFIG_IOMMUFD");
		h->vfio_cdev = config_on(h->kconfig, "CONFIG_VFIO_DEVICE_CDEV");
		h->iommufd_compat = config_on(h->kconfig, "CONFIG_IOMMUFD_VFIO_CONTAINER");
		h->iommufd_test = config_on(h->kconfig, "CONFIG_IOMMUFD_TEST");
		h->kconfig_source = FKS_KCONFIG_RECORDED;
		return;
	}
	/* The misc device iommufd registers (main.c): a recording that has it has iommufd. */
	for (guint i = 0; i < h->others->len; i++) {
		const struct fks_rec *r = h->others->pdata[i];
		const char *name = env_of(r, "DEVNAME");

		if (name && (strcmp(name, "iommu") == 0 || strcmp(name, "/dev/iommu") == 0)) {
			h->iommufd = true;
			h->kconfig_source = FKS_KCONFIG_RECORDED;
		}
	}
	/* The cdev's character region (drivers/vfio/device_cdev.c, vfio_cdev_init()) exists
	 * from boot with CONFIG_VFIO_DEVICE_CDEV, whether or not a device is on VFIO yet. */
	if (proc_chrdev(h, "vfio-dev")) {
		h->vfio_cdev = true;
		h->kconfig_source = FKS_KCONFIG_RECORDED;
	}
}
