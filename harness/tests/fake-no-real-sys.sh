#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Whatever CMD does under ptharness fake, nothing under the machine's /sys or /dev/vfio is
# written. Preload: strace every process and look at the path each open and write reached
# (the preload rewrites paths before the system call, so a real /sys path in a syscall is a
# leak). Namespace: the /sys a program sees is the FUSE file system, nothing of the machine's.
#
# Usage: fake-no-real-sys.sh PTHARNESS HOSTS_DIR. Exit 77 (skip) without FUSE or strace.
set -uo pipefail
PTH=${1:?usage: fake-no-real-sys.sh PTHARNESS HOSTS_DIR}
HOST=$2/lab-sriov-initial.umockdev
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

[ -c /dev/fuse ] || { echo "1..0 # SKIP no /dev/fuse"; exit 77; }
command -v strace >/dev/null || { echo "1..0 # SKIP strace is not installed"; exit 77; }
strace -f -o /dev/null true 2>/dev/null || { echo "1..0 # SKIP strace cannot trace here"; exit 77; }
"$PTH" fake --host "$HOST" --via preload -- true 2>/dev/null ||
	{ echo "1..0 # SKIP the FUSE file system does not mount here"; exit 77; }

# Writes of every kind a client makes: bind, override, SR-IOV, a reset, a VFIO node open.
script='d=/sys/bus/pci/devices/0000:03:00.0
echo vfio-pci > $d/driver_override
echo 0000:03:00.0 > $d/driver/unbind
echo 0000:03:00.0 > /sys/bus/pci/drivers_probe
echo 2 > /sys/bus/pci/devices/0000:02:00.0/sriov_numvfs
echo 1 > /sys/bus/pci/devices/0000:02:00.0/reset
echo 1 > /sys/bus/pci/rescan
(: > /dev/vfio/7) 2>/dev/null
readlink $d/driver'
fail=0
strace -f -y -e trace=%file,write,openat2 -o "$tmp/log" \
	"$PTH" fake --host "$HOST" --via preload -- bash -c "$script" >"$tmp/out" 2>&1
if ! grep -q '/vfio-pci$' "$tmp/out"; then
	echo "not ok - preload: the writes did not reach the model"
	cat "$tmp/out"
	fail=1
fi
# A write-open of the real /sys or /dev/vfio, or a write(2) to a descriptor strace resolves there.
if grep -E '(open|openat|openat2|creat|truncate)\(.*"/(sys|dev/vfio)(/|")[^"]*", [^)]*O_(WRONLY|RDWR)|write\([0-9]+</(sys|dev/vfio)/' "$tmp/log" >"$tmp/bad"; then
	echo "not ok - preload: the machine's /sys or /dev/vfio was written:"
	head -20 "$tmp/bad"
	fail=1
else
	echo "ok - preload: $(grep -c 'ptharness-fake-' "$tmp/log") accesses reached the view, none the real /sys"
fi

# QEMU realizing vfio-pci: every VFIO open, ioctl and mmap goes to the model through the
# preload shim; no system call names the machine's /dev/vfio.
if command -v qemu-system-x86_64 >/dev/null; then
	printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"quit"}' |
		strace -f -e trace=%file,openat2 -o "$tmp/qlog" \
			"$PTH" fake --host "$2/lab-shared-e1000e-vfio.umockdev" --via preload -- \
			qemu-system-x86_64 -machine q35 -qtest null -display none -nodefaults \
			-device vfio-pci,host=0000:01:00.0 -qmp stdio >"$tmp/out" 2>&1
	st=$?
	if [ $st != 0 ]; then
		echo "not ok - QEMU vfio-pci under strace (exit $st)"
		tail -5 "$tmp/out"
		fail=1
	elif grep -E '"/dev/(vfio|iommu)' "$tmp/qlog" >"$tmp/bad"; then
		echo "not ok - QEMU reached the machine's VFIO nodes:"
		head -5 "$tmp/bad"
		fail=1
	else
		echo "ok - QEMU realized vfio-pci without a system call on the machine's /dev/vfio"
	fi
else
	echo "ok - QEMU # SKIP qemu-system-x86 is not installed"
fi

if [ "$(id -u)" = 0 ]; then
	"$PTH" fake --host "$HOST" --via namespace -- bash -c \
		'awk "\$5 == \"/sys\"" /proc/self/mountinfo | tail -1 | sed "s/.* - //; s/ .*//"' >"$tmp/out" 2>&1
	if grep -qx 'fuse.ptharness' "$tmp/out"; then
		echo "ok - namespace: /sys is the FUSE view (fuse.ptharness)"
	else
		echo "not ok - namespace: /sys is $(cat "$tmp/out")"
		fail=1
	fi
else
	echo "ok - namespace # SKIP needs root"
fi
exit $fail
