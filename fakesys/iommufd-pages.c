/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* iommufd's pages: pinning and charging them (pages.c), and what cannot be pinned. */

/*
 * The plan: an area's pages are pinned, and charged to RLIMIT_MEMLOCK, only while their IOAS
 * has a domain; charging is per user, per process (IOMMU_OPTION_RLIMIT_MODE 1, the compat
 * container) or nothing (CAP_IPC_LOCK). Memory that is a VFIO region's mmap cannot be pinned.
 */

#include <errno.h>

#include "internal.h"

#define PAGE 4096ull

enum fks_account {
	ACCOUNT_NONE,
	ACCOUNT_USER,
	ACCOUNT_MM,
};

/* ---- pinning and accounting (pages.c: iopt_pages_update_pinned) ---- */

static uint64_t *account_counter(struct fks_host *h, int account)
{
	return account == ACCOUNT_USER ? &h->user_locked :
	       account == ACCOUNT_MM   ? &h->mm_locked :
					 NULL;
}

/*
 * pfn_reader_user_pin(): pages come from pin_user_pages, which refuses a VM_IO | VM_PFNMAP
 * mapping (check_vma_flags: EFAULT), what vfio_pci_core_mmap() makes of a BAR. Type1
 * follows such a mapping's PFNs instead (vaddr_get_pfns); iommufd cannot.
 */
int fks_pages_pin(struct fks_host *h, struct fks_pages *p)
{
	uint64_t *c = account_counter(h, p->account);

	if (p->pins > 0) {
		p->pins++;
		return 0;
	}
	if (p->pfnmap) {
		fks_rule(
			h, "K-IOMMUFD-PFNMAP", "iommufd",
			"the memory is a VFIO region's mmap (VM_PFNMAP): it cannot be pinned, EFAULT");
		return -EFAULT;
	}
	if (c && *c + p->length > h->memlock) {
		fks_rule(h, "K-IOMMUFD-MEMLOCK", "iommufd",
			 "pinning %llu bytes passes RLIMIT_MEMLOCK (%llu, charged per %s): ENOMEM",
			 (unsigned long long)p->length, (unsigned long long)h->memlock,
			 p->account == ACCOUNT_USER ? "user" : "process");
		return -ENOMEM;
	}
	if (c)
		*c += p->length;
	p->pins = 1;
	return 0;
}

void fks_pages_unpin(struct fks_host *h, struct fks_pages *p)
{
	uint64_t *c = account_counter(h, p->account);

	if (p->pins && --p->pins == 0 && c)
		*c -= p->length;
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
		r = fks_pages_pin(h, g_array_index(ioas->areas, struct fks_area, i).pages);
		if (r < 0) {
			while (i-- > 0)
				fks_pages_unpin(
					h, g_array_index(ioas->areas, struct fks_area, i).pages);
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
		fks_pages_unpin(h, g_array_index(ioas->areas, struct fks_area, i).pages);
}

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

	p->length = length;
	p->account = account_mode(h, x);
	p->pfnmap = pfnmap_hit(h, uva, length);
	return p;
}
