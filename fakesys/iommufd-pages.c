/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* iommufd's pages: pinning and charging them (pages.c), and what cannot be pinned. */

/*
 * The plan: an iopt_pages is pinned and charged per page index (pages.c): an index is pinned
 * while some area covering it is in an IOAS with a domain, and charged once however many
 * areas (IOAS_COPY, cuts) cover it (the kernel's npinned). Unmapping part of a mapping (a type1
 * v1 compat unmap cuts the area, iopt_area_split) or the source of a partial copy unpins the
 * indexes no area covers any more. Charging (do_update_pinned) is mm->pinned_vm (VmPin) in
 * every mode, plus the user's locked_vm per user (incr_user_locked_vm, the default), the
 * mm's locked_vm (VmLck) per process (update_mm_locked_vm: IOMMU_OPTION_RLIMIT_MODE 1, the
 * compat container: iommufd_fops_open), or nothing more with CAP_IPC_LOCK at map time
 * (iopt_alloc_pages). Memory that is a VFIO region's mmap cannot be pinned.
 */

#include <errno.h>

#include "internal.h"

#define PAGE 4096ull

enum fks_account {
	ACCOUNT_NONE,
	ACCOUNT_USER,
	ACCOUNT_MM,
};

/* ---- pinning and accounting (pages.c: do_update_pinned) ---- */

static uint64_t *account_counter(struct fks_host *h, int account)
{
	return account == ACCOUNT_USER ? &h->user_locked :
	       account == ACCOUNT_MM   ? &h->mm_locked :
					 NULL;
}

/* The page indexes of its pages an area covers (iopt_area_index, iopt_area_last_index). */
static void area_indexes(const struct fks_area *a, uint64_t *first, uint64_t *last)
{
	*first = a->start / PAGE;
	*last = (a->start + a->length - 1) / PAGE;
}

/* npages more (inc) or fewer pinned: the locked_vm the mode names, and pinned_vm always. */
static void charge(struct fks_host *h, struct fks_pages *p, uint64_t npages, bool inc)
{
	uint64_t *c = account_counter(h, p->account), bytes = npages * PAGE;

	if (c)
		*c = inc ? *c + bytes : *c - bytes;
	h->pinned_vm = inc ? h->pinned_vm + bytes : h->pinned_vm - bytes;
}

static int cmp_range(gconstpointer a, gconstpointer b)
{
	const struct fks_iova_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* How many of the indexes first..last the pinned areas cover (each counted once). */
static uint64_t covered(const struct fks_pages *p, uint64_t first, uint64_t last)
{
	g_autoptr(GArray) in = g_array_new(FALSE, FALSE, sizeof(struct fks_iova_range));
	uint64_t n = 0, end = 0;
	bool any = false;

	for (guint i = 0; i < p->pinned->len; i++) {
		struct fks_iova_range r = g_array_index(p->pinned, struct fks_iova_range, i);

		if (r.last < first || r.start > last)
			continue;
		r.start = MAX(r.start, first);
		r.last = MIN(r.last, last);
		g_array_append_val(in, r);
	}
	g_array_sort(in, cmp_range);
	for (guint i = 0; i < in->len; i++) {
		const struct fks_iova_range *r = &g_array_index(in, struct fks_iova_range, i);
		uint64_t from = any && r->start <= end ? end + 1 : r->start;

		if (any && r->last <= end)
			continue;
		n += r->last - from + 1;
		end = r->last;
		any = true;
	}
	return n;
}

/*
 * pfn_reader_user_pin(): pages come from pin_user_pages, which refuses a VM_IO | VM_PFNMAP
 * mapping (check_vma_flags: EFAULT), what vfio_pci_core_mmap() makes of a BAR. Type1
 * follows such a mapping's PFNs instead (vaddr_get_pfns); iommufd cannot. Indexes another
 * area already pinned cost nothing (the reader takes them from its domain); the new ones must
 * fit RLIMIT_MEMLOCK: the user's locked_vm (incr_user_locked_vm) or the mm's
 * (__account_locked_vm), ENOMEM with nothing pinned.
 */
int fks_area_pin(struct fks_host *h, const struct fks_area *a)
{
	struct fks_pages *p = a->pages;
	uint64_t *c = account_counter(h, p->account), first, last, fresh;
	struct fks_iova_range r;

	area_indexes(a, &first, &last);
	fresh = last - first + 1 - covered(p, first, last);
	if (fresh && p->pfnmap) {
		fks_rule(
			h, "K-IOMMUFD-PFNMAP", "iommufd",
			"the memory is a VFIO region's mmap (VM_PFNMAP): it cannot be pinned, EFAULT");
		return -EFAULT;
	}
	if (c && *c + fresh * PAGE > h->memlock) {
		fks_rule(h, "K-IOMMUFD-MEMLOCK", "iommufd",
			 "pinning %llu bytes passes RLIMIT_MEMLOCK (%llu, charged per %s): ENOMEM",
			 (unsigned long long)(fresh * PAGE), (unsigned long long)h->memlock,
			 p->account == ACCOUNT_USER ? "user" : "process");
		return -ENOMEM;
	}
	r = (struct fks_iova_range){ first, last };
	g_array_append_val(p->pinned, r);
	charge(h, p, fresh, true);
	return 0;
}

/* iopt_area_unfill_domain() / update_unpinned(): the indexes no other area keeps pinned. */
void fks_area_unpin(struct fks_host *h, const struct fks_area *a)
{
	struct fks_pages *p = a->pages;
	uint64_t first, last;

	area_indexes(a, &first, &last);
	for (guint i = 0; i < p->pinned->len; i++) {
		const struct fks_iova_range *r =
			&g_array_index(p->pinned, struct fks_iova_range, i);

		if (r->start == first && r->last == last) {
			g_array_remove_index_fast(p->pinned, i);
			charge(h, p, last - first + 1 - covered(p, first, last), false);
			return;
		}
	}
}

void fks_host_locked_vm(const struct fks_host *h, uint64_t *locked_vm, uint64_t *pinned_vm)
{
	*locked_vm = h->mm_locked;
	*pinned_vm = h->pinned_vm;
}

uint64_t fks_ioas_alignment(const struct fks_iobj *ioas)
{
	return ioas->domains || ioas->no_large_pages ? PAGE : 1;
}

int fks_ioas_check_alignment(const struct fks_iobj *ioas, uint64_t align)
{
	for (guint i = 0; i < ioas->areas->len; i++) {
		const struct fks_area *a = &g_array_index(ioas->areas, struct fks_area, i);

		if ((a->iova | a->length | a->page_offset) & (align - 1))
			return -EADDRINUSE;
	}
	return 0;
}

/*
 * The IOAS gains its first domain (iopt_table_add_domain): the IOVA alignment becomes the
 * domain's page, which every area must keep (EADDRINUSE); then every area's pages are pinned,
 * or none.
 */
int fks_ioas_add_domain(struct fks_host *h, struct fks_iobj *ioas)
{
	int r;

	if (ioas->domains > 0) {
		ioas->domains++;
		return 0;
	}
	r = fks_ioas_check_alignment(ioas, PAGE);
	if (r < 0)
		return r;
	ioas->domains++;
	for (guint i = 0; i < ioas->areas->len; i++) {
		r = fks_area_pin(h, &g_array_index(ioas->areas, struct fks_area, i));
		if (r < 0) {
			while (i-- > 0)
				fks_area_unpin(h, &g_array_index(ioas->areas, struct fks_area, i));
			ioas->domains--;
			return r;
		}
	}
	return 0;
}

void fks_ioas_del_domain(struct fks_host *h, struct fks_iobj *ioas)
{
	if (--ioas->domains > 0)
		return;
	for (guint i = 0; i < ioas->areas->len; i++)
		fks_area_unpin(h, &g_array_index(ioas->areas, struct fks_area, i));
}

/* iopt_alloc_pages(): CAP_IPC_LOCK at map time charges nothing but pinned_vm;
 * iopt_map_user_pages() makes a per-user charge per process in an RLIMIT_MODE 1 context. */
static int account_mode(const struct fks_host *h, const struct fks_ictx *x)
{
	if (h->cap_ipc_lock)
		return ACCOUNT_NONE;
	return x->account_mm ? ACCOUNT_MM : ACCOUNT_USER;
}

static bool pfnmap_hit(const struct fks_host *h, uint64_t va, uint64_t length)
{
	for (unsigned i = 0; i < h->n_pfnmaps; i++)
		if (va <= h->pfnmaps[i].last && h->pfnmaps[i].start <= va + (length - 1))
			return true;
	return false;
}

struct fks_pages *fks_pages_new(struct fks_host *h, const struct fks_ictx *x, uint64_t length,
				uint64_t uva)
{
	struct fks_pages *p = g_new0(struct fks_pages, 1);

	p->pinned = g_array_new(FALSE, FALSE, sizeof(struct fks_iova_range));
	p->account = account_mode(h, x);
	p->pfnmap = pfnmap_hit(h, uva, length);
	return p;
}

void fks_pages_free(struct fks_pages *p)
{
	g_array_free(p->pinned, TRUE);
	g_free(p);
}
