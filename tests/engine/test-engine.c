/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine's detach, attach, reset and VFIO operations on fake hosts loaded from the lab's
 * real kernel recordings. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"
#include "sriov.h"
#include "vfio.h"
#include "fixture.h"

static void test_engine_detach_reattach_nvme(void **state)
{
	struct fixture *f = fx_load(SHARED);
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
	assert_string_equal(fx_driver(f, NVME), "vfio-pci");
	assert_string_equal(fx_read_attr(f, "bus/pci/devices/" NVME "/driver_override"),
			    "vfio-pci");
	assert_int_equal(pt_backend_exists(f->be, PT_NS_DEV, "vfio/7"), 1);
	assert_string_equal(st.orig_driver, "nvme");
	assert_true(st.unbound_by_us);
	assert_true(fx_trace_has_rule(f, "E-DETACH-VERIFY", NVME));
	pt_outcome_clear(&out);

	assert_int_equal(pt_reattach(f->e, &st, &out), 0);
	assert_string_equal(fx_driver(f, NVME), "nvme");
	assert_string_equal(fx_read_attr(f, "bus/pci/devices/" NVME "/driver_override"), "(null)");
	assert_int_equal(pt_backend_exists(f->be, PT_NS_DEV, "vfio/7"), 0);
	fx_assert_unchanged(f);
	pt_outcome_clear(&out);
	pt_detached_clear(&st);
	fx_done(f);
}

static void test_engine_detach_refusals(void **state)
{
	struct fixture *f = fx_load(SHARED);
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
	fx_assert_unchanged(f);
	fx_done(f);
}

/* new_id binds every unbound device with the ids; the engine gives the other one back. */
static void test_engine_detach_new_id_undoes_side_effect(void **state)
{
	struct fixture *f = fx_load(SHARED);
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
	assert_string_equal(fx_driver(f, E1000E_0), "vfio-pci");
	assert_string_equal(fx_driver(f, E1000E_1), "(none)");
	assert_true(fx_trace_has_rule(f, "E-DETACH-NEW-ID", E1000E_1));
	/* The dynamic id is gone again. */
	pt_outcome_clear(&out);
	assert_int_equal(pt_reattach(f->e, &st, &out), 0);
	assert_string_equal(fx_driver(f, E1000E_0), "e1000e");
	pt_outcome_clear(&out);
	pt_detached_clear(&st);
	fx_done(f);
}

static void test_engine_attach_release_pair(void **state)
{
	struct fixture *f = fx_load(SHARED);
	const char *devs[] = { E1000E_0, E1000E_1, NULL };
	struct pt_attach_options o = { .managed = true };
	struct pt_vm *vm = fx_new_vm(f, "vm1");
	struct pt_outcome out = { 0 };
	struct pt_step *steps = NULL;
	size_t n = 0;
	uint64_t bytes;
	const char *rule;

	(void)state;
	assert_int_equal(pt_vm_attach(f->e, vm, devs, &o, &steps, &n, &out), 0);
	assert_string_equal(fx_driver(f, E1000E_0), "vfio-pci");
	assert_string_equal(fx_driver(f, E1000E_1), "vfio-pci");
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
		struct pt_vm *vm2 = fx_new_vm(f, "vm2");

		assert_int_equal(pt_vm_attach(f->e, vm2, devs, &o, &steps, &n, &out), 1);
		assert_string_equal(pt_code_to_string(out.code), "device-in-use");
		pt_steps_free(steps, n);
		pt_outcome_clear(&out);
	}

	assert_int_equal(pt_vm_release(f->e, vm, &out), 0);
	assert_string_equal(fx_driver(f, E1000E_0), "e1000e");
	assert_string_equal(fx_driver(f, E1000E_1), "e1000e");
	assert_int_equal(pt_vm_device_count(vm), 0);
	fx_assert_unchanged(f);
	pt_outcome_clear(&out);
	fx_done(f);
}

/* Half of a shared group: refused before anything changes, the sibling named. */
static void test_engine_attach_partial_group_refused(void **state)
{
	struct fixture *f = fx_load(SHARED);
	const char *devs[] = { E1000E_0, NULL };
	struct pt_attach_options o = { .managed = true };
	struct pt_vm *vm = fx_new_vm(f, "vm1");
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
	fx_assert_unchanged(f);
	pt_steps_free(steps, n);
	pt_outcome_clear(&out);
	fx_done(f);
}

static void test_engine_plan_changes_nothing(void **state)
{
	struct fixture *f = fx_load(SHARED);
	const char *devs[] = { E1000E_0, E1000E_1, NULL };
	struct pt_attach_options o = { .managed = true, .dry_run = true };
	struct pt_vm *vm = fx_new_vm(f, "vm1");
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
	fx_assert_unchanged(f);
	pt_steps_free(steps, n);
	pt_outcome_clear(&out);
	fx_done(f);
}

/* What pt_vm_attach refuses before changing anything, and VM names. */
static void test_engine_attach_refusals(void **state)
{
	struct fixture *f = fx_load(SHARED);
	struct pt_attach_options o = { .managed = true };
	struct pt_vm_config cfg = { .name = "", .numa_node = -1 };
	struct pt_vm *vm = fx_new_vm(f, "vm1");
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
	fx_assert_unchanged(f);
	fx_done(f);
}

/* A locked-memory limit that overflows fails the attach after the detach, which is undone. */
static void test_engine_attach_memlock_overflow(void **state)
{
	struct fixture *f = fx_load(SHARED);
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
	assert_string_equal(fx_driver(f, NVME), "nvme");
	fx_assert_unchanged(f);
	pt_steps_free(steps, n);
	pt_outcome_clear(&out);
	fx_done(f);
}

/* A device detached by another process is adopted once, then it is in use; releasing gives
 * it back to the driver it had. */
static void test_engine_adopt(void **state)
{
	struct fixture *f = fx_load(SHARED);
	struct pt_detach_options o = { .managed = true };
	struct pt_vm *vm = fx_new_vm(f, "vm1"), *vm2 = fx_new_vm(f, "vm2");
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
	assert_string_equal(fx_driver(f, NVME), "nvme");
	assert_null(pt_vms_assigned_to(f->vms, NVME));
	fx_assert_unchanged(f);
	pt_outcome_clear(&out);
	fx_done(f);
}

/* Release when the driver's probe fails: the VM lets go, the outcome says the device did not
 * return and how to give it back by hand. */
static void test_engine_release_reattach_fails(void **state)
{
	struct fixture *f = fx_load(SHARED);
	const char *devs[] = { NVME, NULL };
	struct fks_fault fault = { .kind = FKS_FAULT_WRITE,
				   .path = "bus/pci/drivers_probe",
				   .error = ENODEV,
				   .count = 0 };
	struct pt_vm *vm = fx_new_vm(f, "vm1");
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
	assert_string_not_equal(fx_driver(f, NVME), "nvme");
	pt_outcome_clear(&out);
	fx_done(f);
}

static void test_engine_reset_choices(void **state)
{
	struct fixture *f = fx_load(SHARED);
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
	assert_string_equal(fx_read_attr(f, "bus/pci/devices/" NVME "/reset_method"), "flr bus");
	pt_outcome_clear(&out);
	fx_done(f);
}

static void test_engine_vfio_open_and_memlock(void **state)
{
	struct fixture *f = fx_load(SHARED);
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
	fx_done(f);
}

/* A VFIO group file is open once (the kernel answers EBUSY to a second open): while another
 * process holds it, opening and resetting through VFIO are refused and nothing changes. */
static void test_engine_vfio_group_held(void **state)
{
	struct fixture *f = fx_load(SHARED);
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
	fx_assert_unchanged(f);
	pt_outcome_clear(&out);
	pt_detached_clear(&st);
	fx_done(f);
}

static void test_engine_vfio_group_not_viable(void **state)
{
	struct fixture *f = fx_load(SHARED);
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
	fx_done(f);
}

static void test_engine_detach_target_must_be_stub(void **state)
{
	static const char *const refused[] = { "e1000e",     "nvme", "../../../etc",
					       "vfio-pci/x", "",     "pcieport" };
	struct fixture *f = fx_load(SHARED);
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
	fx_assert_unchanged(f);
	fx_done(f);
}

/* Trial row 2: reattach of a device on its host driver (never detached) is a no-op: the nvme,
 * an e1000e and a root port stay bound, nothing is written. */
static void test_engine_reattach_host_driver_noop(void **state)
{
	static const char *const devs[] = { NVME, E1000E_0, "0000:00:02.0" };
	struct fixture *f = fx_load(SHARED);

	(void)state;
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		struct pt_detached st = { .unbound_by_us = true,
					  .managed = true,
					  .orig_unknown = true };
		struct pt_outcome out = { 0 };
		const char *before = fx_driver(f, devs[i]);

		snprintf(st.address, sizeof(st.address), "%s", devs[i]);
		st.stub = strdup(before);
		assert_int_equal(pt_reattach(f->e, &st, &out), 0);
		assert_string_equal(out.rule, "E-REATTACH-SKIP");
		assert_non_null(strstr(out.message, "already on its host driver"));
		assert_string_equal(fx_driver(f, devs[i]), before);
		assert_true(fx_trace_has_rule(f, "E-REATTACH-SKIP", devs[i]));
		pt_outcome_clear(&out);
		pt_detached_clear(&st);
	}
	fx_assert_unchanged(f);
	fx_done(f);
}

/* Trial row 8: a VF that had no driver is given back to whatever the kernel's probe picks
 * (mlx5_core matches its ids), as libvirt accepts; it is not rolled back onto vfio-pci. */
static void test_engine_reattach_unbound_accepts_probe(void **state)
{
	struct fixture *f = fx_load("server-mlx5.umockdev");
	struct pt_detach_options o = { .managed = true };
	struct pt_detached st = { 0 };
	struct pt_outcome out = { 0 };

	(void)state;
	assert_string_equal(fx_driver(f, "0000:b3:00.1"), "(none)");
	assert_int_equal(pt_detach(f->e, "0000:b3:00.1", &o, &st, &out), 0);
	assert_null(st.orig_driver);
	assert_string_equal(fx_driver(f, "0000:b3:00.1"), "vfio-pci");
	pt_outcome_clear(&out);
	assert_int_equal(pt_reattach(f->e, &st, &out), 0);
	assert_string_equal(pt_code_to_string(out.code), "ok");
	assert_string_equal(fx_driver(f, "0000:b3:00.1"), "mlx5_core");
	assert_string_equal(fx_read_attr(f, "bus/pci/devices/0000:b3:00.1/driver_override"),
			    "(null)");
	assert_false(fx_trace_has_rule(f, "E-ROLLBACK", "0000:b3:00.1"));
	pt_outcome_clear(&out);
	pt_detached_clear(&st);
	fx_done(f);
}

/* Trial row 16: a VF on the migration-capable mlx5_vfio_pci stays there when no stub is
 * named (plain vfio-pci would silently lose VFIO migration); asked for vfio-pci, it moves. */
static void test_engine_detach_keeps_vfio_variant(void **state)
{
	struct fixture *f = fx_load("server-mlx5.umockdev");
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
	assert_string_equal(fx_driver(f, "0000:17:00.2"), "mlx5_vfio_pci");
	assert_true(pt_driver_migrates(fx_driver(f, "0000:17:00.2")));
	fx_assert_unchanged(f);
	pt_outcome_clear(&out);
	pt_detached_clear(&st);
	o.driver = "vfio-pci";
	assert_int_equal(pt_detach(f->e, "0000:17:00.2", &o, &st, &out), 0);
	assert_string_equal(fx_driver(f, "0000:17:00.2"), "vfio-pci");
	pt_outcome_clear(&out);
	pt_detached_clear(&st);
	fx_done(f);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
