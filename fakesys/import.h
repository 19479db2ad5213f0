/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Importing bug-report text (group listings, lspci, dmesg, ...) as one host's recording. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * An import gathers what pasted text shows about one machine: every file given is read line
 * by line, each line offered to a table of format parsers (import.c), and the facts merged
 * into one set of devices. Two files that disagree (two groups for one device) give a
 * conflict message and the fact stays unknown. Lines no parser could use are reported once
 * each, with their number. What the text does not show stays unknown: no config space is
 * invented; the recording written carries only what was read.
 *
 * Errors: functions return >= 0 or a negative errno; text content never makes them fail.
 */
struct fks_import;

/* Returns 0 or -ENOMEM. Free with fks_import_free(). */
int fks_import_new(struct fks_import **ret);
/* Accepts NULL; returns NULL. */
struct fks_import *fks_import_free(struct fks_import *imp);

/* Offer lines to the parser of that name only ("lspci -vmm", "kernel log", ...; see the
 * table in import.c), for fuzzing one parser at a time. NULL: all (the default). Returns 0,
 * or -ENOENT for an unknown name. */
int fks_import_only(struct fks_import *imp, const char *parser);
/* The name of the i-th parser in the table (static), NULL past the last. */
const char *fks_import_parser_name(unsigned i);

/* Read one file's text (name is used in messages). Any bytes are accepted. Returns 0. */
int fks_import_add_text(struct fks_import *imp, const char *name, const char *text, size_t len);

/* Messages so far ("FILE:LINE: reason"), in the order found; owned by imp. */
unsigned fks_import_n_messages(const struct fks_import *imp);
const char *fks_import_message(const struct fks_import *imp, unsigned i);
/* Lines read in total, and lines of known formats that carried nothing needed (not listed). */
unsigned fks_import_lines_read(const struct fks_import *imp);
unsigned fks_import_lines_ignored(const struct fks_import *imp);

/* The kernel command line (pasted, or in the kernel log) holds pcie_acs_override=, or the log
 * says ACS overrides are enabled: the groups shown are not what the hardware isolates. */
bool fks_import_acs_override(const struct fks_import *imp);

/* Devices found; -ENOENT for an address the text never named (any form: "01:00.0" too). */
int fks_import_dev_count(const struct fks_import *imp);
/* The group, -1 when unknown (or in conflict). */
int fks_import_dev_group(const struct fks_import *imp, const char *address, int *ret_group);
/* The driver in use, NULL when the text does not say (or files disagree). */
int fks_import_dev_driver(const struct fks_import *imp, const char *address,
			  const char **ret_driver);
/* Config space bytes read from a hex dump (0 when none). */
int fks_import_dev_config_len(const struct fks_import *imp, const char *address, size_t *ret_len);

/* The host as a umockdev recording with the ptharness block, NUL-terminated, owned by the
 * caller. Returns 0, or -ENODATA when the text showed no PCI device at all. */
int fks_import_recording(const struct fks_import *imp, char **ret_text);

/* Does this text look like pasted bug-report material rather than a recording? True when its
 * first meaningful line is not a recording's "P: " line and some parser uses a line of it. */
bool fks_import_is_paste(const char *text, size_t len);

/*
 * The hook every loader calls after reading a --host file: when text is a paste, replace it
 * with the recording imported from it (messages are dropped: `ptharness import` shows them).
 * *text must be g_malloc'ed; on replacement it is freed and *len updated. Returns 1 when
 * replaced, 0 when the text is not a paste (left alone), -ENODATA for a paste that shows no
 * PCI device.
 */
int fks_import_if_paste(const char *name, char **text, size_t *len);
