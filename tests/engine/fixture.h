/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine tests' fixture: a fake host from a lab recording, its engine and VMs. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine.h"
#include "fakesys.h"
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

/* Load HOSTS_DIR/name into a fresh fake host with its engine and VM list (fails the test). */
struct fixture *fx_load(const char *name);
void fx_done(struct fixture *f);
/* The driver address is bound to, or "(none)". */
const char *fx_driver(struct fixture *f, const char *address);
/* One line of a sysfs attribute (a static buffer), or NULL. */
char *fx_read_attr(struct fixture *f, const char *path);
/* The host is as it was at the start: the exported recordings are the same text. */
void fx_assert_unchanged(struct fixture *f);
bool fx_trace_has_rule(struct fixture *f, const char *rule, const char *subject);
/* A 4 GiB, 2-vCPU VM named name in the fixture's VM list. */
struct pt_vm *fx_new_vm(struct fixture *f, const char *name);
