/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The VFIO server of ptharness fake: the model's container, group and device files for the shim. */

/*
 * The plan: one thread polls a listening unix socket (SOCK_SEQPACKET) and a connection per
 * client process (harness/fake-preload.c is the other end; fake-vfio-proto.h the wire). Each
 * request goes to the model through the backend (dev_open, dev_ioctl, dev_close), under the
 * lock the FUSE thread takes too: the model is touched by one thread at a time. A client that
 * goes away (QEMU quitting) has its files closed, as the kernel closes a dead process's files.
 *
 * What vfio-pci does itself, beyond the model's ioctls, is done here, after
 * drivers/vfio/pci/vfio_pci_config.c and vfio_pci_rdwr.c: the device file's config region is
 * a virtual copy of the device's config space (read from the model at open, as
 * vfio_config_init() reads the device); BARs and the ROM BAR read back masked by their size
 * (vfio_bar_fixup()), so sizing them works; writes reach the command register, BARs and
 * capabilities of the copy, never the header's read-only fields. A BAR's contents are memory
 * of this process (a memfd per BAR, created at first use), served to pread, pwrite and mmap
 * alike; the model decides whether a BAR may be mapped (VFIO_REGION_INFO_FLAG_MMAP) and is told
 * where the client mapped it (a VM_PFNMAP range iommufd cannot pin) until unmapped. The ROM's
 * contents are not in a recording: reading it fails with EIO. Interrupts are never raised:
 * the eventfds given to VFIO_DEVICE_SET_IRQS are checked by the model and closed.
 */

#include <errno.h>
#include <linux/vfio.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fake-vfio-proto.h"
#include "fake.h"
#include "macro.h"
#include "uapi-iommufd.h"

#define REGION_SHIFT 40 /* VFIO_PCI_OFFSET_SHIFT */
#define REGION_MASK ((1ull << REGION_SHIFT) - 1)
#define PAGE 4096ull
#define CONNS_MAX 64
#define FDS_MAX 253

struct fv_region {
	uint64_t size;
	uint32_t flags;
	int memfd; /* the BAR's contents, -1 until used */
};

/* A device file: what vfio-pci keeps beside the model's device (vconfig, BAR memory). */
struct fv_dev {
	char addr[32];
	uint8_t vconfig[4096];
	size_t cfg_size;
	uint32_t bar_flags[6]; /* the low bits of each BAR as the device shows them */
	struct fv_region region[VFIO_PCI_NUM_REGIONS];
};

/* A client's mapping of a device region, [va, va + len) of its memory. */
struct fv_map {
	uint64_t va, len;
};

struct fv_conn {
	int fd;
	GArray *handles; /* int: what this client opened, closed when it goes */
	GArray *maps; /* struct fv_map: its regions mapped, forgotten when it goes */
};

struct pth_fakevfio {
	struct fks_host *host;
	struct pt_backend *be;
	pthread_mutex_t *lock;
	char *path;
	int listen_fd, wake_fd;
	pthread_t thread;
	bool running;
	GPtrArray *conns; /* struct fv_conn * */
	GHashTable *devs; /* handle -> struct fv_dev * */
	GHashTable *kinds; /* handle -> enum pthv_kind */
	GHashTable *names; /* handle -> its node ("vfio/6") or device ("0000:01:00.0"), owned */
	uint8_t *buf; /* one request or reply */
};

/* The names the trace gives the requests (as lib/vfio.c names them), per kind of file. */
static const struct {
	enum pthv_kind kind;
	unsigned long request;
	const char *name;
} ioctl_names[] = {
	{ PTHV_KIND_CONTAINER, VFIO_GET_API_VERSION, "VFIO_GET_API_VERSION" },
	{ PTHV_KIND_CONTAINER, VFIO_CHECK_EXTENSION, "VFIO_CHECK_EXTENSION" },
	{ PTHV_KIND_CONTAINER, VFIO_SET_IOMMU, "VFIO_SET_IOMMU" },
	{ PTHV_KIND_CONTAINER, VFIO_IOMMU_GET_INFO, "VFIO_IOMMU_GET_INFO" },
	{ PTHV_KIND_CONTAINER, VFIO_IOMMU_MAP_DMA, "VFIO_IOMMU_MAP_DMA" },
	{ PTHV_KIND_CONTAINER, VFIO_IOMMU_UNMAP_DMA, "VFIO_IOMMU_UNMAP_DMA" },
	{ PTHV_KIND_CONTAINER, VFIO_IOMMU_DIRTY_PAGES, "VFIO_IOMMU_DIRTY_PAGES" },
	{ PTHV_KIND_GROUP, VFIO_GROUP_GET_STATUS, "VFIO_GROUP_GET_STATUS" },
	{ PTHV_KIND_GROUP, VFIO_GROUP_SET_CONTAINER, "VFIO_GROUP_SET_CONTAINER" },
	{ PTHV_KIND_GROUP, VFIO_GROUP_UNSET_CONTAINER, "VFIO_GROUP_UNSET_CONTAINER" },
	{ PTHV_KIND_GROUP, VFIO_GROUP_GET_DEVICE_FD, "VFIO_GROUP_GET_DEVICE_FD" },
	{ PTHV_KIND_DEVICE, VFIO_DEVICE_GET_INFO, "VFIO_DEVICE_GET_INFO" },
	{ PTHV_KIND_DEVICE, VFIO_DEVICE_GET_REGION_INFO, "VFIO_DEVICE_GET_REGION_INFO" },
	{ PTHV_KIND_DEVICE, VFIO_DEVICE_GET_IRQ_INFO, "VFIO_DEVICE_GET_IRQ_INFO" },
	{ PTHV_KIND_DEVICE, VFIO_DEVICE_SET_IRQS, "VFIO_DEVICE_SET_IRQS" },
	{ PTHV_KIND_DEVICE, VFIO_DEVICE_RESET, "VFIO_DEVICE_RESET" },
	{ PTHV_KIND_DEVICE, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO,
	  "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO" },
	{ PTHV_KIND_DEVICE, VFIO_DEVICE_PCI_HOT_RESET, "VFIO_DEVICE_PCI_HOT_RESET" },
	{ PTHV_KIND_DEVICE, VFIO_DEVICE_FEATURE, "VFIO_DEVICE_FEATURE" },
	{ PTHV_KIND_DEVICE, VFIO_DEVICE_BIND_IOMMUFD, "VFIO_DEVICE_BIND_IOMMUFD" },
	{ PTHV_KIND_DEVICE, VFIO_DEVICE_ATTACH_IOMMUFD_PT, "VFIO_DEVICE_ATTACH_IOMMUFD_PT" },
	{ PTHV_KIND_DEVICE, VFIO_DEVICE_DETACH_IOMMUFD_PT, "VFIO_DEVICE_DETACH_IOMMUFD_PT" },
	{ PTHV_KIND_OTHER, IOMMU_DESTROY, "IOMMU_DESTROY" },
	{ PTHV_KIND_OTHER, IOMMU_IOAS_ALLOC, "IOMMU_IOAS_ALLOC" },
	{ PTHV_KIND_OTHER, IOMMU_IOAS_ALLOW_IOVAS, "IOMMU_IOAS_ALLOW_IOVAS" },
	{ PTHV_KIND_OTHER, IOMMU_IOAS_COPY, "IOMMU_IOAS_COPY" },
	{ PTHV_KIND_OTHER, IOMMU_IOAS_IOVA_RANGES, "IOMMU_IOAS_IOVA_RANGES" },
	{ PTHV_KIND_OTHER, IOMMU_IOAS_MAP, "IOMMU_IOAS_MAP" },
	{ PTHV_KIND_OTHER, IOMMU_IOAS_UNMAP, "IOMMU_IOAS_UNMAP" },
	{ PTHV_KIND_OTHER, IOMMU_OPTION, "IOMMU_OPTION" },
	{ PTHV_KIND_OTHER, IOMMU_VFIO_IOAS, "IOMMU_VFIO_IOAS" },
	{ PTHV_KIND_OTHER, IOMMU_HWPT_ALLOC, "IOMMU_HWPT_ALLOC" },
	{ PTHV_KIND_OTHER, IOMMU_GET_HW_INFO, "IOMMU_GET_HW_INFO" },
};

static enum pthv_kind kind_of(struct pth_fakevfio *v, int handle)
{
	return (enum pthv_kind)GPOINTER_TO_INT(
		g_hash_table_lookup(v->kinds, GINT_TO_POINTER(handle)));
}

static void trace_ioctl(struct pth_fakevfio *v, size_t at, enum pthv_kind kind,
			unsigned long request, int r)
{
	char other[32];
	const char *name = NULL;

	if (!v->be->trace)
		return;
	for (size_t i = 0; i < ELEMENTSOF(ioctl_names) && !name; i++)
		if (ioctl_names[i].kind == kind && ioctl_names[i].request == request)
			name = ioctl_names[i].name;
	if (!name) {
		snprintf(other, sizeof(other), "VFIO ioctl 0x%lx", request);
		name = other;
	}
	pt_trace_insert(v->be->trace, at, PT_EVENT_IOCTL, PT_NS_DEV, name, NULL, 0, r, NULL);
}

/* ---- the device file's regions ---- */

/* The model's answer for region index, asked without tracing (vfio-pci's own bookkeeping). */
static void region_setup(struct pth_fakevfio *v, int handle, struct fv_dev *d, unsigned index)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = index };

	d->region[index].memfd = -1;
	if (pt_backend_dev_ioctl(v->be, handle, VFIO_DEVICE_GET_REGION_INFO, &ri) < 0)
		return;
	d->region[index].size = ri.size;
	d->region[index].flags = ri.flags;
}

static struct fv_dev *dev_new(struct pth_fakevfio *v, int handle, const char *name)
{
	struct fv_dev *d = g_new0(struct fv_dev, 1);
	g_autofree char *path = NULL;
	struct pt_trace *trace = v->be->trace;
	size_t len = 0;

	/* vfio-pci's match: "<BDF>", or "<BDF> vf_token=<uuid>". */
	g_strlcpy(d->addr, name, MIN(sizeof(d->addr), strcspn(name, " ") + 1));
	path = g_strdup_printf("bus/pci/devices/%s/config", d->addr);
	v->be->trace = NULL;
	if (pt_backend_read(v->be, PT_NS_SYS, path, d->vconfig, sizeof(d->vconfig), &len) < 0)
		len = 0;
	d->cfg_size = len > 256 ? 4096 : 256; /* pdev->cfg_size: extended space or not */
	for (unsigned i = 0; i < VFIO_PCI_NUM_REGIONS; i++)
		region_setup(v, handle, d, i);
	v->be->trace = trace;
	for (unsigned i = 0; i < 6; i++) {
		uint32_t bar;

		memcpy(&bar, d->vconfig + 0x10 + 4 * i, 4);
		d->bar_flags[i] = bar & (bar & 1 ? 0x3u : 0xfu);
	}
	return d;
}

static void dev_free(void *p)
{
	struct fv_dev *d = p;

	for (unsigned i = 0; i < VFIO_PCI_NUM_REGIONS; i++)
		if (d->region[i].memfd >= 0)
			close(d->region[i].memfd);
	g_free(d);
}

/* vfio_bar_fixup(): each BAR as the user sees it, masked by its size, with its flags. */
static void bar_fixup(struct fv_dev *d)
{
	for (unsigned i = 0; i < 6; i++) {
		uint64_t size = d->region[i].size, mask = ~(size - 1);
		uint32_t bar;

		memcpy(&bar, d->vconfig + 0x10 + 4 * i, 4);
		bar = size ? (bar & (uint32_t)mask) | d->bar_flags[i] : 0;
		memcpy(d->vconfig + 0x10 + 4 * i, &bar, 4);
		if (size && (d->bar_flags[i] & 0x7) == 0x4 && i < 5) { /* 64-bit memory */
			i++;
			memcpy(&bar, d->vconfig + 0x10 + 4 * i, 4);
			bar &= (uint32_t)(mask >> 32);
			memcpy(d->vconfig + 0x10 + 4 * i, &bar, 4);
		}
	}
	{
		uint64_t size = d->region[VFIO_PCI_ROM_REGION_INDEX].size;
		uint32_t rom;

		memcpy(&rom, d->vconfig + 0x30, 4);
		rom = size ? rom & ((uint32_t) ~(size - 1) | 1u) : 0;
		memcpy(d->vconfig + 0x30, &rom, 4);
	}
}

/* The type 0 header's bytes a user may write (vfio_pci_config.c's permission bits): command,
 * cache line size, latency timer, the BARs, the ROM BAR, the interrupt line. */
static bool header_writable(size_t pos)
{
	return pos == 0x04 || pos == 0x05 || pos == 0x0c || pos == 0x0d ||
	       (pos >= 0x10 && pos < 0x28) || (pos >= 0x30 && pos < 0x34) || pos == 0x3c;
}

static int64_t config_rw(struct fv_dev *d, uint64_t pos, uint8_t *buf, size_t n, bool write)
{
	/* vfio_config_do_rw(): an access past the config space is EFAULT. */
	if (pos >= d->cfg_size || pos + n > d->cfg_size)
		return -EFAULT;
	if (!write) {
		bar_fixup(d);
		memcpy(buf, d->vconfig + pos, n);
		return (int64_t)n;
	}
	for (size_t i = 0; i < n; i++)
		if (pos + i >= 0x40 || header_writable(pos + i))
			d->vconfig[pos + i] = buf[i];
	return (int64_t)n;
}

/* The BAR's memory, made at first use (pages are only allocated once touched). */
static int bar_memfd(struct fv_dev *d, unsigned index)
{
	struct fv_region *rg = &d->region[index];
	g_autofree char *name = g_strdup_printf("%s-bar%u", d->addr, index);

	if (rg->memfd >= 0)
		return rg->memfd;
	rg->memfd = memfd_create(name, MFD_CLOEXEC);
	if (rg->memfd < 0)
		return -errno;
	if (ftruncate(rg->memfd, (off_t)((rg->size + PAGE - 1) & ~(PAGE - 1))) < 0) {
		int r = -errno;

		close(rg->memfd);
		rg->memfd = -1;
		return r;
	}
	return rg->memfd;
}

/* vfio_pci_rw(): the region is the offset's top bits. */
static int64_t region_rw(struct fv_dev *d, uint64_t off, uint8_t *buf, size_t n, bool write)
{
	unsigned index = (unsigned)(off >> REGION_SHIFT);
	uint64_t pos = off & REGION_MASK;
	struct fv_region *rg;
	ssize_t done;
	int fd;

	if (index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		return config_rw(d, pos, buf, n, write);
	rg = &d->region[index];
	if (!rg->size || pos >= rg->size)
		return -EINVAL;
	if (index != VFIO_PCI_ROM_REGION_INDEX && index != VFIO_PCI_VGA_REGION_INDEX) {
		n = MIN(n, rg->size - pos);
		fd = bar_memfd(d, index);
		if (fd < 0)
			return fd;
		done = write ? pwrite(fd, buf, n, (off_t)pos) : pread(fd, buf, n, (off_t)pos);
		return done < 0 ? -errno : done;
	}
	if (write && index == VFIO_PCI_ROM_REGION_INDEX)
		return -EINVAL; /* the ROM is read-only */
	return -EIO; /* the ROM's and the legacy VGA range's contents are not recorded */
}

/* vfio_pci_core_mmap(): only a BAR the model lets be mapped, shared, inside its pages.
 * Returns the offset into the BAR's memory and its memfd in *ret_fd, or -errno. */
static int64_t region_mmap(struct fv_dev *d, uint64_t off, uint64_t len, uint32_t flags,
			   int *ret_fd)
{
	unsigned index = (unsigned)(off >> REGION_SHIFT);
	uint64_t start = off & REGION_MASK;
	struct fv_region *rg;
	int fd;

	if (!(flags & MAP_SHARED) || index >= VFIO_PCI_ROM_REGION_INDEX || off & (PAGE - 1))
		return -EINVAL;
	rg = &d->region[index];
	if (!(rg->flags & VFIO_REGION_INFO_FLAG_MMAP) ||
	    start + len > ((rg->size + PAGE - 1) & ~(PAGE - 1)))
		return -EINVAL;
	fd = bar_memfd(d, index);
	if (fd < 0)
		return fd;
	*ret_fd = fd;
	return (int64_t)start;
}

/*
 * A cdev's device file once bound (before, vfio_device_fops_cdev_open()'s file answers no
 * region request): its device is the PCI function whose vfio-dev/ holds the node's name.
 */
static void cdev_bound(struct pth_fakevfio *v, int handle)
{
	const char *node = g_hash_table_lookup(v->names, GINT_TO_POINTER(handle));
	struct pt_trace *trace = v->be->trace;
	char **names = NULL;
	size_t n = 0;

	if (!node || !g_str_has_prefix(node, "vfio/devices/") ||
	    g_hash_table_contains(v->devs, GINT_TO_POINTER(handle)))
		return;
	v->be->trace = NULL;
	if (pt_backend_list(v->be, PT_NS_SYS, "bus/pci/devices", &names, &n) < 0)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		g_autofree char *dir = g_strdup_printf("bus/pci/devices/%s/vfio-dev/%s", names[i],
						       strrchr(node, '/') + 1);

		if (pt_backend_exists(v->be, PT_NS_SYS, dir) > 0) {
			g_hash_table_insert(v->devs, GINT_TO_POINTER(handle),
					    dev_new(v, handle, names[i]));
			break;
		}
	}
	v->be->trace = trace;
	pt_strv_free(names);
}

/* ---- the client's mappings of regions ---- */

/* The model is told of a BAR the client mapped: vfio_pci_core_mmap() made it VM_IO |
 * VM_PFNMAP, memory iommufd's pin_user_pages refuses (EFAULT) and type1 follows. */
static int64_t region_mapped(struct pth_fakevfio *v, struct fv_conn *c, const struct pthv_req *req)
{
	struct fv_map m = { req->value, req->request };
	int r = fks_host_region_mapped(v->host, req->handle, m.va, m.len);

	if (r == 0)
		g_array_append_val(c->maps, m);
	return r;
}

/* munmap, or a mapping over it: what lies wholly inside [va, va + len) is ordinary memory
 * again. A mapping cut only in part stays whole: the hole is no memory (EFAULT to pin too). */
static void region_unmapped(struct pth_fakevfio *v, struct fv_conn *c, uint64_t va, uint64_t len)
{
	if (!len)
		return;
	fks_host_region_unmapped(v->host, va, len);
	for (guint i = c->maps->len; i-- > 0;) {
		const struct fv_map *m = &g_array_index(c->maps, struct fv_map, i);

		if (m->va >= va && m->va + (m->len - 1) <= va + (len - 1))
			g_array_remove_index_fast(c->maps, i);
	}
}

/* ---- requests ---- */

static void conn_add_handle(struct pth_fakevfio *v, struct fv_conn *c, int handle,
			    enum pthv_kind kind, const char *name)
{
	g_array_append_val(c->handles, handle);
	g_hash_table_insert(v->kinds, GINT_TO_POINTER(handle), GINT_TO_POINTER(kind));
	g_hash_table_insert(v->names, GINT_TO_POINTER(handle), g_strdup(name));
}

static int do_close(struct pth_fakevfio *v, struct fv_conn *c, int handle)
{
	int r = pt_backend_dev_close(v->be, handle);

	if (v->be->trace)
		pt_trace_add(v->be->trace, PT_EVENT_CLOSE, PT_NS_DEV,
			     g_hash_table_lookup(v->names, GINT_TO_POINTER(handle)), NULL, 0, r,
			     NULL);
	g_hash_table_remove(v->names, GINT_TO_POINTER(handle));
	g_hash_table_remove(v->devs, GINT_TO_POINTER(handle));
	g_hash_table_remove(v->kinds, GINT_TO_POINTER(handle));
	for (guint i = 0; c && i < c->handles->len; i++)
		if (g_array_index(c->handles, int, i) == handle) {
			g_array_remove_index(c->handles, i);
			break;
		}
	return r;
}

static int64_t do_ioctl(struct pth_fakevfio *v, struct fv_conn *c, const struct pthv_req *req,
			uint8_t *payload, int *fds, size_t nfds)
{
	size_t at = pt_trace_count(v->be->trace);
	int value = (int)req->value;
	void *arg = payload;
	int64_t r;

	if (req->arg == PTHV_ARG_VALUE)
		arg = (void *)(uintptr_t)req->value;
	else if (req->arg == PTHV_ARG_FD)
		arg = &value;
	else if (req->arg == PTHV_ARG_STRING)
		payload[req->len ? req->len - 1 : 0] = '\0';
	if (req->arg == PTHV_ARG_IRQ_SET && nfds) {
		/* The model checks the request; the descriptors it names are ours now. */
		int32_t *data = (int32_t *)((struct vfio_irq_set *)payload)->data;
		size_t k = 0;

		for (size_t i = 0; sizeof(struct vfio_irq_set) + (i + 1) * 4 <= req->len; i++)
			if (data[i] >= 0 && k < nfds)
				data[i] = fds[k++];
	}
	r = pt_backend_dev_ioctl(v->be, req->handle, (unsigned long)req->request, arg);
	trace_ioctl(v, at, kind_of(v, req->handle), (unsigned long)req->request, (int)r);
	if (r >= 0 && req->arg == PTHV_ARG_BIND)
		cdev_bound(v, req->handle);
	if (r >= 0 && req->arg == PTHV_ARG_STRING) {
		struct fv_dev *d = dev_new(v, (int)r, (const char *)payload);

		g_hash_table_insert(v->devs, GINT_TO_POINTER((int)r), d);
		conn_add_handle(v, c, (int)r, PTHV_KIND_DEVICE, d->addr);
	}
	return r;
}

/* One request: the reply's ret, its payload (*ret_len bytes in v->buf) and fd. */
static int64_t handle_req(struct pth_fakevfio *v, struct fv_conn *c, const struct pthv_req *req,
			  uint8_t *payload, int *fds, size_t nfds, size_t *ret_len, int *ret_fd)
{
	struct fv_dev *d = g_hash_table_lookup(v->devs, GINT_TO_POINTER(req->handle));
	int64_t r;

	*ret_len = 0;
	switch (req->op) {
	case PTHV_OPEN:
		payload[req->len ? req->len - 1 : 0] = '\0';
		r = pt_backend_dev_open(v->be, (const char *)payload, (int)req->request);
		if (r >= 0)
			conn_add_handle(v, c, (int)r, pthv_kind_of_node((const char *)payload),
					(const char *)payload);
		return r;
	case PTHV_CLOSE:
		return do_close(v, c, req->handle);
	case PTHV_IOCTL:
		r = do_ioctl(v, c, req, payload, fds, nfds);
		if (req->arg == PTHV_ARG_ARGSZ || req->arg == PTHV_ARG_IRQ_SET ||
		    req->arg == PTHV_ARG_BIND)
			*ret_len = req->len;
		return r;
	case PTHV_READ:
	case PTHV_WRITE:
		if (!d)
			return -EINVAL; /* a container or group file has no read or write */
		r = region_rw(d, req->value, payload, req->len, req->op == PTHV_WRITE);
		if (v->be->trace && (req->op == PTHV_WRITE || pt_trace_reads(v->be->trace))) {
			g_autofree char *where =
				g_strdup_printf("%s region %u +0x%llx", d->addr,
						(unsigned)(req->value >> REGION_SHIFT),
						(unsigned long long)(req->value & REGION_MASK));

			pt_trace_add(v->be->trace,
				     req->op == PTHV_READ ? PT_EVENT_READ : PT_EVENT_WRITE,
				     PT_NS_DEV, where, payload, r > 0 ? (size_t)r : 0,
				     r < 0 ? (int)r : 0, NULL);
		}
		if (req->op == PTHV_READ && r > 0)
			*ret_len = (size_t)r;
		return r;
	case PTHV_MMAP:
		/* A cdev not yet bound: vfio_device_fops_mmap() refuses until access is granted
		 * (EINVAL); a group or container file has no mmap (ENODEV). */
		r = d ? region_mmap(d, req->value, req->request, req->flags, ret_fd) :
		    kind_of(v, req->handle) == PTHV_KIND_DEVICE ? -EINVAL :
								  -ENODEV;
		if (v->be->trace) {
			g_autofree char *what = g_strdup_printf(
				"mmap %s region %u +0x%llx, 0x%llx bytes", d ? d->addr : "vfio",
				(unsigned)(req->value >> REGION_SHIFT),
				(unsigned long long)(req->value & REGION_MASK),
				(unsigned long long)req->request);

			pt_trace_add(v->be->trace, PT_EVENT_NOTE, PT_NS_DEV, what, NULL, 0,
				     r < 0 ? (int)r : 0, NULL);
		}
		return r;
	case PTHV_MAPPED:
		return d ? region_mapped(v, c, req) : -EBADF;
	case PTHV_UNMAPPED:
		region_unmapped(v, c, req->value, req->request);
		return 0;
	default:
		return -EINVAL;
	}
}

/* ---- connections ---- */

static void conn_free(struct pth_fakevfio *v, struct fv_conn *c)
{
	/* Newest first; the model keeps a group held while a device file of it is open, as the
	 * kernel does, so the order changes nothing it shows. */
	while (c->handles->len)
		do_close(v, c, g_array_index(c->handles, int, c->handles->len - 1));
	g_array_free(c->handles, TRUE);
	/* Its memory went with the process. */
	while (c->maps->len) {
		const struct fv_map m = g_array_index(c->maps, struct fv_map, 0);

		region_unmapped(v, c, m.va, m.len);
	}
	g_array_free(c->maps, TRUE);
	close(c->fd);
	g_free(c);
}

static void send_reply(int fd, const struct pthv_rep *rep, const void *payload, int pass_fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov[2] = { { (void *)rep, sizeof(*rep) }, { (void *)payload, rep->len } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = rep->len ? 2 : 1 };
	struct cmsghdr *cm;

	if (pass_fd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
	}
	(void)!sendmsg(fd, &msg, MSG_NOSIGNAL);
}

/* Serve one message of c. Returns false when the client has gone. */
static bool serve_one(struct pth_fakevfio *v, struct fv_conn *c)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * FDS_MAX)];
		struct cmsghdr align;
	} ctl;
	struct pthv_req *req = (struct pthv_req *)v->buf;
	uint8_t *payload = v->buf + sizeof(*req);
	struct iovec iov = { v->buf, sizeof(*req) + PTHV_PAYLOAD_MAX };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	struct pthv_rep rep = { 0 };
	int fds[FDS_MAX], pass_fd = -1;
	size_t nfds = 0, len = 0;
	struct cmsghdr *cm;
	ssize_t n;

	n = recvmsg(c->fd, &msg, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return n < 0 && errno == EINTR;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			memcpy(fds + nfds, CMSG_DATA(cm), MIN(k, FDS_MAX - nfds) * sizeof(int));
			nfds += MIN(k, FDS_MAX - nfds);
		}
	if ((size_t)n < sizeof(*req) || req->len > PTHV_PAYLOAD_MAX ||
	    (req->op != PTHV_READ && (size_t)n != sizeof(*req) + req->len)) {
		rep.ret = -EINVAL;
	} else {
		pthread_mutex_lock(v->lock);
		rep.ret = handle_req(v, c, req, payload, fds, nfds, &len, &pass_fd);
		pthread_mutex_unlock(v->lock);
	}
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	rep.len = len;
	send_reply(c->fd, &rep, payload, rep.ret >= 0 ? pass_fd : -1);
	return true;
}

static void accept_one(struct pth_fakevfio *v)
{
	int fd = accept4(v->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	struct fv_conn *c;

	if (fd < 0)
		return;
	if (v->conns->len >= CONNS_MAX) {
		close(fd);
		return;
	}
	c = g_new0(struct fv_conn, 1);
	c->fd = fd;
	c->handles = g_array_new(FALSE, FALSE, sizeof(int));
	c->maps = g_array_new(FALSE, FALSE, sizeof(struct fv_map));
	g_ptr_array_add(v->conns, c);
}

static void *serve(void *arg)
{
	struct pth_fakevfio *v = arg;
	struct pollfd p[CONNS_MAX + 2];
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		guint n = v->conns->len;

		p[0] = (struct pollfd){ .fd = v->wake_fd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = v->listen_fd, .events = POLLIN };
		for (guint i = 0; i < n; i++)
			p[i + 2] =
				(struct pollfd){ .fd = ((struct fv_conn *)v->conns->pdata[i])->fd,
						 .events = POLLIN };
		if (poll(p, n + 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		for (guint i = n; i-- > 0;) {
			struct fv_conn *c = v->conns->pdata[i];

			if (p[i + 2].revents && !serve_one(v, c)) {
				pthread_mutex_lock(v->lock);
				conn_free(v, c);
				pthread_mutex_unlock(v->lock);
				g_ptr_array_remove_index(v->conns, i);
			}
		}
		if (p[1].revents & POLLIN)
			accept_one(v);
	}
	return NULL;
}

int pth_fakevfio_start(struct fks_host *host, struct pt_backend *be, pthread_mutex_t *lock,
		       const char *path, struct pth_fakevfio **ret, GError **error)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pth_fakevfio *v = g_new0(struct pth_fakevfio, 1);
	int r;

	v->host = host;
	v->be = be;
	v->lock = lock;
	v->path = g_strdup(path);
	v->conns = g_ptr_array_new();
	v->devs = g_hash_table_new_full(NULL, NULL, NULL, dev_free);
	v->kinds = g_hash_table_new(NULL, NULL);
	v->names = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	v->buf = g_malloc(sizeof(struct pthv_req) + PTHV_PAYLOAD_MAX);
	v->wake_fd = eventfd(0, EFD_CLOEXEC);
	v->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (v->wake_fd < 0 || v->listen_fd < 0 || strlen(path) >= sizeof(sa.sun_path)) {
		r = v->wake_fd < 0 || v->listen_fd < 0 ? -errno : -ENAMETOOLONG;
		goto fail;
	}
	strcpy(sa.sun_path, path);
	if (bind(v->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(v->listen_fd, 16) < 0) {
		r = -errno;
		goto fail;
	}
	r = -pthread_create(&v->thread, NULL, serve, v);
	if (r < 0)
		goto fail;
	v->running = true;
	*ret = v;
	return 0;
fail:
	g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r), "cannot serve VFIO at %s: %s",
		    path, g_strerror(-r));
	pth_fakevfio_stop(v);
	return r;
}

const char *pth_fakevfio_socket(const struct pth_fakevfio *v)
{
	return v->path;
}

struct pth_fakevfio *pth_fakevfio_stop(struct pth_fakevfio *v)
{
	uint64_t one = 1;

	if (!v)
		return NULL;
	if (v->running) {
		(void)!write(v->wake_fd, &one, sizeof(one));
		pthread_join(v->thread, NULL);
	}
	while (v->conns->len) {
		conn_free(v, v->conns->pdata[v->conns->len - 1]);
		g_ptr_array_remove_index(v->conns, v->conns->len - 1);
	}
	g_ptr_array_free(v->conns, TRUE);
	g_hash_table_destroy(v->devs);
	g_hash_table_destroy(v->kinds);
	g_hash_table_destroy(v->names);
	if (v->listen_fd >= 0) {
		close(v->listen_fd);
		unlink(v->path);
	}
	if (v->wake_fd >= 0)
		close(v->wake_fd);
	g_free(v->buf);
	g_free(v->path);
	g_free(v);
	return NULL;
}
