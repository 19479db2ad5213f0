/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The HTML page and the topology pictures: structure, colours, files, determinism. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "html.h"
#include "internal.h"
#include "merge.h"
#include "result.h"
#include "topology.h"
#include "util.h"

static char *page(JsonNode *r)
{
	g_autoptr(GError) error = NULL;
	GString *out = g_string_new(NULL);

	if (prp_render_html_page(r, out, &error) < 0)
		fail_msg("html: %s", error->message);
	return g_string_free(out, FALSE);
}

static guint occurrences(const char *haystack, const char *needle)
{
	guint n = 0;

	for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static gsize offset_of(const char *haystack, const char *needle)
{
	const char *p = strstr(haystack, needle);

	if (!p)
		fail_msg("the page lacks %s", needle);
	return (gsize)(p - haystack);
}

static guint unexercised(JsonNode *r)
{
	JsonArray *rules = prp_arr(json_node_get_object(r), "rules");
	guint n = 0;

	for (guint i = 0; i < prp_len(rules); i++) {
		JsonObject *e = prp_obj(prp_at(rules, i), "exercised");

		n += prp_len(prp_arr(e, "fake")) + prp_len(prp_arr(e, "lab")) +
			     prp_len(prp_arr(e, "live")) ==
		     0;
	}
	return n;
}

static void test_html_page_structure(void **state)
{
	g_autoptr(JsonNode) r = fixture_load("result-fake.json");
	g_autofree char *html = page(r);

	assert_true(g_str_has_prefix(html, "<!DOCTYPE html>\n<html lang=\"en\">"));
	assert_int_equal(occurrences(html, "<style>"), 1);
	/* It stands alone: no script, stylesheet link, image source or CSS url(). */
	assert_int_equal(occurrences(html, "<script"), 0);
	assert_int_equal(occurrences(html, "<link"), 0);
	assert_int_equal(occurrences(html, " src="), 0);
	assert_int_equal(occurrences(html, "url("), 0);
	/* The one timestamp, in the header. */
	assert_int_equal(occurrences(html, "2026-11-21T14:30:00Z"), 1);
	assert_true(offset_of(html, "2026-11-21T14:30:00Z") < offset_of(html, "</header>"));
	assert_non_null(strstr(html, "<div class=\"banner fail\">FAILED: 3 of 10 scenarios failed, "
				     "1 could not run</div>"));
	/* Failures first, then every scenario, the rules, fidelity and the hosts. */
	assert_true(offset_of(html, "id=\"summary\"") < offset_of(html, "id=\"failures\""));
	assert_true(offset_of(html, "id=\"failures\"") < offset_of(html, "id=\"scenarios\""));
	assert_true(offset_of(html, "id=\"scenarios\"") < offset_of(html, "id=\"rules\""));
	assert_true(offset_of(html, "id=\"rules\"") < offset_of(html, "id=\"fidelity\""));
	assert_true(offset_of(html, "id=\"fidelity\"") < offset_of(html, "id=\"hosts\""));
	assert_int_equal(occurrences(html, "<article class=\"failure\">"), 3);
	assert_int_equal(occurrences(html, "<article class=\"failure error\">"), 1);
	assert_int_equal(occurrences(html, "<details>"), 10);
	assert_non_null(strstr(html, "<td class=\"mono\">error</td>"
				     "<td class=\"expected mono\">group-in-use</td>"
				     "<td class=\"observed mono\">group-not-viable</td>"));
	assert_non_null(strstr(html, "<td class=\"expected mono\">K-SRIOV-VF-AUTOPROBE</td>"
				     "<td class=\"observed mono\">never fired</td>"));
	assert_int_equal(occurrences(html, "<tr class=\"unexercised\">"), unexercised(r));
	assert_int_equal(occurrences(html, "<tr class=\"disagree\">"), 0); /* one target only */
	/* Escaped: the fixture's rule statements hold quotes and brackets. */
	assert_non_null(strstr(html, "&quot;vendor device [subvendor subdevice class mask "
				     "[data]]&quot;"));
	assert_int_equal(occurrences(html, "<svg "), 2);
	assert_int_equal(occurrences(html, "class=\"swatch\""), PRP_GROUP_STATE_MAX);
}

static void test_html_page_passing_banner(void **state)
{
	g_autoptr(JsonNode) r = fixture_load("result-fake.json");
	JsonObject *s = prp_obj(json_node_get_object(r), "summary");
	g_autofree char *html = NULL;

	json_object_set_int_member(s, "failed", 0);
	json_object_set_int_member(s, "errors", 0);
	html = page(r);
	assert_non_null(strstr(html, "<div class=\"banner pass\">PASSED: 5 of 10 scenarios "
				     "passed, 1 skipped</div>"));
}

/* A fake and a lab run merged: both verdicts, and the one rule they disagree on in red. */
static void test_html_page_fidelity_of_merged_targets(void **state)
{
	g_autoptr(JsonNode) fake = fixture_load("result-fake.json");
	g_autoptr(JsonNode) lab = on_lab(fake);
	g_autoptr(JsonNode) merged = NULL;
	g_autoptr(GError) error = NULL;
	JsonNode *in[2] = { fake, lab };
	g_autofree char *html = NULL;

	assert_int_equal(prp_merge(in, 2, &merged, &error), 0);
	html = page(merged);
	assert_int_equal(occurrences(html, "<tr class=\"disagree\">"), 1);
	assert_non_null(strstr(html,
			       "<tr class=\"disagree\"><td class=\"mono nowrap\">"
			       "K-NEW-ID-ATTACH</td><td>fail</td><td>pass</td><td>no</td></tr>"));
	assert_non_null(strstr(html, "target: <b>fake+lab</b>"));
	assert_non_null(strstr(html, "shard: <b>merged from 2</b>"));
	assert_int_equal(occurrences(html, "<details>"), 20);
}

static xmlDocPtr svg_doc(JsonObject *host, char **ret_svg)
{
	g_autoptr(GError) error = NULL;
	struct prp_topology *t = NULL;
	xmlDocPtr doc;

	assert_int_equal(prp_topology_new(&t, &error), 0);
	if (prp_topology_svg(t, host, ret_svg, &error) < 0)
		fail_msg("topology: %s", error->message);
	prp_topology_free(t);
	doc = xmlReadMemory(*ret_svg, (int)strlen(*ret_svg), "host.svg", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR);
	assert_non_null(doc);
	return doc;
}

static char *xstring(xmlXPathContextPtr ctx, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static char *xstring(xmlXPathContextPtr ctx, const char *fmt, ...)
{
	g_autofree char *expr = NULL;
	xmlXPathObjectPtr o;
	xmlChar *s;
	va_list ap;
	char *out;

	va_start(ap, fmt);
	expr = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	if (!o)
		fail_msg("bad XPath %s", expr);
	s = xmlXPathCastToString(o);
	out = g_strdup((const char *)s);
	xmlFree(s);
	xmlXPathFreeObject(o);
	return out;
}

static void check_host_picture(JsonObject *host)
{
	g_autofree char *svg = NULL;
	xmlDocPtr doc = svg_doc(host, &svg);
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	JsonArray *groups = prp_arr(host, "groups"), *devices = prp_arr(host, "devices");
	const char *name = prp_str(host, "name");
	g_autofree char *clusters = NULL, *nodes = NULL;

	xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
	assert_true(g_str_has_prefix(svg, "<svg "));
	clusters = xstring(ctx, "count(//s:g[@class='cluster'])");
	assert_int_equal(atoi(clusters), prp_len(groups));
	/* Every device is a node, and so is the root bus. */
	nodes = xstring(ctx, "count(//s:g[@class='node'])");
	assert_int_equal(atoi(nodes), prp_len(devices) + 1);

	for (guint i = 0; i < prp_len(groups); i++) {
		JsonObject *g = prp_at(groups, i);
		gint64 id = prp_int(g, "id");
		enum prp_group_state st = prp_str(g, "vm")	? PRP_GROUP_VM :
					  prp_bool(g, "viable") ? PRP_GROUP_VIABLE :
								  PRP_GROUP_NOT_VIABLE;
		g_autofree char *gid = xstring(
			ctx,
			"//s:g[@class='cluster'][s:title='cluster_group%" G_GINT64_FORMAT "']/@id",
			id);
		g_autofree char *want_id = g_strdup_printf("%s-group%" G_GINT64_FORMAT, name, id);
		g_autofree char *fill =
			xstring(ctx,
				"//s:g[@class='cluster'][s:title='cluster_group%" G_GINT64_FORMAT
				"']/s:path/@fill",
				id);
		g_autofree char *label =
			xstring(ctx,
				"//s:g[@class='cluster'][s:title='cluster_group%" G_GINT64_FORMAT
				"']/s:text[1]",
				id);

		assert_string_equal(gid, want_id);
		if (strcmp(fill, prp_group_style(st)->fill) != 0)
			fail_msg("%s group %" G_GINT64_FORMAT ": fill %s, wanted %s (%s)", name, id,
				 fill, prp_group_style(st)->fill, prp_group_style(st)->name);
		assert_true(g_str_has_prefix(label, "group "));
	}
	/* PF -> VF edges are dashed. */
	for (guint i = 0; i < prp_len(devices); i++) {
		JsonObject *d = prp_at(devices, i);
		g_autofree char *dash = NULL;

		if (!prp_str(d, "physfn"))
			continue;
		dash = xstring(ctx,
			       "//s:g[@class='edge'][s:title='%s->%s']/s:path/@stroke-dasharray",
			       prp_str(d, "physfn"), prp_str(d, "address"));
		assert_true(*dash);
	}
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
}

/* The kernel matrix (ci/lab/fidelity's kernel_matrix member): attributes by kernel series. */
static void test_html_kernel_matrix(void **state)
{
	g_autoptr(JsonNode) r = fixture_load("result-fake.json");
	g_autoptr(JsonNode) m = json_from_string(
		"{\"attributes\": ["
		"{\"series\": \"6.1\", \"attribute\": \"unbind\", \"rows\": 108, \"agree\": 105, "
		"\"known\": 3, \"differ\": 0},"
		"{\"series\": \"6.12\", \"attribute\": \"unbind\", \"rows\": 108, \"agree\": 104, "
		"\"known\": 3, \"differ\": 1},"
		"{\"series\": \"6.1\", \"attribute\": \"bind\", \"rows\": 97, \"agree\": 97, "
		"\"known\": 0, \"differ\": 0}],"
		"\"known\": [{\"series\": \"6.1\", \"pattern\": \"held.unbind.*\", \"rows\": 3, "
		"\"reason\": \"the kernel <waits>\"}]}",
		NULL);
	g_autofree char *without = page(r);
	g_autofree char *html = NULL;

	assert_int_equal(occurrences(without, "id=\"kernel-matrix\""), 0);
	json_object_set_member(json_node_get_object(r), "kernel_matrix", json_node_ref(m));
	html = page(r);
	assert_int_equal(occurrences(html, "id=\"kernel-matrix\""), 1);
	assert_non_null(strstr(html, "<tr><th>attribute</th><th>6.1</th><th>6.12</th></tr>"));
	/* one other difference: the row in red; a series without rows says so */
	assert_non_null(strstr(html, "<tr class=\"disagree\"><td class=\"mono\">unbind</td>"
				     "<td class=\"nowrap\">105/108, 3 known</td>"
				     "<td class=\"nowrap\">104/108, 3 known, 1 other</td></tr>"));
	assert_non_null(strstr(html, "<tr><td class=\"mono\">bind</td><td class=\"nowrap\">"
				     "97/97</td><td class=\"none\">no rows</td></tr>"));
	assert_non_null(strstr(html, "<td class=\"mono\">held.unbind.*</td><td>3</td>"
				     "<td>the kernel &lt;waits&gt;</td>"));
}

static void test_topology_cluster_per_group_coloured_by_state(void **state)
{
	g_autoptr(JsonNode) r = fixture_load("result-fake.json");
	JsonArray *hosts = prp_arr(json_node_get_object(r), "hosts");

	for (guint i = 0; i < prp_len(hosts); i++)
		check_host_picture(prp_at(hosts, i));
}

static void reverse(JsonObject *o, const char *member)
{
	JsonArray *a = prp_arr(o, member), *rev = json_array_new();

	for (guint i = prp_len(a); i > 0; i--)
		json_array_add_element(rev, json_node_copy(json_array_get_element(a, i - 1)));
	json_object_set_array_member(o, member, rev);
}

static void test_topology_same_for_any_input_order(void **state)
{
	g_autoptr(JsonNode) r = fixture_load("result-fake.json");
	JsonObject *host = prp_at(prp_arr(json_node_get_object(r), "hosts"), 0); /* VFs, a VM */
	g_autofree char *a = NULL, *b = NULL, *c = NULL;
	g_autoptr(GError) error = NULL;
	struct prp_topology *t = NULL, *t2 = NULL;

	assert_int_equal(prp_topology_new(&t, &error), 0);
	assert_int_equal(prp_topology_new(&t2, &error), 0);
	assert_int_equal(prp_topology_svg(t, host, &a, &error), 0);
	assert_int_equal(prp_topology_svg(t2, host, &b, &error), 0);
	reverse(host, "devices");
	reverse(host, "groups");
	assert_int_equal(prp_topology_svg(t, host, &c, &error), 0);
	prp_topology_free(t);
	prp_topology_free(t2);
	assert_string_equal(a, b);
	assert_string_equal(a, c);
	/* graphviz's own comment names its version; it is left out. */
	assert_null(strstr(a, "Generated by"));
}

static void test_html_writes_page_and_pictures(void **state)
{
	g_autoptr(JsonNode) r = fixture_load("result-fake.json");
	g_autofree char *tmp = g_dir_make_tmp("prp-html-XXXXXX", NULL);
	g_autofree char *dir = g_build_filename(tmp, "report", NULL);
	static const char *const files[] = { "index.html", "host-lab-shared-initial.svg",
					     "host-server-sriov.svg" };
	g_autofree char *want = page(r);
	g_autoptr(GError) error = NULL;

	assert_int_equal(prp_render_html(r, dir, &error), 0);
	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *path = g_build_filename(dir, files[i], NULL);
		g_autofree char *text = NULL;

		assert_true(g_file_get_contents(path, &text, NULL, NULL));
		if (i == 0)
			assert_string_equal(text, want);
		else
			assert_true(g_str_has_prefix(text,
						     "<?xml version=\"1.0\" encoding=\"UTF-8\" "
						     "standalone=\"no\"?>\n<svg "));
		g_unlink(path);
	}
	g_rmdir(dir);
	g_rmdir(tmp);
}

static void test_html_unwritable_dir_is_an_error(void **state)
{
	g_autoptr(JsonNode) r = fixture_load("result-fake.json");
	g_autoptr(GError) error = NULL;

	assert_true(prp_render_html(r, "/proc/version/report", &error) < 0);
	assert_non_null(strstr(error->message, "/proc/version"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_page_structure),
		cmocka_unit_test(test_html_page_passing_banner),
		cmocka_unit_test(test_html_page_fidelity_of_merged_targets),
		cmocka_unit_test(test_html_kernel_matrix),
		cmocka_unit_test(test_topology_cluster_per_group_coloured_by_state),
		cmocka_unit_test(test_topology_same_for_any_input_order),
		cmocka_unit_test(test_html_writes_page_and_pictures),
		cmocka_unit_test(test_html_unwritable_dir_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
