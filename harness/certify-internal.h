/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* certify's own state and the functions its files share (harness/certify*.c). */
#pragma once

/*
 * The plan: certify records the host first (the recording goes into the certificate, so a
 * customer can replay what was seen), then runs the profile's checks in order
 * (certify-run.c; a profile is a directory of scenario files, certify-profile.c). The
 * read-only checks look at the host model (certify-checks.c). The changing ones
 * (certify-changes.c) work on the DUT's "unit" (certify-unit.c): the DUT and the other
 * functions of its slot that share its IOMMU group (a GPU and its audio function, the two
 * ports of a NIC), which are moved to vfio-pci together, reset, opened through VFIO and given
 * back through the engine's transactional detach and reattach. SR-IOV enables the VFs, checks
 * each one and disables them again, whatever happened in between. The last check compares
 * driver, driver_override and VF count of every device certify may have touched with what they
 * were at the start: the host must be left as found. The certificate (certify-cert.c) is JSON
 * built here, with its JUnit and HTML rendered by the report writers (reports/).
 */

#include <glib.h>
#include <stdio.h>

#include "certify.h"
#include "runner.h"
#include "session.h"
#include "vfio.h"

#define PTH_CERT_SCHEMA "ptharness-certificate/1"
#define PTH_CERT_MAP_BYTES (1024 * 1024)

#ifndef PTH_SCENARIOS_DIR
#define PTH_SCENARIOS_DIR "scenarios"
#endif

struct cert_result {
	char *id; /* the scenario's check_id */
	char *title;
	enum pth_cert_status status;
	char *reason;
	gint64 usec;
};

struct cert {
	struct pth_session s;
	const char *dut;
	char dut_buf[PT_ADDRESS_SIZE]; /* the DUT argument in the kernel's form */
	enum pth_cert_profile profile;
	unsigned vfs;
	GPtrArray *unit; /* char *: the DUT first, then its slot's functions in its group */
	GArray *detached; /* struct pt_detached of the unit while on vfio-pci */
	GHashTable *moved; /* addresses unit_detach bound to vfio-pci at some point */
	GHashTable *before; /* address -> "driver|override|numvfs" at the start */
	char **netdevs; /* the DUT's network interfaces at the start */
	GArray *results; /* struct cert_result, in the order the checks ran */
	GPtrArray *checks; /* struct pth_scenario *: the profile's checks, in order */
	const char *profile_dir; /* --profile-dir, or NULL: the bundled profile */
	struct fy_node *args; /* the running certify step's arguments */
	unsigned numvfs0; /* the DUT's VF count at the start */
	int autoprobe0; /* and its sriov_drivers_autoprobe (-1: not a PF) */
	const char *running; /* the check_id of the check running */
	int interrupted; /* the signal that stopped the run, or 0 */
	bool restoring; /* the last check (host-restored) is running */
	struct pt_vfio_info info; /* of the DUT's VFIO open */
	bool opened, unit_on_vfio, unit_failed;
	bool dut_dead; /* did not come back from a reset: nothing more is done to it */
	const char *faults; /* --faults FILE: injected into the model */
	bool profile_given; /* --profile; else the DUT's class decides */
	bool in_scenario; /* a step of a scenario (certify: {profile: P}): no signal handling */
	bool quiet; /* --quiet: no progress line */
};

/* One of certify's own checks, by the name a profile's scenario calls it with
 * (`certify: {check: acs-path}`). */
struct pth_cert_check {
	const char *name;
	enum pth_cert_status (*run)(struct cert *c, struct cert_result *r);
	const char *changes; /* what it does to the host, for --dry-run; NULL: read-only */
};

/* "generic", "nic", "gpu", "nvme", indexed by enum pth_cert_profile. */
extern const char *const pth_cert_profile_names[_PTH_CERT_PROFILE_MAX];

/* certify-unit.c: the DUT, its unit and their state. */
struct pt_dev *pth_cert_dev(struct cert *c, const char *addr);
/* An argument of the running certify step (`map: 1M`, `vfs: 2`), or dflt. */
uint64_t pth_cert_arg(struct cert *c, const char *key, uint64_t dflt);
/* Set r's status and reason (printf-style); returns the status. */
enum pth_cert_status pth_cert_set(struct cert_result *r, enum pth_cert_status st, const char *fmt,
				  ...) G_GNUC_PRINTF(3, 4);
/* Fail r with an engine outcome: "WHAT: CODE ERRNO: message". */
enum pth_cert_status pth_cert_outcome_fail(struct cert_result *r, const char *what,
					   const struct pt_outcome *o);
/* Read the first size bytes of a device's config space; returns the length or -errno. */
int pth_cert_read_config(struct cert *c, const char *addr, uint8_t *buf, size_t size);
/* Whether the device's config space reads all ones: it does not answer. */
bool pth_cert_all_ones(struct cert *c, const char *addr);
/* "driver=D override=O numvfs=N autoprobe=A[ config=all-ones]" of a device (caller frees). */
char *pth_cert_dev_state(struct cert *c, const char *addr);
bool pth_cert_same_slot(const struct pt_dev_props *a, const struct pt_dev_props *b);
/* The DUT first, its slot's functions in its group, its VFs: c->unit. */
void pth_cert_find_unit(struct cert *c);
/* The unit to vfio-pci (pass, or fail with everything given back), and back (problems
 * appended; what could not be given back is remembered by the session). */
enum pth_cert_status pth_cert_unit_detach(struct cert *c, struct cert_result *r);
void pth_cert_unit_reattach(struct cert *c, GString *problems);
/* Write a PF's sriov_drivers_autoprobe and rescan; returns 0 or -errno with why appended. */
int pth_cert_autoprobe_set(struct cert *c, const char *pf, int value, GString *why);

/* certify-changes.c: the checks that change the host. */
enum pth_cert_status pth_cert_reset_alive(struct cert *c, struct cert_result *r);
enum pth_cert_status pth_cert_vfio_open(struct cert *c, struct cert_result *r);
enum pth_cert_status pth_cert_vfio_iommufd(struct cert *c, struct cert_result *r);
enum pth_cert_status pth_cert_rebind(struct cert *c, struct cert_result *r);
enum pth_cert_status pth_cert_sriov(struct cert *c, struct cert_result *r);

/* certify-checks.c: the check table, and the profile a class calls for (else generic). */
const struct pth_cert_check *pth_cert_check_find(const char *name);
enum pth_cert_profile pth_cert_profile_of_class(uint32_t class);

/* certify-profile.c: load the profile's checks into c->checks; 0 or an exit status (printed).
 * Whether a scenario runs certify's host-restored check (it goes last). */
int pth_cert_load_profile(struct cert *c);
bool pth_cert_is_restored(struct pth_scenario *sc);

/* certify-run.c: the state's life, the plan, and the run of the checks into c->results. */
void pth_cert_init(struct cert *c);
void pth_cert_free(struct cert *c);
/* What certify keeps from its start (after pth_cert_find_unit): states, netdevs, VF count. */
void pth_cert_start(struct cert *c);
void pth_cert_print_plan(struct cert *c, FILE *f);
void pth_cert_run_checks(struct cert *c);

/* certify-cert.c: the certificate into dir (certificate.json, junit.xml, certificate.html,
 * host.umockdev); 0 or -errno (printed). status is the run's exit status so far. */
int pth_cert_write(struct cert *c, const char *dir, GString *recording, JsonNode *host_view,
		   int status);
/* Drop a repeated E: property within a device block of a recording made through the model. */
void pth_cert_drop_repeated(GString *rec);
