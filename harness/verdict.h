/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A check's verdict (pass, fail, skip): shared by the step runner and certify. */
#pragma once

enum pth_cert_status {
	PTH_CERT_PASS,
	PTH_CERT_FAIL,
	PTH_CERT_SKIP,
	_PTH_CERT_STATUS_MAX,
};

/* "pass", "fail", "skip", indexed by enum pth_cert_status. */
extern const char *const pth_cert_status_names[_PTH_CERT_STATUS_MAX];
