/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers shared by every component: cleanup attributes, ownership transfer, sizes. */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _public_ __attribute__((visibility("default")))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Take ownership of *p: return it and leave NULL behind, so a cleanup attribute does nothing. */
#define TAKE_PTR(p)                        \
	({                                 \
		__typeof__(p) *_pp = &(p); \
		__typeof__(p) _v = *_pp;   \
		*_pp = NULL;               \
		_v;                        \
	})

#define TAKE_FD(fd)                \
	({                         \
		int *_pfd = &(fd); \
		int _v = *_pfd;    \
		*_pfd = -1;        \
		_v;                \
	})

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
#define _cleanup_close_ _cleanup_(closep)

static inline int negative_errno(void)
{
	/* For a libc call that failed: its errno as a negative return, never 0. */
	return errno > 0 ? -errno : -EIO;
}
