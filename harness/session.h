/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A command's engine session: the host (live, or a recording/tree loaded into fakesys), the
 * engine's remembered state, and printing an operation's outcome. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

#include "engine.h"
#include "fakesys.h"
#include "vm.h"

struct pth_session {
	const char *spec; /* --host */
	bool live; /* the machine itself: changes are real */
	struct fks_host *fake; /* a recording or tree, modelled (NULL when live) */
	struct pt_backend *be;
	struct pt_trace *trace;
	struct pt_engine *engine;
	struct pt_vms *vms; /* the VMs of this session's state, lent to the engine */
	char *state_file; /* live: what the engine detached and which VM has what */
	const char *save; /* fake: write the end state here as a recording */
	const char *kernel; /* --kernel */
	bool json, show_trace;
	GPtrArray *detached; /* struct pt_detached *: devices the engine moved to a stub */
	GPtrArray *results; /* JsonNode *: --json outcomes, printed at close */
	/* Crash consistency and concurrent users (set by the command before opening). */
	bool mutating; /* the command may change the host: lock, then journal before writing */
	bool recovering; /* `recover`: a journal left behind is what it came for */
	const char *command_line; /* the command as the journal names it */
	const char *faults; /* --faults FILE (model) */
	unsigned wait_ms; /* --wait: how long to wait for the lock */
	int lock_fd; /* > 0 while a recording's lock (STATE.model.lock) is held */
	/* What the command changes (set before opening): the groups of these devices, of the
	 * devices of this VM (release); neither: the whole host (session-lock.c). */
	const char *const *lock_devices;
	const char *lock_vm;
	GArray *lock_fds; /* int: the host's and the groups' locks held */
	GArray *locked_groups; /* gint64, sorted; NULL: the whole host */
	JsonNode *loaded; /* the state body as loaded (owned), for merging */
	JsonNode *recovered; /* recover: the journal it put back (borrowed) */
	unsigned interrupted; /* journals of commands that are gone */
	char *boot_id; /* the host's boot id, NULL when unknown */
	char *state_out; /* where the state is written (live: state_file; model: SAVE.state.json) */
	JsonNode *pending; /* the interrupted command's journal found at open (owned) */
	bool journaled; /* this command's journal is on disk */
	JsonNode *journal; /* that journal, while it is (owned) */
	const char *cmd; /* the command's name, for messages of later journal writes */
};

/* Common options: --host --kernel --state --save --json --trace. Returns TRUE when opt was one
 * of them (consuming optarg). */
gboolean pth_session_option(struct pth_session *s, int opt, const char *arg);
#define PTH_SESSION_OPTIONS                                                                      \
	{ "host", required_argument, NULL, 'H' }, { "kernel", required_argument, NULL, 'K' },    \
		{ "state", required_argument, NULL, 'S' },                                       \
		{ "save", required_argument, NULL, 'W' }, { "json", no_argument, NULL, 'j' },    \
		{ "trace", no_argument, NULL, 'T' }, { "faults", required_argument, NULL, 'X' }, \
	{                                                                                        \
		"wait", required_argument, NULL, 'Y'                                             \
	}
#define PTH_SESSION_SHORTOPTS "H:K:S:W:jTX:Y:"
#define PTH_SESSION_HELP                                                                           \
	"  --host SPEC    live (default), a recording, or a directory holding sys/; a recording\n" \
	"                 or tree is loaded into the kernel model and changes are not real\n"      \
	"  --save FILE    (model) write the end state as a recording (and the engine's state\n"    \
	"                 beside it, FILE.state.json), to chain commands\n"                        \
	"  --state FILE   (live) the engine's state (default /run/ptharness/state.json)\n"         \
	"  --kernel X.Y   the kernel whose behaviour applies\n"                                    \
	"  --json         the outcome as JSON\n"                                                   \
	"  --trace        print every host access, rule and fault\n"                               \
	"  --faults FILE  (model) inject faults (fakesys syntax: write, reset, numvfs, remove,\n"  \
	"                 die nth=N: end the process at the Nth write, for `recover`)\n"           \
	"  --wait SECS    wait this long for another ptharness changing the host (default 10)\n"

/* Open the host and load the state. Returns 0, or an exit status (message printed). */
int pth_session_open(struct pth_session *s, const char *cmd);
/* Inject the faults of the file s->faults into the model (a die fault saves the model where
 * --save says before the process kills itself). Returns 0 or an exit status (printed). */
int pth_session_add_faults(struct pth_session *s, const char *cmd);
/* Save state (live) or the end state (--save), free everything. Returns an exit status. */
int pth_session_close(struct pth_session *s, const char *cmd, int status);

/* Print (or add to the JSON report) one operation's outcome; returns its exit status. */
int pth_session_outcome(struct pth_session *s, const char *op, const char *subject,
			const struct pt_outcome *o, const struct pt_step *steps, size_t nsteps);

/* The engine's record of a detached device, for reattach across processes (live). */
const struct pt_detached *pth_session_detached(struct pth_session *s, const char *address);
void pth_session_remember(struct pth_session *s, const struct pt_detached *d);
void pth_session_forget(struct pth_session *s, const char *address);

/* The state as the engine would save it (detached devices, VMs), with journal as "pending"
 * when not NULL. Returns a new node. */
JsonNode *pth_session_state_body(struct pth_session *s, JsonNode *journal);
/* Write the state (pending: NULL) where this session keeps it; 0 or an exit status. */
int pth_session_commit(struct pth_session *s, const char *cmd);

/* Add (or, add false, drop) a dynamic id of a driver in this command's journal and write the
 * state file; 0 or an exit status (message printed). Nothing without a journal. */
int pth_session_journal_id(struct pth_session *s, const char *driver, const char *id, bool add);
/* A backend passing every call to in (owned), journaling new_id writes in s's journal. */
struct pt_backend *pth_journal_backend(struct pth_session *s, struct pt_backend *in);

/* session-lock.c: take the host's and the groups' locks (printing why not: exit status). */
int pth_session_lock(struct pth_session *s, const char *cmd);
void pth_session_unlock(struct pth_session *s);
bool pth_session_locked_group(const struct pth_session *s, gint64 id);
bool pth_session_journal_alive(struct pth_session *s, JsonObject *journal);
/* Write the state file, merged with what other commands wrote since this one loaded it, with
 * journal as this command's pending journal (NULL: none); ending: it is the command's result.
 * 0 or an exit status (printed). */
int pth_session_write_state(struct pth_session *s, const char *cmd, JsonNode *journal, bool ending);
/* Take STATEFILE.rmw.lock (held while the state file is read and written): the fd, or -1
 * (printed). */
int pth_session_rmw_lock(struct pth_session *s, const char *cmd);
/* Every device as a journal remembers it (a new array node). */
JsonNode *pth_session_snapshot(struct pth_session *s);

/* "EBUSY" for -EBUSY. */
const char *pth_errno_name(int err);

/* A usage error of command cmd on stderr ("ptharness CMD: WHAT 'ARG' (see ... --help)");
 * returns the input-error exit status. */
int pth_usage_error(const char *cmd, const char *what, const char *arg);
/* getopt's complaint (c is ':' or '?') about argv[optind - 1], as pth_usage_error. */
int pth_bad_option(const char *cmd, int c, char **argv);
/*
 * A device address argument in the kernel's form: *arg as the user gave it (upper case, the
 * short BB:SS.F for domain 0, a domain wider than 16 bits) written to buf, and *arg pointed at
 * buf. Returns 0, or the input-error exit status with "not a PCI address" printed.
 */
int pth_address_arg(const char *cmd, char **arg, char buf[PT_ADDRESS_SIZE]);
/* The same for each element of a g_strsplit() list (replaced in place). */
int pth_address_list(const char *cmd, char **list);
