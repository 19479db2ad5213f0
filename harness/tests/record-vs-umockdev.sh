#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `ptharness record DEVICE` against the real umockdev-record on this machine's own PCI devices:
# the device blocks must be equal, but for what differs by design or by time:
#  - power/runtime_{active,suspended}_time count milliseconds between the two reads;
#  - resourceN files, which ptharness never reads (port I/O on an I/O BAR);
#  - E: properties that come from udev's database rather than the kernel's uevent.
set -u
PTH=${1:?usage: record-vs-umockdev.sh PTHARNESS}
if ! command -v umockdev-record >/dev/null || ! command -v udevadm >/dev/null; then
	echo "1..0 # SKIP umockdev-record or udevadm is not installed"
	exit 77
fi
devs=$(ls /sys/bus/pci/devices 2>/dev/null)
if [ -z "$devs" ]; then
	echo "1..0 # SKIP this machine has no PCI devices"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
normalize() { # FILE DEVDIR...: drop time counters, resourceN and udev-database properties
	local keys
	keys=$(cat "${@:2}" 2>/dev/null | sed -n 's/=.*//p' | sort -u | tr '\n' '|')
	keys="${keys}SUBSYSTEM|DEVNAME"
	grep -vE '^A: power/runtime_(active|suspended)_time=' "$1" |
		grep -vE '^[AH]: resource[0-9]' |
		grep -E "^[^E]|^E: ($keys)=|^$"
}
pass=0 fail=0
for d in $devs; do
	real=$(readlink -f "/sys/bus/pci/devices/$d")
	umockdev-record "/sys/bus/pci/devices/$d" >"$tmp/umockdev" 2>"$tmp/err" || { cat "$tmp/err"; fail=$((fail + 1)); continue; }
	"$PTH" record "$d" >"$tmp/ours" 2>"$tmp/err" || { cat "$tmp/err"; fail=$((fail + 1)); continue; }
	uevents=$(for p in $(grep '^P: ' "$tmp/umockdev" | cut -c4-); do echo "/sys$p/uevent"; done)
	if diff -u <(normalize "$tmp/umockdev" $uevents) <(normalize "$tmp/ours" $uevents) >"$tmp/diff"; then
		echo "ok - $d ($(grep -c '' "$tmp/ours") lines)"
		pass=$((pass + 1))
	else
		echo "not ok - $d differs from umockdev-record:"
		head -40 "$tmp/diff"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
