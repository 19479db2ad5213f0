/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The journaling backend: a dynamic id is in the journal before new_id adds it to a driver. */

/*
 * The plan: sysfs cannot list a driver's dynamic ids, so recover cannot find an id that a
 * killed `detach --method new_id` added by reading the host. Between the engine and the host
 * of a journaled command sits this backend: every call goes through to the real one, but a
 * write to bus/pci/drivers/DRIVER/new_id first adds {driver, id} to the journal's "new_ids"
 * and writes the state file; when the write fails (EEXIST: the id was already there) or a
 * remove_id of the same id succeeds, the entry leaves the journal again. A kill between the
 * new_id write and its answer leaves the entry: recover removes the id (remove_id), which is
 * also what it does when the id had been there before (named in its output).
 *
 * For the lab's kill subset, PTH_DIE_AFTER_WRITE=N in the environment makes the process
 * SIGKILL itself right after its Nth write to the host has returned: a real kill of a real
 * command at a chosen point (the model has its own: the die fault).
 */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "session.h"

struct jbe {
	struct pt_backend base;
	struct pt_backend *inner;
	struct pth_session *s;
	unsigned writes, die_after; /* 0: never */
};

static struct pt_backend *inner(struct pt_backend *be)
{
	struct jbe *j = (struct jbe *)be;

	/* Rules and faults the model traces go where the engine's trace is. */
	j->inner->trace = be->trace;
	return j->inner;
}

static int j_read(struct pt_backend *be, enum pt_ns ns, const char *path, void *buf, size_t size,
		  size_t *ret_len)
{
	struct pt_backend *in = inner(be);

	return in->ops->read(in, ns, path, buf, size, ret_len);
}

/* "DRIVER" of bus/pci/drivers/DRIVER/LEAF, or NULL. */
static char *driver_of(const char *path, const char *leaf)
{
	const char *p = "bus/pci/drivers/";
	const char *end;

	if (strncmp(path, p, strlen(p)) != 0)
		return NULL;
	path += strlen(p);
	end = strchr(path, '/');
	if (!end || end == path || strcmp(end + 1, leaf) != 0)
		return NULL;
	return g_strndup(path, (gsize)(end - path));
}

static int j_write(struct pt_backend *be, enum pt_ns ns, const char *path, const void *data,
		   size_t len)
{
	struct jbe *j = (struct jbe *)be;
	struct pt_backend *in = inner(be);
	g_autofree char *added = ns == PT_NS_SYS ? driver_of(path, "new_id") : NULL;
	g_autofree char *removed = ns == PT_NS_SYS ? driver_of(path, "remove_id") : NULL;
	g_autofree char *id = g_strstrip(g_strndup(data, len));
	int r;

	/* The journal names the id before the host has it: a kill at any point leaves it named. */
	if (added && pth_session_journal_id(j->s, added, id, true) != 0)
		return -EIO;
	r = in->ops->write(in, ns, path, data, len);
	if (++j->writes == j->die_after)
		kill(getpid(), SIGKILL);
	if ((added && r < 0) || (removed && r >= 0))
		pth_session_journal_id(j->s, added ? added : removed, id, false);
	return r;
}

static int j_readlink(struct pt_backend *be, enum pt_ns ns, const char *path, char *buf,
		      size_t size)
{
	struct pt_backend *in = inner(be);

	return in->ops->readlink(in, ns, path, buf, size);
}

static int j_list(struct pt_backend *be, enum pt_ns ns, const char *path, char ***ret_names,
		  size_t *ret_count)
{
	struct pt_backend *in = inner(be);

	return in->ops->list(in, ns, path, ret_names, ret_count);
}

static int j_exists(struct pt_backend *be, enum pt_ns ns, const char *path)
{
	struct pt_backend *in = inner(be);

	return in->ops->exists(in, ns, path);
}

static int j_dev_open(struct pt_backend *be, const char *path, int flags)
{
	struct pt_backend *in = inner(be);

	return in->ops->dev_open ? in->ops->dev_open(in, path, flags) : -ENOSYS;
}

static int j_dev_ioctl(struct pt_backend *be, int handle, unsigned long request, void *arg)
{
	struct pt_backend *in = inner(be);

	return in->ops->dev_ioctl ? in->ops->dev_ioctl(in, handle, request, arg) : -ENOSYS;
}

static int j_dev_close(struct pt_backend *be, int handle)
{
	struct pt_backend *in = inner(be);

	return in->ops->dev_close ? in->ops->dev_close(in, handle) : -ENOSYS;
}

static void j_free(struct pt_backend *be)
{
	struct jbe *j = (struct jbe *)be;

	pt_backend_free(j->inner);
	g_free(j);
}

static const struct pt_backend_ops jbe_ops = {
	.name = "journal",
	.read = j_read,
	.write = j_write,
	.readlink = j_readlink,
	.list = j_list,
	.exists = j_exists,
	.dev_open = j_dev_open,
	.dev_ioctl = j_dev_ioctl,
	.dev_close = j_dev_close,
	.free = j_free,
};

struct pt_backend *pth_journal_backend(struct pth_session *s, struct pt_backend *in)
{
	struct jbe *j = g_new0(struct jbe, 1);

	j->base.ops = &jbe_ops;
	j->base.live = in->live;
	j->base.trace = in->trace;
	j->inner = in;
	j->s = s;
	if (in->live && g_getenv("PTH_DIE_AFTER_WRITE"))
		j->die_after =
			(unsigned)g_ascii_strtoull(g_getenv("PTH_DIE_AFTER_WRITE"), NULL, 10);
	return &j->base;
}
