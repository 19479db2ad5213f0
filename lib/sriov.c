/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SR-IOV operations: sriov_numvfs with the kernel's rules, and VF selection. */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-internal.h"
#include "internal.h"
#include "sriov.h"
#include "vm.h"

_public_ int pt_parse_vf_ranges(const char *s, uint64_t ret_bits[4])
{
	uint64_t bits[4] = { 0 };
	const char *p = s;

	for (;;) {
		unsigned long a, b;
		char *end;

		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		a = strtoul(p, &end, 10);
		b = a;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -EINVAL;
			b = strtoul(p, &end, 10);
			p = end;
		}
		if (a > b || b > 255)
			return -EINVAL;
		for (unsigned long i = a; i <= b; i++)
			bits[i / 64] |= 1ull << (i % 64);
		if (*p == '\0')
			break;
		if (*p++ != ',')
			return -EINVAL;
	}
	memcpy(ret_bits, bits, sizeof(bits));
	return 0;
}

static int parse_id(const char *s, uint16_t *vendor, uint16_t *device)
{
	unsigned v, d;
	char tail;

	if (!s || sscanf(s, "%4x:%4x%c", &v, &d, &tail) != 2)
		return -EINVAL;
	*vendor = (uint16_t)v;
	*device = (uint16_t)d;
	return 0;
}

/* A PF by address or by one of its netdev names. */
static const struct pt_dev *find_pf(struct pt_engine *e, const char *name)
{
	const struct pt_dev *d = pt_host_find_dev(e->host, name);

	for (size_t i = 0; !d && i < pt_host_dev_count(e->host); i++) {
		const struct pt_dev *c = pt_host_dev(e->host, i);

		for (char **n = pt_dev_props(c)->netdevs; n && *n; n++)
			if (strcmp(*n, name) == 0)
				d = c;
	}
	return d;
}

/* Free for a VM: no VM has it, and nothing but itself keeps its group from being viable. */
static bool is_free(struct pt_engine *e, const struct pt_dev *d, const char **ret_why)
{
	const struct pt_group *g = pt_dev_group(d);

	if (pt_vms_assigned_to(pt_engine_vms(e), pt_dev_address(d))) {
		*ret_why = "assigned to a VM";
		return false;
	}
	if (!g) {
		*ret_why = "no IOMMU group";
		return false;
	}
	for (size_t i = 0; i < pt_group_member_count(g); i++) {
		const struct pt_dev *m = pt_group_member(g, i);

		if (m != d && pt_vms_assigned_to(pt_engine_vms(e), pt_dev_address(m))) {
			*ret_why = "its group is in use by a VM";
			return false;
		}
	}
	for (size_t i = 0; i < pt_group_blocker_count(g); i++)
		if (pt_group_blocker(g, i)->dev != d) {
			*ret_why = "another member of its group is on a host driver";
			return false;
		}
	return true;
}

static bool vf_free(struct pt_engine *e, const struct pt_dev *vf, const char **ret_why)
{
	const struct pt_dev *pf = pt_host_find_dev(e->host, pt_dev_props(vf)->physfn);

	if (!pf || !pt_dev_props(pf)->driver) {
		*ret_why = "its PF has no driver";
		return false;
	}
	return is_free(e, vf, ret_why);
}

static unsigned vfs_in_use(struct pt_engine *e, const struct pt_dev *pf)
{
	const struct pt_sriov *s = pt_dev_props(pf)->sriov;
	unsigned n = 0;

	for (size_t i = 0; s && i < s->vf_count; i++)
		n += s->vfs[i] && pt_vms_assigned_to(pt_engine_vms(e), s->vfs[i]) != NULL;
	return n;
}

/* Kind 1: a free VF of the given PF, in index order, within the ranges. */
static const struct pt_dev *pick_of_pf(struct pt_engine *e, const struct pt_dev *pf,
				       const uint64_t ranges[4])
{
	const struct pt_sriov *s = pt_dev_props(pf)->sriov;
	const char *why;

	for (size_t i = 0; i < s->vf_count && i < 256; i++) {
		const struct pt_dev *vf = s->vfs[i] ? pt_host_find_dev(e->host, s->vfs[i]) : NULL;

		if (ranges && !(ranges[i / 64] & (1ull << (i % 64))))
			continue;
		if (vf && vf_free(e, vf, &why))
			return vf;
	}
	return NULL;
}

/* Kind 2: the best free VF with these ids anywhere: NUMA node first, then the least busy PF. */
static const struct pt_dev *pick_by_id(struct pt_engine *e, uint16_t vendor, uint16_t device,
				       int numa)
{
	const struct pt_dev *best = NULL;
	unsigned best_busy = 0;
	bool best_numa = false;
	const char *why;

	for (size_t i = 0; i < pt_host_dev_count(e->host); i++) {
		const struct pt_dev *d = pt_host_dev(e->host, i);
		const struct pt_dev_props *p = pt_dev_props(d);
		const struct pt_dev *pf;
		bool numa_ok;
		unsigned busy;

		if (!p->physfn || p->vendor != vendor || p->device != device ||
		    !vf_free(e, d, &why))
			continue;
		pf = pt_host_find_dev(e->host, p->physfn);
		busy = vfs_in_use(e, pf);
		numa_ok = numa >= 0 && p->numa_node == numa;
		if (!best || (numa_ok && !best_numa) ||
		    (numa_ok == best_numa && busy < best_busy)) {
			best = d;
			best_busy = busy;
			best_numa = numa_ok;
		}
	}
	return best;
}

/* Kind 3: a plain device by id or class, or exactly that address. */
static const struct pt_dev *pick_plain(struct pt_engine *e, const struct pt_vf_query *q,
				       uint16_t vendor, uint16_t device)
{
	const char *why;

	if (q->same_address) {
		const struct pt_dev *d = pt_host_find_dev(e->host, q->same_address);

		return d && is_free(e, d, &why) ? d : NULL;
	}
	for (size_t i = 0; i < pt_host_dev_count(e->host); i++) {
		const struct pt_dev *d = pt_host_dev(e->host, i);
		const struct pt_dev_props *p = pt_dev_props(d);
		char cls[8];

		snprintf(cls, sizeof(cls), "%06x", p->class);
		if (p->header_type != 0 || p->physfn)
			continue;
		if (q->id && (p->vendor != vendor || p->device != device))
			continue;
		if (q->class && strncmp(cls, q->class, strlen(q->class)) != 0)
			continue;
		if (is_free(e, d, &why))
			return d;
	}
	return NULL;
}

static int rescan_or_fail(struct pt_engine *e, struct pt_outcome *out)
{
	struct pt_error err = { 0 };
	int r = pt_engine_rescan(e, &err);

	if (r < 0)
		return pt_outcome_set(out, PT_CODE_HOST_ERROR, r, NULL, "cannot rescan: %s: %s",
				      err.path, err.reason);
	return 0;
}

static enum pt_code numvfs_code(int err)
{
	switch (err) {
	case -ERANGE:
		return PT_CODE_NUMVFS_RANGE;
	case -EBUSY:
		return PT_CODE_NUMVFS_BUSY;
	case -ENOENT:
		return PT_CODE_SRIOV_UNSUPPORTED;
	default:
		return PT_CODE_HOST_ERROR;
	}
}

static int write_numvfs(struct pt_engine *e, const char *pf, unsigned count, struct pt_outcome *out)
{
	char v[16];
	int r;

	snprintf(v, sizeof(v), "%u", count);
	r = pt_engine_write(e, v, "bus/pci/devices/%s/sriov_numvfs", pf);
	if (r < 0)
		return pt_outcome_set(
			out, numvfs_code(r), r, "K-SRIOV-NUMVFS",
			"write %u to sriov_numvfs of %s: %s%s", count, pf, strerror(-r),
			r == -ENOENT ? " (no PF driver, or it cannot configure SR-IOV)" : "");
	return 0;
}

/* How the PF's VFs were bound before a change, to bind the re-created ones the same way. */
struct vf_binding {
	char address[16];
	char *driver;
	char *override;
};

static void vf_bindings_free(struct vf_binding *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].driver);
		free(v[i].override);
	}
	free(v);
}

static int vf_bindings(struct pt_engine *e, const struct pt_dev *pf, struct vf_binding **ret,
		       size_t *ret_n)
{
	const struct pt_sriov *s = pt_dev_props(pf)->sriov;
	struct vf_binding *v = calloc(s->vf_count + 1, sizeof(*v));
	size_t n = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < s->vf_count; i++) {
		const struct pt_dev *vf = s->vfs[i] ? pt_host_find_dev(e->host, s->vfs[i]) : NULL;
		const struct pt_dev_props *p = vf ? pt_dev_props(vf) : NULL;

		if (!p)
			continue;
		snprintf(v[n].address, sizeof(v[n].address), "%s", p->address);
		if ((p->driver && !(v[n].driver = strdup(p->driver))) ||
		    (p->override && !(v[n].override = strdup(p->override)))) {
			vf_bindings_free(v, n + 1);
			return -ENOMEM;
		}
		n++;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* All or nothing: after a failed change, give the PF its VFs back (0 first, then before), and
 * bind the re-created VFs as the old ones were. */
static void put_back_numvfs(struct pt_engine *e, const char *pf, unsigned before,
			    const struct vf_binding *vfs, size_t nvfs, struct pt_outcome *out)
{
	struct pt_error err = { 0 };
	const struct pt_dev *d;
	char v[16];
	int r;

	pt_engine_write(e, "0", "bus/pci/devices/%s/sriov_numvfs", pf);
	snprintf(v, sizeof(v), "%u", before);
	r = before ? pt_engine_write(e, v, "bus/pci/devices/%s/sriov_numvfs", pf) : 0;
	if (pt_engine_rescan(e, &err) < 0) {
		pt_outcome_unrestored(out,
				      "cannot read the host back (%s: %s); check that %s has "
				      "%u VFs",
				      err.path, err.reason, pf, before);
		return;
	}
	d = pt_host_find_dev(e->host, pf);
	if (!d || !pt_dev_props(d)->sriov || pt_dev_props(d)->sriov->numvfs != before) {
		pt_outcome_unrestored(
			out,
			"%s has %u VFs instead of %u%s%s; restore them with: "
			"echo 0 > /sys/bus/pci/devices/%s/sriov_numvfs; "
			"echo %u > /sys/bus/pci/devices/%s/sriov_numvfs",
			pf, d && pt_dev_props(d)->sriov ? pt_dev_props(d)->sriov->numvfs : 0,
			before, r < 0 ? ": " : "", r < 0 ? strerror(-r) : "", pf, before, pf);
		return;
	}
	pt_engine_rule(e, "E-ROLLBACK", pf, "back to %u VFs", before);
	/* The count is back, the devices are not: disabling SR-IOV removed the old VFs. */
	pt_outcome_unrestored(out,
			      "%s has its %u VFs again, but they were re-created: new devices "
			      "at the same addresses, in new IOMMU groups; whatever held the old "
			      "ones (group numbers, VFIO files) must look them up again",
			      pf, before);
	for (size_t i = 0; i < nvfs; i++) {
		const char *now = pt_engine_driver_of(e, vfs[i].address);

		if ((now == NULL) != (vfs[i].driver == NULL) ||
		    (now && strcmp(now, vfs[i].driver) != 0))
			pt_engine_restore_binding(e, vfs[i].address, vfs[i].driver, vfs[i].override,
						  out);
	}
}

_public_ int pt_set_numvfs(struct pt_engine *e, const char *name, unsigned count,
			   struct pt_outcome *out)
{
	const struct pt_dev *d = find_pf(e, name);
	const struct pt_sriov *s;
	struct vf_binding *vfs = NULL;
	size_t nvfs = 0;
	unsigned before;
	char pf[16];
	int r;

	*out = (struct pt_outcome){ 0 };
	if (!d)
		return pt_outcome_set(out, PT_CODE_DEVICE_NOT_FOUND, -ENODEV, "E-DEVICE-EXISTS",
				      "no PCI device or netdev %s on this host", name);
	s = pt_dev_props(d)->sriov;
	/* A copy: every rescan below replaces the model the device lives in. */
	snprintf(pf, sizeof(pf), "%s", pt_dev_address(d));
	if (!s)
		return pt_outcome_set(out, PT_CODE_SRIOV_UNSUPPORTED, -ENOENT, "K-SRIOV-NUMVFS",
				      "%s has no SR-IOV capability", pf);
	if (count > s->totalvfs)
		return pt_outcome_set(out, PT_CODE_NUMVFS_RANGE, -ERANGE, "K-SRIOV-NUMVFS",
				      "%s offers %u VFs at most, %u asked", pf, s->totalvfs, count);
	before = s->numvfs;
	if (count == before)
		return pt_outcome_set(out, PT_CODE_OK, 0, "K-SRIOV-NUMVFS", "%s already has %u VFs",
				      pf, count);
	if (before > 0 && vfs_in_use(e, d) > 0)
		return pt_outcome_set(out, PT_CODE_NUMVFS_BUSY, -EBUSY, "E-NUMVFS-IN-USE",
				      "%s has %u VF(s) in use by VMs: its VFs cannot change", pf,
				      vfs_in_use(e, d));
	if (before > 0 && vf_bindings(e, d, &vfs, &nvfs) < 0)
		return -ENOMEM;
	if (before > 0 && count > 0) {
		pt_engine_rule(e, "K-SRIOV-ZERO-FIRST", pf, "%u -> 0 -> %u", before, count);
		r = write_numvfs(e, pf, 0, out);
		if (r != 0)
			goto out;
	}
	r = write_numvfs(e, pf, count, out);
	/* Only after the zero-first write removed the old VFs is there something to put back. */
	if (r != 0 && before > 0 && count > 0)
		put_back_numvfs(e, pf, before, vfs, nvfs, out);
	if (r == 0)
		r = rescan_or_fail(e, out);
	if (r != 0)
		goto out;
	d = pt_host_find_dev(e->host, pf);
	s = d ? pt_dev_props(d)->sriov : NULL;
	if (!s || s->numvfs != count) {
		unsigned got = s ? s->numvfs : 0;

		put_back_numvfs(e, pf, before, vfs, nvfs, out);
		r = pt_outcome_set(out, PT_CODE_VF_UNAVAILABLE, 0, "K-SRIOV-NUMVFS",
				   "%s enabled %u of the %u VFs asked; put back to %u", pf, got,
				   count, before);
		goto out;
	}
	r = pt_outcome_set(out, PT_CODE_OK, 0, "K-SRIOV-NUMVFS", "%s: %u -> %u VFs", pf, before,
			   count);
out:
	vf_bindings_free(vfs, nvfs);
	return r;
}

/* No free VF: enable VFs on the PF (or, by id, the first PF offering these VFs) if it has
 * none, with autoprobe off so that no host driver takes them. */
static int create_vfs(struct pt_engine *e, const struct pt_dev *pf, const struct pt_vf_query *q,
		      struct pt_outcome *out)
{
	const struct pt_sriov *s = pt_dev_props(pf)->sriov;
	unsigned count;
	char addr[16];
	int autoprobe, r;

	if (s->numvfs > 0)
		return pt_outcome_set(
			out, PT_CODE_NUMVFS_BUSY, -EBUSY, "K-SRIOV-ZERO-FIRST",
			"%s already has %u VFs and none is free; not re-creating them",
			pt_dev_address(pf), s->numvfs);
	snprintf(addr, sizeof(addr), "%s", pt_dev_address(pf));
	if (s->drivers_autoprobe != 0) {
		r = pt_engine_write(e, "0", "bus/pci/devices/%s/sriov_drivers_autoprobe", addr);
		if (r < 0)
			return pt_outcome_set(out, PT_CODE_HOST_ERROR, r, "E-VF-AUTOPROBE-OFF",
					      "turn sriov_drivers_autoprobe off on %s: %s", addr,
					      strerror(-r));
		pt_engine_rule(e, "E-VF-AUTOPROBE-OFF", addr, "new VFs stay unbound for VFIO");
	}
	/* Copies: pt_set_numvfs rescans, which frees the model s points into. */
	autoprobe = s->drivers_autoprobe;
	count = q->create_count ? q->create_count : s->totalvfs;
	r = pt_set_numvfs(e, addr, count, out);
	if (r != 0 && autoprobe > 0) {
		int k = pt_engine_write(e, "1", "bus/pci/devices/%s/sriov_drivers_autoprobe", addr);

		if (k < 0)
			pt_outcome_unrestored(
				out,
				"sriov_drivers_autoprobe of %s stays 0 (%s); restore it "
				"with: echo 1 > /sys/bus/pci/devices/%s/"
				"sriov_drivers_autoprobe",
				addr, strerror(-k), addr);
	}
	return r;
}

_public_ int pt_select_vf(struct pt_engine *e, const struct pt_vf_query *q, char *ret,
			  struct pt_outcome *out)
{
	const struct pt_dev *pf = NULL, *pick = NULL;
	uint64_t ranges[4];
	uint16_t vendor = 0, device = 0;
	bool plain = q->class || q->same_address;
	int r;

	*out = (struct pt_outcome){ 0 };
	if ((q->vfs && pt_parse_vf_ranges(q->vfs, ranges) < 0) ||
	    (q->id && parse_id(q->id, &vendor, &device) < 0))
		return -EINVAL;
	if (q->pf) {
		pf = find_pf(e, q->pf);
		if (!pf)
			return pt_outcome_set(out, PT_CODE_DEVICE_NOT_FOUND, -ENODEV,
					      "E-DEVICE-EXISTS", "no PF %s on this host", q->pf);
		if (!pt_dev_props(pf)->sriov)
			return pt_outcome_set(out, PT_CODE_SRIOV_UNSUPPORTED, 0, "E-VF-SELECT",
					      "%s is not an SR-IOV PF", q->pf);
		pick = pick_of_pf(e, pf, q->vfs ? ranges : NULL);
	} else if (q->id && !plain) {
		pick = pick_by_id(e, vendor, device, q->numa_node);
		/* Not a VF id: the not-SR-IOV kind, by id. */
		plain = !pick && q->id;
	}
	if (!pick && plain)
		pick = pick_plain(e, q, vendor, device);
	if (!pick && q->create && !plain) {
		if (!pf)
			for (size_t i = 0; !pf && i < pt_host_dev_count(e->host); i++) {
				const struct pt_dev_props *p =
					pt_dev_props(pt_host_dev(e->host, i));

				if (p->sriov && p->vendor == vendor &&
				    p->sriov->vf_device == device)
					pf = pt_host_dev(e->host, i);
			}
		if (pf) {
			char pfaddr[16];

			snprintf(pfaddr, sizeof(pfaddr), "%s", pt_dev_address(pf));
			r = create_vfs(e, pf, q, out);
			if (r != 0)
				return r;
			pt_outcome_clear(out);
			/* The host was rescanned: look the PF up again. */
			pf = pt_host_find_dev(e->host, pfaddr);
			pick = !pf   ? NULL :
			       q->pf ? pick_of_pf(e, pf, q->vfs ? ranges : NULL) :
				       pick_by_id(e, vendor, device, q->numa_node);
		}
	}
	if (!pick)
		return pt_outcome_set(out, PT_CODE_VF_UNAVAILABLE, 0, "E-VF-SELECT",
				      "no free %s%s%s%s", plain ? "device" : "VF",
				      q->pf ? " of " :
				      q->id ? " with id " :
					      "",
				      q->pf ? q->pf :
				      q->id ? q->id :
					      "",
				      q->vfs ? " in the given VF range" : "");
	snprintf(ret, 16, "%s", pt_dev_address(pick));
	pt_engine_rule(e, "E-VF-SELECT", ret, "chosen%s",
		       q->numa_node >= 0 && pt_dev_props(pick)->numa_node == q->numa_node ?
			       " on the preferred NUMA node" :
			       "");
	return pt_outcome_set(out, PT_CODE_OK, 0, "E-VF-SELECT", "%s", ret);
}
