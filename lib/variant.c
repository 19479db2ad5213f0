/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt's pick of a vfio-pci variant driver: the best "vfio_pci:" alias for the device. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "engine-internal.h"
#include "variant.h"

/* A distribution kernel's modules.alias is 1-2 MiB (every module's id tables); reads grow
 * their buffer up to this. */
#define ALIAS_FILE_MAX (64u << 20)

static const char alias_prefix[] = "alias vfio_pci:";

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
	const char *dev = strncmp(modalias, "pci:", 4) == 0 ? modalias + 4 : modalias;
	const char *best = NULL;
	size_t best_len = 0, best_stars = 0;

	*ret_module = NULL;
	for (const char *line = aliases; line && *line;) {
		const char *end = strchrnul(line, '\n');
		const char *pat = line + sizeof(alias_prefix) - 1, *sp, *mod;
		size_t stars;

		if ((size_t)(end - line) > sizeof(alias_prefix) - 1 &&
		    strncmp(line, alias_prefix, sizeof(alias_prefix) - 1) == 0 &&
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
	/* vfio_pci's own table is PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_ANY_ID, PCI_ANY_ID)
	 * (drivers/vfio/pci/vfio_pci.c): its "v*d*sv*sd*bc*sc*i*" alias matches every device and
	 * wins only where no variant does -- and that pick is plain vfio-pci. */
	if (!best || (best_len == strlen("vfio_pci") && strncmp(best, "vfio_pci", best_len) == 0))
		return 0;
	*ret_module = strndup(best, best_len);
	return *ret_module ? 1 : -ENOMEM;
}

_public_ char *pt_variant_alias_lines(const char *text, size_t len)
{
	char *out = malloc(len + 2), *o = out;

	if (!out)
		return NULL;
	for (const char *line = text, *stop = text + len; line < stop;) {
		const char *nl = memchr(line, '\n', (size_t)(stop - line));
		const char *end = nl ? nl : stop;

		if ((size_t)(end - line) > sizeof(alias_prefix) - 1 &&
		    memcmp(line, alias_prefix, sizeof(alias_prefix) - 1) == 0) {
			memcpy(o, line, (size_t)(end - line));
			o += end - line;
			*o++ = '\n';
		}
		line = end + 1;
	}
	*o = '\0';
	return out;
}

_public_ int pt_variant_read_aliases(struct pt_backend *be, char **ret_release, char **ret_lines)
{
	char release[256], path[320], *buf = NULL;
	size_t size = 1u << 20, len = 0;
	int r;

	*ret_lines = NULL;
	/* libvirt takes the release from uname(2); procfs shows the same utsname field. */
	r = pt_backend_read_line(be, PT_NS_PROC, "sys/kernel/osrelease", release, sizeof(release));
	if (r < 0)
		return r;
	if (!release[0] || strchr(release, '/') || strcmp(release, "..") == 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/modules.alias", release);
	for (;;) {
		char *grown = realloc(buf, size);

		if (!grown) {
			r = -ENOMEM;
			break;
		}
		buf = grown;
		r = pt_backend_read(be, PT_NS_MODULES, path, buf, size, &len);
		if (r < 0 || len < size || size >= ALIAS_FILE_MAX)
			break;
		size *= 2; /* read again from the start: the backend reads from offset 0 */
	}
	if (r >= 0 && !(*ret_lines = pt_variant_alias_lines(buf, len)))
		r = -ENOMEM;
	free(buf);
	if (r >= 0 && ret_release && !(*ret_release = strdup(release))) {
		free(*ret_lines);
		*ret_lines = NULL;
		r = -ENOMEM;
	}
	return r < 0 ? r : 0;
}

_public_ int pt_engine_set_modules_alias(struct pt_engine *e, const char *text)
{
	char *copy = NULL;

	if (text && !(copy = strdup(text)))
		return -ENOMEM;
	free(e->modules_alias);
	e->modules_alias = copy;
	e->modules_alias_read = true; /* the caller's word replaces the host's file */
	return 0;
}

/* The host's aliases, read once on first use: a host without the file (a umockdev testbed,
 * an old recording, a container without /lib/modules) stays unknown. */
static void load_host_aliases(struct pt_engine *e)
{
	if (e->modules_alias_read)
		return;
	e->modules_alias_read = true;
	if (pt_variant_read_aliases(e->be, NULL, &e->modules_alias) < 0)
		e->modules_alias = NULL;
}

_public_ int pt_variant_of_dev(const struct pt_dev *dev, const char *aliases, char **ret_module)
{
	char modalias[64];

	*ret_module = NULL;
	if (!aliases)
		return -ENODATA;
	pt_variant_modalias(pt_dev_props(dev), modalias, sizeof(modalias));
	return pt_variant_pick(modalias, aliases, ret_module);
}

_public_ bool pt_variant_applies(const struct pt_host *host, const struct pt_dev *dev)
{
	const struct pt_dev_props *p = pt_dev_props(dev);

	return !pt_host_iommu_unknown(host) && pt_host_iommu_present(host) && p->iommu_group >= 0 &&
	       p->header_type == 0;
}

_public_ int pt_variant_for(struct pt_engine *e, const struct pt_dev *dev, char **ret_module)
{
	load_host_aliases(e);
	return pt_variant_of_dev(dev, e->modules_alias, ret_module);
}
