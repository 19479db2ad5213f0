/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `record --bug-report`: a recording plus the kernel facts a maintainer asks for, redacted. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "backend.h"

/*
 * Complete a recording (rec, as pth_record_host wrote it) into a bug-report bundle: add to
 * its ptharness block the IOMMU and VFIO lines of the kernel log, the kernel's IOMMU and
 * VFIO config options and the loaded modules (live hosts only; otherwise each says it is
 * unavailable and why), then, when redact, replace serial numbers (sysfs "serial" files, the
 * Device Serial Number capability), MAC addresses and the host name. The bundle stays a
 * recording: inspect, plan and replay load it, and `import` passes it through.
 * Returns 0, or a negative errno with error set.
 */
int pth_bugreport_complete(struct pt_backend *be, bool live, bool redact, GString *rec,
			   GError **error);

/* Redaction alone (exposed for tests): hostname may be NULL. */
void pth_bugreport_redact(GString *rec, const char *hostname);
