/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Rendering the host model (JSON for machines, a group-per-block text view for people) and
 * writing output files safely. */

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memattr.h"
#include "output.h"
#include "variant.h"
#include "vfio.h"

JsonNode *pth_host_to_json(const struct pt_host *host, const char *source)
{
	g_autofree char *text = pth_host_json_text(host, source);

	/* Our own output: it parses. */
	return json_from_string(text, NULL);
}

/* JSON text with invalid UTF-8 inside its strings: each such byte becomes \\xNN (an escaped
 * backslash, then xNN), which keeps its value where U+FFFD would lose it. */
static char *utf8_json(const char *s)
{
	GString *out = g_string_new(NULL);
	const char *end;

	while (!g_utf8_validate(s, -1, &end)) {
		g_string_append_len(out, s, end - s);
		g_string_append_printf(out, "\\\\x%02x", (unsigned char)*end);
		s = end + 1;
	}
	g_string_append(out, s);
	g_string_append_c(out, '\n');
	return g_string_free(out, FALSE);
}

char *pth_json_to_string(JsonNode *node)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	char *s, *out;

	json_generator_set_pretty(gen, FALSE);
	json_generator_set_indent(gen, 2);
	json_generator_set_root(gen, node);
	s = json_generator_to_data(gen, NULL);
	/* A string that came from a recording may hold any bytes; JSON is UTF-8. Outside
	 * strings the generator writes ASCII, so escaping here keeps the document valid. */
	out = g_utf8_validate(s, -1, NULL) ? g_strconcat(s, "\n", NULL) : utf8_json(s);
	g_free(s);
	return out;
}

/* Coherency and write-combining of an endpoint: one line, the prefetchable BARs in it. */
static void text_memory(GString *out, const struct pt_dev *dev)
{
	struct pt_memattr m;

	if (pt_dev_props(dev)->header_type != 0 || pt_dev_memattr(dev, &m) < 0)
		return;
	g_string_append_printf(out, "      DMA coherent: %s (%s) [%s]",
			       pt_tri_to_string(m.coherent), m.reason, m.rule);
	for (size_t i = 0; i < m.bar_count; i++) {
		const struct pt_bar_attr *b = &m.bars[i];

		if (!b->prefetchable)
			continue;
		g_string_append_printf(out,
				       "; BAR%u prefetchable: resource%u_wc %s%s%s%s, "
				       "vfio-pci WC %s",
				       b->index, b->index, pt_tri_to_string(b->sysfs_wc),
				       b->sysfs_wc_unknown ? " (" : "",
				       b->sysfs_wc_unknown ? b->sysfs_wc_unknown : "",
				       b->sysfs_wc_unknown ? ")" : "",
				       pt_tri_to_string(b->vfio_wc));
	}
	g_string_append_c(out, '\n');
}

static const char *tri(int v)
{
	return v < 0 ? "unknown" : v ? "yes" : "no";
}

/* The paths VFIO offers on the host (lib/vfiopath.c). */
static void text_paths(GString *out, const struct pt_host *host)
{
	struct pt_vfio_paths p;

	if (pt_vfio_paths_probe(pt_host_backend(host), pt_host_kernel(host), &p) < 0)
		return;
	g_string_append_printf(out, "VFIO paths: container %s, iommufd %s, cdev %s, compat %s\n",
			       tri(p.container), tri(p.iommufd), tri(p.cdev), tri(p.compat));
}

/* libvirt's variant driver for the device (lib/variant.c), on a line of its own. */
static void text_variant(GString *out, const struct pt_host *host, const struct pt_dev *dev,
			 const char *aliases)
{
	g_autofree char *mod = NULL;
	int r;

	if (!pt_variant_applies(host, dev))
		return;
	r = pt_variant_of_dev(dev, aliases, &mod);
	if (r > 0)
		g_string_append_printf(
			out, "      variant: %s (libvirt's pick from modules.alias)\n", mod);
	else if (r == 0)
		g_string_append(
			out,
			"      variant: none (no variant's vfio_pci alias matches: vfio-pci)\n");
	else
		g_string_append(out, "      variant: unknown (" PT_VARIANT_UNKNOWN_REASON ")\n");
}

static void text_device(GString *out, const struct pt_host *host, const struct pt_dev *dev,
			const char *aliases)
{
	char cdev[16];
	const struct pt_dev_props *p = pt_dev_props(dev);
	const struct pt_reset_info *r = pt_dev_reset(dev);
	const char *why = pt_dev_config_unknown(dev), *acs_why = pt_dev_acs_unknown(dev);

	if (p->config_missing && !p->vendor && !p->device)
		g_string_append_printf(out, "  %s [ids unknown]", p->address);
	else
		g_string_append_printf(out, "  %s [%04x:%04x]", p->address, p->vendor, p->device);
	if (p->vendor_name)
		g_string_append_printf(out, " %s", p->vendor_name);
	if (p->device_name)
		g_string_append_printf(out, " %s", p->device_name);
	g_autofree char *driver = pth_utf8_escape(p->driver ? p->driver : "(none)");
	g_autofree char *override = p->override ? pth_utf8_escape(p->override) : NULL;

	if (pt_dev_driver_unknown(dev))
		g_string_append_printf(out, "\n      driver: unknown (%s)",
				       pt_dev_driver_unknown(dev));
	else
		g_string_append_printf(out, "\n      driver: %s", driver);
	if (override)
		g_string_append_printf(out, " (override %s)", override);
	if (pt_vfio_dev_cdev(pt_host_backend(host), p->syspath, cdev, sizeof(cdev)) == 0)
		g_string_append_printf(out, "; VFIO device %s", cdev);
	g_string_append(out, "; reset:");
	if (why && r->source == PT_RESET_SOURCE_DERIVED)
		g_string_append_printf(out, " unknown (%s)", why);
	else if (r->count == 0)
		g_string_append(out, " none");
	for (size_t i = 0; !(why && r->source == PT_RESET_SOURCE_DERIVED) && i < r->count; i++)
		g_string_append_printf(out, " %s", pt_reset_method_to_string(r->methods[i]));
	if (!(why && r->source == PT_RESET_SOURCE_DERIVED))
		g_string_append_printf(out, " (%s)", pt_reset_source_to_string(r->source));
	if (why)
		g_string_append_printf(out, "; FLR, PM reset, ACS: unknown (%s)", why);
	else if (acs_why)
		g_string_append_printf(out, "; ACS: unknown (%s)", acs_why);
	if (p->physfn)
		g_string_append_printf(out, "; VF of %s", p->physfn);
	if (p->sriov)
		g_string_append_printf(out, "; SR-IOV PF: %u/%u VFs enabled, VF id %04x",
				       p->sriov->numvfs, p->sriov->totalvfs, p->sriov->vf_device);
	for (char **n = p->netdevs; n && *n; n++)
		g_string_append_printf(out, "%s%s", n == p->netdevs ? "; net: " : ",", *n);
	g_string_append_c(out, '\n');
	text_variant(out, host, dev, aliases);
	if (p->iommu_group >= 0)
		text_memory(out, dev);
}

/* Text for a terminal: what a recording put in it is shown escaped, line by line. Takes text. */
static char *escape_lines(char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	g_free(text);
	for (char **l = lines; *l; l++) {
		char *e = pth_utf8_escape(*l);

		g_free(*l);
		*l = e;
	}
	return g_strjoinv("\n", lines);
}

char *pth_host_to_text(const struct pt_host *host, const char *source)
{
	GString *out = g_string_new(NULL);
	const struct pt_kver *kv = pt_host_kernel(host);
	gboolean ungrouped = FALSE;
	g_autofree char *aliases = NULL; /* NULL: unknown */

	if (pt_variant_read_aliases(pt_host_backend(host), NULL, &aliases) < 0)
		aliases = NULL;

	if (pt_host_kernel_unknown(host))
		g_string_append_printf(out,
				       "Host %s: kernel unknown (%s; %u.%u rules apply), %zu PCI "
				       "devices, %zu IOMMU groups\n",
				       source, pt_host_kernel_unknown(host), kv->major, kv->minor,
				       pt_host_dev_count(host), pt_host_group_count(host));
	else
		g_string_append_printf(
			out, "Host %s: kernel %u.%u (%s), %zu PCI devices, %zu IOMMU groups\n",
			source, kv->major, kv->minor,
			pt_kver_source_to_string(pt_host_kernel_source(host)),
			pt_host_dev_count(host), pt_host_group_count(host));
	if (!pt_kver_modelled(kv))
		g_string_append_printf(
			out,
			"Warning: kernel %u.%u is outside the modelled range "
			"(%u.%u to %u.%u): the nearest modelled kernel's rules apply\n",
			kv->major, kv->minor, PT_KVER_OLDEST.major, PT_KVER_OLDEST.minor,
			PT_KVER_NEWEST.major, PT_KVER_NEWEST.minor);
	text_paths(out, host);
	if (pt_host_iommu_unknown(host))
		g_string_append_printf(out, "IOMMU: unknown (%s)\n", pt_host_iommu_unknown(host));
	else if (!pt_host_iommu_present(host))
		g_string_append(out,
				"No IOMMU: the kernel shows no IOMMU and no IOMMU groups, so VFIO "
				"cannot assign any device here (enable VT-d/AMD-Vi in firmware and "
				"boot with intel_iommu=on or amd_iommu=on) [K-IOMMU-PRESENT]\n");

	for (size_t i = 0; i < pt_host_group_count(host); i++) {
		const struct pt_group *g = pt_host_group(host, i);

		const struct pt_dev *unknown = pt_group_unknown_member(g);

		if (unknown && pt_group_viable(g))
			g_string_append_printf(out,
					       "\nGroup %d: viable: unknown (the driver of %s is "
					       "unknown)\n",
					       pt_group_id(g), pt_dev_address(unknown));
		else
			g_string_append_printf(out, "\nGroup %d: %s\n", pt_group_id(g),
					       pt_group_viable(g) ? "viable" : "NOT viable");
		for (size_t j = 0; j < pt_group_blocker_count(g); j++) {
			const struct pt_blocker *bl = pt_group_blocker(g, j);
			enum pt_critical c = pt_dev_critical(bl->dev);
			const char *maybe = pt_dev_critical_unknown(bl->dev);
			const char *via = c ? pt_dev_critical_via(bl->dev) : NULL;

			g_string_append_printf(out,
					       "  blocked by %s on host driver %s [%s]%s%s%s%s\n",
					       pt_dev_address(bl->dev), bl->driver, bl->rule,
					       c || maybe ? "; careful: it is " : "",
					       c     ? pt_critical_describe(c) :
					       maybe ? maybe :
						       "",
					       via ? " through " : "", via ? via : "");
		}
		for (size_t j = 0; j < pt_group_member_count(g); j++)
			text_device(out, host, pt_group_member(g, j), aliases);
	}
	for (size_t i = 0; i < pt_host_dev_count(host); i++) {
		const struct pt_dev *d = pt_host_dev(host, i);
		const char *why = pt_dev_group_unknown(d);

		if (pt_dev_props(d)->iommu_group >= 0 || why || pt_host_iommu_unknown(host))
			continue;
		if (!ungrouped)
			g_string_append(out, "\nDevices without an IOMMU group:\n");
		ungrouped = TRUE;
		text_device(out, host, d, aliases);
	}
	ungrouped = FALSE;
	for (size_t i = 0; i < pt_host_dev_count(host); i++) {
		const struct pt_dev *d = pt_host_dev(host, i);
		const char *why = pt_dev_group_unknown(d);

		if (pt_dev_props(d)->iommu_group >= 0 || !(why || pt_host_iommu_unknown(host)))
			continue;
		if (!ungrouped)
			g_string_append(out, "\nDevices whose IOMMU group is unknown:\n");
		ungrouped = TRUE;
		text_device(out, host, d, aliases);
		if (why)
			g_string_append_printf(out, "      group: unknown (%s)\n", why);
	}
	for (size_t i = 0; i < pt_host_finding_count(host); i++) {
		const struct pt_finding *f = pt_host_finding(host, i);

		g_string_append_printf(out, "%sWarning: %s [%s]\n", i == 0 ? "\n" : "", f->message,
				       f->rule);
	}
	return escape_lines(g_string_free(out, FALSE));
}

/* ---- output files ---- */

/*
 * The plan: a report or recording named on the command line is where the user wants the bytes,
 * whatever it is. A regular file (or a new one) is replaced atomically: a temporary file beside
 * it, written, fsync'ed, renamed over it, so that a crash leaves the old or the new file, never
 * half of one. Anything else (a terminal, a pipe, /dev/stdout, /dev/full) is opened and written
 * in place: renaming over a device node would replace it by a regular file (as root, /dev/full
 * would be gone). Symlinks are followed to the file they name, which is the one replaced; a link
 * through /proc (/dev/stdout is /proc/self/fd/1) is an open file of this process and is
 * appended to, as the shell's redirection expects.
 */

#define LINK_HOPS 40 /* the kernel's limit on nested symlinks */

/* Follow path's symlinks to the last name (existing or not). Returns 0, *ret_final (owned by
 * the caller), *ret_proc when a hop went through /proc; or -errno (ELOOP). */
static int follow_links(const char *path, char **ret_final, bool *ret_proc)
{
	g_autofree char *p = g_strdup(path);
	bool proc = false;

	for (int hop = 0; hop < LINK_HOPS; hop++) {
		g_autofree char *target = NULL;
		g_autofree char *dir = NULL;
		struct stat st;

		/* /proc's links (fd/1) name open files, maybe without a path (pipe:[4]): open
		 * them as they are. */
		proc |= g_str_has_prefix(p, "/proc/");
		if (proc || lstat(p, &st) < 0 || !S_ISLNK(st.st_mode)) {
			*ret_final = g_steal_pointer(&p);
			*ret_proc = proc;
			return 0;
		}
		target = g_file_read_link(p, NULL);
		if (!target)
			return -errno;
		dir = g_path_get_dirname(p);
		g_free(p);
		p = g_path_is_absolute(target) ? g_steal_pointer(&target) :
						 g_build_filename(dir, target, NULL);
	}
	return -ELOOP;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Not a regular file: write into it as it is. */
static int write_in_place(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (close(fd) < 0 && r == 0 && errno != EINTR)
		r = -errno;
	return r;
}

/* A regular file or a new one: temporary file, fsync, rename, fsync the directory. */
static int write_atomic(const char *final, const struct stat *old, const char *data, size_t len)
{
	g_autofree char *dir = g_path_get_dirname(final);
	g_autofree char *base = g_path_get_basename(final);
	g_autofree char *tmp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
	mode_t mask = umask(0);
	int fd, dfd, r;

	umask(mask);
	fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (r == 0 && fchmod(fd, old ? old->st_mode & 07777 : 0666 & ~mask) < 0)
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, final) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		/* The rename is durable once the directory is. */
		if (fsync(dfd) < 0 && errno != EINVAL)
			r = -errno;
		close(dfd);
	}
	return r;
}

int pth_write_file(const char *path, const char *data, size_t len, GError **error)
{
	g_autofree char *final = NULL;
	struct stat st;
	bool proc = false;
	int r;

	r = follow_links(path, &final, &proc);
	if (r == 0) {
		if (stat(final, &st) == 0)
			r = S_ISREG(st.st_mode) && !proc ? write_atomic(final, &st, data, len) :
							   write_in_place(final, data, len);
		else if (errno == ENOENT)
			r = write_atomic(final, NULL, data, len);
		else
			r = -errno;
	}
	if (r < 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r), "cannot write %s: %s",
			    path, g_strerror(-r));
		return r;
	}
	return 0;
}
