/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Simulated VFIO device cdev (/dev/vfio/devices/vfioN): index, bind, attach; and VF tokens. */

/*
 * The plan: a device on a VFIO driver has an index from an IDA of its own (vfio_main.c:
 * vfio_init_device, the lowest free number, given back when the device is released), which
 * names both vfio-dev/vfioN in sysfs (6.1) and, with CONFIG_VFIO_DEVICE_CDEV (6.6), the node
 * /dev/vfio/devices/vfioN. A cdev file may do nothing but VFIO_DEVICE_BIND_IOMMUFD until it
 * is bound (EINVAL, vfio_main.c); binding blocks the group node (EBUSY both ways,
 * group.c: vfio_device_block_group), claims DMA ownership per device and checks MSI
 * isolation (iommufd/device.c); a device is bound once (EINVAL, device_cdev.c). VF tokens
 * follow vfio_pci_core.c: vfio_pci_validate_vf_token and the PCI_VF_TOKEN feature.
 */

#include <errno.h>
#include <linux/vfio.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "uapi-iommufd.h"

#define MINSZ(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

/* ---- the index ---- */

void fks_cdev_sync_index(struct fks_host *h, struct fks_dev *d)
{
	bool want = d->driver && d->driver->info->vfio && !d->removed;

	if (want == (d->vfio_index >= 0))
		return;
	if (!want) {
		d->vfio_index = -1;
		return;
	}
	for (int n = 0;; n++) {
		bool used = false;

		for (guint i = 0; i < h->devs->len && !used; i++)
			used = ((const struct fks_dev *)h->devs->pdata[i])->vfio_index == n;
		if (!used) {
			d->vfio_index = n;
			fks_rule(h, "K-VFIO-CDEV-INDEX", d->addr,
				 "VFIO device index %d (vfio-dev/vfio%d), its own IDA, not the "
				 "group number",
				 n, n);
			return;
		}
	}
}

/* ---- VF tokens ---- */

/* The PF whose token guards dev: a VF's PF bound to the same VFIO driver. */
static struct fks_dev *token_pf(const struct fks_dev *d)
{
	struct fks_dev *pf = d->pf;

	return pf && pf->driver && d->driver && pf->driver == d->driver ? pf : NULL;
}

static bool vf_in_use(const struct fks_dev *pf)
{
	for (guint i = 0; pf->sriov && i < pf->sriov->vfs->len; i++) {
		const struct fks_dev *vf = pf->sriov->vfs->pdata[i];

		if (vf && (vf->open_count || vf->idev))
			return true;
	}
	return false;
}

int fks_vf_token_check(struct fks_host *h, struct fks_dev *d, const char *token)
{
	struct fks_dev *pf = token_pf(d);

	if (d->pf) {
		if (!pf) {
			if (!token)
				return 0;
			fks_rule(h, "K-VFIO-VF-TOKEN", d->addr,
				 "VF token given, but the PF is not on vfio-pci: EINVAL");
			return -EINVAL;
		}
		/* vfio_pci_vf_init(): the PF's token starts as uuid_gen()'s random UUID, which no
		 * user knows (NULL here): only a token the PF was given matches. */
		if (!token || !pf->vf_token || g_ascii_strncasecmp(token, pf->vf_token, 36)) {
			fks_rule(h, "K-VFIO-VF-TOKEN", d->addr,
				 "%s VF token for a VF of %s: EACCES",
				 token ? "an incorrect" : "no", pf->addr);
			return -EACCES;
		}
		fks_rule(h, "K-VFIO-VF-TOKEN", d->addr, "the VF token matches %s's", pf->addr);
		return 0;
	}
	if (d->sriov) {
		if (vf_in_use(d) &&
		    (!token || !d->vf_token || g_ascii_strncasecmp(token, d->vf_token, 36))) {
			fks_rule(h, "K-VFIO-VF-TOKEN", d->addr,
				 "VFs are in use: the PF needs their token: EACCES");
			return -EACCES;
		}
		if (token && !vf_in_use(d)) {
			g_free(d->vf_token);
			d->vf_token = g_ascii_strdown(token, 36);
		}
		return 0;
	}
	if (token) {
		fks_rule(h, "K-VFIO-VF-TOKEN", d->addr,
			 "VF token given for a device that is not a PF or VF: EINVAL");
		return -EINVAL;
	}
	return 0;
}

/*
 * The PF leaves vfio-pci: its token goes with it (vfio_pci_vf_uninit frees it; the next probe's
 * vfio_pci_vf_init draws a new random one).
 */
void fks_vf_token_drop(struct fks_dev *d)
{
	g_clear_pointer(&d->vf_token, g_free);
}

/*
 * A VF of pf is open through VFIO (a device file from its group, or its cdev open, bound or
 * not: each holds a registration reference). Removing it (sriov_numvfs 0, the PF's unbind
 * from vfio-pci) then waits in vfio_unregister_group_dev() until user space lets go.
 */
bool fks_vf_open(const struct fks_dev *pf)
{
	for (guint i = 0; pf->sriov && i < pf->sriov->vfs->len; i++) {
		const struct fks_dev *vf = pf->sriov->vfs->pdata[i];

		if (vf && (vf->open_count || vf->cdev_opens))
			return true;
	}
	return false;
}

static bool uuid_valid(const char *s)
{
	static const char form[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	for (size_t i = 0; i < sizeof(form) - 1; i++)
		if (form[i] == '-' ? s[i] != '-' : !g_ascii_isxdigit(s[i]))
			return false;
	return true;
}

int fks_vf_token_feature(struct fks_host *h, struct fks_dev *d, struct vfio_device_feature *f)
{
	uint32_t dir = f->flags & (VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET);
	const uint8_t *u = f->data;
	char text[37];

	/* vfio_pci_core_feature_token(): a PF on vfio-pci has a token; SET only. */
	if (!d->sriov) {
		fks_rule(h, "K-VFIO-VF-TOKEN", d->addr, "not an SR-IOV PF: PCI_VF_TOKEN is ENOTTY");
		return -ENOTTY;
	}
	if (dir & VFIO_DEVICE_FEATURE_GET)
		return -EINVAL;
	if (f->flags & VFIO_DEVICE_FEATURE_PROBE)
		return 0;
	if (!dir || f->argsz < sizeof(*f) + 16)
		return -EINVAL;
	snprintf(text, sizeof(text),
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
		 u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
		 u[15]);
	g_free(d->vf_token);
	d->vf_token = g_strdup(text);
	fks_rule(h, "K-VFIO-VF-TOKEN", d->addr, "the PF's VF token is set to %s", text);
	return 0;
}

/*
 * The token in a group path device name "BDF vf_token=UUID" (vfio_pci_core_match): spaces
 * are skipped, "vf_token=" takes the next 36 characters as a UUID (uuid_parse), once; any
 * other option, a second token or fewer than 36 characters is EINVAL.
 */
int fks_vf_token_parse(const char *name, const char **ret)
{
	const char *p = strchr(name, ' ');

	*ret = NULL;
	while (p && *p) {
		if (*p == ' ') {
			p++;
			continue;
		}
		if (*ret || !g_str_has_prefix(p, "vf_token=") || strlen(p + 9) < 36 ||
		    !uuid_valid(p + 9))
			return -EINVAL;
		*ret = p + 9;
		p += 9 + 36;
	}
	return 0;
}

/* ---- the cdev ---- */

int fks_cdev_open(struct fks_host *h, const char *path, struct fks_dev **ret)
{
	const char *num = path + strlen("vfio/devices/vfio");
	char *end;
	long n;

	if (!fks_cdev_present(h) || !g_str_has_prefix(path, "vfio/devices/vfio"))
		return -ENOENT;
	n = strtol(num, &end, 10);
	if (*end || end == num || n < 0)
		return -ENOENT;
	for (guint i = 0; i < h->devs->len; i++) {
		struct fks_dev *d = h->devs->pdata[i];

		if (d->vfio_index == n && !d->removed) {
			d->cdev_opens++;
			*ret = d;
			return 0;
		}
	}
	return -ENODEV;
}

static int bind(struct fks_host *h, struct fks_dev *d, bool *bound,
		struct vfio_device_bind_iommufd *b)
{
	struct fks_group *g = d->group;
	struct fks_iobj *o;
	struct fks_ictx *x;
	int r;

	if (b->argsz < MINSZ(struct vfio_device_bind_iommufd, out_devid) || b->iommufd < 0 ||
	    b->flags)
		return -EINVAL;
	if (g && g->open) {
		fks_rule(h, "K-VFIO-CDEV-EXCLUSIVE", d->addr,
			 "group %d's node is open: the cdev cannot bind: EBUSY", g->id);
		return -EBUSY;
	}
	if (*bound || d->idev || d->open_count) {
		fks_rule(h, "K-VFIO-CDEV-BIND", d->addr, "the device is bound already: EINVAL");
		return -EINVAL;
	}
	if (d->pf && fks_kver_at_least(h, 6, 17)) {
		r = fks_vf_token_check(h, d, NULL);
		if (r < 0)
			return r;
	}
	r = fks_cdev_iommufd_file(h, b->iommufd, &x);
	if (r < 0)
		return r;
	r = fks_iommufd_bind(h, x, d, &o);
	if (r < 0)
		return r;
	if (g)
		g->cdev_open_cnt++;
	if (d->open_count++ == 0)
		d->reset_works = fks_reset_works(d);
	*bound = true;
	b->out_devid = o->id;
	return 0;
}

int fks_cdev_ioctl(struct fks_host *h, struct fks_dev *d, bool *bound, unsigned long req, void *arg)
{
	if (req == VFIO_DEVICE_BIND_IOMMUFD)
		return arg ? bind(h, d, bound, arg) : -EFAULT;
	if (!*bound) {
		fks_rule(h, "K-VFIO-CDEV-BIND", d->addr,
			 "any ioctl but VFIO_DEVICE_BIND_IOMMUFD before the bind: EINVAL");
		return -EINVAL;
	}
	if (req == VFIO_DEVICE_ATTACH_IOMMUFD_PT) {
		struct vfio_device_attach_iommufd_pt *a = arg;

		if (!a)
			return -EFAULT;
		if (a->argsz < MINSZ(struct vfio_device_attach_iommufd_pt, pt_id) || a->flags)
			return -EINVAL;
		return fks_iommufd_attach(h, d->idev, &a->pt_id);
	}
	if (req == VFIO_DEVICE_DETACH_IOMMUFD_PT) {
		struct vfio_device_detach_iommufd_pt *a = arg;

		if (!a)
			return -EFAULT;
		if (a->argsz < MINSZ(struct vfio_device_detach_iommufd_pt, flags) || a->flags)
			return -EINVAL;
		fks_iommufd_detach(h, d->idev);
		return 0;
	}
	return fks_vfio_device_ioctl(h, d, req, arg);
}

void fks_cdev_close(struct fks_host *h, struct fks_dev *d, bool bound)
{
	d->cdev_opens--;
	if (!bound || !d->idev)
		return;
	fks_iommufd_unbind(h, d->idev);
	d->open_count--;
	if (d->group && d->group->cdev_open_cnt)
		d->group->cdev_open_cnt--;
}
