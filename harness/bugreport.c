/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `record --bug-report`: the bundle's extra sections (kernel log, config, modules), redaction. */

/*
 * The plan: the bundle is a recording, so every command loads it as it is. What a recording
 * has no place for goes into its ptharness block under "bugreport/", which loaders ignore
 * (they take only sys/ and proc/ entries). Redaction works on the finished text: MAC
 * addresses anywhere, the values of "serial" attributes, the 8 bytes of a Device Serial
 * Number capability in a config space, and the host name wherever it appears.
 */

#include <errno.h>
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "bugreport.h"

#define BLOCK_START "P: /devices/virtual/ptharness/host\n"
#define REDACTED "REDACTED"

/* Kernel log lines a passthrough maintainer reads (case-insensitive substrings). */
static const char *const log_keys[] = {
	"iommu",
	"dmar",
	"amd-vi",
	"vfio",
	"acs",
	"remapping",
	"command line:",
	"linux version",
	"pci-dma",
	"smmu",
	"virtualization technology",
};

/* Kernel config options that decide IOMMU and VFIO behaviour. */
static const char *const config_keys[] = {
	"IOMMU",   "VFIO",    "DMAR",	   "IRQ_REMAP", "PCI_IOV",
	"PCI_ATS", "PCI_PRI", "PCI_PASID", "PCI_STUB",	"KVM",
};

static bool has_any(const char *line, const char *const *keys, size_t n, bool fold)
{
	g_autofree char *low = fold ? g_ascii_strdown(line, -1) : g_strdup(line);

	for (size_t i = 0; i < n; i++)
		if (strstr(low, keys[i]))
			return true;
	return false;
}

static char *kernel_log(void)
{
	g_autofree char *out = NULL, *err = NULL;
	g_autoptr(GError) e = NULL;
	g_autoptr(GString) s = g_string_new(NULL);
	const char *argv[] = { "dmesg", NULL };
	g_auto(GStrv) lines = NULL;
	int status = 0;

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
			  &status, &e))
		return g_strdup_printf("(unavailable: dmesg: %s)", e->message);
	if (!g_spawn_check_wait_status(status, NULL))
		return g_strdup_printf("(unavailable: dmesg: %s)", g_strstrip(err));
	lines = g_strsplit(out, "\n", -1);
	for (guint i = 0; lines[i]; i++)
		if (has_any(lines[i], log_keys, G_N_ELEMENTS(log_keys), true))
			g_string_append_printf(s, "%s\n", lines[i]);
	return g_string_free(g_steal_pointer(&s), FALSE);
}

/* /proc/config.gz through the backend, else /boot/config-RELEASE; filtered. */
static char *kernel_config(struct pt_backend *be)
{
	const size_t size = 4 << 20;
	g_autofree char *gz = g_malloc(size);
	g_autoptr(GString) s = g_string_new(NULL);
	g_autofree char *text = NULL, *path = NULL;
	g_auto(GStrv) lines = NULL;
	char rel[128] = "";
	size_t n = 0;

	if (pt_backend_read(be, PT_NS_PROC, "config.gz", gz, size, &n) >= 0 && n > 0) {
		g_autoptr(GConverter) z =
			G_CONVERTER(g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP));
		g_autoptr(GInputStream) raw =
			g_memory_input_stream_new_from_data(gz, (gssize)n, NULL);
		g_autoptr(GInputStream) in = g_converter_input_stream_new(raw, z);
		g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable();

		if (g_output_stream_splice(mem, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL,
					   NULL) >= 0)
			text = g_strndup(
				g_memory_output_stream_get_data(G_MEMORY_OUTPUT_STREAM(mem)),
				g_memory_output_stream_get_data_size(G_MEMORY_OUTPUT_STREAM(mem)));
	}
	if (!text &&
	    pt_backend_read_line(be, PT_NS_PROC, "sys/kernel/osrelease", rel, sizeof(rel)) >= 0) {
		path = g_strdup_printf("/boot/config-%s", rel);
		if (!g_file_get_contents(path, &text, NULL, NULL))
			return g_strdup_printf("(unavailable: no /proc/config.gz, no %s)", path);
	}
	if (!text)
		return g_strdup("(unavailable: no /proc/config.gz and no kernel release)");
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i]; i++)
		if (g_str_has_prefix(lines[i], "CONFIG_") &&
		    has_any(lines[i], config_keys, G_N_ELEMENTS(config_keys), false))
			g_string_append_printf(s, "%s\n", lines[i]);
	return g_string_free(g_steal_pointer(&s), FALSE);
}

static char *modules(struct pt_backend *be)
{
	const size_t size = 1 << 20;
	g_autofree char *buf = g_malloc(size);
	g_autoptr(GString) s = g_string_new(NULL);
	g_auto(GStrv) lines = NULL;
	size_t n = 0;
	int r = pt_backend_read(be, PT_NS_PROC, "modules", buf, size - 1, &n);

	if (r < 0)
		return g_strdup_printf("(unavailable: modules: %s)", g_strerror(-r));
	buf[n] = '\0';
	lines = g_strsplit(buf, "\n", -1);
	for (guint i = 0; lines[i]; i++)
		if (lines[i][0])
			g_string_append_printf(s, "%.*s\n", (int)strcspn(lines[i], " "), lines[i]);
	return g_string_free(g_steal_pointer(&s), FALSE);
}

static void put(GString *block, const char *name, const char *value)
{
	g_autofree char *esc = g_strescape(value, NULL);

	g_string_append_printf(block, "A: bugreport/%s=%s\n", name, esc);
}

/* ---- redaction ---- */

static bool is_mac_at(const char *s)
{
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !g_ascii_isxdigit(s[i]))
			return false;
	return !g_ascii_isxdigit(s[17]) && s[17] != ':';
}

static void redact_macs(GString *rec)
{
	for (gsize i = 0; i + 17 <= rec->len; i++)
		if ((i == 0 || (!g_ascii_isxdigit(rec->str[i - 1]) && rec->str[i - 1] != ':')) &&
		    is_mac_at(rec->str + i) &&
		    strncmp(rec->str + i, "ff:ff:ff:ff:ff:ff", 17) != 0 &&
		    strncmp(rec->str + i, "00:00:00:00:00:00", 17) != 0) {
			memcpy(rec->str + i, "XX:XX:XX:XX:XX:XX", 17);
			i += 16;
		}
}

/* "A: serial=...", "A: nvme0/serial=..." values. */
static void redact_serials(GString *rec)
{
	g_auto(GStrv) lines = g_strsplit(rec->str, "\n", -1);

	g_string_truncate(rec, 0);
	for (guint i = 0; lines[i]; i++) {
		const char *eq = strchr(lines[i], '=');

		if (g_str_has_prefix(lines[i], "A: ") && eq && eq - lines[i] >= 9 &&
		    strncmp(eq - 6, "serial", 6) == 0 && (eq[-7] == '/' || eq[-7] == ' '))
			g_string_append_printf(rec, "%.*s=" REDACTED "\\n", (int)(eq - lines[i]),
					       lines[i]);
		else
			g_string_append(rec, lines[i]);
		if (lines[i + 1])
			g_string_append_c(rec, '\n');
	}
}

/* The Device Serial Number capability (extended id 0x0003): its 8 bytes become zero. */
static void redact_dsn(GString *rec)
{
	for (char *h = strstr(rec->str, "H: config="); h; h = strstr(h + 1, "H: config=")) {
		char *hex = h + 10;
		size_t len = strcspn(hex, "\n") / 2;
		unsigned at = 0x100;

		for (unsigned n = 0; len >= 0x1000 && at >= 0x100 && at < 0xffc && n < 64; n++) {
			unsigned b[4];

			for (int k = 0; k < 4; k++)
				sscanf(hex + 2 * (at + k), "%2x", &b[k]);
			if ((b[0] | b[1] << 8) == 0x0003 && at + 12 <= len)
				memset(hex + 2 * (at + 4), '0', 16);
			at = (b[2] | b[3] << 8) >> 4;
		}
	}
}

static void redact_word(GString *rec, const char *word)
{
	g_autofree char *esc = g_regex_escape_string(word, -1);
	g_autofree char *pat = g_strdup_printf("\\b%s\\b", esc);
	g_autoptr(GRegex) re = g_regex_new(pat, 0, 0, NULL);
	g_autofree char *out =
		re ? g_regex_replace_literal(re, rec->str, -1, 0, "REDACTED-HOST", 0, NULL) : NULL;

	if (out)
		g_string_assign(rec, out);
}

void pth_bugreport_redact(GString *rec, const char *hostname)
{
	redact_macs(rec);
	redact_serials(rec);
	redact_dsn(rec);
	if (hostname && strlen(hostname) >= 3 && strcmp(hostname, "localhost") != 0)
		redact_word(rec, hostname);
}

int pth_bugreport_complete(struct pt_backend *be, bool live, bool redact, GString *rec,
			   GError **error)
{
	g_autoptr(GString) block = g_string_new(NULL);
	g_autofree char *log = NULL, *config = NULL, *mods = NULL;
	char host[256] = "";
	char *start = strstr(rec->str, BLOCK_START), *end;

	if (!start || !(end = strstr(start, "\n\n"))) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "the recording has no ptharness block to complete");
		return -EINVAL;
	}
	log = live ? kernel_log() : g_strdup("(unavailable: the host is not the live machine)");
	config = live ? kernel_config(be) :
			g_strdup("(unavailable: the host is not the live machine)");
	mods = modules(be);
	put(block, "kernel_log", log);
	put(block, "kernel_config", config);
	put(block, "modules", mods);
	put(block, "redacted",
	    redact ? "serial numbers, MAC addresses, host name" : "nothing (--no-redact)");
	g_string_insert(rec, end + 1 - rec->str, block->str);
	if (redact) {
		if (pt_backend_read_line(be, PT_NS_PROC, "sys/kernel/hostname", host,
					 sizeof(host)) < 0)
			host[0] = '\0';
		pth_bugreport_redact(rec, host[0] ? host : NULL);
	}
	return 0;
}
