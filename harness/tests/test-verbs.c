/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verb table, sizes and the scenario loader's typed checks, each error with its position. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "size.h"
#include "suite.h"
#include "verbs.h"

#ifndef HOSTS_DIR
#define HOSTS_DIR "scenarios/hosts"
#endif

/* Every verb has a run function, a unique name, and well-formed arguments. */
static void test_verbs_table_complete(void **state)
{
	g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
	size_t n = 0;

	(void)state;
	for (const struct pth_verb *v = pth_verbs; v->name; v++, n++) {
		print_message("# verb %s\n", v->name);
		assert_non_null(v->run);
		assert_true(g_hash_table_add(names, (gpointer)v->name));
		assert_ptr_equal(pth_verb_find(v->name), v);
		for (const struct pth_arg *a = v->args; a->name; a++) {
			assert_in_range(a->type, PTH_ARG_ANY + 1, _PTH_ARG_TYPE_MAX - 1);
			if (a->type == PTH_ARG_INT)
				assert_true(a->min <= a->max);
		}
	}
	/* the verbs the scenario format promises (docs/scenarios.md) */
	static const char *const promised[] = { "inspect",   "detach",	      "reattach",
						"reset",     "attach",	      "release",
						"select-vf", "set-numvfs",    "vfio-open",
						"memlock",   "migrate-check", "write",
						"read",	     "check" };
	for (size_t i = 0; i < G_N_ELEMENTS(promised); i++)
		assert_non_null(pth_verb_find(promised[i]));
	assert_true(n >= G_N_ELEMENTS(promised));
	assert_null(pth_verb_find("frobnicate"));
	assert_null(pth_verb_find(NULL));
}

/* Only the verbs that change nothing are read-only (certify's dry-run plan skips them). */
static void test_verbs_read_only_flags(void **state)
{
	static const char *const changing[] = { "detach",    "reattach",  "reset", "attach",
						"release",   "select-vf", "write", "set-numvfs",
						"vfio-open", "certify",	  "exec" };
	static const char *const looking[] = { "inspect", "check",	   "read",
					       "plan",	  "migrate-check", "memlock" };

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(changing); i++)
		assert_false(pth_verb_find(changing[i])->flags & PTH_VERB_READ_ONLY);
	for (size_t i = 0; i < G_N_ELEMENTS(looking); i++)
		assert_true(pth_verb_find(looking[i])->flags & PTH_VERB_READ_ONLY);
}

static const struct {
	const char *text;
	int ret;
	uint64_t bytes;
} size_cases[] = {
	{ "1073741824", 0, 1ull << 30 },
	{ "4G", 0, 4ull << 30 },
	{ "8Gi", 0, 8ull << 30 },
	{ "8GiB", 0, 8ull << 30 },
	{ "8 GB", 0, 8ull << 30 },
	{ "512m", 0, 512ull << 20 },
	{ "1.5G", 0, 3ull << 29 },
	{ "8G foo", -EINVAL, 0 },
	{ "8  GB", -EINVAL, 0 },
	{ "8 ", -EINVAL, 0 },
	{ "99999999999T", -ERANGE, 0 },
	{ "16777216T", -ERANGE, 0 },
	{ "-1", -EINVAL, 0 },
	{ "0.5", -EINVAL, 0 },
	{ "G", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
};

static void test_size_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(size_cases); i++) {
		uint64_t v = 7;
		int r = pth_parse_size(size_cases[i].text, &v);

		print_message("# size '%s' -> %d %" PRIu64 "\n", size_cases[i].text, r, v);
		assert_int_equal(r, size_cases[i].ret);
		assert_int_equal(v, r == 0 ? size_cases[i].bytes : 7);
	}
}

/* Integers in a range: the whole string, never wrapped. */
static void test_int_parse(void **state)
{
	static const struct {
		const char *text;
		int ret;
		long long v;
	} cases[] = {
		{ "0", 0, 0 },
		{ "65535", 0, 65535 },
		{ "-1", 0, -1 },
		{ "4294967297", -ERANGE, 0 },
		{ "65536", -ERANGE, 0 },
		{ "-2", -ERANGE, 0 },
		{ "99999999999999999999", -ERANGE, 0 },
		{ "1x", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 },
		{ "+1", -EINVAL, 0 },
		{ "-", -EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		long long v = 7;
		int r = pth_parse_int(cases[i].text, -1, 65535, &v);

		print_message("# int '%s' -> %d %lld\n", cases[i].text, r, v);
		assert_int_equal(r, cases[i].ret);
		assert_int_equal(v, r == 0 ? cases[i].v : 7);
	}
}

#define HEAD \
	"title: t\ncategory: viability\nhost: {recording: " HOSTS_DIR "/desktop-gpu.umockdev}\n"

/* Scenarios the loader refuses, with the position and the words of its error. */
static const struct {
	const char *text;
	const char *error; /* after "FILE:" */
} load_cases[] = {
	{ "title: t\ncategory: viability\ntargets: [[]]\nsteps:\n  - inspect:\n",
	  "3:1: 'targets' takes a list of strings" },
	{ HEAD "steps:\n  - attach: {vm: v, devices: [{a: 1}, [1, 2], 42]}\n",
	  "5:32: 'devices' takes a list of strings" },
	{ HEAD "steps:\n  - attach: {vm: v, devices: []}\n",
	  "5:21: 'devices' takes a non-empty list of strings" },
	{ HEAD "steps:\n  - inspect:\n    expect: {blockers: [[]]}\n",
	  "6:14: 'blockers' takes a list of strings" },
	{ HEAD "steps:\n  - inspect:\n    expect: {trace: [{write: [x]}]}\n",
	  "6:31: 'write' in a trace item takes a string" },
	{ HEAD "steps:\n  - inspect:\n    expect: {devices: {\"0000:00:1f.6\": {drvier: x}}}\n",
	  "6:41: unknown key 'drvier' in expect.devices.0000:00:1f.6" },
	{ HEAD "steps:\n  - inspect:\n    expect: {groups: {[1]: {viable: true}}}\n",
	  "6:24: a key is a string" },
	{ HEAD "vms:\n  v: {memory: \"8G foo\"}\nsteps:\n  - memlock: {vm: v}\n",
	  "5:16: 'memory': '8G foo' is not a size" },
	{ HEAD "vms:\n  v: {memory: 99999999999T}\nsteps:\n  - memlock: {vm: v}\n",
	  "5:15: 'memory': size '99999999999T' is too large" },
	{ HEAD "vms:\n  v: {vcpus: -4}\nsteps:\n  - memlock: {vm: v}\n",
	  "5:14: 'vcpus' takes an integer from 1 to 4096, not -4" },
	{ HEAD "vms:\n  v: {numa_node: -2}\nsteps:\n  - memlock: {vm: v}\n",
	  "5:18: 'numa_node' takes an integer from -1 to 1023, not -2" },
	{ HEAD "faults:\n  - {write: x, errno: EIO, hang_ms: -1}\nsteps:\n  - inspect:\n",
	  "5:37: 'hang_ms' takes an integer from 0 to 600000, not -1" },
	{ HEAD "steps:\n  - set-numvfs: {pf: \"0000:01:00.0\", count: 4294967297}\n",
	  "5:45: 'count' takes an integer from 0 to 65535, not 4294967297" },
	{ HEAD "steps:\n  - migrate-check: {devices: [\"0000:00:1f.6\"], to: twin}\n",
	  "5:52: 'to' names no host under hosts: ('twin')" },
	{ HEAD "steps:\n  - certify: {check: no-such-check}\n",
	  "5:22: unknown certify check 'no-such-check' (expected one of: iommu, rebind)" },
	{ HEAD "title: u\nsteps:\n  - inspect:\n", "4:1: YAML: duplicate key" },
	{ "title: &t a\ncategory: viability\nsteps:\n  - inspect:\n",
	  "1:11: YAML anchors and aliases" },
	{ "", "1:1: the file is empty" },
	/* fuzz-scenario's hang: libfyaml loops on invalid UTF-8 in a directive */
	{ "%\xdfw\n", "1:2: byte 0xdf is not UTF-8 text" },
	{ HEAD "steps:\n  - inspect: {device: \"caf\xe9\"}\n", "5:27: byte 0xe9 is not UTF-8" },
	{ "title: t\ncategory: viability\nhost: {recording: " HOSTS_DIR
	  "/desktop-gpu.umockdev, kernel: a.b}\nsteps:\n  - inspect:\n",
	  "3:" },
	{ HEAD "vms:\n  v: {arch: arm64}\nsteps:\n  - memlock: {vm: v}\n",
	  "5:13: 'arch' takes one of x86_64, ppc64, not 'arm64'" },
	{ HEAD "steps:\n  - detach: {device: \"0000:00:1f.6\", method: newid}\n",
	  "5:46: 'method' takes one of override, new_id, not 'newid'" },
	{ HEAD "steps:\n  - inspect:\n    expect: {error: no-such-code}\n",
	  "6:21: unknown error code 'no-such-code' (docs/scenarios.md lists them)" },
};

static void test_load_errors_positions(void **state)
{
	static const char *const checks[] = { "iommu", "rebind", NULL };
	const struct pth_load_options lo = { .verbs = pth_verbs, .checks = checks };
	g_autofree char *dir = g_dir_make_tmp("pth-verbs-XXXXXX", NULL);
	g_autofree char *file = g_build_filename(dir, "s.yaml", NULL);

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(load_cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *want = g_strdup_printf("%s:%s", file, load_cases[i].error);
		struct pth_scenario *sc;

		assert_true(g_file_set_contents(file, load_cases[i].text, -1, NULL));
		sc = pth_scenario_load(file, &lo, &error);
		print_message("# case %zu: %s\n", i, error ? error->message : "(loaded)");
		assert_null(sc);
		assert_non_null(error);
		assert_true(g_str_has_prefix(error->message, want));
		/* the path once, never twice */
		assert_null(strstr(error->message + strlen(file), file));
	}
	g_unlink(file);
	g_rmdir(dir);
}

/* An absolute recording under hosts: loads; the good scenario with every check passes. */
static void test_load_absolute_host(void **state)
{
	static const char *const checks[] = { "iommu", NULL };
	const struct pth_load_options lo = { .verbs = pth_verbs, .checks = checks };
	g_autofree char *dir = g_dir_make_tmp("pth-verbs-XXXXXX", NULL);
	g_autofree char *file = g_build_filename(dir, "s.yaml", NULL);
	g_autofree char *text =
		g_strdup_printf(HEAD "hosts:\n  twin: {recording: %s/desktop-gpu.umockdev}\nvms:\n"
				     "  v: {memory: 8 GB, vcpus: 4, numa_node: -1}\nsteps:\n"
				     "  - migrate-check: {devices: [\"0000:00:1f.6\"], to: twin}\n",
				g_path_is_absolute(HOSTS_DIR) ? HOSTS_DIR : "/nonexistent");
	g_autoptr(GError) error = NULL;
	struct pth_scenario *sc;

	(void)state;
	assert_true(g_file_set_contents(file, text, -1, NULL));
	sc = pth_scenario_load(file, &lo, &error);
	if (error)
		print_message("# %s\n", error->message);
	assert_non_null(sc);
	pth_scenario_free(sc);
	g_unlink(file);
	g_rmdir(dir);
}

/* The status of the one scenario text runs to, and its message in *ret_message. */
static char *run_one_input(const char *text, unsigned want_input_errors, char **ret_message)
{
	static const char *const checks[] = { NULL };
	const struct pth_run_options o = { .target = PTH_TARGET_FAKE, .jobs = 1, .checks = checks };
	g_autofree char *dir = g_dir_make_tmp("pth-verbs-XXXXXX", NULL);
	char *file = g_build_filename(dir, "s.yaml", NULL);
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	unsigned load_errors = 0;
	JsonNode *result;
	JsonObject *sc;
	char *status;

	assert_true(g_file_set_contents(file, text, -1, NULL));
	g_ptr_array_add(files, file);
	result = pth_run_scenarios(files, &o, &load_errors);
	assert_int_equal(load_errors, want_input_errors);
	sc = json_array_get_object_element(
		json_object_get_array_member(json_node_get_object(result), "scenarios"), 0);
	status = g_strdup(json_object_get_string_member(sc, "status"));
	print_message("# %s: %s\n", status,
		      json_object_get_string_member_with_default(sc, "message", ""));
	if (ret_message)
		*ret_message =
			g_strdup(json_object_get_string_member_with_default(sc, "message", ""));
	json_node_unref(result);
	g_unlink(file);
	g_rmdir(dir);
	return status;
}

static char *run_one(const char *text)
{
	return run_one_input(text, 0, NULL);
}

/* What is found wrong when the run starts is an input error (exit 2), at its position. */
static void test_setup_errors_are_input_errors(void **state)
{
	static const struct {
		const char *text, *where, *what;
	} cases[] = {
		{ "title: t\ncategory: viability\nhost:\n  recording: " HOSTS_DIR
		  "/desktop-gpu.umockdev\n  set: {\"0000:09:00.0\": {driver: null}}\nsteps:\n"
		  "  - inspect:\n",
		  ":5:10: ", "host.set: no device 0000:09:00.0" },
		{ HEAD "faults:\n  - {errno: EIO}\nsteps:\n  - inspect:\n",
		  ":5:6: ", "a fault needs one of write, reset, numvfs, remove" },
		{ HEAD "steps:\n  - detach: {device: \"0000:09:00.0\"}\n",
		  ":5:23: ", "unknown device address 0000:09:00.0" },
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *message = NULL;
		g_autofree char *status = run_one_input(cases[i].text, 1, &message);

		assert_string_equal(status, "error");
		assert_non_null(strstr(message, cases[i].where));
		assert_non_null(strstr(message, cases[i].what));
	}
}

/* rescan brings back a removed device with its driver, as the PCI core's rescan_store does. */
static void test_verb_rescan(void **state)
{
	static const char *const remove =
		HEAD "steps:\n"
		     "  - write: {path: bus/pci/devices/0000:00:1f.6/remove, value: \"1\"}\n"
		     "    expect: {ok: true, devices: {\"0000:00:1f.6\": null}}\n"
		     "  - rescan: {}\n";
	g_autofree char *back = g_strconcat(
		remove, "    expect: {ok: true, devices: {\"0000:00:1f.6\": {driver: e1000e}}}\n",
		NULL);
	g_autofree char *gone =
		g_strconcat(remove, "    expect: {devices: {\"0000:00:1f.6\": null}}\n", NULL);
	g_autofree char *s1 = run_one(back);
	g_autofree char *s2 = run_one(gone);

	(void)state;
	assert_string_equal(s1, "pass");
	assert_string_equal(s2, "fail");
}

/*
 * exec runs a program against the scenario's fake host: its writes take effect in the model
 * (the usual expectations see them), its status and output are checked, and a status or
 * output that differs fails the step with the program's output in the message.
 */
static void test_verb_exec(void **state)
{
	static const char *const bind = HEAD
		"steps:\n"
		"  - exec:\n"
		"      command: [sh, -c, 'd=/sys/bus/pci/devices/0000:00:1f.6;\n"
		"        echo vfio-pci > $d/driver_override; echo 0000:00:1f.6 > $d/driver/unbind;\n"
		"        echo 0000:00:1f.6 > /sys/bus/pci/drivers_probe; readlink $d/driver']\n"
		"      output: /vfio-pci$\n";
	g_autofree char *pass = g_strconcat(
		bind, "    expect: {ok: true, devices: {\"0000:00:1f.6\": {driver: vfio-pci}}}\n",
		NULL);
	g_autofree char *bad_status = g_strconcat(
		HEAD "steps:\n  - exec: {command: [sh, -c, 'exit 3'], status: 2}\n", NULL);
	g_autofree char *bad_output = g_strconcat(
		HEAD "steps:\n  - exec: {command: [cat, /sys/bus/pci/devices/0000:00:1f.6/vendor],"
		     " output: '^0x10de$'}\n    expect: {ok: true}\n",
		NULL);
	g_autofree char *missing = g_strconcat(
		HEAD "steps:\n  - exec: {command: [ptharness-no-such-program]}\n", NULL);
	g_autofree char *s1 = NULL, *s2 = NULL, *s3 = NULL, *s4 = NULL, *m2 = NULL, *m4 = NULL;

	(void)state;
	if (access("/dev/fuse", R_OK | W_OK) != 0) {
		skip(); /* ptharness fake needs FUSE */
		return;
	}
	s1 = run_one(pass);
	s2 = run_one_input(bad_status, 0, &m2);
	s3 = run_one(bad_output);
	s4 = run_one_input(missing, 0, &m4);
	assert_string_equal(s1, "pass");
	assert_string_equal(s2, "fail");
	assert_non_null(strstr(m2, "exit status 3, expected 2"));
	assert_string_equal(s3, "fail"); /* the recording's vendor is 0x8086 */
	assert_string_equal(s4, "skip");
	assert_non_null(strstr(m4, "ptharness-no-such-program is not installed"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verbs_table_complete),
		cmocka_unit_test(test_verbs_read_only_flags),
		cmocka_unit_test(test_size_parse),
		cmocka_unit_test(test_int_parse),
		cmocka_unit_test(test_load_errors_positions),
		cmocka_unit_test(test_load_absolute_host),
		cmocka_unit_test(test_verb_rescan),
		cmocka_unit_test(test_verb_exec),
		cmocka_unit_test(test_setup_errors_are_input_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
