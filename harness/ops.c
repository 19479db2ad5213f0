/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine's operations as commands: detach, reattach, reset, vfio-open, select-vf,
 * set-numvfs, attach, plan, release, migrate-check, replay. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "migrate.h"
#include "session.h"
#include "size.h"
#include "sriov.h"
#include "vfio.h"
#include "vm.h"

/* ---- detach / reattach ---- */

int pth_cmd_detach(int argc, char **argv)
{
	char addr[PT_ADDRESS_SIZE];
	static const struct option opts[] = {
		PTH_SESSION_OPTIONS,
		{ "driver", required_argument, NULL, 'd' },
		{ "method", required_argument, NULL, 'm' },
		{ "unmanaged", no_argument, NULL, 'u' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct pt_detach_options o = { .managed = true };
	struct pth_session s = { 0 };
	struct pt_outcome out = { 0 };
	struct pt_detached st = { 0 };
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" PTH_SESSION_SHORTOPTS "d:m:ufh", opts, NULL)) !=
	       -1) {
		if (pth_session_option(&s, c, optarg))
			continue;
		switch (c) {
		case 'd':
			if (!pt_driver_name_valid(optarg) || !pt_driver_is_stub(optarg))
				return pth_usage_error("detach",
						       "not a stub driver (vfio-pci, a vfio-pci "
						       "variant, pci-stub):",
						       optarg);
			o.driver = optarg;
			break;
		case 'm':
			r = pt_bind_method_from_string(optarg);
			if (r < 0)
				return pth_usage_error(
					"detach", "unknown method (override, new_id):", optarg);
			o.method = (enum pt_bind_method)r;
			break;
		case 'u':
			o.managed = false;
			break;
		case 'f':
			o.force = true;
			break;
		case 'h':
			printf("Usage: ptharness detach BDF [--driver vfio-pci|pci-stub|VARIANT] "
			       "[--method override|new_id]\n"
			       "                        [--unmanaged] [--force] [HOST OPTIONS]\n\n"
			       "Move a device from its driver to a stub driver (vfio-pci by default) "
			       "and verify it\nlanded there; on failure put it back. --unmanaged only "
			       "checks it is already on a\nstub. Bridges and devices the host needs are "
			       "refused without --force.\n\n%s",
			       PTH_SESSION_HELP);
			return PTH_EXIT_OK;
		default:
			return pth_bad_option("detach", c, argv);
		}
	}
	if (optind + 1 != argc)
		return pth_usage_error("detach", "expects one device address", NULL);
	if (pth_address_arg("detach", &argv[optind], addr) != 0)
		return PTH_EXIT_INPUT;
	s.mutating = true;
	s.lock_devices = (const char *const *)&argv[optind]; /* its group (argv ends in NULL) */
	if (o.method == PT_BIND_NEW_ID)
		s.lock_devices = NULL; /* new_id may bind any device with its ids: the host */
	r = pth_session_open(&s, "detach");
	if (r != 0)
		return pth_session_close(&s, "detach", r);
	r = pt_detach(s.engine, argv[optind], &o, &st, &out);
	if (r < 0)
		return pth_session_close(&s, "detach", PTH_EXIT_INPUT);
	if (r == 0 && st.unbound_by_us)
		pth_session_remember(&s, &st);
	r = pth_session_outcome(&s, "detach", argv[optind], &out, NULL, 0);
	pt_outcome_clear(&out);
	pt_detached_clear(&st);
	return pth_session_close(&s, "detach", r);
}

int pth_cmd_reattach(int argc, char **argv)
{
	char addr[PT_ADDRESS_SIZE];
	static const struct option opts[] = {
		PTH_SESSION_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct pth_session s = { 0 };
	struct pt_outcome out = { 0 };
	const struct pt_detached *known;
	struct pt_detached st = { 0 };
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" PTH_SESSION_SHORTOPTS "h", opts, NULL)) != -1) {
		if (pth_session_option(&s, c, optarg))
			continue;
		if (c == 'h') {
			printf("Usage: ptharness reattach BDF [HOST OPTIONS]\n\n"
			       "Return a device to the driver it had before `detach` (from the "
			       "engine's state) and\nclear its driver_override. A device the engine "
			       "has no record of is unbound from its\nstub and reprobed, so that the "
			       "driver matching its ids takes it.\n\n%s",
			       PTH_SESSION_HELP);
			return PTH_EXIT_OK;
		}
		return pth_bad_option("reattach", c, argv);
	}
	if (optind + 1 != argc)
		return pth_usage_error("reattach", "expects one device address", NULL);
	if (pth_address_arg("reattach", &argv[optind], addr) != 0)
		return PTH_EXIT_INPUT;
	s.mutating = true;
	s.lock_devices = (const char *const *)&argv[optind]; /* its group (argv ends in NULL) */
	r = pth_session_open(&s, "reattach");
	if (r != 0)
		return pth_session_close(&s, "reattach", r);
	known = pth_session_detached(&s, argv[optind]);
	if (known) {
		st = *known;
	} else {
		/* No record: as libvirt's node-device reattach, give it to whatever driver
		 * matches it. */
		const struct pt_dev *d = pt_host_find_dev(pt_engine_host(s.engine), argv[optind]);

		g_strlcpy(st.address, argv[optind], sizeof(st.address));
		st.unbound_by_us = true;
		st.managed = true;
		st.orig_unknown = true;
		/* A copy: the engine rescans, and the model holding the name goes. */
		st.stub = d && pt_dev_props(d)->driver ? strdup(pt_dev_props(d)->driver) : NULL;
	}
	r = pt_reattach(s.engine, &st, &out);
	if (!known)
		free(st.stub);
	if (r == 0)
		pth_session_forget(&s, argv[optind]);
	r = r < 0 ? PTH_EXIT_INPUT :
		    pth_session_outcome(&s, "reattach", argv[optind], &out, NULL, 0);
	pt_outcome_clear(&out);
	return pth_session_close(&s, "reattach", r);
}

/* ---- reset and vfio-open ---- */

int pth_cmd_reset(int argc, char **argv)
{
	char addr[PT_ADDRESS_SIZE];
	static const struct option opts[] = {
		PTH_SESSION_OPTIONS,
		{ "method", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct pth_session s = { 0 };
	struct pt_outcome out = { 0 };
	int c, r, method = -1, used;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" PTH_SESSION_SHORTOPTS "m:h", opts, NULL)) != -1) {
		if (pth_session_option(&s, c, optarg))
			continue;
		if (c == 'm') {
			method = pt_reset_method_from_string(optarg);
			if (method < 0)
				return pth_usage_error("reset", "unknown reset method:", optarg);
		} else if (c == 'h') {
			printf("Usage: ptharness reset BDF [--method flr|af_flr|pm|bus|...] [HOST "
			       "OPTIONS]\n\nReset a device: through VFIO when it is bound to a VFIO "
			       "driver, else with the kernel's\nreset (its own order, or the given "
			       "method). A bus reset is refused while another\ndevice on the bus is "
			       "in use by the host.\n\n%s",
			       PTH_SESSION_HELP);
			return PTH_EXIT_OK;
		} else {
			return pth_bad_option("reset", c, argv);
		}
	}
	if (optind + 1 != argc)
		return pth_usage_error("reset", "expects one device address", NULL);
	if (pth_address_arg("reset", &argv[optind], addr) != 0)
		return PTH_EXIT_INPUT;
	r = pth_session_open(&s, "reset");
	if (r != 0)
		return pth_session_close(&s, "reset", r);
	r = pt_reset_device(s.engine, argv[optind], method, &used, &out);
	r = r < 0 ? PTH_EXIT_INPUT : pth_session_outcome(&s, "reset", argv[optind], &out, NULL, 0);
	pt_outcome_clear(&out);
	return pth_session_close(&s, "reset", r);
}

int pth_cmd_vfio_open(int argc, char **argv)
{
	char addr[PT_ADDRESS_SIZE];
	static const struct option opts[] = {
		PTH_SESSION_OPTIONS,
		{ "map", required_argument, NULL, 'M' },
		{ "memlock", required_argument, NULL, 'L' },
		{ "reset", no_argument, NULL, 'r' },
		{ "iommu", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct pt_vfio_options vo = { 0 };
	struct pth_session s = { 0 };
	struct pt_outcome out = { 0 };
	struct pt_vfio_info info = { 0 };
	const char *memlock = NULL;
	uint64_t limit;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" PTH_SESSION_SHORTOPTS "M:L:rI:h", opts, NULL)) !=
	       -1) {
		if (pth_session_option(&s, c, optarg))
			continue;
		switch (c) {
		case 'M':
			if (pth_parse_size(optarg, &vo.map_bytes) < 0)
				return pth_usage_error("vfio-open", "not a size:", optarg);
			break;
		case 'L':
			if (pth_parse_size(optarg, &limit) < 0)
				return pth_usage_error("vfio-open", "not a size:", optarg);
			memlock = optarg;
			break;
		case 'r':
			vo.reset = true;
			break;
		case 'I':
			if (pt_vfio_iommu_from_string(optarg, &vo.iommu) < 0)
				return pth_usage_error(
					"vfio-open",
					"--iommu takes legacy, iommufd or auto:", optarg);
			break;
		case 'h':
			printf("Usage: ptharness vfio-open BDF [--map SIZE] [--memlock SIZE] "
			       "[--reset] [--iommu legacy|iommufd|auto] [HOST OPTIONS]\n\nOpen a "
			       "VFIO-bound device as QEMU does: "
			       "container, group (refused with its blockers\nwhen not viable), device, "
			       "regions and IRQs; DMA-map SIZE bytes of memory; reset it.\n"
			       "--iommu picks the path: the legacy container and group, iommufd with "
			       "the\ndevice's cdev, or auto (the container when the host has one, as "
			       "QEMU).\n"
			       "--memlock sets the model's RLIMIT_MEMLOCK (and drops CAP_IPC_LOCK) "
			       "on a recorded host.\n\n%s",
			       PTH_SESSION_HELP);
			return PTH_EXIT_OK;
		default:
			return pth_bad_option("vfio-open", c, argv);
		}
	}
	if (optind + 1 != argc)
		return pth_usage_error("vfio-open", "expects one device address", NULL);
	if (pth_address_arg("vfio-open", &argv[optind], addr) != 0)
		return PTH_EXIT_INPUT;
	r = pth_session_open(&s, "vfio-open");
	if (r != 0)
		return pth_session_close(&s, "vfio-open", r);
	if (memlock && s.fake) {
		char v[32];

		snprintf(v, sizeof(v), "%" G_GUINT64_FORMAT, limit);
		fks_host_set(s.fake, "cap_ipc_lock", "0");
		fks_host_set(s.fake, "memlock", v);
	}
	r = pt_vfio_open(s.engine, argv[optind], &vo, &info, &out);
	if (r == 0 && !s.json) {
		if (info.path == PT_VFIO_IOMMU_IOMMUFD)
			printf("iommufd: cdev %s, device %u, IOAS %u, HWPT %u; device flags 0x%x\n",
			       info.cdev, info.devid, info.ioas, info.hwpt, info.device_flags);
		else
			printf("VFIO API %d, %s%s; group flags 0x%x; device flags 0x%x\n",
			       info.api_version, info.type1v2 ? "type1v2" : "type1",
			       info.compat ? " (iommufd's compat container)" : "", info.group_flags,
			       info.device_flags);
		for (uint32_t i = 0; i < info.num_regions && i < PT_VFIO_MAX_REGIONS; i++)
			if (info.regions[i].result >= 0 && info.regions[i].size)
				printf("  region %u: %" G_GUINT64_FORMAT " bytes, flags 0x%x\n", i,
				       info.regions[i].size, info.regions[i].flags);
		for (uint32_t i = 0; i < info.num_irqs && i < PT_VFIO_MAX_IRQS; i++)
			if (info.irqs[i].result >= 0 && info.irqs[i].count)
				printf("  irq index %u: %u vector(s), flags 0x%x\n", i,
				       info.irqs[i].count, info.irqs[i].flags);
	}
	r = r < 0 ? PTH_EXIT_INPUT :
		    pth_session_outcome(&s, "vfio-open", argv[optind], &out, NULL, 0);
	pt_outcome_clear(&out);
	return pth_session_close(&s, "vfio-open", r);
}
