/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Config-space parsing against real device dumps (libvirt's test data). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>

#include "pciconf.h"
#include "tree.h"

/*
 * Each row states where the dump keeps the registers that decide reset support, and their
 * values, as read from the bytes (xxd of the file). The test first checks that the dump
 * really holds those bytes, then that the parser's answer is what the PCI spec says the bits
 * mean: FLR = Device Capabilities bit 28; PM reset unless PMCSR bit 3 (No_Soft_Reset);
 * AF FLR needs AF capability bits TP (0) and FLR (1).
 */
static const struct dump {
	const char *file;
	size_t size;
	uint16_t vendor, device;
	uint8_t header; /* raw byte 0x0e */
	uint8_t pcie_at;
	uint32_t devcap;
	uint8_t pcie_type;
	uint8_t pm_at;
	uint16_t pm_ctrl;
	uint8_t af_at;
	uint8_t af_cap;
} dumps[] = {
	{ "0000-00-01.0.config", 4096, 0x8086, 0x4238, 0x00, 0xe0, 0x10008ec0, 0, 0xc8, 0x0000 },
	{ "0000-00-02.0.config", 256, 0x8086, 0x0046, 0x00, 0, 0, 0, 0xd0, 0x0000, 0xa4, 0x03 },
	{ "0000-00-03.0.config", 4096, 0x1180, 0xe822, 0x80, 0x80, 0x0590ffc0, 0, 0x78, 0x4000 },
	{ "0001-00-00.0.config", 4096, 0x1014, 0x03b9, 0x01, 0x48, 0x00000fe5, 4, 0x40, 0x0000 },
	{ "0001-01-00.0.config", 4096, 0x8086, 0x105e, 0x80, 0xe0, 0x00000cc1, 0, 0xc8, 0x2000 },
	{ "0001-01-00.1.config", 4096, 0x8086, 0x105e, 0x80, 0xe0, 0x00000cc1, 0, 0xc8, 0x2000 },
	{ "0005-80-00.0.config", 4096, 0x10b5, 0x8112, 0x01, 0x60, 0x00000000, 7, 0x40, 0x0000 },
	{ "0005-90-01.0.config", 256, 0x1033, 0x0035, 0x80, 0, 0, 0, 0x40, 0x0000 },
	{ "0005-90-01.1.config", 256, 0x1033, 0x0035, 0x00, 0, 0, 0, 0x40, 0x0000 },
	{ "0005-90-01.2.config", 256, 0x1033, 0x00e0, 0x00, 0, 0, 0, 0x40, 0x0000 },
};

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t *load(const char *file, size_t *len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR "/libvirt-config-dumps", file);
	return tree_slurp(path, len);
}

static void test_pciconf_libvirt_dumps(void **state)
{
	struct pt_pciconf_parser *p = NULL;

	(void)state;
	assert_int_equal(pt_pciconf_parser_new(&p), 0);
	for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++) {
		const struct dump *d = &dumps[i];
		struct pt_pciconf c;
		size_t len;
		uint8_t *b = load(d->file, &len);

		print_message("%s\n", d->file);
		/* The table describes the dump. */
		assert_int_equal(len, d->size);
		assert_int_equal(le16(b), d->vendor);
		assert_int_equal(le16(b + 2), d->device);
		assert_int_equal(b[0x0e], d->header);
		if (d->pcie_at) {
			assert_int_equal(b[d->pcie_at], 0x10);
			assert_int_equal(le32(b + d->pcie_at + 4), d->devcap);
			assert_int_equal((le16(b + d->pcie_at + 2) >> 4) & 0xf, d->pcie_type);
		}
		assert_int_equal(b[d->pm_at], 0x01);
		assert_int_equal(le16(b + d->pm_at + 4), d->pm_ctrl);
		if (d->af_at) {
			assert_int_equal(b[d->af_at], 0x13);
			assert_int_equal(b[d->af_at + 3], d->af_cap);
		}

		/* The parser reads those bits as the spec defines them. */
		assert_int_equal(pt_pciconf_parse(p, b, len, &c), 0);
		assert_int_equal(c.vendor, d->vendor);
		assert_int_equal(c.device, d->device);
		assert_int_equal(c.header_type, d->header & 0x7f);
		assert_int_equal(c.multifunction, !!(d->header & 0x80));
		assert_int_equal(c.pcie, d->pcie_at != 0);
		assert_int_equal(c.flr, !!(d->devcap & (1u << 28)));
		if (d->pcie_at)
			assert_int_equal(c.pcie_type, d->pcie_type);
		assert_true(c.pm);
		assert_int_equal(c.pm_no_soft_reset, !!(d->pm_ctrl & 0x0008));
		assert_int_equal(c.af, d->af_at != 0);
		assert_int_equal(c.af && c.af_tp && c.af_flr, (d->af_cap & 3) == 3);
		/* None of these devices has ACS or SR-IOV (their extended capabilities are AER,
		 * serial number, VC and power budgeting). */
		assert_false(c.acs);
		assert_false(c.sriov);
		free(b);
	}
	pt_pciconf_parser_free(p);
}

static void test_pciconf_no_soft_reset(void **state)
{
	struct pt_pciconf_parser *p = NULL;
	struct pt_pciconf c;
	size_t len;
	uint8_t *b = load("0001-01-00.0.config", &len);

	(void)state;
	assert_int_equal(pt_pciconf_parser_new(&p), 0);
	b[0xc8 + 4] |= 0x08; /* set No_Soft_Reset in PMCSR */
	assert_int_equal(pt_pciconf_parse(p, b, len, &c), 0);
	assert_true(c.pm);
	assert_true(c.pm_no_soft_reset);
	free(b);
	pt_pciconf_parser_free(p);
}

static void test_pciconf_short_and_absent(void **state)
{
	struct pt_pciconf_parser *p = NULL;
	struct pt_pciconf c;
	uint8_t ones[256];
	size_t len;
	uint8_t *b = load("0000-00-01.0.config", &len);

	(void)state;
	assert_int_equal(pt_pciconf_parser_new(&p), 0);
	/* Shorter than the standard header: malformed. */
	assert_int_equal(pt_pciconf_parse(p, b, 63, &c), -EBADMSG);
	assert_int_equal(pt_pciconf_parse(p, b, 0, &c), -EBADMSG);
	/* 64 bytes (what an unprivileged reader gets): ids, but the capability list points
	 * past the data, so no capability is visible. */
	assert_int_equal(pt_pciconf_parse(p, b, 64, &c), 0);
	assert_int_equal(c.vendor, 0x8086);
	assert_false(c.pcie);
	assert_false(c.pm);
	/* A device that does not answer reads as all ones. */
	memset(ones, 0xff, sizeof(ones));
	assert_int_equal(pt_pciconf_parse(p, ones, sizeof(ones), &c), -EBADMSG);
	free(b);
	pt_pciconf_parser_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pciconf_libvirt_dumps),
		cmocka_unit_test(test_pciconf_no_soft_reset),
		cmocka_unit_test(test_pciconf_short_and_absent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
