/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ptharness certify`: certify one device for passthrough, and write the certificate. */

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "certify-internal.h"
#include "commands.h"
#include "output.h"
#include "record.h"

/* ---- the command ---- */

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "ptharness certify: %s%s%s%s (see ptharness certify --help)\n", what,
		arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
	return PTH_EXIT_INPUT;
}

static void usage(void)
{
	printf("Usage: ptharness certify BDF [--profile nic|gpu|nvme|generic] [--vfs N] [--out DIR]\n"
	       "                         [--yes] [--dry-run] [--host FILE|DIR|live]\n"
	       "                         [--profile-dir DIR] [--quiet]\n\n"
	       "Certify a device for passthrough: IOMMU and interrupt remapping, an isolated\n"
	       "group with ACS upstream, an endpoint with working reset, vfio-pci and back, a VFIO\n"
	       "open with DMA map and VFIO reset, SR-IOV VFs, migration, GPU specifics. The host\n"
	       "is left as found. A host-critical device is refused. On a live host nothing is\n"
	       "changed without --yes.\n\n"
	       "  --profile P    nic, gpu, nvme or generic (default: from the device's class)\n"
	       "  --profile-dir DIR  more checks, one scenario per check, on top of the profile's\n"
	       "                 (generic's, then PROFILE's, from $PTH_CERTIFY_PROFILES, else\n"
	       "                 certify/ of the bundled suite); a file named as one of those\n"
	       "                 replaces it\n"
	       "  --vfs N        SR-IOV: enable N VFs (default 2, at most what the PF offers)\n"
	       "  --out DIR      write certificate.json, junit.xml, certificate.html and the\n"
	       "                 host recording made before any change (host.umockdev)\n"
	       "  --yes          change a live host\n"
	       "  --dry-run      list the steps, change nothing\n"
	       "  --host SPEC    live (default), a recording or a directory holding sys/\n"
	       "  --kernel X.Y   the kernel whose behaviour applies\n"
	       "  --save FILE    (model) write the end state as a recording\n"
	       "  --faults FILE  (model) inject faults (fakesys syntax: write, reset, numvfs,\n"
	       "                 remove), to see a check fail midway and the host restored\n"
	       "  --quiet        no progress line (there is none either when standard error is\n"
	       "                 not a terminal, or when CI is set)\n\n"
	       "Exit status: 0 certified, 1 a check failed, 2 usage error or refusal.\n");
}

static int parse(struct cert *c, int argc, char **argv, const char **ret_out, bool *ret_yes,
		 bool *ret_dry)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "kernel", required_argument, NULL, 'K' },
		{ "save", required_argument, NULL, 'W' },
		{ "faults", required_argument, NULL, 'F' },
		{ "profile", required_argument, NULL, 'p' },
		{ "profile-dir", required_argument, NULL, 'P' },
		{ "vfs", required_argument, NULL, 'v' },
		{ "out", required_argument, NULL, 'o' },
		{ "yes", no_argument, NULL, 'y' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int o;

	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":H:K:W:F:p:P:v:o:ynqh", opts, NULL)) != -1) {
		char *end = NULL;

		switch (o) {
		case 'H':
		case 'K':
		case 'W':
			pth_session_option(&c->s, o, optarg);
			break;
		case 'p':
			c->profile = _PTH_CERT_PROFILE_MAX;
			for (int i = 0; i < _PTH_CERT_PROFILE_MAX; i++)
				if (strcmp(optarg, pth_cert_profile_names[i]) == 0)
					c->profile = i;
			if (c->profile == _PTH_CERT_PROFILE_MAX)
				return usage_error("unknown profile (nic, gpu, nvme, generic):",
						   optarg);
			c->profile_given = true;
			break;
		case 'v':
			c->vfs = (unsigned)strtoul(optarg, &end, 10);
			if (!*optarg || *end || c->vfs == 0 || c->vfs > 256)
				return usage_error("--vfs wants a count from 1 to 256:", optarg);
			break;
		case 'F':
			c->faults = optarg;
			break;
		case 'P':
			c->profile_dir = optarg;
			break;
		case 'o':
			*ret_out = optarg;
			break;
		case 'y':
			*ret_yes = true;
			break;
		case 'n':
			*ret_dry = true;
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'h':
			usage();
			return -1;
		default:
			return usage_error(o == ':' ? "option needs a value:" : "unknown option",
					   argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return usage_error("expects one device address", NULL);
	c->dut = argv[optind];
	return pth_address_arg("certify", (char **)&c->dut, c->dut_buf);
}

static int certify(struct cert *c, const char *out, bool yes, bool dry)
{
	const struct pt_dev *d = pth_cert_dev(c, c->dut);
	g_autoptr(GString) recording = g_string_new(NULL);
	g_autoptr(GError) error = NULL;
	JsonNode *view;
	int status = PTH_EXIT_OK;

	if (!d) {
		fprintf(stderr, "ptharness certify: %s: no such PCI device on %s\n", c->dut,
			c->s.spec);
		return PTH_EXIT_INPUT;
	}
	if (pt_dev_critical(d) != PT_CRITICAL_NONE) {
		fprintf(stderr, "ptharness certify: refused: %s is host-critical (%s): %s%s%s\n",
			c->dut, pt_critical_to_string(pt_dev_critical(d)),
			pt_critical_describe(pt_dev_critical(d)),
			pt_dev_critical_via(d) ? " through " : "",
			pt_dev_critical_via(d) ? pt_dev_critical_via(d) : "");
		return PTH_EXIT_INPUT;
	}
	if (!c->profile_given)
		c->profile = pth_cert_profile_of_class(pt_dev_props(d)->class);
	status = pth_cert_load_profile(c);
	if (status != PTH_EXIT_OK)
		return status;
	pth_cert_find_unit(c);
	if (dry || (c->s.live && !yes)) {
		pth_cert_print_plan(c, stdout);
		if (dry)
			return PTH_EXIT_OK;
		fprintf(stderr, "ptharness certify: this changes the live host; run again with "
				"--yes to go ahead\n");
		return PTH_EXIT_INPUT;
	}
	/* Before anything changes: the recording and the groups as seen now. */
	if (pth_record_host(c->s.be, pt_engine_host(c->s.engine), recording, &error) < 0) {
		fprintf(stderr, "ptharness certify: cannot record the host: %s\n", error->message);
		return PTH_EXIT_INPUT;
	}
	pth_cert_drop_repeated(recording);
	view = pth_host_to_json(pt_engine_host(c->s.engine), c->s.spec);
	pth_cert_start(c);
	pth_cert_run_checks(c);
	for (guint i = 0; i < c->results->len; i++) {
		const struct cert_result *r = &g_array_index(c->results, struct cert_result, i);

		if (r->status == PTH_CERT_FAIL)
			status = PTH_EXIT_FAIL;
		printf("%-4s %-20s %s\n", pth_cert_status_names[r->status], r->id, r->reason);
	}
	if (c->interrupted) {
		printf("%s: NOT certified: interrupted by SIG%s\n", c->dut,
		       sigabbrev_np(c->interrupted) ?: "a signal");
		status = PTH_EXIT_FAIL;
	} else {
		printf("%s: %s\n", c->dut, status == PTH_EXIT_OK ? "certified" : "NOT certified");
	}
	if (out && pth_cert_write(c, out, recording, view, status) < 0)
		status = PTH_EXIT_INPUT;
	/* As a shell reports a command a signal ended: 128 + the signal (130 for Ctrl-C). */
	if (c->interrupted && status != PTH_EXIT_INPUT)
		status = 128 + c->interrupted;
	json_node_unref(view);
	return status;
}

/* Faults for the model, as scenario files write them (fakesys.h): to test that a check failing
 * midway leaves the host as found. */
static int add_faults(struct cert *c)
{
	c->s.faults = c->faults;
	return pth_session_add_faults(&c->s, "certify");
}

int pth_cmd_certify(int argc, char **argv)
{
	struct cert c = { .profile = PTH_CERT_GENERIC };
	const char *out = NULL;
	bool yes = false, dry = false;
	int r;

	r = parse(&c, argc, argv, &out, &yes, &dry);
	if (r != 0)
		return r < 0 ? PTH_EXIT_OK : r;
	pth_cert_init(&c);
	c.s.mutating = !dry;
	r = pth_session_open(&c.s, "certify");
	if (r == 0 && c.faults)
		r = add_faults(&c);
	if (r == 0)
		r = certify(&c, out, yes, dry);
	pth_cert_free(&c);
	return pth_session_close(&c.s, "certify", r);
}
