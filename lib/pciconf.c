/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Config-space parsing through libpci: the bytes come from the backend, never from hardware. */

/*
 * The plan: libpci reads registers through an access method, but a device whose cache covers
 * the whole 4 KiB space never reaches the method. So the parser opens libpci once with the
 * procfs method, whose set-up touches no file (it opens files only to read registers, which
 * never happens here), and for each parse lends a 4 KiB buffer -- our bytes, then 0xff -- as
 * the device's cache. Capability walking, loops and all, is libpci's.
 */

#include <errno.h>
#include <pci/pci.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "pciconf.h"

#define CONFIG_SPACE 4096

struct pt_pciconf_parser {
	struct pci_access *pacc;
	uint8_t cache[CONFIG_SPACE];
};

static void _printf_(1, 2) pacc_quiet(char *msg _unused_, ...)
{
	/* libpci reports through callbacks; the engine never prints. Failures we care about
	 * (short data, no pci.ids) are detected by checking results instead. */
}

static void _printf_(1, 2) __attribute__((noreturn)) pacc_fatal(char *msg _unused_, ...)
{
	/* libpci's contract: this must not return. With every register served from our cache
	 * it is reached only when libpci cannot allocate memory, which we treat like any
	 * allocator that cannot continue. */
	abort();
}

_public_ int pt_pciconf_parser_new(struct pt_pciconf_parser **ret)
{
	struct pt_pciconf_parser *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->pacc = pci_alloc();
	if (!p->pacc) {
		free(p);
		return -ENOMEM;
	}
	p->pacc->error = pacc_fatal;
	p->pacc->warning = pacc_quiet;
	p->pacc->debug = pacc_quiet;
	p->pacc->method = PCI_ACCESS_PROC_BUS_PCI;
	pci_init(p->pacc);
	*ret = p;
	return 0;
}

_public_ struct pt_pciconf_parser *pt_pciconf_parser_free(struct pt_pciconf_parser *p)
{
	if (p) {
		pci_cleanup(p->pacc);
		free(p);
	}
	return NULL;
}

static void read_pcie(struct pci_dev *d, struct pt_pciconf *c)
{
	struct pci_cap *cap = pci_find_cap(d, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);

	if (!cap)
		return;
	c->pcie = true;
	c->pcie_type = (pci_read_word(d, cap->addr + PCI_CAP_FLAGS) & PCI_EXP_FLAGS_TYPE) >> 4;
	c->devcap = pci_read_long(d, cap->addr + PCI_EXP_DEVCAP);
	c->devctl = pci_read_word(d, cap->addr + PCI_EXP_DEVCTL);
	c->flr = c->devcap & PCI_EXP_DEVCAP_FLRESET;
}

static void read_af(struct pci_dev *d, struct pt_pciconf *c)
{
	struct pci_cap *cap = pci_find_cap(d, PCI_CAP_ID_AF, PCI_CAP_NORMAL);
	uint8_t v;

	if (!cap)
		return;
	v = pci_read_byte(d, cap->addr + PCI_AF_CAP);
	c->af = true;
	c->af_tp = v & PCI_AF_CAP_TP;
	c->af_flr = v & PCI_AF_CAP_FLR;
}

static void read_pm(struct pci_dev *d, struct pt_pciconf *c)
{
	struct pci_cap *cap = pci_find_cap(d, PCI_CAP_ID_PM, PCI_CAP_NORMAL);
	uint16_t ctrl;

	if (!cap)
		return;
	ctrl = pci_read_word(d, cap->addr + PCI_PM_CTRL);
	c->pm = true;
	c->pm_no_soft_reset = ctrl & PCI_PM_CTRL_NO_SOFT_RST;
	c->pm_state = ctrl & PCI_PM_CTRL_STATE_MASK;
}

static void read_irqs(struct pci_dev *d, struct pt_pciconf *c)
{
	struct pci_cap *msi = pci_find_cap(d, PCI_CAP_ID_MSI, PCI_CAP_NORMAL);
	struct pci_cap *msix = pci_find_cap(d, PCI_CAP_ID_MSIX, PCI_CAP_NORMAL);

	if (msi) {
		uint16_t flags = pci_read_word(d, msi->addr + PCI_MSI_FLAGS);

		c->msi = true;
		c->msi_vectors = 1u << ((flags & PCI_MSI_FLAGS_QMASK) >> 1);
	}
	if (msix) {
		c->msix = true;
		c->msix_vectors =
			(pci_read_word(d, msix->addr + PCI_MSI_FLAGS) & PCI_MSIX_TABSIZE) + 1;
	}
}

static void read_ext(struct pci_dev *d, struct pt_pciconf *c)
{
	struct pci_cap *acs = pci_find_cap(d, PCI_EXT_CAP_ID_ACS, PCI_CAP_EXTENDED);
	struct pci_cap *iov = pci_find_cap(d, PCI_EXT_CAP_ID_SRIOV, PCI_CAP_EXTENDED);

	if (acs) {
		c->acs = true;
		c->acs_cap = pci_read_word(d, acs->addr + PCI_ACS_CAP);
		c->acs_ctrl = pci_read_word(d, acs->addr + PCI_ACS_CTRL);
	}
	if (iov) {
		c->sriov = true;
		c->sriov_initial = pci_read_word(d, iov->addr + PCI_IOV_INITIALVF);
		c->sriov_total = pci_read_word(d, iov->addr + PCI_IOV_TOTALVF);
		c->sriov_num = pci_read_word(d, iov->addr + PCI_IOV_NUMVF);
		c->sriov_offset = pci_read_word(d, iov->addr + PCI_IOV_OFFSET);
		c->sriov_stride = pci_read_word(d, iov->addr + PCI_IOV_STRIDE);
		c->sriov_vf_device = pci_read_word(d, iov->addr + PCI_IOV_DID);
	}
}

_public_ int pt_pciconf_parse(struct pt_pciconf_parser *p, const uint8_t *cfg, size_t len,
			      struct pt_pciconf *ret)
{
	struct pt_pciconf c = { .len = len };
	struct pci_dev *d;
	uint8_t hdr;

	if (len < PT_PCICONF_MIN)
		return -EBADMSG;
	if (len > CONFIG_SPACE)
		len = CONFIG_SPACE;
	memcpy(p->cache, cfg, len);
	memset(p->cache + len, 0xff, CONFIG_SPACE - len);

	d = pci_get_dev(p->pacc, 0, 0, 0, 0);
	if (!d)
		return -ENOMEM;
	pci_setup_cache(d, p->cache, CONFIG_SPACE);

	/* No device answers: the header reads all ones (or all zeros). An SR-IOV VF reads
	 * FFFFh only in its Vendor and Device ID registers; the rest of its header is real. */
	c.vendor = pci_read_word(d, PCI_VENDOR_ID);
	if ((c.vendor == 0xffff || c.vendor == 0x0000) &&
	    (pci_read_long(d, PCI_REVISION_ID) == 0xffffffff ||
	     pci_read_long(d, PCI_REVISION_ID) == 0) &&
	    (pci_read_word(d, PCI_STATUS) == 0xffff || pci_read_word(d, PCI_STATUS) == 0)) {
		pci_free_dev(d);
		return -EBADMSG;
	}
	c.device = pci_read_word(d, PCI_DEVICE_ID);
	c.command = pci_read_word(d, PCI_COMMAND);
	c.status = pci_read_word(d, PCI_STATUS);
	c.revision = pci_read_byte(d, PCI_REVISION_ID);
	c.class = pci_read_long(d, PCI_REVISION_ID) >> 8;
	hdr = pci_read_byte(d, PCI_HEADER_TYPE);
	c.header_type = hdr & 0x7f;
	c.multifunction = hdr & 0x80;
	c.interrupt_pin = pci_read_byte(d, PCI_INTERRUPT_PIN);
	if (c.header_type == PCI_HEADER_TYPE_NORMAL) {
		c.subsystem_vendor = pci_read_word(d, PCI_SUBSYSTEM_VENDOR_ID);
		c.subsystem_device = pci_read_word(d, PCI_SUBSYSTEM_ID);
	} else if (c.header_type == PCI_HEADER_TYPE_BRIDGE) {
		c.secondary_bus = pci_read_byte(d, PCI_SECONDARY_BUS);
		c.subordinate_bus = pci_read_byte(d, PCI_SUBORDINATE_BUS);
	}

	read_pcie(d, &c);
	read_af(d, &c);
	read_pm(d, &c);
	read_irqs(d, &c);
	read_ext(d, &c);

	pci_free_dev(d);
	*ret = c;
	return 0;
}

/*
 * Names from pci.ids only: the same names for a recording on every machine. (A udev hwdb
 * lookup would make libpci parse pci.ids as well, since it treats both as the local database;
 * the parse is about 10 ms once.)
 */
static void lookup(struct pci_access *pacc, char *buf, size_t size, int what, uint16_t vendor,
		   uint16_t device)
{
	if (!pci_lookup_name(pacc, buf, (int)size,
			     what | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB, vendor, device))
		buf[0] = '\0';
}

_public_ int pt_pciconf_names(struct pt_pciconf_parser *p, uint16_t vendor, uint16_t device,
			      char *vbuf, size_t vsize, char *dbuf, size_t dsize)
{
	lookup(p->pacc, vbuf, vsize, PCI_LOOKUP_VENDOR, vendor, 0);
	lookup(p->pacc, dbuf, dsize, PCI_LOOKUP_DEVICE, vendor, device);
	return 0;
}
