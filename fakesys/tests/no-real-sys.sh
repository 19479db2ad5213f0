#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The engine never touches the real /sys or /dev/vfio while the target is a recording: run the
# harness on recordings under strace and look at every file syscall it makes.
#
# Usage: no-real-sys.sh PTHARNESS SOURCE_ROOT. Exit 77 (skip) without a working strace.
set -uo pipefail

ptharness=$1
src=$2
hosts=$src/scenarios/hosts
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v strace >/dev/null || { echo "SKIP: strace is not installed"; exit 77; }
# Containers often forbid ptrace: then nothing can be proved here.
strace -f -o /dev/null true 2>/dev/null || { echo "SKIP: strace cannot trace here"; exit 77; }
[ -x "$ptharness" ] || { echo "FAIL: $ptharness is not built"; exit 1; }

# LeakSanitizer cannot run under ptrace (an ASan build would die at exit); leaks are the
# other tests' business.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# -y prints the path behind every file descriptor, so an openat(2)/openat2(2) relative to a
# directory the engine opened earlier (the sysfs backend resolves beneath a root fd) still
# shows the real path it reached.
trace() {
	local log=$1
	shift
	strace -f -y -e trace=%file,openat2 -o "$log" "$ptharness" "$@" >"$log.out" 2>&1
}

# Lines touching the machine's own sysfs, VFIO nodes or the engine's procfs files. Allowed,
# and only these, because libraries the harness links do them whatever the target is:
#  - statfs("/sys/fs/selinux"): libselinux's constructor (GIO links libselinux) looks for
#    selinuxfs when the process starts;
#  - openat("/sys/devices/system/cpu/online" or ".../cpu", O_RDONLY): glibc's get_nprocs(),
#    which GLib's thread pool uses to size itself;
#  - openat("/proc/filesystems", O_RDONLY): libselinux again;
#  - newfstatat("/sys") of the directory itself, nothing beneath it: libumockdev's
#    umockdev_in_mock_environment(), called by umockdev_testbed_new() when the harness turns a
#    recording into a testbed (seen with strace -k: pth_host_source_open ->
#    umockdev_testbed_add_from_string -> umockdev_in_mock_environment -> fstatat).
# (A path is matched only where it starts, after " or <: umockdev testbeds under /tmp hold a
# sys/ of their own, and GLib stats "/" when it canonicalises the scenario paths.)
# Whatever else names /sys, /dev/vfio, the real root directory as a dirfd ("</>"), or a procfs
# file the engine reads from a host (osrelease, cmdline, the IOMMU's parameters) is a leak.
# An open for writing is never allowed, whatever the path.
violations() {
	local log=$1
	grep -E '["<]/sys([/>"]|$)|["<]/dev/vfio|<\/>|["<]/proc/(cmdline|sys/|iomem|modules)' "$log" |
		grep -vE '^[0-9]+ +statfs\("/sys/fs/selinux", ' |
		grep -vE '^[0-9]+ +newfstatat\(AT_FDCWD[^,]*, "/sys", \{[^}]*\}, 0\) = 0$' |
		grep -vE '^[0-9]+ +openat\(AT_FDCWD[^,]*, "/sys/devices/system/cpu(/online)?", O_RDONLY(\|O_CLOEXEC)?(\|O_DIRECTORY)?\)'
	grep -E '["<]/(sys|dev/vfio)[^,]*, [^)]*O_(WRONLY|RDWR)' "$log"
}

fail=0
check() {
	local name=$1
	shift
	local log=$tmp/$name.log
	trace "$log" "$@"
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL: $name: ptharness $* exited $rc"
		sed 's/^/  /' "$log.out"
		fail=1
	fi
	# The run must really have read its recording (a trace of nothing proves nothing).
	if ! grep -qE 'open(at|at2)\(.*(\.umockdev|\.yaml)"' "$log"; then
		echo "FAIL: $name: the trace shows no recording or scenario being read"
		fail=1
	fi
	local bad
	bad=$(violations "$log")
	if [ -n "$bad" ]; then
		echo "FAIL: $name: the real host was touched:"
		echo "$bad" | head -20 | sed 's/^/  /'
		fail=1
	else
		echo "ok: $name ($(wc -l <"$log") file syscalls, none on the real /sys or /dev/vfio)"
	fi
}

cd "$src" || exit 1
check detach detach 0000:01:00.0 --host "$hosts/lab-shared-initial.umockdev"
check vfio-open vfio-open 0000:01:00.0 --map 1M --reset \
	--host "$hosts/lab-shared-e1000e-vfio.umockdev"
check set-numvfs set-numvfs 0000:02:00.0 2 --host "$hosts/lab-sriov-initial.umockdev"
check inspect-mlx5 inspect --host "$hosts/server-mlx5.umockdev"
check run-rebinding run scenarios/rebinding

# The checker itself: on the live machine the engine must be seen reading /sys, or the
# patterns above would pass anything.
trace "$tmp/live.log" inspect --host live
if [ -z "$(violations "$tmp/live.log")" ]; then
	echo "FAIL: the checker saw no /sys access from 'inspect --host live'"
	fail=1
else
	echo "ok: checker self-test (inspect --host live is flagged)"
fi
exit $fail
