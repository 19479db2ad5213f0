#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The ptharness command line: exit statuses, one-line errors, nothing on stdout on failure.
set -u
PTH=${1:?usage: cli.sh PTHARNESS HOSTS_DIR}
HOSTS=${2:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 skip=0

check() { # NAME WANT_STATUS STDOUT_MUST_BE(empty|any) STDERR_PATTERN -- ARGS...
	local name=$1 want=$2 out=$3 pat=$4
	shift 5
	"$PTH" "$@" >"$tmp/out" 2>"$tmp/err"
	local got=$?
	if [ "$got" != "$want" ]; then
		echo "not ok - $name: exit $got, wanted $want"; cat "$tmp/err"; fail=$((fail + 1)); return
	fi
	if [ "$out" = empty ] && [ -s "$tmp/out" ]; then
		echo "not ok - $name: printed on stdout"; fail=$((fail + 1)); return
	fi
	if [ -n "$pat" ] && ! grep -qE -- "$pat" "$tmp/err"; then
		echo "not ok - $name: stderr lacks /$pat/:"; cat "$tmp/err"; fail=$((fail + 1)); return
	fi
	if [ "$want" != 0 ] && [ "$(wc -l <"$tmp/err")" != 1 ]; then
		echo "not ok - $name: error is not one line:"; cat "$tmp/err"; fail=$((fail + 1)); return
	fi
	echo "ok - $name"; pass=$((pass + 1))
}

check "unknown --host" 2 empty "nowhere.umockdev: no such host" -- inspect --host "$tmp/nowhere.umockdev"
check "unknown option" 2 empty "" -- inspect --frobnicate
check "unknown command" 2 empty "unknown command 'frob'" -- frob
check "bad --kernel" 2 empty "'latest' is not a kernel version" -- inspect --host "$HOSTS/desktop-gpu.umockdev" --kernel latest
check "directory without sys/" 2 empty "$tmp: no sys/ directory below it" -- inspect --host "$tmp"

head -c 3000 "$HOSTS/desktop-gpu.umockdev" >"$tmp/truncated.umockdev"
check "truncated recording" 2 empty "truncated.umockdev:[0-9]+: " -- inspect --host "$tmp/truncated.umockdev" --json

printf 'this is not a recording\n' >"$tmp/garbage.umockdev"
check "garbage file" 2 empty "garbage.umockdev:1: a device block must start with" -- inspect --host "$tmp/garbage.umockdev"

check "recording, text" 0 any "" -- inspect --host "$HOSTS/server-sriov.umockdev"
check "recording, json" 0 any "" -- inspect --host "$HOSTS/server-sriov.umockdev" --json
if ! python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["iommu"]["enabled"] and d["groups"]' "$tmp/out" 2>/dev/null; then
	echo "not ok - json output parses and has groups"; fail=$((fail + 1))
else
	echo "ok - json output parses and has groups"; pass=$((pass + 1))
fi

# The live host: on a machine without an IOMMU (like CI's) inspect says so and exits 0.
check "live" 0 any "" -- inspect --host live
if ls /sys/class/iommu/* /sys/kernel/iommu_groups/* >/dev/null 2>&1; then
	echo "ok - live reports no IOMMU # SKIP this machine has an IOMMU"; skip=$((skip + 1))
elif grep -q "^No IOMMU: " "$tmp/out"; then
	echo "ok - live reports no IOMMU"; pass=$((pass + 1))
else
	echo "not ok - live reports no IOMMU"; cat "$tmp/out"; fail=$((fail + 1))
fi
"$PTH" inspect --host live --json >"$tmp/live.json" 2>/dev/null
if [ -d /sys/kernel/iommu_groups ] && ls /sys/kernel/iommu_groups/* >/dev/null 2>&1; then :
elif python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["iommu"]["enabled"] is False' "$tmp/live.json"; then
	echo "ok - live json has iommu.enabled false"; pass=$((pass + 1))
else
	echo "not ok - live json has iommu.enabled false"; fail=$((fail + 1))
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
