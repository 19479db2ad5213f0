/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kview: print IOMMU groups, member drivers and reset methods in a canonical sorted TSV form. */

/*
 * The plan: walk /sys/kernel/iommu_groups/N/devices/BDF (the kernel's own view of group
 * membership), then every PCI device that is in no group, and print one line per device:
 *
 *	group<TAB>device<TAB>id<TAB>driver<TAB>reset_method
 *
 * sorted by group number (numerically, "-" for no group last) and then by device address.
 * "driver" is the basename of the driver link or "-"; "reset_method" is the file's content
 * without the newline, "-" when the file does not exist, "" when all methods are disabled.
 * The output is meant to be diffed against ptharness's JSON view of the same host.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYSFS "/sys"

struct row {
	long group; /* -1: no group */
	char dev[32];
	char id[16];
	char driver[64];
	char reset_method[128];
};

static struct row rows[1024];
static size_t nrows;

/* Read a small sysfs file into buf without the trailing newline; returns -errno. */
static int read_attr(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

static void fill_row(struct row *r, long group, const char *dev)
{
	char path[PATH_MAX], link[PATH_MAX], ven[16] = "?", did[16] = "?";
	const char *base;
	ssize_t n;

	r->group = group;
	snprintf(r->dev, sizeof(r->dev), "%s", dev);

	snprintf(path, sizeof(path), SYSFS "/bus/pci/devices/%s/vendor", dev);
	read_attr(path, ven, sizeof(ven));
	snprintf(path, sizeof(path), SYSFS "/bus/pci/devices/%s/device", dev);
	read_attr(path, did, sizeof(did));
	snprintf(r->id, sizeof(r->id), "%s:%s", ven + (ven[0] == '0' && ven[1] == 'x' ? 2 : 0),
		 did + (did[0] == '0' && did[1] == 'x' ? 2 : 0));

	snprintf(path, sizeof(path), SYSFS "/bus/pci/devices/%s/driver", dev);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		strcpy(r->driver, "-");
	} else {
		link[n] = '\0';
		base = strrchr(link, '/');
		snprintf(r->driver, sizeof(r->driver), "%.63s", base ? base + 1 : link);
	}

	snprintf(path, sizeof(path), SYSFS "/bus/pci/devices/%s/reset_method", dev);
	if (read_attr(path, r->reset_method, sizeof(r->reset_method)) < 0)
		strcpy(r->reset_method, "-");
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	unsigned long gx = (unsigned long)x->group, gy = (unsigned long)y->group;

	if (gx != gy)
		return gx < gy ? -1 : 1;
	return strcmp(x->dev, y->dev);
}

static int seen(const char *dev)
{
	size_t i;

	for (i = 0; i < nrows; i++)
		if (!strcmp(rows[i].dev, dev))
			return 1;
	return 0;
}

static void scan_groups(void)
{
	char path[PATH_MAX];
	struct dirent *g, *d;
	DIR *gd, *dd;

	gd = opendir(SYSFS "/kernel/iommu_groups");
	if (!gd)
		return;
	while ((g = readdir(gd))) {
		if (g->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), SYSFS "/kernel/iommu_groups/%s/devices", g->d_name);
		dd = opendir(path);
		if (!dd)
			continue;
		while ((d = readdir(dd)) && nrows < sizeof(rows) / sizeof(rows[0])) {
			if (d->d_name[0] == '.')
				continue;
			fill_row(&rows[nrows++], strtol(g->d_name, NULL, 10), d->d_name);
		}
		closedir(dd);
	}
	closedir(gd);
}

static void scan_ungrouped(void)
{
	struct dirent *d;
	DIR *dd;

	dd = opendir(SYSFS "/bus/pci/devices");
	if (!dd)
		return;
	while ((d = readdir(dd)) && nrows < sizeof(rows) / sizeof(rows[0])) {
		if (d->d_name[0] == '.' || seen(d->d_name))
			continue;
		fill_row(&rows[nrows++], -1, d->d_name);
	}
	closedir(dd);
}

int main(void)
{
	size_t i;

	scan_groups();
	scan_ungrouped();
	qsort(rows, nrows, sizeof(rows[0]), cmp_row);
	printf("group\tdevice\tid\tdriver\treset_method\n");
	for (i = 0; i < nrows; i++) {
		if (rows[i].group < 0)
			printf("-");
		else
			printf("%ld", rows[i].group);
		printf("\t%s\t%s\t%s\t%s\n", rows[i].dev, rows[i].id, rows[i].driver,
		       rows[i].reset_method);
	}
	return 0;
}
