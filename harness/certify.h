/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ptharness certify`: the check statuses, profiles and the DUT's identity in a certificate. */
#pragma once

enum pth_cert_status {
	PTH_CERT_PASS,
	PTH_CERT_FAIL,
	PTH_CERT_SKIP,
	_PTH_CERT_STATUS_MAX,
};

/* "pass", "fail", "skip", indexed by enum pth_cert_status. */
extern const char *const pth_cert_status_names[_PTH_CERT_STATUS_MAX];

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
	char *kernel, *cmdline;
};
