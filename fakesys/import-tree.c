/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Import: lspci -t and -tv trees, which give each bridge's buses (the devices' places). */

/*
 * The plan: a tree line holds, left to right, a root "[0000:00]" or a bridge's bus range
 * "[01]" / "[01-02]", and devices "00.0" after a '-'. A bus opens at the column of its '['
 * and holds every device drawn to its right on the lines below, until a device is drawn at
 * or left of that column. So the buses open are a stack by column, kept across lines; a
 * device's bus is the innermost one left of it. With -v, a device's name follows two
 * spaces: the rest of the line is text.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import-internal.h"

static bool tree_chars(const char *s)
{
	/* What a tree line is made of before its first device or bus. */
	return s[0] == '-' || s[0] == '+' || s[0] == '\\' || s[0] == '|';
}

static void pop_to(struct fks_import *imp, unsigned col)
{
	while (imp->tree_depth && imp->tree[imp->tree_depth - 1].col >= col)
		imp->tree_depth--;
}

/* "[0000:00]", "[01]", "[01-02]": push the bus; a bridge's range becomes its buses. */
static const char *bracket(struct fks_import *imp, const char *s, unsigned col,
			   struct fks_imp_dev *bridge)
{
	const char *end = strchr(s, ']');
	unsigned long dom = imp->tree_depth ? imp->tree[imp->tree_depth - 1].domain : 0;
	int bus, sub;

	if (!end || end - s > 16)
		return NULL;
	if (end - s > 4 && s[end - s - 3] == ':') {
		/* A root: domain and bus. */
		dom = strtoul(s + 1, NULL, 16);
		bus = fks_imp_hexn(end - 2, 2);
	} else {
		bus = fks_imp_hexn(s + 1, 2);
		if (bus < 0)
			return NULL;
		sub = s[3] == '-' ? fks_imp_hexn(s + 4, 2) : bus;
		if (sub < 0)
			return NULL;
		if (bridge) {
			bridge->secondary = bus;
			bridge->subordinate = sub;
		}
	}
	if (bus < 0 || imp->tree_depth >= G_N_ELEMENTS(imp->tree))
		return NULL;
	pop_to(imp, col);
	imp->tree[imp->tree_depth].col = col;
	imp->tree[imp->tree_depth].domain = dom;
	imp->tree[imp->tree_depth].bus = bus;
	imp->tree_depth++;
	return end + 1;
}

static struct fks_imp_dev *node(struct fks_import *imp, const char *s, unsigned col)
{
	char addr[FKS_IMP_ADDR];
	int slot = fks_imp_hexn(s, 2);

	pop_to(imp, col);
	if (!imp->tree_depth || slot < 0 || slot > 0x1f || s[2] != '.' || s[3] < '0' || s[3] > '7')
		return NULL;
	snprintf(addr, sizeof(addr), "%04lx:%02x:%02x.%c", imp->tree[imp->tree_depth - 1].domain,
		 (unsigned)imp->tree[imp->tree_depth - 1].bus, (unsigned)slot, s[3]);
	return fks_imp_dev_get(imp, addr);
}

static bool tree_line(struct fks_import *imp, const struct fks_imp_line *ln)
{
	const char *s = ln->text, *p = s;
	struct fks_imp_dev *last = NULL;
	bool used = false;

	if (!tree_chars(s) || (!strstr(s, "-[") && !imp->tree_depth))
		return false;
	while (*p) {
		unsigned col = ln->indent + (unsigned)(p - s);

		if (*p == '[') {
			const char *next = bracket(imp, p, col, last);

			if (!next)
				return used;
			p = next;
			used = true;
			last = NULL;
		} else if (p > s && p[-1] == '-' && g_ascii_isxdigit(p[0]) &&
			   g_ascii_isxdigit(p[1]) && p[2] == '.') {
			struct fks_imp_dev *d = node(imp, p, col);

			if (!d)
				return used;
			last = d;
			used = true;
			p += 4;
			if (p[0] == ' ' && p[1] == ' ')
				break; /* -v: the device's name */
		} else if (strchr("-+\\| ", *p)) {
			p++;
		} else {
			break;
		}
	}
	if (!used && !*p && imp->tree_depth) {
		imp->ignored++; /* only the tree's lines ("|   |") */
		return true;
	}
	if (used)
		imp->cur = NULL;
	return used;
}

const struct fks_imp_parser fks_imp_tree = { "lspci -t", tree_line };
