/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine's state file (checked, written atomically) and the lock beside it. */

/*
 * The plan: the state file is what a later command (reattach, release, recover) trusts to put
 * a live host back, so it must be ours, whole and about this boot of the host. It is an
 * envelope {"format": "ptharness-state", "version": 1, "boot_id": ..., "sha256": ..., "body":
 * {...}} where sha256 is over the body as json-glib writes it; it is replaced atomically
 * (pth_write_file: temporary file, fsync, rename). Anything else found there is reported and
 * left alone for a person to look at.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "output.h"
#include "state.h"

#define STATE_FORMAT "ptharness-state"
#define STATE_VERSION 1
#define LOCK_POLL_MS 50

static char *body_text(JsonNode *body)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();

	json_generator_set_root(gen, body);
	return json_generator_to_data(gen, NULL);
}

static int bad(GError **error, int r, const char *path, const char *why)
{
	g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "%s: %s; not trusted (look at it, then move it away)", path, why);
	return r;
}

int pth_state_read(const char *path, const char *boot_id, JsonNode **ret_body, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) e = NULL;
	g_autofree char *text = NULL, *sum = NULL;
	const char *fmt, *want, *boot;
	JsonObject *env;
	JsonNode *body;
	gsize len;

	if (!g_file_get_contents(path, &text, &len, &e)) {
		if (g_error_matches(e, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
			*ret_body = NULL;
			return 0;
		}
		g_propagate_error(error, g_steal_pointer(&e));
		return -EIO;
	}
	if (!json_parser_load_from_data(parser, text, (gssize)len, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
		return bad(error, -EBADMSG, path, "torn or not JSON");
	env = json_node_get_object(json_parser_get_root(parser));
	fmt = json_object_get_string_member_with_default(env, "format", NULL);
	if (!fmt || strcmp(fmt, STATE_FORMAT) != 0 ||
	    json_object_get_int_member_with_default(env, "version", 0) != STATE_VERSION)
		return bad(error, -EBADMSG, path,
			   "not a ptharness state file (version " G_STRINGIFY(STATE_VERSION) ")");
	body = json_object_get_member(env, "body");
	want = json_object_get_string_member_with_default(env, "sha256", "");
	if (!body || !JSON_NODE_HOLDS_OBJECT(body))
		return bad(error, -EBADMSG, path, "no body");
	text = (g_free(text), body_text(body));
	sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
	if (strcmp(sum, want) != 0)
		return bad(error, -EBADMSG, path, "its checksum does not match (torn or edited)");
	boot = json_object_get_string_member_with_default(env, "boot_id", NULL);
	if (boot && boot_id && strcmp(boot, boot_id) != 0)
		return bad(error, -ESTALE, path,
			   "written before the host last booted (what it says the host holds "
			   "went with the reboot)");
	*ret_body = json_node_copy(body);
	return 0;
}

int pth_state_write(const char *path, const char *boot_id, JsonNode *body, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autofree char *text = body_text(body), *out = NULL;
	g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
	JsonNode *root;
	int r;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "format");
	json_builder_add_string_value(b, STATE_FORMAT);
	json_builder_set_member_name(b, "version");
	json_builder_add_int_value(b, STATE_VERSION);
	json_builder_set_member_name(b, "boot_id");
	boot_id ? json_builder_add_string_value(b, boot_id) : json_builder_add_null_value(b);
	json_builder_set_member_name(b, "sha256");
	json_builder_add_string_value(b, sum);
	json_builder_set_member_name(b, "body");
	json_builder_add_value(b, json_node_copy(body));
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, TRUE);
	out = json_generator_to_data(gen, NULL);
	json_node_unref(root);
	r = pth_write_file(path, out, strlen(out), error);
	return r;
}

/* Who holds the lock, as the holder wrote it ("PID COMMAND"). */
static char *holder(int fd)
{
	char buf[128];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	unsigned long pid;
	char cmd[64];

	buf[n > 0 ? n : 0] = '\0';
	if (sscanf(buf, "%lu %63s", &pid, cmd) == 2)
		return g_strdup_printf("pid %lu (%s)", pid, cmd);
	return g_strdup("another process (it has not said which yet)");
}

int pth_lock_take(const char *path, const char *command, unsigned wait_ms, bool shared,
		  GError **error)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	g_autofree char *who = NULL;
	char mine[96];
	unsigned waited = 0;

	if (fd < 0) {
		int r = -errno;

		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r), "lock %s: %s", path,
			    g_strerror(-r));
		return r;
	}
	while (flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		const struct timespec poll = { 0, LOCK_POLL_MS * 1000000L };

		if (errno != EWOULDBLOCK && errno != EINTR) {
			int r = -errno;

			g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r), "lock %s: %s",
				    path, g_strerror(-r));
			close(fd);
			return r;
		}
		if (waited >= wait_ms) {
			who = holder(fd);
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_AGAIN,
				    "busy: held by %s (lock %s; waited %u ms)", who, path, waited);
			close(fd);
			return -EBUSY;
		}
		nanosleep(&poll, NULL);
		waited += LOCK_POLL_MS;
	}
	/* Shared holders are many: only an exclusive one says who it is. */
	snprintf(mine, sizeof(mine), "%ld %s\n", (long)getpid(), command);
	if (!shared && (ftruncate(fd, 0) < 0 || pwrite(fd, mine, strlen(mine), 0) < 0)) {
		/* The lock holds without the note: a waiter then says "another process". */
	}
	return fd;
}
