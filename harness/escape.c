/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text from untrusted input made safe for JSON and terminals (escape.h). */

#include <glib.h>

#include "escape.h"

char *pth_utf8_escape(const char *s)
{
	GString *out = g_string_new(NULL);

	while (*s) {
		const char *end;
		gunichar c = g_utf8_get_char_validated(s, -1);

		/* Invalid bytes and control characters (a terminal would obey ESC). */
		if (c == (gunichar)-1 || c == (gunichar)-2 || c < 0x20 || c == 0x7f ||
		    (c >= 0x80 && c < 0xa0)) {
			end = c < 0x80 || c == (gunichar)-1 || c == (gunichar)-2 ?
				      s + 1 :
				      g_utf8_next_char(s);
			for (; s < end; s++)
				g_string_append_printf(out, "\\x%02x", (unsigned char)*s);
			continue;
		}
		end = g_utf8_next_char(s);
		g_string_append_len(out, s, end - s);
		s = end;
	}
	return g_string_free(out, FALSE);
}
