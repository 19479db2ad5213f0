/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A scenario's fixture: the host cache, host.set, faults, VMs, and the addresses steps name. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "vm.h"

/* ---- the host cache: each recording is loaded once ---- */

static void free_host(gpointer h)
{
	fks_host_free(h);
}

struct pth_cache {
	GMutex lock;
	GHashTable *hosts; /* path -> struct fks_host * */
};

int pth_cache_copy(struct pth_cache *c, const char *path, const char *kernel, struct fks_host **ret,
		   struct pt_error *err)
{
	g_autofree char *key = g_strdup_printf("%s\n%s", path, kernel ? kernel : "");
	struct fks_host *h;
	int r = 0;

	g_mutex_lock(&c->lock);
	h = g_hash_table_lookup(c->hosts, key);
	if (!h) {
		struct fks_options fo = { .kernel = kernel };

		r = fks_host_new_from_recording(path, &fo, &h, err);
		if (r >= 0)
			g_hash_table_insert(c->hosts, g_strdup(key), h);
	}
	if (r >= 0)
		r = fks_host_copy(h, ret);
	g_mutex_unlock(&c->lock);
	return r;
}

struct pth_cache *pth_cache_new(void)
{
	struct pth_cache *c = g_new0(struct pth_cache, 1);

	g_mutex_init(&c->lock);
	c->hosts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_host);
	return c;
}

struct pth_cache *pth_cache_free(struct pth_cache *c)
{
	if (!c)
		return NULL;
	g_hash_table_unref(c->hosts);
	g_mutex_clear(&c->lock);
	g_free(c);
	return NULL;
}

/* ---- host.set, faults, VMs ---- */

/* host.model: the kernel model's settings (fks_host_set: iommufd, memlock, ...). */
static int apply_model(struct pth_run *r, GError **error)
{
	struct fy_node_pair *p;
	void *it = NULL;

	while (r->sc->model && (p = fy_node_mapping_iterate(r->sc->model, &it))) {
		const char *key = fy_node_get_scalar0(fy_node_pair_key(p));
		const char *value = fy_node_get_scalar0(fy_node_pair_value(p));
		int rc = key && value ? fks_host_set(r->fake, key, value) : -EINVAL;

		if (rc < 0) {
			g_autofree char *where = pth_node_where(r->sc, fy_node_pair_key(p));

			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s: host.model: %s %s: %s", where, key ? key : "?",
				    value ? value : "(not a scalar)",
				    rc == -ENOENT ? "no such setting" : "bad value");
			return rc;
		}
	}
	return 0;
}

/* host.set: edits applied after loading, with the kernel's own writes, untraced. */
static int apply_set(struct pth_run *r, GError **error)
{
	struct fy_node_pair *p;
	void *it = NULL;

	while (r->sc->set && (p = fy_node_mapping_iterate(r->sc->set, &it))) {
		const char *addr = fy_node_get_scalar0(fy_node_pair_key(p));
		struct fy_node *v = fy_node_pair_value(p);
		struct fy_node *drv = pth_node_get(v, "driver"), *ovr = pth_node_get(v, "override");
		const char *cur = NULL;
		char path[256];

		if (fks_host_dev_driver(r->fake, addr, &cur) < 0) {
			g_autofree char *where = pth_node_where(r->sc, fy_node_pair_key(p));

			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s: host.set: no device %s in %s", where, addr,
				    r->sc->recording);
			return -ENODEV;
		}
		if (drv) {
			if (cur) {
				snprintf(path, sizeof(path), "bus/pci/drivers/%s/unbind", cur);
				pt_backend_write(r->be, PT_NS_SYS, path, addr, strlen(addr));
			}
			if (!pth_node_is_null(drv)) {
				const char *want = fy_node_get_scalar0(drv);

				snprintf(path, sizeof(path), "bus/pci/devices/%s/driver_override",
					 addr);
				pt_backend_write(r->be, PT_NS_SYS, path, want, strlen(want));
				pt_backend_write(r->be, PT_NS_SYS, "bus/pci/drivers_probe", addr,
						 strlen(addr));
				pt_backend_write(r->be, PT_NS_SYS, path, "\n", 1);
			}
		}
		if (ovr) {
			const char *want = pth_node_is_null(ovr) ? "\n" : fy_node_get_scalar0(ovr);

			snprintf(path, sizeof(path), "bus/pci/devices/%s/driver_override", addr);
			pt_backend_write(r->be, PT_NS_SYS, path, want, strlen(want));
		}
	}
	return 0;
}

static int add_faults(struct pth_run *r, GError **error)
{
	static const struct {
		const char *key;
		enum fks_fault_kind kind;
	} kinds[] = {
		{ "write", FKS_FAULT_WRITE },
		{ "reset", FKS_FAULT_RESET },
		{ "numvfs", FKS_FAULT_NUMVFS },
		{ "remove", FKS_FAULT_REMOVE },
	};
	struct fy_node *item;
	void *it = NULL;

	while (r->sc->faults && (item = fy_node_sequence_iterate(r->sc->faults, &it))) {
		struct fks_fault f = { .nth = (unsigned)pth_arg_int(item, "nth", 1),
				       .count = (unsigned)pth_arg_int(item, "count", 1),
				       .hang_ms = (unsigned)pth_arg_int(item, "hang_ms", 0),
				       .max_vfs = (unsigned)pth_arg_int(item, "max", 0),
				       .step = (unsigned)pth_arg_int(item, "step", 0) };
		const char *e = pth_node_str(item, "errno");
		const char *config = pth_node_str(item, "config");
		size_t k = 0;

		for (; k < G_N_ELEMENTS(kinds) && !pth_node_str(item, kinds[k].key); k++)
			;
		if (k == G_N_ELEMENTS(kinds) ||
		    (kinds[k].kind == FKS_FAULT_WRITE && !e && !pth_node_get(item, "errno"))) {
			g_autofree char *where = pth_node_where(r->sc, item);

			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s: a fault needs one of write, reset, numvfs, remove%s",
				    where, k < G_N_ELEMENTS(kinds) ? " (and errno)" : "");
			return -EINVAL;
		}
		if (config && strcmp(config, "ff") != 0) {
			g_autofree char *where = pth_node_where(r->sc, item);

			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s: config takes ff (the device reads all ones), not '%s'",
				    where, config);
			return -EINVAL;
		}
		f.kind = kinds[k].kind;
		f.path = pth_node_str(item, kinds[k].key);
		f.config_ff = config != NULL;
		f.error = e ? pth_errno_from_name(e) :
			      (f.kind == FKS_FAULT_RESET && !f.hang_ms && !f.config_ff ? EIO : 0);
		if (fks_host_add_fault(r->fake, &f) < 0) {
			g_autofree char *where = pth_node_where(r->sc, item);

			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s: the fault model refuses this fault", where);
			return -EINVAL;
		}
	}
	return 0;
}

int pth_run_add_vms(struct pth_run *r, GError **error)
{
	struct fy_node_pair *p;
	void *it = NULL;

	while (r->sc->vms && (p = fy_node_mapping_iterate(r->sc->vms, &it))) {
		struct fy_node *v = fy_node_pair_value(p);
		struct pt_vm_config cfg = {
			.name = fy_node_get_scalar0(fy_node_pair_key(p)),
			.memory = pth_arg_size(v, "memory", 1ull << 30),
			.vcpus = (unsigned)pth_arg_int(v, "vcpus", 1),
			.numa_node = (int)pth_arg_int(v, "numa_node", -1),
			.viommu = pth_arg_bool(v, "viommu", false),
			.hard_limit = pth_arg_size(v, "hard_limit", 0),
			.pid = (int)pth_arg_int(v, "pid", 0),
			.locked = pth_arg_bool(v, "locked", false),
			.max_memory = pth_arg_size(v, "max_memory", 0),
			.phbs = (unsigned)pth_arg_int(v, "phbs", 0),
		};
		const char *arch = pth_node_str(v, "arch") ? pth_node_str(v, "arch") : "x86_64";
		int a = pt_arch_from_string(arch);

		g_autofree char *where = pth_node_where(r->sc, fy_node_pair_key(p));

		/* the loader checked arch against the same names */
		cfg.arch = a < 0 ? PT_ARCH_X86_64 : (enum pt_arch)a;
		if (pt_vms_add(r->vms, &cfg, NULL) < 0) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s: VM %s is defined twice", where, cfg.name);
			return -EEXIST;
		}
	}
	return 0;
}

/* ---- the addresses steps name, and the whole set-up ---- */

/* Addresses the host has, or will have once a PF enables its VFs (offset and stride). */
static GHashTable *known_addresses(struct pt_host *host)
{
	GHashTable *known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (size_t i = 0; i < pt_host_dev_count(host); i++) {
		const struct pt_dev_props *p = pt_dev_props(pt_host_dev(host, i));

		g_hash_table_add(known, g_strdup(p->address));
		for (unsigned v = 0; p->sriov && v < p->sriov->totalvfs; v++) {
			unsigned rid = (p->bus << 8) + (p->slot << 3) + p->function +
				       p->sriov->offset + p->sriov->stride * v;

			g_hash_table_add(known, g_strdup_printf("%04x:%02x:%02x.%x", p->domain,
								rid >> 8 & 0xff, rid >> 3 & 0x1f,
								rid & 7));
		}
	}
	return known;
}

static gboolean check_address(struct pth_run *r, GHashTable *known, struct fy_node *n,
			      GError **error)
{
	const char *a = n && fy_node_is_scalar(n) ? fy_node_get_scalar0(n) : NULL;
	unsigned d, b, sl, f;
	char tail;

	if (!a || a[0] == '$' || sscanf(a, "%4x:%2x:%2x.%1x%c", &d, &b, &sl, &f, &tail) != 4 ||
	    g_hash_table_contains(known, a))
		return TRUE;
	{
		g_autofree char *where = pth_node_where(r->sc, n);

		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s: unknown device address %s (not in %s)", where, a,
			    r->sc->recording);
	}
	return FALSE;
}

/* Every address a step names must be one the host has (or a VF it can create). */
static int check_addresses(struct pth_run *r, GError **error)
{
	static const char *const scalar_keys[] = { "device", "pf", "same_address" };
	static const char *const list_keys[] = { "devices", "failover" };
	g_autoptr(GHashTable) known = known_addresses(pt_engine_host(r->e));
	struct fy_node *step, *item;
	void *it = NULL;

	while ((step = fy_node_sequence_iterate(r->sc->steps, &it))) {
		struct fy_node *args = NULL, *exp = pth_node_get(step, "expect"), *n;
		struct fy_node_pair *p;
		void *jt = NULL;

		pth_step_verb(step, &args);
		/* A step that expects the address to be missing names one the host lacks. */
		if (g_strcmp0(pth_node_str(exp, "error"), "device-not-found") == 0)
			continue;
		for (size_t k = 0; k < G_N_ELEMENTS(scalar_keys); k++)
			if (!check_address(r, known, pth_node_get(args, scalar_keys[k]), error))
				return -EINVAL;
		for (size_t k = 0; k < G_N_ELEMENTS(list_keys); k++) {
			jt = NULL;
			n = pth_node_get(args, list_keys[k]);
			while (n && (item = fy_node_sequence_iterate(n, &jt)))
				if (!check_address(r, known, item, error))
					return -EINVAL;
		}
		jt = NULL;
		n = pth_node_get(exp, "blockers");
		while (n && (item = fy_node_sequence_iterate(n, &jt)))
			if (!check_address(r, known, item, error))
				return -EINVAL;
		jt = NULL;
		n = pth_node_get(exp, "devices");
		while (n && (p = fy_node_mapping_iterate(n, &jt)))
			if (!check_address(r, known, fy_node_pair_key(p), error))
				return -EINVAL;
	}
	return 0;
}

/*
 * The host did not load: where the scenario names it (FILE:LINE:COL of host.recording, or the
 * file for a live host), then the recording's own error with its line, the path once.
 */
static int host_error(struct pth_run *r, int rc, const struct pt_error *err, GError **error)
{
	struct fy_node *host = pth_node_get(fy_document_root(r->sc->doc), "host");
	g_autofree char *where = pth_node_where(r->sc, pth_node_get(host, "recording"));
	const char *what = err->path[0]			? err->path :
			   r->target == PTH_TARGET_FAKE ? r->sc->recording :
							  "this machine";

	g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s: %s", where, what,
		    err->reason[0] ? err->reason : g_strerror(-rc));
	return rc;
}

int pth_run_setup(struct pth_run *r, GError **error)
{
	struct pt_host_options hopts = { .kernel = r->sc->kernel };
	struct pt_error err = { 0 };
	int rc;

	if (r->target != PTH_TARGET_FAKE) {
		/* live, or lab: this machine is the lab's guest */
		rc = pt_backend_sysfs_new("/", &r->be);
	} else {
		rc = pth_cache_copy(r->cache, r->sc->recording, r->sc->kernel, &r->fake, &err);
		if (rc >= 0)
			r->be = fks_host_backend(r->fake);
	}
	if (rc < 0)
		return host_error(r, rc, &err, error);
	if (r->fake &&
	    (apply_model(r, error) < 0 || apply_set(r, error) < 0 || add_faults(r, error) < 0))
		return -EINVAL;
	if (r->fake && r->fault && fks_host_add_fault(r->fake, r->fault) < 0) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "fault refused");
		return -EINVAL;
	}
	if (pt_trace_new(&r->trace) < 0)
		return -ENOMEM;
	rc = pt_engine_new(r->be, &hopts, r->trace, &r->e, &err);
	if (rc < 0)
		return host_error(r, rc, &err, error);
	if (pt_vms_new(&r->vms) < 0)
		return -ENOMEM;
	pt_engine_set_vms(r->e, r->vms);
	if (r->fake && check_addresses(r, error) < 0)
		return -EINVAL;
	return pth_run_add_vms(r, error);
}

void pth_run_teardown(struct pth_run *r)
{
	pt_engine_free(r->e);
	r->vms = pt_vms_free(r->vms);
	pt_backend_free(r->be);
	fks_host_free(r->fake);
	pt_trace_free(r->trace);
	r->e = NULL;
	r->be = NULL;
	r->fake = NULL;
	r->trace = NULL;
}
