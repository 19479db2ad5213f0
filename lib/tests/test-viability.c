/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which drivers block a group's viability, under the 5.19+ rule and the older one. */

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "host.h"

/*
 * From the kernel: since 5.19 iommu_device_use_default_domain() counts every driver without
 * driver_managed_dma (vfio-pci, its variants, pci-stub and pcieport have it). Before 5.19
 * vfio_dev_driver_allowed() let through pci-stub, VFIO bus drivers and non-normal headers.
 */
static const struct {
	const char *driver;
	uint8_t header;
	bool vfio_dev;
	bool blocks_new;
	bool blocks_old;
} cases[] = {
	{ NULL, 0, false, false, false }, /* unbound never blocks */
	{ "vfio-pci", 0, false, false, false },
	{ "mlx5_vfio_pci", 0, false, false, false }, /* variant driver */
	{ "some_new_variant", 0, true, false, false }, /* seen through vfio-dev/ */
	{ "pci-stub", 0, false, false, false },
	{ "e1000e", 0, false, true, true },
	{ "snd_hda_intel", 0, false, true, true },
	{ "pcieport", 1, false, false, false }, /* port driver: managed DMA / bridge */
	{ "shpchp", 1, false, true, false }, /* a bridge on another driver */
	{ "xen-pciback", 0, false, true, true },
};

static void test_viability_driver_rules(void **state)
{
	struct pt_kver new_k = { 6, 1, 0 }, old_k = { 5, 15, 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *rule = NULL;

		print_message("%s header %u\n", cases[i].driver ? cases[i].driver : "(unbound)",
			      cases[i].header);
		assert_int_equal(pt_driver_blocks_group(cases[i].driver, cases[i].header, &new_k,
							cases[i].vfio_dev, &rule),
				 cases[i].blocks_new);
		assert_string_equal(rule, "K-GROUP-DMA-OWNER");
		assert_int_equal(pt_driver_blocks_group(cases[i].driver, cases[i].header, &old_k,
							cases[i].vfio_dev, &rule),
				 cases[i].blocks_old);
		assert_string_equal(rule, "K-GROUP-LEGACY-VIABLE");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_viability_driver_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
