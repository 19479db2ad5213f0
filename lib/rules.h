/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rule catalogue: every kernel behaviour modelled and every engine decision has an ID. */
#pragma once

#include <stddef.h>

enum pt_rule_kind {
	PT_RULE_KERNEL, /* what Linux does; the lab is its judge */
	PT_RULE_ENGINE, /* what this engine decides */
	_PT_RULE_KIND_MAX,
};

struct pt_rule {
	const char *id; /* "K-GROUP-DMA-OWNER" */
	enum pt_rule_kind kind;
	const char *statement; /* one sentence */
	const char *source; /* where the behaviour is defined */
};

size_t pt_rule_count(void);
const struct pt_rule *pt_rule_at(size_t i);
/* NULL when the catalogue has no such ID. */
const struct pt_rule *pt_rule_find(const char *id);
const char *pt_rule_kind_to_string(enum pt_rule_kind k);
