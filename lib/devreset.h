/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Resetting a device as a VM manager does before and after giving it to a VM. */
#pragma once

#include "engine.h"
#include "reset.h"

/*
 * Reset a device: through VFIO when it is bound to a VFIO driver, else with the kernel's
 * sysfs reset, by its own order or by the given method (-1: the kernel's choice). A bus
 * reset is refused while another device on that bus is in use by the host. After the reset
 * the device must still answer config reads. *ret_method gets the method used (-1 when VFIO
 * chose). Returns 0 (outcome OK), 1 (refusal or failure in the outcome), or a negative
 * errno.
 */
int pt_reset_device(struct pt_engine *e, const char *address, int method, int *ret_method,
		    struct pt_outcome *out);
