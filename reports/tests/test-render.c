/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JUnit XML and KTAP from the fixture result: golden files, and their structure checked apart. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "internal.h"
#include "junit.h"
#include "ktap.h"
#include "result.h"
#include "util.h"

static char *render(int (*fn)(JsonNode *, GString *, GError **), const char *fixture)
{
	g_autoptr(JsonNode) r = fixture_load(fixture);
	g_autoptr(GError) error = NULL;
	GString *out = g_string_new(NULL);

	if (fn(r, out, &error) < 0)
		fail_msg("render %s: %s", fixture, error->message);
	return g_string_free(out, FALSE);
}

/* On a difference, the first differing line of each, to find it without a diff tool. */
static void assert_same_text(const char *got, const char *want, const char *golden)
{
	g_auto(GStrv) g = NULL, w = NULL;
	guint i = 0;

	if (strcmp(got, want) == 0)
		return;
	g = g_strsplit(got, "\n", -1);
	w = g_strsplit(want, "\n", -1);
	while (g[i] && w[i] && strcmp(g[i], w[i]) == 0)
		i++;
	fail_msg("differs from %s at line %u:\n  got:  %s\n  want: %s", golden, i + 1,
		 g[i] ? g[i] : "(end)", w[i] ? w[i] : "(end)");
}

static void test_junit_matches_golden(void **state)
{
	g_autofree char *got = render(prp_render_junit, "result-fake.json");
	g_autofree char *want = fixture_text("expected/result-fake.junit.xml");

	assert_same_text(got, want, "expected/result-fake.junit.xml");
}

static void test_ktap_matches_golden(void **state)
{
	g_autofree char *got = render(prp_render_ktap, "result-fake.json");
	g_autofree char *want = fixture_text("expected/result-fake.ktap");

	assert_same_text(got, want, "expected/result-fake.ktap");
}

/* XPath over the JUnit document. */
struct xdoc {
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
};

static double xnumber(struct xdoc *x, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, x->ctx);
	double v;

	if (!o)
		fail_msg("bad XPath %s", expr);
	v = xmlXPathCastToNumber(o);
	xmlXPathFreeObject(o);
	return v;
}

static char *xstring(struct xdoc *x, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, x->ctx);
	xmlChar *s;
	char *out;

	if (!o)
		fail_msg("bad XPath %s", expr);
	s = xmlXPathCastToString(o);
	out = g_strdup((const char *)s);
	xmlFree(s);
	xmlXPathFreeObject(o);
	return out;
}

#define assert_xpath_number(x, expr, want)                                         \
	do {                                                                       \
		double _v = xnumber(x, expr);                                      \
		if (_v != (want))                                                  \
			fail_msg("%s is %g, wanted %g", expr, _v, (double)(want)); \
	} while (0)

#define assert_xpath_string(x, expr, want)                                       \
	do {                                                                     \
		g_autofree char *_s = xstring(x, expr);                          \
		if (strcmp(_s, want) != 0)                                       \
			fail_msg("%s is \"%s\", wanted \"%s\"", expr, _s, want); \
	} while (0)

static void test_junit_structure(void **state)
{
	g_autofree char *xml = render(prp_render_junit, "result-fake.json");
	struct xdoc x;

	x.doc = xmlReadMemory(xml, (int)strlen(xml), "junit.xml", NULL, XML_PARSE_NONET);
	assert_non_null(x.doc);
	x.ctx = xmlXPathNewContext(x.doc);

	assert_xpath_string(&x, "name(/*)", "testsuites");
	assert_xpath_string(&x, "/testsuites/@tests", "10");
	assert_xpath_string(&x, "/testsuites/@failures", "3");
	assert_xpath_string(&x, "/testsuites/@errors", "1");
	assert_xpath_string(&x, "/testsuites/@time", "0.023");
	/* A suite per category, sorted; a case per scenario, classname its category. */
	assert_xpath_number(&x, "count(//testsuite)", 7);
	assert_xpath_string(&x, "//testsuite[1]/@name", "kernel");
	assert_xpath_string(&x, "//testsuite[7]/@name", "viability");
	assert_xpath_number(&x, "count(//testcase)", 10);
	assert_xpath_number(&x, "count(//testcase[@classname != ../@name])", 0);
	assert_xpath_string(&x, "//testsuite[@name='viability']/@tests", "2");
	assert_xpath_string(&x, "//testsuite[@name='viability']/@failures", "1");
	assert_xpath_string(&x, "//testsuite[@name='viability']/@errors", "1");
	assert_xpath_string(&x, "//testsuite[@name='vfio']/@skipped", "1");
	assert_xpath_string(&x, "//testcase[@name='rebinding/new-id-side-effect']/@time", "0.005");
	/* Failures list expected vs observed; errors and skips carry the scenario's message. */
	assert_xpath_number(&x, "count(//failure[@type='expectation'])", 3);
	assert_xpath_string(
		&x, "//testcase[@name='viability/half-group']/failure/@message",
		"step 1 attach: error: expected group-in-use, observed group-not-viable (and 1 more)");
	/* Trial row 19: and what the failed step returned: code, message, rule. */
	assert_xpath_string(
		&x, "//testcase[@name='viability/half-group']/failure",
		"step 1 attach: error: expected group-in-use, observed group-not-viable\n"
		"step 1 attach: outcome: group-not-viable: group 6 has 0000:01:00.1 on "
		"host driver e1000e [E-VIAB-HOSTDRV]");
	assert_xpath_string(&x, "//testcase[@name='vf-selection/pf-index-range']/failure",
			    "step 1 select-vf: result.device: expected 0000:3b:10.4, observed "
			    "0000:3b:11.0\n"
			    "step 1 select-vf: rules: expected E-VF-SELECT,K-SRIOV-VF-AUTOPROBE, "
			    "observed E-VF-SELECT\n"
			    "step 1 select-vf: outcome: ok: 0000:3b:11.0 [E-VF-SELECT]\n"
			    "rule K-SRIOV-VF-AUTOPROBE never fired");
	assert_xpath_number(&x, "count(//error)", 1);
	assert_xpath_string(&x, "//testcase[@name='viability/typo-in-expect']/error/@message",
			    "scenarios/viability/typo-in-expect.yaml:14:7: unknown expectation key "
			    "'blocker' (did you mean 'blockers'?)");
	assert_xpath_number(&x, "count(//skipped)", 1);
	assert_xpath_string(&x, "//testcase[@name='vfio/intremap-lab-only']/skipped/@message",
			    "declares targets [lab] only; this run's target is fake");
	/* Steps: properties of the suite (junit-10 has none on test cases) and system-out. */
	assert_xpath_number(&x, "count(//testcase/properties)", 0);
	assert_xpath_string(&x,
			    "//testsuite[@name='viability']/properties/"
			    "property[@name='viability/half-group.step.1']/@value",
			    "attach vm=vm1 devices=0000:01:00.0 managed=true: fail");
	assert_xpath_number(&x, "count(//property)", 16);
	assert_xpath_number(&x, "count(//testcase/system-out)", 10);

	xmlXPathFreeContext(x.ctx);
	xmlFreeDoc(x.doc);
}

/*
 * A KTAP block at INDENT from line *I: "KTAP version 1", the plan "1..M", then M results
 * numbered 1..M, each maybe after diagnostic lines and a nested block (INDENT + 4). Returns
 * M; fails the test on anything else.
 */
static int ktap_block(char **lines, guint *i, guint indent)
{
	g_autofree char *pad = g_strnfill(indent, ' ');
	g_autofree char *version = g_strconcat(pad, "KTAP version 1", NULL);
	g_autofree char *nested = g_strconcat(pad, "    KTAP version 1", NULL);
	int plan = -1, n = 0;

	if (!lines[*i] || strcmp(lines[*i], version) != 0)
		fail_msg("line %u: wanted \"%s\", got \"%s\"", *i + 1, version, lines[*i]);
	(*i)++;
	while (lines[*i] && g_str_has_prefix(lines[*i], pad) &&
	       g_str_has_prefix(lines[*i] + indent, "# "))
		(*i)++;
	if (!lines[*i] || sscanf(lines[*i] + MIN(indent, strlen(lines[*i])), "1..%d", &plan) != 1)
		fail_msg("line %u: wanted a plan at indent %u: \"%s\"", *i + 1, indent, lines[*i]);
	(*i)++;
	while (n < plan) {
		const char *l;
		int num = 0;

		if (lines[*i] && strcmp(lines[*i], nested) == 0) {
			ktap_block(lines, i, indent + 4);
			continue;
		}
		if (!lines[*i] || !g_str_has_prefix(lines[*i], pad))
			fail_msg("line %u: block at indent %u ended after %d of %d", *i + 1, indent,
				 n, plan);
		l = lines[*i] + indent;
		(*i)++;
		if (g_str_has_prefix(l, "# "))
			continue;
		if (sscanf(l, "ok %d ", &num) != 1 && sscanf(l, "not ok %d ", &num) != 1)
			fail_msg("line %u: not a result line: \"%s\"", *i, l);
		if (num != ++n)
			fail_msg("line %u: result %d, wanted %d", *i, num, n);
	}
	return plan;
}

static int find_line(char **lines, const char *line)
{
	for (int i = 0; lines[i]; i++)
		if (strcmp(lines[i], line) == 0)
			return i;
	return -1;
}

static void test_ktap_structure(void **state)
{
	g_autofree char *ktap = render(prp_render_ktap, "result-fake.json");
	g_auto(GStrv) lines = g_strsplit(ktap, "\n", -1);
	guint i = 0;
	int at;

	assert_int_equal(ktap_block(lines, &i, 0), 10);
	assert_string_equal(lines[i], ""); /* only the final newline after the last result */
	assert_null(lines[i + 1]);

	/* Skips are "ok ... # SKIP reason", errors "not ok ... # ERROR message". */
	assert_true(find_line(lines, "ok 8 vfio/intremap-lab-only # SKIP declares targets [lab] "
				     "only; this run's target is fake") >= 0);
	assert_true(find_line(lines, "not ok 10 viability/typo-in-expect # ERROR "
				     "scenarios/viability/typo-in-expect.yaml:14:7: unknown "
				     "expectation key 'blocker' (did you mean 'blockers'?)") >= 0);
	/* A failing step: its expectation and (trial row 19) what it returned, as diagnostics
	 * just before its result line. */
	at = find_line(lines, "    not ok 1 attach vm=vm1 devices=0000:01:00.0 managed=true");
	assert_true(at > 1);
	assert_string_equal(lines[at - 2],
			    "    # error: expected group-in-use, observed group-not-viable");
	assert_string_equal(lines[at - 1], "    # outcome: group-not-viable: group 6 has "
					   "0000:01:00.1 on host driver e1000e [E-VIAB-HOSTDRV]");
	assert_true(find_line(lines, "not ok 9 viability/half-group") > at);
	assert_true(find_line(lines, "# vf-selection/pf-index-range: rule K-SRIOV-VF-AUTOPROBE "
				     "never fired") >= 0);
}

static void test_render_rejects_other_schema(void **state)
{
	g_autoptr(JsonNode) r = fixture_load("result-fake.json");
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GError) e1 = NULL, e2 = NULL;

	json_object_set_string_member(json_node_get_object(r), "schema", "ptharness-inspect/1");
	assert_int_equal(prp_render_junit(r, out, &e1), -EINVAL);
	assert_int_equal(prp_render_ktap(r, out, &e2), -EINVAL);
	assert_non_null(strstr(e1->message, "'ptharness-inspect/1'"));
	assert_int_equal(out->len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_junit_matches_golden),
		cmocka_unit_test(test_junit_structure),
		cmocka_unit_test(test_ktap_matches_golden),
		cmocka_unit_test(test_ktap_structure),
		cmocka_unit_test(test_render_rejects_other_schema),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
