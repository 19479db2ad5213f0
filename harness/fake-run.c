/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Running a program against the FUSE view: umockdev's preload, or a private mount namespace. */

/*
 * The plan: the program runs in a child process. With the preload, libumockdev-preload
 * redirects every path under /sys to $UMOCKDEV_DIR/sys, which is our mount; it only works
 * for dynamically linked programs that call libc (not for openat2(2), not for Go). With a
 * namespace, the child unshares its mount namespace (root only), makes every mount a slave
 * so nothing propagates back to the machine, and bind-mounts the view over /sys: every
 * program, static or not, sees it with plain system calls. Everything else is the machine's.
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "fake-vfio-proto.h"
#include "fake.h"
#include "resource.h"

#define PRELOAD_LIB "libumockdev-preload.so.0"

static const char *const via_names[_PTH_FAKE_VIA_MAX] = {
	[PTH_FAKE_AUTO] = "auto",
	[PTH_FAKE_PRELOAD] = "preload",
	[PTH_FAKE_NAMESPACE] = "namespace",
};

const char *pth_fake_via_to_string(enum pth_fake_via via)
{
	return (unsigned)via < _PTH_FAKE_VIA_MAX ? via_names[via] : NULL;
}

int pth_fake_via_from_string(const char *s, enum pth_fake_via *ret)
{
	for (unsigned i = 0; i < _PTH_FAKE_VIA_MAX; i++)
		if (strcmp(s, via_names[i]) == 0) {
			*ret = i;
			return 0;
		}
	return -EINVAL;
}

/* Where a backend namespace is on the machine itself: the live sysfs backend's root is "/",
 * each namespace the directory of its name beneath it (sys, dev). Caller frees. */
static char *machine_path(enum pt_ns ns, const char *below)
{
	return g_build_filename("/", pt_ns_to_string(ns), below, NULL);
}

/* LD_PRELOAD with lib in front of what is there. */
static char **prepend_preload(char **env, const char *lib)
{
	const char *old = g_environ_getenv(env, "LD_PRELOAD");
	g_autofree char *both = old && *old ? g_strconcat(lib, ":", old, NULL) : g_strdup(lib);

	return g_environ_setenv(env, "LD_PRELOAD", both, TRUE);
}

/*
 * The environment of the child: ours, with the preload's variables when it is used, and in
 * both modes fake's VFIO shim first (its /dev/vfio calls go to the model before umockdev's
 * preload sees them) with the server's socket. Without the shim (not found: the message says
 * where it was looked for) the VFIO nodes cannot be opened.
 */
static char **child_env(const struct pth_fakefs *fs, enum pth_fake_via via)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *shim = pth_resource_find(PTH_RESOURCE_FAKE_PRELOAD, &error);
	g_autofree char *dev = machine_path(PT_NS_DEV, NULL);
	char **env = g_get_environ();

	if (via == PTH_FAKE_PRELOAD) {
		env = prepend_preload(env, PRELOAD_LIB);
		env = g_environ_setenv(env, "UMOCKDEV_DIR", pth_fakefs_root(fs), TRUE);
	}
	if (!shim) {
		fprintf(stderr, "ptharness fake: the VFIO nodes are not served: %s\n",
			error->message);
		return env;
	}
	env = prepend_preload(env, shim);
	env = g_environ_setenv(env, PTHV_DEV_ENV, dev, TRUE);
	return g_environ_setenv(env, PTHV_SOCKET_ENV, pth_fakefs_vfio_socket(fs), TRUE);
}

/*
 * Loading a module is the kernel's business too: in the namespace, modprobe answers from the
 * model (a module is there when /sys/module/NAME or the driver NAME is), as kmod's modprobe
 * does for a module already loaded or built in, and loads nothing into the real kernel.
 * driverctl runs it before every override. It shadows /usr/sbin/modprobe (and /sbin's, a
 * link to it on merged-/usr systems) through a read-only overlay in the namespace only.
 */
static const char modprobe_script[] =
	"# ptharness fake: modprobe answered from the kernel model (nothing is loaded)\n"
	"quiet=0 remove=0 status=0\n"
	"for a; do\n"
	"  case $a in\n"
	"  -q|--quiet) quiet=1 ;; -r|--remove) remove=1 ;; -*) ;;\n"
	"  *) m=$(echo \"$a\" | tr - _); d=$(echo \"$a\" | tr _ -)\n"
	"     if [ $remove = 1 ]; then\n"
	"       echo \"modprobe: ERROR: ptharness fake does not model unloading $a\" >&2; status=1\n"
	"     elif [ ! -d \"$sys/module/$m\" ] && [ ! -d \"$sys/bus/pci/drivers/$d\" ] &&\n"
	"          [ ! -d \"$sys/bus/pci/drivers/$a\" ]; then\n"
	"       [ $quiet = 1 ] || echo \"modprobe: FATAL: Module $a not found in directory "
	"/lib/modules/$(uname -r)\" >&2\n"
	"       status=1\n"
	"     fi ;;\n"
	"  esac\n"
	"done\n"
	"exit $status\n";

/* ROOT/sbin/modprobe, for the overlay. Returns 0 or -errno (error set). */
static int write_modprobe(const char *root, GError **error)
{
	g_autofree char *dir = g_build_filename(root, "sbin", NULL);
	g_autofree char *file = g_build_filename(dir, "modprobe", NULL);
	g_autofree char *sys = machine_path(PT_NS_SYS, NULL);
	g_autofree char *text = g_strconcat("#!/bin/sh\nsys=", sys, "\n", modprobe_script, NULL);

	if ((g_mkdir(dir, 0755) < 0 && errno != EEXIST) ||
	    !g_file_set_contents(file, text, -1, error) || g_chmod(file, 0755) < 0) {
		if (error && !*error)
			g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s",
				    file, g_strerror(errno));
		return -EIO;
	}
	return 0;
}

static void remove_modprobe(const char *root)
{
	g_autofree char *dir = g_build_filename(root, "sbin", NULL);
	g_autofree char *file = g_build_filename(dir, "modprobe", NULL);

	g_unlink(file);
	g_rmdir(dir);
}

/*
 * /lib/modules in the namespace holds what the recording holds and nothing of the machine's,
 * whose kernel is not the recorded one. uname(2) still answers the machine's release (a UTS
 * namespace carries only the host and domain names), and libvirt reads
 * /lib/modules/$(uname -r)/modules.alias (virPCIDeviceFindBestVFIOVariant), as the engine on a
 * live host reads the release from /proc/sys/kernel/osrelease: so the model's modules.alias
 * is put under the machine's release. A machine with /lib/modules gets it covered by a
 * directory holding only that file, or nothing when the recording has no modules.alias (the
 * variant is then unknown, never the machine's answer). A machine without /lib/modules gets
 * one, when there is a file to show, through a read-only overlay of the directory it would be
 * in (/usr/lib on merged-/usr systems).
 */
#define MACHINE_MODULES "/lib/modules"

enum modules_how {
	MODULES_NONE, /* no /lib/modules, no recorded file: nothing to do */
	MODULES_BIND, /* our lib/modules bind-mounted over the machine's */
	MODULES_OVERLAY, /* our lib/ over the directory that would hold modules/ */
};

/* ROOT/lib/modules/RELEASE/modules.alias holding text, for the release uname(2) answers. */
static int write_modules(const char *root, const char *text, GError **error)
{
	g_autofree char *dir = NULL, *file = NULL;
	struct utsname u;

	if (uname(&u) < 0 || !u.release[0] || strchr(u.release, '/') ||
	    strcmp(u.release, "..") == 0) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "cannot show modules.alias: uname gives no usable release");
		return -EINVAL;
	}
	dir = g_build_filename(root, "lib", "modules", text ? u.release : NULL, NULL);
	file = g_build_filename(dir, "modules.alias", NULL);
	if (g_mkdir_with_parents(dir, 0755) < 0 ||
	    (text && !g_file_set_contents(file, text, -1, error))) {
		if (error && !*error)
			g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s",
				    dir, g_strerror(errno));
		return -EIO;
	}
	return 0;
}

static void remove_modules(const char *root)
{
	g_autofree char *lib = g_build_filename(root, "lib", NULL);
	g_autofree char *modules = g_build_filename(lib, "modules", NULL);
	g_autoptr(GDir) d = g_dir_open(modules, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *rel = g_build_filename(modules, name, NULL);
		g_autofree char *file = g_build_filename(rel, "modules.alias", NULL);

		g_unlink(file);
		g_rmdir(rel);
	}
	g_rmdir(modules);
	g_rmdir(lib);
}

/* How the namespace shows the model's modules.alias (text, NULL: none), with its files
 * written under root; *ret_lib gets the directory an overlay covers. */
static int prepare_modules(const char *root, const char *text, enum modules_how *ret_how,
			   char **ret_lib, GError **error)
{
	g_autofree char *parent = NULL;

	*ret_lib = NULL;
	*ret_how = MODULES_NONE;
	if (g_file_test(MACHINE_MODULES, G_FILE_TEST_IS_DIR))
		*ret_how = MODULES_BIND;
	else if (text && (parent = realpath("/lib", NULL)))
		*ret_how = MODULES_OVERLAY;
	if (*ret_how == MODULES_NONE)
		return 0;
	*ret_lib = g_steal_pointer(&parent);
	return write_modules(root, text, error);
}

/* The mount's trees, and the machine's directories they cover in the namespace. */
struct child_paths {
	const char *sys, *vfio, *empty, *overlay_opts;
	const char *real_sys, *real_vfio;
	enum modules_how modules_how;
	const char *modules, *lib_overlay_opts, *real_lib;
};

/* In the child: /lib/modules as prepare_modules() decided. A machine without /lib/modules
 * whose overlay fails shows none (unknown, not a wrong answer): it is said, not fatal. */
static int cover_modules(const struct child_paths *p)
{
	static const char warn[] = "ptharness fake: cannot show the recording's modules.alias "
				   "(no overlay on the directory of /lib/modules)\n";

	if (p->modules_how == MODULES_BIND &&
	    (mount(p->modules, MACHINE_MODULES, NULL, MS_BIND, NULL) < 0 ||
	     mount(NULL, MACHINE_MODULES, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0))
		return -errno;
	if (p->modules_how == MODULES_OVERLAY &&
	    mount("overlay", p->real_lib, "overlay", MS_RDONLY, p->lib_overlay_opts) < 0)
		(void)!write(STDERR_FILENO, warn, sizeof(warn) - 1);
	return 0;
}

/* In the child, before exec: only system calls. Returns 0 or -errno. The machine's
 * /dev/vfio, when it has one, is covered by the model's (or by the empty scratch sbin/ when
 * the model has none), so no VFIO node of the machine can be opened. */
static int enter_namespace(const struct child_paths *p)
{
	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return -errno;
	if (mount(p->sys, p->real_sys, NULL, MS_BIND, NULL) < 0)
		return -errno;
	if (mount("overlay", "/usr/sbin", "overlay", MS_RDONLY, p->overlay_opts) < 0)
		return -errno;
	if (access(p->real_vfio, F_OK) == 0 &&
	    mount(access(p->vfio, F_OK) == 0 ? p->vfio : p->empty, p->real_vfio, NULL, MS_BIND,
		  NULL) < 0)
		return -errno;
	return cover_modules(p);
}

static void child(const struct child_paths *p, enum pth_fake_via via, const char *file,
		  const char *const argv[], char **env, int out_fd, int report_fd)
{
	int r = 0, null_fd;

	if (out_fd >= 0 && (dup2(out_fd, STDOUT_FILENO) < 0 || dup2(out_fd, STDERR_FILENO) < 0))
		r = -errno;
	/* A captured run (a scenario's exec step) reads nothing from our terminal. */
	if (r == 0 && out_fd >= 0) {
		null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0)
			r = -errno;
	}
	if (r == 0 && via == PTH_FAKE_NAMESPACE)
		r = enter_namespace(p);
	if (r == 0) {
		execvpe(file, (char *const *)argv, env);
		r = -errno;
		r = r == -ENOENT ? -ENOENT : r - 1000; /* tell exec failures from set-up ones */
	}
	(void)!write(report_fd, &r, sizeof(r));
	_exit(127);
}

/* The signals a terminal or a job runner sends to stop a program. */
static void stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
}

/*
 * Wait for the program, passing it the stop signals we get meanwhile instead of dying of
 * them with the file system still mounted: it ends, and we unmount and report its status.
 */
static void wait_forwarding(pid_t pid, int *ret_status)
{
	const struct timespec tick = { .tv_nsec = 100 * 1000 * 1000 };
	sigset_t set, old;
	pid_t r;
	int sig;

	stop_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	while ((r = waitpid(pid, ret_status, WNOHANG)) == 0 || (r < 0 && errno == EINTR)) {
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig > 0)
			kill(pid, sig);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static enum pth_fake_via resolve_via(enum pth_fake_via via)
{
	if (via != PTH_FAKE_AUTO)
		return via;
	return geteuid() == 0 ? PTH_FAKE_NAMESPACE : PTH_FAKE_PRELOAD;
}

/*
 * The file to exec for argv[0]: a command named without a '/' is looked up first among
 * ptharness's own clients (PTH_RESOURCE_CLIENTS: BUILD/harness/clients, or
 * LIBDIR/ptharness/clients once installed), which a bundled scenario's exec step runs
 * (bar-dma-client), then in PATH as execvp(3) does. That folder goes first in the program's
 * PATH too, so a script it runs finds them alike. Caller frees.
 */
static char *resolve_program(const char *name, char ***env)
{
	g_autofree char *dir =
		strchr(name, '/') ? NULL : pth_resource_find(PTH_RESOURCE_CLIENTS, NULL);
	g_autofree char *path = dir ? g_build_filename(dir, name, NULL) : NULL;
	const char *old = g_environ_getenv(*env, "PATH");
	g_autofree char *both = dir && old ? g_strconcat(dir, ":", old, NULL) : NULL;

	if (both)
		*env = g_environ_setenv(*env, "PATH", both, TRUE);
	return path && access(path, X_OK) == 0 ? g_steal_pointer(&path) : g_strdup(name);
}

/* What spawn wrote into the scratch directory for the program (modprobe, lib/modules). */
static void remove_scratch(const struct pth_fakefs *fs)
{
	remove_modprobe(pth_fakefs_scratch(fs));
	remove_modules(pth_fakefs_scratch(fs));
}

/* The namespace's own files (modprobe, /lib/modules) in the scratch directory, and the paths
 * of p that cover the machine's with them (the strings are the caller's, in ret_lib and
 * ret_opts). */
static int prepare_namespace(const struct pth_fakefs *fs, struct child_paths *p, char **ret_lib,
			     char **ret_opts, GError **error)
{
	if (write_modprobe(pth_fakefs_scratch(fs), error) < 0 ||
	    prepare_modules(pth_fakefs_scratch(fs), pth_fakefs_modules_alias(fs), &p->modules_how,
			    ret_lib, error) < 0) {
		remove_scratch(fs);
		return -EIO;
	}
	if (*ret_lib)
		*ret_opts = g_strdup_printf("lowerdir=%s/lib:%s", pth_fakefs_scratch(fs), *ret_lib);
	p->real_lib = *ret_lib;
	p->lib_overlay_opts = *ret_opts;
	return 0;
}

/* With the preload, the shim opens /lib/modules paths in our lib/modules instead. */
static int prepare_preload(const struct pth_fakefs *fs, const char *modules, char ***env,
			   GError **error)
{
	if (write_modules(pth_fakefs_scratch(fs), pth_fakefs_modules_alias(fs), error) < 0) {
		remove_scratch(fs);
		return -EIO;
	}
	*env = g_environ_setenv(*env, PTHV_MODULES_ENV, modules, TRUE);
	return 0;
}

int pth_fake_spawn(const struct pth_fakefs *fs, enum pth_fake_via via, const char *const argv[],
		   int out_fd, int *ret_status, GError **error)
{
	g_autofree char *sys = g_build_filename(pth_fakefs_root(fs), "sys", NULL);
	g_autofree char *overlay_opts =
		g_strdup_printf("lowerdir=%s/sbin:/usr/sbin", pth_fakefs_scratch(fs));
	g_autofree char *vfio = g_build_filename(pth_fakefs_root(fs), "dev", "vfio", NULL);
	g_autofree char *empty = g_build_filename(pth_fakefs_scratch(fs), "sbin", NULL);
	g_autofree char *real_sys = machine_path(PT_NS_SYS, NULL);
	g_autofree char *real_vfio = machine_path(PT_NS_DEV, "vfio");
	g_autofree char *modules = g_build_filename(pth_fakefs_scratch(fs), "lib", "modules", NULL);
	g_autofree char *real_lib = NULL, *lib_opts = NULL, *file = NULL;
	struct child_paths paths = { .sys = sys,
				     .vfio = vfio,
				     .empty = empty,
				     .overlay_opts = overlay_opts,
				     .real_sys = real_sys,
				     .real_vfio = real_vfio,
				     .modules = modules };
	g_auto(GStrv) env = NULL;
	int pipefd[2], r = 0, status;
	ssize_t n;
	pid_t pid;

	via = resolve_via(via);
	env = child_env(fs, via);
	file = resolve_program(argv[0], &env);
	if (via == PTH_FAKE_NAMESPACE &&
	    prepare_namespace(fs, &paths, &real_lib, &lib_opts, error) < 0)
		return -EIO;
	if (via == PTH_FAKE_PRELOAD && prepare_preload(fs, modules, &env, error) < 0)
		return -EIO;
	/* The child reports a failure before exec through a close-on-exec pipe. */
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		r = -errno;
		remove_scratch(fs);
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r), "pipe: %s",
			    g_strerror(-r));
		return r;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		remove_scratch(fs);
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r), "fork: %s",
			    g_strerror(-r));
		return r;
	}
	if (pid == 0)
		child(&paths, via, file, argv, env, out_fd, pipefd[1]);
	close(pipefd[1]);
	n = read(pipefd[0], &r, sizeof(r));
	close(pipefd[0]);
	wait_forwarding(pid, &status);
	remove_scratch(fs);
	if (n != sizeof(r))
		r = 0;
	if (r == -ENOENT || r <= -1000) {
		r = r == -ENOENT ? r : r + 1000;
		fprintf(stderr, "ptharness fake: %s: %s\n", argv[0], g_strerror(-r));
		*ret_status = r == -ENOENT ? 127 : 126;
		return 0;
	}
	if (r < 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r),
			    "cannot enter a private mount namespace with the view over /sys: %s%s",
			    g_strerror(-r),
			    r == -EPERM ? " (needs root: use --via preload for dynamically linked "
					  "programs)" :
					  "");
		return r;
	}
	*ret_status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	return 0;
}

/* Everything the program writes, read while the FUSE thread serves it. */
static int run_captured(const struct pth_fakefs *fs, enum pth_fake_via via,
			const char *const argv[], int *ret_status, char **ret_output,
			GError **error)
{
	g_autoptr(GString) out = g_string_new(NULL);
	FILE *tmp = tmpfile();
	char buf[4096];
	size_t n;
	int r;

	if (!tmp) {
		r = -errno;
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r), "tmpfile: %s",
			    g_strerror(-r));
		return r;
	}
	r = pth_fake_spawn(fs, via, argv, fileno(tmp), ret_status, error);
	if (r == 0) {
		rewind(tmp);
		while ((n = fread(buf, 1, sizeof(buf), tmp)) > 0)
			g_string_append_len(out, buf, (gssize)n);
		*ret_output = g_string_free(g_steal_pointer(&out), FALSE);
	}
	fclose(tmp);
	return r;
}

int pth_fake_exec(struct fks_host *host, struct pt_backend *be, enum pth_fake_via via,
		  const char *const argv[], int expect_status, const char *pattern, int *ret_status,
		  char **ret_output, char **ret_reason)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GRegex) re = NULL;
	g_autofree char *output = NULL;
	struct pth_fakefs *fs = NULL;
	int r, status = 0;

	if (pattern) {
		re = g_regex_new(pattern, G_REGEX_MULTILINE, 0, &error);
		if (!re) {
			*ret_reason = g_strdup_printf("bad output pattern: %s", error->message);
			return -EINVAL;
		}
	}
	r = pth_fakefs_mount(host, be, &fs, &error);
	if (r == 0) {
		r = run_captured(fs, via, argv, &status, &output, &error);
		fs = pth_fakefs_unmount(fs);
	}
	if (r < 0) {
		*ret_reason = g_strdup_printf("%s: %s", argv[0], error->message);
		return r;
	}
	if (status != expect_status)
		*ret_reason = g_strdup_printf("%s: exit status %d, expected %d; output:\n%s",
					      argv[0], status, expect_status, output);
	else if (re && !g_regex_match(re, output, 0, NULL))
		*ret_reason = g_strdup_printf("%s: output does not match /%s/; output:\n%s",
					      argv[0], pattern, output);
	if (ret_status)
		*ret_status = status;
	if (ret_output)
		*ret_output = g_strdup(output);
	return status != expect_status || (re && !g_regex_match(re, output, 0, NULL)) ? 1 : 0;
}
