/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private helpers of the report writers: typed reads of a checked result's JSON members. */
#pragma once

#include <json-glib/json-glib.h>

/*
 * These read members of an object that prp_result_check() accepted, so types are known;
 * a null or absent member reads as NULL, 0 or FALSE.
 */
static inline const char *prp_str(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING ?
		       json_node_get_string(n) :
		       NULL;
}

static inline gint64 prp_int(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_VALUE(n) ? json_node_get_int(n) : 0;
}

static inline gboolean prp_bool(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_VALUE(n) ? json_node_get_boolean(n) : FALSE;
}

static inline gboolean prp_is_null(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return !n || JSON_NODE_HOLDS_NULL(n);
}

static inline JsonObject *prp_obj(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static inline JsonArray *prp_arr(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

static inline guint prp_len(JsonArray *a)
{
	return a ? json_array_get_length(a) : 0;
}

/* Element I of an array of objects (checked), or of strings. */
static inline JsonObject *prp_at(JsonArray *a, guint i)
{
	return json_array_get_object_element(a, i);
}

static inline const char *prp_str_at(JsonArray *a, guint i)
{
	return json_array_get_string_element(a, i);
}

/* Milliseconds as the seconds JUnit and people read: "0.023". */
static inline char *prp_seconds(gint64 ms)
{
	return g_strdup_printf("%" G_GINT64_FORMAT ".%03" G_GINT64_FORMAT, ms / 1000, ms % 1000);
}

/* The schema of `ptharness certify`'s certificate.json (harness/certify-cert.c). */
#define PRP_CERT_SCHEMA "ptharness-certificate/1"

/* A certificate's root object, or NULL with @error (not a certificate, or without its checks). */
JsonObject *prp_cert_root(JsonNode *cert, GError **error);

/* The array of strings joined by SEP ("" when empty or absent); free with g_free(). */
char *prp_join(JsonArray *a, const char *sep);

/* A string with C0 control characters (but tab and newline) replaced by '?', for XML. */
char *prp_printable(const char *s);

/* "VERB ARGS" of a step (just VERB when it has no arguments); free with g_free(). */
char *prp_step_title(JsonObject *step);

/* "KEY: expected E, observed O" of one failures[] entry; free with g_free(). */
char *prp_expect_text(JsonObject *failure);

/* What a step that did not pass returned: "outcome: ERROR ERRNO: MESSAGE [RULE]" (the parts
 * it has); NULL for a step that passed or has no outcome. Free with g_free(). */
char *prp_outcome_line(JsonObject *step);
