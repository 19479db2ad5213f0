/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text from untrusted input made safe for JSON and terminals (no JSON library: hostjson.c
 * writes its JSON by hand, the rest uses json-glib). */
#pragma once

/* s as valid UTF-8 without control characters: each invalid byte and each control character
 * becomes the text \xNN, so that nothing is lost and a terminal obeys nothing. Returns a new
 * string (g_free). */
char *pth_utf8_escape(const char *s);
