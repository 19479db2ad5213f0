/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ptharness certify`: the check statuses, profiles and the DUT's identity in a certificate. */
#pragma once

#include <stdbool.h>

#include "verdict.h"

enum pth_cert_profile {
	PTH_CERT_GENERIC,
	PTH_CERT_NIC,
	PTH_CERT_GPU,
	PTH_CERT_NVME,
	_PTH_CERT_PROFILE_MAX,
};

/* What the certificate adds to the DUT's inspect view, and the kernel. Strings are owned. */
struct pth_cert_identity {
	char vendor_name[128], device_name[128], subvendor_name[128];
	char *driver_version;
	/* Firmware where sysfs shows it (NULL: it does not): the version, the file it came from
	 * (relative to the device's directory) and the model the same firmware reports. */
	char *firmware, *firmware_file, *model;
	char *kernel, *cmdline;
};

/* The names of certify's own checks (`certify: {check: NAME}`), NULL-terminated, for the
 * scenario loader (caller g_strfreev()s). */
char **pth_cert_check_namev(void);

struct pth_step_hooks;
/*
 * `run --dut BDF`: the certify verb's hooks on this machine (its own live session; the DUT must
 * exist and not be host-critical). Returns 0, or an exit status with the message printed.
 * pth_cert_hooks_free gives back what the checks left (unit, VFs) and frees them.
 */
int pth_cert_hooks_new(const char *dut, struct pth_step_hooks *ret);
void pth_cert_hooks_free(struct pth_step_hooks *hooks);
