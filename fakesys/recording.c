/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The umockdev-record format: a linear parser into device blocks, and the model written back. */

/*
 * The format (umockdev's docs/script-format and src/umockdev.vala): device blocks separated
 * by blank lines, each opening with "P: /devices/...", then one line per fact:
 *   E: KEY=value        a uevent property
 *   A: name=value       a text attribute, escaped as g_strescape() does (\n, \\, \ooo)
 *   H: name=HEX         a binary attribute, hexadecimal (upper or lower case)
 *   L: name=target      a symbolic link, relative
 *   N: name[=HEX]       a device node (and its contents); S: a node's symlink
 * Each line is read once and each block handed over whole, so loading is linear in the size
 * of the file, where libumockdev's whole-file loader is quadratic.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "import.h"
#include "internal.h"

struct parse {
	const char *name;
	struct pt_error *err;
	struct fks_rec *rec; /* the block being read */
	unsigned start; /* its P: line */
	bool subsystem;
	GHashTable *names; /* the block's file names (A:, H:, L:), its entries' own; or empty */
	GHashTable *devpaths; /* devpath -> its P: line, all blocks */
	GArray *dirs; /* struct inner_dir: a name's directory part, checked at the end */
};

/* "devpath/dir" of a name with a directory part, and its line: it must not be a block. */
struct inner_dir {
	char *path;
	size_t devlen; /* the block's own devpath is path[0..devlen) */
	unsigned line;
};

/*
 * A recording is untrusted input: a name becomes a path below the device (in the model, and
 * below a testbed's root when exported for other programs). Each '/'-separated component is
 * non-empty, not "." or "..", at most NAME_MAX bytes; a name has at most FKS_NAME_DEPTH
 * levels. Returns NULL or why the name is refused.
 */
#define FKS_NAME_MAX 255
#define FKS_NAME_DEPTH 8
#define FKS_PATH_MAX 4095

static const char *bad_name(const char *s, size_t len, unsigned max_depth)
{
	unsigned depth = 0;

	if (len == 0)
		return "the name is empty";
	if (len > FKS_PATH_MAX)
		return "the name is longer than 4095 bytes";
	if (s[0] == '/')
		return "the name starts with '/'";
	for (size_t at = 0; at <= len;) {
		const char *c = s + at, *slash = memchr(c, '/', len - at);
		size_t n = slash ? (size_t)(slash - c) : len - at;

		if (n == 0)
			return "the name has an empty component ('//' or a trailing '/')";
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return "the name has a '.' or '..' component";
		if (n > FKS_NAME_MAX)
			return "a component of the name is longer than 255 bytes";
		if (memchr(c, '\0', n))
			return "the name holds a NUL byte";
		if (++depth > max_depth)
			return "the name is nested too deep";
		at += n + 1;
	}
	return NULL;
}

/* A link's target: relative, as sysfs links are, and of a length readlink() can return. */
static const char *bad_target(const char *s, size_t len)
{
	if (len == 0)
		return "the link has no target";
	if (len > FKS_PATH_MAX)
		return "the link target is longer than 4095 bytes";
	if (s[0] == '/')
		return "the link target is absolute (sysfs links are relative)";
	if (memchr(s, '\0', len))
		return "the link target holds a NUL byte";
	return NULL;
}

/* Hex digit values plus one, 0 for anything else: a config space is 8192 digits. */
static const uint8_t hexval[256] = {
	['0'] = 1,  ['1'] = 2,	['2'] = 3,  ['3'] = 4,	['4'] = 5,  ['5'] = 6,
	['6'] = 7,  ['7'] = 8,	['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12,
	['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ONES 0x0101010101010101ull

/* Each byte of v (all below 0x80) that is at least lo gets its top bit; the others 0. */
static inline uint64_t bytes_ge(uint64_t v, unsigned lo)
{
	return (v + ONES * (0x80 - lo)) & ONES * 0x80;
}

/*
 * Eight hex digits (a little-endian load) to four bytes at out, in SWAR: a config space is
 * 8192 digits, and a 500-device recording 4 million. Returns false on a non-digit.
 */
static bool unhex8(uint64_t v, char *out)
{
	uint64_t lower = v | ONES * 0x20, digit, alpha, n, t;
	uint32_t w;

	if (v & ONES * 0x80)
		return false;
	digit = bytes_ge(v, '0') & ~bytes_ge(v, '9' + 1);
	alpha = bytes_ge(lower, 'a') & ~bytes_ge(lower, 'f' + 1);
	if ((digit | alpha) != ONES * 0x80)
		return false;
	/* '0'-'9' and 'a'-'f'/'A'-'F' keep their value, or value - 9, in the low nibble. */
	n = (v & ONES * 0x0f) + (alpha >> 7) * 9;
	t = (n & 0x000f000f000f000full) << 4 | (n >> 8 & 0x000f000f000f000full);
	t = (t | t >> 8) & 0x0000ffff0000ffffull;
	w = (uint32_t)(t | t >> 16);
	memcpy(out, &w, 4);
	return true;
}
#endif

#ifdef __SSE2__
#include <emmintrin.h>

/* Sixteen hex digits to eight bytes at out, in SSE2 (every x86-64 has it): twice unhex8()'s
 * width, for the 4 million digits of a 500-device recording. Returns false on a non-digit. */
static bool unhex16(const char *s, char *out)
{
	__m128i v = _mm_loadu_si128((const __m128i *)s);
	__m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
	/* Signed compares: bytes from 0x80 are negative and fail both ranges. */
	__m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
				      _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
	__m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
				      _mm_cmplt_epi8(lower, _mm_set1_epi8('f' + 1)));
	__m128i val, pair;

	if (_mm_movemask_epi8(_mm_or_si128(digit, alpha)) != 0xffff)
		return false;
	/* '0'-'9' and 'a'-'f'/'A'-'F' keep their value, or value - 9, in the low nibble. */
	val = _mm_add_epi8(_mm_and_si128(v, _mm_set1_epi8(0x0f)),
			   _mm_and_si128(alpha, _mm_set1_epi8(9)));
	/* Each 16-bit lane holds the high digit in its low byte: (hi << 4) | lo. */
	pair = _mm_or_si128(_mm_and_si128(_mm_slli_epi16(val, 4), _mm_set1_epi16(0xf0)),
			    _mm_srli_epi16(val, 8));
	_mm_storel_epi64((__m128i *)out, _mm_packus_epi16(pair, pair));
	return true;
}
#endif

/* Returns the bytes (NUL-terminated, owned by the caller) or NULL for bad hex. */
static char *unhex(const char *s, size_t len, size_t *ret_len)
{
	size_t done = 0;
	char *out;

	if (len % 2)
		return NULL;
	out = g_malloc(len / 2 + 1);
#ifdef __SSE2__
	for (; done + 16 <= len; done += 16) {
		if (!unhex16(s + done, out + done / 2)) {
			g_free(out);
			return NULL;
		}
	}
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (; done + 8 <= len; done += 8) {
		uint64_t v;

		memcpy(&v, s + done, 8);
		if (!unhex8(v, out + done / 2)) {
			g_free(out);
			return NULL;
		}
	}
#endif
	for (size_t i = done; i < len; i += 2) {
		uint8_t hi = hexval[(uint8_t)s[i]], lo = hexval[(uint8_t)s[i + 1]];

		if (!hi || !lo) {
			g_free(out);
			return NULL;
		}
		out[i / 2] = (char)((hi - 1) << 4 | (lo - 1));
	}
	out[len / 2] = '\0';
	*ret_len = len / 2;
	return out;
}

static int end_block(struct parse *p, struct fks_loader *l)
{
	int r;

	if (!p->rec)
		return 0;
	if (!p->subsystem)
		return fks_set_error(p->err, -EINVAL, p->name, p->start,
				     "device block has no E: SUBSYSTEM= property");
	r = fks_loader_add(l, p->rec, p->start, p->err);
	p->rec = NULL;
	return r;
}

/* An E: line: a uevent property (KEY=value); DEVNAME as the uevent file has it. */
static int parse_env(struct parse *p, const char *v, size_t vlen, const char *eq, unsigned no)
{
	g_autofree char *val = NULL;

	if (!eq || eq == v)
		return fks_set_error(p->err, -EINVAL, p->name, no,
				     "expected key=value after 'E: '");
	val = g_strndup(v, vlen);
	if (g_str_has_prefix(val, "SUBSYSTEM=")) {
		if (p->subsystem)
			return fks_set_error(p->err, -EINVAL, p->name, no,
					     "duplicate SUBSYSTEM property");
		p->subsystem = true;
	}
	if (g_str_has_prefix(val, "DEVNAME=/dev/")) {
		/* udev's database names the node under /dev; the uevent file does not. */
		char *plain = g_strconcat("DEVNAME=", val + 13, NULL);

		g_free(val);
		val = plain;
	}
	g_ptr_array_add(p->rec->env, g_steal_pointer(&val));
	return 0;
}

/*
 * Whether the block has a file of that name already. A block has a dozen or two: they are
 * compared in turn; past NAMES_SCAN the names go into a set, so that a hostile block of a
 * million names stays linear (hashing each name of every block cost more than comparing).
 */
#define NAMES_SCAN 32

static bool name_given(struct parse *p, const char *key)
{
	const GPtrArray *e = p->rec->entries;

	if (!g_hash_table_size(p->names) && e->len <= NAMES_SCAN) {
		for (guint i = 0; i < e->len; i++)
			if (strcmp(((const struct fks_entry *)e->pdata[i])->name, key) == 0)
				return true;
		return false;
	}
	for (guint i = g_hash_table_size(p->names); i < e->len; i++)
		g_hash_table_add(p->names, ((struct fks_entry *)e->pdata[i])->name);
	return g_hash_table_contains(p->names, key);
}

/* An A: (attribute), L: (link) or H: (binary attribute) line of the device block. */
static int parse_attr(struct parse *p, char type, const char *v, size_t vlen, const char *eq,
		      unsigned no)
{
	g_autofree char *key = NULL;

	const char *why;

	if (!eq || eq == v)
		return fks_set_error(p->err, -EINVAL, p->name, no,
				     "expected key=value after '%c: '", type);
	why = bad_name(v, (size_t)(eq - v), FKS_NAME_DEPTH);
	if (why)
		return fks_set_error(p->err, -EINVAL, p->name, no, "'%.*s': %s",
				     (int)MIN((size_t)(eq - v), 60), v, why);
	key = g_strndup(v, (gsize)(eq - v));
	eq++;
	vlen -= (size_t)(eq - v);
	if (type == 'L' && (why = bad_target(eq, vlen)))
		return fks_set_error(p->err, -EINVAL, p->name, no, "link '%s': %s", key, why);
	if (type == 'L' && strcmp(key, "subsystem") == 0)
		return fks_set_error(p->err, -EINVAL, p->name, no,
				     "'L: subsystem' is not recorded: umockdev creates it");
	if (name_given(p, key))
		return fks_set_error(p->err, -EINVAL, p->name, no,
				     "'%s' is given twice in this block", key);
	if (strchr(key, '/')) {
		struct inner_dir d = { g_strdup_printf("%s/%s", p->rec->devpath, key),
				       strlen(p->rec->devpath), no };

		*strrchr(d.path, '/') = '\0';
		g_array_append_val(p->dirs, d);
	}
	if (type == 'A') {
		char *text = g_strndup(eq, vlen);
		const char *bs = memchr(text, '\\', vlen);

		/* Nearly every value's one escape is its trailing newline: undone in place. */
		if (bs && bs == text + vlen - 2 && text[vlen - 1] == 'n') {
			text[vlen - 2] = '\n';
			text[vlen - 1] = '\0';
		} else if (bs) {
			char *raw = text;

			text = g_strcompress(raw);
			g_free(raw);
		}
		fks_rec_add_owned(p->rec, g_steal_pointer(&key), false, text, strlen(text));
	} else if (type == 'H') {
		size_t blen;
		char *bin = unhex(eq, vlen, &blen);

		if (!bin)
			return fks_set_error(p->err, -EINVAL, p->name, no,
					     "binary attribute '%s' is not an even number "
					     "of hex digits (truncated?)",
					     key);
		fks_rec_add_owned(p->rec, g_steal_pointer(&key), false, bin, blen);
	} else {
		fks_rec_add(p->rec, key, true, eq, vlen);
	}
	/* The entry's own name, which the block keeps until the file is parsed. */
	if (g_hash_table_size(p->names))
		g_hash_table_add(
			p->names,
			((struct fks_entry *)p->rec->entries->pdata[p->rec->entries->len - 1])
				->name);
	return 0;
}

static int parse_line(struct parse *p, const char *line, size_t len, unsigned no)
{
	const char *eq, *v = line + 3;
	size_t vlen = len - 3;

	if (len < 3 || line[1] != ':' || line[2] != ' ')
		return fks_set_error(p->err, -EINVAL, p->name, no,
				     "expected \"T: value\", got '%.*s'", (int)MIN(len, 40), line);
	eq = memchr(v, '=', vlen);
	switch (line[0]) {
	case 'P':
		return fks_set_error(p->err, -EINVAL, p->name, no,
				     "P: line inside a device block (missing blank line?)");
	case 'S':
		return 0;
	case 'N': {
		const char *why = bad_name(v, eq ? (size_t)(eq - v) : vlen, FKS_NAME_DEPTH);

		/* Device nodes: PCI functions have none; the name is still checked. */
		if (why)
			return fks_set_error(p->err, -EINVAL, p->name, no, "device node: %s", why);
		return 0;
	}
	case 'E':
		return parse_env(p, v, vlen, eq, no);
	case 'A':
	case 'L':
	case 'H':
		return parse_attr(p, line[0], v, vlen, eq, no);
	default:
		return fks_set_error(p->err, -EINVAL, p->name, no, "unknown line type '%c'",
				     line[0]);
	}
}

/* A P: line: a devpath under /devices/ (checked by the caller), once in the file. */
static int start_block(struct parse *p, const char *path, size_t len, unsigned no)
{
	g_autofree char *dp = NULL;
	const char *why;
	gpointer first;

	while (len > 0 && path[len - 1] == '/')
		len--;
	why = bad_name(path, len, 64);
	if (why)
		return fks_set_error(p->err, -EINVAL, p->name, no, "device path: %s", why);
	dp = g_strndup(path, len);
	if (g_hash_table_lookup_extended(p->devpaths, dp, NULL, &first))
		return fks_set_error(p->err, -EINVAL, p->name, no,
				     "device /%s is described twice (first at line %u)", dp,
				     GPOINTER_TO_UINT(first));
	g_hash_table_insert(p->devpaths, g_strdup(dp), GUINT_TO_POINTER(no));
	p->rec = fks_rec_new(dp);
	p->start = no;
	p->subsystem = false;
	g_hash_table_remove_all(p->names);
	return 0;
}

/* No file of one block inside another block's device directory: the two would collide. */
static int check_dirs(struct parse *p)
{
	for (guint i = 0; i < p->dirs->len; i++) {
		const struct inner_dir *d = &g_array_index(p->dirs, struct inner_dir, i);
		g_autofree char *path = g_strdup(d->path);

		for (char *slash = path + strlen(path); (size_t)(slash - path) > d->devlen;
		     slash = strrchr(path, '/')) {
			gpointer line;

			*slash = '\0';
			if (g_hash_table_lookup_extended(p->devpaths, path, NULL, &line))
				return fks_set_error(p->err, -EINVAL, p->name, d->line,
						     "attribute lies inside device /%s, which has "
						     "its own block (line %u)",
						     path, GPOINTER_TO_UINT(line));
		}
	}
	return 0;
}

/*
 * A mapped recording: every 8 MiB parsed, the whole pages behind are given back. On a private
 * read-only file mapping MADV_DONTNEED only drops them from this process (a later read would
 * fault them in from the file again), so that a large recording is never resident whole
 * beside the model made of it: nothing of the text is kept, each line is copied as read.
 */
#define DROP_STEP ((size_t)8 << 20)

static void drop_read(const char **dropped, const char *upto, uintptr_t page)
{
	const char *end = (const char *)((uintptr_t)upto & ~(page - 1));

	if (end < *dropped || (size_t)(end - *dropped) < DROP_STEP)
		return;
	(void)madvise((void *)*dropped, (size_t)(end - *dropped), MADV_DONTNEED);
	*dropped = end;
}

int fks_recording_parse(const char *name, const char *text, size_t len, bool mapped,
			struct fks_loader *l, struct pt_error *err)
{
	struct parse p = { .name = name, .err = err };
	const char *s = text, *end = text + len;
	const char *dropped = text;
	unsigned no = 0, blocks = 0;
	int r = 0;

	/* A mapping starts on a page; anything else is not one. */
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

	mapped = mapped && (uintptr_t)text % page == 0;

	p.names = g_hash_table_new(g_str_hash, g_str_equal);
	p.devpaths = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	p.dirs = g_array_new(FALSE, FALSE, sizeof(struct inner_dir));
	while (s < end && r >= 0) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);

		no++;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n == 0) {
			r = end_block(&p, l);
		} else if (!p.rec) {
			if (n < 3 || strncmp(s, "P: ", 3) != 0) {
				r = fks_set_error(
					err, -EINVAL, name, no,
					"a device block must start with \"P: /devices/...\"");
			} else if (n < 12 || strncmp(s + 3, "/devices/", 9) != 0) {
				r = fks_set_error(err, -EINVAL, name, no,
						  "device path '%.*s' is not under /devices/",
						  (int)(n - 3), s + 3);
			} else {
				r = start_block(&p, s + 4, n - 4, no);
				blocks++;
			}
		} else {
			r = parse_line(&p, s, n, no);
		}
		s = nl ? nl + 1 : end;
		if (mapped)
			drop_read(&dropped, s, page);
	}
	if (r >= 0 && len > 0 && text[len - 1] != '\n')
		r = fks_set_error(
			err, -EINVAL, name, no,
			"the file ends inside this line: the recording is truncated "
			"(umockdev-record ends every line, and the file, with a newline)");
	if (r >= 0)
		r = end_block(&p, l);
	if (r >= 0)
		r = check_dirs(&p);
	if (r >= 0 && blocks == 0)
		r = fks_set_error(err, -EINVAL, name, 0,
				  "no device blocks: not a umockdev recording");
	for (guint i = 0; i < p.dirs->len; i++)
		g_free(g_array_index(p.dirs, struct inner_dir, i).path);
	g_array_free(p.dirs, TRUE);
	fks_rec_free(p.rec);
	g_hash_table_destroy(p.names);
	g_hash_table_destroy(p.devpaths);
	return r;
}

static int from_text(const char *name, const char *text, size_t len, bool mapped,
		     const struct fks_options *opts, struct fks_host **ret,
		     struct pt_error *ret_err)
{
	struct fks_loader *l;
	int r;

	fks_loader_new(name, &l);
	r = fks_recording_parse(name, text, len, mapped, l, ret_err);
	if (r >= 0)
		r = fks_loader_finish(l, opts, ret, ret_err);
	fks_loader_free(l);
	return r;
}

_public_ int fks_host_new_from_text(const char *name, const char *text, size_t len,
				    const struct fks_options *opts, struct fks_host **ret,
				    struct pt_error *ret_err)
{
	return from_text(name, text, len, false, opts, ret, ret_err);
}

_public_ int fks_host_new_from_mapping(const char *name, const char *text, size_t len,
				       const struct fks_options *opts, struct fks_host **ret,
				       struct pt_error *ret_err)
{
	return from_text(name, text, len, true, opts, ret, ret_err);
}

_public_ int fks_host_new_from_recording(const char *file, const struct fks_options *opts,
					 struct fks_host **ret, struct pt_error *ret_err)
{
	g_autoptr(GMappedFile) map = g_mapped_file_new(file, FALSE, NULL);
	const char *mapped = map ? g_mapped_file_get_contents(map) : NULL;
	g_autofree char *text = NULL;
	g_autoptr(GError) e = NULL;
	gsize len;

	/* Mapped, unless a paste (converted first) or a file that cannot be (empty, a pipe,
	 * none: reading it tells why). */
	if (mapped && !fks_import_is_paste(mapped, g_mapped_file_get_length(map)))
		return fks_host_new_from_mapping(file, mapped, g_mapped_file_get_length(map), opts,
						 ret, ret_err);
	if (!g_file_get_contents(file, &text, &len, &e))
		return fks_set_error(ret_err, e->code == G_FILE_ERROR_NOENT ? -ENOENT : -EIO, file,
				     0, "%s", e->message);
	if (fks_import_if_paste(file, &text, &len) < 0)
		return fks_set_error(ret_err, -ENODATA, file, 0, "no PCI device in the paste");
	return fks_host_new_from_text(file, text, len, opts, ret, ret_err);
}

_public_ unsigned fks_host_block_line(const struct fks_host *h, const char *path)
{
	g_autofree char *p = g_strdup(path);

	/* The longest block devpath that is path or a directory above it. */
	for (char *slash = p + strlen(p); h->block_lines; slash = strrchr(p, '/')) {
		gpointer line;

		*slash = '\0';
		if (g_hash_table_lookup_extended(h->block_lines, p, NULL, &line))
			return GPOINTER_TO_UINT(line);
		if (!strchr(p, '/'))
			break;
	}
	return 0;
}

/* ---- export ---- */

static bool printable(const struct fks_entry *e)
{
	for (size_t i = 0; i < e->len; i++) {
		unsigned char c = (unsigned char)e->data[i];

		if (c == 0 || (c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f)
			return false;
	}
	return true;
}

static void put_entry(GString *s, const char *name, const char *data, size_t len, bool link)
{
	struct fks_entry e = { (char *)name, link, (char *)data, len };

	if (link) {
		g_string_append_printf(s, "L: %s=%.*s\n", name, (int)len, data);
	} else if (printable(&e)) {
		g_autofree char *raw = g_strndup(data, len);
		g_autofree char *esc = g_strescape(raw, NULL);

		g_string_append_printf(s, "A: %s=%s\n", name, esc);
	} else {
		g_string_append_printf(s, "H: %s=", name);
		for (size_t i = 0; i < len; i++)
			g_string_append_printf(s, "%02X", (unsigned char)data[i]);
		g_string_append_c(s, '\n');
	}
}

static void put_rec(GString *s, const struct fks_rec *r, const char *devpath)
{
	g_string_append_printf(s, "P: /%s\n", devpath);
	for (guint i = 0; i < r->env->len; i++)
		g_string_append_printf(s, "E: %s\n", (const char *)r->env->pdata[i]);
	for (guint i = 0; i < r->entries->len; i++) {
		const struct fks_entry *e = r->entries->pdata[i];

		if (!(e->link && strcmp(e->name, "subsystem") == 0))
			put_entry(s, e->name, e->data, e->len, e->link);
	}
	g_string_append_c(s, '\n');
}

/* Files of one device directory, depth first; directories that are device blocks of their
 * own (a child, a device below a bridge) are written in their own block. */
static void put_files(GString *s, struct fks_host *h, struct fks_node *dir, size_t prefix,
		      GHashTable *blocks)
{
	char buf[8192];

	for (guint i = 0; i < dir->children->len; i++) {
		struct fks_node *c = dir->children->pdata[i];
		g_autofree char *full = fks_node_path(c);
		const char *rel = full + prefix;
		size_t len;

		if (c->kind == FKS_NODE_DIR) {
			if (!g_hash_table_contains(blocks, full))
				put_files(s, h, c, prefix, blocks);
			continue;
		}
		if (c->kind == FKS_NODE_LINK) {
			if (strcmp(rel, "subsystem") != 0)
				put_entry(s, rel, c->target, strlen(c->target), true);
			continue;
		}
		if (strcmp(rel, "config") == 0 || strcmp(rel, "uevent") == 0 ||
		    fks_view_read(h, c, buf, sizeof(buf), &len) < 0)
			continue;
		put_entry(s, rel, buf, len, false);
	}
}

/* The attributes the model owns, as a reader sees them now (through the view). */
static void put_dev(GString *s, struct fks_host *h, struct fks_dev *d, GHashTable *blocks)
{
	struct fks_node *dir = NULL;

	for (guint i = 0; i < d->children->len; i++) {
		const struct fks_rec *c = d->children->pdata[i];
		g_autofree char *p = g_strdup_printf("%s/%s", d->devpath, c->devpath);

		put_rec(s, c, p);
	}
	g_string_append_printf(s, "P: /%s\n", d->devpath);
	if (d->driver)
		g_string_append_printf(s, "E: DRIVER=%s\n", d->driver->name);
	/* The kernel's uevent, where the capture had config space to give its ids: a device
	 * captured without it (hwloc keeps vendor and device only) gets no invented class. */
	if (d->config_len)
		g_string_append_printf(
			s,
			"E: PCI_CLASS=%X\nE: PCI_ID=%04X:%04X\nE: PCI_SUBSYS_ID=%04X:%04X\n"
			"E: PCI_SLOT_NAME=%s\nE: MODALIAS=pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%"
			"02Xi%02X\n",
			d->class, d->cfg.vendor, d->cfg.device, d->cfg.subsystem_vendor,
			d->cfg.subsystem_device, d->addr, d->cfg.vendor, d->cfg.device,
			d->cfg.subsystem_vendor, d->cfg.subsystem_device, d->class >> 16,
			(d->class >> 8) & 0xff, d->class & 0xff);
	for (guint i = 0; i < d->rec->env->len; i++)
		g_string_append_printf(s, "E: %s\n", (const char *)d->rec->env->pdata[i]);
	g_string_append(s, "E: SUBSYSTEM=pci\n");
	if (fks_node_resolve(h->root[PT_NS_SYS], d->devpath, true, &dir) == 0)
		put_files(s, h, dir, strlen(d->devpath) + 1, blocks);
	/* Config last: the longest line; none when the capture had none. */
	if (d->config_len)
		g_string_append(s, "H: config=");
	/* As a reader sees it: a device that does not answer reads all ones. */
	for (size_t i = 0; i < d->config_len; i++)
		g_string_append_printf(s, "%02X", d->unresponsive ? 0xffu : (unsigned)d->config[i]);
	g_string_append(s, d->config_len ? "\n\n" : "\n");
}

/* A VFIO group's class device, as umockdev-record writes it (the node itself is not). */
static void put_vfio_group(GString *s, const struct fks_group *g)
{
	if (g->vfio_minor < 0)
		return;
	g_string_append_printf(s,
			       "P: /devices/virtual/vfio/%d\nE: DEVNAME=vfio/%d\nE: MAJOR=%u\n"
			       "E: MINOR=%d\nE: SUBSYSTEM=vfio\nA: dev=%u:%d\\n\n",
			       g->id, g->id, g->host->vfio_major, g->vfio_minor,
			       g->host->vfio_major, g->vfio_minor);
	for (guint i = 0; g->vfio_rec && i < g->vfio_rec->entries->len; i++) {
		const struct fks_entry *e = g->vfio_rec->entries->pdata[i];

		put_entry(s, e->name, e->data, e->len, e->link);
	}
	g_string_append_c(s, '\n');
}

/* The device paths that get a block of their own. */
static GHashTable *block_paths(const struct fks_host *h)
{
	GHashTable *b = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (guint i = 0; i < h->others->len; i++)
		g_hash_table_add(b, g_strdup(((struct fks_rec *)h->others->pdata[i])->devpath));
	for (guint i = 0; i < h->devs->len; i++) {
		const struct fks_dev *d = h->devs->pdata[i];

		if (d->removed)
			continue;
		g_hash_table_add(b, g_strdup(d->devpath));
		for (guint j = 0; j < d->children->len; j++)
			g_hash_table_add(
				b, g_strdup_printf(
					   "%s/%s", d->devpath,
					   ((struct fks_rec *)d->children->pdata[j])->devpath));
	}
	return b;
}

/* One id as new_id takes it: two fields when the rest is "any", else all seven. */
static void put_id(GString *s, const char *driver, const struct fks_id *id)
{
	g_string_append_printf(s, "%s %04x %04x", driver, id->vendor, id->device);
	if (id->subvendor != FKS_ANY_ID || id->subdevice != FKS_ANY_ID || id->class_mask ||
	    id->data)
		g_string_append_printf(s, " %x %x %x %x %lx", id->subvendor, id->subdevice,
				       id->class, id->class_mask, id->data);
	g_string_append(s, "\\n");
}

/*
 * What the drivers match, which no sysfs file shows: the static ids the model learned from
 * bound devices (so that nvme takes its device back after a reload) and the dynamic ids
 * written to new_id. The ids a driver's table entry implies (vfio-pci's override-only
 * entry, pcieport's class) are not written: they come back with the driver.
 */
static void put_driver_ids(GString *s, const struct fks_host *h)
{
	static const char *const keys[] = { "fakesys/driver_ids", "fakesys/new_ids" };

	for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
		size_t mark = s->len;

		g_string_append_printf(s, "A: %s=", keys[k]);
		for (guint i = 0; i < h->drivers->len; i++) {
			const struct fks_driver *drv = h->drivers->pdata[i];
			const GArray *ids = k == 0 ? drv->static_ids : drv->dyn_ids;

			for (guint j = 0; j < ids->len; j++) {
				const struct fks_id *id = &g_array_index(ids, struct fks_id, j);

				if (k == 0 && (id->override_only || id->class_mask))
					continue;
				put_id(s, drv->name, id);
			}
		}
		if (s->len == mark + strlen(keys[k]) + 4)
			g_string_truncate(s, mark); /* none: no line */
		else
			g_string_append_c(s, '\n');
	}
}

/* The VFs' config of a PF whose VFs the model removed: for VFs enabled after loading. */
static void put_vf_configs(GString *s, const struct fks_host *h)
{
	for (guint i = 0; i < h->devs->len; i++) {
		const struct fks_dev *d = h->devs->pdata[i];
		g_autofree char *n = NULL;
		const void *data;
		size_t len;

		if (!d->sriov || d->sriov->vfs->len || !d->sriov->vf_config || d->removed)
			continue;
		n = g_strdup_printf("fakesys/vf_config/%s", d->addr);
		data = g_bytes_get_data(d->sriov->vf_config, &len);
		put_entry(s, n, (const char *)data, len, false);
	}
}

/*
 * What the capture did not show, kept across an export: the model serves driver_override,
 * uevents and the drivers list whatever the capture held, so without this line a re-loaded
 * export would claim to show them. Written only for a capture that lacked something.
 */
static void put_capture(GString *s, const struct fks_capture *c)
{
	if (!c->imported && c->uevents && c->driver_override && c->iommu_shown && !c->iommu_on)
		return;
	g_string_append_printf(
		s, "A: fakesys/capture=%s%s%s%s%s\n", c->imported ? " imported" : "",
		c->uevents ? " uevents" : "", c->driver_override ? " driver_override" : "",
		c->iommu_shown ? " iommu_shown" : "", c->iommu_on ? " iommu_on" : "");
}

_public_ int fks_host_export_recording(const struct fks_host *ch, char **ret_text)
{
	struct fks_host *h = (struct fks_host *)ch; /* reads go through show handlers */
	g_autoptr(GHashTable) blocks = NULL;
	GString *s = g_string_new(NULL);

	fks_view_sync(h);
	blocks = block_paths(h);

	for (guint i = 0; i < h->others->len; i++) {
		const struct fks_rec *r = h->others->pdata[i];

		put_rec(s, r, r->devpath);
	}
	for (guint i = 0; i < h->groups->len; i++)
		put_vfio_group(s, h->groups->pdata[i]);
	for (guint i = 0; i < h->devs->len; i++) {
		struct fks_dev *d = h->devs->pdata[i];

		if (!d->removed)
			put_dev(s, h, d, blocks);
	}
	g_string_append(s, "P: /devices/virtual/ptharness/host\nE: SUBSYSTEM=ptharness\n");
	for (guint i = 0; i < h->proc->len; i++) {
		const struct fks_entry *e = h->proc->pdata[i];
		g_autofree char *n = g_strdup_printf("proc/%s", e->name);

		put_entry(s, n, e->data, e->len, false);
	}
	for (guint i = 0; i < h->modules->len; i++) {
		const struct fks_entry *e = h->modules->pdata[i];
		g_autofree char *n = g_strdup_printf("lib/modules/%s", e->name);

		put_entry(s, n, e->data, e->len, false);
	}
	if (h->kconfig)
		put_entry(s, "fakesys/kconfig", h->kconfig, strlen(h->kconfig), false);
	g_string_append_printf(
		s, "A: sys/bus/pci/drivers_autoprobe=%d\\n\nA: sys/bus/pci/drivers=", h->autoprobe);
	for (guint i = 0; i < h->drivers->len; i++)
		g_string_append_printf(s, "%s%s", i ? " " : "",
				       ((struct fks_driver *)h->drivers->pdata[i])->name);
	g_string_append_c(s, '\n');
	put_capture(s, &h->capture);
	put_driver_ids(s, h);
	put_vf_configs(s, h);
	for (guint i = 0; i < h->groups->len; i++) {
		const struct fks_group *g = h->groups->pdata[i];

		g_string_append_printf(s, "A: sys/kernel/iommu_groups/%d/devices=", g->id);
		for (guint j = 0; j < g->members->len; j++)
			g_string_append_printf(s, "%s%s", j ? " " : "",
					       ((struct fks_dev *)g->members->pdata[j])->addr);
		g_string_append_c(s, '\n');
		for (guint j = 0; g->rec && j < g->rec->entries->len; j++) {
			const struct fks_entry *e = g->rec->entries->pdata[j];
			g_autofree char *n =
				g_strdup_printf("sys/kernel/iommu_groups/%d/%s", g->id, e->name);

			put_entry(s, n, e->data, e->len, false);
		}
	}
	for (guint i = 0; i < h->extras->len; i++) {
		const struct fks_rec *r = h->extras->pdata[i];

		for (guint j = 0; j < r->entries->len; j++) {
			const struct fks_entry *e = r->entries->pdata[j];
			g_autofree char *n = g_strdup_printf("sys/%s/%s", r->devpath, e->name);

			put_entry(s, n, e->data, e->len, e->link);
		}
	}
	*ret_text = g_string_free(s, FALSE);
	return 0;
}
