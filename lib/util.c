/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict parsers for sysfs attribute text, and error reporting for the host model. */

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "macro.h"

int pt_error_set(struct pt_error *err, int code, const char *path, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	snprintf(err->path, sizeof(err->path), "%s", path ? path : "");
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return code;
}

int pt_parse_hex(const char *s, unsigned long max, unsigned long *ret)
{
	unsigned long v;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!isxdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 16);
	if (errno || *end != '\0' || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

int pt_parse_int(const char *s, long min, long max, long *ret)
{
	long v;
	char *end;

	if (!isdigit((unsigned char)s[0]) && !(s[0] == '-' && isdigit((unsigned char)s[1])))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* The value of n lower-case hex digits, already checked to be such. */
static unsigned hex_digits(const char *s, size_t n)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 4 |
		    (unsigned)(isdigit((unsigned char)s[i]) ? s[i] - '0' : s[i] - 'a' + 10);
	return v;
}

/*
 * DOMAIN:BB:SS.F, lower-case hex, as the kernel names PCI devices ("%04x:%02x:%02x.%d"): the
 * domain has 4 digits, or more without a leading zero (Intel VMD's 10000:, Hyper-V's). Up to
 * 7 digits (what the 16-byte address buffers hold; ACPI segments are 16 bits, VMD domains
 * 0x10000-0x1ffff). Returns the domain's length in digits, or -EINVAL.
 */
static int domain_digits(const char *s)
{
	size_t n = strcspn(s, ":");

	if (n < 4 || n > PT_DOMAIN_DIGITS_MAX || s[n] != ':' || (n > 4 && s[0] == '0'))
		return -EINVAL;
	return (int)n;
}

int pt_parse_address(const char *s, unsigned *domain, unsigned *bus, unsigned *slot,
		     unsigned *function)
{
	static const char form[] = ":xx:xx.x";
	unsigned d, b, sl, f;
	int dn = domain_digits(s);

	if (dn < 0 || strlen(s) != (size_t)dn + sizeof(form) - 1)
		return -EINVAL;
	for (int i = 0; i < dn; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return -EINVAL;
	for (size_t i = 0; form[i]; i++) {
		const char c = s[dn + (int)i];

		if (form[i] == 'x' ? !isxdigit((unsigned char)c) || isupper((unsigned char)c) :
				     c != form[i])
			return -EINVAL;
	}
	/* The form is checked: the digits convert without sscanf (a scan meets thousands). */
	d = hex_digits(s, (size_t)dn);
	b = hex_digits(s + dn + 1, 2);
	sl = hex_digits(s + dn + 4, 2);
	f = hex_digits(s + dn + 7, 1);
	if (sl > 0x1f || f > 7)
		return -EINVAL;
	*domain = d;
	*bus = b;
	*slot = sl;
	*function = f;
	return 0;
}

_public_ int pt_address_canonical(const char *s, char ret[PT_ADDRESS_SIZE])
{
	char buf[PT_ADDRESS_SIZE + 8];
	unsigned d, b, sl, f;
	size_t n = strlen(s);

	/* What a user types: upper case, or the short BB:SS.F lspci prints for domain 0. */
	if (n + 1 > sizeof(buf) - 5)
		return -EINVAL;
	for (size_t i = 0; i <= n; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	if (n == 7 && buf[2] == ':') {
		memmove(buf + 5, buf, n + 1);
		memcpy(buf, "0000:", 5);
	}
	if (pt_parse_address(buf, &d, &b, &sl, &f) < 0)
		return -EINVAL;
	snprintf(ret, PT_ADDRESS_SIZE, "%04x:%02x:%02x.%x", d, b, sl, f);
	return 0;
}

const char *pt_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int pt_strv_append(char ***strv, const char *s)
{
	size_t n = 0;
	char **grown;

	while (*strv && (*strv)[n])
		n++;
	grown = realloc(*strv, (n + 2) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	*strv = grown;
	grown[n] = strdup(s);
	grown[n + 1] = NULL;
	return grown[n] ? 0 : -ENOMEM;
}
