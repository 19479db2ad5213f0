/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The HTML report: one page a person reads, failures first, topology pictures inline. */

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "html.h"
#include "internal.h"
#include "result.h"
#include "topology.h"

/*
 * The plan: the page is built in one GString, section by section, every piece of the result
 * escaped with g_markup_escape_text() on its way in. The topology pictures are drawn once;
 * the page inlines them and prp_render_html() also writes each to its own file. Nothing on
 * the page depends on anything but the result (its one timestamp is in the header).
 */

static const char css[] =
	"body{font:14px/1.45 'DejaVu Sans',system-ui,sans-serif;margin:0 auto;max-width:1280px;"
	"padding:0 1.5em 3em;color:#1d2329;background:#fff}"
	"h1{font-size:1.6em;margin:.8em 0 .2em}"
	"h2{font-size:1.25em;margin:1.8em 0 .6em;padding-bottom:.2em;border-bottom:1px solid "
	"#d0d7de}"
	"h3{font-size:1.05em;margin:1.1em 0 .4em}"
	".meta{color:#57606a;font-size:.92em}.meta span{margin-right:1.4em}"
	".banner{padding:.7em 1em;border-radius:6px;font-size:1.2em;font-weight:bold;"
	"margin:.8em 0}"
	".banner.pass{background:#dcf1dc;color:#1f5f1f;border:1px solid #3d8b3d}"
	".banner.fail{background:#f7d9d9;color:#7a1f1f;border:1px solid #b23b3b}"
	".tiles{display:flex;flex-wrap:wrap;gap:.6em}"
	".tile{border:1px solid #d0d7de;border-radius:6px;padding:.35em .9em;min-width:6.5em}"
	".tile b{display:block;font-size:1.5em}"
	"table{border-collapse:collapse;width:100%;margin:.4em 0}"
	"th,td{border:1px solid #d0d7de;padding:.3em .5em;text-align:left;vertical-align:top}"
	"th{background:#f3f5f7}"
	"code,pre,.mono{font-family:'DejaVu Sans Mono',monospace;font-size:.9em}"
	"pre{white-space:pre-wrap;margin:.3em 0}"
	".badge{display:inline-block;min-width:3.6em;text-align:center;border-radius:4px;"
	"padding:0 .4em;margin-right:.5em;font-size:.82em;font-weight:bold;color:#fff}"
	".badge.pass{background:#3d8b3d}.badge.fail{background:#b23b3b}"
	".badge.error{background:#8a3ab2}.badge.skip{background:#8c959f}"
	"tr.unexercised td{background:#fff4d6}tr.disagree td{background:#fbe9e9}"
	"td.expected{background:#eaf5ea}td.observed{background:#fbe9e9}"
	"article.failure{border-left:4px solid #b23b3b;padding:.1em 0 .1em .9em;margin:1em 0}"
	"article.failure.error{border-left-color:#8a3ab2}"
	"details{border:1px solid #d0d7de;border-radius:6px;margin:.35em 0;padding:.25em .7em}"
	"details[open]{padding-bottom:.6em}summary{cursor:pointer}"
	".legend .swatch{display:inline-block;width:1.2em;height:.9em;border:1px solid;"
	"border-radius:3px;vertical-align:middle;margin:0 .35em 0 1.2em}"
	"figure{margin:1em 0;overflow-x:auto}figure svg{max-width:100%;height:auto}"
	".none{color:#8c959f}.nowrap{white-space:nowrap}";

static void esc(GString *out, const char *s)
{
	g_autofree char *e = g_markup_escape_text(s ? s : "", -1);

	g_string_append(out, e);
}

/* <TAG class="CLASS">TEXT</TAG>, TEXT escaped; CLASS may be NULL. */
static void element(GString *out, const char *tag, const char *class, const char *text)
{
	g_string_append_printf(out, "<%s", tag);
	if (class)
		g_string_append_printf(out, " class=\"%s\"", class);
	g_string_append_c(out, '>');
	esc(out, text);
	g_string_append_printf(out, "</%s>", tag);
}

/* A status badge; STATUS is one of the checked enumerations, so it is a safe class name. */
static void badge(GString *out, const char *status)
{
	g_autofree char *class = g_strdup_printf("badge %s", status);

	element(out, "span", class, status);
}

static void meta(GString *out, const char *label, const char *value)
{
	g_string_append(out, "<span>");
	esc(out, label);
	g_string_append(out, ": <b>");
	esc(out, value ? value : "none");
	g_string_append(out, "</b></span>");
}

static void meta_int(GString *out, const char *label, gint64 value)
{
	g_autofree char *v = g_strdup_printf("%" G_GINT64_FORMAT, value);

	meta(out, label, v);
}

/* A list of strings as lines of one cell (or a grey dash when empty). */
static void cell_list(GString *out, JsonArray *a, const char *class)
{
	g_string_append(out, "<td");
	if (class)
		g_string_append_printf(out, " class=\"%s\"", class);
	g_string_append(out, ">");
	if (prp_len(a) == 0)
		g_string_append(out, "<span class=\"none\">&#8212;</span>");
	for (guint i = 0; i < prp_len(a); i++) {
		g_string_append(out, i ? "<br>" : "");
		esc(out, prp_str_at(a, i));
	}
	g_string_append(out, "</td>");
}

static void header(GString *out, JsonObject *root)
{
	JsonObject *tool = prp_obj(root, "tool"), *shard = prp_obj(root, "shard");
	g_autofree char *version =
		g_strdup_printf("%s %s", prp_str(tool, "name"), prp_str(tool, "version"));
	g_autofree char *part =
		prp_int(shard, "index") == 0 ?
			g_strdup_printf("merged from %" G_GINT64_FORMAT, prp_int(shard, "count")) :
			g_strdup_printf("%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT,
					prp_int(shard, "index"), prp_int(shard, "count"));

	g_string_append(out, "<header><h1>ptharness conformance report</h1><p class=\"meta\">");
	meta(out, "tool", version);
	meta(out, "generated", prp_str(root, "generated"));
	meta(out, "target", prp_str(root, "target"));
	meta(out, "shard", part);
	g_string_append(out, "</p></header>\n");
}

static guint rules_exercised(JsonArray *rules)
{
	guint n = 0;

	for (guint i = 0; i < prp_len(rules); i++) {
		JsonObject *e = prp_obj(prp_at(rules, i), "exercised");
		g_autoptr(GList) targets = json_object_get_members(e);
		gboolean any = FALSE;

		for (GList *l = targets; l; l = l->next)
			any = any || prp_len(prp_arr(e, l->data)) > 0;
		n += any;
	}
	return n;
}

static void tile(GString *out, const char *label, const char *value)
{
	g_string_append(out, "<div class=\"tile\"><b>");
	esc(out, value);
	g_string_append(out, "</b>");
	esc(out, label);
	g_string_append(out, "</div>");
}

static void tile_int(GString *out, const char *label, gint64 value)
{
	g_autofree char *v = g_strdup_printf("%" G_GINT64_FORMAT, value);

	tile(out, label, v);
}

static void summary(GString *out, JsonObject *root)
{
	JsonObject *s = prp_obj(root, "summary"), *fp = prp_obj(s, "fault_points");
	JsonArray *rules = prp_arr(root, "rules");
	gint64 failed = prp_int(s, "failed"), errors = prp_int(s, "errors");
	g_autofree char *seconds = prp_seconds(prp_int(s, "duration_ms"));
	g_autofree char *points = g_strdup_printf("%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT,
						  prp_int(fp, "held"), prp_int(fp, "tried"));
	g_autofree char *covered =
		g_strdup_printf("%u of %u", rules_exercised(rules), prp_len(rules));
	g_autofree char *banner = NULL;

	if (failed || errors)
		banner = g_strdup_printf("FAILED: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
					 " scenarios failed, %" G_GINT64_FORMAT " could not run",
					 failed, prp_int(s, "scenarios"), errors);
	else
		banner = g_strdup_printf("PASSED: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
					 " scenarios passed, %" G_GINT64_FORMAT " skipped",
					 prp_int(s, "passed"), prp_int(s, "scenarios"),
					 prp_int(s, "skipped"));
	g_string_append(out, "<section id=\"summary\"><h2>Summary</h2>");
	element(out, "div", failed || errors ? "banner fail" : "banner pass", banner);
	g_string_append(out, "<div class=\"tiles\">");
	tile_int(out, "scenarios", prp_int(s, "scenarios"));
	tile_int(out, "passed", prp_int(s, "passed"));
	tile_int(out, "failed", failed);
	tile_int(out, "errors", errors);
	tile_int(out, "skipped", prp_int(s, "skipped"));
	tile(out, "seconds", seconds);
	tile(out, "fault points held", points);
	tile(out, "rules exercised", covered);
	g_string_append(out, "</div></section>\n");
}

static void scenario_meta(GString *out, JsonObject *sc)
{
	JsonObject *fp = prp_obj(sc, "fault_points");
	g_autofree char *ms =
		g_strdup_printf("%" G_GINT64_FORMAT " ms", prp_int(sc, "duration_ms"));

	g_string_append(out, "<p class=\"meta\">");
	meta(out, "file", prp_str(sc, "file"));
	meta(out, "target", prp_str(sc, "target"));
	meta(out, "host", prp_str(sc, "host"));
	meta(out, "time", ms);
	if (prp_int(fp, "tried")) {
		g_autofree char *p =
			g_strdup_printf("%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " held",
					prp_int(fp, "held"), prp_int(fp, "tried"));

		meta(out, "fault points", p);
	}
	g_string_append(out, "</p>");
}

/* The expected vs observed table of a failed scenario (its failing steps, missing rules). */
static void expectations(GString *out, JsonObject *sc)
{
	JsonArray *steps = prp_arr(sc, "steps"), *missing = prp_arr(sc, "rules_missing");

	g_string_append(out, "<table class=\"expectations\"><tr><th>step</th><th>expectation</th>"
			     "<th>expected</th><th>observed</th></tr>");
	for (guint i = 0; i < prp_len(steps); i++) {
		JsonObject *st = prp_at(steps, i);
		JsonArray *fails = prp_arr(st, "failures");
		g_autofree char *title = prp_step_title(st);
		g_autofree char *outcome = prp_outcome_line(st);

		/* Trial row 19: what the failed step returned (code, errno, message, rule). */
		if (outcome) {
			g_string_append_printf(out, "<tr><td><code>%" G_GINT64_FORMAT " ",
					       prp_int(st, "index"));
			esc(out, title);
			g_string_append(out, "</code></td>");
			element(out, "td", "mono", "outcome");
			g_string_append(out, "<td></td>");
			element(out, "td", "observed mono", outcome + strlen("outcome: "));
			g_string_append(out, "</tr>");
		}
		for (guint k = 0; k < prp_len(fails); k++) {
			JsonObject *f = prp_at(fails, k);

			g_string_append_printf(out, "<tr><td><code>%" G_GINT64_FORMAT " ",
					       prp_int(st, "index"));
			esc(out, title);
			g_string_append(out, "</code></td>");
			element(out, "td", "mono", prp_str(f, "key"));
			element(out, "td", "expected mono",
				prp_str(f, "expected") ? prp_str(f, "expected") : "null");
			element(out, "td", "observed mono",
				prp_str(f, "observed") ? prp_str(f, "observed") : "null");
			g_string_append(out, "</tr>");
		}
	}
	for (guint i = 0; i < prp_len(missing); i++) {
		g_string_append(out, "<tr><td>(whole scenario)</td><td class=\"mono\">rule</td>");
		element(out, "td", "expected mono", prp_str_at(missing, i));
		element(out, "td", "observed mono", "never fired");
		g_string_append(out, "</tr>");
	}
	g_string_append(out, "</table>");
}

static gboolean failing(JsonObject *sc)
{
	const char *status = prp_str(sc, "status");

	return strcmp(status, "fail") == 0 || strcmp(status, "error") == 0;
}

static void scenario_heading(GString *out, const char *tag, JsonObject *sc)
{
	g_string_append_printf(out, "<%s>", tag);
	badge(out, prp_str(sc, "status"));
	element(out, "code", NULL, prp_str(sc, "id"));
	if (prp_str(sc, "title")) {
		g_string_append(out, " &#8212; ");
		esc(out, prp_str(sc, "title"));
	}
	g_string_append_printf(out, "</%s>", tag);
}

static void failures(GString *out, JsonArray *scenarios)
{
	guint n = 0;

	g_string_append(out, "<section id=\"failures\"><h2>Failures and errors</h2>");
	for (guint i = 0; i < prp_len(scenarios); i++) {
		JsonObject *sc = prp_at(scenarios, i);
		const char *msg = prp_str(sc, "message");
		gboolean error = strcmp(prp_str(sc, "status"), "error") == 0;

		if (!failing(sc))
			continue;
		n++;
		g_string_append_printf(out, "<article class=\"failure%s\">", error ? " error" : "");
		scenario_heading(out, "h3", sc);
		scenario_meta(out, sc);
		if (msg)
			element(out, "pre", NULL, msg);
		if (!error)
			expectations(out, sc);
		g_string_append(out, "</article>");
	}
	if (n == 0)
		g_string_append(out, "<p>No scenario failed.</p>");
	g_string_append(out, "</section>\n");
}

/* An outcome as "key=value, ...": null members and empty lists left out ("" for none). */
static char *outcome_text(JsonObject *outcome)
{
	g_autoptr(GList) names = outcome ? json_object_get_members(outcome) : NULL;
	GString *s = g_string_new(NULL);

	for (GList *l = names; l; l = l->next) {
		JsonNode *n = json_object_get_member(outcome, l->data);
		g_autofree char *v = NULL;

		if (JSON_NODE_HOLDS_NULL(n) || (JSON_NODE_HOLDS_ARRAY(n) &&
						json_array_get_length(json_node_get_array(n)) == 0))
			continue;
		if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING)
			v = g_strdup(json_node_get_string(n));
		else
			v = json_to_string(n, FALSE);
		g_string_append_printf(s, "%s%s=%s", s->len ? ", " : "", (char *)l->data, v);
	}
	return g_string_free(s, FALSE);
}

static void steps_table(GString *out, JsonArray *steps)
{
	if (prp_len(steps) == 0) {
		g_string_append(out, "<p class=\"none\">No steps ran.</p>");
		return;
	}
	g_string_append(out, "<table class=\"steps\"><tr><th>#</th><th>step</th><th>status</th>"
			     "<th>outcome</th><th>failed expectations</th></tr>");
	for (guint i = 0; i < prp_len(steps); i++) {
		JsonObject *st = prp_at(steps, i);
		JsonArray *fails = prp_arr(st, "failures");
		g_autofree char *title = prp_step_title(st);
		g_autofree char *outcome = outcome_text(prp_obj(st, "outcome"));
		g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);

		g_string_append_printf(out, "<tr><td>%" G_GINT64_FORMAT "</td>",
				       prp_int(st, "index"));
		element(out, "td", "mono", title);
		g_string_append(out, "<td>");
		badge(out, prp_str(st, "status"));
		g_string_append(out, "</td>");
		element(out, "td", "mono", outcome);
		for (guint k = 0; k < prp_len(fails); k++)
			g_ptr_array_add(lines, prp_expect_text(prp_at(fails, k)));
		g_string_append(out, "<td class=\"mono\">");
		for (guint k = 0; k < lines->len; k++) {
			g_string_append(out, k ? "<br>" : "");
			esc(out, lines->pdata[k]);
		}
		g_string_append(out, "</td></tr>");
	}
	g_string_append(out, "</table>");
}

static void scenarios(GString *out, JsonArray *scenarios)
{
	g_string_append(out, "<section id=\"scenarios\"><h2>All scenarios</h2>");
	for (guint i = 0; i < prp_len(scenarios); i++) {
		JsonObject *sc = prp_at(scenarios, i);
		g_autofree char *fired = prp_join(prp_arr(sc, "rules_fired"), ", ");
		g_autofree char *missing = prp_join(prp_arr(sc, "rules_missing"), ", ");

		g_string_append(out, "<details>");
		scenario_heading(out, "summary", sc);
		scenario_meta(out, sc);
		if (prp_str(sc, "message"))
			element(out, "pre", NULL, prp_str(sc, "message"));
		g_string_append(out, "<p class=\"meta\">");
		meta(out, "rules fired", *fired ? fired : NULL);
		if (*missing)
			meta(out, "rules that never fired", missing);
		g_string_append(out, "</p>");
		steps_table(out, prp_arr(sc, "steps"));
		g_string_append(out, "</details>");
	}
	g_string_append(out, "</section>\n");
}

/* The targets the rules table has columns for: fake, lab, live, then any other, once each. */
static GPtrArray *rule_targets(JsonArray *rules)
{
	static const char *const known[] = { "fake", "lab", "live" };
	GPtrArray *t = g_ptr_array_new();

	for (size_t i = 0; i < G_N_ELEMENTS(known); i++)
		g_ptr_array_add(t, (gpointer)known[i]);
	for (guint i = 0; i < prp_len(rules); i++) {
		g_autoptr(GList) names =
			json_object_get_members(prp_obj(prp_at(rules, i), "exercised"));

		for (GList *l = names; l; l = l->next)
			if (!g_ptr_array_find_with_equal_func(t, l->data, g_str_equal, NULL))
				g_ptr_array_add(t, l->data);
	}
	return t;
}

static void rules(GString *out, JsonArray *rules)
{
	g_autoptr(GPtrArray) targets = rule_targets(rules);
	g_autofree char *count = g_strdup_printf("%u of %u rules exercised; rows in yellow were "
						 "not exercised by any scenario on any target.",
						 rules_exercised(rules), prp_len(rules));

	g_string_append(out, "<section id=\"rules\"><h2>Rule coverage</h2>");
	element(out, "p", NULL, count);
	g_string_append(out, "<table class=\"rules\"><tr><th>rule</th><th>kind</th>"
			     "<th>statement</th>");
	for (guint i = 0; i < targets->len; i++)
		element(out, "th", NULL, targets->pdata[i]);
	g_string_append(out, "</tr>");
	for (guint i = 0; i < prp_len(rules); i++) {
		JsonObject *r = prp_at(rules, i), *e = prp_obj(r, "exercised");
		gboolean any = FALSE;

		for (guint k = 0; k < targets->len; k++)
			any = any || prp_len(prp_arr(e, targets->pdata[k])) > 0;
		g_string_append_printf(out, "<tr%s>", any ? "" : " class=\"unexercised\"");
		element(out, "td", "mono nowrap", prp_str(r, "id"));
		element(out, "td", NULL, prp_str(r, "kind"));
		g_string_append(out, "<td>");
		esc(out, prp_str(r, "statement"));
		if (prp_str(r, "source")) {
			g_string_append(out, "<br><span class=\"meta\">");
			esc(out, prp_str(r, "source"));
			g_string_append(out, "</span>");
		}
		g_string_append(out, "</td>");
		for (guint k = 0; k < targets->len; k++)
			cell_list(out, prp_arr(e, targets->pdata[k]), "mono");
		g_string_append(out, "</tr>");
	}
	g_string_append(out, "</table></section>\n");
}

static void fidelity(GString *out, JsonArray *rows)
{
	g_string_append(out,
			"<section id=\"fidelity\"><h2>Fidelity: fake vs lab kernel</h2>"
			"<p>Kernel rules exercised by scenarios that declare both targets: the "
			"verdict on each target (merge a fake and a lab result to compare "
			"them).</p>");
	if (prp_len(rows) == 0) {
		g_string_append(out, "<p class=\"none\">No such scenario ran.</p>"
				     "</section>\n");
		return;
	}
	g_string_append(out, "<table class=\"fidelity\"><tr><th>rule</th><th>fake</th>"
			     "<th>lab</th><th>agree</th></tr>");
	for (guint i = 0; i < prp_len(rows); i++) {
		JsonObject *f = prp_at(rows, i);
		gboolean known = !prp_is_null(f, "agree"), agree = prp_bool(f, "agree");

		g_string_append_printf(out, "<tr%s>", known && !agree ? " class=\"disagree\"" : "");
		element(out, "td", "mono nowrap", prp_str(f, "rule"));
		element(out, "td", NULL, prp_str(f, "fake"));
		element(out, "td", NULL, prp_str(f, "lab"));
		element(out, "td", known ? NULL : "none",
			!known ? "not known: one target has no verdict" :
			agree  ? "yes" :
				 "no");
		g_string_append(out, "</tr>");
	}
	g_string_append(out, "</table></section>\n");
}

/* Element I of A when it is an object (kernel_matrix is not checked by prp_result_check()). */
static JsonObject *obj_at(JsonArray *a, guint i)
{
	JsonNode *n = json_array_get_element(a, i);

	return JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

/* "agree/rows", and what differs: "109/109", "105/108, 3 known". */
static void matrix_cell(GString *out, JsonObject *c)
{
	g_autoptr(GString) t = g_string_new(NULL);
	gint64 known = prp_int(c, "known"), differ = prp_int(c, "differ");

	g_string_printf(t, "%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, prp_int(c, "agree"),
			prp_int(c, "rows"));
	if (known)
		g_string_append_printf(t, ", %" G_GINT64_FORMAT " known", known);
	if (differ)
		g_string_append_printf(t, ", %" G_GINT64_FORMAT " other", differ);
	element(out, "td", "nowrap", t->str);
}

/*
 * kernel_matrix (optional, ci/lab/fidelity adds it): fakesys against the generated kernel rows,
 * per attribute and per kernel series, the known differences counted and listed with their reason.
 */
static void kernel_matrix(GString *out, JsonObject *m)
{
	JsonArray *attrs = prp_arr(m, "attributes"), *known = prp_arr(m, "known");
	g_autoptr(GPtrArray) series = g_ptr_array_new(), names = g_ptr_array_new();
	g_autoptr(GHashTable) cells = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	if (!m)
		return;
	for (guint i = 0; i < prp_len(attrs); i++) {
		JsonObject *c = obj_at(attrs, i);
		const char *se = prp_str(c, "series"), *at = prp_str(c, "attribute");

		if (!se || !at)
			continue;
		if (!g_ptr_array_find_with_equal_func(series, se, g_str_equal, NULL))
			g_ptr_array_add(series, (char *)se);
		if (!g_ptr_array_find_with_equal_func(names, at, g_str_equal, NULL))
			g_ptr_array_add(names, (char *)at);
		g_hash_table_insert(cells, g_strdup_printf("%s\t%s", at, se), c);
	}
	g_string_append(out,
			"<section id=\"kernel-matrix\"><h2>Kernel matrix: fakesys vs the "
			"generated kernel rows</h2><p>Rows that agree of the rows generated in "
			"the lab, per attribute and kernel; known differences are listed below "
			"with their reason.</p><table class=\"matrix\"><tr><th>attribute</th>");
	for (guint k = 0; k < series->len; k++)
		element(out, "th", NULL, series->pdata[k]);
	g_string_append(out, "</tr>");
	for (guint i = 0; i < names->len; i++) {
		gboolean bad = FALSE;
		GString *row = g_string_new(NULL);

		element(row, "td", "mono", names->pdata[i]);
		for (guint k = 0; k < series->len; k++) {
			g_autofree char *key = g_strdup_printf("%s\t%s", (char *)names->pdata[i],
							       (char *)series->pdata[k]);
			JsonObject *c = g_hash_table_lookup(cells, key);

			if (c)
				matrix_cell(row, c);
			else
				element(row, "td", "none", "no rows");
			bad |= c && prp_int(c, "differ") > 0;
		}
		g_string_append_printf(out, "<tr%s>%s</tr>", bad ? " class=\"disagree\"" : "",
				       row->str);
		g_string_free(row, TRUE);
	}
	g_string_append(out, "</table><table><tr><th>kernel</th><th>known difference (row ids)"
			     "</th><th>rows</th><th>reason</th></tr>");
	for (guint i = 0; i < prp_len(known); i++) {
		JsonObject *k = obj_at(known, i);
		g_autofree char *n = g_strdup_printf("%" G_GINT64_FORMAT, prp_int(k, "rows"));

		g_string_append(out, "<tr>");
		element(out, "td", NULL, prp_str(k, "series"));
		element(out, "td", "mono", prp_str(k, "pattern"));
		element(out, "td", NULL, n);
		element(out, "td", NULL, prp_str(k, "reason"));
		g_string_append(out, "</tr>");
	}
	if (!prp_len(known))
		g_string_append(out, "<tr><td colspan=\"4\" class=\"none\">none</td></tr>");
	g_string_append(out, "</table></section>\n");
}

static void legend(GString *out)
{
	g_string_append(out, "<p class=\"legend\">IOMMU groups:");
	for (int s = 0; s < PRP_GROUP_STATE_MAX; s++) {
		const struct prp_group_style *st = prp_group_style(s);

		g_string_append_printf(out,
				       "<span class=\"swatch\" style=\"background:%s;"
				       "border-color:%s\"></span>",
				       st->fill, st->border);
		esc(out, st->name);
	}
	g_string_append(out, ". Solid arrows: bridge to device; dashed arrows: PF to VF; "
			     "square boxes are bridges; a thick red border and HOST-CRITICAL: a "
			     "device the host needs (boot VGA, storage, the default route). Each "
			     "picture is the host as the scenarios it names left it.</p>");
}

static guint viable_groups(JsonArray *groups)
{
	guint n = 0;

	for (guint i = 0; i < prp_len(groups); i++)
		n += prp_bool(prp_at(groups, i), "viable");
	return n;
}

/* host-NAME.svg, NAME kept to letters, digits, '.', '_' and '-' (so it stays in DIR). */
static char *host_file(JsonObject *host)
{
	g_autofree char *base = g_strdup(prp_str(host, "name"));

	g_strcanon(base, G_CSET_A_2_Z G_CSET_a_2_z G_CSET_DIGITS "._-", '_');
	return g_strdup_printf("host-%s.svg", base);
}

static void host_figure(GString *out, JsonObject *host, const char *svg)
{
	g_autofree char *file = host_file(host);
	JsonArray *groups = prp_arr(host, "groups");

	g_string_append(out, "<figure class=\"host\">");
	element(out, "h3", NULL, prp_str(host, "name"));
	g_string_append(out, "<p class=\"meta\">");
	meta(out, "kernel", prp_str(host, "kernel"));
	meta(out, "recording", prp_str(host, "source"));
	meta_int(out, "devices", prp_len(prp_arr(host, "devices")));
	meta_int(out, "IOMMU groups", prp_len(groups));
	meta_int(out, "viable", viable_groups(groups));
	/* scenarios (optional): the ones whose end state this picture is */
	if (prp_len(prp_arr(host, "scenarios"))) {
		JsonArray *sc = prp_arr(host, "scenarios");
		g_autoptr(GString) ids = g_string_new(NULL);

		for (guint i = 0; i < prp_len(sc); i++) {
			JsonNode *e = json_array_get_element(sc, i);

			if (JSON_NODE_HOLDS_VALUE(e) &&
			    json_node_get_value_type(e) == G_TYPE_STRING)
				g_string_append_printf(ids, "%s%s", ids->len ? ", " : "",
						       json_node_get_string(e));
		}
		meta(out, "end state of", ids->str);
	}
	g_string_append(out, "<span><a href=\"");
	esc(out, file);
	g_string_append(out, "\">picture as a file</a></span></p>\n");
	g_string_append(out, svg);
	g_string_append(out, "</figure>\n");
}

/* Lay out every host with one graphviz context; SVGS receives each picture (owned), in order. */
static int topologies(JsonArray *hosts, GPtrArray *svgs, GError **error)
{
	struct prp_topology *t = NULL;
	int r = prp_topology_new(&t, error);

	for (guint i = 0; r == 0 && i < prp_len(hosts); i++) {
		char *svg = NULL;

		r = prp_topology_svg(t, prp_at(hosts, i), &svg, error);
		if (r == 0)
			g_ptr_array_add(svgs, svg);
	}
	prp_topology_free(t);
	return r;
}

static void hosts(GString *out, JsonArray *hosts, GPtrArray *svgs)
{
	g_string_append(out, "<section id=\"hosts\"><h2>Hosts: PCI topology and IOMMU groups"
			     "</h2>");
	legend(out);
	for (guint i = 0; i < prp_len(hosts); i++)
		host_figure(out, prp_at(hosts, i), svgs->pdata[i]);
	g_string_append(out, "</section>\n");
}

static void page(GString *out, JsonObject *root, GPtrArray *svgs)
{
	JsonObject *s = prp_obj(root, "summary");
	g_autofree char *title = g_strdup_printf(
		"ptharness %s: %s, %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " passed",
		prp_str(root, "target"),
		prp_int(s, "failed") || prp_int(s, "errors") ? "FAILED" : "PASSED",
		prp_int(s, "passed"), prp_int(s, "scenarios"));

	g_string_append(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			     "<meta name=\"viewport\" content=\"width=device-width\">");
	element(out, "title", NULL, title);
	g_string_append_printf(out, "<style>%s</style></head>\n<body>\n", css);
	header(out, root);
	summary(out, root);
	failures(out, prp_arr(root, "scenarios"));
	scenarios(out, prp_arr(root, "scenarios"));
	rules(out, prp_arr(root, "rules"));
	fidelity(out, prp_arr(root, "fidelity"));
	kernel_matrix(out, prp_obj(root, "kernel_matrix"));
	hosts(out, prp_arr(root, "hosts"), svgs);
	g_string_append(out, "</body></html>\n");
}

static int render(JsonNode *result, GString *out, GPtrArray *svgs, GError **error)
{
	int r = prp_result_check(result, NULL, error);

	if (r < 0)
		return r;
	r = topologies(prp_arr(json_node_get_object(result), "hosts"), svgs, error);
	if (r < 0)
		return r;
	page(out, json_node_get_object(result), svgs);
	return 0;
}

int prp_render_html_page(JsonNode *result, GString *out, GError **error)
{
	g_autoptr(GPtrArray) svgs = g_ptr_array_new_with_free_func(g_free);

	return render(result, out, svgs, error);
}

static int write_file(const char *dir, const char *name, const char *data, GError **error)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) e = NULL;

	if (!g_file_set_contents(path, data, -1, &e)) {
		g_set_error_literal(error, PRP_ERROR, PRP_ERROR_IO, e->message);
		return -EIO;
	}
	return 0;
}

int prp_render_html(JsonNode *result, const char *dir, GError **error)
{
	g_autoptr(GPtrArray) svgs = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GString) out = g_string_new(NULL);
	JsonArray *hs;
	int r;

	r = render(result, out, svgs, error);
	if (r < 0)
		return r;
	if (g_mkdir_with_parents(dir, 0755) < 0) {
		r = -errno;
		g_set_error(error, PRP_ERROR, PRP_ERROR_IO, "%s: %s", dir, g_strerror(-r));
		return r;
	}
	hs = prp_arr(json_node_get_object(result), "hosts");
	for (guint i = 0; i < prp_len(hs); i++) {
		g_autofree char *name = host_file(prp_at(hs, i));
		g_autofree char *data = g_strconcat(
			"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n",
			svgs->pdata[i], NULL);
		r = write_file(dir, name, data, error);
		if (r < 0)
			return r;
	}
	return write_file(dir, "index.html", out->str, error);
}

/* ---- the certificate of `ptharness certify` ---- */

/* <tr><th>KEY</th><td>VALUE</td></tr>, VALUE escaped (empty when NULL). */
static void cert_row(GString *out, const char *key, const char *value)
{
	g_string_append(out, "<tr><th>");
	esc(out, key);
	g_string_append(out, "</th><td>");
	esc(out, value);
	g_string_append(out, "</td></tr>\n");
}

static void cert_identity(GString *out, JsonObject *cert)
{
	JsonObject *dut = prp_obj(cert, "dut"), *k = prp_obj(cert, "kernel");
	g_autofree char *name = g_strdup_printf("%s %s", prp_str(dut, "vendor_name") ?: "",
						prp_str(dut, "device_name") ?: "");
	g_autofree char *ids = g_strdup_printf(
		"%s:%s (subsystem %s:%s), class %s, rev %s", prp_str(dut, "vendor"),
		prp_str(dut, "device"), prp_str(dut, "subsystem_vendor"),
		prp_str(dut, "subsystem_device"), prp_str(dut, "class"), prp_str(dut, "revision"));
	g_autofree char *fw = prp_str(dut, "firmware") ?
				      g_strdup_printf("%s (sysfs %s)", prp_str(dut, "firmware"),
						      prp_str(dut, "firmware_file")) :
				      g_strdup("not shown in sysfs");

	g_string_append(out, "<table>\n");
	cert_row(out, "Device", name);
	cert_row(out, "Ids", ids);
	cert_row(out, "Driver", prp_str(dut, "driver"));
	cert_row(out, "Driver version", prp_str(dut, "driver_version"));
	cert_row(out, "Firmware", fw);
	cert_row(out, "Model", prp_str(dut, "model"));
	cert_row(out, "Kernel", prp_str(k, "release"));
	cert_row(out, "Command line", prp_str(k, "cmdline"));
	cert_row(out, "Host", prp_str(cert, "host"));
	cert_row(out, "Profile", prp_str(cert, "profile"));
	cert_row(out, "Tool", prp_str(cert, "tool"));
	cert_row(out, "Created", prp_str(cert, "created"));
	g_string_append(out, "</table>\n");
}

static void cert_checks(GString *out, JsonArray *checks)
{
	g_string_append(out, "<h2>Checks</h2>\n<table>\n<tr><th>Check</th><th>Status</th>"
			     "<th>Reason</th><th>Seconds</th></tr>\n");
	for (guint i = 0; i < prp_len(checks); i++) {
		JsonObject *c = prp_at(checks, i);

		g_string_append(out, "<tr><td>");
		esc(out, prp_str(c, "id"));
		g_string_append(out, "<br><small>");
		esc(out, prp_str(c, "title"));
		g_string_append(out, "</small></td><td>");
		badge(out, prp_str(c, "status"));
		g_string_append(out, "</td>");
		element(out, "td", NULL, prp_str(c, "reason"));
		g_string_append_printf(out, "<td>%.3f</td></tr>\n",
				       (double)prp_int(c, "duration_us") / 1e6);
	}
	g_string_append(out, "</table>\n");
}

int prp_render_cert_html(JsonNode *cert, GString *out, GError **error)
{
	JsonObject *o = prp_cert_root(cert, error);
	gboolean certified;
	g_autofree char *title = NULL;

	if (!o)
		return -EINVAL;
	certified = g_strcmp0(prp_str(o, "verdict"), "certified") == 0;
	title = g_strdup_printf("Passthrough certificate: %s",
				prp_str(prp_obj(o, "dut"), "address"));
	g_string_append(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
	element(out, "title", NULL, title);
	g_string_append_printf(out, "\n<style>%s</style></head>\n<body>\n", css);
	element(out, "h1", NULL, title);
	g_string_append_printf(out, "\n<p class=\"banner %s\">%s</p>\n",
			       certified ? "pass" : "fail",
			       certified ? "Certified" : "Not certified");
	cert_identity(out, o);
	cert_checks(out, prp_arr(o, "checks"));
	g_string_append(out, "<p>The host as it was before any change: "
			     "<a href=\"host.umockdev\">host.umockdev</a> (replay with "
			     "<code>ptharness inspect --host host.umockdev</code>).</p>\n"
			     "</body></html>\n");
	return 0;
}
