/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bodies of fakesys's model objects and the functions its files share. */
#pragma once

#include <glib.h>
#include <stdarg.h>

#include "fakesys.h"
#include "kver.h"
#include "macro.h"
#include "pciconf.h"
#include "reset.h"

#define FKS_PAGE_SIZE 4096
#define FKS_ANY_ID 0xffffffffu

/* The kernel's number and boolean parsers on a write buffer (kstrto.c): 0, -EINVAL, -ERANGE. */
int fks_kstrtoull(const char *buf, size_t len, unsigned base, unsigned long long *ret);
int fks_kstrtobool(const char *buf, size_t len, bool *ret);

/* ---- recorded content: what a recording or a tree showed that the model does not own ---- */

struct fks_entry {
	char *name; /* "power/control"; may contain '/' for files in subdirectories */
	bool link; /* a symbolic link: data is the target */
	char *data;
	size_t len;
};

/* One device block of a recording (a PCI function's own entries, a child such as net/eth0, or
 * a device elsewhere under devices/). */
struct fks_rec {
	char *devpath; /* relative to the sysfs root: "devices/pci0000:00/0000:00:1f.6" */
	GPtrArray *env; /* "KEY=value" strings of its uevent (E: lines), in order */
	GPtrArray *entries; /* struct fks_entry */
	bool sorted; /* entries are sorted by name (the loader's order): lookups bisect */
};

struct fks_rec *fks_rec_new(const char *devpath);
struct fks_rec *fks_rec_copy(const struct fks_rec *r);
void fks_rec_free(struct fks_rec *r);
void fks_rec_add(struct fks_rec *r, const char *name, bool link, const void *data, size_t len);
/* The same, taking ownership of name and data (data[len] must be '\0'). */
void fks_rec_add_owned(struct fks_rec *r, char *name, bool link, char *data, size_t len);
const struct fks_entry *fks_rec_find(const struct fks_rec *r, const char *name);
/* Remove the entry and return it (owned by the caller), or NULL. */
struct fks_entry *fks_rec_take(struct fks_rec *r, const char *name);
void fks_entry_free(struct fks_entry *e);

/* ---- the model ---- */

struct fks_id {
	uint32_t vendor, device, subvendor, subdevice, class, class_mask;
	unsigned long data;
	bool override_only;
};

/* One entry of a vfio-pci variant's id table: PCI_DRIVER_OVERRIDE_DEVICE_VFIO(vendor, device),
 * an override_only id (include/linux/mod_devicetable.h). pf_driver: the PF driver whose data
 * the variant's probe reaches through pci_iov_get_pf_drvdata() to set up migration (the VF's
 * PF must be bound to it), NULL when the variant never migrates this device. */
struct fks_variant_id {
	uint32_t vendor, device;
	const char *pf_driver;
};

/* What the kernel table knows about a driver (driver.c); NULL fields mean "no". */
struct fks_drvinfo {
	const char *name; /* exact, or a pattern "*vfio_pci*" */
	bool dma_managed; /* driver_managed_dma */
	/* pci-stub: its probe claims the device and does nothing else (no pci_enable_device), its
	 * id table is empty (it binds through an override or a dynamic id), and VFIO before 5.19
	 * lets a group member sit on it (vfio_driver_allowed). */
	bool stub;
	bool vfio; /* registers its devices with VFIO (creates /dev/vfio/N) */
	bool sriov_configure; /* has ->sriov_configure */
	bool sriov_needs_param; /* vfio-pci: only with enable_sriov */
	bool disables_vfs_on_remove;
	uint32_t match_class, match_class_mask; /* a class-based static id, mask 0: none */
	bool override_only_any; /* static table = one override_only ANY entry (vfio-pci) */
	uint64_t migration; /* VFIO_MIGRATION_* flags its migration ops offer, 0: none */
	const struct fks_variant_id *variant_ids; /* a variant's id table ({0} ends), or NULL */
	bool sriov_set_msix; /* has ->sriov_set_msix_vec_count (a VF's MSI-X table size) */
};

struct fks_driver {
	struct fks_host *host;
	char *name;
	const struct fks_drvinfo *info; /* never NULL: unknown drivers get a default entry */
	GArray *static_ids; /* struct fks_id */
	GArray *dyn_ids; /* struct fks_id */
	GPtrArray *devs; /* bound devices (struct fks_dev *), by address */
};

struct fks_sriov {
	unsigned total, num, offset, stride;
	uint16_t vf_device;
	bool autoprobe;
	unsigned cap; /* config offset of the SR-IOV capability, 0 when not in config */
	GPtrArray *vfs; /* struct fks_dev *, by index */
	/* A VF's config space as the device gave it (the first recorded VF): VFs enabled again
	 * get it back, as the hardware gives them the same. NULL: derived from the PF's. */
	GBytes *vf_config;
	struct fks_rec *extra; /* recorded sriov_* attributes the model does not own */
};

struct fks_group;

struct fks_dev {
	struct fks_host *host;
	char addr[16];
	unsigned domain, bus, slot, function;
	char *devpath; /* "devices/pci0000:00/0000:00:02.0/0000:3b:00.0" */
	uint8_t *config;
	size_t config_len;
	struct pt_pciconf cfg;
	uint32_t class; /* the class attribute (quirks may rewrite config's) */
	struct fks_rec *rec; /* recorded entries the model does not own */
	GPtrArray *children; /* struct fks_rec *: child blocks (net/eth0, ...) */
	/* Child blocks the bound driver made (net/eth0, nvme/nvme0): on unbind they leave the
	 * view, as the kernel unregisters them, and come back when the same driver binds. */
	GPtrArray *parked; /* struct fks_rec * */
	char *parked_by; /* the driver that made them */
	struct fks_driver *driver;
	char *override;
	struct fks_group *group;
	/* Reset: what enumeration found (a mask of enum pt_reset_method), what is enabled. */
	unsigned reset_platform; /* device_specific, acpi, cxl_bus: known only from the host */
	bool reset_attr; /* reset and reset_method exist (a method existed at enumeration) */
	size_t reset_count;
	enum pt_reset_method reset_methods[_PT_RESET_METHOD_MAX];
	struct fks_sriov *sriov; /* a PF */
	struct fks_dev *pf; /* a VF */
	unsigned vf_index;
	unsigned open_count; /* VFIO device files open */
	bool reset_works; /* VFIO: a function reset worked when the device was opened */
	bool removed; /* taken off the bus by remove; rescan brings it back */
	bool unresponsive; /* did not come back from a reset (config=ff fault): reads all ones */
	int saved_group; /* its group while removed, -1: none */
	/* enable: pci_enable_device() calls made through the enable file (view.c); the shown
	 * count adds one for a bound driver that enables in probe and one for an open VFIO
	 * device. enable_known: derived from the recorded count (-1: no enable file). */
	int enable_user;
	int enable_known;
	/* VFIO's device index (vfio_device.index, an IDA of its own): vfio-dev/vfioN and
	 * /dev/vfio/devices/vfioN; -1 while not on a VFIO driver. */
	int vfio_index;
	struct fks_iobj *idev; /* bound to an iommufd (cdev or compat group path), or NULL */
	unsigned cdev_opens; /* open files of its cdev */
	char *vf_token; /* a PF's VF token (VFIO_DEVICE_FEATURE_PCI_VF_TOKEN), or NULL */
};

struct fks_container;

struct fks_group {
	struct fks_host *host;
	int id;
	GPtrArray *members; /* struct fks_dev *, by address */
	struct fks_rec *rec; /* recorded files of kernel/iommu_groups/N (type, ...) */
	unsigned owner_cnt; /* drivers/iommu/iommu.c: users of the default domain, or 1 owner */
	struct fks_container *owner; /* user-space owner (a VFIO container) */
	bool open; /* /dev/vfio/N is open (only one open file per group) */
	struct fks_container *container;
	unsigned device_fds; /* device files obtained through this group */
	bool fd_closed; /* the group file was closed while device files stay open */
	/* The VFIO group's class device (devices/virtual/vfio/N, /dev/vfio/N), registered while
	 * a member is bound to a VFIO driver: its minor (-1: none) and recorded files. */
	int vfio_minor;
	struct fks_rec *vfio_rec;
	unsigned cdev_open_cnt; /* members bound through their cdev: the group node is EBUSY */
	struct fks_ictx *ictx; /* set through VFIO_GROUP_SET_CONTAINER with an iommufd file */
	struct fks_ictx *ictx_owner; /* the iommufd holding DMA ownership, or NULL */
};

struct fks_mapping {
	uint64_t iova, size;
};

struct fks_container {
	int iommu_type; /* 0 until VFIO_SET_IOMMU */
	GPtrArray *groups;
	GArray *maps; /* struct fks_mapping, by iova */
	uint64_t pinned; /* bytes its mappings charged to mm->locked_vm (h->mm_locked) */
	bool open;
};

struct fks_fault_state {
	struct fks_fault f;
	char *path;
	unsigned seen, fired;
};

enum fks_file_kind {
	FKS_FILE_CONTAINER,
	FKS_FILE_GROUP,
	FKS_FILE_DEVICE,
	FKS_FILE_IOMMUFD, /* /dev/iommu, or /dev/vfio/vfio when iommufd provides it */
	FKS_FILE_CDEV, /* /dev/vfio/devices/vfioN: obj is the fks_dev; bound in dev->idev */
};

/* ---- iommufd (iommufd.c) and the VFIO device cdev (cdev.c) ---- */

enum fks_iobj_kind {
	FKS_IOBJ_IOAS,
	FKS_IOBJ_HWPT,
	FKS_IOBJ_DEVICE,
	_FKS_IOBJ_KIND_MAX,
};

/*
 * The user pages of one IOAS_MAP (iopt_pages), shared by the areas IOAS_COPY and cuts make
 * of it. Pinned and charged per page index, while an area in an IOAS with a domain covers it.
 */
struct fks_pages {
	unsigned refs; /* areas using them */
	GArray *pinned; /* struct fks_iova_range of page indexes: one per pinned area */
	int account; /* enum fks_account: charged where, while pinned */
	bool pfnmap; /* user memory that is a VFIO region's mmap: cannot be pinned */
};

struct fks_area {
	uint64_t iova, length;
	struct fks_pages *pages;
	uint64_t page_offset; /* of its first byte in the user's page (iopt_area page_offset) */
	uint64_t start; /* its first byte from the pages' first page: index * PAGE + page_offset */
};

/* One object of an iommufd context, by its ID (xa_alloc from 1). */
struct fks_iobj {
	enum fks_iobj_kind kind;
	uint32_t id;
	unsigned users; /* references that make IOMMU_DESTROY fail with EBUSY */
	struct fks_ictx *ictx;
	/* IOAS */
	GArray *areas; /* struct fks_area, by iova */
	GArray *allowed; /* struct fks_iova_range (ALLOW_IOVAS), empty: no restriction */
	unsigned domains; /* HWPTs on it: its pages are pinned while > 0 */
	bool no_large_pages; /* iopt_disable_large_pages(): a compat type1 (v1) container */
	/* HWPT: the IOAS it maps; auto: made by an attach, gone with its last device */
	struct fks_iobj *ioas;
	bool auto_domain;
	/* DEVICE */
	struct fks_dev *dev;
	struct fks_iobj *hwpt; /* attached to, or NULL */
};

#define FKS_PFNMAPS_MAX 32

struct fks_iova_range {
	uint64_t start, last;
};

struct fks_ictx {
	struct fks_host *host;
	GPtrArray *objs; /* struct fks_iobj *, index = id - 1; NULL: free */
	bool account_mm; /* IOMMU_OPTION_RLIMIT_MODE 1: per process, else per user */
	bool compat_file; /* opened as /dev/vfio/vfio */
	struct fks_iobj *vfio_ioas; /* the compat IOAS (IOMMU_VFIO_IOAS) */
	int iommu_type; /* VFIO_SET_IOMMU on the compat container */
	unsigned groups; /* VFIO groups attached with VFIO_GROUP_SET_CONTAINER */
	bool open;
};

struct fks_file {
	enum fks_file_kind kind;
	void *obj;
	bool bound; /* a cdev file that did VFIO_DEVICE_BIND_IOMMUFD (access granted) */
};

struct fks_node;

/* A binding changed: dev was bound, or let go of old (the driver it had). */
struct fks_rebound {
	struct fks_dev *dev;
	struct fks_driver *old;
};

struct fks_host {
	struct pt_kver kver;
	bool kver_set; /* from options or the recording */
	char *osrelease; /* as recorded, with newline; NULL: not shown */
	GPtrArray *devs; /* struct fks_dev *, sorted by address (removed ones stay, flagged) */
	GPtrArray *drivers; /* struct fks_driver *, sorted by name */
	GPtrArray *groups; /* struct fks_group *, sorted by id */
	GPtrArray *others; /* struct fks_rec *: recorded devices that are not PCI functions */
	GPtrArray *extras; /* struct fks_rec *: other recorded files, devpath = their dir */
	GPtrArray *proc; /* struct fks_entry: procfs files (name relative to proc) */
	GPtrArray *modules; /* struct fks_entry: /lib/modules files (RELEASE/modules.alias) */
	bool iommu; /* an IOMMU is present (groups exist or class/iommu was recorded) */
	struct fks_capture capture; /* what the capture showed (fks_host_capture()) */
	GHashTable *driver_unknown; /* BDF (owned) -> static reason; or NULL */
	GHashTable *group_unknown; /* BDF (owned) -> static reason; or NULL */
	GPtrArray *notes; /* struct fks_note *: what loading found missing or wrong; or NULL */
	GHashTable *block_lines; /* a recording's block devpath -> its P: line; or NULL */
	bool autoprobe;
	/* settings */
	uint64_t memlock;
	bool cap_ipc_lock;
	bool intremap;
	/* every IOMMU unit forces snooping (VT-d ecap bit 7; AMD-Vi always): VFIO_DMA_CC_IOMMU */
	bool snoop_control;
	bool vfio_enable_sriov;
	/* kernel configuration: CONFIG_IOMMUFD, CONFIG_VFIO_DEVICE_CDEV,
	 * CONFIG_IOMMUFD_VFIO_CONTAINER (iommufd provides /dev/vfio/vfio), CONFIG_IOMMUFD_TEST
	 * (the selftest's IOMMU_TEST_CMD), and how they were learnt (FKS_KCONFIG_*: set,
	 * recorded, or not shown) */
	bool iommufd, vfio_cdev, iommufd_compat, iommufd_test;
	int kconfig_source;
	char *kconfig; /* the recorded configuration lines (fakesys/kconfig), or NULL */
	bool iommufd_unsafe_intr; /* iommufd.allow_unsafe_interrupts */
	bool cap_sys_resource; /* may change IOMMU_OPTION_RLIMIT_MODE */
	/* bytes charged: the user's locked_vm (iommufd per user), the client's mm->locked_vm
	 * (VmLck: type1, iommufd per process) and mm->pinned_vm (VmPin: iommufd, every mode) */
	uint64_t user_locked, mm_locked, pinned_vm;
	/* the client's mmaps of VFIO device regions (VM_IO | VM_PFNMAP), by address */
	struct fks_iova_range pfnmaps[FKS_PFNMAPS_MAX];
	unsigned n_pfnmaps;
	unsigned aperture_bits;
	unsigned reset_timeout_ms;
	unsigned vfio_major; /* of the VFIO group devices: as recorded, else the lab's 246 */
	/* state */
	uint64_t clock_ms;
	unsigned step;
	unsigned writes; /* writes so far, for remove faults */
	unsigned faults_fired;
	GPtrArray *faults; /* struct fks_fault_state * */
	void (*die_hook)(struct fks_host *, void *); /* fks_host_set_die_hook */
	void *die_data;
	GPtrArray *files; /* struct fks_file *, index + FKS_HANDLE_BASE = handle; NULL: free */
	struct pt_trace *trace; /* where rules and faults go (not owned) */
	struct pt_trace *own_trace; /* fks_host_set_trace (not owned) */
	struct pt_pciconf_parser *parser;
	struct fks_node *root[_PT_NS_MAX]; /* the view */
	/* What changed since the view was built; the view reads it at its next access. */
	bool view_dirty; /* anything: rebuild it all (set until the first build) */
	/* The backend's last directory (backend.c resolve()): valid for this root while no node
	 * was freed since. */
	struct {
		struct fks_node *root, *node;
		unsigned long freed;
		size_t len;
		char path[480];
	} last_dir;
	GArray *rebound; /* struct fks_rebound: only bindings changed, in order */
	GPtrArray *synth; /* struct fks_entry: files the view made up (uevent of children) */
};

#define FKS_HANDLE_BASE 3

/* host.c */
int fks_host_alloc(struct fks_host **ret);
/* Index of key in a, sorted by the string key_of gives for each element, or where it would
 * go (with *found false). */
guint fks_sorted_index(const GPtrArray *a, const char *key, const char *(*key_of)(gconstpointer),
		       bool *found);
struct fks_dev *fks_dev_find(const struct fks_host *host, const char *addr);
struct fks_dev *fks_dev_new(struct fks_host *host, const char *addr, const char *devpath);
int fks_dev_set_config(struct fks_dev *dev, const void *data, size_t len);
void fks_dev_insert(struct fks_host *host, struct fks_dev *dev);
void fks_dev_free(struct fks_dev *dev);
struct fks_driver *fks_driver_find(const struct fks_host *host, const char *name);
struct fks_driver *fks_driver_get(struct fks_host *host, const char *name);
struct fks_group *fks_group_find(const struct fks_host *host, int id);
struct fks_group *fks_group_get(struct fks_host *host, int id);
void fks_group_add_member(struct fks_group *g, struct fks_dev *dev);
void fks_group_del_member(struct fks_group *g, struct fks_dev *dev);
void fks_group_drop(struct fks_host *host, struct fks_group *g);
int fks_group_next_id(const struct fks_host *host);
void fks_rule(struct fks_host *host, const char *rule, const char *subject, const char *fmt, ...)
	_printf_(4, 5);
void fks_note_fault(struct fks_host *host, const char *subject, const char *fmt, ...)
	_printf_(3, 4);
bool fks_kver_at_least(const struct fks_host *host, unsigned major, unsigned minor);
int fks_parse_address(const char *s, char ret[16]);
int fks_set_error(struct pt_error *err, int code, const char *path, unsigned line, const char *fmt,
		  ...) _printf_(5, 6);
/* The model changed in a way the view cannot follow in place: rebuild it before the next
 * access. */
void fks_host_changed(struct fks_host *host);
/* A driver bound dev, or let it go (old: the driver it had): noted for the view. */
void fks_host_rebound(struct fks_dev *dev, struct fks_driver *old);

/* bus.c: remove and rescan */
int fks_dev_remove(struct fks_dev *dev);
void fks_rescan(struct fks_host *host, const char *below);
/* Fire the remove faults due at this write or step. */
void fks_fault_check_remove(struct fks_host *host);

/* load.c: recorded blocks to model */
struct fks_loader;
int fks_loader_new(const char *name, struct fks_loader **ret);
void fks_loader_free(struct fks_loader *l);
/* Hand over one block (owned by the loader from now on); line is for messages (0: none). */
int fks_loader_add(struct fks_loader *l, struct fks_rec *rec, unsigned line, struct pt_error *err);
/* What a tree shows besides device blocks: a loaded driver, the IOMMU class, a block. */
void fks_loader_add_driver(struct fks_loader *l, const char *name);
void fks_loader_set_iommu_class(struct fks_loader *l, bool present);
/* capture.c: a fact of a device the capture does not show (why: static text); an
 * iommu_group copied as a directory (rec entry "iommu_group/devices"), listed in group listed
 * by kernel/iommu_groups or -1; an export's fakesys/capture words. */
void fks_capture_not_shown(GHashTable **table, const char *addr, const char *why);
void fks_capture_copied_group(struct fks_host *h, struct fks_dev *d, int listed);
void fks_capture_parse(struct fks_capture *c, const char *line);
/* A finding about what was read (a file not used, and why), for the loaded host's notes. */
void fks_loader_note(struct fks_loader *l, const char *rule, const char *address, const char *fmt,
		     ...) G_GNUC_PRINTF(4, 5);
bool fks_loader_has_block(const struct fks_loader *l, const char *devpath);
void fks_host_add_note(struct fks_host *h, const char *rule, const char *address, const char *fmt,
		       ...) _printf_(4, 5);
/* load-numbers.c: VFIO group minors and device indexes of a loaded host, in one pass. */
void fks_loader_assign_vfio(struct fks_host *h);
int fks_loader_finish(struct fks_loader *l, const struct fks_options *opts, struct fks_host **ret,
		      struct pt_error *err);

/* recording.c */
/* mapped: text is a private read-only file mapping whose pages may be given back as read. */
int fks_recording_parse(const char *name, const char *text, size_t len, bool mapped,
			struct fks_loader *l, struct pt_error *err);

/* drvinfo.c: what the kernel's drivers declare */
const struct fks_drvinfo *fks_drvinfo_lookup(const char *name);
/* The VFIO_MIGRATION_* flags VFIO_DEVICE_FEATURE_MIGRATION answers for dev on its driver, 0 when
 * the driver set up no migration for it (the feature is then ENOTTY). */
uint64_t fks_drvinfo_migration(const struct fks_dev *dev);

/* driver.c: the driver core */
bool fks_driver_matches(const struct fks_driver *drv, const struct fks_dev *dev);
bool fks_dev_blocks_group(const struct fks_dev *dev);
/* Probe drv for dev the way bind does. Returns 0, the probe error (as negative errno) with
 * *ret_dma set when it was the DMA-ownership check, ... */
int fks_driver_probe(struct fks_driver *drv, struct fks_dev *dev, bool *ret_dma);
void fks_driver_release(struct fks_dev *dev);
/* A child block the PCI core owns (pci_bus/...), which stays whatever the driver. */
bool fks_child_is_core(const struct fks_rec *child);
/* Autoprobe a device: the first matching driver that binds; errors as drivers_probe sees. */
int fks_dev_attach(struct fks_dev *dev);
int fks_store_bind(struct fks_driver *drv, const char *buf, size_t len);
int fks_store_unbind(struct fks_driver *drv, const char *buf, size_t len);
int fks_store_new_id(struct fks_driver *drv, const char *buf, size_t len);
int fks_store_remove_id(struct fks_driver *drv, const char *buf, size_t len);
int fks_store_drivers_probe(struct fks_host *host, const char *buf, size_t len);
int fks_store_override(struct fks_dev *dev, const char *buf, size_t len);
/* "%x %x [%x %x %x %x %lx]" as new_id takes it; -EINVAL with fewer than two fields. */
int fks_id_parse(const char *buf, size_t len, struct fks_id *ret, int *ret_fields);

/* sriov.c */
int fks_sriov_store_numvfs(struct fks_dev *dev, const char *buf, size_t len);
int fks_sriov_store_autoprobe(struct fks_dev *dev, const char *buf, size_t len);
void fks_sriov_disable(struct fks_dev *pf);
/* Keep the first recorded VF's config as the one VFs enabled again get. */
void fks_sriov_keep_vf_config(struct fks_dev *pf);
int fks_sriov_store_vf_msix(struct fks_dev *vf, const char *buf, size_t len);
void fks_sriov_sync_config(struct fks_dev *pf);

/* reset.c */
void fks_reset_init(struct fks_dev *dev, const char *recorded);
unsigned fks_reset_probe_mask(const struct fks_dev *dev);
int fks_reset_do(struct fks_dev *dev);
int fks_reset_store(struct fks_dev *dev, const char *buf, size_t len);
int fks_reset_method_store(struct fks_dev *dev, const char *buf, size_t len);
size_t fks_reset_method_show(const struct fks_dev *dev, char *buf, size_t size);
size_t fks_bus_siblings(const struct fks_dev *dev);
bool fks_reset_works(const struct fks_dev *dev);

/* fault.c */
int fks_fault_check_write(struct fks_host *host, struct fks_node *node, const char *path);
int fks_fault_check_reset(struct fks_host *host, struct fks_dev *dev, unsigned *ret_hang);
int fks_fault_numvfs_limit(struct fks_host *host, struct fks_dev *pf, unsigned want);
void fks_fault_check_die(struct fks_host *host);

/* vfio.c */
/* A member of the group is bound to a VFIO driver. */
bool fks_group_has_vfio(const struct fks_group *g);
int fks_vfio_open(struct fks_host *host, const char *path, int flags);
int fks_vfio_ioctl(struct fks_host *host, int handle, unsigned long request, void *arg);
int fks_vfio_close(struct fks_host *host, int handle);
/* Register or unregister the group's VFIO class device as its members' drivers say. */
void fks_vfio_group_sync(struct fks_host *host, struct fks_group *g);
/* Take a recorded devices/virtual/vfio/N block as group N's; false when it is not one. */
bool fks_vfio_adopt_rec(struct fks_host *host, struct fks_rec *rec);

/* kconfig.c, iommufd.c */
enum fks_kconfig_source {
	FKS_KCONFIG_UNKNOWN, /* not shown: the model assumes off */
	FKS_KCONFIG_RECORDED, /* from fakesys/kconfig or a recorded /dev/iommu misc device */
	FKS_KCONFIG_SET, /* fks_host_set */
};
bool fks_iommufd_present(const struct fks_host *host);
bool fks_cdev_present(const struct fks_host *host);
bool fks_compat_present(const struct fks_host *host);
/* What the loader found about the kernel configuration (recorded kconfig, misc devices). */
void fks_iommufd_host_init(struct fks_host *host);
int fks_iommufd_open(struct fks_host *host, bool compat, struct fks_ictx **ret);
int fks_iommufd_ioctl(struct fks_host *host, struct fks_ictx *ictx, unsigned long req, void *arg);
void fks_iommufd_close(struct fks_host *host, struct fks_ictx *ictx);
/* A group attached with VFIO_GROUP_SET_CONTAINER lets go of the context. */
void fks_iommufd_group_release(struct fks_host *host, struct fks_ictx *ictx);
/* Bind dev to ictx as iommufd_device_bind() does (isolated MSI, DMA ownership): the new
 * device object in *ret. Unbind releases it (detaching first). */
int fks_iommufd_bind(struct fks_host *host, struct fks_ictx *ictx, struct fks_dev *dev,
		     struct fks_iobj **ret);
void fks_iommufd_unbind(struct fks_host *host, struct fks_iobj *idev);
/* Attach a bound device to an IOAS or HWPT id (*pt_id: out the HWPT id); detach. */
int fks_iommufd_attach(struct fks_host *host, struct fks_iobj *idev, uint32_t *pt_id);
void fks_iommufd_detach(struct fks_host *host, struct fks_iobj *idev);
/* Map pages at a fixed IOVA of an IOAS; unmap the whole areas in [iova, last] (ENOENT when
 * one would be cut; none there is 0 bytes, as iopt_unmap_iova_range() since afb47765f923),
 * the bytes in *ret_done. Cut an area so that iova is the last byte of one (iopt_cut_iova). */
int fks_ioas_map_pages(struct fks_host *host, struct fks_iobj *ioas, uint64_t iova, uint64_t length,
		       uint64_t uva);
int fks_ioas_unmap_range(struct fks_host *host, struct fks_iobj *ioas, uint64_t iova, uint64_t last,
			 uint64_t *ret_done);
void fks_ioas_cut(struct fks_host *host, struct fks_iobj *ioas, uint64_t iova);
/* The IOAS's usable ranges (the holes of its reserved ranges: at most 2 in *out), and the
 * page sizes and alignment its domains allow (iommufd_get_pagesizes, iova_alignment). */
unsigned fks_ioas_holes(const struct fks_host *host, const struct fks_iobj *ioas,
			struct fks_iova_range *out);
uint64_t fks_ioas_pgsizes(const struct fks_iobj *ioas);
/* iommufd-pages.c: new pages of user memory at uva (charged as the context says); pin and
 * unpin the page indexes an area covers (-ENOMEM past RLIMIT_MEMLOCK, -EFAULT for a VFIO
 * region's mmap); an IOAS gains a domain (all its areas pinned, or none) or loses one. */
struct fks_pages *fks_pages_new(struct fks_host *host, const struct fks_ictx *ictx, uint64_t length,
				uint64_t uva);
void fks_pages_free(struct fks_pages *pages);
int fks_area_pin(struct fks_host *host, const struct fks_area *area);
void fks_area_unpin(struct fks_host *host, const struct fks_area *area);
int fks_ioas_add_domain(struct fks_host *host, struct fks_iobj *ioas);
/* iopt->iova_alignment: a page with a domain or large pages disabled, else 1 byte; whether
 * every area keeps a new alignment (iopt_check_iova_alignment: else EADDRINUSE). */
uint64_t fks_ioas_alignment(const struct fks_iobj *ioas);
int fks_ioas_check_alignment(const struct fks_iobj *ioas, uint64_t align);
void fks_ioas_del_domain(struct fks_host *host, struct fks_iobj *ioas);
/* iommufd-compat.c: the VFIO container requests on an iommufd file. */
int fks_iommufd_compat_ioctl(struct fks_host *host, struct fks_ictx *ictx, unsigned long req,
			     void *arg);
/* The compat IOAS for a group attached with SET_CONTAINER (made when missing). */
int fks_iommufd_compat_ioas(struct fks_host *host, struct fks_ictx *ictx, uint32_t *ret_id);

/* cdev.c */
struct vfio_device_feature;
int fks_cdev_open(struct fks_host *host, const char *path, struct fks_dev **ret);
int fks_cdev_ioctl(struct fks_host *host, struct fks_dev *dev, bool *bound, unsigned long req,
		   void *arg);
void fks_cdev_close(struct fks_host *host, struct fks_dev *dev, bool bound);
/* Give or take the device's VFIO index as its driver says (vfio_init_device, release). */
void fks_cdev_sync_index(struct fks_host *host, struct fks_dev *dev);
/* vfio-pci's VF token check (vfio_pci_validate_vf_token): 0 or -EACCES. token may be NULL. */
int fks_vf_token_check(struct fks_host *host, struct fks_dev *dev, const char *token);
/* The PF leaves vfio-pci: its VF token is gone (a new probe draws a new one). */
void fks_vf_token_drop(struct fks_dev *dev);
/* A VF of pf is open through VFIO: removing it would wait for user space. */
bool fks_vf_open(const struct fks_dev *pf);
/* The token of a group path device name "BDF vf_token=UUID" (NULL without); -EINVAL when
 * malformed. */
int fks_vf_token_parse(const char *name, const char **ret);
/* The iommufd context behind a handle, as iommufd_ctx_from_fd: -EBADF, -EBADFD (vfio.c). */
int fks_cdev_iommufd_file(struct fks_host *host, int handle, struct fks_ictx **ret);
/* VFIO_DEVICE_FEATURE_PCI_VF_TOKEN on a device file. */
int fks_vf_token_feature(struct fks_host *host, struct fks_dev *dev, struct vfio_device_feature *f);
/* The device ioctls shared by the group and cdev paths (vfio.c). */
int fks_vfio_device_ioctl(struct fks_host *host, struct fks_dev *dev, unsigned long req, void *arg);

/* view.c: the sysfs view (a tree of nodes, as kernfs) */
enum fks_node_kind {
	FKS_NODE_DIR,
	FKS_NODE_FILE, /* recorded bytes */
	FKS_NODE_LINK,
	FKS_NODE_ATTR, /* show/store handlers on a model object */
};

struct fks_attr;
struct fks_node {
	char *name;
	enum fks_node_kind kind;
	struct fks_node *parent;
	GPtrArray *children; /* sorted by name (DIR) */
	char *target; /* LINK */
	const struct fks_entry *entry; /* FILE (owned by the model) */
	const struct fks_attr *attr; /* ATTR */
	void *obj;
};

/* An attribute: the show (NULL: write-only) and store (NULL: read-only) of one file. */
struct fks_attr {
	const char *name;
	int (*show)(void *obj, char *buf, size_t size, size_t *ret_len);
	int (*store)(void *obj, const char *buf, size_t len);
};

struct fks_node *fks_node_new_root(void);
void fks_node_free(struct fks_node *n);
/* Create (or return the existing) directory at path below dir, with parents. */
struct fks_node *fks_node_mkdir(struct fks_node *dir, const char *path);
struct fks_node *fks_node_child(const struct fks_node *dir, const char *name);
void fks_node_link(struct fks_node *dir, const char *name, const char *target);
void fks_node_file(struct fks_node *dir, const char *path, const struct fks_entry *e);
void fks_node_attr(struct fks_node *dir, const struct fks_attr *attr, void *obj);

/* devattr.c: attributes of a device, a group and vfio-pci kept in recorded entries. */
void fks_view_dev_flags(struct fks_node *dir, struct fks_rec *r);
void fks_view_dev_enable(struct fks_node *dir, struct fks_dev *d);
void fks_view_vfio_params(struct fks_host *h, struct fks_node *dir, struct fks_rec *r);
void fks_view_group_type(struct fks_node *dir, struct fks_group *g);
void fks_node_remove(struct fks_node *dir, const char *name);
/* Resolve path below root; follow_last follows a final link. -ENOENT, -ELOOP, -ENOTDIR. */
int fks_node_resolve(struct fks_node *root, const char *path, bool follow_last,
		     struct fks_node **ret);
/* The same from dir, a directory below root (.. and links may leave it). */
int fks_node_resolve_from(struct fks_node *root, struct fks_node *dir, const char *path,
			  bool follow_last, struct fks_node **ret);
/* Nodes freed so far, by any view: a node kept by a caller is still valid while it is the
 * same. */
unsigned long fks_node_freed(void);
/* The path of a node relative to its root. Caller frees. */
char *fks_node_path(const struct fks_node *n);

/* Build the whole view from the model. fks_view_sync, before every access, rebuilds it when
 * the model marked it stale (fks_host_changed) or redoes the bindings the model noted
 * (fks_host_rebound): the model never calls the view, the view reads what changed. */
void fks_view_build(struct fks_host *host);
void fks_view_sync(struct fks_host *host);
char *fks_rel_target(const char *from_dir, const char *to);
/* Show an attribute of a device into a buffer (for export). */
int fks_view_read(struct fks_host *host, struct fks_node *n, char *buf, size_t size,
		  size_t *ret_len);
