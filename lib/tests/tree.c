/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helpers: throw-away directory trees. */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tree.h"

static void die(const char *what, const char *path)
{
	fprintf(stderr, "test tree: %s %s: %s\n", what, path, strerror(errno));
	abort();
}

static void mkparents(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			die("mkdir", buf);
		*p = '/';
	}
}

char *tree_new(void)
{
	const char *tmp = getenv("TMPDIR");
	char *root;

	if (asprintf(&root, "%s/pt-test-XXXXXX", tmp ? tmp : "/tmp") < 0 || !mkdtemp(root))
		die("mkdtemp", "");
	return root;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

void tree_remove(char *root)
{
	if (root)
		nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(root);
}

void tree_file_bytes(const char *root, const char *path, const void *data, size_t len)
{
	char full[PATH_MAX];
	FILE *f;

	snprintf(full, sizeof(full), "%s/%s", root, path);
	mkparents(full);
	f = fopen(full, "w");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		die("write", full);
}

void tree_file(const char *root, const char *path, const char *content)
{
	tree_file_bytes(root, path, content, strlen(content));
}

void tree_link(const char *root, const char *path, const char *target)
{
	char full[PATH_MAX];

	snprintf(full, sizeof(full), "%s/%s", root, path);
	mkparents(full);
	if (symlink(target, full) < 0)
		die("symlink", full);
}

void tree_dir(const char *root, const char *path)
{
	char full[PATH_MAX];

	snprintf(full, sizeof(full), "%s/%s/", root, path);
	mkparents(full);
}

void *tree_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0)
		die("read", path);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("read", path);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}
