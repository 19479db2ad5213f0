/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The trace: an append-only list of events. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "trace.h"

#define VALUE_MAX 256

struct pt_trace {
	struct pt_event *events;
	size_t count, cap;
	bool reads;
};

static const char *const kind_names[_PT_EVENT_KIND_MAX] = {
	[PT_EVENT_READ] = "read",   [PT_EVENT_WRITE] = "write", [PT_EVENT_READLINK] = "readlink",
	[PT_EVENT_LIST] = "list",   [PT_EVENT_OPEN] = "open",	[PT_EVENT_IOCTL] = "ioctl",
	[PT_EVENT_CLOSE] = "close", [PT_EVENT_RULE] = "rule",	[PT_EVENT_FAULT] = "fault",
	[PT_EVENT_NOTE] = "note",
};

_public_ const char *pt_event_kind_to_string(enum pt_event_kind k)
{
	return (unsigned)k < _PT_EVENT_KIND_MAX ? kind_names[k] : NULL;
}

_public_ int pt_trace_new(struct pt_trace **ret)
{
	struct pt_trace *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	*ret = t;
	return 0;
}

_public_ void pt_trace_clear(struct pt_trace *t)
{
	for (size_t i = 0; i < t->count; i++) {
		free(t->events[i].path);
		free(t->events[i].value);
	}
	t->count = 0;
}

_public_ struct pt_trace *pt_trace_free(struct pt_trace *t)
{
	if (t) {
		pt_trace_clear(t);
		free(t->events);
		free(t);
	}
	return NULL;
}

_public_ void pt_trace_set_reads(struct pt_trace *t, bool on)
{
	t->reads = on;
}

_public_ bool pt_trace_reads(const struct pt_trace *t)
{
	return t && t->reads;
}

/* Printable ASCII stays; \n, \t, \\ and the rest become C escapes. */
static char *escape(const unsigned char *v, size_t len)
{
	size_t n = len > VALUE_MAX ? VALUE_MAX : len;
	bool binary = false;
	char *out, *o;

	for (size_t i = 0; i < n; i++)
		binary |= v[i] == 0 || v[i] >= 0x80;
	if (binary && len > 32) {
		if (asprintf(&out, "<%zu bytes>", len) < 0)
			return NULL;
		return out;
	}
	out = o = malloc(n * 4 + 16);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = v[i];

		if (c == '\n')
			o += sprintf(o, "\\n");
		else if (c == '\t')
			o += sprintf(o, "\\t");
		else if (c == '\\')
			o += sprintf(o, "\\\\");
		else if (c < 0x20 || c >= 0x7f)
			o += sprintf(o, "\\x%02x", c);
		else
			*o++ = (char)c;
	}
	if (n < len)
		o += sprintf(o, "...");
	*o = '\0';
	return out;
}

_public_ int pt_trace_insert(struct pt_trace *t, size_t at, enum pt_event_kind kind, enum pt_ns ns,
			     const char *path, const void *value, size_t len, int result,
			     const char *rule)
{
	struct pt_event e = { .kind = kind, .ns = ns, .result = result, .rule = rule };

	if (!t)
		return 0;
	if (t->count == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		struct pt_event *grown = realloc(t->events, ncap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		t->events = grown;
		t->cap = ncap;
	}
	if ((path && !(e.path = strdup(path))) || (value && !(e.value = escape(value, len)))) {
		free(e.path);
		return -ENOMEM;
	}
	if (at > t->count)
		at = t->count;
	memmove(&t->events[at + 1], &t->events[at], (t->count - at) * sizeof(e));
	t->events[at] = e;
	t->count++;
	return 0;
}

_public_ int pt_trace_add(struct pt_trace *t, enum pt_event_kind kind, enum pt_ns ns,
			  const char *path, const void *value, size_t len, int result,
			  const char *rule)
{
	return pt_trace_insert(t, t ? t->count : 0, kind, ns, path, value, len, result, rule);
}

_public_ int pt_trace_rule(struct pt_trace *t, const char *rule, const char *subject,
			   const char *detail)
{
	return pt_trace_add(t, PT_EVENT_RULE, PT_NS_SYS, subject, detail,
			    detail ? strlen(detail) : 0, 0, rule);
}

_public_ size_t pt_trace_count(const struct pt_trace *t)
{
	return t ? t->count : 0;
}

_public_ const struct pt_event *pt_trace_event(const struct pt_trace *t, size_t i)
{
	return t && i < t->count ? &t->events[i] : NULL;
}
