/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helpers: build a throw-away directory tree (a fake sysfs root) file by file. */
#pragma once

#include <stddef.h>

/* A new empty directory under $TMPDIR; the caller removes it with tree_remove(). */
char *tree_new(void);
void tree_remove(char *root);
/* Create root/path with content (parents created). */
void tree_file(const char *root, const char *path, const char *content);
void tree_file_bytes(const char *root, const char *path, const void *data, size_t len);
void tree_link(const char *root, const char *path, const char *target);
void tree_dir(const char *root, const char *path);
/* Read a whole file into a malloc'd buffer; *len gets its size. */
void *tree_slurp(const char *path, size_t *len);
