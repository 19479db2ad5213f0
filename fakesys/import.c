/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Importing pasted text: line cleaning, the table of format parsers, and the merged model. */

/*
 * The plan: a paste mixes formats (a group listing, then "lspci -nnk", then dmesg lines, with
 * shell prompts and markdown between), so formats are detected per line, not per file. Each
 * line is cleaned of what a paste adds (CR, a markdown fence or quote, a diff's '+', a shell
 * prompt, a dmesg timestamp), then offered to the parsers in the table below; the first that
 * uses it wins. Parsers share a little context (the device the last device line named, the
 * group a listing is in), which a prompt line or a fence resets. Facts land in one device
 * table for all files; a second file that says otherwise is a conflict, reported, and the
 * fact becomes unknown.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import-internal.h"
#include "macro.h"

/*
 * Order matters where formats overlap: group listings and `ls -l` lines before the device
 * line parser (they hold addresses too), dpdk-devbind before lspci (its lines start with an
 * address), hex rows before lspci details (a row is indented under its device), the kernel
 * command line last (its test is the loosest).
 */
static const struct fks_imp_parser *const parsers[] = {
	&fks_imp_groups, &fks_imp_ls,	 &fks_imp_devbind,	&fks_imp_dmesg,	  &fks_imp_vmm,
	&fks_imp_hex,	 &fks_imp_lspci, &fks_imp_lspci_detail, &fks_imp_cmdline, &fks_imp_tree,
};

_public_ int fks_import_only(struct fks_import *imp, const char *parser)
{
	imp->only = NULL;
	if (!parser)
		return 0;
	for (size_t p = 0; p < G_N_ELEMENTS(parsers); p++)
		if (strcmp(parsers[p]->name, parser) == 0) {
			imp->only = parsers[p];
			return 0;
		}
	return -ENOENT;
}

_public_ const char *fks_import_parser_name(unsigned i)
{
	return i < G_N_ELEMENTS(parsers) ? parsers[i]->name : NULL;
}

static void dev_free(gpointer p)
{
	struct fks_imp_dev *d = p;

	g_free(d->driver);
	g_free(d->modules);
	g_free(d->devpath);
	g_free(d->config);
	g_free(d);
}

_public_ int fks_import_new(struct fks_import **ret)
{
	struct fks_import *imp = g_new0(struct fks_import, 1);

	imp->devs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, dev_free);
	imp->files = g_ptr_array_new_with_free_func(g_free);
	imp->messages = g_ptr_array_new_with_free_func(g_free);
	imp->new_ids = g_ptr_array_new_with_free_func(g_free);
	imp->iommus = g_ptr_array_new_with_free_func(g_free);
	imp->cur_group = -1;
	imp->section_class = -1;
	*ret = imp;
	return 0;
}

_public_ struct fks_import *fks_import_free(struct fks_import *imp)
{
	if (!imp)
		return NULL;
	g_hash_table_unref(imp->devs);
	g_ptr_array_free(imp->files, TRUE);
	g_ptr_array_free(imp->messages, TRUE);
	g_ptr_array_free(imp->new_ids, TRUE);
	g_ptr_array_free(imp->iommus, TRUE);
	g_free(imp->cmdline);
	g_free(imp->osrelease);
	g_free(imp);
	return NULL;
}

void fks_imp_message(struct fks_import *imp, const struct fks_imp_line *ln, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(imp->messages, g_strdup_printf("%s:%u: %s", ln->file, ln->no, msg));
}

struct fks_imp_dev *fks_imp_dev_find(const struct fks_import *imp, const char *addr)
{
	char norm[FKS_IMP_ADDR];

	if (!addr || fks_imp_parse_addr(addr, norm) != strlen(addr))
		return NULL;
	return g_hash_table_lookup(imp->devs, norm);
}

struct fks_imp_dev *fks_imp_dev_get(struct fks_import *imp, const char *addr)
{
	struct fks_imp_dev *d = g_hash_table_lookup(imp->devs, addr);

	if (d)
		return d;
	d = g_new0(struct fks_imp_dev, 1);
	g_strlcpy(d->addr, addr, sizeof(d->addr));
	d->vendor = d->device = d->subvendor = d->subdevice = -1;
	d->class = d->revision = d->group = -1;
	d->secondary = d->subordinate = -1;
	d->flr = FKS_IMP_UNKNOWN;
	d->acs_cap = d->acs_ctrl = -1;
	d->sriov_total = d->sriov_num = d->sriov_offset = d->sriov_stride = -1;
	d->sriov_vf_device = -1;
	g_hash_table_insert(imp->devs, d->addr, d);
	return d;
}

void fks_imp_set_group(struct fks_import *imp, struct fks_imp_dev *d, int group,
		       const struct fks_imp_line *ln)
{
	if (d->group_conflict)
		return;
	if (d->group >= 0 && d->group != group) {
		fks_imp_message(imp, ln,
				"conflict: %s is in IOMMU group %d here and in group %d at %s:%u; "
				"its group is unknown",
				d->addr, group, d->group, d->group_at.file, d->group_at.line);
		d->group_conflict = true;
		d->group = -1;
		return;
	}
	if (d->group < 0) {
		d->group_at = (struct fks_imp_at){ ln->file, ln->no };
		d->group = group;
	}
}

void fks_imp_set_driver(struct fks_import *imp, struct fks_imp_dev *d, const char *driver,
			const struct fks_imp_line *ln)
{
	if (d->driver_conflict)
		return;
	if (d->driver && strcmp(d->driver, driver) != 0) {
		fks_imp_message(imp, ln,
				"conflict: %s is on driver %s here and on %s at %s:%u; its driver "
				"is unknown",
				d->addr, driver, d->driver, d->driver_at.file, d->driver_at.line);
		d->driver_conflict = true;
		g_clear_pointer(&d->driver, g_free);
		return;
	}
	if (!d->driver) {
		d->driver_at = (struct fks_imp_at){ ln->file, ln->no };
		d->driver = g_strdup(driver);
	}
}

void fks_imp_set_int(struct fks_import *imp, struct fks_imp_dev *d, int *field, int v,
		     const char *what, const struct fks_imp_line *ln)
{
	if (v < 0)
		return;
	if (*field >= 0 && *field != v) {
		fks_imp_message(imp, ln, "conflict: %s %s is %x here, %x before; kept %x", d->addr,
				what, (unsigned)v, (unsigned)*field, (unsigned)*field);
		return;
	}
	*field = v;
}

int fks_imp_hexn(const char *s, unsigned n)
{
	int v = 0;

	for (unsigned i = 0; i < n; i++) {
		if (!g_ascii_isxdigit(s[i]))
			return -1;
		v = v << 4 | g_ascii_xdigit_value(s[i]);
	}
	return v;
}

size_t fks_imp_parse_addr(const char *s, char ret[FKS_IMP_ADDR])
{
	unsigned long dom = 0;
	const char *p = s;
	size_t nd = 0;
	int bus, slot, fn;

	/* An optional domain: 1 to 8 hex digits and ':' followed by BB:DD.F. */
	while (g_ascii_isxdigit(p[nd]) && nd < 9)
		nd++;
	if (nd >= 1 && nd <= 8 && p[nd] == ':' && g_ascii_isxdigit(p[nd + 1]) &&
	    g_ascii_isxdigit(p[nd + 2]) && p[nd + 3] == ':') {
		dom = strtoul(p, NULL, 16);
		p += nd + 1;
	}
	/* "BB:DD.F": 7 characters, each checked before the next is read. */
	if (strnlen(p, 7) < 7)
		return 0;
	bus = fks_imp_hexn(p, 2);
	slot = p[2] == ':' ? fks_imp_hexn(p + 3, 2) : -1;
	if (bus < 0 || slot < 0 || slot > 0x1f || p[5] != '.' || p[6] < '0' || p[6] > '7' ||
	    g_ascii_isalnum(p[7]))
		return 0;
	fn = p[6] - '0';
	snprintf(ret, FKS_IMP_ADDR, "%04lx:%02x:%02x.%x", dom, (unsigned)bus, (unsigned)slot,
		 (unsigned)fn);
	return (size_t)(p + 7 - s);
}

bool fks_imp_find_ids(const char *s, int *ret_vendor, int *ret_device)
{
	bool found = false;

	for (const char *b = strchr(s, '['); b; b = strchr(b + 1, '[')) {
		int v, dv;

		if (strnlen(b, 11) < 11)
			break;
		v = fks_imp_hexn(b + 1, 4);
		dv = b[5] == ':' ? fks_imp_hexn(b + 6, 4) : -1;
		if (v >= 0 && dv >= 0 && b[10] == ']') {
			*ret_vendor = v;
			*ret_device = dv;
			found = true;
		}
	}
	return found;
}

/* lspci's class names (pci.ids "C" lines as lspci prints them), base << 8 | sub. */
static const struct {
	const char *name;
	int code;
} class_names[] = {
	{ "Non-VGA unclassified device", 0x0000 },
	{ "VGA compatible unclassified device", 0x0001 },
	{ "SCSI storage controller", 0x0100 },
	{ "IDE interface", 0x0101 },
	{ "RAID bus controller", 0x0104 },
	{ "SATA controller", 0x0106 },
	{ "Serial Attached SCSI controller", 0x0107 },
	{ "Non-Volatile memory controller", 0x0108 },
	{ "Mass storage controller", 0x0180 },
	{ "Ethernet controller", 0x0200 },
	{ "Network controller", 0x0280 },
	{ "Infiniband controller", 0x0207 },
	{ "VGA compatible controller", 0x0300 },
	{ "XGA compatible controller", 0x0301 },
	{ "3D controller", 0x0302 },
	{ "Display controller", 0x0380 },
	{ "Multimedia video controller", 0x0400 },
	{ "Multimedia audio controller", 0x0401 },
	{ "Audio device", 0x0403 },
	{ "Multimedia controller", 0x0480 },
	{ "RAM memory", 0x0500 },
	{ "Memory controller", 0x0580 },
	{ "Host bridge", 0x0600 },
	{ "ISA bridge", 0x0601 },
	{ "PCI bridge", 0x0604 },
	{ "CardBus bridge", 0x0607 },
	{ "Bridge", 0x0680 },
	{ "Communication controller", 0x0780 },
	{ "Serial controller", 0x0700 },
	{ "System peripheral", 0x0880 },
	{ "IOMMU", 0x0806 },
	{ "PIC", 0x0800 },
	{ "SD Host controller", 0x0805 },
	{ "Performance counters", 0x1101 },
	{ "Signal processing controller", 0x1180 },
	{ "Encryption controller", 0x1000 },
	{ "USB controller", 0x0c03 },
	{ "SMBus", 0x0c05 },
	{ "Serial bus controller", 0x0c80 },
	{ "FireWire (IEEE 1394)", 0x0c00 },
	{ "Processing accelerators", 0x1200 },
	{ "Unassigned class", 0xff00 },
};

int fks_imp_class_by_name(const char *s, size_t len)
{
	for (size_t i = 0; i < G_N_ELEMENTS(class_names); i++)
		if (strlen(class_names[i].name) == len &&
		    g_ascii_strncasecmp(class_names[i].name, s, len) == 0)
			return class_names[i].code;
	return -1;
}

static int le16(const uint8_t *c, size_t at)
{
	return c[at] | c[at + 1] << 8;
}

void fks_imp_from_config(struct fks_import *imp, struct fks_imp_dev *d,
			 const struct fks_imp_line *ln)
{
	const uint8_t *c = d->config;

	if (d->config_len < 64)
		return;
	fks_imp_set_int(imp, d, &d->vendor, le16(c, 0), "vendor", ln);
	fks_imp_set_int(imp, d, &d->device, le16(c, 2), "device", ln);
	fks_imp_set_int(imp, d, &d->revision, c[8], "revision", ln);
	d->class = c[11] << 16 | c[10] << 8 | c[9];
	d->class_progif_known = true;
	if ((c[14] & 0x7f) == 1) {
		d->secondary = c[0x19];
		d->subordinate = c[0x1a];
	} else if ((c[14] & 0x7f) == 0) {
		fks_imp_set_int(imp, d, &d->subvendor, le16(c, 0x2c), "subsystem vendor", ln);
		fks_imp_set_int(imp, d, &d->subdevice, le16(c, 0x2e), "subsystem device", ln);
	}
}

/* ---- line cleaning ---- */

/* "[    0.551524] " or "[Mon Dec  2 10:00:00 2026] " (dmesg -T). */
static const char *skip_timestamp(const char *s)
{
	const char *e;

	if (s[0] != '[' || !(e = strchr(s, ']')) || e - s > 40)
		return NULL;
	for (const char *p = s + 1; p < e; p++)
		if (!g_ascii_isdigit(*p) && *p != '.' && *p != ' ' && *p != ':' &&
		    !g_ascii_isalpha(*p))
			return NULL;
	if (!g_ascii_isdigit(e[-1]))
		return NULL;
	return e + 1 + (e[1] == ' ');
}

/* journalctl's "Dec 02 10:00:00 host kernel: " prefix. */
static const char *skip_journal(const char *s)
{
	const char *k = strstr(s, " kernel: ");

	if (!k || k - s > 64 || !g_ascii_isalpha(s[0]) || s[3] != ' ' || !strchr(s, ':'))
		return NULL;
	return k + strlen(" kernel: ");
}

/*
 * A shell prompt: "$ cmd", "# cmd" (root), "user@host:~$ cmd", "[root@host ~]# cmd",
 * "root@pve:~# cmd". Returns the command, or NULL when the line is not a prompt.
 */
static const char *skip_prompt(const char *s)
{
	const char *p;

	if ((s[0] == '$' || s[0] == '#') && s[1] == ' ')
		return s + 2;
	for (p = s; *p && p - s < 80; p++) {
		if ((*p == '$' || *p == '#') && (p[1] == ' ' || p[1] == '\0') && p > s) {
			/* What precedes looks like user@host[:path] or [user@host dir]. */
			const char *at = memchr(s, '@', (size_t)(p - s));

			if (at && at > s && !memchr(s, ' ', (size_t)(at - s)))
				return p[1] ? p + 2 : p + 1;
			return NULL;
		}
		if (*p == ' ' && s[0] != '[' && !memchr(s, '@', (size_t)(p - s)))
			return NULL;
	}
	return NULL;
}

/* Commands people paste without a prompt before their output ("lspci -nnk", "sudo dmesg |
 * grep -i iommu", the group loop's "for g in ..."): a new command's output starts. */
static const char *const commands[] = {
	"lspci",
	"sudo",
	"dmesg",
	"journalctl",
	"cat",
	"find",
	"ls",
	"for",
	"do",
	"done",
	"echo",
	"grep",
	"shopt",
	"./",
	"bash",
	"sh",
	"dpdk-devbind.py",
	"dpdk-devbind",
	"uname",
	"lsmod",
	"ptharness",
};

static bool is_command(const char *s)
{
	size_t n = strcspn(s, " \t");

	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		if ((n == strlen(commands[i]) && strncmp(s, commands[i], n) == 0) ||
		    (strcmp(commands[i], "./") == 0 && g_str_has_prefix(s, "./")))
			return s[n] == '\0' || s[n] == ' ';
	return false;
}

/* Length of an HTML tag at s ("<pre>", "</code>", "<br>", "<details>"), 0 when none. */
static size_t html_tag(const char *s)
{
	size_t n;

	if (s[0] != '<')
		return 0;
	n = 1 + (s[1] == '/');
	while (g_ascii_isalpha(s[n]) && n < 12)
		n++;
	return s[n] == '>' && n > 1 + (s[1] == '/') ? n + 1 : 0;
}

/* Take HTML tags a forum or an issue left around the text off both ends. */
static char *strip_html(char *s)
{
	size_t n;

	while ((n = html_tag(s)))
		s += n;
	for (n = strlen(s); n > 2;) {
		char *lt = strrchr(s, '<');

		if (!lt || html_tag(lt) != (size_t)(s + n - lt))
			break;
		*lt = '\0';
		n = (size_t)(lt - s);
	}
	return s;
}

static unsigned indent_of(const char *s)
{
	unsigned n = 0;

	for (; *s == ' ' || *s == '\t'; s++)
		n += *s == '\t' ? 8 : 1;
	return n;
}

/* A prompt, a fence or a file's end: what follows belongs to no earlier device or group. */
static void reset_context(struct fks_import *imp)
{
	imp->cur = NULL;
	imp->cur_group = -1;
	imp->group_indent_set = false;
	imp->section_class = -1;
	imp->in_vmm = false;
	imp->tree_depth = 0;
}

static bool is_diff(char **lines)
{
	for (guint i = 0; lines[i] && i < 4000; i++)
		if (g_str_has_prefix(lines[i], "@@ ") || g_str_has_prefix(lines[i], "```diff") ||
		    g_str_has_prefix(lines[i], "+++ "))
			return true;
	return false;
}

/* Clean one raw line; false when nothing is left to parse (it was used up here). */
static bool clean(struct fks_import *imp, char *raw, bool diff, struct fks_imp_line *ln)
{
	char *s = raw;
	const char *t;
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	/* A markdown quote, then a diff's prefix: "+" (or "-" when the paste is a diff). */
	while (s[0] == '>' && (s[1] == ' ' || s[1] == '\0'))
		s += s[1] ? 2 : 1;
	if ((s[0] == '+' && s[1] != '-' && s[1] != '+') || (diff && s[0] == '-' && s[1] != '-'))
		s++;
	ln->text = NULL;
	{
		const char *q = s;

		while (*q == ' ' || *q == '\t')
			q++;
		if (g_str_has_prefix(q, "```") || g_str_has_prefix(q, "~~~")) {
			reset_context(imp);
			return false;
		}
	}
	ln->kernel = false;
	if ((t = skip_timestamp(s)) || (t = skip_journal(s))) {
		ln->kernel = true;
		s = (char *)t;
	} else if ((t = skip_prompt(s))) {
		reset_context(imp);
		return false;
	}
	ln->indent = indent_of(s);
	ln->text = g_strstrip(strip_html(s + strspn(s, " \t")));
	/* `inline code` around a whole line (or opened on it and closed later). */
	n = strlen(ln->text);
	if (n > 1 && ln->text[0] == '`' && ln->text[1] != '`') {
		if (ln->text[n - 1] == '`')
			ln->text[n - 1] = '\0';
		ln->text = g_strstrip(ln->text + 1);
		if (skip_prompt(ln->text)) {
			reset_context(imp);
			return false;
		}
	} else if (n > 1 && ln->text[n - 1] == '`' && ln->text[n - 2] != '`') {
		ln->text[n - 1] = '\0';
		g_strchomp(ln->text);
	}
	if (!ln->kernel && is_command(ln->text)) {
		reset_context(imp);
		return false;
	}
	if (!ln->text[0] && imp->in_vmm)
		imp->in_vmm = false;
	return ln->text[0] != '\0';
}

_public_ int fks_import_add_text(struct fks_import *imp, const char *name, const char *text,
				 size_t len)
{
	g_autofree char *copy = len ? g_strndup(text, len) : g_strdup("");
	g_auto(GStrv) lines = NULL;
	const char *file;
	bool diff;

	/* NUL bytes end a line's text early; they cannot crash the parsers. */
	g_ptr_array_add(imp->files, g_strdup(name));
	file = imp->files->pdata[imp->files->len - 1];
	lines = g_strsplit(copy, "\n", -1);
	diff = is_diff(lines);
	reset_context(imp);
	for (guint i = 0; lines[i]; i++) {
		struct fks_imp_line ln = { .file = file, .no = i + 1 };
		bool used = false;

		if (!lines[i + 1] && !lines[i][0])
			break; /* the final newline */
		imp->lines++;
		if (!clean(imp, lines[i], diff, &ln))
			continue;
		for (size_t p = 0; p < G_N_ELEMENTS(parsers) && !used; p++)
			used = (!imp->only || imp->only == parsers[p]) &&
			       parsers[p]->line(imp, &ln);
		if (!used) {
			fks_imp_message(imp, &ln, "not used: %.72s%s", ln.text,
					strlen(ln.text) > 72 ? "..." : "");
			imp->cur = NULL;
		}
	}
	reset_context(imp);
	return 0;
}

_public_ unsigned fks_import_n_messages(const struct fks_import *imp)
{
	return imp->messages->len;
}

_public_ const char *fks_import_message(const struct fks_import *imp, unsigned i)
{
	return i < imp->messages->len ? imp->messages->pdata[i] : NULL;
}

_public_ unsigned fks_import_lines_read(const struct fks_import *imp)
{
	return imp->lines;
}

_public_ unsigned fks_import_lines_ignored(const struct fks_import *imp)
{
	return imp->ignored;
}

_public_ bool fks_import_acs_override(const struct fks_import *imp)
{
	return imp->acs_override;
}

_public_ int fks_import_dev_count(const struct fks_import *imp)
{
	return (int)g_hash_table_size(imp->devs);
}

_public_ int fks_import_dev_group(const struct fks_import *imp, const char *address, int *ret_group)
{
	const struct fks_imp_dev *d = fks_imp_dev_find(imp, address);

	if (!d)
		return -ENOENT;
	*ret_group = d->group;
	return 0;
}

_public_ int fks_import_dev_driver(const struct fks_import *imp, const char *address,
				   const char **ret_driver)
{
	const struct fks_imp_dev *d = fks_imp_dev_find(imp, address);

	if (!d)
		return -ENOENT;
	*ret_driver = d->driver;
	return 0;
}

_public_ int fks_import_dev_config_len(const struct fks_import *imp, const char *address,
				       size_t *ret_len)
{
	const struct fks_imp_dev *d = fks_imp_dev_find(imp, address);

	if (!d)
		return -ENOENT;
	*ret_len = d->config_len >= 64 ? d->config_len : 0;
	return 0;
}

_public_ int fks_import_recording(const struct fks_import *imp, char **ret_text)
{
	if (g_hash_table_size(imp->devs) == 0)
		return -ENODATA;
	return fks_imp_write(imp, ret_text);
}

_public_ bool fks_import_is_paste(const char *text, size_t len)
{
	g_autoptr(GString) head = g_string_new(NULL);
	struct fks_import *imp;
	bool paste;
	size_t i = 0;

	/* A recording's first non-blank line is "P: ". */
	while (i < len && (text[i] == '\n' || text[i] == ' ' || text[i] == '\r' || text[i] == '\t'))
		i++;
	if (i + 3 <= len && memcmp(text + i, "P: ", 3) == 0)
		return false;
	if (i >= len)
		return false;
	/* The first 64 KiB decide. */
	g_string_append_len(head, text, (gssize)MIN(len, (size_t)65536));
	fks_import_new(&imp);
	fks_import_add_text(imp, "", head->str, head->len);
	paste = imp->lines > imp->messages->len || g_hash_table_size(imp->devs) > 0;
	fks_import_free(imp);
	return paste;
}

_public_ int fks_import_if_paste(const char *name, char **text, size_t *len)
{
	struct fks_import *imp;
	char *rec = NULL;
	int r;

	if (!fks_import_is_paste(*text, *len))
		return 0;
	fks_import_new(&imp);
	fks_import_add_text(imp, name, *text, *len);
	r = fks_import_recording(imp, &rec);
	fks_import_free(imp);
	if (r < 0)
		return r;
	g_free(*text);
	*text = rec;
	*len = strlen(rec);
	return 1;
}
