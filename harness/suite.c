/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A suite of scenarios: each loaded, the shard kept, run in worker threads into one result. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "expect.h"
#include "fixture.h"
#include "result.h"
#include "resultjson.h"
#include "runner.h"
#include "progress.h"
#include "suite.h"
#include "verbs.h"
#include "vm.h"

static void note_vms(struct pth_job *j, struct pth_run *r)
{
	for (size_t i = 0; i < pt_vms_count(r->vms); i++) {
		const struct pt_vm *vm = pt_vms_vm(r->vms, i);

		for (size_t k = 0; k < pt_vm_device_count(vm); k++) {
			const struct pt_dev *d =
				pt_host_find_dev(pt_engine_host(r->e), pt_vm_device(vm, k));

			if (d && pt_dev_props(d)->iommu_group >= 0)
				g_ptr_array_add(j->held_by,
						g_strdup_printf("%d\t%s (%s)",
								pt_dev_props(d)->iommu_group,
								pt_vm_name(vm), j->id));
		}
	}
}

static struct fy_node *uses_dut(struct fy_node *n)
{
	struct fy_node *found = NULL, *item;
	struct fy_node_pair *p;
	void *it = NULL;

	if (!n)
		return NULL;
	if (fy_node_is_scalar(n))
		return strstr(fy_node_get_scalar0(n) ?: "", "$DUT") ? n : NULL;
	if (fy_node_is_sequence(n)) {
		while (!found && (item = fy_node_sequence_iterate(n, &it)))
			found = uses_dut(item);
		return found;
	}
	while (!found && (p = fy_node_mapping_iterate(n, &it))) {
		const char *k = fy_node_get_scalar0(fy_node_pair_key(p));

		/* the certify verb checks the device under test too */
		if (k && strcmp(k, "certify") == 0 &&
		    !pth_node_str(fy_node_pair_value(p), "profile"))
			return fy_node_pair_key(p);
		found = uses_dut(fy_node_pair_key(p)) ?: uses_dut(fy_node_pair_value(p));
	}
	return found;
}

/* Why j does not run on this target, or NULL when it does. Caller frees. */
static char *skip_reason(const struct pth_job *j)
{
	if (!(j->sc->targets & j->opts->target))
		return g_strdup_printf("not declared for the %s target",
				       pth_target_to_string(j->opts->target));
	if (j->opts->target != PTH_TARGET_FAKE && (j->sc->faults || j->sc->set || j->sc->model))
		return g_strdup("faults, host.set and host.model need the fake target");
	return NULL;
}

/* The scenario's verdict after its steps ran, and the message that goes with it. */
static const char *verdict(const struct pth_job *j, const struct pth_run *r, const char *status,
			   GPtrArray *broken, const char **ret_message)
{
	bool missing = false;

	/* A run skipped (an exec step's program is not installed) fired nothing: it is a skip,
	 * not a rule that never fired; a fault point that broke the host still fails it. */
	if (r->status == PTH_CERT_SKIP && strcmp(status, "pass") == 0 && !broken->len) {
		*ret_message = r->reason;
		return "skip";
	}
	for (char **rl = j->sc->rules; rl && *rl; rl++)
		missing |= !g_hash_table_contains(j->fired, *rl) &&
			   pth_rule_needs_firing(j->opts->target, *rl);
	*ret_message = missing	   ? "a rule the scenario names never fired" :
		       broken->len ? "a fault point left the host changed" :
				     NULL;
	if (missing || broken->len)
		return "fail";
	if (r->status == PTH_CERT_SKIP && strcmp(status, "pass") == 0)
		status = "skip"; /* a certify check skipped, with its reason */
	if (r->reason && strcmp(status, "pass") != 0)
		*ret_message = r->reason;
	return status;
}

static void run_job(gpointer data, gpointer user)
{
	struct pth_job *j = data;
	g_autoptr(JsonBuilder) sb = json_builder_new();
	g_autoptr(GPtrArray) broken = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) error = NULL;
	g_autofree char *skip = NULL;
	gint64 start = g_get_monotonic_time();
	unsigned tried = 0, held = 0;
	const char *status, *message;
	struct pth_run r;

	(void)user;
	if (j->load_error) {
		pth_result_scenario(j, NULL, "error", j->load_error, 0, 0, 0, NULL);
		return;
	}
	if ((skip = skip_reason(j))) {
		pth_result_scenario(j, NULL, "skip", skip, 0, 0, 0, NULL);
		return;
	}
	pth_run_init(&r, j->sc, j->opts->target, j->fired);
	r.cache = j->cache;
	r.dut = j->opts->dut;
	r.hooks = j->opts->hooks;
	if (j->opts->faults_all && j->opts->target == PTH_TARGET_FAKE) {
		r.points = g_ptr_array_new_with_free_func(g_free);
		r.after = g_ptr_array_new_with_free_func(g_free);
	}
	if (pth_run_setup(&r, &error) < 0) {
		/* an input error found when the run starts: as a load error */
		j->input_error = true;
		pth_run_teardown(&r);
		pth_result_scenario(j, NULL, "error", error->message, 0, 0, 0, NULL);
		pth_run_clear(&r);
		return;
	}
	status = pth_run_steps(&r, sb);
	note_vms(j, &r);
	/* The host as this scenario left it: the picture the report draws for it. */
	if (r.fake && fks_host_export_recording(r.fake, &j->end_state) < 0)
		j->end_state = NULL;
	pth_run_teardown(&r);
	if (r.points)
		pth_run_faults(&r, &tried, &held, broken);
	status = verdict(j, &r, status, broken, &message);
	pth_result_scenario(j, json_builder_get_root(sb), status, message,
			    (g_get_monotonic_time() - start) / 1000, tried, held, broken);
	pth_run_clear(&r);
}

static int cmp_job_id(gconstpointer a, gconstpointer b)
{
	return strcmp((*(struct pth_job *const *)a)->id, (*(struct pth_job *const *)b)->id);
}

static void free_job(gpointer p)
{
	struct pth_job *j = p;

	if (j->node)
		json_node_unref(j->node);
	pth_scenario_free(j->sc);
	g_free(j->load_error);
	g_free(j->id);
	if (j->fired)
		g_hash_table_unref(j->fired);
	if (j->held_by)
		g_ptr_array_unref(j->held_by);
	g_free(j->end_state);
	g_free(j);
}

/* A job for file, or NULL when it is outside the shard or not for this target's runs (a scenario
 * for the live target only, e.g. a certification check, has no host to load elsewhere: it is
 * not part of the run, not a skip). Loads it; a load error is its result. */
static struct pth_job *new_job(const char *file, const struct pth_run_options *opts,
			       struct pth_cache *cache)
{
	const struct pth_load_options lo = { .root = opts->root,
					     .verbs = pth_verbs,
					     .checks = opts->checks };
	g_autofree char *id = pth_scenario_id(file, opts->root);
	g_autoptr(GError) error = NULL;
	struct fy_node *dut;
	struct pth_job *j;

	if (opts->shard_count && prp_shard_of(id, opts->shard_count) != opts->shard_index)
		return NULL;
	j = g_new0(struct pth_job, 1);
	j->file = file;
	j->opts = opts;
	j->cache = cache;
	j->id = g_steal_pointer(&id);
	j->sc = pth_scenario_load(file, &lo, &error);
	if (j->sc && j->sc->targets == PTH_TARGET_LIVE && opts->target != PTH_TARGET_LIVE) {
		free_job(j);
		return NULL;
	}
	if (!j->sc) {
		j->load_error = g_strdup(error->message);
	} else if (!opts->dut && (j->sc->targets & opts->target) &&
		   (dut = uses_dut(j->sc->steps))) {
		g_autofree char *where = pth_node_where(j->sc, dut);

		j->load_error = g_strdup_printf("%s: the scenario uses $DUT (or certify:) but no "
						"device under test was given (--dut BDF)",
						where);
	}
	j->input_error = j->load_error != NULL;
	j->fired = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	j->held_by = g_ptr_array_new_with_free_func(g_free);
	return j;
}

/* Run the jobs in opts->jobs threads, with a progress line when asked. */
static void run_pool(GPtrArray *jobs, const struct pth_run_options *opts)
{
	GThreadPool *pool =
		g_thread_pool_new(run_job, NULL, (int)(opts->jobs ? opts->jobs : 1), TRUE, NULL);

	for (guint i = 0; i < jobs->len; i++)
		g_thread_pool_push(pool, jobs->pdata[i], NULL);
	pth_progress_pool(pool, jobs->len, "scenarios", opts->progress);
}

JsonNode *pth_run_scenarios(GPtrArray *files, const struct pth_run_options *opts,
			    unsigned *ret_load_errors)
{
	struct pth_cache *cache = pth_cache_new();
	g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func(free_job);
	gint64 start = g_get_monotonic_time();
	unsigned load_errors = 0;
	JsonNode *root;

	for (guint i = 0; i < files->len; i++) {
		struct pth_job *j = new_job(files->pdata[i], opts, cache);

		if (j)
			g_ptr_array_add(jobs, j);
	}
	run_pool(jobs, opts);
	/* The result lists scenarios by id (the schema's order), whatever order files came in. */
	g_ptr_array_sort(jobs, cmp_job_id);
	for (guint i = 0; i < jobs->len; i++)
		load_errors += ((struct pth_job *)jobs->pdata[i])->input_error;
	root = pth_result_build(jobs, cache, opts, (g_get_monotonic_time() - start) / 1000);
	g_ptr_array_unref(g_steal_pointer(&jobs));
	pth_cache_free(cache);
	*ret_load_errors = load_errors;
	return root;
}
