/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* certify: the DUT, its unit (the functions moved to vfio-pci with it) and their state. */

#include <string.h>

#include "certify-internal.h"
#include "size.h"

/* ---- the DUT and a check's result ---- */

struct pt_dev *pth_cert_dev(struct cert *c, const char *addr)
{
	return pt_host_find_dev(pt_engine_host(c->s.engine), addr);
}

/* An argument of the running certify step (`map: 1M`, `vfs: 2`), or dflt. */
uint64_t pth_cert_arg(struct cert *c, const char *key, uint64_t dflt)
{
	const char *v = pth_node_str(c->args, key);
	uint64_t n;

	return v && pth_parse_size(v, &n) == 0 ? n : dflt;
}

enum pth_cert_status pth_cert_set(struct cert_result *r, enum pth_cert_status st, const char *fmt,
				  ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_free(r->reason);
	r->reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	r->status = st;
	return st;
}

enum pth_cert_status pth_cert_outcome_fail(struct cert_result *r, const char *what,
					   const struct pt_outcome *o)
{
	return pth_cert_set(r, PTH_CERT_FAIL, "%s: %s%s%s: %s", what, pt_code_to_string(o->code),
			    o->err ? " " : "", o->err ? pth_errno_name(o->err) : "",
			    o->message ? o->message : "");
}

/* ---- state of the devices certify may touch ---- */

/* Whether the device's config space reads all ones: it does not answer. */
bool pth_cert_all_ones(struct cert *c, const char *addr)
{
	static const uint8_t ones[4] = { 0xff, 0xff, 0xff, 0xff };
	uint8_t id[4];

	return pth_cert_read_config(c, addr, id, sizeof(id)) == (int)sizeof(id) &&
	       memcmp(id, ones, sizeof(id)) == 0;
}

char *pth_cert_dev_state(struct cert *c, const char *addr)
{
	const struct pt_dev *d = pth_cert_dev(c, addr);
	const struct pt_dev_props *p;

	if (!d)
		return g_strdup("absent");
	p = pt_dev_props(d);
	return g_strdup_printf(
		"driver=%s override=%s numvfs=%u autoprobe=%d%s", p->driver ? p->driver : "(none)",
		p->override ? p->override : "(none)", p->sriov ? p->sriov->numvfs : 0,
		p->sriov ? p->sriov->drivers_autoprobe : -1,
		pth_cert_all_ones(c, addr) ? " config=all-ones" : "");
}

/* ---- the unit on vfio-pci ---- */

bool pth_cert_same_slot(const struct pt_dev_props *a, const struct pt_dev_props *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->slot == b->slot;
}

void pth_cert_unit_reattach(struct cert *c, GString *problems)
{
	/* In address order: the kernel names network interfaces in probe order, so the DUT's
	 * port probes first, as it did at boot. */
	for (guint i = 0; i < c->detached->len; i++) {
		struct pt_detached *st = &g_array_index(c->detached, struct pt_detached, i);
		struct pt_outcome o = { 0 };

		if (pt_reattach(c->s.engine, st, &o) != 0) {
			g_string_append_printf(problems, "%sreattach %s: %s",
					       problems->len ? "; " : "", st->address,
					       o.message ? o.message : "failed");
			/* Remembered (live): `ptharness reattach` can finish it. */
			pth_session_remember(&c->s, st);
		}
		pt_outcome_clear(&o);
		pt_detached_clear(st);
	}
	g_array_set_size(c->detached, 0);
	c->unit_on_vfio = false;
}

enum pth_cert_status pth_cert_unit_detach(struct cert *c, struct cert_result *r)
{
	struct pt_detach_options o = { .managed = true };

	for (guint i = 0; i < c->unit->len; i++) {
		struct pt_detached st = { 0 };
		struct pt_outcome out = { 0 };
		int k = pt_detach(c->s.engine, c->unit->pdata[i], &o, &st, &out);

		if (k != 0) {
			g_autoptr(GString) more = g_string_new(NULL);

			pth_cert_outcome_fail(r, "bind to vfio-pci", &out);
			pt_outcome_clear(&out);
			pth_cert_unit_reattach(c, more);
			c->unit_failed = true;
			return PTH_CERT_FAIL;
		}
		pt_outcome_clear(&out);
		g_array_append_val(c->detached, st);
		g_hash_table_add(c->moved, g_strdup(c->unit->pdata[i]));
	}
	c->unit_on_vfio = true;
	return PTH_CERT_PASS;
}

int pth_cert_read_config(struct cert *c, const char *addr, uint8_t *buf, size_t size)
{
	g_autofree char *path = g_strdup_printf("bus/pci/devices/%s/config", addr);
	size_t len = 0;
	int k = pt_backend_read(c->s.be, PT_NS_SYS, path, buf, size, &len);

	return k < 0 ? k : (int)len;
}

void pth_cert_find_unit(struct cert *c)
{
	const struct pt_dev *d = pth_cert_dev(c, c->dut);
	const struct pt_group *g = pt_dev_group(d);
	const struct pt_dev_props *p = pt_dev_props(d);

	g_ptr_array_add(c->unit, g_strdup(c->dut));
	for (size_t i = 0; g && i < pt_group_member_count(g); i++) {
		const struct pt_dev_props *q = pt_dev_props(pt_group_member(g, i));

		if (strcmp(q->address, c->dut) != 0 && pth_cert_same_slot(p, q))
			g_ptr_array_add(c->unit, g_strdup(q->address));
	}
	if (p->sriov)
		for (size_t i = 0; p->sriov->vfs && p->sriov->vfs[i]; i++)
			g_ptr_array_add(c->unit, g_strdup(p->sriov->vfs[i]));
}

/*
 * VFs come up with autoprobe off: a host driver probing them (nvme takes seconds under TCG)
 * races with certify's own binds and rescans, as the lab showed. Returns 0, or a negative
 * errno with why filled.
 */
int pth_cert_autoprobe_set(struct cert *c, const char *pf, int value, GString *why)
{
	g_autofree char *path = g_strdup_printf("bus/pci/devices/%s/sriov_drivers_autoprobe", pf);
	const char *v = value ? "1" : "0";
	int k = pt_backend_write(c->s.be, PT_NS_SYS, path, v, 1);

	if (k < 0)
		g_string_append_printf(why, "%sset sriov_drivers_autoprobe of %s to %s: %s",
				       why->len ? "; " : "", pf, v, g_strerror(-k));
	pt_engine_rescan(c->s.engine, NULL);
	return k;
}
