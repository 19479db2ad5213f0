/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Outcome codes and the outcome of an operation: set, extend, clear. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "internal.h"
#include "outcome.h"

static const char *const code_names[_PT_CODE_MAX] = {
	[PT_CODE_OK] = "ok",
	[PT_CODE_NO_IOMMU] = "no-iommu",
	[PT_CODE_DEVICE_NOT_FOUND] = "device-not-found",
	[PT_CODE_NOT_AN_ENDPOINT] = "not-an-endpoint",
	[PT_CODE_GROUP_NOT_VIABLE] = "group-not-viable",
	[PT_CODE_GROUP_IN_USE] = "group-in-use",
	[PT_CODE_DEVICE_IN_USE] = "device-in-use",
	[PT_CODE_HOST_CRITICAL] = "host-critical",
	[PT_CODE_NOT_DETACHED] = "not-detached",
	[PT_CODE_DRIVER_MISSING] = "driver-missing",
	[PT_CODE_BIND_FAILED] = "bind-failed",
	[PT_CODE_UNBIND_FAILED] = "unbind-failed",
	[PT_CODE_RESET_UNAVAILABLE] = "reset-unavailable",
	[PT_CODE_RESET_REFUSED] = "reset-refused",
	[PT_CODE_RESET_FAILED] = "reset-failed",
	[PT_CODE_VFIO_FAILED] = "vfio-failed",
	[PT_CODE_VF_UNAVAILABLE] = "vf-unavailable",
	[PT_CODE_SRIOV_UNSUPPORTED] = "sriov-unsupported",
	[PT_CODE_NUMVFS_BUSY] = "numvfs-busy",
	[PT_CODE_NUMVFS_RANGE] = "numvfs-range",
	[PT_CODE_MEMLOCK_EXCEEDED] = "memlock-exceeded",
	[PT_CODE_MIGRATION_BLOCKED] = "migration-blocked",
	[PT_CODE_HOST_ERROR] = "host-error",
};

_public_ const char *pt_code_to_string(enum pt_code c)
{
	return (unsigned)c < _PT_CODE_MAX ? code_names[c] : NULL;
}

_public_ int pt_code_from_string(const char *s)
{
	for (size_t i = 0; i < _PT_CODE_MAX; i++)
		if (strcmp(s, code_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

_public_ void pt_outcome_clear(struct pt_outcome *o)
{
	free(o->message);
	pt_strv_free(o->blockers);
	pt_strv_free(o->unrestored);
	*o = (struct pt_outcome){ 0 };
}

int pt_outcome_set(struct pt_outcome *o, enum pt_code code, int err, const char *rule,
		   const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	free(o->message);
	o->code = code;
	o->err = err;
	o->rule = rule;
	o->message = msg;
	return msg ? (code == PT_CODE_OK ? 0 : 1) : -ENOMEM;
}

int pt_strv_push(char ***strv, const char *s)
{
	return pt_strv_append(strv, s);
}

int pt_outcome_unrestored(struct pt_outcome *o, const char *fmt, ...)
{
	va_list ap;
	char *line = NULL;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	r = pt_strv_push(&o->unrestored, line);
	free(line);
	return r;
}
