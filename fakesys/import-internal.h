/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The import's model and the interface its format parsers share. */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "import.h"

#define FKS_IMP_ADDR 24 /* "ffffffff:ff:1f.7" and NUL, with room */

/* A tri-state fact: what the text showed, or that it did not show it. */
enum fks_imp_tri {
	FKS_IMP_UNKNOWN = -1,
	FKS_IMP_NO = 0,
	FKS_IMP_YES = 1,
};

/* Where a fact came from, for conflict messages. */
struct fks_imp_at {
	const char *file; /* owned by the import's file list */
	unsigned line;
};

struct fks_imp_dev {
	char addr[FKS_IMP_ADDR]; /* DDDD:BB:DD.F, lower case */
	int vendor, device, subvendor, subdevice; /* -1: unknown */
	int class; /* 24 bits, -1: unknown */
	bool class_progif_known;
	int revision;
	int group; /* -1: unknown */
	bool group_conflict;
	struct fks_imp_at group_at;
	char *driver; /* NULL: unknown */
	bool driver_conflict;
	struct fks_imp_at driver_at;
	char *modules;
	char *devpath; /* "devices/pci0000:00/0000:00:01.0/0000:01:00.0" when the text showed it */
	int secondary, subordinate; /* a bridge's buses, -1: unknown */
	enum fks_imp_tri flr;
	int acs_cap, acs_ctrl; /* -1: the text showed no ACS capability lines */
	int sriov_total, sriov_num, sriov_offset, sriov_stride, sriov_vf_device;
	uint8_t *config; /* from a hex dump */
	size_t config_len; /* bytes seen, contiguous from 0 */
	size_t config_cap; /* bytes allocated */
};

/* One cleaned line as the parsers see it. */
struct fks_imp_line {
	const char *file;
	unsigned no;
	char *text; /* trimmed, prefixes (prompt, timestamp, diff, quote) removed */
	unsigned indent; /* leading blanks of the text before trimming (a tab counts 8) */
	bool kernel; /* it had a kernel log prefix ("[    0.5] " or "... kernel: ") */
};

struct fks_import {
	GHashTable *devs; /* addr -> struct fks_imp_dev * */
	GPtrArray *files; /* names, owned */
	GPtrArray *messages; /* char * */
	char *cmdline;
	char *osrelease;
	GPtrArray *new_ids; /* "vfio-pci 10de 1c82" */
	GPtrArray *iommus; /* IOMMU units the kernel log named ("dmar0"), for the class */
	bool acs_override;
	unsigned lines, ignored;
	const struct fks_imp_parser *only; /* NULL: every parser */

	/* Parsing context: the device the last device line named, the group a listing is in,
	 * the dpdk-devbind section's class, whether a -vmm record is open. */
	struct fks_imp_dev *cur;
	int cur_group;
	unsigned group_indent;
	bool group_indent_set;
	int section_class;
	bool in_vmm;
	/* lspci -t: the buses open at each column, innermost last. */
	struct {
		unsigned col;
		unsigned long domain;
		int bus;
	} tree[32];
	unsigned tree_depth;
};

/* A format parser: returns true when it used the line (or recognised it as carrying nothing
 * needed: then it counts imp->ignored). Parsers are tried in the order of the table in
 * import.c; the first that uses a line wins. */
struct fks_imp_parser {
	const char *name;
	bool (*line)(struct fks_import *imp, const struct fks_imp_line *ln);
};

extern const struct fks_imp_parser fks_imp_groups, fks_imp_ls, fks_imp_devbind, fks_imp_dmesg,
	fks_imp_vmm, fks_imp_hex, fks_imp_lspci, fks_imp_lspci_detail, fks_imp_cmdline,
	fks_imp_tree;

/* Model helpers (import.c). */
struct fks_imp_dev *fks_imp_dev_get(struct fks_import *imp, const char *addr);
struct fks_imp_dev *fks_imp_dev_find(const struct fks_import *imp, const char *addr);
void fks_imp_set_group(struct fks_import *imp, struct fks_imp_dev *d, int group,
		       const struct fks_imp_line *ln);
void fks_imp_set_driver(struct fks_import *imp, struct fks_imp_dev *d, const char *driver,
			const struct fks_imp_line *ln);
/* Set an id-like field: a different value already known is reported, the first kept. */
void fks_imp_set_int(struct fks_import *imp, struct fks_imp_dev *d, int *field, int v,
		     const char *what, const struct fks_imp_line *ln);
void fks_imp_message(struct fks_import *imp, const struct fks_imp_line *ln, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);

/* Text helpers (import.c). */
/* A PCI address at s ("01:00.0", "0000:01:00.0", "10000:e1:00.0"): writes the normalised form
 * and returns the characters used, 0 when s does not start with one. */
size_t fks_imp_parse_addr(const char *s, char ret[FKS_IMP_ADDR]);
/* "[xxxx:xxxx]" ids: the last such pair in s. Returns true when found. */
bool fks_imp_find_ids(const char *s, int *ret_vendor, int *ret_device);
/* Class code from lspci's class name ("VGA compatible controller"): base << 8 | sub, or -1. */
int fks_imp_class_by_name(const char *s, size_t len);
/* Hex number of exactly n digits at s; -1 when not. */
int fks_imp_hexn(const char *s, unsigned n);
/* Fill class, ids, revision from a config space read so far. */
void fks_imp_from_config(struct fks_import *imp, struct fks_imp_dev *d,
			 const struct fks_imp_line *ln);

/* A device line as lspci prints it (plain, -n, -nn, -D, or a helper script's variant) at s:
 * records the device, makes it current, and puts it in group (when >= 0). False when s holds
 * no device line (import-lspci.c). */
bool fks_imp_device_line(struct fks_import *imp, const struct fks_imp_line *ln, const char *s,
			 int group);

/* What a kernel command line says to an import (vfio-pci ids, ACS override); keeps the first
 * command line seen (import-cmdline.c). */
void fks_imp_cmdline_facts(struct fks_import *imp, const char *cmdline);

/* The writer (import-write.c). */
int fks_imp_write(const struct fks_import *imp, char **ret_text);
