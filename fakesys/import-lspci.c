/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Import: lspci's device lines (plain, -n, -nn, -D) and its -k and -v..-vvv details. */

#include <stdlib.h>
#include <string.h>

#include "import-internal.h"

/* Skip a helper script's leading "[10de:21c4] [R] " tokens: the address is among the first
 * four words. Returns where it starts, or NULL. */
static const char *find_addr(const char *s, char addr[FKS_IMP_ADDR], size_t *ret_n)
{
	for (int word = 0; word < 4 && *s; word++) {
		size_t n = fks_imp_parse_addr(s, addr);

		if (n && (s[n] == ' ' || s[n] == '\t' || s[n] == '\0')) {
			*ret_n = n;
			return s;
		}
		if (*s != '[')
			return NULL;
		s += strcspn(s, " \t");
		s += strspn(s, " \t");
	}
	return NULL;
}

/* The class: "[0300]" (-nn), "0300:" (-n), else lspci's name for it before ':' (plain). */
static int class_of(const char *rest, const char **ret_after)
{
	const char *b = strchr(rest, '[');
	size_t n = strcspn(rest, ":[");
	int c;

	*ret_after = rest;
	if (g_str_has_prefix(rest, "Class ") && (c = fks_imp_hexn(rest + 6, 4)) >= 0 &&
	    rest[10] == ':') {
		*ret_after = rest + 11; /* no name for the class: "Class 0200: Device 8086:10c9" */
		return c;
	}
	if ((c = fks_imp_hexn(rest, 4)) >= 0 && rest[4] == ':' && rest[5] == ' ') {
		*ret_after = rest + 6; /* -n: "0300: 10de:2482 (rev a1)" */
		return c;
	}
	if (b && (c = fks_imp_hexn(b + 1, 4)) >= 0 && b[5] == ']' && b - rest < 64) {
		*ret_after = b + 6 + (b[6] == ':');
		return c;
	}
	while (n && rest[n - 1] == ' ')
		n--;
	c = fks_imp_class_by_name(rest, n);
	if (c < 0) {
		/* A helper's columns: "VGA compatible controller   TU116 ..." */
		for (size_t i = 0; rest[i] && i < 48; i++)
			if (rest[i] == ' ' && rest[i + 1] == ' ' &&
			    (c = fks_imp_class_by_name(rest, i)) >= 0)
				break;
	}
	if (c >= 0 && rest[n] == ':')
		*ret_after = rest + n + 1;
	return c;
}

static void rev_and_progif(struct fks_import *imp, struct fks_imp_dev *d, const char *s,
			   const struct fks_imp_line *ln)
{
	const char *r = strstr(s, "(rev "), *p = strstr(s, "(prog-if ");

	if (r)
		fks_imp_set_int(imp, d, &d->revision, fks_imp_hexn(r + 5, 2), "revision", ln);
	if (p && d->class >= 0 && fks_imp_hexn(p + 9, 2) >= 0) {
		d->class = (d->class & ~0xff) | fks_imp_hexn(p + 9, 2);
		d->class_progif_known = true;
	}
}

bool fks_imp_device_line(struct fks_import *imp, const struct fks_imp_line *ln, const char *s,
			 int group)
{
	char addr[FKS_IMP_ADDR];
	const char *rest, *after;
	struct fks_imp_dev *d;
	int cls, v, dv;
	size_t n;

	if (!(s = find_addr(s, addr, &n)))
		return false;
	rest = s + n;
	rest += strspn(rest, " \t");
	cls = class_of(rest, &after);
	if (cls < 0 && !fks_imp_find_ids(rest, &v, &dv) && *rest)
		return false; /* an address followed by something lspci does not print */
	d = fks_imp_dev_get(imp, addr);
	if (cls >= 0 && (d->class < 0 || !d->class_progif_known))
		d->class = cls << 8;
	if (fks_imp_find_ids(rest, &v, &dv)) {
		fks_imp_set_int(imp, d, &d->vendor, v, "vendor", ln);
		fks_imp_set_int(imp, d, &d->device, dv, "device", ln);
	} else if ((v = fks_imp_hexn(
			    after + strspn(after, " ") +
				    (g_str_has_prefix(after + strspn(after, " "), "Device ") ? 7 :
											       0),
			    4)) >= 0) {
		/* -n: "10de:2482" right after the class; "Device 8086:10c9" without pci.ids. */
		const char *p = after + strspn(after, " ");

		if (g_str_has_prefix(p, "Device "))
			p += 7;
		if (p[4] == ':' && (dv = fks_imp_hexn(p + 5, 4)) >= 0) {
			fks_imp_set_int(imp, d, &d->vendor, v, "vendor", ln);
			fks_imp_set_int(imp, d, &d->device, dv, "device", ln);
		}
	}
	rev_and_progif(imp, d, rest, ln);
	if (group >= 0)
		fks_imp_set_group(imp, d, group, ln);
	imp->cur = d;
	return true;
}

/* A device line, in the group a listing header opened when it is indented under it. */
static bool lspci_line(struct fks_import *imp, const struct fks_imp_line *ln)
{
	int group = -1;

	if (imp->cur_group >= 0) {
		if (!imp->group_indent_set) {
			imp->group_indent = ln->indent;
			imp->group_indent_set = true;
		}
		if (ln->indent >= imp->group_indent)
			group = imp->cur_group;
		else
			imp->cur_group = -1;
	}
	return fks_imp_device_line(imp, ln, ln->text, group);
}

const struct fks_imp_parser fks_imp_lspci = { "lspci device line", lspci_line };

/* ---- -k and -v details, each line under the current device ---- */

static void set_word_list(char **field, const char *v)
{
	g_free(*field);
	*field = g_strdup(v);
}

/* "SrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans-": the
 * ACS capability and control bits in register order (PCI_ACS_SV ... PCI_ACS_DT). */
static int acs_bits(const char *s)
{
	static const char *const names[] = { "SrcValid",   "TransBlk",	  "ReqRedir",
					     "CmpltRedir", "UpstreamFwd", "EgressCtrl",
					     "DirectTrans" };
	int v = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		const char *p = strstr(s, names[i]);

		if (!p)
			return -1;
		if (p[strlen(names[i])] == '+')
			v |= 1 << i;
	}
	return v;
}

/* "Initial VFs: 64, Total VFs: 64, Number of VFs: 0, ..." and "VF offset: 128, stride: 1,
 * Device ID: 10ed". */
static void sriov_numbers(struct fks_imp_dev *d, const char *s)
{
	const char *p;

	if ((p = strstr(s, "Total VFs: ")))
		d->sriov_total = atoi(p + 11);
	if ((p = strstr(s, "Number of VFs: ")))
		d->sriov_num = atoi(p + 15);
	if ((p = strstr(s, "VF offset: ")))
		d->sriov_offset = atoi(p + 11);
	if ((p = strstr(s, "stride: ")))
		d->sriov_stride = atoi(p + 8);
	if ((p = strstr(s, "Device ID: ")))
		d->sriov_vf_device = fks_imp_hexn(p + 11, 4);
}

static void bridge_buses(struct fks_imp_dev *d, const char *s)
{
	const char *sec = strstr(s, "secondary="), *sub = strstr(s, "subordinate=");

	if (sec && sub) {
		d->secondary = fks_imp_hexn(sec + 10, 2);
		d->subordinate = fks_imp_hexn(sub + 12, 2);
	}
}

/* lspci -v lines that carry nothing an import needs (recognised, not reported). */
static const char *const detail_keys[] = {
	"Control:",
	"Status:",
	"Latency:",
	"Interrupt:",
	"Region ",
	"Memory at",
	"I/O ports at",
	"Expansion ROM",
	"Capabilities:",
	"Physical Slot:",
	"NUMA node:",
	"Bus:",
	"I/O behind",
	"Memory behind",
	"Prefetchable",
	"Secondary status:",
	"BridgeCtl:",
	"DevCtl:",
	"DevSta:",
	"LnkCap:",
	"LnkCtl:",
	"LnkSta:",
	"DevCap2:",
	"DevCtl2:",
	"LnkCap2:",
	"LnkCtl2:",
	"LnkSta2:",
	"SltCap:",
	"SltCtl:",
	"SltSta:",
	"RootCap:",
	"RootCtl:",
	"RootSta:",
	"Address:",
	"Data:",
	"Masking:",
	"Pending:",
	"Vector table:",
	"PBA:",
	"Flags:",
	"IOVCap:",
	"IOVCtl:",
	"IOVSta:",
	"Supported Page",
	"System page",
	"VF Migration:",
	"Product Name:",
	"Read-only fields:",
	"End",
	"UESta:",
	"UEMsk:",
	"UESvrt:",
	"CESta:",
	"CEMsk:",
	"AERCap:",
	"HeaderLog:",
	"Device Serial",
	"ARICap:",
	"ARICtl:",
	"LTR",
	"L1SubCap:",
	"L1SubCtl",
	"DpcCap:",
	"DpcCtl:",
	"DpcSta:",
	"Source:",
	"PTMCap:",
	"PTMClockGranularity:",
	"PTMControl:",
	"PTMEffectiveGranularity:",
	"ATSCap:",
	"ATSCtl:",
	"PRICtl:",
	"PRISta:",
	"PASIDCap:",
	"PASIDCtl:",
	"Page Request",
	"Outstanding",
	"Vector",
	"Kernel modules:",
	"Subsystem:",
	"BAR ",
	"VC",
	"Arb:",
	"Ctrl:",
	"Status:",
	"Caps:",
	"Port",
	"LaneErrStat:",
	"ExtTag",
	"MaxPayload",
	"RlxdOrd",
	"AtomicOpsCap:",
	"AtomicOpsCtl:",
	"Compliance",
	"Retimer",
	"EqualizationComplete",
	"PME(",
	"DevCap:",
	"ACSCap:",
	"ACSCtl:",
	"Mask:",
	"Upstream",
	"Downstream",
	"Enable",
	"Enabled",
	"Link",
};

static bool known_detail(const char *s)
{
	for (size_t i = 0; i < G_N_ELEMENTS(detail_keys); i++)
		if (g_str_has_prefix(s, detail_keys[i]))
			return true;
	return false;
}

static bool detail_line(struct fks_import *imp, const struct fks_imp_line *ln)
{
	struct fks_imp_dev *d = imp->cur;
	const char *s = ln->text, *p;

	if (!d)
		return false;
	if (g_str_has_prefix(s, "Kernel driver in use:")) {
		g_autofree char *drv = g_strstrip(g_strdup(s + 21));

		if (drv[0] && !strchr(drv, ' '))
			fks_imp_set_driver(imp, d, drv, ln);
		return true;
	}
	if (g_str_has_prefix(s, "Kernel modules:")) {
		set_word_list(&d->modules, s + 15 + strspn(s + 15, " "));
		return true;
	}
	if (g_str_has_prefix(s, "IOMMU group:")) {
		fks_imp_set_group(imp, d, atoi(s + 12), ln);
		return true;
	}
	if (g_str_has_prefix(s, "Subsystem:")) {
		int v, dv;

		if (fks_imp_find_ids(s, &v, &dv)) {
			fks_imp_set_int(imp, d, &d->subvendor, v, "subsystem vendor", ln);
			fks_imp_set_int(imp, d, &d->subdevice, dv, "subsystem device", ln);
		}
		return true;
	}
	if (g_str_has_prefix(s, "Flags:") && (p = strstr(s, "IOMMU group ")))
		fks_imp_set_group(imp, d, atoi(p + 12), ln);
	else if ((p = strstr(s, "FLReset")) && (p[7] == '+' || p[7] == '-'))
		d->flr = p[7] == '+' ? FKS_IMP_YES : FKS_IMP_NO; /* DevCap's second line */
	else if (g_str_has_prefix(s, "ACSCap:"))
		d->acs_cap = acs_bits(s);
	else if (g_str_has_prefix(s, "ACSCtl:"))
		d->acs_ctrl = acs_bits(s);
	else if (strstr(s, "Total VFs:") || g_str_has_prefix(s, "VF offset:"))
		sriov_numbers(d, s);
	else if (g_str_has_prefix(s, "Bus: primary="))
		bridge_buses(d, s);
	else if (!known_detail(s) && ln->indent == 0)
		return false;
	imp->ignored++;
	return true;
}

const struct fks_imp_parser fks_imp_lspci_detail = { "lspci -k/-v details", detail_line };
