/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* certify: the certificate (JSON, with JUnit and HTML from the report writers). */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>

#include "certify-internal.h"
#include "report.h"
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

static int write_file(const char *dir, const char *name, const char *text)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) error = NULL;

	if (pth_write_file(path, text, strlen(text), &error) < 0) {
		fprintf(stderr, "ptharness certify: %s\n", error->message);
		return -EIO;
	}
	return 0;
}

int pth_cert_write(struct cert *c, const char *dir, GString *recording, JsonNode *host_view,
		   int status)
{
	struct pth_cert_identity id = { 0 };
	g_autoptr(GString) junit = g_string_new(NULL);
	g_autoptr(GString) html = g_string_new(NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *json = NULL;
	JsonNode *root;
	int r;

	if (g_mkdir_with_parents(dir, 0755) < 0) {
		r = -errno;
		fprintf(stderr, "ptharness certify: cannot create %s: %s\n", dir, g_strerror(-r));
		return r;
	}
	identify(c, &id);
	root = certificate_json(c, &id, host_view, status);
	identity_clear(&id);
	json = pth_json_to_string(root);
	r = pth_report_certificate(root, junit, html, &error);
	json_node_unref(root);
	if (r < 0) {
		fprintf(stderr, "ptharness certify: the certificate's JUnit and HTML: %s\n",
			error->message);
		return r;
	}
	r = write_file(dir, "certificate.json", json);
	r = r ?: write_file(dir, "junit.xml", junit->str);
	r = r ?: write_file(dir, "certificate.html", html->str);
	return r ?: write_file(dir, "host.umockdev", recording->str);
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
