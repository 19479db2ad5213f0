/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Migration with host devices: VFIO migration, or unplug and replace on the destination. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-internal.h"
#include "migrate.h"
#include "sriov.h"
#include "variant.h"

/* QEMU 8.1+ hw/vfio/migration.c vfio_migration_realize(), on ENOTTY from the feature. */
#define QEMU_NO_MIGRATION "VFIO migration is not supported in kernel"

_public_ void pt_migrate_result_clear(struct pt_migrate_result *r)
{
	for (size_t i = 0; i < r->count; i++) {
		free(r->entries[i].address);
		free(r->entries[i].reason);
		free(r->entries[i].destination);
	}
	free(r->entries);
	*r = (struct pt_migrate_result){ 0 };
}

/* Find the replacement on the destination host, by the three kinds. */
static int find_destination(struct pt_engine *src, const struct pt_dev *dev, struct pt_engine *dst,
			    struct pt_migrate_entry *ent)
{
	const struct pt_dev_props *p = pt_dev_props(dev);
	struct pt_outcome o = { 0 };
	char addr[16], id[16];
	int r = 1;

	snprintf(id, sizeof(id), "%04x:%04x", p->vendor, p->device);
	if (p->physfn) {
		const struct pt_dev *pf = pt_host_find_dev(src->host, p->physfn);
		char **nets = pf ? pt_dev_props(pf)->netdevs : NULL;

		/* Same network: a VF of the destination PF with the same netdev name. */
		for (char **n = nets; n && *n && r != 0; n++) {
			struct pt_vf_query q = { .pf = *n, .numa_node = -1 };

			r = pt_select_vf(dst, &q, addr, &o);
			pt_outcome_clear(&o);
			if (r == 0)
				ent->kind = "same-pf-network";
		}
		if (r != 0) {
			struct pt_vf_query q = { .id = id, .numa_node = p->numa_node };

			r = pt_select_vf(dst, &q, addr, &o);
			pt_outcome_clear(&o);
			if (r == 0)
				ent->kind = "any-vf";
		}
	} else {
		struct pt_vf_query same = { .same_address = p->address, .numa_node = -1 };
		const struct pt_dev *there = pt_host_find_dev(dst->host, p->address);

		if (there && pt_dev_props(there)->vendor == p->vendor &&
		    pt_dev_props(there)->device == p->device) {
			r = pt_select_vf(dst, &same, addr, &o);
			pt_outcome_clear(&o);
			if (r == 0)
				ent->kind = "same-address";
		}
		if (r != 0) {
			struct pt_vf_query q = { .id = id, .class = "02", .numa_node = -1 };

			r = pt_select_vf(dst, &q, addr, &o);
			pt_outcome_clear(&o);
			if (r == 0)
				ent->kind = "any-device";
		}
	}
	if (r < 0)
		return r;
	if (r == 0 && !(ent->destination = strdup(addr)))
		return -ENOMEM;
	return 0;
}

/*
 * A device on a VFIO driver without migration: VFIO_DEVICE_FEATURE_MIGRATION is ENOTTY, and
 * QEMU 8.1+ registers a migration blocker with the message vfio_migration_realize() sets
 * (hw/vfio/migration.c), the device named by its host address. libvirt 10 would bind the
 * variant modules.alias names for it (virPCIDeviceFindBestVFIOVariant), when there is one.
 */
static int vfio_blocker(struct pt_engine *e, const struct pt_dev *dev, struct pt_migrate_entry *ent)
{
	const struct pt_dev_props *p = pt_dev_props(dev);
	char *variant = NULL, *hint = NULL;
	int r = pt_variant_for(e, dev, &variant);

	if (r == -ENOMEM)
		return r;
	if (r == 1 && strcmp(variant, p->driver) != 0)
		r = asprintf(&hint, "; libvirt's variant for it from modules.alias: %s", variant);
	else if (r == 1 || r == 0)
		r = asprintf(&hint, "; modules.alias has no other vfio_pci variant for it");
	else
		r = asprintf(&hint,
			     "; variant driver: unknown (the host's modules.alias is not known)");
	free(variant);
	if (r < 0)
		return -ENOMEM;
	r = asprintf(&ent->reason,
		     "%s is on %s: QEMU blocks migration with \"%s: " QEMU_NO_MIGRATION "\"%s",
		     p->address, p->driver, p->address, hint);
	free(hint);
	return r < 0 ? -ENOMEM : 0;
}

static int check_one(struct pt_engine *src, const struct pt_migrate_device *md,
		     struct pt_engine *dst, struct pt_migrate_entry *ent)
{
	const struct pt_dev *dev = pt_host_find_dev(src->host, md->address);
	const struct pt_dev_props *p;
	int r;

	if (!(ent->address = strdup(md->address)))
		return -ENOMEM;
	if (!dev) {
		ent->rule = "E-DEVICE-EXISTS";
		return asprintf(&ent->reason, "no PCI device %s on the source host", md->address) <
				       0 ?
			       -ENOMEM :
			       0;
	}
	p = pt_dev_props(dev);
	/* The migrating variants set up migration for VFs only (mlx5vf_cmd_set_migratable and
	 * the others reach the PF's driver data through pci_iov_get_pf_drvdata()). */
	if (pt_driver_migrates(p->driver) && p->physfn) {
		ent->ok = true;
		ent->rule = "K-VFIO-MIGRATION";
		return asprintf(&ent->reason, "VFIO migration through %s", p->driver) < 0 ?
			       -ENOMEM :
			       0;
	}
	if (md->failover && (p->class >> 16) == 0x02) {
		ent->rule = "E-MIGRATE-UNPLUG";
		if (dst) {
			r = find_destination(src, dev, dst, ent);
			if (r < 0)
				return r;
			ent->ok = ent->destination != NULL;
			return asprintf(&ent->reason,
					ent->ok ?
						"unplugged before migration, replaced by %s on the "
						"destination (%s)" :
						"unplugged before migration, but no free "
						"replacement on the destination%s%s",
					ent->ok ? ent->destination : "",
					ent->ok ? ent->kind : "") < 0 ?
				       -ENOMEM :
				       0;
		}
		ent->ok = true;
		return asprintf(&ent->reason, "unplugged before migration (failover)") < 0 ?
			       -ENOMEM :
			       0;
	}
	ent->rule = "E-MIGRATE-BLOCKER";
	if (p->sriov && p->sriov->numvfs > 0)
		return asprintf(&ent->reason,
				"%s is an SR-IOV PF with %u VFs on %s, which cannot migrate "
				"(assign a VF, or a migration-capable variant driver)",
				p->address, p->sriov->numvfs,
				p->driver ? p->driver : "no driver") < 0 ?
			       -ENOMEM :
			       0;
	if (pt_driver_is_vfio(p->driver))
		return vfio_blocker(src, dev, ent);
	return asprintf(&ent->reason, "%s is on %s, which does not support VFIO migration%s",
			p->address, p->driver ? p->driver : "no driver",
			(p->class >> 16) == 0x02 ? " (a NIC could be marked for failover)" : "") <
			       0 ?
		       -ENOMEM :
		       0;
}

/* The rule that decided the whole: the first blocking device's when blocked; else unplugging
 * when any device is unplugged, VFIO migration when every device migrates through VFIO. */
static const char *summary_rule(const struct pt_migrate_result *res, bool ok)
{
	const char *rule = NULL;

	for (size_t i = 0; i < res->count; i++) {
		const struct pt_migrate_entry *e = &res->entries[i];

		if (!ok && !e->ok)
			return e->rule;
		if (ok && (!rule || strcmp(e->rule, "E-MIGRATE-UNPLUG") == 0))
			rule = e->rule;
	}
	return rule ? rule : "E-MIGRATE-BLOCKER";
}

_public_ int pt_migrate_check(struct pt_engine *src, const struct pt_migrate_device *devices,
			      size_t n, struct pt_engine *dst, struct pt_migrate_result *ret,
			      struct pt_outcome *out)
{
	struct pt_migrate_result res = { .migratable = true };
	size_t blocked = 0;

	*out = (struct pt_outcome){ 0 };
	res.entries = calloc(n + 1, sizeof(*res.entries));
	if (!res.entries)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int r = check_one(src, &devices[i], dst, &res.entries[i]);

		res.count++;
		if (r < 0) {
			pt_migrate_result_clear(&res);
			return r;
		}
		pt_engine_rule(src, res.entries[i].rule, res.entries[i].address, "%s",
			       res.entries[i].reason);
		if (!res.entries[i].ok) {
			blocked++;
			pt_strv_push(&out->blockers, res.entries[i].address);
		}
	}
	res.migratable = blocked == 0;
	*ret = res;
	if (blocked)
		return pt_outcome_set(out, PT_CODE_MIGRATION_BLOCKED, 0, summary_rule(&res, false),
				      "%zu of %zu device(s) block migration", blocked, n);
	return pt_outcome_set(out, PT_CODE_OK, 0, summary_rule(&res, true),
			      "the VM can migrate with its %zu device(s)", n);
}
