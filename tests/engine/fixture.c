/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine tests' fixture: a fake host from a lab recording, its engine and VMs. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

struct fixture *fx_load(const char *name)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct pt_error err = { 0 };
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", HOSTS_DIR, name);
	if (fks_host_new_from_recording(path, NULL, &f->host, &err) < 0)
		fail_msg("load %s: %s: %s", path, err.path, err.reason);
	f->be = fks_host_backend(f->host);
	assert_int_equal(pt_trace_new(&f->trace), 0);
	if (pt_engine_new(f->be, NULL, f->trace, &f->e, &err) < 0)
		fail_msg("scan %s: %s: %s", path, err.path, err.reason);
	assert_int_equal(pt_vms_new(&f->vms), 0);
	pt_engine_set_vms(f->e, f->vms);
	assert_int_equal(fks_host_export_recording(f->host, &f->before), 0);
	return f;
}

void fx_done(struct fixture *f)
{
	pt_engine_free(f->e);
	pt_vms_free(f->vms);
	pt_trace_free(f->trace);
	pt_backend_free(f->be);
	fks_host_free(f->host);
	free(f->before);
	free(f);
}

const char *fx_driver(struct fixture *f, const char *address)
{
	const char *name = NULL;

	assert_int_equal(fks_host_dev_driver(f->host, address, &name), 0);
	return name ? name : "(none)";
}

char *fx_read_attr(struct fixture *f, const char *path)
{
	static char buf[256];

	if (pt_backend_read_line(f->be, PT_NS_SYS, path, buf, sizeof(buf)) < 0)
		return NULL;
	return buf;
}

/* The host is as it was at the start: the exported recordings are the same text. */
void fx_assert_unchanged(struct fixture *f)
{
	char *now = NULL;

	assert_int_equal(fks_host_export_recording(f->host, &now), 0);
	if (strcmp(now, f->before) != 0) {
		const char *a = f->before, *b = now;
		int line = 1;

		while (*a && *a == *b) {
			line += *a == '\n';
			a++;
			b++;
		}
		fail_msg("host differs from its start at line %d: '%.80s' vs '%.80s'", line, a, b);
	}
	free(now);
}

bool fx_trace_has_rule(struct fixture *f, const char *rule, const char *subject)
{
	for (size_t i = 0; i < pt_trace_count(f->trace); i++) {
		const struct pt_event *e = pt_trace_event(f->trace, i);

		if (e->kind == PT_EVENT_RULE && e->rule && strcmp(e->rule, rule) == 0 &&
		    (!subject || (e->path && strcmp(e->path, subject) == 0)))
			return true;
	}
	return false;
}

struct pt_vm *fx_new_vm(struct fixture *f, const char *name)
{
	struct pt_vm_config cfg = {
		.name = name, .memory = 4ull << 30, .vcpus = 2, .numa_node = -1
	};
	struct pt_vm *vm = NULL;

	assert_int_equal(pt_vms_add(f->vms, &cfg, &vm), 0);
	return vm;
}
