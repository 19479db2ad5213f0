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
#include <string.h>

#include "commands.h"
#include "output.h"
#include "session.h"

#define DEFAULT_STATE "/run/ptharness/state.json"

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

static int load_state(struct pth_session *s, const char *cmd)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	JsonObject *root;
	JsonArray *arr;

	if (!s->state_file || !g_file_test(s->state_file, G_FILE_TEST_EXISTS))
		return 0;
	if (!json_parser_load_from_file(parser, s->state_file, &error) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		fprintf(stderr, "ptharness %s: %s: %s\n", cmd, s->state_file,
			error ? error->message : "not a JSON object");
		return PTH_EXIT_INPUT;
	}
	root = json_node_get_object(json_parser_get_root(parser));
	arr = json_object_get_array_member(root, "detached");
	for (guint i = 0; arr && i < json_array_get_length(arr); i++) {
		struct pt_detached *d = g_new0(struct pt_detached, 1);

		detached_from_json(json_array_get_object_element(arr, i), d);
		g_ptr_array_add(s->detached, d);
	}
	arr = json_object_get_array_member(root, "vms");
	for (guint i = 0; arr && i < json_array_get_length(arr); i++) {
		JsonObject *v = json_array_get_object_element(arr, i);
		JsonArray *devs = json_object_get_array_member(v, "devices");
		struct pt_vm_config cfg = {
			.name = json_object_get_string_member_with_default(v, "name", ""),
			.memory = (uint64_t)json_object_get_int_member_with_default(v, "memory", 0),
			.viommu = json_object_get_boolean_member_with_default(v, "viommu", FALSE),
			.numa_node = -1,
		};
		struct pt_vm *vm = NULL;

		if (pt_vms_add(s->vms, &cfg, &vm) < 0)
			continue;
		for (guint j = 0; devs && j < json_array_get_length(devs); j++) {
			struct pt_detached d = { 0 };

			detached_from_json(json_array_get_object_element(devs, j), &d);
			pt_vm_adopt(s->engine, vm, &d);
			pt_detached_clear(&d);
		}
	}
	return 0;
}

static int save_state(struct pth_session *s, const char *cmd)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_path_get_dirname(s->state_file);
	g_autofree char *text = NULL;
	JsonNode *root;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "detached");
	json_builder_begin_array(b);
	for (guint i = 0; i < s->detached->len; i++)
		detached_to_json(b, s->detached->pdata[i]);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "vms");
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
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	text = pth_json_to_string(root);
	json_node_unref(root);
	if (g_mkdir_with_parents(dir, 0700) < 0 ||
	    !g_file_set_contents(s->state_file, text, -1, &error)) {
		fprintf(stderr, "ptharness %s: cannot save the engine's state to %s: %s\n", cmd,
			s->state_file, error ? error->message : g_strerror(errno));
		return PTH_EXIT_INPUT;
	}
	return 0;
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
	if (pt_trace_new(&s->trace) < 0)
		return PTH_EXIT_INPUT;
	if (s->live) {
		r = pt_backend_sysfs_new("/", &s->be);
		if (!s->state_file)
			s->state_file = g_strdup(DEFAULT_STATE);
	} else {
		struct fks_options fo = { .kernel = s->kernel };

		/* A recorded host's engine state travels beside it: FILE.state.json, written by
		 * --save, so that a chain of commands (attach, then release) remembers. */
		if (!s->state_file) {
			g_autofree char *side = g_strconcat(s->spec, ".state.json", NULL);

			if (g_file_test(side, G_FILE_TEST_IS_REGULAR))
				s->state_file = g_steal_pointer(&side);
		}

		if (g_file_test(s->spec, G_FILE_TEST_IS_DIR))
			r = fks_host_new_from_dir(s->spec, &fo, &s->fake, &err);
		else if (g_file_test(s->spec, G_FILE_TEST_IS_REGULAR))
			r = fks_host_new_from_recording(s->spec, &fo, &s->fake, &err);
		else
			r = -ENOENT, snprintf(err.reason, sizeof(err.reason),
					      "no such host: not 'live', a directory holding sys/, "
					      "or a recording file");
		if (r >= 0)
			s->be = fks_host_backend(s->fake);
	}
	if (r < 0) {
		fprintf(stderr, "ptharness %s: %s%s%s: %s\n", cmd, err.path[0] ? "" : s->spec,
			err.path[0] ? err.path : "", "",
			err.reason[0] ? err.reason : g_strerror(-r));
		return PTH_EXIT_INPUT;
	}
	r = pt_engine_new(s->be, &hopts, s->trace, &s->engine, &err);
	if (r < 0) {
		fprintf(stderr, "ptharness %s: %s: %s: %s\n", cmd, s->spec, err.path, err.reason);
		return PTH_EXIT_INPUT;
	}
	if (pt_vms_new(&s->vms) < 0)
		return PTH_EXIT_INPUT;
	pt_engine_set_vms(s->engine, s->vms);
	return load_state(s, cmd);
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
	} else if (s->show_trace && s->trace) {
		printf("trace:\n");
		print_trace(s);
	}
	if (s->engine && s->live && status != PTH_EXIT_INPUT && save_state(s, cmd) != 0)
		status = PTH_EXIT_INPUT;
	if (s->engine && s->fake && s->save && status != PTH_EXIT_INPUT) {
		g_free(s->state_file);
		s->state_file = g_strconcat(s->save, ".state.json", NULL);
		if (save_state(s, cmd) != 0)
			status = PTH_EXIT_INPUT;
	}
	if (s->fake && s->save && status != PTH_EXIT_INPUT) {
		g_autofree char *text = NULL;
		g_autoptr(GError) error = NULL;

		if (fks_host_export_recording(s->fake, &text) < 0 ||
		    !g_file_set_contents(s->save, text, -1, &error)) {
			fprintf(stderr, "ptharness %s: cannot save %s: %s\n", cmd, s->save,
				error ? error->message : "export failed");
			status = PTH_EXIT_INPUT;
		}
	}
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

int pth_bad_option(const char *cmd, int c, char **argv)
{
	return pth_usage_error(cmd, c == ':' ? "option needs a value:" : "unknown option",
			       argv[optind - 1]);
}
