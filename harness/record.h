/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Recording a host in the umockdev-record format, with ptharness's extension block. */
#pragma once

#include <glib.h>

#include "backend.h"
#include "host.h"

/* Every PCI device (and its network interfaces), IOMMU and VFIO class devices, then the
 * ptharness block. Returns 0, or a negative errno with error set. */
int pth_record_host(struct pt_backend *be, struct pt_host *host, GString *out, GError **error);

/* Only the named devices (addresses) and their ancestors, as umockdev-record writes them. */
int pth_record_devices(struct pt_backend *be, struct pt_host *host, char **which, GString *out,
		       GError **error);
