/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* recover: put a host back as it was before a command that was killed midway. */

/*
 * The plan: every command that changes a host first writes a journal into the state file
 * (pth_session_open): the command, its pid, and for every PCI device its driver, its
 * driver_override and, for a PF, sriov_numvfs and sriov_drivers_autoprobe. A command that ends
 * (even with an error) replaces the journal by its result. A journal still there is a command
 * that was killed. recover compares the host with it and undoes the difference the way the
 * kernel allows: VF counts first (0, then autoprobe, then the count: the kernel refuses to
 * change a non-zero count), then bindings (driver_override steers drivers_probe to the driver
 * the device had, then is set back), then reads the host again and names every device that is
 * still not as it was, with the command that would fix it by hand. Only when all is back does
 * the state drop the journal; the engine's state is the one from before the killed command.
 */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "session.h"

struct snap {
	const char *address, *driver, *override;
	gint64 numvfs, autoprobe; /* -1: not a PF / absent */
	gint64 group; /* -1: none / absent */
};

struct recovery {
	struct pth_session *s;
	struct snap *snaps;
	guint count;
	unsigned actions, unrestored, renumbered;
};

static const char *str_or_null(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);

	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING ?
		       json_node_get_string(n) :
		       NULL;
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int load_snaps(struct recovery *rc)
{
	JsonArray *devs =
		json_object_get_array_member(json_node_get_object(rc->s->pending), "devices");

	rc->count = devs ? json_array_get_length(devs) : 0;
	rc->snaps = g_new0(struct snap, rc->count + 1);
	for (guint i = 0; i < rc->count; i++) {
		JsonObject *o = json_array_get_object_element(devs, i);

		if (!o || !str_or_null(o, "address"))
			return -EBADMSG;
		rc->snaps[i] = (struct snap){
			.address = str_or_null(o, "address"),
			.driver = str_or_null(o, "driver"),
			.override = str_or_null(o, "override"),
			.numvfs = json_object_get_int_member_with_default(o, "numvfs", -1),
			.autoprobe =
				json_object_get_int_member_with_default(o, "drivers_autoprobe", -1),
			.group = json_object_get_int_member_with_default(o, "group", -1),
		};
	}
	return 0;
}

static const struct pt_dev_props *now(struct recovery *rc, const char *address)
{
	const struct pt_dev *d = pt_host_find_dev(pt_engine_host(rc->s->engine), address);

	return d ? pt_dev_props(d) : NULL;
}

static int put(struct recovery *rc, const char *value, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static int put(struct recovery *rc, const char *value, const char *fmt, ...)
{
	g_autofree char *path = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	path = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	r = pt_backend_write(rc->s->be, PT_NS_SYS, path, value, strlen(value));

	rc->actions++;
	printf("  write %s \"%s\"%s%s\n", path, value[0] == '\n' ? "\\n" : value,
	       r < 0 ? " -> " : "", r < 0 ? pth_errno_name(r) : "");
	return r;
}

static void rescan(struct recovery *rc)
{
	struct pt_error err = { 0 };

	if (pt_engine_rescan(rc->s->engine, &err) < 0)
		printf("  cannot read the host back: %s: %s\n", err.path, err.reason);
}

/* VF counts first: they create and remove the VFs whose bindings come next. */
static void restore_vfs(struct recovery *rc, const struct snap *sn)
{
	const struct pt_dev_props *p = now(rc, sn->address);
	char v[24];

	if (!p || !p->sriov || sn->numvfs < 0)
		return;
	if (p->sriov->numvfs == sn->numvfs && p->sriov->drivers_autoprobe == sn->autoprobe)
		return;
	if (p->sriov->numvfs != sn->numvfs && p->sriov->numvfs > 0)
		put(rc, "0", "bus/pci/devices/%s/sriov_numvfs", sn->address);
	if (sn->autoprobe >= 0 && p->sriov->drivers_autoprobe != sn->autoprobe) {
		snprintf(v, sizeof(v), "%" G_GINT64_FORMAT, sn->autoprobe);
		put(rc, v, "bus/pci/devices/%s/sriov_drivers_autoprobe", sn->address);
	}
	if (p->sriov->numvfs != sn->numvfs && sn->numvfs > 0) {
		snprintf(v, sizeof(v), "%" G_GINT64_FORMAT, sn->numvfs);
		put(rc, v, "bus/pci/devices/%s/sriov_numvfs", sn->address);
	}
}

/* As the engine's rollback: the override steers the probe to the old driver, then goes back. */
static void restore_binding(struct recovery *rc, const struct snap *sn)
{
	const struct pt_dev_props *p = now(rc, sn->address);
	g_autofree char *cur = NULL;

	if (!p || (same(p->driver, sn->driver) && same(p->override, sn->override)))
		return;
	cur = g_strdup(p->driver);
	put(rc, sn->driver ? sn->driver : "\n", "bus/pci/devices/%s/driver_override", sn->address);
	if (cur && !same(cur, sn->driver))
		put(rc, sn->address, "bus/pci/drivers/%s/unbind", cur);
	if (sn->driver && !same(cur, sn->driver))
		put(rc, sn->address, "bus/pci/drivers_probe");
	put(rc, sn->override ? sn->override : "\n", "bus/pci/devices/%s/driver_override",
	    sn->address);
	rescan(rc);
}

static void unrestored(struct recovery *rc, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void unrestored(struct recovery *rc, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	printf("  NOT RESTORED: %s\n", msg);
	rc->unrestored++;
}

/*
 * Dynamic ids first (the journal names each before new_id adds it): an id left in a stub's
 * table would bind any device with it that the steps below leave unbound. ENODEV is an id
 * that is not there (the command was killed before adding it, or removed it itself).
 */
static void remove_ids(struct recovery *rc)
{
	JsonArray *ids =
		json_object_get_array_member(json_node_get_object(rc->s->pending), "new_ids");

	for (guint i = 0; ids && i < json_array_get_length(ids); i++) {
		JsonObject *o = json_array_get_object_element(ids, i);
		const char *drv = o ? str_or_null(o, "driver") : NULL;
		const char *id = o ? str_or_null(o, "id") : NULL;
		int r;

		if (!drv || !id || strchr(drv, '/'))
			continue;
		r = put(rc, id, "bus/pci/drivers/%s/remove_id", drv);
		if (r >= 0)
			printf("  (the dynamic id %s of %s, added by the interrupted command: if it "
			       "was there before it, add it back with:\n   echo %s > /sys/bus/pci/"
			       "drivers/%s/new_id)\n",
			       id, drv, id, drv);
		else if (r == -ENODEV)
			printf("  (%s has no dynamic id %s: nothing to remove)\n", drv, id);
		else
			unrestored(rc,
				   "%s keeps the dynamic id %s (%s); by hand: "
				   "echo %s > /sys/bus/pci/drivers/%s/remove_id",
				   drv, id, pth_errno_name(r), id, drv);
	}
}

/* Read the host again: every device as the journal has it, and nothing more. */
static void verify(struct recovery *rc)
{
	const struct pt_host *h = pt_engine_host(rc->s->engine);

	for (guint i = 0; i < rc->count; i++) {
		const struct snap *sn = &rc->snaps[i];
		const struct pt_dev_props *p = now(rc, sn->address);

		if (!p) {
			unrestored(rc,
				   "%s is gone (it was on %s); bring it back with: "
				   "echo 1 > /sys/bus/pci/rescan",
				   sn->address, sn->driver ? sn->driver : "no driver");
			continue;
		}
		if (sn->numvfs >= 0 && p->sriov && p->sriov->numvfs != sn->numvfs)
			unrestored(rc,
				   "%s has %u VFs, had %" G_GINT64_FORMAT "; by hand: "
				   "echo 0 > /sys/bus/pci/devices/%s/sriov_numvfs; "
				   "echo %" G_GINT64_FORMAT
				   " > /sys/bus/pci/devices/%s/sriov_numvfs",
				   sn->address, p->sriov->numvfs, sn->numvfs, sn->address,
				   sn->numvfs, sn->address);
		if (!same(p->driver, sn->driver))
			unrestored(rc, "%s is on %s, was on %s; by hand: %s%s%s%s%s", sn->address,
				   p->driver ? p->driver : "no driver",
				   sn->driver ? sn->driver : "no driver",
				   p->driver ? "echo the address > /sys/bus/pci/drivers/" : "",
				   p->driver ? p->driver : "", p->driver ? "/unbind" : "",
				   sn->driver ? "; echo the address > /sys/bus/pci/drivers/" : "",
				   sn->driver ? sn->driver : "");
		/* A VF made again is in a new group, numbered by the kernel (the lowest free id):
		 * nothing can choose it, so it is said, not left as a difference to fix. */
		if (sn->group >= 0 && p->iommu_group >= 0 && p->iommu_group != sn->group) {
			printf("  renumbered: %s is in IOMMU group %d, was in %" G_GINT64_FORMAT
			       " (the kernel numbers a new group; what named /dev/vfio/%" G_GINT64_FORMAT
			       " must now name /dev/vfio/%d)\n",
			       sn->address, p->iommu_group, sn->group, sn->group, p->iommu_group);
			rc->renumbered++;
		}
		if (!same(p->override, sn->override))
			unrestored(rc,
				   "driver_override of %s is '%s', was '%s'; by hand: "
				   "echo '%s' > /sys/bus/pci/devices/%s/driver_override",
				   sn->address, p->override ? p->override : "",
				   sn->override ? sn->override : "",
				   sn->override ? sn->override : "", sn->address);
	}
	for (size_t i = 0; i < pt_host_dev_count(h); i++) {
		const struct pt_dev_props *p = pt_dev_props(pt_host_dev(h, i));
		bool known = false;

		for (guint j = 0; j < rc->count && !known; j++)
			known = strcmp(rc->snaps[j].address, p->address) == 0;
		if (!known)
			unrestored(rc, "%s was not there before%s%s", p->address,
				   p->physfn ? "; it is a VF of " : "", p->physfn ? p->physfn : "");
	}
}

static int recover(struct pth_session *s)
{
	JsonObject *j = json_node_get_object(s->pending);
	struct recovery rc = { .s = s };

	if (load_snaps(&rc) < 0) {
		g_free(rc.snaps);
		fprintf(stderr,
			"ptharness recover: %s: the journal has a device without an address; "
			"not trusted\n",
			s->state_file);
		return PTH_EXIT_INPUT;
	}
	printf("recover: `%s` (pid %" G_GINT64_FORMAT ") was interrupted; putting %u devices back "
	       "as they were before it\n",
	       json_object_get_string_member_with_default(j, "command", "?"),
	       json_object_get_int_member_with_default(j, "pid", 0), rc.count);
	remove_ids(&rc);
	for (guint i = 0; i < rc.count; i++)
		restore_vfs(&rc, &rc.snaps[i]);
	rescan(&rc);
	for (guint i = 0; i < rc.count; i++)
		restore_binding(&rc, &rc.snaps[i]);
	rescan(&rc);
	verify(&rc);
	g_free(rc.snaps);
	if (rc.unrestored) {
		printf("recover: %u difference(s) left (above); the journal stays in %s: run "
		       "recover again once they are fixed\n",
		       rc.unrestored, s->state_file);
		return PTH_EXIT_FAIL;
	}
	printf("recover: restored (%u write(s)%s); the engine's state is the one from before the "
	       "interrupted command\n",
	       rc.actions, rc.renumbered ? "; some groups renumbered, above" : "");
	return PTH_EXIT_OK;
}

int pth_cmd_recover(int argc, char **argv)
{
	static const struct option opts[] = {
		PTH_SESSION_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct pth_session s = { .mutating = true, .recovering = true };
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" PTH_SESSION_SHORTOPTS "h", opts, NULL)) != -1) {
		if (pth_session_option(&s, c, optarg))
			continue;
		if (c == 'h') {
			printf("Usage: ptharness recover [HOST OPTIONS]\n\n"
			       "Find what a command that was killed midway (attach, detach, "
			       "set-numvfs, release,\ncertify) left, from the journal in the state "
			       "file, and put every device back as it\nwas before that command: VF "
			       "counts, drivers, driver_override. Says what it cannot\nput back and "
			       "how to do it by hand. Exit 0 when restored or nothing to do, 1 when\n"
			       "something is left.\n\n%s",
			       PTH_SESSION_HELP);
			return PTH_EXIT_OK;
		}
		return pth_bad_option("recover", c, argv);
	}
	if (optind != argc)
		return pth_usage_error("recover", "takes no arguments", argv[optind]);
	r = pth_session_open(&s, "recover");
	if (r != 0)
		return pth_session_close(&s, "recover", r);
	if (!s.pending) {
		printf("recover: nothing to do: no interrupted command in %s\n", s.state_file);
		return pth_session_close(&s, "recover", PTH_EXIT_OK);
	}
	r = recover(&s);
	if (r == PTH_EXIT_OK) {
		/* The journal put back leaves the state; another gone command's stays. */
		s.recovered = s.pending;
		if (s.interrupted > 1)
			printf("recover: %u more interrupted command(s) left a journal: run recover "
			       "again\n",
			       s.interrupted - 1);
		return pth_session_close(&s, "recover", r);
	}
	/* Keep the journal: the state stays as the interrupted command left it. */
	g_clear_pointer(&s.state_out, g_free);
	return pth_session_close(&s, "recover", r);
}
