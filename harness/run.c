/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ptharness run`: the scenario suite (or given files) on fake or live hosts, with reports. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "output.h"
#include "certify.h"
#include "runner.h"

#ifndef PTH_SCENARIOS_DIR
#define PTH_SCENARIOS_DIR "scenarios"
#endif

static void usage(FILE *f)
{
	fputs("Usage: ptharness run [PATH...] [--target fake|lab|live] [--shard K/N] [-j N]\n"
	      "                     [--faults all] [--json FILE] [--junit FILE] [--ktap]\n"
	      "                     [--html DIR] [--root DIR] [--dut BDF]\n"
	      "\n"
	      "Run scenario files (SCENARIOS.md): PATHs are files or directories; with none, the\n"
	      "bundled suite. Each scenario gets a fresh model of its recorded host (fake) or runs\n"
	      "on this machine (live). Exit status: 0 all passed, 1 a scenario failed, 2 a\n"
	      "scenario could not be loaded (it is reported as an error; the others still run).\n"
	      "\n"
	      "  --target T     fake (default); live: this machine (faults and host.set skip);\n"
	      "                 lab: the same inside the lab's guest, for the scenarios that\n"
	      "                 declare lab (ci/lab/suite runs it there)\n"
	      "  --shard K/N    run the K-th of N stable parts (merge: ptharness report merge)\n"
	      "  -j N           scenarios in parallel (default: the number of CPUs)\n"
	      "  --faults all   also rerun every scenario with a fault at each mutating step and\n"
	      "                 check the host ends as it began or says what it could not restore\n"
	      "  --json FILE    the canonical result (docs/result-schema.md)\n"
	      "  --junit FILE   JUnit XML; --ktap: KTAP on stdout; --html DIR: the HTML report\n"
	      "  --root DIR     the suite directory scenario ids are relative to\n"
	      "  --dut BDF      the device under test: $DUT and $DUT.vf[i] in the scenarios, and\n"
	      "                 certify's checks (scenarios/certify/PROFILE) on live or lab; the\n"
	      "                 scenarios then run one at a time\n",
	      f);
}

static const char *default_suite(void)
{
	/* A checkout run from its top, else the source tree the binary was built from. */
	if (g_file_test("scenarios/hosts", G_FILE_TEST_IS_DIR))
		return "scenarios";
	return PTH_SCENARIOS_DIR;
}

static int write_file(const char *file, const char *text)
{
	g_autoptr(GError) error = NULL;

	if (pth_write_file(file, text, strlen(text), &error) < 0) {
		fprintf(stderr, "ptharness run: %s\n", error->message);
		return -EIO;
	}
	return 0;
}

/* A decimal count from 0 to max, nothing else around it (no sign, no wrap). */
static int parse_count(const char *s, unsigned max, unsigned *ret)
{
	unsigned long long v;
	char *end;

	if (!g_ascii_isdigit(s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -ERANGE;
	*ret = (unsigned)v;
	return 0;
}

/* K/N with 1 <= K <= N. */
static int parse_shard(const char *s, unsigned *ret_k, unsigned *ret_n)
{
	g_auto(GStrv) kn = g_strsplit(s, "/", 3);
	unsigned k, n;

	if (g_strv_length(kn) != 2 || parse_count(kn[0], UINT32_MAX, &k) < 0 ||
	    parse_count(kn[1], UINT32_MAX, &n) < 0 || k == 0 || k > n)
		return -EINVAL;
	*ret_k = k;
	*ret_n = n;
	return 0;
}

/* DDDD:BB:SS.F as sysfs names a function (hex digits, slot <= 1f, function <= 7). */
static bool is_pci_address(const char *s)
{
	unsigned d, b, sl, f;
	char tail;

	return strlen(s) == 12 && s[4] == ':' && s[7] == ':' && s[10] == '.' &&
	       strspn(s, "0123456789abcdefABCDEF:.") == 12 &&
	       sscanf(s, "%4x:%2x:%2x.%1x%c", &d, &b, &sl, &f, &tail) == 4 && sl <= 0x1f && f <= 7;
}

int pth_cmd_run(int argc, char **argv)
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
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct pth_run_options o = { .target = PTH_TARGET_FAKE,
				     .jobs = (unsigned)g_get_num_processors(),
				     .progress = isatty(STDERR_FILENO) && !g_getenv("CI") };
	const char *json = NULL, *junit = NULL, *html = NULL;
	g_autoptr(GPtrArray) files = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	bool ktap = false;
	char **paths, *dflt[2] = { NULL, NULL };
	unsigned load_errors = 0;
	JsonNode *result;
	JsonObject *summary;
	struct pth_step_hooks hooks = { 0 };
	int c, t;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:s:j:F:J:U:kH:r:D:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			t = pth_target_from_string(optarg);
			if (t < 0) {
				fprintf(stderr,
					"ptharness run: unknown target '%s' (fake, lab, live)\n",
					optarg);
				return PTH_EXIT_INPUT;
			}
			o.target = (unsigned)t;
			break;
		case 's':
			if (parse_shard(optarg, &o.shard_index, &o.shard_count) < 0) {
				fprintf(stderr,
					"ptharness run: --shard takes K/N with 1 <= K <= N, "
					"not '%s'\n",
					optarg);
				return PTH_EXIT_INPUT;
			}
			break;
		case 'j':
			if (parse_count(optarg, 256, &o.jobs) < 0 || o.jobs < 1) {
				fprintf(stderr, "ptharness run: -j takes 1..256, not '%s'\n",
					optarg);
				return PTH_EXIT_INPUT;
			}
			break;
		case 'F':
			if (strcmp(optarg, "all") != 0) {
				fprintf(stderr, "ptharness run: --faults takes 'all'\n");
				return PTH_EXIT_INPUT;
			}
			o.faults_all = true;
			break;
		case 'J':
			json = optarg;
			break;
		case 'U':
			junit = optarg;
			break;
		case 'k':
			ktap = true;
			break;
		case 'H':
			html = optarg;
			break;
		case 'r':
			if (!g_file_test(optarg, G_FILE_TEST_IS_DIR)) {
				fprintf(stderr, "ptharness run: --root %s: %s\n", optarg,
					g_file_test(optarg, G_FILE_TEST_EXISTS) ?
						"not a directory" :
						g_strerror(ENOENT));
				return PTH_EXIT_INPUT;
			}
			o.root = optarg;
			break;
		case 'D':
			if (!is_pci_address(optarg)) {
				fprintf(stderr,
					"ptharness run: --dut takes a PCI address DDDD:BB:SS.F, "
					"not '%s'\n",
					optarg);
				return PTH_EXIT_INPUT;
			}
			o.dut = optarg;
			break;
		case 'h':
			usage(stdout);
			return PTH_EXIT_OK;
		default:
			fprintf(stderr, "ptharness run: %s '%s' (see ptharness run --help)\n",
				c == ':' ? "option needs a value:" : "unknown option",
				argv[optind - 1]);
			return PTH_EXIT_INPUT;
		}
	}
	if (optind < argc) {
		paths = argv + optind;
	} else {
		dflt[0] = (char *)default_suite();
		paths = dflt;
		if (!o.root)
			o.root = dflt[0];
	}
	if (!o.root && optind == argc - 1 && g_file_test(paths[0], G_FILE_TEST_IS_DIR))
		o.root = paths[0];
	files = pth_scenario_find(paths, &error);
	if (!files) {
		fprintf(stderr, "ptharness run: %s\n", error->message);
		return PTH_EXIT_INPUT;
	}
	/* Certification checks share the device under test: one at a time, in file order, and
	 * the certify verb only on a real host. */
	if (o.dut) {
		o.jobs = 1;
		if (o.target != PTH_TARGET_FAKE) {
			c = pth_cert_hooks_new(o.dut, &hooks);
			if (c != 0)
				return c;
			o.hooks = &hooks;
		}
	}
	result = pth_run_scenarios(files, &o, &load_errors);
	pth_cert_hooks_free(&hooks);

	/* One line per scenario that did not pass, then the totals. */
	{
		JsonArray *scs =
			json_object_get_array_member(json_node_get_object(result), "scenarios");

		for (guint i = 0; i < json_array_get_length(scs); i++) {
			JsonObject *s = json_array_get_object_element(scs, i);
			const char *st = json_object_get_string_member(s, "status");
			JsonArray *steps = json_object_get_array_member(s, "steps");

			if (strcmp(st, "pass") == 0 || (strcmp(st, "skip") == 0 && !ktap))
				continue;
			if (ktap)
				continue;
			printf("%s %s: %s\n", st, json_object_get_string_member(s, "id"),
			       json_object_get_string_member_with_default(
				       s, "message", json_object_get_string_member(s, "title")));
			for (guint k = 0; k < json_array_get_length(steps); k++) {
				JsonObject *step = json_array_get_object_element(steps, k);
				JsonArray *f = json_object_get_array_member(step, "failures");

				for (guint m = 0; m < json_array_get_length(f); m++) {
					JsonObject *x = json_array_get_object_element(f, m);

					printf("  step %" G_GINT64_FORMAT " %s: %s: expected %s, "
					       "observed %s\n",
					       json_object_get_int_member(step, "index"),
					       json_object_get_string_member(step, "verb"),
					       json_object_get_string_member(x, "key"),
					       json_object_get_string_member(x, "expected"),
					       json_object_get_string_member(x, "observed"));
				}
			}
		}
	}
	summary = json_object_get_object_member(json_node_get_object(result), "summary");
	text = pth_json_to_string(result);
	if (json && write_file(json, text) < 0) {
		json_node_unref(result);
		return PTH_EXIT_INPUT;
	}
	if ((junit || ktap || html) && pth_report_render(result, junit, ktap, html, &error) < 0) {
		fprintf(stderr, "ptharness run: %s\n", error->message);
		json_node_unref(result);
		return PTH_EXIT_INPUT;
	}
	if (!ktap) {
		JsonObject *fp = json_object_get_object_member(summary, "fault_points");

		if (o.faults_all)
			printf("fault points: %" G_GINT64_FORMAT " tried, %" G_GINT64_FORMAT
			       " held\n",
			       json_object_get_int_member(fp, "tried"),
			       json_object_get_int_member(fp, "held"));
		printf("scenarios: %" G_GINT64_FORMAT " passed, %" G_GINT64_FORMAT
		       " failed, %" G_GINT64_FORMAT " skipped\n",
		       json_object_get_int_member(summary, "passed"),
		       json_object_get_int_member(summary, "failed") +
			       json_object_get_int_member(summary, "errors"),
		       json_object_get_int_member(summary, "skipped"));
	}
	c = load_errors ? PTH_EXIT_INPUT :
	    json_object_get_int_member(summary, "failed") +
			    json_object_get_int_member(summary, "errors") ?
			  PTH_EXIT_FAIL :
			  PTH_EXIT_OK;
	json_node_unref(result);
	return c;
}
