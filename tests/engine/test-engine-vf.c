/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine's SR-IOV, VF selection, fault matrix and migration checks on fake hosts loaded
 * from recordings. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"
#include "sriov.h"
#include "variant.h"
#include "vfio.h"
#include "fixture.h"

static void test_engine_vf_create_select_attach(void **state)
{
	struct fixture *f = fx_load(SRIOV);
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
	assert_string_equal(fx_read_attr(f, "bus/pci/devices/" SRIOV_PF "/sriov_numvfs"), "2");
	assert_string_equal(fx_read_attr(f, "bus/pci/devices/" SRIOV_PF "/sriov_drivers_autoprobe"),
			    "0");
	assert_string_equal(fx_driver(f, vf), "(none)");
	pt_outcome_clear(&out);

	/* The 0-first rule: 2 -> 3 goes through 0. */
	assert_int_equal(pt_set_numvfs(f->e, SRIOV_PF, 3, &out), 0);
	assert_true(fx_trace_has_rule(f, "K-SRIOV-ZERO-FIRST", SRIOV_PF));
	pt_outcome_clear(&out);
	assert_int_equal(pt_set_numvfs(f->e, SRIOV_PF, 9, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "numvfs-range");
	pt_outcome_clear(&out);

	vm = fx_new_vm(f, "vm1");
	{
		const char *devs[] = { vf, NULL };

		assert_int_equal(pt_vm_attach(f->e, vm, devs, &o, &steps, &n, &out), 0);
		assert_string_equal(fx_driver(f, vf), "vfio-pci");
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
	fx_done(f);
}

/* The fewer-VFs fault: the driver enables fewer than asked; the PF is put back. */
static void test_engine_numvfs_fewer_than_asked(void **state)
{
	struct fixture *f = fx_load(SRIOV);
	struct fks_fault fault = { .kind = FKS_FAULT_NUMVFS, .path = SRIOV_PF, .max_vfs = 1 };
	struct pt_outcome out = { 0 };

	(void)state;
	assert_int_equal(fks_host_add_fault(f->host, &fault), 0);
	assert_int_equal(pt_set_numvfs(f->e, SRIOV_PF, 3, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "vf-unavailable");
	assert_string_equal(fx_read_attr(f, "bus/pci/devices/" SRIOV_PF "/sriov_numvfs"), "0");
	pt_outcome_clear(&out);
	fx_assert_unchanged(f);
	fx_done(f);
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
	struct fixture *f = fx_load(c->recording);
	const char *devs[3] = { c->devices[0], c->devices[1], NULL };
	struct pt_attach_options o = { .managed = true, .force = c->force };
	struct pt_vm *vm = fx_new_vm(f, "vm1");
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
	fx_done(f);
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
		f = fx_load(c->recording);
		vm = fx_new_vm(f, "vm1");
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
			fx_assert_unchanged(f);
			(*ret_held)++;
		}
		for (char **u = out.unrestored; u && *u; u++)
			print_message("    not restored: %s\n", *u);
		pt_steps_free(steps, n);
		steps = NULL;
		n = 0;
		pt_outcome_clear(&out);
		fx_done(f);
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
	struct fixture *f = fx_load("lab-nointremap-initial.umockdev");
	const char *devs[] = { "0000:01:00.0", NULL };
	struct pt_attach_options o = { .managed = true, .force = true };
	struct pt_vm *vm = fx_new_vm(f, "vm1");
	struct pt_outcome out = { 0 };
	struct pt_step *steps = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(pt_vm_attach(f->e, vm, devs, &o, &steps, &n, &out), 1);
	assert_string_equal(pt_code_to_string(out.code), "vfio-failed");
	assert_string_equal(out.rule, "K-VFIO-INTREMAP");
	assert_int_equal(out.err, -EPERM);
	assert_null(out.unrestored);
	fx_assert_unchanged(f);
	pt_steps_free(steps, n);
	pt_outcome_clear(&out);
	fx_done(f);
}

/* The three kinds of assignment on the two-PF server NIC (igb, VFs at offset 128 stride 4). */
static void test_engine_select_vf_kinds(void **state)
{
	struct fixture *f = fx_load("server-sriov.umockdev");
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
		struct pt_vm *vm = fx_new_vm(f, "vm1");
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
	fx_done(f);
}

/*
 * libvirt's variant from the host's modules.alias: file2alias writes "vfio_pci:" aliases for
 * the override_only ids (scripts/mod/file2alias.c do_pci_entry), mlx5_vfio_pci's table is
 * 15b3:101e (drivers/vfio/pci/mlx5/main.c); a "pci:" alias (mlx5_core's) is not a variant.
 */
static void test_engine_variant_from_modules_alias(void **state)
{
	static const char aliases[] =
		"alias pci:v000015B3d0000101Esv*sd*bc*sc*i* mlx5_core\n"
		"alias vfio_pci:v000015B3d*sv*sd*bc*sc*i* wide_vfio_pci\n"
		"alias vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i* mlx5_vfio_pci\n"
		"alias vfio_pci:v00001AF4d00001041sv*sd*bc*sc*i* virtio_vfio_pci\n";
	struct fixture *f = fx_load("server-mlx5.umockdev");
	struct pt_migrate_device vf = { "0000:17:00.3", false }; /* a VF on plain vfio-pci */
	struct pt_migrate_result res = { 0 };
	struct pt_outcome out = { 0 };
	char *mod = NULL, buf[64];

	(void)state;
	assert_int_equal(pt_variant_pick("pci:v000015B3d0000101Esv000015B3sd0000101Ebc02sc00i00",
					 aliases, &mod),
			 1);
	assert_string_equal(mod, "mlx5_vfio_pci"); /* the fewest wildcards win */
	free(mod);
	/* Fewest '*', not most literal characters: one wildcard for the device id beats three
	 * for the class (file2alias ends every pattern with '*', add_wildcard). */
	assert_int_equal(
		pt_variant_pick("pci:v000015B3d0000101Esv000015B3sd0000101Ebc02sc00i00",
				"alias vfio_pci:v000015B3d0000101Esv000015B3sd0000101Ebc*sc*i* "
				"b_vfio_pci\n"
				"alias vfio_pci:v000015B3d*sv000015B3sd0000101Ebc02sc00i00* "
				"a_vfio_pci\n",
				&mod),
		1);
	assert_string_equal(mod, "a_vfio_pci");
	free(mod);
	assert_int_equal(pt_variant_pick("pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00",
					 aliases, &mod),
			 0);
	assert_null(mod);
	assert_int_equal(
		pt_variant_for(f->e, pt_host_find_dev(pt_engine_host(f->e), vf.address), &mod),
		-ENODATA);
	assert_int_equal(pt_engine_set_modules_alias(f->e, aliases), 0);
	/* A managed detach goes to that variant, as libvirt 10 binds it; an asked-for stub and
	 * a variant the device is already on stay. */
	assert_string_equal(
		pt_detach_target_for(f->e, pt_host_find_dev(pt_engine_host(f->e), "0000:17:00.5"),
				     NULL, buf, sizeof(buf)),
		"mlx5_vfio_pci");
	assert_string_equal(
		pt_detach_target_for(f->e, pt_host_find_dev(pt_engine_host(f->e), "0000:17:00.5"),
				     "vfio-pci", buf, sizeof(buf)),
		"vfio-pci");
	assert_string_equal(
		pt_detach_target_for(f->e, pt_host_find_dev(pt_engine_host(f->e), "0000:00:1a.0"),
				     NULL, buf, sizeof(buf)),
		"vfio-pci");
	assert_int_equal(pt_migrate_check(f->e, &vf, 1, NULL, &res, &out), 1);
	assert_non_null(strstr(res.entries[0].reason, "from modules.alias: mlx5_vfio_pci"));
	pt_migrate_result_clear(&res);
	pt_outcome_clear(&out);
	fx_done(f);
}

static void test_engine_migrate_check(void **state)
{
	struct fixture *src = fx_load("server-sriov.umockdev"),
		       *dst = fx_load("server-sriov.umockdev");
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
	/* QEMU's blocker (hw/vfio/migration.c vfio_migration_realize, ENOTTY). */
	assert_non_null(strstr(res.entries[0].reason,
			       "\"0000:3b:10.0: VFIO migration is not supported in kernel\""));
	assert_non_null(strstr(res.entries[0].reason, "variant driver: unknown"));
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
	fx_done(src);
	fx_done(dst);

	/* A plain NIC marked for failover: the same address on the destination. */
	src = fx_load("desktop-gpu.umockdev");
	dst = fx_load("desktop-gpu.umockdev");
	{
		struct pt_migrate_device nic = { "0000:00:1f.6", true };

		assert_int_equal(pt_migrate_check(src->e, &nic, 1, dst->e, &res, &out), 0);
		assert_string_equal(res.entries[0].kind, "same-address");
		assert_string_equal(res.entries[0].destination, "0000:00:1f.6");
		pt_migrate_result_clear(&res);
		pt_outcome_clear(&out);
	}
	fx_done(src);
	fx_done(dst);
}

/* Trial row 18: only a stub driver is a detach target; a host driver's name or a path is
 * refused before anything is written (the CLI exits 2 on it). */
/*
 * Unknown mounts: the NVMe PF on its host driver gets a warning and no refusal; a VF enabled
 * after the host was read is no suspect, even on nvme; the iBFT's NIC is refused.
 */
static void test_engine_host_critical_evidence(void **state)
{
	struct fixture *f = fx_load("server-iscsi.umockdev");
	struct pt_outcome out = { 0 };
	const struct pt_dev *pf, *vf;

	(void)state;
	pf = pt_host_find_dev(pt_engine_host(f->e), "0000:01:00.0");
	assert_int_equal(pt_dev_critical(pf), PT_CRITICAL_NONE);
	assert_non_null(strstr(pt_dev_critical_unknown(pf), "mounts are not shown"));
	assert_int_equal(pt_dev_critical(pt_host_find_dev(pt_engine_host(f->e), "0000:02:00.1")),
			 PT_CRITICAL_NETWORK_ROOT);
	assert_int_equal(pt_dev_critical(pt_host_find_dev(pt_engine_host(f->e), "0000:02:00.0")),
			 PT_CRITICAL_NONE);
	assert_int_equal(pt_set_numvfs(f->e, "0000:01:00.0", 2, &out), 0);
	pt_outcome_clear(&out);
	vf = pt_host_find_dev(pt_engine_host(f->e), "0000:01:00.1");
	assert_non_null(vf);
	assert_string_equal(pt_dev_props(vf)->driver, "nvme");
	assert_null(pt_dev_critical_unknown(vf));
	pf = pt_host_find_dev(pt_engine_host(f->e), "0000:01:00.0");
	assert_non_null(pt_dev_critical_unknown(pf));
	fx_done(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine_vf_create_select_attach),
		cmocka_unit_test(test_engine_numvfs_fewer_than_asked),
		cmocka_unit_test(test_engine_attach_without_interrupt_remapping),
		cmocka_unit_test(test_engine_attach_fault_matrix),
		cmocka_unit_test(test_engine_select_vf_kinds),
		cmocka_unit_test(test_engine_migrate_check),
		cmocka_unit_test(test_engine_variant_from_modules_alias),
		cmocka_unit_test(test_engine_host_critical_evidence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
