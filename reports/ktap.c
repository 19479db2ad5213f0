/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* KTAP version 1: a test per scenario, a subtest per step, diagnostics for what failed. */

#include <errno.h>
#include <string.h>

#include "internal.h"
#include "ktap.h"
#include "result.h"

/* A description or directive text: one line, and no '#' (which would start a directive). */
static char *one_line(const char *s)
{
	char *out = g_strdup(s ? s : "");

	g_strdelimit(out, "\r\n#", ' ');
	return out;
}

static void diagnostic(GString *out, const char *indent, const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (char **l = lines; *l; l++)
		g_string_append_printf(out, "%s# %s\n", indent, *l);
}

static void steps(GString *out, JsonArray *steps)
{
	if (prp_len(steps) == 0)
		return;
	g_string_append_printf(out, "    KTAP version 1\n    1..%u\n", prp_len(steps));
	for (guint i = 0; i < prp_len(steps); i++) {
		JsonObject *st = prp_at(steps, i);
		JsonArray *fails = prp_arr(st, "failures");
		g_autofree char *title = prp_step_title(st);
		g_autofree char *desc = one_line(title);
		g_autofree char *outcome = prp_outcome_line(st);

		for (guint k = 0; k < prp_len(fails); k++) {
			g_autofree char *e = prp_expect_text(prp_at(fails, k));

			diagnostic(out, "    ", e);
		}
		/* Trial row 19: what the step returned, not only what was expected of it. */
		if (outcome)
			diagnostic(out, "    ", outcome);
		g_string_append_printf(out, "    %s %u %s\n",
				       strcmp(prp_str(st, "status"), "pass") == 0 ? "ok" : "not ok",
				       i + 1, desc);
	}
}

/* How each scenario status ends its result line. */
static const struct {
	const char *status;
	const char *result;
	const char *directive; /* followed by the scenario's message */
} results[] = {
	{ "pass", "ok", NULL },
	{ "fail", "not ok", NULL },
	{ "error", "not ok", "ERROR" },
	{ "skip", "ok", "SKIP" },
};

static void scenario(GString *out, JsonObject *s, guint n)
{
	const char *status = prp_str(s, "status"), *msg = prp_str(s, "message");
	JsonArray *missing = prp_arr(s, "rules_missing");
	g_autofree char *id = one_line(prp_str(s, "id"));

	steps(out, prp_arr(s, "steps"));
	for (guint i = 0; i < prp_len(missing); i++)
		g_string_append_printf(out, "# %s: rule %s never fired\n", id,
				       prp_str_at(missing, i));
	for (size_t i = 0; i < G_N_ELEMENTS(results); i++) {
		g_autofree char *why = NULL;

		if (strcmp(status, results[i].status) != 0)
			continue;
		if (!results[i].directive) {
			if (msg && strcmp(status, "fail") == 0)
				diagnostic(out, "", msg);
			g_string_append_printf(out, "%s %u %s\n", results[i].result, n, id);
			return;
		}
		why = one_line(msg);
		g_string_append_printf(out, "%s %u %s # %s%s%s\n", results[i].result, n, id,
				       results[i].directive, *why ? " " : "", why);
		return;
	}
}

int prp_render_ktap(JsonNode *result, GString *out, GError **error)
{
	JsonObject *root, *summary, *shard, *tool;
	JsonArray *scenarios;
	int r;

	r = prp_result_check(result, NULL, error);
	if (r < 0)
		return r;
	root = json_node_get_object(result);
	summary = prp_obj(root, "summary");
	shard = prp_obj(root, "shard");
	tool = prp_obj(root, "tool");
	scenarios = prp_arr(root, "scenarios");

	g_string_append(out, "KTAP version 1\n");
	g_string_append_printf(
		out,
		"# %s %s, target %s, shard %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
		": %" G_GINT64_FORMAT " passed, %" G_GINT64_FORMAT " failed, %" G_GINT64_FORMAT
		" errors, %" G_GINT64_FORMAT " skipped\n",
		prp_str(tool, "name"), prp_str(tool, "version"), prp_str(root, "target"),
		prp_int(shard, "index"), prp_int(shard, "count"), prp_int(summary, "passed"),
		prp_int(summary, "failed"), prp_int(summary, "errors"),
		prp_int(summary, "skipped"));
	g_string_append_printf(out, "1..%u\n", prp_len(scenarios));
	for (guint i = 0; i < prp_len(scenarios); i++)
		scenario(out, prp_at(scenarios, i), i + 1);
	return 0;
}
