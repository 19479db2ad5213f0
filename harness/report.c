/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ptharness report`: render a canonical result as JUnit, KTAP or HTML; merge shards' results. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "html.h"
#include "junit.h"
#include "ktap.h"
#include "merge.h"
#include "module.h"
#include "report.h"
#include "resource.h"
#include "output.h"
#include "result.h"

static void usage(FILE *f)
{
	fputs("Usage: ptharness report render RESULT.json [--junit FILE] [--ktap] [--html DIR]\n"
	      "       ptharness report merge A.json B.json... -o OUT.json\n"
	      "\n"
	      "Render the canonical result of `ptharness run --json` (schema " PRP_RESULT_SCHEMA
	      ")\n"
	      "as other reports, or join the results of a sharded run (--shard K/N) into one.\n"
	      "\n"
	      "render:\n"
	      "  --junit FILE   JUnit XML (a suite per category, a test case per scenario)\n"
	      "  --ktap         KTAP version 1 on stdout (a subtest per step)\n"
	      "  --html DIR     DIR/index.html, one page with the summary, failures, rule\n"
	      "                 coverage and each host's topology (also DIR/host-NAME.svg)\n"
	      "merge:\n"
	      "  -o, --output FILE   where to write the merged result\n"
	      "\n"
	      "Exit status: 0 written, 2 usage or input error (one line naming the file).\n"
	      "See docs/reports.md.\n",
	      f);
}

static int input_error(const char *what, const char *arg)
{
	fprintf(stderr, "ptharness report: %s%s%s%s (see ptharness report --help)\n", what,
		arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
	return PTH_EXIT_INPUT;
}

static int failed(const GError *error)
{
	fprintf(stderr, "ptharness report: %s\n", error->message);
	return PTH_EXIT_INPUT;
}

/* getopt's complaint about argv[optind - 1]. */
static int bad_option(int c, char **argv)
{
	return input_error(c == ':' ? "option needs a value:" : "unknown option", argv[optind - 1]);
}

/*
 * The writers (libreports, with libxml2 and graphviz) are a module loaded only when a report is
 * rendered or merged: linked into ptharness they cost every command, inspect included, about
 * 4 ms of start-up for twenty more libraries. Each pointer has the type of the function it
 * stands for, so the compiler checks the module's interface as if it were linked.
 */
struct writers {
	__typeof__(prp_result_load) *result_load;
	__typeof__(prp_result_to_data) *result_to_data;
	__typeof__(prp_merge) *merge;
	__typeof__(prp_render_junit) *render_junit;
	__typeof__(prp_render_ktap) *render_ktap;
	__typeof__(prp_render_html) *render_html;
	__typeof__(prp_render_cert_junit) *render_cert_junit;
	__typeof__(prp_render_cert_html) *render_cert_html;
};

static const struct writers *writers(GError **error)
{
	static struct writers w;
	static bool loaded;
	g_autofree char *path = NULL;
	const struct pth_symbol syms[] = {
		{ "prp_result_load", (gpointer *)&w.result_load },
		{ "prp_result_to_data", (gpointer *)&w.result_to_data },
		{ "prp_merge", (gpointer *)&w.merge },
		{ "prp_render_junit", (gpointer *)&w.render_junit },
		{ "prp_render_ktap", (gpointer *)&w.render_ktap },
		{ "prp_render_html", (gpointer *)&w.render_html },
		{ "prp_render_cert_junit", (gpointer *)&w.render_cert_junit },
		{ "prp_render_cert_html", (gpointer *)&w.render_cert_html },
	};

	if (loaded)
		return &w;
	path = pth_resource_find(PTH_RESOURCE_REPORTS_MODULE, error);
	loaded = path && pth_module_load(path, "the report writers",
					 " (set PTH_REPORTS_MODULE to " PTH_REPORTS_MODULE_NAME ")",
					 syms, G_N_ELEMENTS(syms), error);
	return loaded ? &w : NULL;
}

static int write_out(const char *file, const GString *s, GError **error)
{
	return pth_write_file(file, s->str, s->len, error) < 0 ? -1 : 0;
}

int pth_report_render(JsonNode *result, const char *junit, bool ktap, const char *html,
		      GError **error)
{
	g_autoptr(GString) kt = g_string_new(NULL);
	const struct writers *w = writers(error);

	if (!w)
		return -ENOENT;
	if (junit) {
		g_autoptr(GString) xml = g_string_new(NULL);

		if (w->render_junit(result, xml, error) < 0 || write_out(junit, xml, error) < 0)
			return -EIO;
	}
	if (html && w->render_html(result, html, error) < 0)
		return -EIO;
	/* KTAP last and whole: nothing reaches stdout unless everything else worked. */
	if (ktap) {
		if (w->render_ktap(result, kt, error) < 0)
			return -EIO;
		fputs(kt->str, stdout);
	}
	return 0;
}

int pth_report_certificate(JsonNode *cert, GString *junit, GString *html, GError **error)
{
	const struct writers *w = writers(error);

	if (!w)
		return -ENOENT;
	if (w->render_cert_junit(cert, junit, error) < 0 ||
	    w->render_cert_html(cert, html, error) < 0)
		return -EIO;
	return 0;
}

static int render(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "junit", required_argument, NULL, 'j' },
		{ "ktap", no_argument, NULL, 'k' },
		{ "html", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *junit = NULL, *html = NULL;
	gboolean ktap = FALSE;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) result = NULL;
	const struct writers *w;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":j:kH:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			junit = optarg;
			break;
		case 'k':
			ktap = TRUE;
			break;
		case 'H':
			html = optarg;
			break;
		case 'h':
			usage(stdout);
			return PTH_EXIT_OK;
		default:
			return bad_option(c, argv);
		}
	}
	if (optind >= argc)
		return input_error("render needs a RESULT.json", NULL);
	if (optind + 1 < argc)
		return input_error("unexpected argument", argv[optind + 1]);
	if (!junit && !ktap && !html)
		return input_error("nothing to render: give --junit FILE, --ktap or --html DIR",
				   NULL);
	if (!(w = writers(&error)) || w->result_load(argv[optind], &result, &error) < 0)
		return failed(error);
	if (pth_report_render(result, junit, ktap, html, &error) < 0)
		return failed(error);
	return fflush(stdout) == 0 ? PTH_EXIT_OK : PTH_EXIT_INPUT;
}

static int merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	g_autoptr(GPtrArray) results =
		g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) merged = NULL;
	g_autofree char *data = NULL;
	const char *output = NULL;
	const struct writers *w;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'h':
			usage(stdout);
			return PTH_EXIT_OK;
		default:
			return bad_option(c, argv);
		}
	}
	if (!output)
		return input_error("merge needs -o OUT.json", NULL);
	if (optind >= argc)
		return input_error("merge needs at least one result", NULL);
	if (!(w = writers(&error)))
		return failed(error);
	for (int i = optind; i < argc; i++) {
		JsonNode *r = NULL;

		if (w->result_load(argv[i], &r, &error) < 0)
			return failed(error);
		g_ptr_array_add(results, r);
	}
	if (w->merge((JsonNode **)results->pdata, results->len, &merged, &error) < 0)
		return failed(error);
	data = w->result_to_data(merged);
	if (pth_write_file(output, data, strlen(data), &error) < 0)
		return failed(error);
	return PTH_EXIT_OK;
}

/* The report subcommands, by name. */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} subcommands[] = {
	{ "render", render },
	{ "merge", merge },
};

int pth_cmd_report(int argc, char **argv)
{
	if (argc < 2)
		return input_error("needs render or merge", NULL);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return PTH_EXIT_OK;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(subcommands); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	return input_error("unknown subcommand", argv[1]);
}
