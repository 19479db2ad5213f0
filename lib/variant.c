/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt's pick of a vfio-pci variant driver: the best "vfio_pci:" alias for the device. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-internal.h"
#include "variant.h"

_public_ void pt_variant_modalias(const struct pt_dev_props *p, char *buf, size_t size)
{
	snprintf(buf, size, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", p->vendor, p->device,
		 p->subsystem_vendor, p->subsystem_device, (p->class >> 16) & 0xff,
		 (p->class >> 8) & 0xff, p->class & 0xff);
}

/* fnmatch() without flags for the '*' and '?' file2alias writes, on [s, s + n). */
static bool glob_match(const char *pat, size_t plen, const char *s)
{
	if (plen == 0)
		return *s == '\0';
	if (*pat == '*') {
		for (;; s++) {
			if (glob_match(pat + 1, plen - 1, s))
				return true;
			if (*s == '\0')
				return false;
		}
	}
	if (*s == '\0' || (*pat != '?' && *pat != *s))
		return false;
	return glob_match(pat + 1, plen - 1, s + 1);
}

static size_t wildcard_count(const char *pat, size_t plen)
{
	size_t n = 0;

	for (size_t i = 0; i < plen; i++)
		n += pat[i] == '*';
	return n;
}

_public_ int pt_variant_pick(const char *modalias, const char *aliases, char **ret_module)
{
	static const char prefix[] = "alias vfio_pci:";
	const char *dev = strncmp(modalias, "pci:", 4) == 0 ? modalias + 4 : modalias;
	const char *best = NULL;
	size_t best_len = 0, best_stars = 0;

	*ret_module = NULL;
	for (const char *line = aliases; line && *line;) {
		const char *end = strchrnul(line, '\n');
		const char *pat = line + sizeof(prefix) - 1, *sp, *mod;
		size_t stars;

		if ((size_t)(end - line) > sizeof(prefix) - 1 &&
		    strncmp(line, prefix, sizeof(prefix) - 1) == 0 &&
		    (sp = memchr(pat, ' ', (size_t)(end - pat))) && sp + 1 < end &&
		    glob_match(pat, (size_t)(sp - pat), dev)) {
			mod = sp + 1;
			stars = wildcard_count(pat, (size_t)(sp - pat));
			if (!best || stars < best_stars) {
				best = mod;
				best_len = (size_t)(end - mod);
				best_stars = stars;
			}
		}
		line = *end ? end + 1 : end;
	}
	if (!best)
		return 0;
	*ret_module = strndup(best, best_len);
	return *ret_module ? 1 : -ENOMEM;
}

_public_ int pt_engine_set_modules_alias(struct pt_engine *e, const char *text)
{
	char *copy = NULL;

	if (text && !(copy = strdup(text)))
		return -ENOMEM;
	free(e->modules_alias);
	e->modules_alias = copy;
	return 0;
}

_public_ int pt_variant_for(struct pt_engine *e, const struct pt_dev *dev, char **ret_module)
{
	char modalias[64];

	*ret_module = NULL;
	if (!e->modules_alias)
		return -ENODATA;
	pt_variant_modalias(pt_dev_props(dev), modalias, sizeof(modalias));
	return pt_variant_pick(modalias, e->modules_alias, ret_module);
}
