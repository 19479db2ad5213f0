/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a scenario file may hold: typed keys, the verb rows' shape, and the check of a document. */
#pragma once

#include <glib.h>
#include <libfyaml.h>
#include <stdbool.h>

enum pth_target {
	PTH_TARGET_FAKE = 1 << 0,
	PTH_TARGET_LAB = 1 << 1,
	PTH_TARGET_LIVE = 1 << 2,
};
const char *pth_target_to_string(enum pth_target t);
int pth_target_from_string(const char *s);

/* The type of a key's value, as the loader checks it. */
enum pth_arg_type {
	PTH_ARG_ANY, /* anything (checked elsewhere) */
	PTH_ARG_STR, /* a string */
	PTH_ARG_NULLSTR, /* a string or null */
	PTH_ARG_BOOL, /* true or false */
	PTH_ARG_INT, /* a decimal integer in [min, max] */
	PTH_ARG_SIZE, /* a size as the CLI takes it: 4G, 512MiB, 1073741824 */
	PTH_ARG_STRLIST, /* a list of strings */
	PTH_ARG_DEVICES, /* a non-empty list of strings (device addresses or $names) */
	PTH_ARG_MAP, /* a mapping (checked elsewhere) */
	PTH_ARG_CHECK, /* one of certify's check names (struct pth_load_options) */
	PTH_ARG_HOST, /* the name of a host under the scenario's hosts: */
	PTH_ARG_ENUM, /* one of the strings in values */
	PTH_ARG_KERNEL, /* a kernel version: X.Y, X.Y.Z or a release string ("6.1.0-28-amd64") */
	_PTH_ARG_TYPE_MAX,
};

enum {
	PTH_ARG_REQUIRED = 1 << 0,
};

/* One key of a mapping: its name, type, flags and, for integers, the range. */
struct pth_arg {
	const char *name;
	enum pth_arg_type type;
	unsigned flags;
	long long min, max;
	const char *const *values; /* PTH_ARG_ENUM: the strings it takes, NULL-terminated */
};

#define PTH_OPT(n, t)                    \
	{                                \
		.name = (n), .type = (t) \
	}
#define PTH_REQ(n, t)                                               \
	{                                                           \
		.name = (n), .type = (t), .flags = PTH_ARG_REQUIRED \
	}
#define PTH_INT(n, lo, hi)                                                 \
	{                                                                  \
		.name = (n), .type = PTH_ARG_INT, .min = (lo), .max = (hi) \
	}
#define PTH_ENUM(n, v)                                           \
	{                                                        \
		.name = (n), .type = PTH_ARG_ENUM, .values = (v) \
	}
#define PTH_REQ_INT(n, lo, hi)                                                            \
	{                                                                                 \
		.name = (n), .type = PTH_ARG_INT, .flags = PTH_ARG_REQUIRED, .min = (lo), \
		.max = (hi)                                                               \
	}

struct pth_run;
struct pth_obs;

enum {
	PTH_VERB_READ_ONLY = 1 << 0, /* only looks at the host (certify's plan leaves it out) */
	/* runs another program, which makes no all-or-nothing promise: its writes are not
	 * points of the fault matrix (a fault may still be given in faults:) */
	PTH_VERB_NO_FAULT_POINTS = 1 << 1,
	/* checks what it ran against its own arguments (exec: status, output): unless expect
	 * says ok, a failed outcome fails the step with its message */
	PTH_VERB_SELF_CHECKED = 1 << 2,
};

/* A step verb (verbs.c): its name, run function, flags, and its arguments (NULL-name ended). */
struct pth_verb {
	const char *name;
	void (*run)(struct pth_run *r, struct fy_node *args, struct pth_obs *o);
	unsigned flags;
	struct pth_arg args[12];
	/* What the arguments' types cannot say (one of two forms): NULL when args are fine, else
	 * the load error's text. NULL: nothing more to check. */
	const char *(*check)(struct fy_node *args);
};

/* What the loader checks a scenario against: the verbs (ended by a NULL name) and certify's
 * check names (NULL-terminated; NULL: none), given by the caller so that the loader knows
 * neither the runner nor certify. */
struct pth_load_options {
	const char *root; /* the suite directory ids are relative to (NULL: the file's) */
	const struct pth_verb *verbs;
	const char *const *checks;
};

/*
 * Check a scenario document against the format: every key known and of its type, every verb
 * in opts->verbs with its arguments, rule IDs in the catalogue, error codes and errno names
 * known. Sets *ret_targets (enum pth_target bits). Returns FALSE with error
 * "FILE:LINE:COLUMN: what was expected" at the first problem.
 */
gboolean pth_schema_check(const char *file, struct fy_node *root,
			  const struct pth_load_options *opts, unsigned *ret_targets,
			  GError **error);
