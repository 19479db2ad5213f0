/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine sessions for the commands: opening the host, the state file, printing outcomes. */

/*
 * The plan: a live host is reached through the sysfs backend and the engine's memory of what
 * it changed (original drivers, VMs and their devices) lives in a state file, so that a later
 * `reattach` or `release` in another process restores exactly what was there. A recording or
 * a captured tree is loaded into fakesys: the commands then show what would happen, with the
 * kernel's answers, and --save writes the end state for the next command.
 */

#include <errno.h>
#include <getopt.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "output.h"
#include "session.h"
#include "state.h"

#define DEFAULT_STATE_DIR "/run/ptharness"
#define DEFAULT_STATE DEFAULT_STATE_DIR "/state.json"

const char *pth_errno_name(int err)
{
	const char *n = err ? strerrorname_np(err < 0 ? -err : err) : NULL;

	return n ? n : (err ? "E?" : NULL);
}

gboolean pth_session_option(struct pth_session *s, int opt, const char *arg)
{
	switch (opt) {
	case 'H':
		s->spec = arg;
		return TRUE;
	case 'K':
		s->kernel = arg;
		return TRUE;
	case 'S':
		g_free(s->state_file);
		s->state_file = g_strdup(arg);
		return TRUE;
	case 'W':
		s->save = arg;
		return TRUE;
	case 'j':
		s->json = true;
		return TRUE;
	case 'T':
		s->show_trace = true;
		return TRUE;
	case 'X':
		s->faults = arg;
		return TRUE;
	case 'Y': {
		char *end;
		unsigned long v = strtoul(arg, &end, 10);

		/* A bad value waits not at all rather than forever. */
		s->wait_ms = g_ascii_isdigit(arg[0]) && !*end && v <= 3600 ? (unsigned)v * 1000 : 0;
		return TRUE;
	}
	default:
		return FALSE;
	}
}

static void detached_from_json(JsonObject *o, struct pt_detached *d)
{
	const char *addr = json_object_get_string_member_with_default(o, "address", "");

	g_strlcpy(d->address, addr, sizeof(d->address));
	d->orig_driver = g_strdup(json_object_get_string_member_with_default(o, "driver", NULL));
	d->orig_override =
		g_strdup(json_object_get_string_member_with_default(o, "override", NULL));
	d->stub = g_strdup(json_object_get_string_member_with_default(o, "stub", NULL));
	d->unbound_by_us = json_object_get_boolean_member_with_default(o, "unbound_by_us", TRUE);
	d->managed = json_object_get_boolean_member_with_default(o, "managed", TRUE);
}

static void detached_to_json(JsonBuilder *b, const struct pt_detached *d)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "address");
	json_builder_add_string_value(b, d->address);
	json_builder_set_member_name(b, "driver");
	d->orig_driver ? json_builder_add_string_value(b, d->orig_driver) :
			 json_builder_add_null_value(b);
	json_builder_set_member_name(b, "override");
	d->orig_override ? json_builder_add_string_value(b, d->orig_override) :
			   json_builder_add_null_value(b);
	json_builder_set_member_name(b, "stub");
	json_builder_add_string_value(b, d->stub ? d->stub : "");
	json_builder_set_member_name(b, "unbound_by_us");
	json_builder_add_boolean_value(b, d->unbound_by_us);
	json_builder_set_member_name(b, "managed");
	json_builder_add_boolean_value(b, d->managed);
	json_builder_end_object(b);
}

static void detached_free(gpointer p)
{
	pt_detached_clear(p);
	g_free(p);
}

static void vm_from_json(struct pth_session *s, JsonObject *v)
{
	JsonArray *devs = json_object_get_array_member(v, "devices");
	struct pt_vm_config cfg = {
		.name = json_object_get_string_member_with_default(v, "name", ""),
		.memory = (uint64_t)json_object_get_int_member_with_default(v, "memory", 0),
		.viommu = json_object_get_boolean_member_with_default(v, "viommu", FALSE),
		.numa_node = -1,
	};
	struct pt_vm *vm = NULL;

	if (pt_vms_add(s->vms, &cfg, &vm) < 0)
		return;
	for (guint j = 0; devs && j < json_array_get_length(devs); j++) {
		struct pt_detached d = { 0 };

		detached_from_json(json_array_get_object_element(devs, j), &d);
		pt_vm_adopt(s->engine, vm, &d);
		pt_detached_clear(&d);
	}
}

/* pending: one journal per command still running or killed (an object in older files). The
 * last journal of a command that is gone is the one recover puts back first. */
static void find_interrupted(struct pth_session *s, JsonNode *pending)
{
	g_autoptr(JsonArray) list = json_array_new();

	if (pending && JSON_NODE_HOLDS_OBJECT(pending))
		json_array_add_element(list, json_node_copy(pending));
	else if (pending && JSON_NODE_HOLDS_ARRAY(pending))
		for (guint i = 0; i < json_array_get_length(json_node_get_array(pending)); i++)
			json_array_add_element(list, json_node_copy(json_array_get_element(
							     json_node_get_array(pending), i)));
	for (guint i = 0; i < json_array_get_length(list); i++) {
		JsonNode *j = json_array_get_element(list, i);

		if (!JSON_NODE_HOLDS_OBJECT(j) ||
		    pth_session_journal_alive(s, json_node_get_object(j)))
			continue;
		s->interrupted++;
		if (s->pending)
			json_node_unref(s->pending);
		s->pending = json_node_copy(j);
	}
}

static int load_state(struct pth_session *s, const char *cmd)
{
	g_autoptr(GError) error = NULL;
	JsonNode *node = NULL;
	JsonObject *root;
	JsonArray *arr;
	int r, rmw;

	if (!s->state_file)
		return 0;
	/* Read and judge the journals with no command writing the file in between: one that
	 * ends removes its journal before it lets its locks go. */
	rmw = s->lock_fds ? pth_session_rmw_lock(s, cmd) : -1;
	r = pth_state_read(s->state_file, s->boot_id, &node, &error);
	if (r == 0 && node)
		find_interrupted(s, json_object_get_member(json_node_get_object(node), "pending"));
	if (rmw >= 0)
		close(rmw);
	if (r < 0) {
		fprintf(stderr, "ptharness %s: %s\n", cmd, error->message);
		return PTH_EXIT_INPUT;
	}
	if (!node)
		return 0;
	root = json_node_get_object(node);
	s->loaded = json_node_copy(node);
	arr = json_object_get_array_member(root, "detached");
	for (guint i = 0; arr && i < json_array_get_length(arr); i++) {
		struct pt_detached *d = g_new0(struct pt_detached, 1);

		detached_from_json(json_array_get_object_element(arr, i), d);
		g_ptr_array_add(s->detached, d);
	}
	arr = json_object_get_array_member(root, "vms");
	for (guint i = 0; arr && i < json_array_get_length(arr); i++)
		vm_from_json(s, json_array_get_object_element(arr, i));
	json_node_unref(node);
	return 0;
}

static void vms_to_json(struct pth_session *s, JsonBuilder *b)
{
	json_builder_begin_array(b);
	for (size_t i = 0; s->vms && i < pt_vms_count(s->vms); i++) {
		const struct pt_vm *vm = pt_vms_vm(s->vms, i);

		/* A released VM holds nothing: nothing to remember. */
		if (pt_vm_device_count(vm) == 0)
			continue;
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, pt_vm_name(vm));
		json_builder_set_member_name(b, "memory");
		json_builder_add_int_value(b, (gint64)pt_vm_config(vm)->memory);
		json_builder_set_member_name(b, "viommu");
		json_builder_add_boolean_value(b, pt_vm_config(vm)->viommu);
		json_builder_set_member_name(b, "devices");
		json_builder_begin_array(b);
		for (size_t j = 0; j < pt_vm_device_count(vm); j++)
			detached_to_json(b, pt_vm_detached(vm, j));
		json_builder_end_array(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

JsonNode *pth_session_state_body(struct pth_session *s, JsonNode *journal)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "detached");
	json_builder_begin_array(b);
	for (guint i = 0; i < s->detached->len; i++)
		detached_to_json(b, s->detached->pdata[i]);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "vms");
	vms_to_json(s, b);
	json_builder_set_member_name(b, "pending");
	journal ? json_builder_add_value(b, json_node_copy(journal)) :
		  json_builder_add_null_value(b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

static int write_state(struct pth_session *s, const char *cmd, JsonNode *journal)
{
	return pth_session_write_state(s, cmd, journal, false);
}

int pth_session_commit(struct pth_session *s, const char *cmd)
{
	int r = pth_session_write_state(s, cmd, NULL, true);

	if (r == 0) {
		s->journaled = false;
		g_clear_pointer(&s->journal, json_node_unref);
	}
	return r;
}

/* One device as the journal remembers it: what recover puts back. */
static void snapshot_dev(JsonBuilder *b, const struct pt_dev_props *p)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "address");
	json_builder_add_string_value(b, p->address);
	json_builder_set_member_name(b, "driver");
	p->driver ? json_builder_add_string_value(b, p->driver) : json_builder_add_null_value(b);
	json_builder_set_member_name(b, "override");
	p->override ? json_builder_add_string_value(b, p->override) :
		      json_builder_add_null_value(b);
	json_builder_set_member_name(b, "group");
	json_builder_add_int_value(b, p->iommu_group);
	if (p->sriov) {
		json_builder_set_member_name(b, "numvfs");
		json_builder_add_int_value(b, p->sriov->numvfs);
		json_builder_set_member_name(b, "drivers_autoprobe");
		json_builder_add_int_value(b, p->sriov->drivers_autoprobe);
	}
	json_builder_end_object(b);
}

JsonNode *pth_session_snapshot(struct pth_session *s)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	const struct pt_host *h = pt_engine_host(s->engine);

	json_builder_begin_array(b);
	for (size_t i = 0; i < pt_host_dev_count(h); i++)
		snapshot_dev(b, pt_dev_props(pt_host_dev(h, i)));
	json_builder_end_array(b);
	return json_builder_get_root(b);
}

/* Before the first write: what the command is and what every device holds, so that recover
 * can put the host back if the command dies midway. */
static int write_journal(struct pth_session *s, const char *cmd)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	JsonNode *journal;
	int r;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "command");
	json_builder_add_string_value(b, s->command_line ? s->command_line : cmd);
	json_builder_set_member_name(b, "pid");
	json_builder_add_int_value(b, getpid());
	json_builder_set_member_name(b, "started");
	json_builder_add_int_value(b, g_get_real_time() / G_USEC_PER_SEC);
	json_builder_set_member_name(b, "groups");
	if (s->locked_groups) {
		json_builder_begin_array(b);
		for (guint i = 0; i < s->locked_groups->len; i++)
			json_builder_add_int_value(b, g_array_index(s->locked_groups, gint64, i));
		json_builder_end_array(b);
	} else {
		json_builder_add_null_value(b);
	}
	json_builder_set_member_name(b, "devices");
	json_builder_add_value(b, pth_session_snapshot(s));
	json_builder_set_member_name(b, "new_ids");
	json_builder_begin_array(b);
	json_builder_end_array(b);
	json_builder_end_object(b);
	journal = json_builder_get_root(b);
	r = write_state(s, cmd, journal);
	if (r == 0) {
		s->journaled = true;
		s->journal = journal;
		s->cmd = cmd;
	} else {
		json_node_unref(journal);
	}
	return r;
}

int pth_session_journal_id(struct pth_session *s, const char *driver, const char *id, bool add)
{
	JsonArray *ids;

	if (!s->journal)
		return 0;
	ids = json_object_get_array_member(json_node_get_object(s->journal), "new_ids");
	for (guint i = json_array_get_length(ids); i-- > 0;) {
		JsonObject *o = json_array_get_object_element(ids, i);

		if (!add && strcmp(json_object_get_string_member(o, "driver"), driver) == 0 &&
		    strcmp(json_object_get_string_member(o, "id"), id) == 0) {
			json_array_remove_element(ids, i);
			return write_state(s, s->cmd, s->journal);
		}
	}
	if (add) {
		JsonObject *o = json_object_new();

		json_object_set_string_member(o, "driver", driver);
		json_object_set_string_member(o, "id", id);
		json_array_add_object_element(ids, o);
		return write_state(s, s->cmd, s->journal);
	}
	return 0;
}

/* --host names neither 'live', a file nor a directory: say why (it does not exist, cannot be
 * reached, or is some other kind of file). */
static int no_such_host(const char *spec, struct pt_error *err)
{
	struct stat st;
	int r = stat(spec, &st) < 0 ? -errno : -EINVAL;

	snprintf(err->reason, sizeof(err->reason),
		 "%s (a host is 'live', a recording file or a directory holding sys/)",
		 r == -EINVAL ? "not a regular file or a directory" : g_strerror(-r));
	return r;
}

/* The model dies (a die fault): save it where --save says, as it is at that write. */
static void die_hook(struct fks_host *h, void *data)
{
	struct pth_session *s = data;
	g_autofree char *text = NULL;

	if (s->save && fks_host_export_recording(h, &text) == 0)
		pth_write_file(s->save, text, strlen(text), NULL);
}

/* Where the state lives and is written, and the lock beside it; take the lock. */
static int prepare_state(struct pth_session *s, const char *cmd)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *lock = NULL;

	if (s->live) {
		if (!s->state_file) {
			s->state_file = g_strdup(DEFAULT_STATE);
			/* Ours to create: root's, private. */
			if (s->mutating && g_mkdir_with_parents(DEFAULT_STATE_DIR, 0700) < 0) {
				fprintf(stderr, "ptharness %s: %s: %s\n", cmd, DEFAULT_STATE_DIR,
					g_strerror(errno));
				return PTH_EXIT_INPUT;
			}
		}
		s->state_out = g_strdup(s->state_file);
	} else {
		/* A recorded host's engine state travels beside it: FILE.state.json, written by
		 * --save, so that a chain of commands (attach, then release) remembers. */
		if (!s->state_file)
			s->state_file = g_strconcat(s->spec, ".state.json", NULL);
		if (s->save)
			s->state_out = g_strconcat(s->save, ".state.json", NULL);
	}
	/* A model without --save changes nothing that lasts: no lock, no journal. */
	if (!s->mutating || !s->state_out)
		return 0;
	if (s->live)
		return 0; /* the host's and groups' locks, once the host is read */
	/* A recording is one file: one command saving to it at a time, from before it is read. */
	lock = g_strconcat(s->state_out, ".model.lock", NULL);
	s->lock_fd = pth_lock_take(lock, cmd, s->wait_ms, false, &error);
	if (s->lock_fd < 0) {
		fprintf(stderr, "ptharness %s: %s\n", cmd, error->message);
		return PTH_EXIT_INPUT;
	}
	return 0;
}

static int open_host(struct pth_session *s, const char *cmd)
{
	struct pt_error err = { 0 };
	int r;

	if (s->live) {
		r = pt_backend_sysfs_new("/", &s->be);
	} else {
		struct fks_options fo = { .kernel = s->kernel };

		if (g_file_test(s->spec, G_FILE_TEST_IS_DIR))
			r = fks_host_new_from_dir(s->spec, &fo, &s->fake, &err);
		else if (g_file_test(s->spec, G_FILE_TEST_IS_REGULAR))
			r = fks_host_new_from_recording(s->spec, &fo, &s->fake, &err);
		else
			r = no_such_host(s->spec, &err);
		if (r >= 0)
			s->be = fks_host_backend(s->fake);
	}
	if (r < 0) {
		/* The reason may quote the input: escaped, one line. */
		g_autofree char *why = pth_utf8_escape(err.reason[0] ? err.reason : g_strerror(-r));
		g_autofree char *where = pth_utf8_escape(err.path[0] ? err.path : s->spec);

		fprintf(stderr, "ptharness %s: %s: %s\n", cmd, where, why);
		return PTH_EXIT_INPUT;
	}
	return 0;
}

int pth_session_add_faults(struct pth_session *s, const char *cmd)
{
	g_autofree char *text = NULL;
	g_autoptr(GError) error = NULL;
	struct pt_error err = { 0 };

	if (!s->fake) {
		fprintf(stderr, "ptharness %s: --faults needs a recorded host (--host FILE)\n",
			cmd);
		return PTH_EXIT_INPUT;
	}
	if (!g_file_get_contents(s->faults, &text, NULL, &error)) {
		fprintf(stderr, "ptharness %s: %s\n", cmd, error->message);
		return PTH_EXIT_INPUT;
	}
	if (fks_host_add_faults(s->fake, s->faults, text, &err) < 0) {
		fprintf(stderr, "ptharness %s: %s%s%s\n", cmd, err.path, err.path[0] ? ": " : "",
			err.reason);
		return PTH_EXIT_INPUT;
	}
	fks_host_set_die_hook(s->fake, die_hook, s);
	return 0;
}

/* The host's boot id: a state file from before a reboot describes a host that is gone. */
static void read_boot_id(struct pth_session *s)
{
	char buf[64];

	if (pt_backend_read_line(s->be, PT_NS_PROC, "sys/kernel/random/boot_id", buf,
				 sizeof(buf)) >= 0 &&
	    buf[0])
		s->boot_id = g_strdup(buf);
}

int pth_session_open(struct pth_session *s, const char *cmd)
{
	struct pt_host_options hopts = { .kernel = s->kernel };
	struct pt_error err = { 0 };
	int r;

	s->detached = g_ptr_array_new_with_free_func(detached_free);
	s->results = g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
	if (!s->spec)
		s->spec = "live";
	s->live = strcmp(s->spec, "live") == 0;
	if (!s->wait_ms && !s->live)
		s->wait_ms = 10000;
	if (pt_trace_new(&s->trace) < 0)
		return PTH_EXIT_INPUT;
	r = prepare_state(s, cmd);
	if (r == 0)
		r = open_host(s, cmd);
	if (r == 0 && s->faults)
		r = pth_session_add_faults(s, cmd);
	if (r != 0)
		return r;
	read_boot_id(s);
	/* A changing command's writes that cannot be read back (new_id) are journaled. */
	if (s->mutating && s->state_out && !s->recovering)
		s->be = pth_journal_backend(s, s->be);
	r = pt_engine_new(s->be, &hopts, s->trace, &s->engine, &err);
	if (r < 0) {
		fprintf(stderr, "ptharness %s: %s: %s: %s\n", cmd, s->spec, err.path, err.reason);
		return PTH_EXIT_INPUT;
	}
	if (pt_vms_new(&s->vms) < 0)
		return PTH_EXIT_INPUT;
	pt_engine_set_vms(s->engine, s->vms);
	if (s->mutating && s->state_out) {
		r = pth_session_lock(s, cmd);
		if (r != 0)
			return r;
	}
	r = load_state(s, cmd);
	if (r != 0 || !s->mutating)
		return r;
	if (s->pending && !s->recovering) {
		JsonObject *p = json_node_get_object(s->pending);

		fprintf(stderr,
			"ptharness %s: an interrupted command (%s, pid %" G_GINT64_FORMAT
			") left the host changed (%s): run `ptharness recover%s%s` first\n",
			cmd, json_object_get_string_member_with_default(p, "command", "?"),
			json_object_get_int_member_with_default(p, "pid", 0), s->state_file,
			s->live ? "" : " --host ", s->live ? "" : s->spec);
		return PTH_EXIT_INPUT;
	}
	/* Journal first: the host changes only once the file saying how to undo it is on disk. */
	if (s->state_out && !s->recovering)
		r = write_journal(s, cmd);
	return r;
}

static void print_trace(struct pth_session *s)
{
	for (size_t i = 0; i < pt_trace_count(s->trace); i++) {
		const struct pt_event *e = pt_trace_event(s->trace, i);

		printf("  %-8s %s%s%s%s", pt_event_kind_to_string(e->kind), e->path ? e->path : "",
		       e->value ? " \"" : "", e->value ? e->value : "", e->value ? "\"" : "");
		if (e->rule)
			printf(" [%s]", e->rule);
		if (e->result < 0)
			printf(" -> %s", pth_errno_name(e->result));
		putchar('\n');
	}
}

static void trace_to_json(JsonBuilder *b, struct pt_trace *t)
{
	json_builder_begin_array(b);
	for (size_t i = 0; i < pt_trace_count(t); i++) {
		const struct pt_event *e = pt_trace_event(t, i);

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "kind");
		json_builder_add_string_value(b, pt_event_kind_to_string(e->kind));
		json_builder_set_member_name(b, "path");
		e->path ? json_builder_add_string_value(b, e->path) :
			  json_builder_add_null_value(b);
		json_builder_set_member_name(b, "value");
		e->value ? json_builder_add_string_value(b, e->value) :
			   json_builder_add_null_value(b);
		json_builder_set_member_name(b, "errno");
		e->result < 0 ? json_builder_add_string_value(b, pth_errno_name(e->result)) :
				json_builder_add_null_value(b);
		json_builder_set_member_name(b, "rule");
		e->rule ? json_builder_add_string_value(b, e->rule) :
			  json_builder_add_null_value(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

int pth_session_close(struct pth_session *s, const char *cmd, int status)
{
	if (s->json && s->results) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		g_autofree char *text = NULL;
		JsonNode *root;

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "host");
		json_builder_add_string_value(b, s->spec);
		json_builder_set_member_name(b, "results");
		json_builder_begin_array(b);
		for (guint i = 0; i < s->results->len; i++)
			json_builder_add_value(b, json_node_copy(s->results->pdata[i]));
		json_builder_end_array(b);
		if (s->show_trace) {
			json_builder_set_member_name(b, "trace");
			trace_to_json(b, s->trace);
		}
		json_builder_end_object(b);
		root = json_builder_get_root(b);
		text = pth_json_to_string(root);
		json_node_unref(root);
		fputs(text, stdout);
	} else if (s->show_trace && s->trace && s->engine) {
		printf("trace:\n");
		print_trace(s);
	}
	if (s->fake && s->save && s->engine && (status != PTH_EXIT_INPUT || s->journaled)) {
		g_autofree char *text = NULL;
		g_autoptr(GError) error = NULL;

		if (fks_host_export_recording(s->fake, &text) < 0 ||
		    pth_write_file(s->save, text, strlen(text), &error) < 0) {
			fprintf(stderr, "ptharness %s: cannot save %s: %s\n", cmd, s->save,
				error ? error->message : "export failed");
			status = PTH_EXIT_INPUT;
		}
	}
	/* The command ran to its end (whatever its outcome): what it did is now the state.
	 * Saved after the model so that the journal stays until both are on disk. */
	if (s->engine && s->state_out && (s->mutating || s->fake) &&
	    (status != PTH_EXIT_INPUT || s->journaled) && pth_session_commit(s, cmd) != 0)
		status = PTH_EXIT_INPUT;
	pth_session_unlock(s);
	if (s->lock_fd > 0)
		close(s->lock_fd);
	if (s->loaded)
		json_node_unref(s->loaded);
	if (s->pending)
		json_node_unref(s->pending);
	if (s->journal)
		json_node_unref(s->journal);
	g_free(s->boot_id);
	g_free(s->state_out);
	pt_engine_free(s->engine);
	pt_vms_free(s->vms);
	pt_backend_free(s->be);
	fks_host_free(s->fake);
	pt_trace_free(s->trace);
	if (s->detached)
		g_ptr_array_unref(s->detached);
	if (s->results)
		g_ptr_array_unref(s->results);
	g_free(s->state_file);
	fflush(stdout);
	return status;
}

int pth_session_outcome(struct pth_session *s, const char *op, const char *subject,
			const struct pt_outcome *o, const struct pt_step *steps, size_t nsteps)
{
	int status = o->code == PT_CODE_OK ? PTH_EXIT_OK : PTH_EXIT_FAIL;

	if (s->json) {
		g_autoptr(JsonBuilder) b = json_builder_new();

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "operation");
		json_builder_add_string_value(b, op);
		json_builder_set_member_name(b, "subject");
		json_builder_add_string_value(b, subject ? subject : "");
		json_builder_set_member_name(b, "ok");
		json_builder_add_boolean_value(b, o->code == PT_CODE_OK);
		json_builder_set_member_name(b, "error");
		o->code == PT_CODE_OK ?
			json_builder_add_null_value(b) :
			json_builder_add_string_value(b, pt_code_to_string(o->code));
		json_builder_set_member_name(b, "errno");
		o->err ? json_builder_add_string_value(b, pth_errno_name(o->err)) :
			 json_builder_add_null_value(b);
		json_builder_set_member_name(b, "rule");
		o->rule ? json_builder_add_string_value(b, o->rule) :
			  json_builder_add_null_value(b);
		json_builder_set_member_name(b, "message");
		json_builder_add_string_value(b, o->message ? o->message : "");
		json_builder_set_member_name(b, "blockers");
		json_builder_begin_array(b);
		for (char **x = o->blockers; x && *x; x++)
			json_builder_add_string_value(b, *x);
		json_builder_end_array(b);
		json_builder_set_member_name(b, "unrestored");
		json_builder_begin_array(b);
		for (char **x = o->unrestored; x && *x; x++)
			json_builder_add_string_value(b, *x);
		json_builder_end_array(b);
		json_builder_set_member_name(b, "steps");
		json_builder_begin_array(b);
		for (size_t i = 0; i < nsteps; i++) {
			json_builder_begin_object(b);
			json_builder_set_member_name(b, "what");
			json_builder_add_string_value(b, steps[i].what);
			json_builder_set_member_name(b, "rule");
			steps[i].rule ? json_builder_add_string_value(b, steps[i].rule) :
					json_builder_add_null_value(b);
			json_builder_set_member_name(b, "done");
			json_builder_add_boolean_value(b, steps[i].done);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
		g_ptr_array_add(s->results, json_builder_get_root(b));
		return status;
	}
	for (size_t i = 0; i < nsteps; i++)
		printf("  %s %s%s%s%s\n", steps[i].done ? "done" : "----", steps[i].what,
		       steps[i].rule ? " [" : "", steps[i].rule ? steps[i].rule : "",
		       steps[i].rule ? "]" : "");
	printf("%s %s: %s%s%s: %s", op, subject ? subject : "",
	       o->code == PT_CODE_OK ? "ok" : pt_code_to_string(o->code), o->err ? " " : "",
	       o->err ? pth_errno_name(o->err) : "", o->message ? o->message : "");
	if (o->rule)
		printf(" [%s]", o->rule);
	putchar('\n');
	for (char **x = o->blockers; x && *x; x++)
		printf("  blocked by %s\n", *x);
	for (char **x = o->unrestored; x && *x; x++)
		printf("  NOT RESTORED: %s\n", *x);
	if (!s->live && !s->save && o->code == PT_CODE_OK && strcmp(op, "plan") != 0)
		printf("  (on the model of %s; nothing real changed)\n", s->spec);
	return status;
}

const struct pt_detached *pth_session_detached(struct pth_session *s, const char *address)
{
	for (guint i = 0; i < s->detached->len; i++) {
		const struct pt_detached *d = s->detached->pdata[i];

		if (strcmp(d->address, address) == 0)
			return d;
	}
	return NULL;
}

void pth_session_forget(struct pth_session *s, const char *address)
{
	for (guint i = 0; i < s->detached->len; i++)
		if (strcmp(((struct pt_detached *)s->detached->pdata[i])->address, address) == 0) {
			g_ptr_array_remove_index(s->detached, i);
			return;
		}
}

void pth_session_remember(struct pth_session *s, const struct pt_detached *d)
{
	struct pt_detached *copy = g_new0(struct pt_detached, 1);

	pth_session_forget(s, d->address);
	*copy = *d;
	copy->orig_driver = g_strdup(d->orig_driver);
	copy->orig_override = g_strdup(d->orig_override);
	copy->stub = g_strdup(d->stub);
	g_ptr_array_add(s->detached, copy);
}

int pth_usage_error(const char *cmd, const char *what, const char *arg)
{
	fprintf(stderr, "ptharness %s: %s%s%s%s (see ptharness %s --help)\n", cmd, what,
		arg ? " '" : "", arg ? arg : "", arg ? "'" : "", cmd);
	return PTH_EXIT_INPUT;
}

int pth_address_arg(const char *cmd, char **arg, char buf[PT_ADDRESS_SIZE])
{
	if (pt_address_canonical(*arg, buf) < 0)
		return pth_usage_error(cmd, "not a PCI address (DDDD:BB:SS.F):", *arg);
	*arg = buf;
	return 0;
}

int pth_address_list(const char *cmd, char **list)
{
	char buf[PT_ADDRESS_SIZE];

	for (; list && *list; list++) {
		if (pt_address_canonical(*list, buf) < 0)
			return pth_usage_error(cmd, "not a PCI address (DDDD:BB:SS.F):", *list);
		g_free(*list);
		*list = g_strdup(buf);
	}
	return 0;
}

int pth_bad_option(const char *cmd, int c, char **argv)
{
	return pth_usage_error(cmd, c == ':' ? "option needs a value:" : "unknown option",
			       argv[optind - 1]);
}
