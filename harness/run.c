/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ptharness run`: the scenario suite (or given files) on fake or live hosts, with reports. */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certify.h"
#include "commands.h"
#include "host.h"
#include "output.h"
#include "report.h"
#include "resource.h"
#include "result.h"
#include "runctx.h"
#include "size.h"
#include "suite.h"

static void usage(FILE *f)
{
	fputs("Usage: ptharness run [PATH...] [--target fake|lab|live] [--shard K/N] [-j N]\n"
	      "                     [--faults all] [--json FILE] [--junit FILE] [--ktap]\n"
	      "                     [--html DIR] [--root DIR] [--dut BDF] [--quiet]\n"
	      "\n"
	      "Run scenario files (ptharness-scenario(5)): PATHs are files or directories; with none,\n"
	      "the bundled suite. Each scenario gets a fresh model of its recorded host (fake) or\n"
	      "runs on this machine (live). Exit status: 0 all passed, 1 a scenario failed, 2 a\n"
	      "scenario could not be loaded (it is reported as an error; the others still run).\n"
	      "\n"
	      "  --target T     fake (default); live: this machine (faults and host.set skip);\n"
	      "                 lab: the same inside the lab's guest, for the scenarios that\n"
	      "                 declare lab (ci/lab/suite runs it there)\n"
	      "  --shard K/N    run the K-th of N stable parts (merge: ptharness report merge)\n"
	      "  -j, --jobs N   scenarios in parallel (default: the number of CPUs)\n"
	      "  --faults all   also rerun every scenario with a fault at each mutating step and\n"
	      "                 check the host ends as it began or says what it could not restore\n"
	      "  --json FILE    the canonical result (docs/result-schema.md)\n"
	      "  --junit FILE   JUnit XML; --ktap: KTAP on stdout; --html DIR: the HTML report\n"
	      "  --root DIR     the suite directory scenario ids are relative to\n"
	      "  --dut BDF      the device under test: $DUT and $DUT.vf[i] in the scenarios, and\n"
	      "                 certify's checks (scenarios/certify/PROFILE) on live or lab; the\n"
	      "                 scenarios then run one at a time\n"
	      "  --quiet        no progress line (there is none either when standard error is\n"
	      "                 not a terminal, or when CI is set)\n",
	      f);
}

/* Whether the paths a and b name the same directory. */
static bool same_dir(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/*
 * The suite that ships with the binary (resource.h), else a checkout run from its top. Run
 * from the top of the checkout it was built from, the suite is named "scenarios" as before,
 * so that the result's file and recording paths stay relative.
 */
static char *default_suite(void)
{
	g_autoptr(GError) error = NULL;
	char *dir = pth_resource_find(PTH_RESOURCE_SCENARIOS, &error);

	if (g_file_test("scenarios/hosts", G_FILE_TEST_IS_DIR) &&
	    (!dir || same_dir(dir, "scenarios"))) {
		g_free(dir);
		return g_strdup("scenarios");
	}
	if (!dir)
		fprintf(stderr, "ptharness run: %s\n", error->message);
	return dir;
}

/* What the command line asked for besides the run itself. */
struct run_cli {
	struct pth_run_options o;
	const char *json, *junit, *html;
	bool ktap;
	char **paths;
	char *dflt[2];
	char dut[PT_ADDRESS_SIZE]; /* --dut in the kernel's form */
};

static int input_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static int input_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ptharness run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return PTH_EXIT_INPUT;
}

/* A decimal in [lo, hi] (the whole argument), or -1. */
static long long parse_range(const char *s, long long lo, long long hi)
{
	long long v;

	return pth_parse_int(s, lo, hi, &v) < 0 ? -1 : v;
}

static int set_shard(struct run_cli *cli, const char *arg)
{
	g_auto(GStrv) kn = g_strsplit(arg, "/", 3);
	long long k = g_strv_length(kn) == 2 ? parse_range(kn[0], 1, 1000000) : -1;
	long long n = g_strv_length(kn) == 2 ? parse_range(kn[1], 1, 1000000) : -1;

	if (k < 0 || n < 0 || k > n)
		return input_error("--shard takes K/N with 1 <= K <= N <= 1000000, not '%s'", arg);
	cli->o.shard_index = (unsigned)k;
	cli->o.shard_count = (unsigned)n;
	return 0;
}

/* One option; returns 0, or an exit status to stop with. */
static int parse_option(struct run_cli *cli, int c, char **argv)
{
	int t;

	switch (c) {
	case 't':
		t = pth_target_from_string(optarg);
		if (t < 0)
			return input_error("unknown target '%s' (fake, lab, live)", optarg);
		cli->o.target = (unsigned)t;
		return 0;
	case 's':
		return set_shard(cli, optarg);
	case 'j':
		t = (int)parse_range(optarg, 1, 256);
		if (t < 0)
			return input_error("-j takes 1..256, not '%s'", optarg);
		cli->o.jobs = (unsigned)t;
		return 0;
	case 'F':
		if (strcmp(optarg, "all") != 0)
			return input_error("--faults takes 'all', not '%s'", optarg);
		cli->o.faults_all = true;
		return 0;
	case 'J':
		cli->json = optarg;
		return 0;
	case 'U':
		cli->junit = optarg;
		return 0;
	case 'k':
		cli->ktap = true;
		return 0;
	case 'H':
		cli->html = optarg;
		return 0;
	case 'r':
		if (!g_file_test(optarg, G_FILE_TEST_IS_DIR))
			return input_error("--root %s: %s", optarg,
					   g_file_test(optarg, G_FILE_TEST_EXISTS) ?
						   "not a directory" :
						   g_strerror(ENOENT));
		cli->o.root = optarg;
		return 0;
	case 'D':
		if (pt_address_canonical(optarg, cli->dut) < 0)
			return input_error("--dut takes a PCI address (DDDD:BB:SS.F or BB:SS.F), "
					   "not '%s'",
					   optarg);
		cli->o.dut = cli->dut;
		return 0;
	case 'q':
		cli->o.progress = false;
		return 0;
	case 'h':
		usage(stdout);
		return -1;
	default:
		fprintf(stderr, "ptharness run: %s '%s' (see ptharness run --help)\n",
			c == ':' ? "option needs a value:" : "unknown option", argv[optind - 1]);
		return PTH_EXIT_INPUT;
	}
}

/* The options, then the paths (the bundled suite without any). Returns 0, -1 after --help,
 * or an exit status. */
static int parse_args(struct run_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "shard", required_argument, NULL, 's' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "faults", required_argument, NULL, 'F' },
		{ "json", required_argument, NULL, 'J' },
		{ "junit", required_argument, NULL, 'U' },
		{ "ktap", no_argument, NULL, 'k' },
		{ "html", required_argument, NULL, 'H' },
		{ "root", required_argument, NULL, 'r' },
		{ "dut", required_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:s:j:F:J:U:kH:r:D:qh", opts, NULL)) != -1)
		if ((r = parse_option(cli, c, argv)) != 0)
			return r;
	if (optind < argc) {
		cli->paths = argv + optind;
	} else {
		cli->dflt[0] = default_suite();
		if (!cli->dflt[0])
			return PTH_EXIT_INPUT;
		cli->paths = cli->dflt;
		if (!cli->o.root)
			cli->o.root = cli->dflt[0];
	}
	if (!cli->o.root && optind == argc - 1 && g_file_test(cli->paths[0], G_FILE_TEST_IS_DIR))
		cli->o.root = cli->paths[0];
	return 0;
}

/* The failed steps' expectations of one scenario that did not pass. */
static void print_failures(JsonObject *s)
{
	JsonArray *steps = json_object_get_array_member(s, "steps");

	printf("%s %s: %s\n", json_object_get_string_member(s, "status"),
	       json_object_get_string_member(s, "id"),
	       json_object_get_string_member_with_default(
		       s, "message", json_object_get_string_member(s, "title")));
	for (guint k = 0; k < json_array_get_length(steps); k++) {
		JsonObject *step = json_array_get_object_element(steps, k);
		JsonArray *f = json_object_get_array_member(step, "failures");

		for (guint m = 0; m < json_array_get_length(f); m++) {
			JsonObject *x = json_array_get_object_element(f, m);

			printf("  step %" G_GINT64_FORMAT " %s: %s: expected %s, observed %s\n",
			       json_object_get_int_member(step, "index"),
			       json_object_get_string_member(step, "verb"),
			       json_object_get_string_member(x, "key"),
			       json_object_get_string_member(x, "expected"),
			       json_object_get_string_member(x, "observed"));
		}
	}
}

/* One line per scenario that did not pass (nor skipped), then the totals. */
static void print_summary(JsonNode *result, bool faults_all)
{
	JsonObject *root = json_node_get_object(result);
	JsonObject *summary = json_object_get_object_member(root, "summary");
	JsonObject *fp = json_object_get_object_member(summary, "fault_points");
	JsonArray *scs = json_object_get_array_member(root, "scenarios");

	for (guint i = 0; i < json_array_get_length(scs); i++) {
		JsonObject *s = json_array_get_object_element(scs, i);
		const char *st = json_object_get_string_member(s, "status");

		if (strcmp(st, "pass") != 0 && strcmp(st, "skip") != 0)
			print_failures(s);
	}
	if (faults_all)
		printf("fault points: %" G_GINT64_FORMAT " tried, %" G_GINT64_FORMAT " held\n",
		       json_object_get_int_member(fp, "tried"),
		       json_object_get_int_member(fp, "held"));
	printf("scenarios: %" G_GINT64_FORMAT " passed, %" G_GINT64_FORMAT
	       " failed, %" G_GINT64_FORMAT " errors, %" G_GINT64_FORMAT " skipped\n",
	       json_object_get_int_member(summary, "passed"),
	       json_object_get_int_member(summary, "failed"),
	       json_object_get_int_member(summary, "errors"),
	       json_object_get_int_member(summary, "skipped"));
}

/* The result to --json, then the other reports. Returns 0 or an exit status. */
static int write_reports(const struct run_cli *cli, JsonNode *result)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;

	if (cli->json) {
		text = prp_result_to_data(result);
		if (pth_write_file(cli->json, text, strlen(text), &error) < 0)
			return input_error("%s", error->message);
	}
	if ((cli->junit || cli->ktap || cli->html) &&
	    pth_report_render(result, cli->junit, cli->ktap, cli->html, &error) < 0)
		return input_error("%s", error->message);
	return 0;
}

/* 2 when a scenario did not load, 1 when one failed or was an error, else 0. */
static int exit_status(JsonNode *result, unsigned load_errors)
{
	JsonObject *summary =
		json_object_get_object_member(json_node_get_object(result), "summary");

	if (load_errors)
		return PTH_EXIT_INPUT;
	if (json_object_get_int_member(summary, "failed") +
	    json_object_get_int_member(summary, "errors"))
		return PTH_EXIT_FAIL;
	return PTH_EXIT_OK;
}

/* Find the files and run them (with certify's hooks under --dut on a real host). */
static JsonNode *run_files(struct run_cli *cli, unsigned *ret_load_errors, int *ret_status)
{
	/* The certify verb's certificate form runs on any host; its check form needs --dut. */
	struct pth_step_hooks hooks = { .certificate = pth_cert_certificate };
	g_auto(GStrv) checks = pth_cert_check_namev();
	g_autoptr(GPtrArray) files = NULL;
	g_autoptr(GError) error = NULL;
	JsonNode *result;

	files = pth_scenario_find(cli->paths, &error);
	if (!files) {
		*ret_status = input_error("%s", error->message);
		return NULL;
	}
	/* Certification checks share the device under test: one at a time, in file order, and
	 * the certify verb only on a real host. */
	if (cli->o.dut) {
		cli->o.jobs = 1;
		if (cli->o.target != PTH_TARGET_FAKE) {
			*ret_status = pth_cert_hooks_new(cli->o.dut, &hooks);
			if (*ret_status != 0)
				return NULL;
			cli->o.hooks = &hooks;
		}
	}
	if (!cli->o.hooks)
		cli->o.hooks = &hooks;
	cli->o.checks = (const char *const *)checks;
	result = pth_run_scenarios(files, &cli->o, ret_load_errors);
	cli->o.checks = NULL;
	cli->o.hooks = NULL;
	pth_cert_hooks_free(&hooks);
	return result;
}

int pth_cmd_run(int argc, char **argv)
{
	struct run_cli cli = { .o = { .target = PTH_TARGET_FAKE,
				      .jobs = (unsigned)g_get_num_processors(),
				      .progress = isatty(STDERR_FILENO) && !g_getenv("CI") } };
	unsigned load_errors = 0;
	JsonNode *result = NULL;
	int status = parse_args(&cli, argc, argv);

	if (status == 0)
		result = run_files(&cli, &load_errors, &status);
	if (result) {
		if (!cli.ktap)
			print_summary(result, cli.o.faults_all);
		status = write_reports(&cli, result);
		if (status == 0)
			status = exit_status(result, load_errors);
		json_node_unref(result);
	}
	g_free(cli.dflt[0]); /* the bundled suite's path, when it was the default */
	return status < 0 ? PTH_EXIT_OK : status;
}
