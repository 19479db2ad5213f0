/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JUnit XML: a suite per category, a test case per scenario, written with libxml2. */

#include <errno.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "internal.h"
#include "junit.h"
#include "result.h"

/*
 * The plan: libxml2's text writer does the escaping and indentation. Every write goes through
 * the helpers below, which remember the first failure so that the rendering reads straight
 * and checks once at the end.
 */
struct jw {
	xmlTextWriterPtr w;
	int failed;
};

static void start(struct jw *j, const char *element)
{
	if (!j->failed && xmlTextWriterStartElement(j->w, BAD_CAST element) < 0)
		j->failed = 1;
}

static void end(struct jw *j)
{
	if (!j->failed && xmlTextWriterEndElement(j->w) < 0)
		j->failed = 1;
}

static void attr(struct jw *j, const char *name, const char *value)
{
	g_autofree char *v = prp_printable(value);

	if (!j->failed && xmlTextWriterWriteAttribute(j->w, BAD_CAST name, BAD_CAST v) < 0)
		j->failed = 1;
}

static void attr_int(struct jw *j, const char *name, gint64 value)
{
	g_autofree char *v = g_strdup_printf("%" G_GINT64_FORMAT, value);

	attr(j, name, v);
}

static void attr_time(struct jw *j, gint64 ms)
{
	g_autofree char *v = prp_seconds(ms);

	attr(j, "time", v);
}

static void text(struct jw *j, const char *s)
{
	g_autofree char *v = prp_printable(s);

	if (!j->failed && xmlTextWriterWriteString(j->w, BAD_CAST v) < 0)
		j->failed = 1;
}

/* Scenario statuses, in the order of struct counts' by_status[]. */
enum status { ST_PASS, ST_FAIL, ST_ERROR, ST_SKIP, ST_MAX };

static const char *const status_names[ST_MAX] = { "pass", "fail", "error", "skip" };

/* Counts of one suite, by scenario status. */
struct counts {
	gint64 tests, ms, by_status[ST_MAX];
};

static void count(struct counts *c, JsonObject *s)
{
	const char *status = prp_str(s, "status");

	c->tests++;
	c->ms += prp_int(s, "duration_ms");
	for (size_t i = 0; i < ST_MAX; i++)
		if (strcmp(status, status_names[i]) == 0)
			c->by_status[i]++;
}

static void step_properties(struct jw *j, JsonObject *s)
{
	JsonArray *steps = prp_arr(s, "steps");

	for (guint i = 0; i < prp_len(steps); i++) {
		JsonObject *st = prp_at(steps, i);
		g_autofree char *title = prp_step_title(st);
		g_autofree char *name = g_strdup_printf("%s.step.%" G_GINT64_FORMAT,
							prp_str(s, "id"), prp_int(st, "index"));
		g_autofree char *value = g_strdup_printf("%s: %s", title, prp_str(st, "status"));

		start(j, "property");
		attr(j, "name", name);
		attr(j, "value", value);
		end(j);
	}
}

/* Every expectation that did not hold, and every declared rule that never fired. */
static void failure_lines(JsonObject *s, GPtrArray *lines)
{
	JsonArray *steps = prp_arr(s, "steps"), *missing = prp_arr(s, "rules_missing");

	for (guint i = 0; i < prp_len(steps); i++) {
		JsonObject *st = prp_at(steps, i);
		JsonArray *fails = prp_arr(st, "failures");
		g_autofree char *outcome = prp_outcome_line(st);

		for (guint k = 0; k < prp_len(fails); k++) {
			g_autofree char *e = prp_expect_text(prp_at(fails, k));

			g_ptr_array_add(lines, g_strdup_printf("step %" G_GINT64_FORMAT " %s: %s",
							       prp_int(st, "index"),
							       prp_str(st, "verb"), e));
		}
		/* Trial row 19: what the step returned, not only what was expected of it. */
		if (outcome)
			g_ptr_array_add(lines, g_strdup_printf("step %" G_GINT64_FORMAT " %s: %s",
							       prp_int(st, "index"),
							       prp_str(st, "verb"), outcome));
	}
	for (guint i = 0; i < prp_len(missing); i++)
		g_ptr_array_add(lines,
				g_strdup_printf("rule %s never fired", prp_str_at(missing, i)));
}

static void failure(struct jw *j, JsonObject *s)
{
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *message = NULL, *body = NULL;

	failure_lines(s, lines);
	if (lines->len == 0 && prp_str(s, "message"))
		g_ptr_array_add(lines, g_strdup(prp_str(s, "message")));
	if (lines->len == 0)
		g_ptr_array_add(lines, g_strdup("the scenario failed"));
	message = lines->len > 1 ? g_strdup_printf("%s (and %u more)", (char *)lines->pdata[0],
						   lines->len - 1) :
				   g_strdup(lines->pdata[0]);
	g_ptr_array_add(lines, NULL);
	body = g_strjoinv("\n", (char **)lines->pdata);

	start(j, "failure");
	attr(j, "message", message);
	attr(j, "type", "expectation");
	text(j, body);
	end(j);
}

static void system_out(struct jw *j, JsonObject *s)
{
	g_autoptr(GString) out = g_string_new(NULL);
	JsonArray *steps = prp_arr(s, "steps");
	const char *host = prp_str(s, "host"), *file = prp_str(s, "file");

	if (prp_str(s, "title"))
		g_string_append_printf(out, "%s\n", prp_str(s, "title"));
	if (file)
		g_string_append_printf(out, "file: %s\n", file);
	g_string_append_printf(out, "target: %s, host: %s\n", prp_str(s, "target"),
			       host ? host : "none");
	for (guint i = 0; i < prp_len(steps); i++) {
		JsonObject *st = prp_at(steps, i);
		g_autofree char *title = prp_step_title(st);

		g_string_append_printf(out, "step %" G_GINT64_FORMAT ": %s: %s\n",
				       prp_int(st, "index"), title, prp_str(st, "status"));
	}
	start(j, "system-out");
	text(j, out->str);
	end(j);
}

static void could_not_run(struct jw *j, JsonObject *s)
{
	const char *msg = prp_str(s, "message");

	start(j, "error");
	attr(j, "message", msg ? msg : "the scenario could not run");
	attr(j, "type", "error");
	text(j, msg ? msg : "");
	end(j);
}

static void skipped(struct jw *j, JsonObject *s)
{
	start(j, "skipped");
	if (prp_str(s, "message"))
		attr(j, "message", prp_str(s, "message"));
	end(j);
}

/* What a test case holds besides its steps, by scenario status (a pass holds nothing). */
static void (*const results[ST_MAX])(struct jw *j, JsonObject *s) = {
	[ST_FAIL] = failure,
	[ST_ERROR] = could_not_run,
	[ST_SKIP] = skipped,
};

static void testcase(struct jw *j, JsonObject *s)
{
	const char *status = prp_str(s, "status");

	start(j, "testcase");
	attr(j, "name", prp_str(s, "id"));
	attr(j, "classname", prp_str(s, "category"));
	attr_time(j, prp_int(s, "duration_ms"));
	for (size_t i = 0; i < ST_MAX; i++)
		if (results[i] && strcmp(status, status_names[i]) == 0)
			results[i](j, s);
	system_out(j, s);
	end(j);
}

static gint compare_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The categories of SCENARIOS, each once, sorted. */
static GPtrArray *categories(JsonArray *scenarios)
{
	GPtrArray *cats = g_ptr_array_new();

	for (guint i = 0; i < prp_len(scenarios); i++) {
		const char *c = prp_str(prp_at(scenarios, i), "category");

		if (!g_ptr_array_find_with_equal_func(cats, c, g_str_equal, NULL))
			g_ptr_array_add(cats, (gpointer)c);
	}
	g_ptr_array_sort(cats, compare_str);
	return cats;
}

static void testsuite(struct jw *j, JsonArray *scenarios, const char *category)
{
	struct counts c = { 0 };

	for (guint i = 0; i < prp_len(scenarios); i++)
		if (strcmp(prp_str(prp_at(scenarios, i), "category"), category) == 0)
			count(&c, prp_at(scenarios, i));

	start(j, "testsuite");
	attr(j, "name", category);
	attr_int(j, "tests", c.tests);
	attr_int(j, "failures", c.by_status[ST_FAIL]);
	attr_int(j, "errors", c.by_status[ST_ERROR]);
	attr_int(j, "skipped", c.by_status[ST_SKIP]);
	attr_time(j, c.ms);
	start(j, "properties");
	for (guint i = 0; i < prp_len(scenarios); i++)
		if (strcmp(prp_str(prp_at(scenarios, i), "category"), category) == 0)
			step_properties(j, prp_at(scenarios, i));
	end(j);
	for (guint i = 0; i < prp_len(scenarios); i++)
		if (strcmp(prp_str(prp_at(scenarios, i), "category"), category) == 0)
			testcase(j, prp_at(scenarios, i));
	end(j);
}

static void testsuites(struct jw *j, JsonObject *root)
{
	JsonObject *summary = prp_obj(root, "summary");
	JsonArray *scenarios = prp_arr(root, "scenarios");
	g_autoptr(GPtrArray) cats = categories(scenarios);
	g_autofree char *name = g_strdup_printf("ptharness %s", prp_str(root, "target"));

	start(j, "testsuites");
	attr(j, "name", name);
	attr_int(j, "tests", prp_int(summary, "scenarios"));
	attr_int(j, "failures", prp_int(summary, "failed"));
	attr_int(j, "errors", prp_int(summary, "errors"));
	attr_time(j, prp_int(summary, "duration_ms"));
	for (guint i = 0; i < cats->len; i++)
		testsuite(j, scenarios, cats->pdata[i]);
	end(j);
}

/* ---- the certificate of `ptharness certify` ---- */

JsonObject *prp_cert_root(JsonNode *cert, GError **error)
{
	JsonObject *o = cert && JSON_NODE_HOLDS_OBJECT(cert) ? json_node_get_object(cert) : NULL;
	const char *schema = prp_str(o, "schema");

	if (!schema || strcmp(schema, PRP_CERT_SCHEMA) != 0) {
		g_set_error(error, PRP_ERROR, PRP_ERROR_SCHEMA, "not a %s: schema is %s",
			    PRP_CERT_SCHEMA, schema ? schema : "missing");
		return NULL;
	}
	if (!prp_arr(o, "checks") || !prp_obj(o, "dut") || !prp_obj(o, "summary")) {
		g_set_error(error, PRP_ERROR, PRP_ERROR_SCHEMA, "%s without checks, dut or summary",
			    PRP_CERT_SCHEMA);
		return NULL;
	}
	return o;
}

/* A check's duration (microseconds) as JUnit's seconds. */
static void attr_usec(struct jw *j, gint64 us)
{
	g_autofree char *v = g_strdup_printf("%.6f", (double)us / 1e6);

	attr(j, "time", v);
}

static void cert_testcase(struct jw *j, JsonObject *c)
{
	const char *status = prp_str(c, "status"), *reason = prp_str(c, "reason");

	start(j, "testcase");
	attr(j, "classname", "certify");
	attr(j, "name", prp_str(c, "id"));
	attr_usec(j, prp_int(c, "duration_us"));
	if (strcmp(status, "pass") == 0) {
		start(j, "system-out");
		text(j, reason);
	} else if (strcmp(status, "fail") == 0) {
		start(j, "failure");
		attr(j, "type", "check");
		attr(j, "message", reason);
		text(j, reason);
	} else {
		start(j, "skipped");
		attr(j, "message", reason);
	}
	end(j);
	end(j);
}

static void cert_testsuites(struct jw *j, JsonObject *cert)
{
	JsonArray *checks = prp_arr(cert, "checks");
	JsonObject *sum = prp_obj(cert, "summary");
	g_autofree char *name =
		g_strdup_printf("certify %s", prp_str(prp_obj(cert, "dut"), "address"));
	gint64 us = 0;

	for (guint i = 0; i < prp_len(checks); i++)
		us += prp_int(prp_at(checks, i), "duration_us");
	start(j, "testsuites");
	start(j, "testsuite");
	attr(j, "name", name);
	attr_int(j, "tests", prp_len(checks));
	attr_int(j, "failures", prp_int(sum, "fail"));
	attr_int(j, "errors", 0);
	attr_int(j, "skipped", prp_int(sum, "skip"));
	attr_usec(j, us);
	for (guint i = 0; i < prp_len(checks); i++)
		cert_testcase(j, prp_at(checks, i));
	end(j);
	end(j);
}

/* The document body writes into an indented UTF-8 document, appended to out. */
static int xml_document(void (*body)(struct jw *j, JsonObject *o), JsonObject *o, GString *out,
			GError **error)
{
	xmlBufferPtr buf;
	struct jw j = { 0 };

	buf = xmlBufferCreate();
	j.w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	if (!j.w) {
		if (buf)
			xmlBufferFree(buf);
		g_set_error_literal(error, PRP_ERROR, PRP_ERROR_RENDER,
				    "libxml2 could not create a writer");
		return -ENOMEM;
	}
	j.failed = xmlTextWriterSetIndent(j.w, 1) < 0 ||
		   xmlTextWriterSetIndentString(j.w, BAD_CAST "  ") < 0 ||
		   xmlTextWriterStartDocument(j.w, NULL, "UTF-8", NULL) < 0;
	body(&j, o);
	if (!j.failed && xmlTextWriterEndDocument(j.w) < 0)
		j.failed = 1;
	xmlFreeTextWriter(j.w);
	if (j.failed) {
		xmlBufferFree(buf);
		g_set_error_literal(error, PRP_ERROR, PRP_ERROR_RENDER,
				    "libxml2 failed while writing the JUnit XML");
		return -EIO;
	}
	g_string_append_len(out, (const char *)xmlBufferContent(buf), xmlBufferLength(buf));
	xmlBufferFree(buf);
	return 0;
}

int prp_render_junit(JsonNode *result, GString *out, GError **error)
{
	int r = prp_result_check(result, NULL, error);

	return r < 0 ? r : xml_document(testsuites, json_node_get_object(result), out, error);
}

int prp_render_cert_junit(JsonNode *cert, GString *out, GError **error)
{
	JsonObject *o = prp_cert_root(cert, error);

	return o ? xml_document(cert_testsuites, o, out, error) : -EINVAL;
}
