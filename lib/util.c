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

int pt_parse_address(const char *s, unsigned *domain, unsigned *bus, unsigned *slot,
		     unsigned *function)
{
	/* Exactly DDDD:BB:SS.F, lower-case hex, as the kernel names PCI devices. */
	static const char form[] = "xxxx:xx:xx.x";
	unsigned d, b, sl, f;

	if (strlen(s) != sizeof(form) - 1)
		return -EINVAL;
	for (size_t i = 0; form[i]; i++) {
		if (form[i] == 'x' ?
			    !isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]) :
			    s[i] != form[i])
			return -EINVAL;
	}
	/* The form is checked: the digits convert without sscanf (a scan meets thousands). */
	d = hex_digits(s, 4);
	b = hex_digits(s + 5, 2);
	sl = hex_digits(s + 8, 2);
	f = hex_digits(s + 11, 1);
	if (sl > 0x1f || f > 7)
		return -EINVAL;
	*domain = d;
	*bus = b;
	*slot = sl;
	*function = f;
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
