/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fakesys: a model of the Linux kernel's PCI, IOMMU and VFIO behaviour, served as a backend. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "host.h"
#include "trace.h"

/*
 * A fake host is a model of the kernel (PCI devices, drivers with id tables, IOMMU groups with
 * DMA ownership, SR-IOV, VFIO) loaded from a recording or any sysfs tree, and served to the
 * engine as a struct pt_backend whose files behave like the kernel's: reads show the model,
 * writes go to store handlers that change it and fail with the kernel's errno.
 *
 * Errors: every function returns >= 0 on success or a negative errno. Loaders fill ret_err
 * (when not NULL) with the file (and line, as "FILE:LINE") in path and a reason.
 */
struct fks_host;

struct fks_options {
	/* Kernel whose behaviour the model follows ("5.15", "6.1.0-28-amd64"); NULL: the
	 * recording's own osrelease, else PT_KVER_NEWEST. */
	const char *kernel;
};

/* Load a umockdev-record file (with the optional ptharness extension block). */
int fks_host_new_from_recording(const char *file, const struct fks_options *opts,
				struct fks_host **ret, struct pt_error *ret_err);
/* The same from text in memory; name is used in error messages. */
int fks_host_new_from_text(const char *name, const char *text, size_t len,
			   const struct fks_options *opts, struct fks_host **ret,
			   struct pt_error *ret_err);
/* The same from a recording file mapped read-only and private (GMappedFile, mmap MAP_PRIVATE),
 * text being the whole mapping: the pages parsed are given back as parsing goes (they read the
 * same again from the file), so that a large recording is never resident whole beside the
 * model made of it. The text need not be kept afterwards. */
int fks_host_new_from_mapping(const char *name, const char *text, size_t len,
			      const struct fks_options *opts, struct fks_host **ret,
			      struct pt_error *ret_err);
/* The P: line of the recording's block that path (relative to the sysfs root) lies in: the
 * longest block devpath that is path or a directory above it; 0 for none, or a host not
 * loaded from a recording. */
unsigned fks_host_block_line(const struct fks_host *host, const char *path);
/* Load any sysfs tree reachable through a backend (a captured directory, a umockdev testbed,
 * the live machine read-only). The backend is only read, and may be freed afterwards. */
int fks_host_new_from_backend(struct pt_backend *be, const struct fks_options *opts,
			      struct fks_host **ret, struct pt_error *ret_err);
/* Convenience: pt_backend_sysfs_new(root) then fks_host_new_from_backend(). */
int fks_host_new_from_dir(const char *root, const struct fks_options *opts, struct fks_host **ret,
			  struct pt_error *ret_err);

/*
 * What loading found missing or inconsistent in the capture, which loaded anyway: a device
 * without config space, a group listing that disagrees with the links. rule is a rule ID of
 * the catalogue, address the device concerned (or NULL). Owned by the host.
 */
struct fks_note {
	char *rule;
	char *address;
	char *message;
};
size_t fks_host_note_count(const struct fks_host *host);
const struct fks_note *fks_host_note(const struct fks_host *host, size_t i);

/* A fresh, independent copy of the host's current state (faults and open VFIO files are not
 * copied). Returns 0 or -ENOMEM. */
int fks_host_copy(const struct fks_host *host, struct fks_host **ret);
/* Accepts NULL; returns NULL. Backends made from the host must be freed first. */
struct fks_host *fks_host_free(struct fks_host *host);

/*
 * The host as a backend. The backend borrows the host, which must outlive it; free it with
 * pt_backend_free(). Rules applied and faults injected during a backend call go to the
 * backend's trace (be->trace), or to the host's own trace (fks_host_set_trace) when unset.
 */
struct pt_backend *fks_host_backend(struct fks_host *host);

/* Where rule and fault events go for calls made on the host directly (not owned). */
void fks_host_set_trace(struct fks_host *host, struct pt_trace *trace);

/*
 * Model settings, by name (a table in host.c; unknown key -ENOENT, bad value -EINVAL):
 *   kernel                 kernel release whose rules apply ("6.1")
 *   memlock                RLIMIT_MEMLOCK in bytes, for what type1 and iommufd pin (8388608)
 *   cap_ipc_lock           1: the VFIO user has CAP_IPC_LOCK and is not limited (1, as root;
 *                          type1 still charges VmLck, iommufd only VmPin)
 *   interrupt_remapping    0: VFIO_SET_IOMMU fails with EPERM, as without IR (1)
 *   snoop_control          0: VFIO_CHECK_EXTENSION(VFIO_DMA_CC_IOMMU) answers 0 (1; 0 when a
 *                          recorded VT-d unit's ecap lacks Snoop Control, bit 7)
 *   vfio_pci.enable_sriov  vfio-pci's module parameter (0)
 *   iommu_aperture_bits    usable IOVA width for MAP_DMA (39)
 *   reset_timeout_ms       a device not ready this long after a reset method fails it
 *                          with ENOTTY, and the next method is tried (60000)
 *   drivers_autoprobe      bus-wide autoprobe (1)
 *   iommufd                CONFIG_IOMMUFD: /dev/iommu from 6.2 (a recorded fakesys/kconfig or
 *                          misc device "iommu" says; else 0, as Debian's kernels)
 *   vfio_device_cdev       CONFIG_VFIO_DEVICE_CDEV: /dev/vfio/devices/vfioN from 6.6 (0)
 *   iommufd_vfio_container CONFIG_IOMMUFD_VFIO_CONTAINER: iommufd provides /dev/vfio/vfio (0)
 *   iommufd_test           CONFIG_IOMMUFD_TEST: request 0xa0 on an iommufd is the selftest's
 *                          IOMMU_TEST_CMD, not an unknown VFIO container ioctl (0)
 *   iommufd.allow_unsafe_interrupts  bind without MSI isolation (0)
 *   cap_sys_resource       may set IOMMU_OPTION_RLIMIT_MODE (0)
 */
int fks_host_set(struct fks_host *host, const char *key, const char *value);

/*
 * The client mapped a region of the VFIO device file handle (a BAR) at [va, va + len) of its
 * memory: vfio_pci_core_mmap() makes that VM_IO | VM_PFNMAP, which iommufd cannot pin
 * (IOMMU_IOAS_MAP or the attach then fails with EFAULT) while type1 maps it. -EBADF when
 * handle is no device file, -ENOSPC past 32 mappings. Unmapped: forgotten.
 */
int fks_host_region_mapped(struct fks_host *host, int handle, uint64_t va, uint64_t len);
void fks_host_region_unmapped(struct fks_host *host, uint64_t va, uint64_t len);

/*
 * The client's locked-memory counters in bytes, as its /proc/self/status shows them: VmLck
 * (mm->locked_vm: type1 and iommufd per process) and VmPin (mm->pinned_vm: iommufd).
 */
void fks_host_locked_vm(const struct fks_host *host, uint64_t *locked_vm, uint64_t *pinned_vm);

/* Whether the capture showed the kernel release (osrelease); the model serves one anyway. */
bool fks_host_kernel_shown(const struct fks_host *host);

/* What a loaded capture showed of facts the model's sysfs view cannot say (it serves an
 * answer for each): the engine is told, so that it reports them unknown, not absent. */
struct fks_capture {
	bool imported; /* made by import from pasted text: what it lacks was not shown */
	bool uevents; /* it holds the devices' kernel uevents (a recording or a full tree) */
	bool driver_override; /* some device showed driver_override (kernel 3.16 or newer) */
	bool iommu_shown; /* it shows the IOMMU state: groups, the iommu class, or a tree or
			   * `ptharness record` block that listed both */
	bool iommu_on; /* it shows a group the model cannot serve (its number was lost) */
};
const struct fks_capture *fks_host_capture(const struct fks_host *host);
/* Why the capture does not show the driver of the device at address (static text), or NULL
 * when it does (bound, or shown unbound). */
const char *fks_host_driver_unknown(const struct fks_host *host, const char *address);
/* Why the capture does not show the IOMMU group of the device at address, or NULL. */
const char *fks_host_group_unknown(const struct fks_host *host, const char *address);
/* Kernel version the model follows. */
const struct pt_kver *fks_host_kernel(const struct fks_host *host);
/* Milliseconds of simulated time spent (resets take time; hangs take more). */
uint64_t fks_host_clock_ms(const struct fks_host *host);
/* Steps: faults may be tied to the scenario step the harness is running (1-based). */
void fks_host_set_step(struct fks_host *host, unsigned step);

/* What stat(2) shows for a path of the view (the last link not followed), for programs that
 * reach the view through a file system (ptharness fake). -ENOENT when there is no such path. */
enum fks_stat_kind {
	FKS_STAT_FILE,
	FKS_STAT_DIR,
	FKS_STAT_LINK,
	_FKS_STAT_KIND_MAX,
};

struct fks_stat {
	enum fks_stat_kind kind;
	unsigned mode; /* permission bits, as kernfs gives them (0444, 0200, 0644, 0755) */
	size_t size; /* 4096 for an attribute, a binary attribute's own size, a link's length */
};

int fks_host_stat(struct fks_host *host, enum pt_ns ns, const char *path, struct fks_stat *ret);

/* Device facts for tests and the harness. -ENOENT when there is no such device. */
int fks_host_dev_count(const struct fks_host *host);
int fks_host_dev_driver(const struct fks_host *host, const char *address, const char **ret_name);
int fks_host_dev_group(const struct fks_host *host, const char *address, int *ret_group);
/* Hot-unplug a device (and its VFs), as a surprise removal or `remove` would. */
int fks_host_remove_device(struct fks_host *host, const char *address);

/* Injected faults: data, matched on every write / reset / VF enable / step. */
enum fks_fault_kind {
	FKS_FAULT_WRITE, /* the nth write to path fails with error (count times; 0 = always) */
	FKS_FAULT_RESET, /* a reset of the device fails with error, or hangs hang_ms */
	FKS_FAULT_NUMVFS, /* enabling VFs on the PF creates at most max_vfs of them */
	FKS_FAULT_REMOVE, /* the device disappears when step `step` begins (or at the nth write) */
	FKS_FAULT_DIE, /* the process ends right after the nth write to any file, as SIGKILL
			* would end it (no handler runs); the die hook saves the model first */
	_FKS_FAULT_KIND_MAX,
};

struct fks_fault {
	enum fks_fault_kind kind;
	/* write: a sysfs path, relative to the sysfs root or to bus/pci/devices (as in scenario
	 * files: "0000:05:00.1/driver/unbind"); others: the device address. */
	const char *path;
	int error; /* positive errno: EBUSY */
	unsigned nth; /* 1-based: which matching event fires first (default 1) */
	unsigned count; /* how many times it fires; 0 = every time from nth on (default 1) */
	unsigned hang_ms; /* reset: simulated duration */
	unsigned max_vfs; /* numvfs */
	unsigned step; /* remove: the step at which the device goes (0: use nth write instead) */
	bool config_ff; /* reset: the device does not come back: its config reads 0xff bytes */
};

const char *fks_fault_kind_to_string(enum fks_fault_kind k);
/* Copies the fault. Returns 0, -EINVAL for an incomplete fault. */
int fks_host_add_fault(struct fks_host *host, const struct fks_fault *fault);
/*
 * Faults in text, one per line (# comments, blank lines ignored), words key=value after the
 * kind:  write path=0000:05:00.1/driver/unbind errno=EBUSY [nth=1] [count=1]
 *        reset dev=0000:05:00.0 (errno=EIO | hang_ms=20000 | config=ff) [nth=] [count=]
 *        numvfs dev=0000:3b:00.0 max=2
 *        remove dev=0000:05:00.1 (step=2 | nth=3)
 *        die nth=4
 * On error ret_err names name:LINE and the reason.
 */
int fks_host_add_faults(struct fks_host *host, const char *name, const char *text,
			struct pt_error *ret_err);
/* Called when a die fault fires, just before the process kills itself with SIGKILL: the one
 * chance to save the model's state at that moment (where --save says). */
void fks_host_set_die_hook(struct fks_host *host, void (*hook)(struct fks_host *, void *),
			   void *data);
/* How many times injected faults have fired so far. */
unsigned fks_host_faults_fired(const struct fks_host *host);

/* Export: the current state as a umockdev recording (with the ptharness block), NUL-terminated
 * and owned by the caller; or as a testbed directory (root/sys/..., root/proc/...) that
 * real tools (lspci -A linux-sysfs) can read. */
int fks_host_export_recording(const struct fks_host *host, char **ret_text);
int fks_host_export_testbed(const struct fks_host *host, const char *root);
