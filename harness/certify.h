/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ptharness certify`: the check statuses, profiles and the DUT's identity in a certificate. */
#pragma once

#include <json-glib/json-glib.h>
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

struct pt_engine;
struct pt_backend;
struct fks_host;
struct pt_trace;
struct fy_node;
struct pt_outcome;
/*
 * The certify verb's certificate form, `certify: {profile: P, device: BDF, vfs: N}`: the
 * profile's checks on BDF of the host the scenario runs on, as `ptharness certify BDF
 * --profile P` runs them there, without recording or writing a certificate. ret_out: ok when
 * the checks ran, whatever the verdict (its message lists the checks that failed, with their
 * reasons); device-not-found, host-critical (refused), or host-error (an unknown profile, or
 * one that does not load). ret_result gets "verdict" (certified, not-certified) and each
 * check's status by its ID ("CERT-SRIOV": "pass").
 */
void pth_cert_certificate(struct pt_engine *e, struct pt_backend *be, struct fks_host *fake,
			  struct pt_trace *trace, struct fy_node *args, struct pt_outcome *ret_out,
			  JsonObject *ret_result);
