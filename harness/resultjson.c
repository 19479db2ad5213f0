/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The canonical result (ptharness-result/1): each scenario, the hosts, rules and fidelity. */

#include <stdio.h>
#include <string.h>

#include "expect.h"
#include "fixture.h"
#include "resultjson.h"
#include "rules.h"

static int cmp_strp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void pth_result_scenario(struct pth_job *j, JsonNode *steps, const char *status,
			 const char *message, gint64 ms, unsigned tried, unsigned held,
			 GPtrArray *broken)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GPtrArray) fired = g_ptr_array_new();
	GHashTableIter it;
	gpointer key;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_string_value(b, j->id);
	json_builder_set_member_name(b, "file");
	json_builder_add_string_value(b, j->file);
	json_builder_set_member_name(b, "title");
	json_builder_add_string_value(b, j->sc ? j->sc->title : "");
	json_builder_set_member_name(b, "category");
	json_builder_add_string_value(b, j->sc ? j->sc->category : "");
	json_builder_set_member_name(b, "target");
	json_builder_add_string_value(b, pth_target_to_string(j->opts->target));
	json_builder_set_member_name(b, "host");
	json_builder_add_string_value(b, j->sc ? j->sc->host_name : "");
	json_builder_set_member_name(b, "status");
	json_builder_add_string_value(b, status);
	json_builder_set_member_name(b, "duration_ms");
	json_builder_add_int_value(b, ms);
	json_builder_set_member_name(b, "message");
	if (message)
		json_builder_add_string_value(b, message);
	else
		json_builder_add_null_value(b);
	if (j->fired) {
		g_hash_table_iter_init(&it, j->fired);
		while (g_hash_table_iter_next(&it, &key, NULL))
			g_ptr_array_add(fired, key);
	}
	g_ptr_array_sort(fired, cmp_strp);
	json_builder_set_member_name(b, "rules_fired");
	json_builder_begin_array(b);
	for (guint i = 0; i < fired->len; i++)
		json_builder_add_string_value(b, fired->pdata[i]);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "rules_missing");
	json_builder_begin_array(b);
	for (char **rl = j->sc ? j->sc->rules : NULL; rl && *rl; rl++)
		if ((!j->fired || !g_hash_table_contains(j->fired, *rl)) &&
		    pth_rule_needs_firing(j->opts->target, *rl))
			json_builder_add_string_value(b, *rl);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "fault_points");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "tried");
	json_builder_add_int_value(b, tried);
	json_builder_set_member_name(b, "held");
	json_builder_add_int_value(b, held);
	json_builder_set_member_name(b, "broken");
	json_builder_begin_array(b);
	for (guint i = 0; broken && i < broken->len; i++)
		json_builder_add_string_value(b, broken->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "steps");
	if (steps)
		json_builder_add_value(b, steps);
	else {
		json_builder_begin_array(b);
		json_builder_end_array(b);
	}
	json_builder_end_object(b);
	j->node = json_builder_get_root(b);
	j->status = status;
}

static void add_hex(JsonBuilder *b, const char *key, unsigned v, int width)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%0*x", width, v);
	json_builder_set_member_name(b, key);
	json_builder_add_string_value(b, buf);
}

/* The VM holding group id of host at the end of its scenarios: they may leave the group with
 * different VMs, so the smallest name, as report merge does, so that shards merge to this. */
static const char *group_vm(GPtrArray *jobs, const char *host, int id)
{
	g_autofree char *prefix = g_strdup_printf("%d\t", id);
	const char *vm = NULL;

	for (guint k = 0; k < jobs->len; k++) {
		struct pth_job *o = jobs->pdata[k];

		if (!o || !o->sc || strcmp(o->sc->host_name, host) != 0)
			continue;
		for (guint m = 0; o->held_by && m < o->held_by->len; m++) {
			const char *held = o->held_by->pdata[m];

			if (g_str_has_prefix(held, prefix) &&
			    (!vm || strcmp(held + strlen(prefix), vm) < 0))
				vm = held + strlen(prefix);
		}
	}
	return vm;
}

static void add_str_or_null(JsonBuilder *b, const char *key, const char *v)
{
	json_builder_set_member_name(b, key);
	if (v)
		json_builder_add_string_value(b, v);
	else
		json_builder_add_null_value(b);
}

static void host_device_json(JsonBuilder *b, const struct pt_dev *d)
{
	const struct pt_dev_props *p = pt_dev_props(d);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "address");
	json_builder_add_string_value(b, p->address);
	add_hex(b, "vendor", p->vendor, 4);
	add_hex(b, "device", p->device, 4);
	add_hex(b, "class", p->class, 6);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, p->device_name ? p->device_name : "");
	add_str_or_null(b, "driver", p->driver);
	json_builder_set_member_name(b, "iommu_group");
	if (p->iommu_group >= 0)
		json_builder_add_int_value(b, p->iommu_group);
	else
		json_builder_add_null_value(b);
	add_str_or_null(b, "parent", p->parent);
	add_str_or_null(b, "physfn", p->physfn);
	/* Only on a device the host needs: why (boot-vga, storage, default-route). */
	if (pt_dev_critical(d) != PT_CRITICAL_NONE) {
		json_builder_set_member_name(b, "host_critical");
		json_builder_add_string_value(b, pt_critical_to_string(pt_dev_critical(d)));
	} else if (pt_dev_critical_unknown(d)) {
		/* The data cannot show whether the host needs it: why (a warning, not a refusal). */
		json_builder_set_member_name(b, "host_critical_unknown");
		json_builder_add_string_value(b, pt_dev_critical_unknown(d));
	}
	json_builder_end_object(b);
}

static void host_group_json(JsonBuilder *b, const struct pt_group *grp, const char *vm)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, pt_group_id(grp));
	json_builder_set_member_name(b, "devices");
	json_builder_begin_array(b);
	for (size_t m = 0; m < pt_group_member_count(grp); m++)
		json_builder_add_string_value(b, pt_dev_address(pt_group_member(grp, m)));
	json_builder_end_array(b);
	json_builder_set_member_name(b, "viable");
	json_builder_add_boolean_value(b, pt_group_viable(grp));
	json_builder_set_member_name(b, "blockers");
	json_builder_begin_array(b);
	for (size_t m = 0; m < pt_group_blocker_count(grp); m++)
		json_builder_add_string_value(b, pt_dev_address(pt_group_blocker(grp, m)->dev));
	json_builder_end_array(b);
	add_str_or_null(b, "vm", vm);
	json_builder_end_object(b);
}

/* One picture of a host: name (the recording's, or with the scenario whose end state it
 * shows), its devices as that state has them, and which scenarios ended there. */
static void host_json(JsonBuilder *b, struct pth_job *j, const char *name, struct pt_host *host,
		      GPtrArray *jobs)
{
	const struct pt_kver *kv = pt_host_kernel(host);
	char kbuf[32];

	snprintf(kbuf, sizeof(kbuf), "%u.%u", kv->major, kv->minor);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, name);
	json_builder_set_member_name(b, "source");
	json_builder_add_string_value(b, j->sc->recording);
	json_builder_set_member_name(b, "kernel");
	json_builder_add_string_value(b, kbuf);
	json_builder_set_member_name(b, "devices");
	json_builder_begin_array(b);
	for (size_t d = 0; d < pt_host_dev_count(host); d++)
		host_device_json(b, pt_host_dev(host, d));
	json_builder_end_array(b);
	json_builder_set_member_name(b, "groups");
	json_builder_begin_array(b);
	for (size_t g = 0; g < pt_host_group_count(host); g++) {
		const struct pt_group *grp = pt_host_group(host, g);

		host_group_json(b, grp, group_vm(jobs, j->sc->host_name, pt_group_id(grp)));
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "scenarios");
	json_builder_begin_array(b);
	for (guint k = 0; k < jobs->len; k++)
		json_builder_add_string_value(b, ((struct pth_job *)jobs->pdata[k])->id);
	json_builder_end_array(b);
	json_builder_end_object(b);
}

/* One picture: a state of a host (an export of the model) and the scenarios that ended in it. */
struct picture {
	const char *state;
	GPtrArray *jobs; /* struct pth_job * */
};

static void picture_free(gpointer p)
{
	g_ptr_array_unref(((struct picture *)p)->jobs);
	g_free(p);
}

/* The states the scenarios on host (from job i on) ended in, each once, in the order of the
 * first scenario that ended in it; a scenario without an end state (not on the model) shows
 * the recording as it was loaded, start. */
static GPtrArray *pictures_of(GPtrArray *jobs, guint i, const char *host, const char *start)
{
	GPtrArray *pics = g_ptr_array_new_with_free_func(picture_free);

	for (; i < jobs->len; i++) {
		struct pth_job *o = jobs->pdata[i];
		const char *state = o->end_state ? o->end_state : start;
		struct picture *p = NULL;

		if (!o->sc || !o->sc->recording || strcmp(o->sc->host_name, host) != 0)
			continue;
		for (guint k = 0; k < pics->len && !p; k++)
			if (strcmp(((struct picture *)pics->pdata[k])->state, state) == 0)
				p = pics->pdata[k];
		if (!p) {
			p = g_new0(struct picture, 1);
			p->state = state;
			p->jobs = g_ptr_array_new();
			g_ptr_array_add(pics, p);
		}
		g_ptr_array_add(p->jobs, o);
	}
	return pics;
}

static void picture_json(JsonBuilder *b, struct pth_job *j, struct picture *p, const char *name,
			 struct fks_host *h)
{
	struct pt_host_options ho = { .kernel = j->sc->kernel, .names = true };
	struct fks_options fo = { .kernel = j->sc->kernel };
	struct fks_host *own = NULL;
	struct pt_backend *be;
	struct pt_host *host = NULL;
	struct pt_error err = { 0 };

	if (!h && fks_host_new_from_text(j->sc->recording, p->state, strlen(p->state), &fo, &own,
					 &err) < 0)
		return;
	be = fks_host_backend(h ? h : own);
	if (pt_host_new(be, &ho, &host, &err) >= 0) {
		host_json(b, j, name, host, p->jobs);
		pt_host_free(host);
	}
	pt_backend_free(be);
	fks_host_free(own);
}

/*
 * The recorded hosts the scenarios ran on, as the reports draw them: one picture per state
 * the scenarios on a host ended in (its drivers and VMs as that state has them), named after
 * the host for the host as loaded, else "HOST @ SUM" (the first 8 hex digits of the state's
 * SHA-256: the same in every shard); "scenarios" lists the ones that ended there.
 */
struct later {
	char *name;
	struct pth_job *j;
	struct picture p;
};

static void later_free(gpointer p)
{
	struct later *l = p;

	g_free(l->name);
	g_ptr_array_unref(l->p.jobs);
	g_free(l);
}

static gint cmp_later(gconstpointer a, gconstpointer b)
{
	return strcmp((*(struct later *const *)a)->name, (*(struct later *const *)b)->name);
}

static void add_hosts(JsonBuilder *b, struct pth_cache *c, GPtrArray *jobs)
{
	g_autoptr(GHashTable) done = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GPtrArray) ends = g_ptr_array_new_with_free_func(later_free);

	json_builder_set_member_name(b, "hosts");
	json_builder_begin_array(b);
	for (guint i = 0; i < jobs->len; i++) {
		struct pth_job *j = jobs->pdata[i];
		g_autoptr(GPtrArray) pics = NULL;
		g_autofree char *start = NULL;
		struct fks_host *h = NULL;
		struct pt_error err = { 0 };

		if (!j->sc || !j->sc->recording || g_hash_table_contains(done, j->sc->host_name) ||
		    pth_cache_copy(c, j->sc->recording, j->sc->kernel, &h, &err) < 0)
			continue;
		g_hash_table_add(done, j->sc->host_name);
		if (fks_host_export_recording(h, &start) < 0) {
			fks_host_free(h);
			continue;
		}
		pics = pictures_of(jobs, i, j->sc->host_name, start);
		for (guint k = 0; k < pics->len; k++) {
			struct picture *p = pics->pdata[k];
			g_autofree char *sum = NULL;
			struct later *l;

			if (p->state == start || strcmp(p->state, start) == 0) {
				picture_json(b, j, p, j->sc->host_name, h);
				continue;
			}
			sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, p->state, -1);
			l = g_new0(struct later, 1);
			l->name = g_strdup_printf("%s @ %.8s", j->sc->host_name, sum);
			l->j = j;
			l->p.state = p->state; /* a job's end state: lives as long as the jobs */
			l->p.jobs = g_ptr_array_ref(p->jobs);
			g_ptr_array_add(ends, l);
		}
		fks_host_free(h);
	}
	/* The hosts as loaded in the order the scenarios first use them, then the end states by
	 * name: the order report merge gives shards, so that merged shards equal the run. */
	g_ptr_array_sort(ends, cmp_later);
	for (guint k = 0; k < ends->len; k++) {
		struct later *l = ends->pdata[k];

		picture_json(b, l->j, &l->p, l->name, NULL);
	}
	json_builder_end_array(b);
}

/* Whether scenario j exercised rule: it fired, or (on a real kernel, where kernel rules are
 * not named) the scenario declares it. */
static bool exercised_by(const struct pth_job *j, const struct pt_rule *rule)
{
	if (j->fired && g_hash_table_contains(j->fired, rule->id))
		return true;
	if (!j->sc || pth_rule_needs_firing(j->opts->target, rule->id))
		return false;
	for (char **rl = j->sc->rules; rl && *rl; rl++)
		if (strcmp(*rl, rule->id) == 0)
			return true;
	return false;
}

static void add_rules(JsonBuilder *b, GPtrArray *jobs, unsigned target)
{
	json_builder_set_member_name(b, "rules");
	json_builder_begin_array(b);
	for (size_t i = 0; i < pt_rule_count(); i++) {
		const struct pt_rule *rule = pt_rule_at(i);

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_string_value(b, rule->id);
		json_builder_set_member_name(b, "kind");
		json_builder_add_string_value(b, pt_rule_kind_to_string(rule->kind));
		json_builder_set_member_name(b, "statement");
		json_builder_add_string_value(b, rule->statement);
		json_builder_set_member_name(b, "source");
		json_builder_add_string_value(b, rule->source);
		json_builder_set_member_name(b, "exercised");
		json_builder_begin_object(b);
		for (unsigned t = PTH_TARGET_FAKE; t <= PTH_TARGET_LIVE; t <<= 1) {
			json_builder_set_member_name(b, pth_target_to_string(t));
			json_builder_begin_array(b);
			for (guint k = 0; t == target && k < jobs->len; k++) {
				struct pth_job *j = jobs->pdata[k];

				if (exercised_by(j, rule) && strcmp(j->status, "skip") != 0)
					json_builder_add_string_value(b, j->id);
			}
			json_builder_end_array(b);
		}
		json_builder_end_object(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

/* Kernel rules exercised by scenarios that also run on the lab: this target's verdict. */
static void add_fidelity(JsonBuilder *b, GPtrArray *jobs, unsigned target)
{
	json_builder_set_member_name(b, "fidelity");
	json_builder_begin_array(b);
	for (size_t i = 0; i < pt_rule_count(); i++) {
		const struct pt_rule *rule = pt_rule_at(i);
		const char *verdict = "none";

		if (rule->kind != PT_RULE_KERNEL)
			continue;
		for (guint k = 0; k < jobs->len; k++) {
			struct pth_job *j = jobs->pdata[k];

			if (!j->sc || !(j->sc->targets & PTH_TARGET_LAB) ||
			    !(j->sc->targets & PTH_TARGET_FAKE) || !exercised_by(j, rule))
				continue;
			if (strcmp(j->status, "pass") == 0 && strcmp(verdict, "fail") != 0)
				verdict = "pass";
			else if (strcmp(j->status, "fail") == 0 || strcmp(j->status, "error") == 0)
				verdict = "fail";
		}
		if (strcmp(verdict, "none") == 0)
			continue;
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "rule");
		json_builder_add_string_value(b, rule->id);
		for (unsigned t = PTH_TARGET_FAKE; t <= PTH_TARGET_LAB; t <<= 1) {
			json_builder_set_member_name(b, pth_target_to_string(t));
			json_builder_add_string_value(b, t == target ? verdict : "none");
		}
		json_builder_set_member_name(b, "agree");
		json_builder_add_null_value(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void add_header(JsonBuilder *b, const struct pth_run_options *opts)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");

	json_builder_set_member_name(b, "schema");
	json_builder_add_string_value(b, PTH_RESULT_SCHEMA);
	json_builder_set_member_name(b, "generated");
	json_builder_add_string_value(b, stamp);
	json_builder_set_member_name(b, "tool");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, "ptharness");
	json_builder_set_member_name(b, "version");
	json_builder_add_string_value(b, PTH_VERSION);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "target");
	json_builder_add_string_value(b, pth_target_to_string(opts->target));
	json_builder_set_member_name(b, "shard");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "index");
	json_builder_add_int_value(b, opts->shard_count ? opts->shard_index : 1);
	json_builder_set_member_name(b, "count");
	json_builder_add_int_value(b, opts->shard_count ? opts->shard_count : 1);
	json_builder_end_object(b);
}

static void add_int(JsonBuilder *b, const char *key, gint64 v)
{
	json_builder_set_member_name(b, key);
	json_builder_add_int_value(b, v);
}

/* The statuses a scenario can have, in the summary's order and words. */
static const struct {
	const char *status, *member;
} summary_counts[] = {
	{ "pass", "passed" },
	{ "fail", "failed" },
	{ "error", "errors" },
	{ "skip", "skipped" },
};

static void add_summary(JsonBuilder *b, GPtrArray *jobs, gint64 ms)
{
	gint64 counts[G_N_ELEMENTS(summary_counts)] = { 0 }, tried = 0, held = 0;

	for (guint i = 0; i < jobs->len; i++) {
		struct pth_job *j = jobs->pdata[i];
		JsonObject *fp = json_object_get_object_member(json_node_get_object(j->node),
							       "fault_points");
		size_t k = 0;

		while (k < G_N_ELEMENTS(summary_counts) - 1 &&
		       strcmp(j->status, summary_counts[k].status) != 0)
			k++;
		counts[k]++;
		tried += json_object_get_int_member(fp, "tried");
		held += json_object_get_int_member(fp, "held");
	}
	json_builder_set_member_name(b, "summary");
	json_builder_begin_object(b);
	add_int(b, "scenarios", jobs->len);
	for (size_t k = 0; k < G_N_ELEMENTS(summary_counts); k++)
		add_int(b, summary_counts[k].member, counts[k]);
	add_int(b, "duration_ms", ms);
	json_builder_set_member_name(b, "fault_points");
	json_builder_begin_object(b);
	add_int(b, "tried", tried);
	add_int(b, "held", held);
	json_builder_end_object(b);
	json_builder_end_object(b);
}

JsonNode *pth_result_build(GPtrArray *jobs, struct pth_cache *cache,
			   const struct pth_run_options *opts, gint64 ms)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	add_header(b, opts);
	add_summary(b, jobs, ms);
	add_hosts(b, cache, jobs);
	add_rules(b, jobs, opts->target);
	json_builder_set_member_name(b, "scenarios");
	json_builder_begin_array(b);
	for (guint i = 0; i < jobs->len; i++)
		json_builder_add_value(b, json_node_ref(((struct pth_job *)jobs->pdata[i])->node));
	json_builder_end_array(b);
	add_fidelity(b, jobs, opts->target);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}
