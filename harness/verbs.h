/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The scenario verbs: the one table the loader, the runner and certify's plan walk. */
#pragma once

#include "runctx.h"
#include "scenario.h"

/* Every verb, ending with a row whose name is NULL. Each row has a run function. */
extern const struct pth_verb pth_verbs[];

/* The row of a verb, or NULL. */
const struct pth_verb *pth_verb_find(const char *name);
