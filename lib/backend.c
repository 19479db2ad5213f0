/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Argument checks and small conveniences over any backend's ops. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "macro.h"
#include "trace.h"

static const char *const ns_names[_PT_NS_MAX] = {
	[PT_NS_SYS] = "sys",
	[PT_NS_DEV] = "dev",
	[PT_NS_PROC] = "proc",
	[PT_NS_MODULES] = "modules",
};

_public_ const char *pt_ns_to_string(enum pt_ns ns)
{
	return (unsigned)ns < _PT_NS_MAX ? ns_names[ns] : NULL;
}

static int check(struct pt_backend *be, const char *path)
{
	if (!be || !be->ops || !path)
		return -EINVAL;
	if (path[0] == '/')
		return -EXDEV;
	return 0;
}

_public_ int pt_backend_read(struct pt_backend *be, enum pt_ns ns, const char *path, void *buf,
			     size_t size, size_t *ret_len)
{
	int r = check(be, path);

	if (r >= 0)
		r = be->ops->read(be, ns, path, buf, size, ret_len);
	if (be && pt_trace_reads(be->trace))
		pt_trace_add(be->trace, PT_EVENT_READ, ns, path, r >= 0 ? buf : NULL,
			     r >= 0 ? *ret_len : 0, r, NULL);
	return r;
}

_public_ int pt_backend_write(struct pt_backend *be, enum pt_ns ns, const char *path,
			      const void *data, size_t len)
{
	size_t at = be ? pt_trace_count(be->trace) : 0;
	int r = check(be, path);

	if (r >= 0)
		r = be->ops->write(be, ns, path, data, len);
	/* Before what the store handler traced (its rules and faults): causal order. */
	if (be && be->trace)
		pt_trace_insert(be->trace, at, PT_EVENT_WRITE, ns, path, data, len, r, NULL);
	return r;
}

_public_ int pt_backend_readlink(struct pt_backend *be, enum pt_ns ns, const char *path, char *buf,
				 size_t size)
{
	int r = check(be, path);

	if (r >= 0)
		r = be->ops->readlink(be, ns, path, buf, size);
	if (be && pt_trace_reads(be->trace))
		pt_trace_add(be->trace, PT_EVENT_READLINK, ns, path, r >= 0 ? buf : NULL,
			     r >= 0 ? strlen(buf) : 0, r, NULL);
	return r;
}

_public_ int pt_backend_list(struct pt_backend *be, enum pt_ns ns, const char *path,
			     char ***ret_names, size_t *ret_count)
{
	int r = check(be, path);

	if (r >= 0)
		r = be->ops->list(be, ns, path, ret_names, ret_count);
	if (be && pt_trace_reads(be->trace))
		pt_trace_add(be->trace, PT_EVENT_LIST, ns, path, NULL, 0, r, NULL);
	return r;
}

_public_ int pt_backend_list_types(struct pt_backend *be, enum pt_ns ns, const char *path,
				   char ***ret_names, unsigned char **ret_types, size_t *ret_count)
{
	unsigned char *types;
	char **names = NULL;
	size_t n = 0;
	int r = check(be, path);

	if (r >= 0 && be->ops->list_types) {
		r = be->ops->list_types(be, ns, path, ret_names, ret_types, ret_count);
		if (pt_trace_reads(be->trace))
			pt_trace_add(be->trace, PT_EVENT_LIST, ns, path, NULL, 0, r, NULL);
		return r;
	}
	if (r >= 0)
		r = pt_backend_list(be, ns, path, &names, &n);
	if (r < 0)
		return r;
	types = calloc(n ? n : 1, 1); /* DT_UNKNOWN is 0 */
	if (!types) {
		pt_strv_free(names);
		return -ENOMEM;
	}
	*ret_names = names;
	*ret_types = types;
	*ret_count = n;
	return 0;
}

_public_ int pt_backend_exists(struct pt_backend *be, enum pt_ns ns, const char *path)
{
	int r = check(be, path);

	return r < 0 ? r : be->ops->exists(be, ns, path);
}

_public_ int pt_backend_dev_open(struct pt_backend *be, const char *path, int flags)
{
	size_t at = be ? pt_trace_count(be->trace) : 0;
	int r = check(be, path);

	if (r >= 0)
		r = be->ops->dev_open ? be->ops->dev_open(be, path, flags) : -ENOSYS;
	if (be && be->trace)
		pt_trace_insert(be->trace, at, PT_EVENT_OPEN, PT_NS_DEV, path, NULL, 0, r, NULL);
	return r;
}

_public_ int pt_backend_dev_ioctl(struct pt_backend *be, int handle, unsigned long request,
				  void *arg)
{
	/* The caller traces the ioctl by name (it knows what the request means). */
	if (!be || !be->ops)
		return -EINVAL;
	return be->ops->dev_ioctl ? be->ops->dev_ioctl(be, handle, request, arg) : -ENOSYS;
}

_public_ int pt_backend_dev_close(struct pt_backend *be, int handle)
{
	if (!be || !be->ops)
		return -EINVAL;
	return be->ops->dev_close ? be->ops->dev_close(be, handle) : -ENOSYS;
}

_public_ struct pt_backend *pt_backend_free(struct pt_backend *be)
{
	if (be && be->ops && be->ops->free)
		be->ops->free(be);
	return NULL;
}

_public_ int pt_backend_read_line(struct pt_backend *be, enum pt_ns ns, const char *path, char *buf,
				  size_t size)
{
	size_t len;
	int r;

	if (size < 2)
		return -EINVAL;
	r = pt_backend_read(be, ns, path, buf, size, &len);
	if (r < 0)
		return r;
	if (len == size)
		return -EFBIG;
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	return 0;
}

_public_ char **pt_strv_free(char **strv)
{
	if (strv)
		for (char **s = strv; *s; s++)
			free(*s);
	free(strv);
	return NULL;
}
