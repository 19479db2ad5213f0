#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The scenarios of pfnmap/: a client mmaps its device's BAR under ptharness fake and DMA-maps
# it. iommufd refuses (EFAULT: pin_user_pages cannot pin a VM_PFNMAP mapping), type1 maps it
# (vaddr_get_pfns follows the PFNs). The client is put in PATH for the scenarios' exec steps.
# usage: fake-bar-dma.sh PTHARNESS SCENARIO_DIR BAR_DMA_CLIENT. Exit 77 (skip) without FUSE.
set -uo pipefail
pth=$1 dir=$2 client=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

if [ ! -c /dev/fuse ]; then
	echo "SKIP: no /dev/fuse: ptharness fake needs FUSE"
	exit 77
fi
mkdir "$tmp/bin"
ln -s "$(realpath "$client")" "$tmp/bin/bar-dma-client"
n=$(ls "$dir"/*.yaml | wc -l)
out=$(PATH="$tmp/bin:$PATH" "$pth" run --json "$tmp/r.json" "$dir")
rc=$?
echo "$out"
[ $rc = 0 ] || exit 1
# Every scenario ran: one that skipped (no FUSE mount here) proves nothing.
echo "$out" | grep -qx "scenarios: $n passed, 0 failed, 0 errors, 0 skipped" || {
	echo "FAIL: expected $n scenarios to pass"
	exit 1
}
