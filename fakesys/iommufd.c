/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Simulated iommufd: /dev/iommu with IOAS and HWPT objects, and its VFIO compat container. */

/*
 * The plan: an open /dev/iommu is a context (drivers/iommu/iommufd/main.c) holding objects by
 * ID, allocated from 1 as xa_alloc does. An IOAS (ioas.c, io_pagetable.c) keeps areas of user
 * memory; their pages are pinned, and charged to RLIMIT_MEMLOCK, only while the IOAS has a
 * domain (a HWPT: allocated, or made by a device attach), so an over-limit map of an IOAS
 * without devices succeeds and the attach fails with ENOMEM (pages.c). Charging is per user
 * by default and per process after IOMMU_OPTION_RLIMIT_MODE 1, or when the context is the
 * compat container (/dev/vfio/vfio with CONFIG_IOMMUFD_VFIO_CONTAINER); CAP_IPC_LOCK charges
 * nothing but pinned_vm. Pinning and charging are per page index (iommufd-pages.c). Request
 * numbers below 0x80 are VFIO container ioctls (vfio_compat.c), with iommufd's own errnos:
 * ENODEV without a compat IOAS, ENOENT for an unmap that would cut a mapping
 * (iommufd-compat.c).
 */

#include <errno.h>
#include <linux/vfio.h>
#include <stddef.h>
#include <string.h>

#include "internal.h"
#include "uapi-iommufd.h"

#define MINSZ(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))
#define MSI_START 0xfee00000ull
#define MSI_END 0xfeefffffull
#define IOMMUFD_NR_BASE 0x80u
#define PAGE 4096ull

/* ---- objects ---- */

static struct fks_iobj *obj_new(struct fks_ictx *x, enum fks_iobj_kind kind)
{
	struct fks_iobj *o = g_new0(struct fks_iobj, 1);
	guint i;

	o->kind = kind;
	o->ictx = x;
	if (kind == FKS_IOBJ_IOAS) {
		o->areas = g_array_new(FALSE, TRUE, sizeof(struct fks_area));
		o->allowed = g_array_new(FALSE, TRUE, sizeof(struct fks_iova_range));
	}
	for (i = 0; i < x->objs->len && x->objs->pdata[i]; i++)
		;
	if (i == x->objs->len)
		g_ptr_array_add(x->objs, NULL);
	x->objs->pdata[i] = o;
	o->id = i + 1;
	return o;
}

static struct fks_iobj *obj_get(struct fks_ictx *x, uint32_t id, enum fks_iobj_kind kind)
{
	struct fks_iobj *o = id && id <= x->objs->len ? x->objs->pdata[id - 1] : NULL;

	return o && (kind == _FKS_IOBJ_KIND_MAX || o->kind == kind) ? o : NULL;
}

static void obj_free(struct fks_ictx *x, struct fks_iobj *o)
{
	x->objs->pdata[o->id - 1] = NULL;
	if (o->areas)
		g_array_free(o->areas, TRUE);
	if (o->allowed)
		g_array_free(o->allowed, TRUE);
	g_free(o);
}

/* ---- IOVA checks (io_pagetable.c: iopt_check_iova) ---- */

static bool reserved_hit(const struct fks_host *h, const struct fks_iobj *ioas, uint64_t iova,
			 uint64_t last)
{
	/* A domain brings the device's reserved regions (the MSI window) and its aperture. */
	if (!ioas->domains)
		return false;
	return (iova <= MSI_END && MSI_START <= last) ||
	       (h->aperture_bits < 64 && last >> h->aperture_bits);
}

static int check_iova(struct fks_host *h, struct fks_iobj *ioas, uint64_t iova, uint64_t length)
{
	uint64_t last, align = fks_ioas_alignment(ioas);

	if (!length || iova & (align - 1) || length & (align - 1))
		return -EINVAL;
	if (iova + (length - 1) < iova)
		return -EOVERFLOW;
	if (reserved_hit(h, ioas, iova, iova + length - 1)) {
		fks_rule(h, "K-IOMMUFD-IOVA", "iommufd",
			 "0x%llx+0x%llx meets a reserved range (MSI window, aperture): EINVAL",
			 (unsigned long long)iova, (unsigned long long)length);
		return -EINVAL;
	}
	last = iova + length - 1;
	for (guint i = 0; i < ioas->areas->len; i++) {
		const struct fks_area *a = &g_array_index(ioas->areas, struct fks_area, i);

		if (iova <= a->iova + a->length - 1 && a->iova <= last)
			return -EEXIST;
	}
	return 0;
}

/* start: the area's first byte from its pages' first page (iopt_area_index and page_offset). */
static int add_area(struct fks_host *h, struct fks_iobj *ioas, uint64_t iova, uint64_t length,
		    struct fks_pages *p, uint64_t start)
{
	struct fks_area a = { iova, length, p, start & (PAGE - 1), start };
	guint at = 0;

	if (ioas->domains) {
		int r = fks_area_pin(h, &a);

		if (r < 0)
			return r;
	}
	p->refs++;
	while (at < ioas->areas->len && g_array_index(ioas->areas, struct fks_area, at).iova < iova)
		at++;
	g_array_insert_val(ioas->areas, at, a);
	return 0;
}

static void del_area(struct fks_host *h, struct fks_iobj *ioas, guint i)
{
	const struct fks_area *a = &g_array_index(ioas->areas, struct fks_area, i);
	struct fks_pages *p = a->pages;

	if (ioas->domains)
		fks_area_unpin(h, a);
	if (--p->refs == 0)
		fks_pages_free(p);
	g_array_remove_index(ioas->areas, i);
}

int fks_ioas_map_pages(struct fks_host *h, struct fks_iobj *ioas, uint64_t iova, uint64_t length,
		       uint64_t uva)
{
	struct fks_pages *p;
	int r = check_iova(h, ioas, iova, length);

	if (r < 0)
		return r;
	p = fks_pages_new(h, ioas->ictx, length, uva);
	r = add_area(h, ioas, iova, length, p, uva & (PAGE - 1));
	if (r < 0)
		fks_pages_free(p);
	return r;
}

/*
 * iopt_unmap_iova_range(): whole areas inside [iova, last] only; ENOENT when one is cut. None
 * there is success with 0 bytes since afb47765f923 ("iommufd: Make vfio_compat's unmap succeed
 * if the range is empty", 6.18, in the lab's 6.12.118): IOMMU_IOAS_UNMAP then answers ENOENT
 * itself (iommufd_ioas_unmap), the compat container 0 bytes as type1 does.
 */
int fks_ioas_unmap_range(struct fks_host *h, struct fks_iobj *ioas, uint64_t iova, uint64_t last,
			 uint64_t *ret_done)
{
	uint64_t done = 0;

	for (guint i = 0; i < ioas->areas->len; i++) {
		const struct fks_area *a = &g_array_index(ioas->areas, struct fks_area, i);

		if (a->iova <= last && iova <= a->iova + a->length - 1 &&
		    (a->iova < iova || a->iova + a->length - 1 > last))
			return -ENOENT;
	}
	for (guint i = 0; i < ioas->areas->len;) {
		const struct fks_area *a = &g_array_index(ioas->areas, struct fks_area, i);

		if (a->iova >= iova && a->iova + a->length - 1 <= last) {
			done += a->length;
			del_area(h, ioas, i);
		} else {
			i++;
		}
	}
	*ret_done = done;
	return 0;
}

/*
 * iopt_cut_iova(): the area holding iova splits so that iova is the last byte of one part;
 * both parts keep the same pages and what is pinned (iopt_area_split): the parts are pinned
 * before the whole is unpinned, so no index is unpinned on the way (and none newly pinned:
 * this cannot fail). Unmapping a part later unpins the indexes only it covered.
 */
void fks_ioas_cut(struct fks_host *h, struct fks_iobj *ioas, uint64_t iova)
{
	for (guint i = 0; i < ioas->areas->len; i++) {
		struct fks_area *a = &g_array_index(ioas->areas, struct fks_area, i);
		struct fks_area whole = *a, tail;

		if (iova < a->iova || iova >= a->iova + a->length - 1)
			continue;
		tail = (struct fks_area){ iova + 1, a->iova + a->length - (iova + 1), a->pages,
					  (a->start + (iova + 1 - a->iova)) & (PAGE - 1),
					  a->start + (iova + 1 - a->iova) };
		a->length = iova + 1 - a->iova;
		a->pages->refs++;
		if (ioas->domains) {
			fks_area_pin(h, a);
			fks_area_pin(h, &tail);
			fks_area_unpin(h, &whole);
		}
		g_array_insert_val(ioas->areas, i + 1, tail);
		return;
	}
}

/* ---- iommufd ioctls ---- */

static int ioas_map(struct fks_host *h, struct fks_ictx *x, struct iommu_ioas_map *m)
{
	uint32_t known =
		IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE;
	struct fks_iobj *ioas;
	uint64_t iova;

	if (m->flags & ~known || m->__reserved)
		return -EOPNOTSUPP;
	if (m->iova >= UINT64_MAX || m->length >= UINT64_MAX)
		return -EOVERFLOW;
	if (!(m->flags & (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;
	ioas = obj_get(x, m->ioas_id, FKS_IOBJ_IOAS);
	if (!ioas)
		return -ENOENT;
	iova = m->iova;
	if (!(m->flags & IOMMU_IOAS_MAP_FIXED_IOVA)) {
		/* iopt_alloc_iova(): the lowest page-aligned hole that fits. */
		iova = PAGE;
		for (guint i = 0; i < ioas->areas->len; i++) {
			const struct fks_area *a = &g_array_index(ioas->areas, struct fks_area, i);

			if (iova + m->length > a->iova && iova <= a->iova + a->length - 1)
				iova = (a->iova + a->length + PAGE - 1) & ~(PAGE - 1);
		}
		if (reserved_hit(h, ioas, iova, iova + m->length - 1) && iova <= MSI_END)
			iova = MSI_END + 1;
	}
	{
		int r = fks_ioas_map_pages(h, ioas, iova, m->length, m->user_va);

		if (r == 0)
			m->iova = iova;
		return r;
	}
}

/*
 * iopt_get_pages(): the source range must be covered by areas without a gap; it may start and
 * end inside them (a part of a mapping is copied). Each piece becomes an area of the
 * destination that shares the source's pages (iopt_map_pages).
 */
static int copy_pieces(struct fks_iobj *src, uint64_t iova, uint64_t last, GArray *out)
{
	uint64_t cur = iova;

	for (guint i = 0; i < src->areas->len && cur <= last; i++) {
		const struct fks_area *s = &g_array_index(src->areas, struct fks_area, i);
		uint64_t s_last = s->iova + s->length - 1, end;
		struct fks_area piece;

		if (s_last < cur)
			continue;
		if (s->iova > cur)
			return -ENOENT;
		end = s_last < last ? s_last : last;
		piece = (struct fks_area){ cur, end - cur + 1, s->pages,
					   (s->start + (cur - s->iova)) & (PAGE - 1),
					   s->start + (cur - s->iova) };
		g_array_append_val(out, piece);
		if (end == last)
			return 0;
		cur = end + 1;
	}
	return -ENOENT;
}

static int ioas_copy(struct fks_host *h, struct fks_ictx *x, struct iommu_ioas_copy *c)
{
	uint32_t known =
		IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE;
	g_autoptr(GArray) pieces = g_array_new(FALSE, TRUE, sizeof(struct fks_area));
	struct fks_iobj *src, *dst;
	uint64_t at;
	int r;

	if (c->flags & ~known)
		return -EOPNOTSUPP;
	if (c->length >= UINT64_MAX || c->src_iova >= UINT64_MAX || c->dst_iova >= UINT64_MAX)
		return -EOVERFLOW;
	src = obj_get(x, c->src_ioas_id, FKS_IOBJ_IOAS);
	if (!src)
		return -ENOENT;
	if (!c->length)
		return -EINVAL;
	if (c->src_iova + (c->length - 1) < c->src_iova)
		return -EOVERFLOW;
	r = copy_pieces(src, c->src_iova, c->src_iova + c->length - 1, pieces);
	if (r < 0)
		return r;
	dst = obj_get(x, c->dst_ioas_id, FKS_IOBJ_IOAS);
	if (!dst)
		return -ENOENT;
	if (!(c->flags & IOMMU_IOAS_MAP_FIXED_IOVA))
		return -EOPNOTSUPP; /* the model places copies at a fixed IOVA only */
	r = check_iova(h, dst, c->dst_iova, c->length);
	at = c->dst_iova;
	for (guint i = 0; r == 0 && i < pieces->len; i++) {
		const struct fks_area *p = &g_array_index(pieces, struct fks_area, i);

		r = add_area(h, dst, at, p->length, p->pages, p->start);
		at += p->length;
	}
	if (r < 0 && at != c->dst_iova) {
		uint64_t done;

		/* a later piece could not be pinned: the earlier ones go again */
		fks_ioas_unmap_range(h, dst, c->dst_iova, at - 1, &done);
	}
	if (r == 0)
		fks_rule(h, "K-IOMMUFD-COPY", "iommufd",
			 "IOAS %u shares IOAS %u's pages: pinned and charged once", dst->id,
			 src->id);
	return r;
}

static int ioas_unmap(struct fks_host *h, struct fks_ictx *x, struct iommu_ioas_unmap *u)
{
	struct fks_iobj *ioas = obj_get(x, u->ioas_id, FKS_IOBJ_IOAS);
	uint64_t done = 0;
	int r;

	if (!ioas)
		return -ENOENT;
	if (u->iova == 0 && u->length == UINT64_MAX) {
		r = fks_ioas_unmap_range(h, ioas, 0, UINT64_MAX, &done); /* all of nothing: ok */
	} else if (u->iova >= UINT64_MAX || u->length >= UINT64_MAX) {
		return -EOVERFLOW;
	} else if (!u->length) {
		return -EINVAL;
	} else if (u->iova + (u->length - 1) < u->iova) {
		return -EOVERFLOW;
	} else {
		r = fks_ioas_unmap_range(h, ioas, u->iova, u->iova + u->length - 1, &done);
		if (r == 0 && !done)
			r = -ENOENT; /* iommufd_ioas_unmap(): a range with nothing in it */
	}
	if (r == 0)
		u->length = done;
	return r;
}

/* A domain reserves the MSI window (the device's reserved region) and what lies beyond its
 * aperture (iopt_table_add_domain); without one the whole space is usable. */
unsigned fks_ioas_holes(const struct fks_host *h, const struct fks_iobj *ioas,
			struct fks_iova_range *out)
{
	uint64_t top = h->aperture_bits < 64 ? (1ull << h->aperture_bits) - 1 : UINT64_MAX;
	unsigned n = 0;

	if (!ioas->domains) {
		out[n++] = (struct fks_iova_range){ 0, UINT64_MAX };
		return n;
	}
	out[n++] = (struct fks_iova_range){ 0, MSI_START - 1 };
	out[n++] = (struct fks_iova_range){ MSI_END + 1, top };
	return n;
}

/*
 * iommufd_get_pagesizes(): every size is allowed until a domain restricts it (VT-d's 4K, 2M,
 * 1G: what type1 reports on the same IOMMU), sizes below a page folded into the page, and at
 * least the IOVA alignment.
 */
uint64_t fks_ioas_pgsizes(const struct fks_iobj *ioas)
{
	return ioas->domains ? 0x40201000ull : ~(PAGE - 1);
}

static int ioas_iova_ranges(struct fks_host *h, struct fks_ictx *x,
			    struct iommu_ioas_iova_ranges *q)
{
	struct fks_iobj *ioas = obj_get(x, q->ioas_id, FKS_IOBJ_IOAS);
	struct fks_iova_range r[2];
	unsigned n;

	if (q->__reserved)
		return -EOPNOTSUPP;
	if (!ioas)
		return -ENOENT;
	n = fks_ioas_holes(h, ioas, r);
	q->out_iova_alignment = fks_ioas_alignment(ioas);
	if (q->num_iovas < n) {
		q->num_iovas = n;
		return -EMSGSIZE;
	}
	q->num_iovas = n;
	if (q->allowed_iovas)
		memcpy((void *)(uintptr_t)q->allowed_iovas, r, n * sizeof(r[0]));
	return 0;
}

static int ioas_allow(struct fks_host *h, struct fks_ictx *x, struct iommu_ioas_allow_iovas *a)
{
	struct fks_iobj *ioas = obj_get(x, a->ioas_id, FKS_IOBJ_IOAS);
	const struct iommu_iova_range *in = (const void *)(uintptr_t)a->allowed_iovas;

	if (a->__reserved)
		return -EOPNOTSUPP;
	if (!ioas)
		return -ENOENT;
	for (unsigned i = 0; i < a->num_iovas; i++) {
		if (in[i].start > in[i].last)
			return -EINVAL;
		if (reserved_hit(h, ioas, in[i].start, in[i].last))
			return -EADDRINUSE;
	}
	g_array_set_size(ioas->allowed, 0);
	for (unsigned i = 0; i < a->num_iovas; i++) {
		struct fks_iova_range r = { in[i].start, in[i].last };

		g_array_append_val(ioas->allowed, r);
	}
	return 0;
}

static int option(struct fks_host *h, struct fks_ictx *x, struct iommu_option *o)
{
	if (o->__reserved)
		return -EOPNOTSUPP;
	if (o->option_id != IOMMU_OPTION_RLIMIT_MODE)
		return o->option_id == IOMMU_OPTION_HUGE_PAGES ? 0 : -EOPNOTSUPP;
	if (o->object_id)
		return -EOPNOTSUPP;
	if (o->op == IOMMU_OPTION_OP_GET) {
		o->val64 = x->account_mm;
		return 0;
	}
	if (o->op != IOMMU_OPTION_OP_SET)
		return -EOPNOTSUPP;
	if (!h->cap_sys_resource)
		return -EPERM;
	for (guint i = 0; i < x->objs->len; i++)
		if (x->objs->pdata[i]) {
			fks_rule(
				h, "K-IOMMUFD-MEMLOCK", "iommufd",
				"the accounting mode changes only before any object exists: EBUSY");
			return -EBUSY;
		}
	if (o->val64 > 1)
		return -EINVAL;
	x->account_mm = o->val64 == 1;
	fks_rule(h, "K-IOMMUFD-MEMLOCK", "iommufd", "pinned memory is charged per %s",
		 x->account_mm ? "process" : "user");
	return 0;
}

static int destroy(struct fks_host *h, struct fks_ictx *x, struct iommu_destroy *d)
{
	struct fks_iobj *o = obj_get(x, d->id, _FKS_IOBJ_KIND_MAX);

	if (!o)
		return -ENOENT;
	if (o->users || o->kind == FKS_IOBJ_DEVICE) {
		fks_rule(h, "K-IOMMUFD-OBJECT", "iommufd", "object %u is in use: EBUSY", o->id);
		return -EBUSY;
	}
	if (o->kind == FKS_IOBJ_IOAS) {
		while (o->areas->len)
			del_area(h, o, o->areas->len - 1);
		if (x->vfio_ioas == o)
			x->vfio_ioas = NULL;
	} else if (o->kind == FKS_IOBJ_HWPT) {
		fks_ioas_del_domain(h, o->ioas);
		o->ioas->users--;
	}
	obj_free(x, o);
	return 0;
}

static int hwpt_alloc(struct fks_host *h, struct fks_ictx *x, struct iommu_hwpt_alloc *a)
{
	struct fks_iobj *idev, *ioas, *hwpt;
	int r;

	if (!fks_kver_at_least(h, 6, 6))
		return -ENOTTY;
	if (a->flags || a->__reserved)
		return -EOPNOTSUPP;
	idev = obj_get(x, a->dev_id, FKS_IOBJ_DEVICE);
	if (!idev)
		return -ENOENT;
	ioas = obj_get(x, a->pt_id, FKS_IOBJ_IOAS);
	if (!ioas)
		return -ENOENT;
	r = fks_ioas_add_domain(h, ioas);
	if (r < 0)
		return r;
	hwpt = obj_new(x, FKS_IOBJ_HWPT);
	hwpt->ioas = ioas;
	ioas->users++;
	a->out_hwpt_id = hwpt->id;
	return 0;
}

/* A recorded attribute of the Intel IOMMU (class/iommu/dmar0/intel-iommu/cap), as a number. */
static uint64_t vtd_reg(const struct fks_host *h, const char *name, bool *found)
{
	for (guint i = 0; i < h->others->len; i++) {
		const struct fks_rec *r = h->others->pdata[i];
		g_autofree char *n = g_strdup_printf("intel-iommu/%s", name);
		const struct fks_entry *e = fks_rec_find(r, n);

		if (e) {
			*found = true;
			return g_ascii_strtoull(e->data, NULL, 16);
		}
	}
	return 0;
}

static int hw_info(struct fks_host *h, struct fks_ictx *x, struct iommu_hw_info *q)
{
	struct iommu_hw_info_vtd vtd = { 0 };
	bool found = false;

	if (!fks_kver_at_least(h, 6, 6))
		return -ENOTTY;
	if (q->flags || q->__reserved)
		return -EOPNOTSUPP;
	if (!obj_get(x, q->dev_id, FKS_IOBJ_DEVICE))
		return -ENOENT;
	vtd.cap_reg = vtd_reg(h, "cap", &found);
	vtd.ecap_reg = vtd_reg(h, "ecap", &found);
	if (!found)
		fks_rule(h, "K-IOMMUFD-HW-INFO", "iommufd",
			 "the IOMMU's cap and ecap registers were not recorded: reported as 0");
	q->out_data_type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
	if (q->data_uptr && q->data_len)
		memcpy((void *)(uintptr_t)q->data_uptr, &vtd, MIN(q->data_len, sizeof(vtd)));
	q->data_len = sizeof(vtd);
	return 0;
}

static int vfio_ioas(struct fks_host *h, struct fks_ictx *x, struct iommu_vfio_ioas *v)
{
	struct fks_iobj *ioas;

	if (v->__reserved)
		return -EOPNOTSUPP;
	switch (v->op) {
	case IOMMU_VFIO_IOAS_GET:
		if (!x->vfio_ioas)
			return -ENODEV;
		v->ioas_id = x->vfio_ioas->id;
		return 0;
	case IOMMU_VFIO_IOAS_SET:
		ioas = obj_get(x, v->ioas_id, FKS_IOBJ_IOAS);
		if (!ioas)
			return -ENOENT;
		x->vfio_ioas = ioas;
		return 0;
	case IOMMU_VFIO_IOAS_CLEAR:
		x->vfio_ioas = NULL;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/* One row per command: the handler and the structure's minimum size (main.c's IOCTL_OP). */
struct iommufd_op {
	unsigned long req;
	size_t min_size;
	int (*fn)(struct fks_host *, struct fks_ictx *, void *);
};

#define OP(req, type, last, fn)                                                                   \
	{                                                                                         \
		req, MINSZ(type, last), (int (*)(struct fks_host *, struct fks_ictx *, void *))fn \
	}

static int ioas_alloc(struct fks_host *h, struct fks_ictx *x, struct iommu_ioas_alloc *a)
{
	if (a->flags)
		return -EOPNOTSUPP;
	a->out_ioas_id = obj_new(x, FKS_IOBJ_IOAS)->id;
	fks_rule(h, "K-IOMMUFD-OBJECT", "iommufd", "IOAS %u allocated", a->out_ioas_id);
	return 0;
}

static const struct iommufd_op iommufd_ops[] = {
	OP(IOMMU_DESTROY, struct iommu_destroy, id, destroy),
	OP(IOMMU_IOAS_ALLOC, struct iommu_ioas_alloc, out_ioas_id, ioas_alloc),
	OP(IOMMU_IOAS_ALLOW_IOVAS, struct iommu_ioas_allow_iovas, allowed_iovas, ioas_allow),
	OP(IOMMU_IOAS_COPY, struct iommu_ioas_copy, src_iova, ioas_copy),
	OP(IOMMU_IOAS_IOVA_RANGES, struct iommu_ioas_iova_ranges, out_iova_alignment,
	   ioas_iova_ranges),
	OP(IOMMU_IOAS_MAP, struct iommu_ioas_map, iova, ioas_map),
	OP(IOMMU_IOAS_UNMAP, struct iommu_ioas_unmap, length, ioas_unmap),
	OP(IOMMU_OPTION, struct iommu_option, val64, option),
	OP(IOMMU_VFIO_IOAS, struct iommu_vfio_ioas, __reserved, vfio_ioas),
	OP(IOMMU_HWPT_ALLOC, struct iommu_hwpt_alloc, __reserved, hwpt_alloc),
	OP(IOMMU_GET_HW_INFO, struct iommu_hw_info, __reserved, hw_info),
};

/*
 * With CONFIG_IOMMUFD_TEST main.c's table ends with the selftest's IOMMU_TEST_CMD
 * (_IO(';', 0x80 + 32), iommufd_test.h), so request numbers up to it are iommufd's own and
 * never reach the compat container: VFIO_BASE + 60 is that very number. The model runs no
 * selftest: a size below the command's minimum (offsetofend(struct iommu_test_cmd, last): a
 * 16-byte header, a union whose largest member is "dirty", 48 bytes since 6.7, then "last")
 * is EINVAL as iommufd_fops_ioctl() answers; a full one EOPNOTSUPP (no mock ops).
 */
#define IOMMU_TEST_CMD _IO(IOMMUFD_TYPE, IOMMUFD_NR_BASE + 32)
#define IOMMU_TEST_CMD_MIN 68u

static int test_cmd(const void *arg)
{
	if (!arg)
		return -EFAULT;
	return *(const uint32_t *)arg < IOMMU_TEST_CMD_MIN ? -EINVAL : -EOPNOTSUPP;
}

int fks_iommufd_ioctl(struct fks_host *h, struct fks_ictx *x, unsigned long req, void *arg)
{
	unsigned nr = _IOC_NR(req);

	if (h->iommufd_test && nr == _IOC_NR(IOMMU_TEST_CMD))
		return req == IOMMU_TEST_CMD ? test_cmd(arg) : -ENOTTY;
	if (nr < IOMMUFD_NR_BASE || nr >= IOMMUFD_NR_BASE + ELEMENTSOF(iommufd_ops))
		return fks_iommufd_compat_ioctl(h, x, req, arg);
	for (size_t i = 0; i < ELEMENTSOF(iommufd_ops); i++) {
		const struct iommufd_op *op = &iommufd_ops[i];

		if (_IOC_NR(op->req) != nr)
			continue;
		if (op->req != req)
			return -ENOTTY;
		if (!arg)
			return -EFAULT;
		if (*(const uint32_t *)arg < op->min_size)
			return -EINVAL;
		return op->fn(h, x, arg);
	}
	return -ENOTTY;
}

/* ---- contexts, devices ---- */

int fks_iommufd_open(struct fks_host *h, bool compat, struct fks_ictx **ret)
{
	struct fks_ictx *x;

	if (!fks_iommufd_present(h))
		return -ENOENT;
	x = g_new0(struct fks_ictx, 1);
	x->host = h;
	x->objs = g_ptr_array_new();
	x->open = true;
	/* main.c: /dev/vfio/vfio charges per process, as VFIO does. */
	x->compat_file = compat;
	x->account_mm = compat;
	*ret = x;
	return 0;
}

/* The context goes when its file is closed and no group or bound device holds it; its
 * objects go with it, as iommufd_fops_release destroys them. */
static void ictx_maybe_free(struct fks_host *h, struct fks_ictx *x)
{
	if (x->open || x->groups)
		return;
	for (guint i = 0; i < x->objs->len; i++) {
		const struct fks_iobj *o = x->objs->pdata[i];

		if (o && o->kind == FKS_IOBJ_DEVICE)
			return;
	}
	for (guint pass = 0; pass < 3; pass++)
		for (guint i = x->objs->len; i > 0; i--) {
			struct fks_iobj *o = x->objs->pdata[i - 1];
			struct iommu_destroy d = { sizeof(d), i };

			if (o && !o->users)
				destroy(h, x, &d);
		}
	g_ptr_array_free(x->objs, TRUE);
	g_free(x);
}

void fks_iommufd_close(struct fks_host *h, struct fks_ictx *x)
{
	x->open = false;
	ictx_maybe_free(h, x);
}

void fks_iommufd_group_release(struct fks_host *h, struct fks_ictx *x)
{
	x->groups--;
	ictx_maybe_free(h, x);
}

int fks_iommufd_bind(struct fks_host *h, struct fks_ictx *x, struct fks_dev *d,
		     struct fks_iobj **ret)
{
	struct fks_group *g = d->group;
	struct fks_iobj *o;

	/* iommufd_device_bind(): MSI isolation first, then the group's DMA ownership. */
	if (!h->intremap && !h->iommufd_unsafe_intr) {
		fks_rule(h, "K-IOMMUFD-MSI", d->addr,
			 "MSI cannot be isolated (no interrupt remapping): EPERM at bind");
		return -EPERM;
	}
	if (g && g->owner_cnt && g->ictx_owner != x) {
		fks_rule(h, "K-IOMMUFD-DMA-OWNER", d->addr,
			 "group %d is used by a kernel driver or another owner: EPERM", g->id);
		return -EPERM;
	}
	if (g) {
		g->owner_cnt++;
		g->ictx_owner = x;
	}
	o = obj_new(x, FKS_IOBJ_DEVICE);
	o->dev = d;
	d->idev = o;
	fks_rule(h, "K-IOMMUFD-BIND", d->addr, "bound to the iommufd as device %u", o->id);
	*ret = o;
	return 0;
}

void fks_iommufd_unbind(struct fks_host *h, struct fks_iobj *o)
{
	struct fks_ictx *x = o->ictx;
	struct fks_group *g = o->dev->group;

	fks_iommufd_detach(h, o);
	if (g && g->ictx_owner == x && g->owner_cnt && --g->owner_cnt == 0)
		g->ictx_owner = NULL;
	o->dev->idev = NULL;
	obj_free(x, o);
	ictx_maybe_free(h, x);
}

int fks_iommufd_attach(struct fks_host *h, struct fks_iobj *o, uint32_t *pt_id)
{
	struct fks_ictx *x = o->ictx;
	struct fks_iobj *pt = obj_get(x, *pt_id, _FKS_IOBJ_KIND_MAX), *hwpt = NULL;
	int r;

	if (!pt || pt->kind == FKS_IOBJ_DEVICE)
		return -ENOENT;
	if (pt->kind == FKS_IOBJ_HWPT) {
		hwpt = pt;
	} else {
		/* iommufd_device_auto_get_domain(): share the IOAS's automatic domain. */
		for (guint i = 0; i < x->objs->len && !hwpt; i++) {
			struct fks_iobj *c = x->objs->pdata[i];

			if (c && c->kind == FKS_IOBJ_HWPT && c->auto_domain && c->ioas == pt)
				hwpt = c;
		}
	}
	if (o->hwpt == hwpt && hwpt) {
		*pt_id = hwpt->id;
		return 0;
	}
	if (!hwpt) {
		for (guint i = 0; i < pt->allowed->len; i++) {
			const struct fks_iova_range *a =
				&g_array_index(pt->allowed, struct fks_iova_range, i);

			if (a->start <= MSI_END && MSI_START <= a->last)
				return -EADDRINUSE;
		}
		for (guint i = 0; i < pt->areas->len; i++) {
			const struct fks_area *a = &g_array_index(pt->areas, struct fks_area, i);

			if (a->iova <= MSI_END && MSI_START <= a->iova + a->length - 1)
				return -EADDRINUSE;
		}
		r = fks_ioas_add_domain(h, pt);
		if (r < 0) {
			fks_rule(h,
				 r == -ENOMEM ? "K-IOMMUFD-MEMLOCK" :
				 r == -EFAULT ? "K-IOMMUFD-PFNMAP" :
						"K-IOMMUFD-IOVA",
				 o->dev->addr, "the attach %s the IOAS's mappings: %s",
				 r == -EADDRINUSE ? "cannot page-align" : "pins",
				 r == -ENOMEM ? "ENOMEM" :
				 r == -EFAULT ? "EFAULT" :
						"EADDRINUSE");
			return r;
		}
		hwpt = obj_new(x, FKS_IOBJ_HWPT);
		hwpt->ioas = pt;
		hwpt->auto_domain = true;
		pt->users++;
	}
	fks_iommufd_detach(h, o); /* a second attach replaces the first (6.6) */
	hwpt->users++;
	o->hwpt = hwpt;
	o->users++;
	*pt_id = hwpt->id;
	fks_rule(h, "K-IOMMUFD-ATTACH", o->dev->addr, "attached to HWPT %u (IOAS %u)", hwpt->id,
		 hwpt->ioas->id);
	return 0;
}

void fks_iommufd_detach(struct fks_host *h, struct fks_iobj *o)
{
	struct fks_iobj *hwpt = o->hwpt;

	if (!hwpt)
		return;
	o->hwpt = NULL;
	o->users--;
	if (--hwpt->users == 0 && hwpt->auto_domain) {
		struct iommu_destroy d = { sizeof(d), hwpt->id };

		destroy(h, o->ictx, &d);
	}
}

int fks_iommufd_compat_ioas(struct fks_host *h, struct fks_ictx *x, uint32_t *ret_id)
{
	if (!x->vfio_ioas)
		x->vfio_ioas = obj_new(x, FKS_IOBJ_IOAS);
	fks_rule(h, "K-IOMMUFD-COMPAT", "container", "the compat IOAS is %u", x->vfio_ioas->id);
	*ret_id = x->vfio_ioas->id;
	return 0;
}
