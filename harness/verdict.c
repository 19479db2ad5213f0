/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A check's verdict as text. */

#include "verdict.h"

const char *const pth_cert_status_names[_PTH_CERT_STATUS_MAX] = { "pass", "fail", "skip" };
