/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine's operations on fake hosts loaded from the lab's real kernel recordings. */

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"
#include "fakesys.h"
#include "migrate.h"
#include "sriov.h"
#include "vfio.h"
#include "vm.h"

/* The lab's shared topology (kernel 6.1): an e1000e pair in one group, a plain nvme, an e1000
 * and a test device behind a PCIe-to-PCI bridge, edu on the root bus. */
#define SHARED "lab-shared-initial.umockdev"
#define E1000E_0 "0000:01:00.0"
#define E1000E_1 "0000:01:00.1"
#define NVME "0000:02:00.0"
#define EDU "0000:00:08.0"
/* The lab's SR-IOV topology: a plain nvme and an nvme PF with 4 VFs (none enabled). */
#define SRIOV "lab-sriov-initial.umockdev"
#define SRIOV_PF "0000:02:00.0"

struct fixture {
	struct fks_host *host;
	struct pt_backend *be;
	struct pt_trace *trace;
	struct pt_engine *e;
	struct pt_vms *vms;
	char *before; /* the host's state at the start, exported */
};

static struct fixture *load(const char *name)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct pt_error err = { 0 };
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", HOSTS_DIR, name);
	if (fks_host_new_from_recording(path, NULL, &f->host, &err) < 0)
		fail_msg("load %s: %s: %s", path, err.path, err.reason);
	f->be = fks_host_backend(f->host);
	assert_int_equal(pt_trace_new(&f->trace), 0);
	if (pt_engine_new(f->be, NULL, f->trace, &f->e, &err) < 0)
		fail_msg("scan %s: %s: %s", path, err.path, err.reason);
	assert_int_equal(pt_vms_new(&f->vms), 0);
	pt_engine_set_vms(f->e, f->vms);
	assert_int_equal(fks_host_export_recording(f->host, &f->before), 0);
	return f;
}

static void done(struct fixture *f)
{
	pt_engine_free(f->e);
	pt_vms_free(f->vms);
	pt_trace_free(f->trace);
	pt_backend_free(f->be);
	fks_host_free(f->host);
	free(f->before);
	free(f);
}

static const char *driver(struct fixture *f, const char *address)
{
	const char *name = NULL;

	assert_int_equal(fks_host_dev_driver(f->host, address, &name), 0);
	return name ? name : "(none)";
}

static char *read_attr(struct fixture *f, const char *path)
{
	static char buf[256];

	if (pt_backend_read_line(f->be, PT_NS_SYS, path, buf, sizeof(buf)) < 0)
		return NULL;
	return buf;
}

/* The host is as it was at the start: the exported recordings are the same text. */
static void assert_unchanged(struct fixture *f)
{
	char *now = NULL;

	assert_int_equal(fks_host_export_recording(f->host, &now), 0);
	if (strcmp(now, f->before) != 0) {
		const char *a = f->before, *b = now;
		int line = 1;

		while (*a && *a == *b) {
			line += *a == '\n';
			a++;
			b++;
		}
		fail_msg("host differs from its start at line %d: '%.80s' vs '%.80s'", line, a, b);
	}
	free(now);
}

static bool trace_has_rule(struct fixture *f, const char *rule, const char *subject)
{
	for (size_t i = 0; i < pt_trace_count(f->trace); i++) {
		const struct pt_event *e = pt_trace_event(f->trace, i);

		if (e->kind == PT_EVENT_RULE && e->rule && strcmp(e->rule, rule) == 0 &&
		    (!subject || (e->path && strcmp(e->path, subject) == 0)))
			return true;
	}
	return false;
}

static void test_engine_detach_reattach_nvme(void **state)
{
	struct fixture *f = load(SHARED);
	struct pt_detach_options o = { .managed = true };
	struct pt_detached st = { 0 };
	struct pt_outcome out = { 0 };

	(void)state;
	/* The lab guest runs from its initramfs: the recording's /proc/mounts shows no block
	 * device, so the nvme controller holds nothing the host needs and no force is needed. */
	assert_null(pt_host_mounted(pt_engine_host(f->e)) ?
			    pt_host_mounted(pt_engine_host(f->e))[0] :
			    "mounts not shown");
	assert_int_equal(pt_dev_critical(pt_host_find_dev(pt_engine_host(f->e), NVME)),
			 PT_CRITICAL_NONE);
	assert_int_equal(pt_detach(f->e, NVME, &o, &st, &out), 0);
	assert_string_equal(driver(f, NVME), "vfio-pci");
	assert_string_equal(read_attr(f, "bus/pci/devices/" NVME "/driver_override"), "vfio-pci");
	assert_int_equal(pt_backend_exists(f->be, PT_NS_DEV, "vfio/7"), 1);
	assert_string_equal(st.orig_driver, "nvme");
	assert_true(st.unbound_by_us);
	assert_true(trace_has_rule(f, "E-DETACH-VERIFY", NVME));
	pt_outcome_clear(&out);

	assert_int_equal(pt_reattach(f->e, &st, &out), 0);
	assert_string_equal(driver(f, NVME), "nvme");
	assert_string_equal(read_attr(f, "bus/pci/devices/" NVME "/driver_override"), "(null)");
	assert_int_equal(pt_backend_exists(f->be, PT_NS_DEV, "vfio/7"), 0);
	assert_unchanged(f);
	pt_outcome_clear(&out);
	pt_detached_clear(&st);
	done(f);
}

static void test_engine_detach_refusals(void **state)
{
	struct fixture *f = load(SHARED);
	struct pt_detach_options o = { .managed = true };
	struct pt_detached st = { 0 };
	struct pt_outcome out = { 0 };

	(void)state;
	assert_int_equal(pt_detach(f->e, "0000:09:00.0", &o, &st, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "device-not-found");
	pt_outcome_clear(&out);
	/* The PCIe-to-PCI bridge is not an endpoint. */
	assert_int_equal(pt_detach(f->e, "0000:03:00.0", &o, &st, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "not-an-endpoint");
	pt_outcome_clear(&out);
	/* A vfio-pci variant name this host has not loaded. */
	o.driver = "nosuch_vfio_pci";
	assert_int_equal(pt_detach(f->e, E1000E_0, &o, &st, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "driver-missing");
	pt_outcome_clear(&out);
	/* Unmanaged: the engine only checks, and e1000e is not a stub. */
	o = (struct pt_detach_options){ .managed = false };
	assert_int_equal(pt_detach(f->e, E1000E_0, &o, &st, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "not-detached");
	pt_outcome_clear(&out);
	assert_unchanged(f);
	done(f);
}

/* new_id binds every unbound device with the ids; the engine gives the other one back. */
static void test_engine_detach_new_id_undoes_side_effect(void **state)
{
	struct fixture *f = load(SHARED);
	struct pt_detach_options o = { .managed = true, .method = PT_BIND_NEW_ID };
	struct pt_detached st = { 0 };
	struct pt_outcome out = { 0 };
	struct pt_error err = { 0 };

	(void)state;
	assert_int_equal(pt_backend_write(f->be, PT_NS_SYS, "bus/pci/drivers/e1000e/unbind",
					  E1000E_1, strlen(E1000E_1)),
			 0);
	assert_int_equal(pt_engine_rescan(f->e, &err), 0);
	assert_int_equal(pt_detach(f->e, E1000E_0, &o, &st, &out), 0);
	assert_string_equal(driver(f, E1000E_0), "vfio-pci");
	assert_string_equal(driver(f, E1000E_1), "(none)");
	assert_true(trace_has_rule(f, "E-DETACH-NEW-ID", E1000E_1));
	/* The dynamic id is gone again. */
	pt_outcome_clear(&out);
	assert_int_equal(pt_reattach(f->e, &st, &out), 0);
	assert_string_equal(driver(f, E1000E_0), "e1000e");
	pt_outcome_clear(&out);
	pt_detached_clear(&st);
	done(f);
}

static struct pt_vm *new_vm(struct fixture *f, const char *name)
{
	struct pt_vm_config cfg = {
		.name = name, .memory = 4ull << 30, .vcpus = 2, .numa_node = -1
	};
	struct pt_vm *vm = NULL;

	assert_int_equal(pt_vms_add(f->vms, &cfg, &vm), 0);
	return vm;
}

static void test_engine_attach_release_pair(void **state)
{
	struct fixture *f = load(SHARED);
	const char *devs[] = { E1000E_0, E1000E_1, NULL };
	struct pt_attach_options o = { .managed = true };
	struct pt_vm *vm = new_vm(f, "vm1");
	struct pt_outcome out = { 0 };
	struct pt_step *steps = NULL;
	size_t n = 0;
	uint64_t bytes;
	const char *rule;

	(void)state;
	assert_int_equal(pt_vm_attach(f->e, vm, devs, &o, &steps, &n, &out), 0);
	assert_string_equal(driver(f, E1000E_0), "vfio-pci");
	assert_string_equal(driver(f, E1000E_1), "vfio-pci");
	assert_int_equal(pt_vm_device_count(vm), 2);
	assert_ptr_equal(pt_vms_assigned_to(f->vms, E1000E_1), vm);
	assert_true(pt_group_viable(pt_host_find_group(pt_engine_host(f->e), 6)));
	/* checks, detaches, then resets (after both are detached), then locked memory. */
	assert_int_equal(n, 7);
	assert_non_null(strstr(steps[2].what, "detach " E1000E_0));
	assert_non_null(strstr(steps[3].what, "detach " E1000E_1));
	assert_non_null(
		strstr(steps[4].what, "reset " E1000E_0 ": " E1000E_0 " reset through VFIO"));
	assert_non_null(strstr(steps[6].what, "locked-memory limit for VM vm1: 5368709120 bytes"));
	assert_int_equal(pt_vm_memlock(f->e, vm, &bytes, &rule), 0);
	assert_true(bytes == 5ull << 30);
	pt_steps_free(steps, n);
	pt_outcome_clear(&out);

	/* The same devices cannot go to a second VM. */
	{
		struct pt_vm *vm2 = new_vm(f, "vm2");

		assert_int_equal(pt_vm_attach(f->e, vm2, devs, &o, &steps, &n, &out), 1);
		assert_string_equal(pt_code_to_string(out.code), "device-in-use");
		pt_steps_free(steps, n);
		pt_outcome_clear(&out);
	}

	assert_int_equal(pt_vm_release(f->e, vm, &out), 0);
	assert_string_equal(driver(f, E1000E_0), "e1000e");
	assert_string_equal(driver(f, E1000E_1), "e1000e");
	assert_int_equal(pt_vm_device_count(vm), 0);
	assert_unchanged(f);
	pt_outcome_clear(&out);
	done(f);
}

/* Half of a shared group: refused before anything changes, the sibling named. */
static void test_engine_attach_partial_group_refused(void **state)
{
	struct fixture *f = load(SHARED);
	const char *devs[] = { E1000E_0, NULL };
	struct pt_attach_options o = { .managed = true };
	struct pt_vm *vm = new_vm(f, "vm1");
	struct pt_outcome out = { 0 };
	struct pt_step *steps = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(pt_vm_attach(f->e, vm, devs, &o, &steps, &n, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "group-not-viable");
	assert_string_equal(out.rule, "E-VIAB-HOSTDRV");
	assert_non_null(out.blockers);
	assert_string_equal(out.blockers[0], E1000E_1);
	assert_null(out.blockers[1]);
	assert_unchanged(f);
	pt_steps_free(steps, n);
	pt_outcome_clear(&out);
	done(f);
}

static void test_engine_plan_changes_nothing(void **state)
{
	struct fixture *f = load(SHARED);
	const char *devs[] = { E1000E_0, E1000E_1, NULL };
	struct pt_attach_options o = { .managed = true, .dry_run = true };
	struct pt_vm *vm = new_vm(f, "vm1");
	struct pt_outcome out = { 0 };
	struct pt_step *steps = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(pt_vm_attach(f->e, vm, devs, &o, &steps, &n, &out), 0);
	assert_int_equal(n, 6); /* 2 checks, 2 detaches, 2 resets */
	assert_string_equal(steps[2].what,
			    "detach " E1000E_0 " from e1000e to vfio-pci (override)");
	assert_string_equal(steps[4].what, "reset " E1000E_0 " (pm)");
	assert_int_equal(pt_vm_device_count(vm), 0);
	assert_unchanged(f);
	pt_steps_free(steps, n);
	pt_outcome_clear(&out);
	done(f);
}

/* What pt_vm_attach refuses before changing anything, and VM names. */
static void test_engine_attach_refusals(void **state)
{
	struct fixture *f = load(SHARED);
	struct pt_attach_options o = { .managed = true };
	struct pt_vm_config cfg = { .name = "", .numa_node = -1 };
	struct pt_vm *vm = new_vm(f, "vm1");
	struct pt_host *host = pt_engine_host(f->e);
	struct pt_outcome out = { 0 };
	struct pt_step *steps = NULL;
	const char *bridge = NULL;
	size_t n = 0;

	(void)state;
	assert_ptr_equal(pt_engine_backend(f->e), f->be);
	assert_ptr_equal(pt_engine_trace(f->e), f->trace);
	assert_int_equal(pt_vms_add(f->vms, &cfg, NULL), -EINVAL);
	cfg.name = NULL;
	assert_int_equal(pt_vms_add(f->vms, &cfg, NULL), -EINVAL);
	cfg.name = "vm1";
	assert_int_equal(pt_vms_add(f->vms, &cfg, NULL), -EEXIST);
	assert_int_equal(pt_vms_count(f->vms), 1);

	for (size_t i = 0; i < pt_host_dev_count(host) && !bridge; i++)
		if (pt_dev_props(pt_host_dev(host, i))->header_type == 1)
			bridge = pt_dev_props(pt_host_dev(host, i))->address;
	assert_non_null(bridge);
	{
		const struct {
			const char *devs[3];
			const char *code, *rule;
		} cases[] = {
			{ { "0000:7f:00.0" }, "device-not-found", "E-DEVICE-EXISTS" },
			{ { bridge }, "not-an-endpoint", "E-DETACH-ENDPOINT" },
			{ { NVME, NVME }, "device-in-use", "E-ATTACH-FREE" },
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			assert_int_equal(
				pt_vm_attach(f->e, vm, cases[i].devs, &o, &steps, &n, &out), 1);
			assert_string_equal(pt_code_to_string(out.code), cases[i].code);
			assert_string_equal(out.rule, cases[i].rule);
			assert_non_null(strstr(out.message, cases[i].devs[0]));
			assert_false(steps[n - 1].done);
			pt_steps_free(steps, n);
			pt_outcome_clear(&out);
		}
	}
	assert_int_equal(pt_vm_device_count(vm), 0);
	assert_unchanged(f);
	done(f);
}

/* A locked-memory limit that overflows fails the attach after the detach, which is undone. */
static void test_engine_attach_memlock_overflow(void **state)
{
	struct fixture *f = load(SHARED);
	const char *devs[] = { NVME, NULL };
	struct pt_vm_config cfg = { .name = "huge", .memory = UINT64_MAX, .numa_node = -1 };
	struct pt_vm *vm = NULL;
	struct pt_outcome out = { 0 };
	struct pt_step *steps = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(pt_vms_add(f->vms, &cfg, &vm), 0);
	assert_int_equal(pt_vm_attach(f->e, vm, devs, NULL, &steps, &n, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "memlock-exceeded");
	assert_string_equal(out.rule, "E-MEMLOCK-PINNED");
	assert_null(out.unrestored);
	assert_int_equal(pt_vm_device_count(vm), 0);
	assert_string_equal(driver(f, NVME), "nvme");
	assert_unchanged(f);
	pt_steps_free(steps, n);
	pt_outcome_clear(&out);
	done(f);
}

/* A device detached by another process is adopted once, then it is in use; releasing gives
 * it back to the driver it had. */
static void test_engine_adopt(void **state)
{
	struct fixture *f = load(SHARED);
	struct pt_detach_options o = { .managed = true };
	struct pt_vm *vm = new_vm(f, "vm1"), *vm2 = new_vm(f, "vm2");
	struct pt_detached st = { 0 };
	struct pt_outcome out = { 0 };

	(void)state;
	assert_int_equal(pt_detach(f->e, NVME, &o, &st, &out), 0);
	pt_outcome_clear(&out);
	assert_int_equal(pt_vm_adopt(f->e, vm, &st), 0);
	assert_ptr_equal(pt_vms_assigned_to(f->vms, NVME), vm);
	assert_int_equal(pt_vm_adopt(f->e, vm2, &st), -EBUSY);
	assert_int_equal(pt_vm_device_count(vm), 1);
	assert_string_equal(pt_vm_device(vm, 0), NVME);
	/* The VM keeps its own copy of the record. */
	assert_string_equal(pt_vm_detached(vm, 0)->orig_driver, "nvme");
	assert_ptr_not_equal(pt_vm_detached(vm, 0)->orig_driver, st.orig_driver);
	pt_detached_clear(&st);
	assert_int_equal(pt_vm_release(f->e, vm, &out), 0);
	assert_string_equal(driver(f, NVME), "nvme");
	assert_null(pt_vms_assigned_to(f->vms, NVME));
	assert_unchanged(f);
	pt_outcome_clear(&out);
	done(f);
}

/* Release when the driver's probe fails: the VM lets go, the outcome says the device did not
 * return and how to give it back by hand. */
static void test_engine_release_reattach_fails(void **state)
{
	struct fixture *f = load(SHARED);
	const char *devs[] = { NVME, NULL };
	struct fks_fault fault = { .kind = FKS_FAULT_WRITE,
				   .path = "bus/pci/drivers_probe",
				   .error = ENODEV,
				   .count = 0 };
	struct pt_vm *vm = new_vm(f, "vm1");
	struct pt_outcome out = { 0 };
	struct pt_step *steps = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(pt_vm_attach(f->e, vm, devs, NULL, &steps, &n, &out), 0);
	pt_steps_free(steps, n);
	pt_outcome_clear(&out);
	assert_int_equal(fks_host_add_fault(f->host, &fault), 0);
	assert_int_equal(pt_vm_release(f->e, vm, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "bind-failed");
	assert_string_equal(out.rule, "E-REATTACH");
	assert_true(fks_host_faults_fired(f->host) > 0);
	assert_non_null(out.unrestored);
	assert_non_null(strstr(out.unrestored[0], NVME));
	assert_int_equal(pt_vm_device_count(vm), 0);
	assert_null(pt_vms_assigned_to(f->vms, NVME));
	assert_string_not_equal(driver(f, NVME), "nvme");
	pt_outcome_clear(&out);
	done(f);
}

static void test_engine_reset_choices(void **state)
{
	struct fixture *f = load(SHARED);
	struct pt_outcome out = { 0 };
	int method = -2;

	(void)state;
	/* nvme: [flr bus], the kernel's first is flr. */
	assert_int_equal(pt_reset_device(f->e, NVME, -1, &method, &out), 0);
	assert_int_equal(method, PT_RESET_FLR);
	pt_outcome_clear(&out);
	/* e1000e function 1: [pm]. */
	assert_int_equal(pt_reset_device(f->e, E1000E_1, -1, &method, &out), 0);
	assert_int_equal(method, PT_RESET_PM);
	pt_outcome_clear(&out);
	/* Function 0 lists bus too (probed before function 1 was on the bus), but a bus reset
	 * would hit function 1, which e1000e is using. */
	assert_int_equal(pt_reset_device(f->e, E1000E_0, PT_RESET_BUS, &method, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "reset-refused");
	assert_string_equal(out.rule, "E-RESET-BUS-USERS");
	assert_string_equal(out.blockers[0], E1000E_1);
	pt_outcome_clear(&out);
	/* pm is not one of nvme's methods. */
	assert_int_equal(pt_reset_device(f->e, NVME, PT_RESET_PM, &method, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "reset-unavailable");
	pt_outcome_clear(&out);
	/* edu has no reset at all. */
	assert_int_equal(pt_reset_device(f->e, EDU, -1, &method, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "reset-unavailable");
	assert_non_null(strstr(out.message, "no reset method"));
	pt_outcome_clear(&out);
	/* A chosen method is selected for the one reset, and the list put back. */
	assert_int_equal(pt_reset_device(f->e, NVME, PT_RESET_BUS, &method, &out), 0);
	assert_int_equal(method, PT_RESET_BUS);
	assert_string_equal(read_attr(f, "bus/pci/devices/" NVME "/reset_method"), "flr bus");
	pt_outcome_clear(&out);
	done(f);
}

static void test_engine_vfio_open_and_memlock(void **state)
{
	struct fixture *f = load(SHARED);
	struct pt_detach_options o = { .managed = true, .force = true };
	struct pt_vfio_options vo = { .map_bytes = 1 << 20, .reset = true };
	struct pt_detached st = { 0 };
	struct pt_outcome out = { 0 };
	struct pt_vfio_info info;

	(void)state;
	assert_int_equal(pt_vfio_open(f->e, NVME, &vo, &info, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "not-detached");
	pt_outcome_clear(&out);
	assert_int_equal(pt_detach(f->e, NVME, &o, &st, &out), 0);
	pt_outcome_clear(&out);
	assert_int_equal(pt_vfio_open(f->e, NVME, &vo, &info, &out), 0);
	assert_true(info.type1v2);
	assert_true(info.group_flags & 1);
	assert_true(info.num_regions >= 7);
	assert_true(info.regions[0].size > 0); /* BAR0 */
	assert_true(info.mapped == 1 << 20);
	assert_true(info.reset);
	pt_outcome_clear(&out);

	/* Without CAP_IPC_LOCK and with a small RLIMIT_MEMLOCK the map fails with ENOMEM. */
	assert_int_equal(fks_host_set(f->host, "cap_ipc_lock", "0"), 0);
	assert_int_equal(fks_host_set(f->host, "memlock", "65536"), 0);
	assert_int_equal(pt_vfio_open(f->e, NVME, &vo, &info, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "memlock-exceeded");
	assert_int_equal(out.err, -ENOMEM);
	pt_outcome_clear(&out);
	pt_detached_clear(&st);
	done(f);
}

/* A VFIO group file is open once (the kernel answers EBUSY to a second open): while another
 * process holds it, opening and resetting through VFIO are refused and nothing changes. */
static void test_engine_vfio_group_held(void **state)
{
	struct fixture *f = load(SHARED);
	struct pt_detach_options o = { .managed = true };
	struct pt_detached st = { 0 };
	struct pt_outcome out = { 0 };
	struct pt_vfio_info info;
	char node[32];
	int held, method = 0;

	(void)state;
	assert_int_equal(pt_detach(f->e, NVME, &o, &st, &out), 0);
	pt_outcome_clear(&out);
	snprintf(node, sizeof(node), "vfio/%d",
		 pt_dev_props(pt_host_find_dev(pt_engine_host(f->e), NVME))->iommu_group);
	held = pt_backend_dev_open(f->be, node, O_RDWR);
	assert_true(held >= 0);
	assert_int_equal(pt_vfio_open(f->e, NVME, NULL, &info, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "group-in-use");
	assert_string_equal(out.rule, "K-VFIO-GROUP-NODE");
	assert_int_equal(out.err, -EBUSY);
	assert_non_null(strstr(out.message, "another process holds it"));
	pt_outcome_clear(&out);
	assert_int_equal(pt_reset_device(f->e, NVME, -1, &method, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "reset-refused");
	pt_outcome_clear(&out);
	assert_int_equal(pt_backend_dev_close(f->be, held), 0);
	assert_int_equal(pt_reset_device(f->e, NVME, -1, &method, &out), 0);
	assert_string_equal(out.rule, "K-VFIO-RESET");
	pt_outcome_clear(&out);

	/* Unknown devices are named as such by both. */
	assert_int_equal(pt_vfio_open(f->e, "0000:7f:00.0", NULL, &info, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "device-not-found");
	pt_outcome_clear(&out);
	assert_int_equal(pt_reset_device(f->e, "0000:7f:00.0", -1, &method, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "device-not-found");
	pt_outcome_clear(&out);
	assert_int_equal(pt_reattach(f->e, &st, &out), 0);
	assert_unchanged(f);
	pt_outcome_clear(&out);
	pt_detached_clear(&st);
	done(f);
}

static void test_engine_vfio_group_not_viable(void **state)
{
	struct fixture *f = load(SHARED);
	struct pt_detach_options o = { .managed = true };
	struct pt_vfio_options vo = { 0 };
	struct pt_detached st = { 0 };
	struct pt_outcome out = { 0 };
	struct pt_vfio_info info;

	(void)state;
	assert_int_equal(pt_detach(f->e, E1000E_0, &o, &st, &out), 0);
	pt_outcome_clear(&out);
	assert_int_equal(pt_vfio_open(f->e, E1000E_0, &vo, &info, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "group-not-viable");
	assert_string_equal(out.blockers[0], E1000E_1);
	pt_outcome_clear(&out);
	pt_detached_clear(&st);
	done(f);
}

static void test_engine_vf_create_select_attach(void **state)
{
	struct fixture *f = load(SRIOV);
	struct pt_vf_query q = { .pf = SRIOV_PF, .numa_node = -1 };
	struct pt_attach_options o = { .managed = true };
	struct pt_outcome out = { 0 };
	struct pt_step *steps = NULL;
	struct pt_vm *vm;
	char vf[16];
	size_t n = 0;

	(void)state;
	assert_int_equal(pt_select_vf(f->e, &q, vf, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "vf-unavailable");
	pt_outcome_clear(&out);

	q.create = true;
	q.create_count = 2;
	assert_int_equal(pt_select_vf(f->e, &q, vf, &out), 0);
	assert_string_equal(vf, "0000:02:00.1");
	assert_string_equal(read_attr(f, "bus/pci/devices/" SRIOV_PF "/sriov_numvfs"), "2");
	assert_string_equal(read_attr(f, "bus/pci/devices/" SRIOV_PF "/sriov_drivers_autoprobe"),
			    "0");
	assert_string_equal(driver(f, vf), "(none)");
	pt_outcome_clear(&out);

	/* The 0-first rule: 2 -> 3 goes through 0. */
	assert_int_equal(pt_set_numvfs(f->e, SRIOV_PF, 3, &out), 0);
	assert_true(trace_has_rule(f, "K-SRIOV-ZERO-FIRST", SRIOV_PF));
	pt_outcome_clear(&out);
	assert_int_equal(pt_set_numvfs(f->e, SRIOV_PF, 9, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "numvfs-range");
	pt_outcome_clear(&out);

	vm = new_vm(f, "vm1");
	{
		const char *devs[] = { vf, NULL };

		assert_int_equal(pt_vm_attach(f->e, vm, devs, &o, &steps, &n, &out), 0);
		assert_string_equal(driver(f, vf), "vfio-pci");
		pt_steps_free(steps, n);
		pt_outcome_clear(&out);
	}
	/* In use by a VM: the PF's VF count is frozen, and that VF is no longer free. */
	assert_int_equal(pt_set_numvfs(f->e, SRIOV_PF, 0, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "numvfs-busy");
	pt_outcome_clear(&out);
	q.create = false;
	assert_int_equal(pt_select_vf(f->e, &q, vf, &out), 0);
	assert_string_equal(vf, "0000:02:00.2");
	pt_outcome_clear(&out);
	done(f);
}

/* The fewer-VFs fault: the driver enables fewer than asked; the PF is put back. */
static void test_engine_numvfs_fewer_than_asked(void **state)
{
	struct fixture *f = load(SRIOV);
	struct fks_fault fault = { .kind = FKS_FAULT_NUMVFS, .path = SRIOV_PF, .max_vfs = 1 };
	struct pt_outcome out = { 0 };

	(void)state;
	assert_int_equal(fks_host_add_fault(f->host, &fault), 0);
	assert_int_equal(pt_set_numvfs(f->e, SRIOV_PF, 3, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "vf-unavailable");
	assert_string_equal(read_attr(f, "bus/pci/devices/" SRIOV_PF "/sriov_numvfs"), "0");
	pt_outcome_clear(&out);
	assert_unchanged(f);
	done(f);
}

/*
 * Fault injection at every mutating step of an attach: run it once to learn its writes and
 * resets, then once per step with that step failing, each time on a fresh host. The attach
 * must fail with a code and leave the host exactly as it began (compared by export), or
 * name what it could not restore.
 */
struct matrix_case {
	const char *recording;
	const char *devices[3];
	bool force;
	const char *prepare; /* a write before the attach (path=value), or NULL */
};

static void run_matrix(const struct matrix_case *c, unsigned *ret_points, unsigned *ret_held)
{
	struct fixture *f = load(c->recording);
	const char *devs[3] = { c->devices[0], c->devices[1], NULL };
	struct pt_attach_options o = { .managed = true, .force = c->force };
	struct pt_vm *vm = new_vm(f, "vm1");
	struct pt_outcome out = { 0 };
	struct pt_step *steps = NULL;
	char **writes = NULL;
	size_t n = 0, nw = 0;

	assert_int_equal(pt_vm_attach(f->e, vm, devs, &o, &steps, &n, &out), 0);
	pt_steps_free(steps, n);
	pt_outcome_clear(&out);
	for (size_t i = 0; i < pt_trace_count(f->trace); i++) {
		const struct pt_event *ev = pt_trace_event(f->trace, i);

		if (ev->kind == PT_EVENT_WRITE) {
			writes = realloc(writes, (nw + 1) * sizeof(*writes));
			writes[nw++] = strdup(ev->path);
		}
	}
	done(f);
	assert_true(nw > 0);

	for (size_t step = 0; step < nw + 2; step++) {
		struct fks_fault fault = { .error = EIO, .count = 1 };
		unsigned nth = 1;

		if (step < nw) {
			for (size_t j = 0; j < step; j++)
				nth += strcmp(writes[j], writes[step]) == 0;
			fault.kind = FKS_FAULT_WRITE;
			fault.path = writes[step];
			fault.nth = nth;
		} else {
			/* The resets of each device. */
			fault.kind = FKS_FAULT_RESET;
			fault.path = c->devices[step - nw];
			if (!fault.path)
				continue;
		}
		f = load(c->recording);
		vm = new_vm(f, "vm1");
		assert_int_equal(fks_host_add_fault(f->host, &fault), 0);
		(*ret_points)++;
		if (pt_vm_attach(f->e, vm, devs, &o, &steps, &n, &out) == 0) {
			/* A fault the engine absorbed (e.g. a reset it did not need): the attach
			 * succeeded, and releasing must give the host back. */
			pt_outcome_clear(&out);
			assert_int_equal(pt_vm_release(f->e, vm, &out), 0);
		} else {
			print_message("  %s #%u %s: %s\n", fks_fault_kind_to_string(fault.kind),
				      nth, fault.path, out.message);
			assert_int_not_equal(out.code, PT_CODE_OK);
		}
		if (!out.unrestored) {
			assert_unchanged(f);
			(*ret_held)++;
		}
		for (char **u = out.unrestored; u && *u; u++)
			print_message("    not restored: %s\n", *u);
		pt_steps_free(steps, n);
		steps = NULL;
		n = 0;
		pt_outcome_clear(&out);
		done(f);
	}
	for (size_t i = 0; i < nw; i++)
		free(writes[i]);
	free(writes);
}

static void test_engine_attach_fault_matrix(void **state)
{
	static const struct matrix_case cases[] = {
		{ "lab-shared-initial.umockdev", { E1000E_0, E1000E_1 }, false, NULL },
		{ "lab-shared-initial.umockdev", { NVME }, true, NULL },
		{ "lab-sriov-initial.umockdev", { "0000:01:00.0" }, true, NULL },
		{ "lab-shared-e1000e-half-vfio.umockdev", { E1000E_0, E1000E_1 }, false, NULL },
		{ "lab-shared-nvme-vfio.umockdev", { NVME, EDU }, true, NULL },
	};
	unsigned points = 0, held = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("%s: %s %s\n", cases[i].recording, cases[i].devices[0],
			      cases[i].devices[1] ? cases[i].devices[1] : "");
		run_matrix(&cases[i], &points, &held);
	}
	print_message("fault points tried: %u, host restored exactly: %u\n", points, held);
	assert_true(points >= 20);
	assert_int_equal(held, points);
}

/* Without interrupt remapping VFIO refuses the container's IOMMU: the attach fails at the
 * VFIO reset, says why, and gives the device back. */
static void test_engine_attach_without_interrupt_remapping(void **state)
{
	struct fixture *f = load("lab-nointremap-initial.umockdev");
	const char *devs[] = { "0000:01:00.0", NULL };
	struct pt_attach_options o = { .managed = true, .force = true };
	struct pt_vm *vm = new_vm(f, "vm1");
	struct pt_outcome out = { 0 };
	struct pt_step *steps = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(pt_vm_attach(f->e, vm, devs, &o, &steps, &n, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "vfio-failed");
	assert_string_equal(out.rule, "K-VFIO-INTREMAP");
	assert_int_equal(out.err, -EPERM);
	assert_null(out.unrestored);
	assert_unchanged(f);
	pt_steps_free(steps, n);
	pt_outcome_clear(&out);
	done(f);
}

/* The three kinds of assignment on the two-PF server NIC (igb, VFs at offset 128 stride 4). */
static void test_engine_select_vf_kinds(void **state)
{
	struct fixture *f = load("server-sriov.umockdev");
	struct pt_outcome out = { 0 };
	struct pt_vf_query q = { .pf = "enp59s0f0", .numa_node = -1 };
	char vf[16];

	(void)state;
	/* The PF matters: by netdev name, VFs in index order; a VF on igbvf is free (only it
	 * blocks its own group). */
	assert_int_equal(pt_select_vf(f->e, &q, vf, &out), 0);
	assert_string_equal(vf, "0000:3b:10.0");
	pt_outcome_clear(&out);
	q.vfs = "2-3";
	assert_int_equal(pt_select_vf(f->e, &q, vf, &out), 0);
	assert_string_equal(vf, "0000:3b:11.0");
	pt_outcome_clear(&out);
	q.vfs = "9";
	assert_int_equal(pt_select_vf(f->e, &q, vf, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "vf-unavailable");
	pt_outcome_clear(&out);
	q.vfs = "2-";
	assert_int_equal(pt_select_vf(f->e, &q, vf, &out), -EINVAL);
	q = (struct pt_vf_query){ .pf = "0000:5e:00.0", .numa_node = -1 };
	assert_int_equal(pt_select_vf(f->e, &q, vf, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "sriov-unsupported");
	pt_outcome_clear(&out);
	q.pf = "eth9";
	assert_int_equal(pt_select_vf(f->e, &q, vf, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "device-not-found");
	pt_outcome_clear(&out);

	/* The PF does not matter: by the VF's ids, the least busy PF first. */
	q = (struct pt_vf_query){ .id = "8086:1520", .numa_node = 0 };
	assert_int_equal(pt_select_vf(f->e, &q, vf, &out), 0);
	assert_string_equal(vf, "0000:3b:10.0");
	pt_outcome_clear(&out);
	{
		const char *devs[] = { "0000:3b:10.0", NULL };
		struct pt_attach_options o = { .managed = true };
		struct pt_vm *vm = new_vm(f, "vm1");
		struct pt_step *steps = NULL;
		size_t n = 0;

		assert_int_equal(pt_vm_attach(f->e, vm, devs, &o, &steps, &n, &out), 0);
		pt_steps_free(steps, n);
		pt_outcome_clear(&out);
	}
	assert_int_equal(pt_set_numvfs(f->e, "0000:3b:00.1", 2, &out), 0);
	pt_outcome_clear(&out);
	assert_int_equal(pt_select_vf(f->e, &q, vf, &out), 0);
	assert_string_equal(vf, "0000:3b:10.1"); /* PF1 has none in use, PF0 has one */
	pt_outcome_clear(&out);

	/* Not SR-IOV: by id, by class, or the same address. */
	q = (struct pt_vf_query){ .id = "1000:0097", .numa_node = -1 };
	assert_int_equal(pt_select_vf(f->e, &q, vf, &out), 0);
	assert_string_equal(vf, "0000:5e:00.0");
	pt_outcome_clear(&out);
	q = (struct pt_vf_query){ .class = "0106", .numa_node = -1 };
	assert_int_equal(pt_select_vf(f->e, &q, vf, &out), 0);
	assert_string_equal(vf, "0000:00:1f.2");
	pt_outcome_clear(&out);
	q = (struct pt_vf_query){ .same_address = "0000:5e:00.0", .numa_node = -1 };
	assert_int_equal(pt_select_vf(f->e, &q, vf, &out), 0);
	assert_string_equal(vf, "0000:5e:00.0");
	pt_outcome_clear(&out);
	done(f);
}

static void test_engine_migrate_check(void **state)
{
	struct fixture *src = load("server-sriov.umockdev"), *dst = load("server-sriov.umockdev");
	struct pt_migrate_device devs[] = {
		{ "0000:3b:10.0", false }, /* a VF on plain vfio-pci */
		{ "0000:3b:00.0", false }, /* the PF, with VFs */
		{ "0000:3b:10.4", true }, /* a VF marked for failover */
	};
	struct pt_migrate_result res = { 0 };
	struct pt_outcome out = { 0 };

	(void)state;
	assert_int_equal(pt_migrate_check(src->e, devs, 3, dst->e, &res, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "migration-blocked");
	assert_false(res.migratable);
	assert_false(res.entries[0].ok);
	assert_non_null(strstr(res.entries[0].reason, "does not support VFIO migration"));
	assert_false(res.entries[1].ok);
	assert_non_null(strstr(res.entries[1].reason, "SR-IOV PF with 4 VFs"));
	assert_true(res.entries[2].ok);
	assert_string_equal(res.entries[2].kind, "same-pf-network");
	assert_string_equal(res.entries[2].destination, "0000:3b:10.0");
	assert_string_equal(out.blockers[0], "0000:3b:10.0");
	assert_string_equal(out.blockers[1], "0000:3b:00.0");
	pt_migrate_result_clear(&res);
	pt_outcome_clear(&out);

	/* Failover alone migrates; without a destination host nothing is looked up. */
	assert_int_equal(pt_migrate_check(src->e, &devs[2], 1, NULL, &res, &out), 0);
	assert_true(res.migratable);
	pt_migrate_result_clear(&res);
	pt_outcome_clear(&out);
	{
		struct pt_migrate_device unknown = { "0000:77:00.0", false };

		assert_int_equal(pt_migrate_check(src->e, &unknown, 1, NULL, &res, &out), 1);
		assert_string_equal(res.entries[0].rule, "E-DEVICE-EXISTS");
		pt_migrate_result_clear(&res);
		pt_outcome_clear(&out);
	}
	assert_true(pt_driver_migrates("mlx5_vfio_pci"));
	assert_false(pt_driver_migrates("vfio-pci"));
	assert_false(pt_driver_migrates(NULL));
	done(src);
	done(dst);

	/* A plain NIC marked for failover: the same address on the destination. */
	src = load("desktop-gpu.umockdev");
	dst = load("desktop-gpu.umockdev");
	{
		struct pt_migrate_device nic = { "0000:00:1f.6", true };

		assert_int_equal(pt_migrate_check(src->e, &nic, 1, dst->e, &res, &out), 0);
		assert_string_equal(res.entries[0].kind, "same-address");
		assert_string_equal(res.entries[0].destination, "0000:00:1f.6");
		pt_migrate_result_clear(&res);
		pt_outcome_clear(&out);
	}
	done(src);
	done(dst);
}

/* Trial row 18: only a stub driver is a detach target; a host driver's name or a path is
 * refused before anything is written (the CLI exits 2 on it). */
static void test_engine_detach_target_must_be_stub(void **state)
{
	static const char *const refused[] = { "e1000e",     "nvme", "../../../etc",
					       "vfio-pci/x", "",     "pcieport" };
	struct fixture *f = load(SHARED);
	struct pt_detached st = { 0 };
	struct pt_outcome out = { 0 };
	struct pt_attach_options ao = { .managed = true, .dry_run = true };
	const char *devs[] = { NVME, NULL };
	struct pt_step *steps = NULL;
	struct pt_vm_config cfg = { .name = "v", .memory = 1u << 30, .vcpus = 1, .numa_node = -1 };
	struct pt_vm *vm;
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct pt_detach_options o = { .managed = true, .driver = refused[i] };

		assert_int_equal(pt_detach(f->e, E1000E_0, &o, &st, &out), -EINVAL);
		assert_non_null(strstr(out.message, "not a stub driver"));
		pt_outcome_clear(&out);
	}
	assert_false(pt_driver_name_valid("../../../etc"));
	assert_true(pt_driver_name_valid("mlx5_vfio_pci"));
	assert_int_equal(pt_vms_add(f->vms, &cfg, &vm), 0);
	ao.driver = "e1000";
	assert_int_equal(pt_vm_attach(f->e, vm, devs, &ao, &steps, &n, &out), -EINVAL);
	assert_int_equal(n, 0);
	pt_outcome_clear(&out);
	assert_unchanged(f);
	done(f);
}

/* Trial row 2: reattach of a device on its host driver (never detached) is a no-op: the nvme,
 * an e1000e and a root port stay bound, nothing is written. */
static void test_engine_reattach_host_driver_noop(void **state)
{
	static const char *const devs[] = { NVME, E1000E_0, "0000:00:02.0" };
	struct fixture *f = load(SHARED);

	(void)state;
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		struct pt_detached st = { .unbound_by_us = true,
					  .managed = true,
					  .orig_unknown = true };
		struct pt_outcome out = { 0 };
		const char *before = driver(f, devs[i]);

		snprintf(st.address, sizeof(st.address), "%s", devs[i]);
		st.stub = strdup(before);
		assert_int_equal(pt_reattach(f->e, &st, &out), 0);
		assert_string_equal(out.rule, "E-REATTACH-SKIP");
		assert_non_null(strstr(out.message, "already on its host driver"));
		assert_string_equal(driver(f, devs[i]), before);
		assert_true(trace_has_rule(f, "E-REATTACH-SKIP", devs[i]));
		pt_outcome_clear(&out);
		pt_detached_clear(&st);
	}
	assert_unchanged(f);
	done(f);
}

/* Trial row 8: a VF that had no driver is given back to whatever the kernel's probe picks
 * (mlx5_core matches its ids), as libvirt accepts; it is not rolled back onto vfio-pci. */
static void test_engine_reattach_unbound_accepts_probe(void **state)
{
	struct fixture *f = load("server-mlx5.umockdev");
	struct pt_detach_options o = { .managed = true };
	struct pt_detached st = { 0 };
	struct pt_outcome out = { 0 };

	(void)state;
	assert_string_equal(driver(f, "0000:b3:00.1"), "(none)");
	assert_int_equal(pt_detach(f->e, "0000:b3:00.1", &o, &st, &out), 0);
	assert_null(st.orig_driver);
	assert_string_equal(driver(f, "0000:b3:00.1"), "vfio-pci");
	pt_outcome_clear(&out);
	assert_int_equal(pt_reattach(f->e, &st, &out), 0);
	assert_string_equal(pt_code_to_string(out.code), "ok");
	assert_string_equal(driver(f, "0000:b3:00.1"), "mlx5_core");
	assert_string_equal(read_attr(f, "bus/pci/devices/0000:b3:00.1/driver_override"), "(null)");
	assert_false(trace_has_rule(f, "E-ROLLBACK", "0000:b3:00.1"));
	pt_outcome_clear(&out);
	pt_detached_clear(&st);
	done(f);
}

/* Trial row 16: a VF on the migration-capable mlx5_vfio_pci stays there when no stub is
 * named (plain vfio-pci would silently lose VFIO migration); asked for vfio-pci, it moves. */
static void test_engine_detach_keeps_vfio_variant(void **state)
{
	struct fixture *f = load("server-mlx5.umockdev");
	struct pt_detach_options o = { .managed = true };
	struct pt_detached st = { 0 };
	struct pt_outcome out = { 0 };

	(void)state;
	assert_string_equal(pt_detach_target(NULL, "mlx5_vfio_pci"), "mlx5_vfio_pci");
	assert_string_equal(pt_detach_target(NULL, "mlx5_core"), "vfio-pci");
	assert_string_equal(pt_detach_target("pci-stub", "mlx5_vfio_pci"), "pci-stub");
	assert_int_equal(pt_detach(f->e, "0000:17:00.2", &o, &st, &out), 0);
	assert_string_equal(out.rule, "E-DETACH-NOOP");
	assert_false(st.unbound_by_us);
	assert_string_equal(driver(f, "0000:17:00.2"), "mlx5_vfio_pci");
	assert_true(pt_driver_migrates(driver(f, "0000:17:00.2")));
	assert_unchanged(f);
	pt_outcome_clear(&out);
	pt_detached_clear(&st);
	o.driver = "vfio-pci";
	assert_int_equal(pt_detach(f->e, "0000:17:00.2", &o, &st, &out), 0);
	assert_string_equal(driver(f, "0000:17:00.2"), "vfio-pci");
	pt_outcome_clear(&out);
	pt_detached_clear(&st);
	done(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine_detach_reattach_nvme),
		cmocka_unit_test(test_engine_detach_refusals),
		cmocka_unit_test(test_engine_detach_target_must_be_stub),
		cmocka_unit_test(test_engine_reattach_host_driver_noop),
		cmocka_unit_test(test_engine_reattach_unbound_accepts_probe),
		cmocka_unit_test(test_engine_detach_keeps_vfio_variant),
		cmocka_unit_test(test_engine_detach_new_id_undoes_side_effect),
		cmocka_unit_test(test_engine_attach_release_pair),
		cmocka_unit_test(test_engine_attach_partial_group_refused),
		cmocka_unit_test(test_engine_plan_changes_nothing),
		cmocka_unit_test(test_engine_attach_refusals),
		cmocka_unit_test(test_engine_attach_memlock_overflow),
		cmocka_unit_test(test_engine_adopt),
		cmocka_unit_test(test_engine_release_reattach_fails),
		cmocka_unit_test(test_engine_reset_choices),
		cmocka_unit_test(test_engine_vfio_open_and_memlock),
		cmocka_unit_test(test_engine_vfio_group_not_viable),
		cmocka_unit_test(test_engine_vfio_group_held),
		cmocka_unit_test(test_engine_vf_create_select_attach),
		cmocka_unit_test(test_engine_numvfs_fewer_than_asked),
		cmocka_unit_test(test_engine_attach_without_interrupt_remapping),
		cmocka_unit_test(test_engine_attach_fault_matrix),
		cmocka_unit_test(test_engine_select_vf_kinds),
		cmocka_unit_test(test_engine_migrate_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
