/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the host itself needs of its NICs: its default routes, its network root (NFS, iSCSI,
 * NBD), and which NICs carry them. */

/*
 * The plan: the kernel command line says whether the root is on the network (root=/dev/nfs,
 * nfsroot=, dracut's root= and netroot=, open-iscsi's ISCSI_* variables), and so does a
 * mount of / whose type is nfs or nfs4, an iBFT (the firmware booted from iSCSI), and a
 * mounted disk on an iSCSI session. The interface is then looked for, in order of certainty:
 * named on the command line (ip=), named by its MAC address (pxelinux' BOOTIF=, the iBFT's
 * NIC), or the route the kernel would take to the server (the longest prefix in net/route,
 * or net/ipv6_route for an IPv6 server). A NIC found that way is host-critical; when none
 * is, every NIC on a host driver only gets a warning, since the root could be on any of them.
 *
 * The default route (net/route's 0/0, read by host.c, and net/ipv6_route's ::/0) and the
 * root's interface may be stacked (a bond, bridge, VLAN...): the NICs below them, found
 * through the lower_* links, carry it too, each remembered with the chain above it.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "drivers.h"
#include "internal.h"
#include "macro.h"

/* Command-line words that put the root on the network; the table is walked in order. */
static const struct {
	const char *prefix; /* "name=" (a value follows) or a whole word */
	const char *kind;
	bool server; /* the value holds the server: [proto:]SERVER:... */
} netroot_words[] = {
	{ "root=/dev/nfs", "nfs", false }, /* Documentation/admin-guide/nfs/nfsroot.rst */
	{ "nfsroot=", "nfs", true },
	{ "root=nfs:", "nfs", true }, /* dracut.cmdline(7) */
	{ "root=nfs4:", "nfs", true },
	{ "netroot=nfs:", "nfs", true },
	{ "netroot=nfs4:", "nfs", true },
	{ "root=iscsi:", "iscsi", true },
	{ "netroot=iscsi:", "iscsi", true },
	{ "rd.iscsi.firmware", "iscsi", false },
	{ "rd.iscsi.ibft", "iscsi", false },
	{ "ISCSI_TARGET_IP=", "iscsi", true }, /* open-iscsi's initramfs-tools hook */
	{ "ISCSI_TARGET_NAME=", "iscsi", false },
	{ "root=nbd:", "nbd", true },
	{ "netroot=nbd:", "nbd", true },
	{ "nbdroot=", "nbd", true }, /* nbd-client's initramfs hook */
};

/* ip= autoconf methods, which are not interface names (nfsroot.rst, dracut.cmdline(7)). */
static const char *const ip_methods[] = { "off",     "none",  "on",   "any",	    "dhcp",
					  "bootp",   "rarp",  "both", "dhcp6",	    "auto6",
					  "either6", "link6", "ibft", "single-dhcp" };

static bool is_ip_method(const char *s)
{
	for (size_t i = 0; i < ELEMENTSOF(ip_methods); i++)
		if (strcmp(s, ip_methods[i]) == 0)
			return true;
	return false;
}

/* An IPv4 address in dotted form, as the kernel's route table holds it on this host. */
static bool parse_ipv4(const char *s, size_t len, unsigned long *ret)
{
	unsigned a, b, c, d;
	char buf[16], tail;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (sscanf(buf, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 ||
	    c > 255 || d > 255)
		return false;
	*ret = (unsigned long)a << 24 | b << 16 | c << 8 | d;
	return true;
}

/* A server address: IPv4 dotted up to ':' or ',', or "[IPv6]" (an NFS source, dracut); when
 * bare, the whole value in either form, without brackets (an iSCSI connection's address). */
static bool take_addr(struct pt_host *host, const char *s, bool bare)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned long addr;
	size_t len;

	if (s[0] == '[') {
		len = strcspn(++s, "]");
		if (!s[len])
			return false;
	} else {
		len = bare ? strlen(s) : strcspn(s, ":,");
		if (parse_ipv4(s, len, &addr)) {
			host->netroot_server = addr;
			host->netroot_server_known = true;
			return true;
		}
		if (!bare)
			return false;
	}
	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET6, buf, host->netroot_server6) != 1)
		return false;
	host->netroot_server_is6 = true;
	host->netroot_server_known = true;
	return true;
}

/* The server from a value: "[user:pw@]SERVER:..." or "[proto:]SERVER:/path". */
static void take_server(struct pt_host *host, const char *value)
{
	const char *at = strrchr(value, '@'), *end;

	if (at)
		value = at + 1;
	if (take_addr(host, value, false) || value[0] == '[')
		return;
	/* dracut's nfs:[SERVER:]/path took the kind off already; a protocol may lead. */
	end = value + strcspn(value, ":,");
	if (*end == ':')
		take_addr(host, end + 1, false);
}

/*
 * ip=CLIENT:SERVER:GW:MASK:HOST:DEVICE:AUTOCONF:... (the kernel) or ip=DEVICE:METHOD
 * (dracut): the interface when one is named; the kernel's form also names the server.
 */
static int take_ip(struct pt_host *host, const char *value)
{
	char fields[7][64] = { { 0 } };
	const char *p = value;
	size_t n = 0;
	unsigned long addr;

	while (n < ELEMENTSOF(fields)) {
		size_t len = strcspn(p, ":");

		snprintf(fields[n++], sizeof(fields[0]), "%.*s", (int)len, p);
		if (!p[len])
			break;
		p += len + 1;
	}
	if (n >= 2 && parse_ipv4(fields[1], strlen(fields[1]), &addr) &&
	    !host->netroot_server_known) {
		host->netroot_server = addr;
		host->netroot_server_known = true;
	}
	if (n >= 6 && fields[5][0])
		return pt_strv_append(&host->netroot_ifs, fields[5]);
	if (n >= 2 && fields[0][0] && !strchr(fields[0], '.') && !strchr(fields[0], '[') &&
	    !is_ip_method(fields[0]) && is_ip_method(fields[1]))
		return pt_strv_append(&host->netroot_ifs, fields[0]);
	return 0;
}

/* BOOTIF=01-aa-bb-cc-dd-ee-ff (pxelinux' IPAPPEND 2): the MAC of the NIC that booted. */
static void take_bootif(struct pt_host *host, const char *value)
{
	if (strlen(value) != 20 || strncmp(value, "01-", 3) != 0)
		return;
	for (size_t i = 0; i < 17; i++)
		host->netroot_mac[i] = (char)(value[3 + i] == '-' ? ':' : value[3 + i]);
	host->netroot_mac[17] = '\0';
}

static int scan_cmdline(struct pt_host *host)
{
	char buf[4096], *save = NULL;
	size_t len;
	int r = 0;

	if (pt_backend_read(host->be, PT_NS_PROC, "cmdline", buf, sizeof(buf) - 1, &len) < 0)
		return 0;
	buf[len] = '\0';
	for (char *w = strtok_r(buf, " \t\n", &save); w && r >= 0;
	     w = strtok_r(NULL, " \t\n", &save)) {
		for (size_t i = 0; i < ELEMENTSOF(netroot_words); i++) {
			size_t n = strlen(netroot_words[i].prefix);

			if (strncmp(w, netroot_words[i].prefix, n) != 0 ||
			    (netroot_words[i].prefix[n - 1] != '=' &&
			     netroot_words[i].prefix[n - 1] != ':' && w[n] && w[n] != '='))
				continue;
			/* rd.iscsi.firmware=0 turns it off */
			if (!netroot_words[i].server && w[n] == '=' && strcmp(w + n, "=0") == 0)
				break;
			if (!host->netroot)
				host->netroot = netroot_words[i].kind;
			if (netroot_words[i].server && !host->netroot_server_known)
				take_server(host, w + n);
			break;
		}
		if (strncmp(w, "ip=", 3) == 0)
			r = take_ip(host, w + 3);
		else if (strncmp(w, "BOOTIF=", 7) == 0)
			take_bootif(host, w + 7);
	}
	return r;
}

/* A mount of / over NFS: "SERVER:/path / nfs4 ..." in procfs mounts. */
static void scan_root_mount(struct pt_host *host)
{
	char buf[65536], *save = NULL;
	size_t len;

	if (pt_backend_read(host->be, PT_NS_PROC, "mounts", buf, sizeof(buf) - 1, &len) < 0)
		return;
	buf[len] = '\0';
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char src[256], dir[256], type[32];

		if (sscanf(l, "%255s %255s %31s", src, dir, type) != 3 || strcmp(dir, "/") != 0 ||
		    (strcmp(type, "nfs") != 0 && strcmp(type, "nfs4") != 0))
			continue;
		host->netroot = "nfs";
		if (!host->netroot_server_known)
			take_server(host, src);
	}
}

/* The iBFT's NICs (sys/firmware/ibft/ethernetN): the firmware booted from iSCSI. */
static void scan_ibft(struct pt_host *host)
{
	char **names = NULL;
	size_t n = 0;

	if (pt_backend_list(host->be, PT_NS_SYS, "firmware/ibft", &names, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char path[128], mac[32];

		if (strncmp(names[i], "ethernet", 8) != 0)
			continue;
		host->netroot = host->netroot ? host->netroot : "iscsi";
		snprintf(path, sizeof(path), "firmware/ibft/%s/mac", names[i]);
		if (!host->netroot_mac[0] &&
		    pt_backend_read_line(host->be, PT_NS_SYS, path, mac, sizeof(mac)) >= 0 &&
		    strlen(mac) == 17)
			memcpy(host->netroot_mac, mac, 18);
	}
	pt_strv_free(names);
}

/* The interface the kernel routes the server through: the longest prefix in net/route. */
static int route_to_server(struct pt_host *host)
{
	char buf[16384], *save = NULL, best[64] = "";
	unsigned long best_mask = 0;
	bool found = false;
	size_t len;

	if (pt_backend_read(host->be, PT_NS_PROC, "net/route", buf, sizeof(buf) - 1, &len) < 0)
		return 0;
	buf[len] = '\0';
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char iface[64];
		unsigned long dest, flags, mask, d, m;

		if (sscanf(l, "%63s %lx %*x %lx %*s %*s %*s %lx", iface, &dest, &flags, &mask) !=
			    4 ||
		    !(flags & 1))
			continue;
		/* The table prints the address as the host stores it: little-endian here. */
		d = __builtin_bswap32((unsigned)dest);
		m = __builtin_bswap32((unsigned)mask);
		if ((host->netroot_server & m) != d || (found && m <= best_mask))
			continue;
		snprintf(best, sizeof(best), "%s", iface);
		best_mask = m;
		found = true;
	}
	return found ? pt_strv_append(&host->netroot_ifs, best) : 0;
}

/* RTF_UP and RTF_REJECT (include/uapi/linux/route.h, ipv6_route.h). */
#define ROUTE_UP 0x0001u
#define ROUTE_REJECT 0x0200u

/*
 * One line of procfs net/ipv6_route, as ipv6_route_native_seq_show() (net/ipv6/route.c)
 * prints it: "DEST PLEN SRC SRCPLEN NEXTHOP METRIC REFCNT USE FLAGS DEV", addresses as 32 hex
 * digits, the rest in hex. Routes down or rejecting (the "lo" unreachable ones) are left out.
 */
static bool parse_route6(const char *l, unsigned char dest[16], unsigned *plen, unsigned *metric,
			 char dev[64])
{
	char hex[33];
	unsigned flags;

	if (sscanf(l, "%32s %x %*s %*s %*s %x %*s %*s %x %63s", hex, plen, metric, &flags, dev) !=
		    5 ||
	    strlen(hex) != 32 || *plen > 128 || !(flags & ROUTE_UP) || (flags & ROUTE_REJECT) ||
	    strcmp(dev, "lo") == 0)
		return false;
	for (int i = 0; i < 16; i++) {
		unsigned byte;

		if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
			return false;
		dest[i] = (unsigned char)byte;
	}
	return true;
}

static bool prefix6_matches(const unsigned char *a, const unsigned char *b, unsigned plen)
{
	unsigned whole = plen / 8, rest = plen % 8;

	if (memcmp(a, b, whole) != 0)
		return false;
	return !rest || ((a[whole] ^ b[whole]) & (0xff00u >> rest)) == 0;
}

/*
 * The route net/ipv6_route gives addr: the longest prefix, then the lowest metric. addr NULL
 * asks for the default route (::/0) only. Writes the interface, or leaves it empty.
 */
static void route6_lookup(struct pt_host *host, const unsigned char *addr, char *ret, size_t size)
{
	static const unsigned char any[16];
	char buf[32768], *save = NULL;
	unsigned best_plen = 0, best_metric = 0;
	bool found = false;
	size_t len;

	ret[0] = '\0';
	if (pt_backend_read(host->be, PT_NS_PROC, "net/ipv6_route", buf, sizeof(buf) - 1, &len) < 0)
		return;
	buf[len] = '\0';
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned char dest[16];
		unsigned plen, metric;
		char dev[64];

		if (!parse_route6(l, dest, &plen, &metric, dev) ||
		    (addr ? !prefix6_matches(addr, dest, plen) :
			    plen != 0 || memcmp(dest, any, 16) != 0) ||
		    (found && (plen < best_plen || (plen == best_plen && metric >= best_metric))))
			continue;
		snprintf(ret, size, "%s", dev);
		best_plen = plen;
		best_metric = metric;
		found = true;
	}
}

/*
 * An iSCSI disk holding / or swap: its sysfs path runs through the session
 * (.../hostN/sessionM/targetN:0:0/...), whose connection names the target
 * (scsi_transport_iscsi.c: "session%u", "connection%d:%u", persistent_address, address).
 */
static void scan_iscsi_mounts(struct pt_host *host)
{
	static const char *const attrs[] = { "persistent_address", "address" };

	for (char **m = host->mounted; m && *m && !host->netroot_server_known; m++) {
		const char *p = strstr(*m, "/session");
		unsigned sid;
		char tail;

		if (!p || sscanf(p, "/session%u%c", &sid, &tail) != 2 || tail != '/')
			continue;
		host->netroot = host->netroot ? host->netroot : "iscsi";
		for (size_t i = 0; i < ELEMENTSOF(attrs); i++) {
			char path[128], addr[INET6_ADDRSTRLEN + 8];

			snprintf(path, sizeof(path), "class/iscsi_connection/connection%u:0/%s",
				 sid, attrs[i]);
			if (pt_backend_read_line(host->be, PT_NS_SYS, path, addr, sizeof(addr)) >=
				    0 &&
			    take_addr(host, addr, true))
				break;
		}
	}
}

static int add_carrier(struct pt_host *host, const char *name, const char *via, bool netroot)
{
	struct pt_carrier *grown =
		realloc(host->carriers, (host->carrier_count + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	host->carriers = grown;
	grown[host->carrier_count] =
		(struct pt_carrier){ .name = strdup(name), .via = strdup(via), .netroot = netroot };
	if (!grown[host->carrier_count].name || !grown[host->carrier_count].via) {
		free(grown[host->carrier_count].name);
		free(grown[host->carrier_count].via);
		return -ENOMEM;
	}
	host->carrier_count++;
	return 0;
}

/*
 * The devices below a stacked interface (bond, team, bridge, VLAN, macvlan): the kernel links
 * each lower device as class/net/UPPER/lower_NAME (netdev_adjacent_sysfs_add, net/core/dev.c).
 * Followed down to the bottom, so br0 -> bond0 -> eth0 reaches the PCI function's eth0.
 */
static int add_lowers(struct pt_host *host, const char *upper, const char *via, bool netroot,
		      int depth)
{
	char dir[128], *chain = NULL, **names = NULL;
	size_t n = 0;
	int r = 0;

	/* Not a name the kernel gives a netdev (dev_valid_name): a damaged or hostile table. */
	if (!*upper || strchr(upper, '/') || strcmp(upper, ".") == 0 || strcmp(upper, "..") == 0)
		return 0;
	if (depth > 8 || snprintf(dir, sizeof(dir), "class/net/%s", upper) >= (int)sizeof(dir) ||
	    pt_backend_list(host->be, PT_NS_SYS, dir, &names, &n) < 0)
		return 0;
	if ((via ? asprintf(&chain, "%s -> %s", via, upper) : asprintf(&chain, "%s", upper)) < 0)
		r = -ENOMEM;
	for (size_t i = 0; i < n && r >= 0; i++) {
		const char *lower = names[i] + strlen("lower_");

		if (strncmp(names[i], "lower_", strlen("lower_")) != 0 || !*lower)
			continue;
		r = add_carrier(host, lower, chain, netroot);
		if (r >= 0)
			r = add_lowers(host, lower, chain, netroot, depth + 1);
	}
	free(chain);
	pt_strv_free(names);
	return r;
}

int pt_host_scan_netroot(struct pt_host *host)
{
	int r = scan_cmdline(host);

	scan_root_mount(host);
	scan_iscsi_mounts(host);
	scan_ibft(host);
	if (r >= 0 && host->netroot && host->netroot_server_known && !host->netroot_server_is6) {
		r = route_to_server(host);
	} else if (r >= 0 && host->netroot && host->netroot_server_known) {
		char iface[64];

		route6_lookup(host, host->netroot_server6, iface, sizeof(iface));
		if (iface[0])
			r = pt_strv_append(&host->netroot_ifs, iface);
	}
	route6_lookup(host, NULL, host->default_route6_if, sizeof(host->default_route6_if));
	for (char **i = host->netroot_ifs; r >= 0 && i && *i; i++)
		r = add_lowers(host, *i, NULL, true, 0);
	if (r >= 0 && host->default_route_if[0])
		r = add_lowers(host, host->default_route_if, NULL, false, 0);
	if (r >= 0 && host->default_route6_if[0])
		r = add_lowers(host, host->default_route6_if, NULL, false, 0);
	return r;
}

void pt_host_free_netroot(struct pt_host *host)
{
	pt_strv_free(host->netroot_ifs);
	for (size_t i = 0; i < host->carrier_count; i++) {
		free(host->carriers[i].name);
		free(host->carriers[i].via);
	}
	free(host->carriers);
}

/* Does the NIC carry the network root: one of its netdevs is named, or has the MAC. */
static bool carries_netroot(const struct pt_dev *dev)
{
	const struct pt_host *host = dev->host;

	if (!host->netroot)
		return false;
	for (char **n = dev->props.netdevs; n && *n; n++) {
		char path[128], mac[32];

		for (char **i = host->netroot_ifs; i && *i; i++)
			if (strcmp(*n, *i) == 0)
				return true;
		if (!host->netroot_mac[0] ||
		    snprintf(path, sizeof(path), "class/net/%s/address", *n) >= (int)sizeof(path))
			continue;
		if (pt_backend_read_line(host->be, PT_NS_SYS, path, mac, sizeof(mac)) >= 0 &&
		    strcasecmp(mac, host->netroot_mac) == 0)
			return true;
	}
	return false;
}

/* A netdev of the NIC below a stacked interface of the root (netroot) or default route. */
static const char *carrier_via(const struct pt_dev *dev, bool netroot)
{
	const struct pt_host *host = dev->host;

	for (size_t c = 0; c < host->carrier_count; c++)
		for (char **n = dev->props.netdevs; n && *n; n++)
			if (host->carriers[c].netroot == netroot &&
			    strcmp(*n, host->carriers[c].name) == 0)
				return host->carriers[c].via;
	return NULL;
}

enum pt_critical pt_dev_net_critical(const struct pt_dev *dev, const char **via)
{
	const struct pt_host *host = dev->host;

	*via = NULL;
	if (carries_netroot(dev))
		return PT_CRITICAL_NETWORK_ROOT;
	if (host->netroot && (*via = carrier_via(dev, true)))
		return PT_CRITICAL_NETWORK_ROOT;
	for (char **n = dev->props.netdevs; n && *n; n++)
		if ((host->default_route_if[0] && strcmp(*n, host->default_route_if) == 0) ||
		    (host->default_route6_if[0] && strcmp(*n, host->default_route6_if) == 0))
			return PT_CRITICAL_DEFAULT_ROUTE;
	if ((*via = carrier_via(dev, false)))
		return PT_CRITICAL_DEFAULT_ROUTE;
	return PT_CRITICAL_NONE;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A device the model did not have when it was loaded: a VF created since. */
static bool created_since(const struct pt_dev *dev)
{
	const struct pt_host *host = dev->host;
	const char *key = dev->props.address;

	return host->initial && dev->props.physfn &&
	       !bsearch(&key, host->initial, host->initial_count, sizeof(char *), cmp_str);
}

_public_ const char *pt_dev_critical_unknown(const struct pt_dev *dev)
{
	const struct pt_dev_props *p = &dev->props;

	if (dev->critical != PT_CRITICAL_NONE || !p->driver || pt_driver_is_stub(p->driver) ||
	    created_since(dev))
		return NULL;
	if ((p->class >> 16) == 0x01 && !dev->host->mounted)
		return "a storage controller on a host driver, and the host's mounts are not "
		       "shown: it may hold the host's filesystems";
	if ((p->class >> 16) == 0x02 && dev->host->netroot && !dev->host->netroot_ifs &&
	    !dev->host->netroot_mac[0] && p->netdevs && p->netdevs[0])
		return "a NIC on a host driver, and the host's root is on the network through an "
		       "interface the data does not show: it may carry it";
	return NULL;
}

int pt_host_remember_initial(struct pt_host *host, char ***ret, size_t *ret_count)
{
	char **v = calloc(host->dev_count + 1, sizeof(char *));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < host->dev_count; i++)
		if (!(v[i] = strdup(host->devs[i]->props.address))) {
			pt_strv_free(v);
			return -ENOMEM;
		}
	qsort(v, host->dev_count, sizeof(char *), cmp_str);
	*ret = v;
	*ret_count = host->dev_count;
	return 0;
}
