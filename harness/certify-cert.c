/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* certify: the certificate (JSON, with JUnit and HTML from the report writers). */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>

#include "certify-internal.h"
#include "commands.h"
#include "output.h"

/* ---- the certificate ---- */

static char *read_text(struct cert *c, enum pt_ns ns, const char *path)
{
	char buf[4096];

	if (pt_backend_read_line(c->s.be, ns, path, buf, sizeof(buf)) < 0)
		return NULL;
	return g_strdup(buf);
}

static void add_str(JsonBuilder *b, const char *name, const char *v)
{
	json_builder_set_member_name(b, name);
	v ? json_builder_add_string_value(b, v) : json_builder_add_null_value(b);
}

static void set_str(JsonObject *o, const char *name, const char *v)
{
	if (v && *v)
		json_object_set_string_member(o, name, v);
	else
		json_object_set_null_member(o, name);
}

/* The DUT as inspect --json shows it (ids, subsystem ids, class, driver, group, resets), with
 * the names from pci.ids, the driver's version and the unit. */
static void dut_to_json(struct cert *c, JsonBuilder *b, const struct pth_cert_identity *id,
			JsonNode *host_view)
{
	JsonArray *devs = json_object_get_array_member(json_node_get_object(host_view), "devices");
	JsonNode *dut = NULL;
	JsonArray *unit = json_array_new();
	JsonObject *o;

	for (guint i = 0; !dut && i < json_array_get_length(devs); i++) {
		JsonObject *d = json_array_get_object_element(devs, i);

		if (strcmp(json_object_get_string_member(d, "address"), c->dut) == 0)
			dut = json_node_copy(json_array_get_element(devs, i));
	}
	o = json_node_get_object(dut);
	set_str(o, "vendor_name", id->vendor_name);
	set_str(o, "device_name", id->device_name);
	set_str(o, "subsystem_vendor_name", id->subvendor_name);
	set_str(o, "driver_version", id->driver_version);
	set_str(o, "firmware", id->firmware);
	set_str(o, "firmware_file", id->firmware_file);
	set_str(o, "model", id->model);
	for (guint i = 0; i < c->unit->len; i++)
		json_array_add_string_element(unit, c->unit->pdata[i]);
	json_object_set_array_member(o, "unit", unit);
	json_builder_set_member_name(b, "dut");
	json_builder_add_value(b, dut);
}

/*
 * Where sysfs shows a device's firmware version, in the order tried. The kernel has no
 * generic attribute: a few drivers add one. An NVMe controller's class device (a child of the
 * PCI device) shows the Identify Controller strings, space-padded to their field widths
 * (nvme_show_str_function() in drivers/nvme/host/core.c; sysfs.c since 6.8); its serial
 * identifies the unit and is never read. amdgpu shows the VBIOS version on the PCI device
 * (amdgpu_atombios.c). NIC drivers report firmware through ethtool only.
 */
static const struct firmware_file {
	const char *class_dir; /* the child class directory ("nvme"), or NULL: the device's own */
	const char *version; /* the attribute with the version */
	const char *model; /* an attribute with the model the firmware reports, or NULL */
} firmware_files[] = {
	{ "nvme", "firmware_rev", "model" },
	{ NULL, "vbios_version", NULL },
};

/* A sysfs text attribute without its trailing newline and padding; NULL when absent or empty. */
static char *read_attr(struct cert *c, const char *path)
{
	char *v = read_text(c, PT_NS_SYS, path);

	if (v && !*g_strchomp(v))
		g_clear_pointer(&v, g_free);
	return v;
}

static void identify_firmware(struct cert *c, struct pth_cert_identity *id)
{
	g_autofree char *dir = g_strdup_printf("bus/pci/devices/%s", c->dut);

	for (size_t i = 0; i < G_N_ELEMENTS(firmware_files) && !id->firmware; i++) {
		const struct firmware_file *f = &firmware_files[i];
		g_autofree char *sub = NULL;
		g_autofree char *path = NULL;

		if (f->class_dir) {
			g_autofree char *cdir = g_strdup_printf("%s/%s", dir, f->class_dir);
			g_auto(GStrv) names = NULL;
			size_t n = 0;

			if (pt_backend_list(c->s.be, PT_NS_SYS, cdir, &names, &n) < 0 || n == 0)
				continue;
			sub = g_strdup_printf("%s/%s/", f->class_dir, names[0]);
		}
		path = g_strdup_printf("%s/%s%s", dir, sub ? sub : "", f->version);
		id->firmware = read_attr(c, path);
		if (!id->firmware)
			continue;
		id->firmware_file = g_strdup_printf("%s%s", sub ? sub : "", f->version);
		if (f->model) {
			g_autofree char *mpath =
				g_strdup_printf("%s/%s%s", dir, sub ? sub : "", f->model);

			id->model = read_attr(c, mpath);
		}
	}
}

static void identify(struct cert *c, struct pth_cert_identity *id)
{
	const struct pt_dev_props *p = pt_dev_props(pth_cert_dev(c, c->dut));
	struct pt_pciconf_parser *pp = NULL;
	char dummy[8];

	if (p->driver) {
		g_autofree char *path =
			g_strdup_printf("bus/pci/drivers/%s/module/version", p->driver);

		id->driver_version = read_text(c, PT_NS_SYS, path);
	}
	identify_firmware(c, id);
	if (pt_pciconf_parser_new(&pp) == 0) {
		pt_pciconf_names(pp, p->vendor, p->device, id->vendor_name, sizeof(id->vendor_name),
				 id->device_name, sizeof(id->device_name));
		pt_pciconf_names(pp, p->subsystem_vendor, 0, id->subvendor_name,
				 sizeof(id->subvendor_name), dummy, sizeof(dummy));
		pt_pciconf_parser_free(pp);
	}
	id->kernel = read_text(c, PT_NS_PROC, "sys/kernel/osrelease");
	id->cmdline = read_text(c, PT_NS_PROC, "cmdline");
}

static JsonNode *certificate_json(struct cert *c, const struct pth_cert_identity *id,
				  JsonNode *host_view, int status)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *when = g_date_time_format_iso8601(now);
	JsonObject *hv = json_node_get_object(host_view);
	unsigned count[_PTH_CERT_STATUS_MAX] = { 0 };

	json_builder_begin_object(b);
	add_str(b, "schema", PTH_CERT_SCHEMA);
	add_str(b, "tool", "ptharness " PTH_VERSION);
	add_str(b, "created", when);
	add_str(b, "host", c->s.spec);
	add_str(b, "profile", pth_cert_profile_names[c->profile]);
	add_str(b, "verdict", status == PTH_EXIT_OK ? "certified" : "not-certified");
	if (c->interrupted) {
		g_autofree char *sig = g_strdup_printf("SIG%s", sigabbrev_np(c->interrupted));

		add_str(b, "interrupted", sig);
	} else {
		add_str(b, "interrupted", NULL);
	}
	dut_to_json(c, b, id, host_view);
	json_builder_set_member_name(b, "kernel");
	json_builder_begin_object(b);
	add_str(b, "release", id->kernel);
	add_str(b, "cmdline", id->cmdline);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "checks");
	json_builder_begin_array(b);
	for (guint i = 0; i < c->results->len; i++) {
		const struct cert_result *r = &g_array_index(c->results, struct cert_result, i);

		count[r->status]++;
		json_builder_begin_object(b);
		add_str(b, "id", r->id);
		add_str(b, "title", r->title);
		add_str(b, "status", pth_cert_status_names[r->status]);
		add_str(b, "reason", r->reason);
		json_builder_set_member_name(b, "duration_us");
		json_builder_add_int_value(b, r->usec);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "summary");
	json_builder_begin_object(b);
	for (int i = 0; i < _PTH_CERT_STATUS_MAX; i++) {
		json_builder_set_member_name(b, pth_cert_status_names[i]);
		json_builder_add_int_value(b, count[i]);
	}
	json_builder_end_object(b);
	/* What the groups looked like before any change, as inspect --json shows them. */
	json_builder_set_member_name(b, "groups");
	json_builder_add_value(b, json_node_copy(json_object_get_member(hv, "groups")));
	add_str(b, "recording", "host.umockdev");
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

static void identity_clear(struct pth_cert_identity *id)
{
	g_free(id->driver_version);
	g_free(id->firmware);
	g_free(id->firmware_file);
	g_free(id->model);
	g_free(id->kernel);
	g_free(id->cmdline);
}

static const char *member(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);

	return n && JSON_NODE_HOLDS_VALUE(n) ? json_node_get_string(n) : NULL;
}

/* JUnit XML (the junit-10 schema): one suite, one testcase per check. */
static char *cert_junit(JsonNode *root)
{
	JsonObject *o = json_node_get_object(root);
	JsonObject *dut = json_object_get_object_member(o, "dut");
	JsonObject *sum = json_object_get_object_member(o, "summary");
	JsonArray *checks_ = json_object_get_array_member(o, "checks");
	GString *x = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	double total = 0;
	g_autofree char *name = NULL;

	for (guint i = 0; i < json_array_get_length(checks_); i++)
		total += json_object_get_int_member(json_array_get_object_element(checks_, i),
						    "duration_us") /
			 1e6;
	name = g_markup_printf_escaped("certify %s", member(dut, "address"));
	g_string_append_printf(x,
			       "<testsuites>\n  <testsuite name=\"%s\" tests=\"%u\" "
			       "failures=\"%" G_GINT64_FORMAT
			       "\" errors=\"0\" skipped=\"%" G_GINT64_FORMAT "\" time=\"%.6f\">\n",
			       name, json_array_get_length(checks_),
			       json_object_get_int_member(sum, "fail"),
			       json_object_get_int_member(sum, "skip"), total);
	for (guint i = 0; i < json_array_get_length(checks_); i++) {
		JsonObject *c = json_array_get_object_element(checks_, i);
		const char *st = member(c, "status");
		g_autofree char *tc = g_markup_printf_escaped(
			"    <testcase classname=\"certify\" name=\"%s\" time=\"%.6f\"",
			member(c, "id"), json_object_get_int_member(c, "duration_us") / 1e6);
		g_autofree char *why = g_markup_escape_text(member(c, "reason"), -1);

		g_string_append(x, tc);
		if (strcmp(st, "pass") == 0)
			g_string_append_printf(x,
					       ">\n      <system-out>%s</system-out>\n"
					       "    </testcase>\n",
					       why);
		else if (strcmp(st, "fail") == 0)
			g_string_append_printf(x,
					       ">\n      <failure type=\"check\" message=\"%s\">%s"
					       "</failure>\n    </testcase>\n",
					       why, why);
		else
			g_string_append_printf(x,
					       ">\n      <skipped message=\"%s\"/>\n"
					       "    </testcase>\n",
					       why);
	}
	g_string_append(x, "  </testsuite>\n</testsuites>\n");
	return g_string_free(x, FALSE);
}

static void html_row(GString *h, const char *key, const char *value)
{
	g_autofree char *row = g_markup_printf_escaped("<tr><th>%s</th><td>%s</td></tr>\n", key,
						       value ? value : "");

	g_string_append(h, row);
}

/* A page that stands alone: identity, verdict, one row per check. */
static char *cert_html(JsonNode *root)
{
	JsonObject *o = json_node_get_object(root);
	JsonObject *dut = json_object_get_object_member(o, "dut");
	JsonObject *k = json_object_get_object_member(o, "kernel");
	JsonArray *cs = json_object_get_array_member(o, "checks");
	GString *h = g_string_new(NULL);
	g_autofree char *title =
		g_markup_printf_escaped("Passthrough certificate: %s", member(dut, "address"));
	g_autofree char *ids = g_strdup_printf(
		"%s:%s (subsystem %s:%s), class %s, rev %s", member(dut, "vendor"),
		member(dut, "device"), member(dut, "subsystem_vendor"),
		member(dut, "subsystem_device"), member(dut, "class"), member(dut, "revision"));
	g_autofree char *name = g_strdup_printf("%s %s", member(dut, "vendor_name") ?: "",
						member(dut, "device_name") ?: "");
	g_autofree char *fw = member(dut, "firmware") ?
				      g_strdup_printf("%s (sysfs %s)", member(dut, "firmware"),
						      member(dut, "firmware_file")) :
				      g_strdup("not shown in sysfs");

	g_string_append_printf(h,
			       "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
			       "<title>%s</title>\n<style>body{font-family:sans-serif;margin:2em}"
			       "table{border-collapse:collapse}td,th{border:1px solid #ccc;"
			       "padding:4px 8px;text-align:left}.pass{background:#dfd}"
			       ".fail{background:#fdd}.skip{background:#eee}</style></head>\n"
			       "<body>\n<h1>%s</h1>\n",
			       title, title);
	g_string_append_printf(h, "<p class=\"%s\"><strong>%s</strong></p>\n<table>\n",
			       strcmp(member(o, "verdict"), "certified") == 0 ? "pass" : "fail",
			       strcmp(member(o, "verdict"), "certified") == 0 ? "Certified" :
										"Not certified");
	html_row(h, "Device", name);
	html_row(h, "Ids", ids);
	html_row(h, "Driver", member(dut, "driver"));
	html_row(h, "Driver version", member(dut, "driver_version"));
	html_row(h, "Firmware", fw);
	html_row(h, "Model", member(dut, "model"));
	html_row(h, "Kernel", member(k, "release"));
	html_row(h, "Command line", member(k, "cmdline"));
	html_row(h, "Host", member(o, "host"));
	html_row(h, "Profile", member(o, "profile"));
	html_row(h, "Tool", member(o, "tool"));
	html_row(h, "Created", member(o, "created"));
	g_string_append(h,
			"</table>\n<h2>Checks</h2>\n<table>\n"
			"<tr><th>Check</th><th>Status</th><th>Reason</th><th>Seconds</th></tr>\n");
	for (guint i = 0; i < json_array_get_length(cs); i++) {
		JsonObject *c = json_array_get_object_element(cs, i);
		g_autofree char *row = g_markup_printf_escaped(
			"<tr class=\"%s\"><td>%s<br><small>%s</small></td><td>%s</td><td>%s</td>"
			"<td>%.3f</td></tr>\n",
			member(c, "status"), member(c, "id"), member(c, "title"),
			member(c, "status"), member(c, "reason"),
			json_object_get_int_member(c, "duration_us") / 1e6);

		g_string_append(h, row);
	}
	g_string_append(h, "</table>\n<p>The host as it was before any change: "
			   "<a href=\"host.umockdev\">host.umockdev</a> (replay with "
			   "<code>ptharness inspect --host host.umockdev</code>).</p>\n"
			   "</body></html>\n");
	return g_string_free(h, FALSE);
}

static int write_file(const char *dir, const char *name, const char *text)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) error = NULL;

	if (!g_file_set_contents(path, text, -1, &error)) {
		fprintf(stderr, "ptharness certify: %s\n", error->message);
		return -EIO;
	}
	return 0;
}

int pth_cert_write(struct cert *c, const char *dir, GString *recording, JsonNode *host_view,
		   int status)
{
	struct pth_cert_identity id = { 0 };
	g_autofree char *json = NULL;
	g_autofree char *junit = NULL;
	g_autofree char *html = NULL;
	JsonNode *root;
	int r = 0;

	if (g_mkdir_with_parents(dir, 0755) < 0) {
		fprintf(stderr, "ptharness certify: cannot create %s: %s\n", dir,
			g_strerror(errno));
		return -errno;
	}
	identify(c, &id);
	root = certificate_json(c, &id, host_view, status);
	json = pth_json_to_string(root);
	junit = cert_junit(root);
	html = cert_html(root);
	json_node_unref(root);
	r |= write_file(dir, "certificate.json", json);
	r |= write_file(dir, "junit.xml", junit);
	r |= write_file(dir, "certificate.html", html);
	r |= write_file(dir, "host.umockdev", recording->str);
	identity_clear(&id);
	return r;
}

/*
 * A recording made through the fake kernel repeats a device's SUBSYSTEM property (its uevent
 * file and the recorder both add it), which the loader refuses; keep the first of each E: line
 * within a device block. A work-around until record.c writes it once.
 */
void pth_cert_drop_repeated(GString *rec)
{
	g_auto(GStrv) lines = g_strsplit(rec->str, "\n", -1);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

	g_string_truncate(rec, 0);
	for (char **l = lines; *l; l++) {
		if (g_str_has_prefix(*l, "P: "))
			g_hash_table_remove_all(seen);
		else if (g_str_has_prefix(*l, "E: ") && !g_hash_table_add(seen, *l))
			continue;
		g_string_append(rec, *l);
		if (l[1])
			g_string_append_c(rec, '\n');
	}
}
