/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The trace: every host access, VFIO call, fault and rule that fired, in order. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"

enum pt_event_kind {
	PT_EVENT_READ,
	PT_EVENT_WRITE,
	PT_EVENT_READLINK,
	PT_EVENT_LIST,
	PT_EVENT_OPEN, /* a device node (VFIO) */
	PT_EVENT_IOCTL, /* path holds the request's name, e.g. "VFIO_GROUP_GET_STATUS" */
	PT_EVENT_CLOSE,
	PT_EVENT_RULE, /* a kernel or engine rule decided something */
	PT_EVENT_FAULT, /* an injected fault took effect */
	PT_EVENT_NOTE, /* anything else worth showing a reader */
	_PT_EVENT_KIND_MAX,
};

const char *pt_event_kind_to_string(enum pt_event_kind k);

struct pt_event {
	enum pt_event_kind kind;
	enum pt_ns ns;
	char *path; /* file or device node; the ioctl's name; the rule's subject */
	char *value; /* bytes written or read, C-escaped; NULL when none */
	int result; /* >= 0, or a negative errno */
	const char
		*rule; /* catalogue ID (static) for rule events, and for the step that cited one */
};

struct pt_trace;

/* Returns 0 and a new, empty trace (owned by the caller), or -ENOMEM. */
int pt_trace_new(struct pt_trace **ret);
/* Accepts NULL; returns NULL. */
struct pt_trace *pt_trace_free(struct pt_trace *t);

/* Reads and listings are many and rarely interesting: recorded only when asked. */
void pt_trace_set_reads(struct pt_trace *t, bool on);
bool pt_trace_reads(const struct pt_trace *t);

/* Append an event. value may hold any bytes (len of them); it is stored C-escaped, and
 * binary data past 256 bytes is summarised by its length. Returns 0 or -ENOMEM. */
int pt_trace_add(struct pt_trace *t, enum pt_event_kind kind, enum pt_ns ns, const char *path,
		 const void *value, size_t len, int result, const char *rule);
/* The same, placed before the event at index at (the count appends): an access is traced
 * where it began, so the rules and faults its handler fired follow it (causal order). */
int pt_trace_insert(struct pt_trace *t, size_t at, enum pt_event_kind kind, enum pt_ns ns,
		    const char *path, const void *value, size_t len, int result, const char *rule);
/* A rule fired about subject (a device address, a group "group 13", a path). */
int pt_trace_rule(struct pt_trace *t, const char *rule, const char *subject, const char *detail);

size_t pt_trace_count(const struct pt_trace *t);
const struct pt_event *pt_trace_event(const struct pt_trace *t, size_t i);
/* Forget every event (the reads setting stays). */
void pt_trace_clear(struct pt_trace *t);
