/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Config-space facts the engine needs, read through libpci from bytes we already hold. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Size of the standard header; a shorter config file is malformed. */
#define PT_PCICONF_MIN 64

struct pt_pciconf {
	size_t len; /* bytes the host gave: 64 (unprivileged), 256 or 4096 */
	uint16_t vendor, device, command, status;
	uint16_t subsystem_vendor, subsystem_device;
	uint32_t class; /* base << 16 | sub << 8 | prog-if */
	uint8_t revision;
	uint8_t header_type; /* 0 normal, 1 bridge, 2 CardBus; multifunction bit removed */
	bool multifunction;
	uint8_t interrupt_pin;
	uint8_t secondary_bus, subordinate_bus; /* bridges only */

	bool pcie;
	uint8_t pcie_type; /* PCI_EXP_TYPE_* */
	uint32_t devcap;
	uint16_t devctl; /* Device Control: No Snoop enable, payload sizes */
	bool flr; /* DevCap Function-Level Reset */

	bool af;
	bool af_tp, af_flr;

	bool pm;
	bool pm_no_soft_reset;
	uint8_t pm_state; /* D0..D3 */

	bool acs;
	uint16_t acs_cap, acs_ctrl;

	bool sriov;
	uint16_t sriov_total, sriov_initial, sriov_num, sriov_offset, sriov_stride;
	uint16_t sriov_vf_device;

	bool msi;
	unsigned msi_vectors;
	bool msix;
	unsigned msix_vectors;
};

struct pt_pciconf_parser;

/* A parser holds one libpci handle; make one per host. Returns 0 or -ENOMEM. */
int pt_pciconf_parser_new(struct pt_pciconf_parser **ret);
/* Accepts NULL; returns NULL. */
struct pt_pciconf_parser *pt_pciconf_parser_free(struct pt_pciconf_parser *p);

/*
 * Parse len bytes of config space. Returns 0, or -EBADMSG when len is below PT_PCICONF_MIN
 * or the header reads all ones or zeros (no device answered). An SR-IOV VF parses: its
 * Vendor and Device ID read FFFFh (the kernel takes them from the PF), the rest is real. Bytes past len read as 0xff,
 * as they would from an absent register, so a short dump simply shows fewer capabilities.
 */
int pt_pciconf_parse(struct pt_pciconf_parser *p, const uint8_t *cfg, size_t len,
		     struct pt_pciconf *ret);

/* Vendor and device names from pci.ids. Returns 0 and fills the buffers, each empty when
 * pci.ids has no name (or there is no pci.ids). */
int pt_pciconf_names(struct pt_pciconf_parser *p, uint16_t vendor, uint16_t device, char *vbuf,
		     size_t vsize, char *dbuf, size_t dsize);

/* The ACS controls the kernel requires on every bridge for isolation: SV, RR, CR, UF. */
#define PT_ACS_REQUIRED 0x001d
