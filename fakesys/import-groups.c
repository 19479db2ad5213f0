/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Import: IOMMU group listings (the shell loops people paste, find and ls of iommu_groups). */

#include <stdlib.h>
#include <string.h>

#include "import-internal.h"

#define GROUPS_DIR "/kernel/iommu_groups/"

/* "N" at s followed by end, ':' or a blank; returns the number or -1, *ret_end after it. */
static int group_number(const char *s, const char **ret_end)
{
	char *end;
	long v;

	if (!g_ascii_isdigit(*s))
		return -1;
	v = strtol(s, &end, 10);
	if (v < 0 || v > 0x7fffffff || (*end && *end != ':' && *end != ' ' && *end != '\t'))
		return -1;
	*ret_end = end;
	return (int)v;
}

/*
 * "IOMMU Group 1:" (a header; indented device lines follow), "IOMMU Group 1 01:00.0 VGA ..."
 * (one line per device), "IOMMU Group  12: 0000:01:00.0 USB ..." (ls-iommu), "Group 15:\t[10de:
 * 21c4] [R] 09:00.0 VGA ..." (GPU Passthrough Manager), "IOMMU group 3" (a header without colon).
 */
static bool group_header(struct fks_import *imp, const struct fks_imp_line *ln)
{
	const char *s = ln->text, *end;
	int g;

	if (g_ascii_strncasecmp(s, "IOMMU Group", 11) == 0)
		s += 11;
	else if (g_str_has_prefix(s, "Group"))
		s += 5;
	else
		return false;
	if (*s != ' ' && *s != '\t')
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	if (s[0] == '*' && s[1] == ' ') {
		/* The loop's glob matched nothing: the kernel showed no group at all. */
		s += 2;
		return fks_imp_device_line(imp, ln, s + strspn(s, " "), -1);
	}
	if ((g = group_number(s, &end)) < 0)
		return false;
	s = end + (*end == ':');
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s) {
		imp->cur_group = g;
		imp->group_indent_set = false;
		imp->cur = NULL;
		return true;
	}
	/* The device on the same line; indented device lines below it are in the same group
	 * (GPU Passthrough Manager lists a group's other members so). */
	if (!fks_imp_device_line(imp, ln, s, g))
		return false;
	imp->cur_group = g;
	imp->group_indent = 1;
	imp->group_indent_set = true;
	return true;
}

/* ".../kernel/iommu_groups/N/devices/BDF" anywhere in the line (find -type l, ls -d, a path
 * printed by a loop). */
static bool group_path(struct fks_import *imp, const struct fks_imp_line *ln)
{
	const char *p = strstr(ln->text, GROUPS_DIR), *end;
	char addr[FKS_IMP_ADDR];
	size_t n;
	int g;

	if (!p)
		return false;
	p += strlen(GROUPS_DIR);
	if ((g = group_number(p, &end)) < 0 && !(g_ascii_isdigit(*p) && (g = atoi(p)) >= 0))
		return false;
	while (g_ascii_isdigit(*p))
		p++;
	if (g_str_has_prefix(p, "/devices/") && (n = fks_imp_parse_addr(p + 9, addr))) {
		struct fks_imp_dev *d = fks_imp_dev_get(imp, addr);

		fks_imp_set_group(imp, d, g, ln);
		imp->cur = d;
		/* "... -> ../../../../devices/pci0000:00/0000:00:1c.0/0000:03:00.0": its path. */
		if ((end = strstr(p, "-> ")) && (end = strstr(end, "devices/pci")) && !d->devpath)
			d->devpath = g_strdup(end);
		return true;
	}
	if (strcmp(p, "/devices:") == 0 || strcmp(p, "/devices") == 0 || *p == ':') {
		/* "ls -l" of each group's devices directory: a header; link lines follow. */
		imp->cur_group = g;
		imp->group_indent_set = false;
		return true;
	}
	return false;
}

static bool groups_line(struct fks_import *imp, const struct fks_imp_line *ln)
{
	return group_header(imp, ln) || group_path(imp, ln);
}

const struct fks_imp_parser fks_imp_groups = { "IOMMU group listing", groups_line };

/*
 * `ls -l` lines: "lrwxrwxrwx 1 root root 0 Feb  4 10:29 0000:00:1f.0 -> ../../../../devices/
 * pci0000:00/0000:00:1f.0" under a group header; ".../0000:02:00.0/iommu_group -> ../../../../
 * kernel/iommu_groups/7" for one device; "total 0".
 */
static bool ls_line(struct fks_import *imp, const struct fks_imp_line *ln)
{
	const char *s = ln->text, *arrow = strstr(s, " -> "), *name, *g;
	char addr[FKS_IMP_ADDR];

	if (g_str_has_prefix(s, "total ") && g_ascii_isdigit(s[6])) {
		imp->ignored++;
		return true;
	}
	if (!arrow)
		return false;
	if ((g = strstr(arrow, "iommu_groups/")) && g_ascii_isdigit(g[13])) {
		/* The device is the last address before "/iommu_group ->". */
		const char *best = NULL;

		for (const char *p = s; p < arrow; p++)
			if (fks_imp_parse_addr(p, addr) && (p == s || !g_ascii_isxdigit(p[-1])))
				best = p;
		if (!best)
			return false;
		fks_imp_parse_addr(best, addr);
		fks_imp_set_group(imp, fks_imp_dev_get(imp, addr), atoi(g + 13), ln);
		return true;
	}
	if (imp->cur_group < 0)
		return false;
	for (name = arrow; name > s && name[-1] != ' '; name--)
		;
	if (!fks_imp_parse_addr(name, addr))
		return false;
	{
		struct fks_imp_dev *d = fks_imp_dev_get(imp, addr);
		const char *path = strstr(arrow, "devices/pci");

		fks_imp_set_group(imp, d, imp->cur_group, ln);
		if (path && !d->devpath)
			d->devpath = g_strdup(path);
		imp->cur = d;
	}
	return true;
}

const struct fks_imp_parser fks_imp_ls = { "ls -l of iommu_groups", ls_line };
