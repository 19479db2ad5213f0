/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Simulated VFIO device files: regions, interrupts, reset and features of one PCI function. */

#include <errno.h>
#include <linux/vfio.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define MINSZ(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))
/* BAR n from the recorded resource attribute: "start end flags" per line. */
static void bar_info(const struct fks_dev *d, unsigned n, uint64_t *ret_size, uint64_t *ret_flags)
{
	const struct fks_entry *e = fks_rec_find(d->rec, "resource");
	g_auto(GStrv) lines = NULL;
	unsigned long long start, end, flags;

	*ret_size = *ret_flags = 0;
	if (!e)
		return;
	lines = g_strsplit(e->data, "\n", -1);
	if (g_strv_length(lines) <= n ||
	    sscanf(lines[n], "%llx %llx %llx", &start, &end, &flags) != 3 || end <= start)
		return;
	*ret_size = end - start + 1;
	*ret_flags = flags;
}

/* The BAR holding the MSI-X table (vfio_pci_core_enable()'s msix_bar), -1 without MSI-X. */
static int msix_bar(const struct fks_dev *d)
{
	const uint8_t *c = d->config;

	if (!d->cfg.msix || d->config_len < 256 || !(c[0x06] & 0x10))
		return -1;
	for (unsigned p = c[0x34] & ~3u, n = 0; p >= 0x40 && p + 8 <= d->config_len && n < 48;
	     p = c[p + 1] & ~3u, n++)
		if (c[p] == 0x11) /* PCI_CAP_ID_MSIX: the table's BIR */
			return c[p + 4] & 7;
	return -1;
}

/* msix_mmappable_cap(): the MSI-X BAR, when mmap-able, carries a capability saying so. */
static void msix_cap(struct vfio_region_info *ri)
{
	struct vfio_info_cap_header cap = { .id = VFIO_REGION_INFO_CAP_MSIX_MAPPABLE,
					    .version = 1 };

	ri->flags |= VFIO_REGION_INFO_FLAG_CAPS;
	if (ri->argsz < sizeof(*ri) + sizeof(cap)) {
		ri->argsz = sizeof(*ri) + sizeof(cap);
		return;
	}
	memcpy(ri + 1, &cap, sizeof(cap));
	ri->cap_offset = sizeof(*ri);
}

static int region_info(const struct fks_dev *d, struct vfio_region_info *ri)
{
	uint64_t size = 0, flags = 0;

	if (ri->argsz < MINSZ(struct vfio_region_info, offset))
		return -EINVAL;
	ri->offset = (uint64_t)ri->index << 40;
	ri->cap_offset = 0;
	switch (ri->index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		ri->size = d->config_len;
		ri->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
		return 0;
	case VFIO_PCI_VGA_REGION_INDEX:
		if (d->class >> 8 != 0x0300)
			return -EINVAL;
		ri->size = 0xc0000;
		ri->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
		return 0;
	default:
		if (ri->index > VFIO_PCI_ROM_REGION_INDEX)
			return -EINVAL;
		bar_info(d, ri->index, &size, &flags);
		ri->size = size;
		ri->flags = 0;
		if (size && ri->index == VFIO_PCI_ROM_REGION_INDEX)
			ri->flags = VFIO_REGION_INFO_FLAG_READ;
		else if (size)
			ri->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
				    (flags & 0x200 ? VFIO_REGION_INFO_FLAG_MMAP : 0);
		if (ri->flags & VFIO_REGION_INFO_FLAG_MMAP && (int)ri->index == msix_bar(d))
			msix_cap(ri);
		return 0;
	}
}

static int irq_info(const struct fks_dev *d, struct vfio_irq_info *ii)
{
	if (ii->argsz < MINSZ(struct vfio_irq_info, count) || ii->index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	ii->flags = VFIO_IRQ_INFO_EVENTFD;
	switch (ii->index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		ii->count = d->cfg.interrupt_pin && !d->pf;
		ii->flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
		return 0;
	case VFIO_PCI_MSI_IRQ_INDEX:
		ii->count = d->cfg.msi ? d->cfg.msi_vectors : 0;
		ii->flags |= VFIO_IRQ_INFO_NORESIZE;
		return 0;
	case VFIO_PCI_MSIX_IRQ_INDEX:
		ii->count = d->cfg.msix ? d->cfg.msix_vectors : 0;
		ii->flags |= VFIO_IRQ_INFO_NORESIZE;
		return 0;
	case VFIO_PCI_ERR_IRQ_INDEX:
		if (!d->cfg.pcie)
			return -EINVAL;
		ii->count = 1;
		ii->flags |= VFIO_IRQ_INFO_NORESIZE; /* every index but INTx */
		return 0;
	default:
		ii->count = 1;
		ii->flags |= VFIO_IRQ_INFO_NORESIZE;
		return 0;
	}
}

/* The actions vfio_pci_set_irqs_ioctl() has a handler for, per index (others: ENOTTY). */
static const uint32_t irq_actions[VFIO_PCI_NUM_IRQS] = {
	[VFIO_PCI_INTX_IRQ_INDEX] =
		VFIO_IRQ_SET_ACTION_MASK | VFIO_IRQ_SET_ACTION_UNMASK | VFIO_IRQ_SET_ACTION_TRIGGER,
	[VFIO_PCI_MSI_IRQ_INDEX] = VFIO_IRQ_SET_ACTION_TRIGGER,
	[VFIO_PCI_MSIX_IRQ_INDEX] = VFIO_IRQ_SET_ACTION_TRIGGER,
	[VFIO_PCI_ERR_IRQ_INDEX] = VFIO_IRQ_SET_ACTION_TRIGGER,
	[VFIO_PCI_REQ_IRQ_INDEX] = VFIO_IRQ_SET_ACTION_TRIGGER,
};

/* vfio_set_irqs_validate_and_prepare(), then the handler table. The model raises no
 * interrupt: a valid request is accepted and changes nothing it shows. */
static int set_irqs(const struct fks_dev *d, struct vfio_irq_set *s)
{
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = s->index };
	uint32_t data = s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	uint32_t action = s->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	size_t size = data == VFIO_IRQ_SET_DATA_BOOL	? 1 :
		      data == VFIO_IRQ_SET_DATA_EVENTFD ? 4 :
							  0;

	if (s->argsz < MINSZ(struct vfio_irq_set, count) || s->index >= VFIO_PCI_NUM_IRQS ||
	    s->count >= UINT32_MAX - s->start ||
	    s->flags & ~(uint32_t)(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK))
		return -EINVAL;
	if (irq_info(d, &ii) < 0)
		ii.count = 0;
	if (s->start >= ii.count || s->start + s->count > ii.count)
		return -EINVAL;
	if (data != VFIO_IRQ_SET_DATA_NONE && !size)
		return -EINVAL;
	if (size && s->argsz - MINSZ(struct vfio_irq_set, count) < s->count * size)
		return -EINVAL;
	if (action != VFIO_IRQ_SET_ACTION_MASK && action != VFIO_IRQ_SET_ACTION_UNMASK &&
	    action != VFIO_IRQ_SET_ACTION_TRIGGER)
		return -EINVAL;
	return irq_actions[s->index] & action ? 0 : -ENOTTY;
}

static bool root_bus(const struct fks_dev *d)
{
	g_autofree char *parent = g_path_get_dirname(d->devpath);
	char addr[16];

	return fks_parse_address(strrchr(parent, '/') + 1, addr) < 0;
}

static int hot_reset_info(struct fks_host *h, struct fks_dev *d, struct vfio_pci_hot_reset_info *hi)
{
	g_autoptr(GPtrArray) set = g_ptr_array_new();
	size_t need;

	if (hi->argsz < MINSZ(struct vfio_pci_hot_reset_info, count))
		return -EINVAL;
	if (root_bus(d)) {
		fks_rule(h, "K-VFIO-HOT-RESET-INFO", d->addr,
			 "on a root bus: no bus reset: ENODEV");
		return -ENODEV;
	}
	for (guint i = 0; i < h->devs->len; i++) {
		struct fks_dev *o = h->devs->pdata[i];

		if (!o->removed && o->domain == d->domain && o->bus == d->bus)
			g_ptr_array_add(set, o);
	}
	for (guint i = 0; i < set->len; i++)
		if (!((struct fks_dev *)set->pdata[i])->group)
			return -EPERM;
	need = sizeof(*hi) + set->len * sizeof(hi->devices[0]);
	hi->count = set->len;
	hi->flags = 0;
	if (hi->argsz < need)
		return -ENOSPC;
	for (guint i = 0; i < set->len; i++) {
		const struct fks_dev *o = set->pdata[i];

		hi->devices[i].group_id = (uint32_t)o->group->id;
		hi->devices[i].segment = (uint16_t)o->domain;
		hi->devices[i].bus = (uint8_t)o->bus;
		hi->devices[i].devfn = (uint8_t)(o->slot << 3 | o->function);
	}
	return 0;
}

static int feature(struct fks_host *h, struct fks_dev *d, struct vfio_device_feature *f)
{
	uint32_t known = VFIO_DEVICE_FEATURE_MASK | VFIO_DEVICE_FEATURE_GET |
			 VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_PROBE;
	uint32_t dir = f->flags & (VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET);
	uint64_t mig = fks_drvinfo_migration(d);

	if (f->argsz < MINSZ(struct vfio_device_feature, flags) || f->flags & ~known)
		return -EINVAL;
	if (dir == (VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET) &&
	    !(f->flags & VFIO_DEVICE_FEATURE_PROBE))
		return -EINVAL;
	if ((f->flags & VFIO_DEVICE_FEATURE_MASK) == VFIO_DEVICE_FEATURE_PCI_VF_TOKEN &&
	    d->driver && d->driver->info->vfio)
		return fks_vf_token_feature(h, d, f);
	if ((f->flags & VFIO_DEVICE_FEATURE_MASK) != VFIO_DEVICE_FEATURE_MIGRATION || !mig) {
		/* vfio_ioctl_device_feature(): MIGRATION without mig_ops is ENOTTY. */
		if (d->driver && d->driver->info->migration)
			fks_rule(h, "K-VFIO-MIGRATION", d->addr,
				 "%s set up no migration for this device (not a VF of its table "
				 "on the PF driver it needs): ENOTTY",
				 d->driver->name);
		else
			fks_rule(h, "K-VFIO-MIGRATION", d->addr, "%s has no such feature: ENOTTY",
				 d->driver ? d->driver->name : "device");
		return -ENOTTY;
	}
	if (dir & VFIO_DEVICE_FEATURE_SET)
		return -EINVAL; /* MIGRATION is GET only */
	if (f->flags & VFIO_DEVICE_FEATURE_PROBE)
		return 0;
	if (f->argsz < sizeof(*f) + sizeof(struct vfio_device_feature_migration))
		return -EINVAL;
	((struct vfio_device_feature_migration *)f->data)->flags = mig;
	fks_rule(h, "K-VFIO-MIGRATION", d->addr, "migration flags 0x%llx", (unsigned long long)mig);
	return 0;
}

int fks_vfio_device_ioctl(struct fks_host *h, struct fks_dev *d, unsigned long req, void *arg)
{
	switch (req) {
	case VFIO_DEVICE_GET_INFO: {
		struct vfio_device_info *info = arg;

		if (info->argsz < MINSZ(struct vfio_device_info, num_irqs))
			return -EINVAL;
		info->flags =
			VFIO_DEVICE_FLAGS_PCI | (d->reset_works ? VFIO_DEVICE_FLAGS_RESET : 0);
		info->num_regions = VFIO_PCI_NUM_REGIONS;
		info->num_irqs = VFIO_PCI_NUM_IRQS;
		return 0;
	}
	case VFIO_DEVICE_GET_REGION_INFO:
		return region_info(d, arg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return irq_info(d, arg);
	case VFIO_DEVICE_SET_IRQS:
		return set_irqs(d, arg);
	case VFIO_DEVICE_RESET:
		if (!d->reset_works) {
			fks_rule(h, "K-VFIO-RESET", d->addr,
				 "no function reset worked at open: EINVAL");
			return -EINVAL;
		}
		return fks_reset_do(d);
	case VFIO_DEVICE_GET_PCI_HOT_RESET_INFO:
		return hot_reset_info(h, d, arg);
	case VFIO_DEVICE_FEATURE:
		return feature(h, d, arg);
	default:
		return -ENOTTY;
	}
}
