/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Concurrent users of one host: a lock per IOMMU group, and the state file merged, not replaced. */

/*
 * The plan: a command that changes some devices (detach, reattach, attach, release,
 * set-numvfs) takes the host's lock STATE.lock shared and, in the order of their ids, an
 * exclusive lock STATE.group-N.lock for every IOMMU group it may write to (its devices' groups,
 * the groups of a PF's VFs); a command that may change anything (recover, certify, select-vf)
 * takes STATE.lock exclusive. So two commands on different groups run side by side, two on one
 * group never interleave their writes, and recover waits for every command. A recorded host is
 * one file: commands that save to the same recording take STATE.model.lock first (session.c).
 *
 * The state file is never replaced by what one command loaded: every write (the journal added,
 * a dynamic id noted, the result) rereads the file under STATE.rmw.lock and changes only what
 * this command changed since it loaded it (detached devices and VM devices by address, its own
 * journal), so that a parallel command's entries survive. "pending" holds one journal per
 * running command; a journal is interrupted when its owner's locks are free (the kernel drops a
 * flock when its holder dies, however it dies). When a command ends, the journals of commands
 * still running learn the end state of its devices, so that undoing one of them later does
 * not undo this command's finished work.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "commands.h"
#include "session.h"
#include "state.h"

static char *lock_path(const struct pth_session *s, const char *what)
{
	return g_strdup_printf("%s.%s.lock", s->state_out, what);
}

static char *group_lock_path(const struct pth_session *s, gint64 id)
{
	g_autofree char *what = g_strdup_printf("group-%" G_GINT64_FORMAT, id);

	return lock_path(s, what);
}

static void add_group(GArray *ids, gint64 id)
{
	for (guint i = 0; i < ids->len; i++)
		if (g_array_index(ids, gint64, i) == id)
			return;
	g_array_append_val(ids, id);
}

/* The group of a device, and for a PF the groups of its VFs; -1 (whole host) when one has no
 * group (no IOMMU: nothing narrower than the host to lock). */
static int add_dev(struct pth_session *s, GArray *ids, const char *address)
{
	const struct pt_host *h = pt_engine_host(s->engine);
	const struct pt_dev *d = pt_host_find_dev(h, address);
	const struct pt_dev_props *p = d ? pt_dev_props(d) : NULL;

	if (!p || p->iommu_group < 0)
		return -1;
	add_group(ids, p->iommu_group);
	for (size_t i = 0; p->sriov && i < pt_host_dev_count(h); i++) {
		const struct pt_dev_props *v = pt_dev_props(pt_host_dev(h, i));

		if (v->physfn && strcmp(v->physfn, address) == 0 && v->iommu_group >= 0)
			add_group(ids, v->iommu_group);
	}
	return 0;
}

/* The devices release --vm gives back, as the state file has them now. */
static int add_vm(struct pth_session *s, GArray *ids)
{
	g_autoptr(GError) error = NULL;
	JsonNode *body = NULL;
	JsonArray *vms;
	int r = 0;

	if (pth_state_read(s->state_file, s->boot_id, &body, &error) < 0 || !body)
		return 0; /* the load reports it; nothing to give back */
	vms = json_object_get_array_member(json_node_get_object(body), "vms");
	for (guint i = 0; vms && i < json_array_get_length(vms); i++) {
		JsonObject *v = json_array_get_object_element(vms, i);
		JsonArray *devs = json_object_get_array_member(v, "devices");

		if (strcmp(json_object_get_string_member_with_default(v, "name", ""), s->lock_vm))
			continue;
		for (guint j = 0; r == 0 && devs && j < json_array_get_length(devs); j++)
			r = add_dev(s, ids,
				    json_object_get_string_member_with_default(
					    json_array_get_object_element(devs, j), "address", ""));
	}
	json_node_unref(body);
	return r;
}

static gint cmp_id(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return x < y ? -1 : x > y;
}

/* The groups this command may write to, sorted (the order every command takes them in, so
 * that two never wait for each other); NULL: the whole host. */
static GArray *groups_to_lock(struct pth_session *s)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	int r = 0;

	if (!s->lock_devices && !s->lock_vm) {
		g_array_free(ids, TRUE);
		return NULL;
	}
	for (const char *const *d = s->lock_devices; r == 0 && d && *d; d++)
		r = add_dev(s, ids, *d);
	if (r == 0 && s->lock_vm)
		r = add_vm(s, ids);
	if (r < 0) {
		g_array_free(ids, TRUE);
		return NULL;
	}
	g_array_sort(ids, cmp_id);
	return ids;
}

static int take(struct pth_session *s, const char *cmd, const char *path, bool shared,
		unsigned *waited)
{
	g_autoptr(GError) error = NULL;
	gint64 start = g_get_monotonic_time();
	unsigned left = s->wait_ms > *waited ? s->wait_ms - *waited : 0;
	int fd = pth_lock_take(path, cmd, left, shared, &error);

	*waited += (unsigned)((g_get_monotonic_time() - start) / 1000);
	if (fd < 0) {
		fprintf(stderr, "ptharness %s: %s\n", cmd, error->message);
		return -1;
	}
	if (!s->lock_fds)
		s->lock_fds = g_array_new(FALSE, FALSE, sizeof(int));
	g_array_append_val(s->lock_fds, fd);
	return 0;
}

int pth_session_lock(struct pth_session *s, const char *cmd)
{
	g_autofree char *host = g_strconcat(s->state_out, ".lock", NULL);
	struct pt_error err = { 0 };
	unsigned waited = 0;

	s->locked_groups = groups_to_lock(s);
	if (take(s, cmd, host, s->locked_groups != NULL, &waited) < 0)
		return PTH_EXIT_INPUT;
	for (guint i = 0; s->locked_groups && i < s->locked_groups->len; i++) {
		g_autofree char *p = group_lock_path(s, g_array_index(s->locked_groups, gint64, i));

		if (take(s, cmd, p, false, &waited) < 0)
			return PTH_EXIT_INPUT;
	}
	/* Another command may have changed these groups while this one waited. */
	if (waited && pt_engine_rescan(s->engine, &err) < 0) {
		fprintf(stderr, "ptharness %s: %s: %s: %s\n", cmd, s->spec, err.path, err.reason);
		return PTH_EXIT_INPUT;
	}
	return 0;
}

void pth_session_unlock(struct pth_session *s)
{
	for (guint i = 0; s->lock_fds && i < s->lock_fds->len; i++)
		close(g_array_index(s->lock_fds, int, i));
	g_clear_pointer(&s->lock_fds, g_array_unref);
	g_clear_pointer(&s->locked_groups, g_array_unref);
}

bool pth_session_locked_group(const struct pth_session *s, gint64 id)
{
	if (!s->locked_groups)
		return s->lock_fds != NULL; /* the whole host */
	for (guint i = 0; i < s->locked_groups->len; i++)
		if (g_array_index(s->locked_groups, gint64, i) == id)
			return true;
	return false;
}

/* Whether the command that wrote journal j (in the state file this one loaded) still runs: it
 * holds its groups' locks, beside that file. */
bool pth_session_journal_alive(struct pth_session *s, JsonObject *j)
{
	JsonArray *groups = json_object_get_array_member(j, "groups");
	bool ours = s->state_out && strcmp(s->state_out, s->state_file) == 0;
	bool alive = groups != NULL;

	/* Without groups it held the whole host, which no other command then gets. */
	for (guint i = 0; alive && i < json_array_get_length(groups); i++) {
		gint64 id = json_array_get_int_element(groups, i);
		g_autofree char *p =
			g_strdup_printf("%s.group-%" G_GINT64_FORMAT ".lock", s->state_file, id);
		int fd;

		if (ours && pth_session_locked_group(s, id))
			return false; /* ours now: its holder is gone */
		fd = open(p, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			return false;
		alive = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
		close(fd);
	}
	return alive;
}

/* ---- the state file, merged ---- */

static JsonArray *arr(JsonNode *body, const char *name)
{
	JsonObject *o = body && JSON_NODE_HOLDS_OBJECT(body) ? json_node_get_object(body) : NULL;
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

static JsonObject *find(JsonArray *a, const char *key, const char *value)
{
	for (guint i = 0; a && i < json_array_get_length(a); i++) {
		JsonObject *o = json_array_get_object_element(a, i);

		if (o && strcmp(json_object_get_string_member_with_default(o, key, ""), value) == 0)
			return o;
	}
	return NULL;
}

static bool equal(JsonObject *a, JsonObject *b)
{
	g_autoptr(JsonNode) x = json_node_init_object(json_node_alloc(), a);
	g_autoptr(JsonNode) y = json_node_init_object(json_node_alloc(), b);

	return json_node_equal(x, y);
}

/* Entries by address: fresh's, minus those this command removed since it loaded, with the
 * ones it added or changed. */
static JsonArray *merge_list(JsonArray *fresh, JsonArray *loaded, JsonArray *mine)
{
	JsonArray *out = json_array_new();

	for (guint i = 0; fresh && i < json_array_get_length(fresh); i++) {
		JsonObject *o = json_array_get_object_element(fresh, i);
		const char *a = json_object_get_string_member_with_default(o, "address", "");

		if (find(loaded, "address", a) && !find(mine, "address", a))
			continue; /* this command gave it back */
		if (!find(mine, "address", a) ||
		    (find(loaded, "address", a) &&
		     equal(find(loaded, "address", a), find(mine, "address", a))))
			json_array_add_object_element(out, json_object_ref(o));
	}
	for (guint i = 0; mine && i < json_array_get_length(mine); i++) {
		JsonObject *o = json_array_get_object_element(mine, i);
		const char *a = json_object_get_string_member_with_default(o, "address", "");
		JsonObject *l = find(loaded, "address", a);

		/* Unchanged here and gone from fresh: another command gave it back. */
		if (!l || !equal(l, o))
			json_array_add_object_element(out, json_object_ref(o));
	}
	return out;
}

/* VMs by name, their devices by address as merge_list; a VM left with none is dropped. */
static JsonArray *merge_vms(JsonArray *fresh, JsonArray *loaded, JsonArray *mine)
{
	JsonArray *out = json_array_new();
	g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
	JsonArray *all[] = { fresh, mine };

	for (size_t k = 0; k < G_N_ELEMENTS(all); k++)
		for (guint i = 0; all[k] && i < json_array_get_length(all[k]); i++) {
			JsonObject *v = json_array_get_object_element(all[k], i);
			const char *n = json_object_get_string_member_with_default(v, "name", "");
			JsonObject *f = find(fresh, "name", n), *l = find(loaded, "name", n),
				   *m = find(mine, "name", n);
			JsonObject *o;
			JsonArray *devs;

			if (g_hash_table_contains(names, n))
				continue;
			g_hash_table_add(names, (gpointer)n);
			devs = merge_list(f ? json_object_get_array_member(f, "devices") : NULL,
					  l ? json_object_get_array_member(l, "devices") : NULL,
					  m ? json_object_get_array_member(m, "devices") : NULL);
			if (!json_array_get_length(devs)) {
				json_array_unref(devs);
				continue;
			}
			o = json_object_new();
			json_object_set_string_member(o, "name", n);
			json_object_set_int_member(
				o, "memory",
				json_object_get_int_member_with_default(f ? f : m, "memory", 0));
			json_object_set_boolean_member(o, "viommu",
						       json_object_get_boolean_member_with_default(
							       f ? f : m, "viommu", FALSE));
			json_object_set_array_member(o, "devices", devs);
			json_array_add_object_element(out, o);
		}
	return out;
}

static bool same_journal(JsonObject *a, JsonObject *b)
{
	return a && b &&
	       json_object_get_int_member_with_default(a, "pid", -1) ==
		       json_object_get_int_member_with_default(b, "pid", -2) &&
	       json_object_get_int_member_with_default(a, "started", -1) ==
		       json_object_get_int_member_with_default(b, "started", -2);
}

/* A running command's journal learns the end state of the devices this command changed
 * (those in its groups, and the VFs of its PFs), so that undoing it leaves them alone. */
static void teach(struct pth_session *s, JsonObject *j)
{
	JsonArray *devs = json_object_get_array_member(j, "devices");
	g_autoptr(JsonNode) now = pth_session_snapshot(s);
	JsonArray *cur = json_node_get_array(now);
	JsonArray *out = json_array_new();

	for (guint i = 0; devs && i < json_array_get_length(devs); i++) {
		JsonObject *o = json_array_get_object_element(devs, i);
		gint64 g = json_object_get_int_member_with_default(o, "group", -1);

		if (g < 0 || !pth_session_locked_group(s, g))
			json_array_add_object_element(out, json_object_ref(o));
	}
	for (guint i = 0; i < json_array_get_length(cur); i++) {
		JsonObject *o = json_array_get_object_element(cur, i);
		gint64 g = json_object_get_int_member_with_default(o, "group", -1);

		if (g >= 0 && pth_session_locked_group(s, g) &&
		    !find(out, "address", json_object_get_string_member(o, "address")))
			json_array_add_object_element(out, json_object_ref(o));
	}
	json_object_set_array_member(j, "devices", out);
}

/* The pending journals of fresh: mine replaced (or dropped when journal is NULL), those
 * recover put back (drop) dropped, the others taught what this command did when it ends. */
static JsonArray *merge_pending(struct pth_session *s, JsonArray *fresh, JsonNode *journal,
				JsonObject *drop, bool ending)
{
	JsonArray *out = json_array_new();
	JsonObject *mine = journal ? json_node_get_object(journal) : NULL;
	bool placed = false;

	for (guint i = 0; fresh && i < json_array_get_length(fresh); i++) {
		JsonObject *j = json_array_get_object_element(fresh, i);

		if (!j || same_journal(j, drop))
			continue;
		if (same_journal(j, s->journal ? json_node_get_object(s->journal) : NULL)) {
			if (mine && !placed)
				json_array_add_object_element(out, json_object_ref(mine));
			placed = true;
			continue;
		}
		if (ending && s->locked_groups)
			teach(s, j);
		json_array_add_object_element(out, json_object_ref(j));
	}
	if (mine && !placed)
		json_array_add_object_element(out, json_object_ref(mine));
	return out;
}

int pth_session_rmw_lock(struct pth_session *s, const char *cmd)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *rmw = lock_path(s, "rmw");
	int fd = pth_lock_take(rmw, cmd, 10000, false, &error);

	if (fd < 0)
		fprintf(stderr, "ptharness %s: %s\n", cmd, error->message);
	return fd;
}

int pth_session_write_state(struct pth_session *s, const char *cmd, JsonNode *journal, bool ending)
{
	g_autoptr(GError) error = NULL;
	JsonNode *mine = pth_session_state_body(s, NULL);
	JsonNode *fresh = NULL;
	JsonObject *body = json_object_new();
	JsonNode *root;
	int fd = pth_session_rmw_lock(s, cmd);
	int r = fd < 0 ? -EBUSY : 0;

	/* The file this command loaded is the one it writes: reread it (another command may have
	 * changed it since); a model saved elsewhere starts from what was loaded. */
	if (r == 0 && strcmp(s->state_file, s->state_out) == 0)
		r = pth_state_read(s->state_out, s->boot_id, &fresh, &error);
	if (r == 0 && !fresh && s->loaded)
		fresh = json_node_copy(s->loaded);
	if (r == 0) {
		JsonArray *pending = merge_pending(
			s, arr(fresh, "pending"), journal,
			s->recovered ? json_node_get_object(s->recovered) : NULL, ending);

		json_object_set_array_member(body, "detached",
					     merge_list(arr(fresh, "detached"),
							arr(s->loaded, "detached"),
							arr(mine, "detached")));
		json_object_set_array_member(
			body, "vms",
			merge_vms(arr(fresh, "vms"), arr(s->loaded, "vms"), arr(mine, "vms")));
		if (json_array_get_length(pending)) {
			json_object_set_array_member(body, "pending", pending);
		} else {
			json_array_unref(pending);
			json_object_set_null_member(body, "pending");
		}
		root = json_node_init_object(json_node_alloc(), body);
		r = pth_state_write(s->state_out, s->boot_id, root, &error);
		json_node_unref(root);
	} else {
		json_object_unref(body);
	}
	if (fd >= 0)
		close(fd);
	json_node_unref(mine);
	if (fresh)
		json_node_unref(fresh);
	if (r < 0) {
		fprintf(stderr, "ptharness %s: cannot save the engine's state: %s\n", cmd,
			error ? error->message : g_strerror(-r));
		return PTH_EXIT_INPUT;
	}
	return 0;
}
