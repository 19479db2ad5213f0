/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A certificate of `ptharness certify` as JUnit XML (valid junit-10) and as an HTML page. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>

#include "html.h"
#include "junit.h"

/* A certificate with one check of each status; the failure's reason needs escaping. */
static const char cert_json[] =
	"{\"schema\": \"ptharness-certificate/1\", \"verdict\": \"not-certified\","
	" \"host\": \"lab.umockdev\", \"profile\": \"nic\", \"tool\": \"ptharness 0.1.0\","
	" \"created\": \"2026-12-02T16:00:00Z\","
	" \"dut\": {\"address\": \"0000:01:00.0\", \"vendor\": \"8086\", \"device\": \"10d3\","
	"  \"driver\": \"e1000e\", \"firmware\": null, \"model\": null},"
	" \"kernel\": {\"release\": \"6.1.0\", \"cmdline\": \"intel_iommu=on\"},"
	" \"checks\": ["
	"  {\"id\": \"CERT-IOMMU\", \"title\": \"IOMMU\", \"status\": \"pass\","
	"   \"reason\": \"IOMMU present\", \"duration_us\": 1500},"
	"  {\"id\": \"CERT-GROUP-ISOLATED\", \"title\": \"group\", \"status\": \"fail\","
	"   \"reason\": \"group 8 also holds <0000:03:00.0> & \\\"more\\\"\", \"duration_us\": 2500},"
	"  {\"id\": \"CERT-SRIOV\", \"title\": \"SR-IOV\", \"status\": \"skip\","
	"   \"reason\": \"not an SR-IOV physical function\", \"duration_us\": 1000}],"
	" \"summary\": {\"pass\": 1, \"fail\": 1, \"skip\": 1}}";

static JsonNode *cert(void)
{
	JsonNode *n = json_from_string(cert_json, NULL);

	assert_non_null(n);
	return n;
}

static char *xpath(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	char *s = (char *)xmlXPathCastToString(o);
	char *r = g_strdup(s);

	xmlFree(s);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return r;
}

static void assert_xpath(xmlDocPtr doc, const char *expr, const char *want)
{
	g_autofree char *got = xpath(doc, expr);

	if (strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", expr, got, want);
}

static void test_cert_junit_valid_junit10(void **state)
{
	g_autoptr(JsonNode) c = cert();
	g_autoptr(GString) xml = g_string_new(NULL);
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(FIXTURES_DIR "/junit-10.xsd");
	xmlSchemaPtr schema = xmlSchemaParse(pc);
	xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
	xmlDocPtr doc;

	assert_int_equal(prp_render_cert_junit(c, xml, NULL), 0);
	doc = xmlReadMemory(xml->str, (int)xml->len, "junit.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	assert_int_equal(xmlSchemaValidateDoc(vc, doc), 0);
	assert_xpath(doc, "/testsuites/testsuite/@name", "certify 0000:01:00.0");
	assert_xpath(doc, "/testsuites/testsuite/@tests", "3");
	assert_xpath(doc, "/testsuites/testsuite/@failures", "1");
	assert_xpath(doc, "/testsuites/testsuite/@skipped", "1");
	assert_xpath(doc, "/testsuites/testsuite/@time", "0.005000");
	assert_xpath(doc, "//testcase[1]/@classname", "certify");
	assert_xpath(doc, "//testcase[1]/system-out", "IOMMU present");
	assert_xpath(doc, "//testcase[@name='CERT-GROUP-ISOLATED']/failure/@type", "check");
	assert_xpath(doc, "//testcase[@name='CERT-GROUP-ISOLATED']/failure/@message",
		     "group 8 also holds <0000:03:00.0> & \"more\"");
	assert_xpath(doc, "//testcase[@name='CERT-SRIOV']/skipped/@message",
		     "not an SR-IOV physical function");
	xmlFreeDoc(doc);
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pc);
}

static void test_cert_html_rows_escaped(void **state)
{
	g_autoptr(JsonNode) c = cert();
	g_autoptr(GString) page = g_string_new(NULL);

	assert_int_equal(prp_render_cert_html(c, page, NULL), 0);
	assert_non_null(strstr(page->str, "<p class=\"banner fail\">Not certified</p>"));
	assert_non_null(strstr(page->str, "<tr><th>Driver</th><td>e1000e</td></tr>"));
	assert_non_null(strstr(page->str, "<tr><th>Firmware</th><td>not shown in sysfs</td></tr>"));
	assert_non_null(strstr(page->str, "&lt;0000:03:00.0&gt; &amp; &quot;more&quot;"));
	assert_null(strstr(page->str, "<0000:03:00.0>"));
	assert_null(strstr(page->str, "<script"));
}

static void test_cert_rejects_a_result(void **state)
{
	g_autoptr(JsonNode) c = cert();
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GError) e1 = NULL, e2 = NULL;

	json_object_set_string_member(json_node_get_object(c), "schema", "ptharness-result/1");
	assert_int_equal(prp_render_cert_junit(c, out, &e1), -EINVAL);
	assert_int_equal(prp_render_cert_html(c, out, &e2), -EINVAL);
	assert_non_null(strstr(e1->message, "ptharness-result/1"));
	assert_int_equal(out->len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cert_junit_valid_junit10),
		cmocka_unit_test(test_cert_html_rows_escaped),
		cmocka_unit_test(test_cert_rejects_a_result),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
