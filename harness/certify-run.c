/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* certify: running a profile's checks, the plan, and the run's state from start to end. */

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "certify-internal.h"
#include "progress.h"
#include "verbs.h"
#include "commands.h"
#include "sriov.h"

static char *expand(const char *tmpl, struct cert *c, unsigned vfs_default)
{
	g_autofree char *unit = NULL;
	g_autofree char *vfs = g_strdup_printf("%u", c->vfs ? c->vfs : vfs_default);
	g_autoptr(GString) s = g_string_new(tmpl);
	const struct pt_dev_props *p = pt_dev_props(pth_cert_dev(c, c->dut));
	guint n = 0;
	const char *parts[16] = { 0 };

	for (guint i = 0; i < c->unit->len && n < 15; i++)
		if (!p->sriov ||
		    !g_strv_contains((const char *const *)p->sriov->vfs, c->unit->pdata[i]))
			parts[n++] = c->unit->pdata[i];
	unit = g_strjoinv(" ", (char **)parts);
	g_string_replace(s, "UNIT", unit, 0);
	g_string_replace(s, "DUT", c->dut, 0);
	g_string_replace(s, "VFS", vfs, 0);
	return g_string_free(g_steal_pointer(&s), FALSE);
}

/* What one scenario would change, for the plan: certify's own wording for its checks, the
 * verbs and arguments (with $DUT) for plain steps; NULL when it only looks. */
static char *scenario_changes(struct cert *c, struct pth_scenario *sc)
{
	g_autoptr(GString) s = g_string_new(NULL);
	struct fy_node *step, *args;
	void *it = NULL;

	while ((step = fy_node_sequence_iterate(sc->steps, &it))) {
		const char *verb = pth_step_verb(step, &args);
		const struct pth_cert_check *k = NULL;
		g_autofree char *what = NULL;

		if (strcmp(verb, "certify") == 0) {
			k = pth_cert_check_find(pth_node_str(args, "check"));
			if (!k || !k->changes ||
			    (strcmp(k->name, "sriov") == 0 &&
			     !pt_dev_props(pth_cert_dev(c, c->dut))->sriov))
				continue;
			c->args = args;
			what = expand(k->changes, c, (unsigned)pth_cert_arg(c, "vfs", 2));
			c->args = NULL;
		} else if (pth_verb_find(verb)->flags & PTH_VERB_READ_ONLY) {
			continue;
		} else {
			g_autoptr(GString) a = g_string_new(verb);
			struct fy_node_pair *p;
			void *jt = NULL;

			while (args && fy_node_is_mapping(args) &&
			       (p = fy_node_mapping_iterate(args, &jt))) {
				struct fy_node *v = fy_node_pair_value(p);

				g_string_append_printf(
					a, " %s=%s", fy_node_get_scalar0(fy_node_pair_key(p)),
					fy_node_is_scalar(v) ? fy_node_get_scalar0(v) : "...");
			}
			g_string_replace(a, "$DUT", c->dut, 0);
			what = g_string_free(g_steal_pointer(&a), FALSE);
		}
		g_string_append_printf(s, "%s%s", s->len ? "; " : "", what);
	}
	return s->len ? g_strdup(s->str) : NULL;
}

void pth_cert_print_plan(struct cert *c, FILE *f)
{
	fprintf(f, "certify %s would run, on %s:\n", c->dut, c->s.spec);
	for (guint i = 0; i < c->checks->len; i++) {
		struct pth_scenario *sc = c->checks->pdata[i];
		g_autofree char *what = scenario_changes(c, sc);

		fprintf(f, "  %-20s %s%s%s\n", sc->check_id, sc->title, what ? ": " : "",
			what ? what : " (read-only)");
	}
}

static enum pth_cert_status certify_step(void *data, struct fy_node *args, char **ret_reason)
{
	struct cert *c = data;
	const struct pth_cert_check *k = pth_cert_check_find(pth_node_str(args, "check"));
	struct cert_result r = { 0 };

	if (!k) { /* the loader checked the name */
		*ret_reason = g_strdup("unknown check");
		return PTH_CERT_FAIL;
	}
	pt_engine_rescan(c->s.engine, NULL);
	c->args = args;
	k->run(c, &r);
	c->args = NULL;
	*ret_reason = r.reason;
	return r.status;
}

/*
 * After a check: VFs its steps enabled are disabled again (the DUT's count as found), so the
 * next check and the end state see the host as certify left it. certify's own checks keep
 * their state (the unit on vfio-pci from RESET-ALIVE to REBIND) across checks.
 */
static void restore_vfs(struct cert *c)
{
	const struct pt_dev *d;
	struct pt_outcome o = { 0 };

	pt_engine_rescan(c->s.engine, NULL);
	d = pth_cert_dev(c, c->dut);
	if (d && pt_dev_props(d)->sriov && pt_dev_props(d)->sriov->numvfs != c->numvfs0)
		pt_set_numvfs(c->s.engine, c->dut, c->numvfs0, &o);
	pt_outcome_clear(&o);
	d = pth_cert_dev(c, c->dut);
	if (d && pt_dev_props(d)->sriov && c->autoprobe0 >= 0 &&
	    pt_dev_props(d)->sriov->drivers_autoprobe != c->autoprobe0) {
		g_autoptr(GString) why = g_string_new(NULL);

		pth_cert_autoprobe_set(c, c->dut, c->autoprobe0, why);
	}
}

/*
 * SIGINT and SIGTERM during a run: the handler only notes the signal (a signal handler can
 * reach nothing but a global); certify stops at the next safe point (before a check's next
 * step, or before the next check), gives back what it holds and writes the certificate.
 */
static volatile sig_atomic_t caught_signal;

static void on_signal(int sig)
{
	caught_signal = sig;
}

/*
 * The safe point. For tests, PTH_CERTIFY_TEST_SIGNAL=SIG@CHECK-ID[:STEP] raises SIG (INT or
 * TERM) just before step STEP (default 1) of that check runs, as if it came from the terminal.
 */
static int certify_interrupted(void *data, unsigned index)
{
	struct cert *c = data;
	const char *t = g_getenv("PTH_CERTIFY_TEST_SIGNAL");

	if (t && !c->interrupted && c->running) {
		g_auto(GStrv) f = g_strsplit_set(t, "@:", 3);
		unsigned step = f[1] && f[2] ? (unsigned)atoi(f[2]) : 1;

		if (f[0] && f[1] && strcmp(f[1], c->running) == 0 && step == index)
			raise(strcmp(f[0], "TERM") == 0 ? SIGTERM : SIGINT);
	}
	if (caught_signal && !c->interrupted)
		c->interrupted = caught_signal;
	/* The host-restored check runs to its end: it is the undo. */
	return c->restoring ? 0 : c->interrupted;
}

/* One check of the profile, in its turn: its result, appended to c->results. */
static void run_check(struct cert *c, struct pth_scenario *sc, bool last,
		      const struct pth_step_hooks *hooks)
{
	struct cert_result r = { .id = g_strdup(sc->check_id), .title = g_strdup(sc->title) };
	gint64 t0 = g_get_monotonic_time();
	g_autofree char *changes = c->dut_dead && !last ? scenario_changes(c, sc) : NULL;

	c->running = sc->check_id;
	c->restoring = last;
	if (c->interrupted && !last) {
		/* After an interruption only the host-restored check runs: it gives back
		 * the unit and says whether the host is as found. */
		r.status = pth_cert_set(&r, PTH_CERT_SKIP, "interrupted");
	} else if (changes) {
		/* A DUT that no longer answers is left where it is: moving it between
		 * drivers could only leave it on one that cannot drive it. */
		r.status = pth_cert_set(
			&r, PTH_CERT_SKIP,
			"not run: %s does not answer since its reset (CERT-RESET-ALIVE), "
			"so nothing more is done to it",
			c->dut);
	} else {
		r.status = pth_run_check(sc, c->s.engine, c->s.be, c->s.fake, c->s.trace, c->dut,
					 hooks, &r.reason);
		if (!c->interrupted && hooks->interrupted)
			certify_interrupted(c, 0);
		if (c->interrupted && !last && r.status == PTH_CERT_PASS)
			pth_cert_set(&r, PTH_CERT_FAIL,
				     "interrupted by SIG%s at the end of this check",
				     sigabbrev_np(c->interrupted) ?: "a signal");
	}
	restore_vfs(c);
	r.usec = g_get_monotonic_time() - t0;
	g_array_append_val(c->results, r);
}

void pth_cert_run_checks(struct cert *c)
{
	/* As a scenario's step, the run that holds it owns the signals (and its threads share
	 * this process's handlers): no handler, no safe point of certify's own. */
	const struct pth_step_hooks hooks = { .certify = certify_step,
					      .interrupted =
						      c->in_scenario ? NULL : certify_interrupted,
					      .data = c };
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	struct pth_progress *progress = pth_progress_new(
		stderr, "checks", c->checks->len, !c->in_scenario && !c->quiet && !g_getenv("CI"));

	if (!c->in_scenario) {
		caught_signal = 0;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
	}
	for (guint i = 0; i < c->checks->len; i++) {
		run_check(c, c->checks->pdata[i],
			  i + 1 == c->checks->len && pth_cert_is_restored(c->checks->pdata[i]),
			  &hooks);
		pth_progress_update(progress, i + 1);
	}
	pth_progress_free(progress);
	c->running = NULL;
	if (!c->in_scenario) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
}

static void snapshot(struct cert *c)
{
	for (guint i = 0; i < c->unit->len; i++)
		g_hash_table_insert(c->before, g_strdup(c->unit->pdata[i]),
				    pth_cert_dev_state(c, c->unit->pdata[i]));
}

/* ---- run --dut: certify's checks for `ptharness run` on this machine ---- */

void pth_cert_free(struct cert *c)
{
	/* A DUT that does not answer stays on vfio-pci (see dead()). */
	if (c->unit_on_vfio && !c->dut_dead) {
		g_autoptr(GString) p = g_string_new(NULL);

		pth_cert_unit_reattach(c, p);
	}
	for (guint i = 0; i < c->results->len; i++) {
		struct cert_result *x = &g_array_index(c->results, struct cert_result, i);

		g_free(x->id);
		g_free(x->title);
		g_free(x->reason);
	}
	g_array_unref(c->results);
	g_ptr_array_unref(c->checks);
	g_strfreev(c->netdevs);
	g_ptr_array_unref(c->unit);
	g_array_unref(c->detached);
	g_hash_table_unref(c->before);
	g_hash_table_unref(c->moved);
}

void pth_cert_init(struct cert *c)
{
	c->unit = g_ptr_array_new_with_free_func(g_free);
	c->results = g_array_new(FALSE, TRUE, sizeof(struct cert_result));
	c->checks = g_ptr_array_new_with_free_func((GDestroyNotify)pth_scenario_free);
	c->detached = g_array_new(FALSE, TRUE, sizeof(struct pt_detached));
	/* Entries left (a DUT that stopped answering stays detached) go with the array. */
	g_array_set_clear_func(c->detached, (GDestroyNotify)pt_detached_clear);
	c->before = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	c->moved = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

/* The state certify keeps from its start (pth_cert_find_unit first): the states to restore, the netdevs. */
void pth_cert_start(struct cert *c)
{
	const struct pt_dev_props *p = pt_dev_props(pth_cert_dev(c, c->dut));

	c->netdevs = g_strdupv(p->netdevs);
	snapshot(c);
	c->numvfs0 = p->sriov ? p->sriov->numvfs : 0;
	c->autoprobe0 = p->sriov ? p->sriov->drivers_autoprobe : -1;
}

int pth_cert_hooks_new(const char *dut, struct pth_step_hooks *ret)
{
	struct cert *c = g_new0(struct cert, 1);
	const struct pt_dev *d;
	int r;

	pth_cert_init(c);
	c->dut = dut;
	r = pth_session_open(&c->s, "run");
	d = r == 0 ? pth_cert_dev(c, dut) : NULL;
	if (r == 0 && !d) {
		fprintf(stderr, "ptharness run: --dut %s: no such PCI device on %s\n", dut,
			c->s.spec);
		r = PTH_EXIT_INPUT;
	} else if (d && pt_dev_critical(d) != PT_CRITICAL_NONE) {
		fprintf(stderr, "ptharness run: refused: --dut %s is host-critical (%s): %s%s%s\n",
			dut, pt_critical_to_string(pt_dev_critical(d)),
			pt_critical_describe(pt_dev_critical(d)),
			pt_dev_critical_via(d) ? " through " : "",
			pt_dev_critical_via(d) ? pt_dev_critical_via(d) : "");
		r = PTH_EXIT_INPUT;
	}
	if (r != 0) {
		pth_session_close(&c->s, "run", r);
		pth_cert_free(c);
		g_free(c);
		return r;
	}
	c->profile = pth_cert_profile_of_class(pt_dev_props(d)->class);
	pth_cert_find_unit(c);
	pth_cert_start(c);
	*ret = (struct pth_step_hooks){ .certify = certify_step,
					.certificate = pth_cert_certificate,
					.data = c };
	return 0;
}

void pth_cert_hooks_free(struct pth_step_hooks *hooks)
{
	struct cert *c = hooks->data;

	if (!c)
		return;
	restore_vfs(c);
	pth_cert_free(c);
	pth_session_close(&c->s, "run", 0);
	g_free(c);
	hooks->data = NULL;
}

/* ---- certify as a step of a scenario: a certificate on the scenario's host ---- */

static void detached_free(gpointer p)
{
	pt_detached_clear(p);
	g_free(p);
}

/* The DUT named by the step, and its profile; 0, or -1 with the outcome set. */
static int certificate_setup(struct cert *c, struct fy_node *args, struct pt_outcome *o)
{
	const char *profile = pth_node_str(args, "profile"), *vfs = pth_node_str(args, "vfs");
	const struct pt_dev *d = pth_cert_dev(c, c->dut);

	c->profile = _PTH_CERT_PROFILE_MAX;
	for (int i = 0; i < _PTH_CERT_PROFILE_MAX; i++)
		if (strcmp(profile, pth_cert_profile_names[i]) == 0)
			c->profile = i;
	c->profile_given = true;
	c->vfs = vfs ? (unsigned)strtoul(vfs, NULL, 10) : 0;
	if (c->profile == _PTH_CERT_PROFILE_MAX) {
		o->code = PT_CODE_HOST_ERROR;
		o->message = g_strdup_printf(
			"unknown certify profile '%s' (nic, gpu, nvme, generic)", profile);
	} else if (!d) {
		o->code = PT_CODE_DEVICE_NOT_FOUND;
		o->message = g_strdup_printf("no PCI device %s on this host", c->dut);
	} else if (pt_dev_critical(d) != PT_CRITICAL_NONE) {
		o->code = PT_CODE_HOST_CRITICAL;
		o->message = g_strdup_printf("refused: %s is host-critical (%s): %s%s%s", c->dut,
					     pt_critical_to_string(pt_dev_critical(d)),
					     pt_critical_describe(pt_dev_critical(d)),
					     pt_dev_critical_via(d) ? " through " : "",
					     pt_dev_critical_via(d) ? pt_dev_critical_via(d) : "");
	} else if (pth_cert_load_profile(c) != 0) {
		o->code = PT_CODE_HOST_ERROR;
		o->message = g_strdup_printf("certify profile %s does not load", profile);
	}
	return o->code == PT_CODE_OK ? 0 : -1;
}

/*
 * The host not left as found (the host-restored check failed: a write giving a device back
 * failed, or the DUT stopped answering) is the step's failure, with what is left named as
 * the engine names what a failed rollback left.
 */
static void certificate_unrestored(struct cert *c, struct pt_outcome *o)
{
	const struct cert_result *last;

	if (!c->results->len || !pth_cert_is_restored(c->checks->pdata[c->checks->len - 1]))
		return;
	last = &g_array_index(c->results, struct cert_result, c->results->len - 1);
	if (last->status != PTH_CERT_FAIL)
		return;
	o->code = PT_CODE_HOST_ERROR;
	o->unrestored = g_new0(char *, 3);
	o->unrestored[0] = g_strdup_printf("%s: %s", last->id, last->reason);
	o->unrestored[1] = g_strdup_printf("a device left on vfio-pci goes back with "
					   "`ptharness reattach BDF`; a VF count with "
					   "`ptharness set-numvfs %s N`",
					   c->dut);
}

void pth_cert_certificate(struct pt_engine *e, struct pt_backend *be, struct fks_host *fake,
			  struct pt_trace *trace, struct fy_node *args, struct pt_outcome *ret_out,
			  JsonObject *ret_result)
{
	struct cert c = { .dut = pth_node_str(args, "device"), .in_scenario = true };
	g_autoptr(GString) failed = g_string_new(NULL);
	bool certified = true;

	c.s = (struct pth_session){ .spec = "the scenario's host",
				    .live = !fake,
				    .fake = fake,
				    .be = be,
				    .trace = trace,
				    .engine = e,
				    .detached = g_ptr_array_new_with_free_func(detached_free) };
	pth_cert_init(&c);
	pt_engine_rescan(e, NULL);
	if (certificate_setup(&c, args, ret_out) == 0) {
		pth_cert_find_unit(&c);
		pth_cert_start(&c);
		pth_cert_run_checks(&c);
	}
	for (guint i = 0; i < c.results->len; i++) {
		const struct cert_result *r = &g_array_index(c.results, struct cert_result, i);

		json_object_set_string_member(ret_result, r->id, pth_cert_status_names[r->status]);
		if (r->status == PTH_CERT_FAIL)
			g_string_append_printf(failed, "%s%s: %s", failed->len ? "; " : "", r->id,
					       r->reason);
		certified &= r->status != PTH_CERT_FAIL;
	}
	if (ret_out->code == PT_CODE_OK) {
		json_object_set_string_member(ret_result, "verdict",
					      certified ? "certified" : "not-certified");
		ret_out->message = g_strdup_printf("%s: %s%s%s", c.dut,
						   certified ? "certified" : "NOT certified",
						   failed->len ? ": " : "", failed->str);
		certificate_unrestored(&c, ret_out);
	}
	pth_cert_free(&c);
	g_ptr_array_unref(c.s.detached);
}
