/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The step loop: each step through its verb, its expectations checked; the fault matrix. */

/*
 * The plan: a step runs its verb (verbs.c) and yields an observation: the outcome, a
 * verb-specific result, and the slice of the trace it produced. Its expectations are checked
 * against that observation and against a fresh scan of the host (expect.c). In fault-matrix
 * mode every write a scenario makes is found in a first run; then the scenario runs again
 * once per such point with that write failing, and the host must end the step as it began it
 * (or as the fault-free run ended it, when the engine absorbed the fault), or name what it
 * could not restore.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "expect.h"
#include "fixture.h"
#include "runner.h"
#include "session.h"
#include "verbs.h"

/* ---- one step ---- */

static char *step_args(struct fy_node *a)
{
	g_autoptr(GString) s = g_string_new(NULL);
	struct fy_node_pair *p;
	void *it = NULL;

	while (a && fy_node_is_mapping(a) && (p = fy_node_mapping_iterate(a, &it))) {
		struct fy_node *v = fy_node_pair_value(p);
		g_autofree char *vs = NULL;

		if (fy_node_is_sequence(v)) {
			GPtrArray *items = g_ptr_array_new();
			struct fy_node *item;
			void *jt = NULL;

			while ((item = fy_node_sequence_iterate(v, &jt)))
				g_ptr_array_add(items, (char *)fy_node_get_scalar0(item));
			g_ptr_array_add(items, NULL);
			vs = g_strjoinv(",", (char **)items->pdata);
			g_ptr_array_unref(items);
		} else {
			vs = g_strdup(fy_node_is_scalar(v) ? fy_node_get_scalar0(v) : "{...}");
		}
		g_string_append_printf(s, "%s%s=%s", s->len ? " " : "",
				       fy_node_get_scalar0(fy_node_pair_key(p)), vs);
	}
	return g_strdup(s->str);
}

static void outcome_json(JsonBuilder *b, const struct pth_obs *o)
{
	json_builder_set_member_name(b, "outcome");
	if (!o->has_outcome && !o->raw) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "ok");
	json_builder_add_boolean_value(b,
				       o->raw ? o->write_result >= 0 : o->out.code == PT_CODE_OK);
	json_builder_set_member_name(b, "error");
	if (o->raw || o->out.code == PT_CODE_OK)
		json_builder_add_null_value(b);
	else
		json_builder_add_string_value(b, pt_code_to_string(o->out.code));
	json_builder_set_member_name(b, "errno");
	{
		int err = o->raw ? o->write_result : o->out.err;

		if (err < 0)
			json_builder_add_string_value(b, pth_errno_name(err));
		else
			json_builder_add_null_value(b);
	}
	json_builder_set_member_name(b, "rule");
	if (o->out.rule)
		json_builder_add_string_value(b, o->out.rule);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "message");
	json_builder_add_string_value(b, o->raw		? (o->value ? o->value : "") :
					 o->out.message ? o->out.message :
							  "");
	json_builder_set_member_name(b, "blockers");
	json_builder_begin_array(b);
	for (char **x = o->out.blockers; x && *x; x++)
		json_builder_add_string_value(b, *x);
	json_builder_end_array(b);
	json_builder_end_object(b);
}

static char *export_state(struct pth_run *r)
{
	char *text = NULL;

	if (!r->fake || fks_host_export_recording(r->fake, &text) < 0)
		return g_strdup("");
	return text;
}

/* Baseline of the fault matrix: the writes this step made, as fault points. */
static void collect_points(struct pth_run *r, unsigned step, size_t from, GHashTable *seen)
{
	for (size_t i = from; i < pt_trace_count(r->trace); i++) {
		const struct pt_event *e = pt_trace_event(r->trace, i);
		struct pth_point *p;
		unsigned nth;

		if (e->kind != PT_EVENT_WRITE || !e->path)
			continue;
		nth = GPOINTER_TO_UINT(g_hash_table_lookup(seen, e->path)) + 1;
		g_hash_table_insert(seen, g_strdup(e->path), GUINT_TO_POINTER(nth));
		p = g_new0(struct pth_point, 1);
		p->step = step;
		g_strlcpy(p->path, e->path, sizeof(p->path));
		p->fault = (struct fks_fault){
			.kind = FKS_FAULT_WRITE, .error = EIO, .nth = nth, .count = 1
		};
		g_ptr_array_add(r->points, p);
	}
}

/*
 * A certify step that failed is a failure of its step (its reason is the check's); otherwise
 * the first failed expectation is the scenario's reason: "step 2 (reset): result.method:
 * expected flr, observed bus".
 */
static void note_failure(struct pth_run *r, unsigned index, const char *verb, JsonArray *f)
{
	JsonObject *x;

	if (strcmp(verb, "certify") == 0 && r->status == PTH_CERT_FAIL) {
		if (!json_array_get_length(f))
			pth_fail_exp(f, "certify", "pass or skip", r->reason ? r->reason : "fail");
		return;
	}
	if (!json_array_get_length(f) || r->status == PTH_CERT_FAIL)
		return;
	x = json_array_get_object_element(f, 0);
	g_free(r->reason);
	r->reason = g_strdup_printf("step %u (%s): %s: expected %s, observed %s", index, verb,
				    json_object_get_string_member(x, "key"),
				    json_object_get_string_member(x, "expected"),
				    json_object_get_string_member(x, "observed"));
	r->status = PTH_CERT_FAIL;
}

static bool interrupted(struct pth_run *r, unsigned index, const char *verb)
{
	int sig = r->hooks && r->hooks->interrupted ? r->hooks->interrupted(r->hooks->data, index) :
						      0;

	if (!sig)
		return false;
	g_free(r->reason);
	r->reason = g_strdup_printf("interrupted by SIG%s before step %u (%s)",
				    sigabbrev_np(sig) ?: "a signal", index, verb);
	r->status = PTH_CERT_FAIL;
	return true;
}

/* The rules a step fired: its outcome's and those in its slice of the trace. */
static void note_fired(struct pth_run *r, const struct pth_obs *o)
{
	if (o->has_outcome && o->out.rule)
		g_hash_table_add(r->fired, g_strdup(o->out.rule));
	for (size_t i = o->trace_from; i < pt_trace_count(r->trace); i++)
		if (pt_trace_event(r->trace, i)->rule)
			g_hash_table_add(r->fired, g_strdup(pt_trace_event(r->trace, i)->rule));
}

static void step_json(JsonBuilder *b, unsigned index, const char *verb, struct fy_node *args,
		      const struct pth_obs *o, JsonArray *f)
{
	g_autofree char *argstr = step_args(args);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "index");
	json_builder_add_int_value(b, index);
	json_builder_set_member_name(b, "verb");
	json_builder_add_string_value(b, verb);
	json_builder_set_member_name(b, "args");
	json_builder_add_string_value(b, argstr);
	json_builder_set_member_name(b, "status");
	json_builder_add_string_value(b, json_array_get_length(f) ? "fail" : "pass");
	outcome_json(b, o);
	json_builder_set_member_name(b, "failures");
	json_builder_add_value(b, json_node_init_array(json_node_alloc(), f));
	json_builder_end_object(b);
}

/*
 * The fault's step has run: the promise is to fail with a code and leave the host as it was
 * (before), or name what is left; or to absorb the fault and end as the fault-free run did.
 */
static void judge_fault(struct pth_run *r, unsigned index, const char *verb,
			const struct pth_obs *o, const char *before)
{
	g_autofree char *now = export_state(r);
	bool ok = o->raw ? o->write_result >= 0 : o->out.code == PT_CODE_OK;
	const char *after = index - 1 < r->after->len ? r->after->pdata[index - 1] : "";

	r->held = (!ok && (strcmp(now, before) == 0 || o->out.unrestored)) ||
		  (ok && strcmp(now, after) == 0);
	if (!r->held)
		r->broken = g_strdup_printf("step %u (%s): %s failing with EIO: %s", index, verb,
					    r->fault->path,
					    ok ? "the step succeeded but the host differs "
						 "from the fault-free run" :
						 "the host was left changed and the "
						 "outcome does not say so");
}

/* Whether the run stops after a step: a check's skip or failure ends it; a certification run
 * stops at any failure. */
static bool stops(const struct pth_run *r, const char *verb)
{
	return r->status == PTH_CERT_SKIP || (r->status == PTH_CERT_FAIL && r->stop_on_fail) ||
	       (r->status == PTH_CERT_FAIL && strcmp(verb, "certify") == 0);
}

/* One step: run its verb, check its expect, record it into b. Returns whether to go on. */
static bool run_step(struct pth_run *r, struct fy_node *step, unsigned index, JsonBuilder *b,
		     GHashTable *seen, bool *failed)
{
	struct fy_node *args = NULL;
	const char *verb = pth_step_verb(step, &args);
	g_autoptr(JsonArray) f = json_array_new();
	g_autofree char *before = NULL;
	struct pth_obs o = { 0 };
	bool go_on, self_checked;

	if (interrupted(r, index, verb))
		return false;
	if (r->fake)
		fks_host_set_step(r->fake, index);
	if (r->fault && index == r->fault_step)
		before = export_state(r);
	o.trace_from = pt_trace_count(r->trace);
	/* The loader checked the verb against the same table. */
	pth_verb_find(verb)->run(r, args, &o);
	note_fired(r, &o);
	self_checked = pth_verb_find(verb)->flags & PTH_VERB_SELF_CHECKED;
	/* An exec step that skipped the scenario (its program is not installed) is not judged. */
	if (pth_node_get(step, "expect") && !(self_checked && r->status == PTH_CERT_SKIP))
		pth_expect_check(r, &o, pth_node_get(step, "expect"), f);
	if (self_checked && o.has_outcome && o.out.code != PT_CODE_OK &&
	    r->status != PTH_CERT_SKIP && !pth_node_get(pth_node_get(step, "expect"), "ok"))
		pth_fail_exp(f, "ok", "true", o.out.message ? o.out.message : "false");
	note_failure(r, index, verb, f);
	if (r->points) {
		if (!(pth_verb_find(verb)->flags & PTH_VERB_NO_FAULT_POINTS))
			collect_points(r, index, o.trace_from, seen);
		g_ptr_array_add(r->after, export_state(r));
	}
	step_json(b, index, verb, args, &o, f);
	*failed |= json_array_get_length(f) > 0;
	if (r->fault && index == r->fault_step) {
		judge_fault(r, index, verb, &o, before);
		go_on = false;
	} else {
		go_on = !stops(r, verb);
	}
	pth_obs_clear(&o);
	return go_on;
}

const char *pth_run_steps(struct pth_run *r, JsonBuilder *b)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	struct fy_node *step;
	unsigned index = 0;
	bool failed = false;
	void *it = NULL;

	json_builder_begin_array(b);
	while ((step = fy_node_sequence_iterate(r->sc->steps, &it)))
		if (!run_step(r, step, ++index, b, seen, &failed))
			break;
	json_builder_end_array(b);
	return failed ? "fail" : "pass";
}

/* ---- one scenario as a certification check ---- */

/* Give back what the check's steps left on a stub driver, and release its VMs. */
static void check_cleanup(struct pth_run *r)
{
	GHashTableIter it;
	gpointer v;

	for (size_t i = 0; i < pt_vms_count(r->vms); i++) {
		struct pt_outcome o = { 0 };

		pt_vm_release(r->e, pt_vms_vm(r->vms, i), &o);
		pt_outcome_clear(&o);
	}
	g_hash_table_iter_init(&it, r->detached);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct pt_outcome o = { 0 };

		pt_reattach(r->e, v, &o);
		pt_outcome_clear(&o);
	}
}

/* The check's steps, its verdict and reason in r. */
static void check_steps(struct pth_run *r, JsonBuilder *b)
{
	JsonNode *steps;

	pth_run_steps(r, b);
	steps = json_builder_get_root(b);
	if (r->status == PTH_CERT_PASS && !r->reason)
		r->reason = g_strdup_printf("%u step(s) as expected",
					    json_array_get_length(json_node_get_array(steps)));
	json_node_unref(steps);
	for (char **rl = r->sc->rules; r->status == PTH_CERT_PASS && rl && *rl; rl++)
		if (!g_hash_table_contains(r->fired, *rl) &&
		    pth_rule_needs_firing(r->target, *rl)) {
			g_free(r->reason);
			r->reason = g_strdup_printf("rule %s never fired", *rl);
			r->status = PTH_CERT_FAIL;
		}
}

enum pth_cert_status pth_run_check(struct pth_scenario *sc, struct pt_engine *e,
				   struct pt_backend *be, struct fks_host *fake,
				   struct pt_trace *trace, const char *dut,
				   const struct pth_step_hooks *hooks, char **ret_reason)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GError) error = NULL;
	enum pth_cert_status status;
	struct pth_run r;

	pth_run_init(&r, sc, fake ? PTH_TARGET_FAKE : PTH_TARGET_LIVE, NULL);
	r.fake = fake;
	r.be = be;
	r.trace = trace;
	r.e = e;
	r.dut = dut;
	r.hooks = hooks;
	r.stop_on_fail = true;
	if (pth_run_add_vms(&r, &error) < 0) {
		r.status = PTH_CERT_FAIL;
		r.reason = g_strdup(error->message);
	} else {
		check_steps(&r, b);
	}
	check_cleanup(&r);
	status = r.status;
	*ret_reason = g_steal_pointer(&r.reason);
	pth_run_clear(&r);
	return status;
}

/* ---- the fault matrix ---- */

void pth_run_faults(struct pth_run *base, unsigned *tried, unsigned *held, GPtrArray *broken)
{
	for (guint i = 0; i < base->points->len; i++) {
		struct pth_point *p = base->points->pdata[i];
		g_autoptr(JsonBuilder) b = json_builder_new();
		g_autoptr(GError) error = NULL;
		struct pth_run r;

		pth_run_init(&r, base->sc, base->target, NULL);
		r.cache = base->cache;
		r.dut = base->dut;
		r.hooks = base->hooks;
		r.fault = &p->fault;
		r.fault->path = p->path;
		r.fault_step = p->step;
		r.after = g_ptr_array_ref(base->after);
		(*tried)++;
		if (pth_run_setup(&r, &error) < 0)
			g_ptr_array_add(broken, g_strdup(error->message));
		else if (pth_run_steps(&r, b), r.held)
			(*held)++;
		else
			g_ptr_array_add(broken, r.broken ? g_strdup(r.broken) :
							   g_strdup_printf("step %u: %s", p->step,
									   p->path));
		pth_run_teardown(&r);
		pth_run_clear(&r);
	}
}
