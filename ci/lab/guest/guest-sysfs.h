/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* guest-sysfs.h: the guest tools' sysfs access (kfacts, matrix): whole-file reads, one-write
 * writes with the kernel's errno, attributes as numbers. Each tool is one static binary. */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYSFS "/sys/"

/* Read sysfs file rel (relative to /sys) into buf, always terminated; returns bytes or -errno. */
static ssize_t sysfs_read(const char *rel, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SYSFS "%s", rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	n = n < 0 ? -errno : n;
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return n;
}

/* Write exactly len bytes with one write(); returns 0 or -errno (-EIO for a short write). */
static int sysfs_write(const char *rel, const char *val, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SYSFS "%s", rel);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	n = n < 0 ? -errno : n;
	close(fd);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

/* A device attribute as a number (0 when it cannot be read). */
static unsigned long attr_ul(const char *bdf, const char *attr)
{
	char rel[256], buf[64];

	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/%s", bdf, attr);
	return sysfs_read(rel, buf, sizeof(buf)) > 0 ? strtoul(buf, NULL, 0) : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}
