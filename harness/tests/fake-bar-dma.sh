#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The PFNMAP scenarios of scenarios/iommufd/ (*-bar-*.yaml): a client mmaps its device's BAR
# under ptharness fake and DMA-maps it. iommufd refuses (EFAULT: pin_user_pages cannot pin a
# VM_PFNMAP mapping), type1 maps it (vaddr_get_pfns follows the PFNs). The client
# (bar-dma-client) is the build's, found by ptharness among its own clients as in the suite:
# nothing here puts it in PATH. Every scenario must pass, none skip.
# usage: fake-bar-dma.sh PTHARNESS IOMMUFD_SCENARIO_DIR. Exit 77 (skip) without FUSE.
set -uo pipefail
pth=$1 dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

if [ ! -c /dev/fuse ]; then
	echo "SKIP: no /dev/fuse: ptharness fake needs FUSE"
	exit 77
fi
if command -v bar-dma-client >/dev/null; then
	echo "FAIL: a bar-dma-client in PATH ($(command -v bar-dma-client)) would not prove the lookup"
	exit 1
fi
files=("$dir"/*-bar-*.yaml)
n=${#files[@]}
[ "$n" -ge 5 ] || { echo "FAIL: only $n PFNMAP scenarios in $dir"; exit 1; }
out=$("$pth" run --json "$tmp/r.json" "${files[@]}")
rc=$?
echo "$out"
[ $rc = 0 ] || exit 1
# Every scenario ran: one that skipped (no FUSE mount here, no client found) proves nothing.
echo "$out" | grep -qx "scenarios: $n passed, 0 failed, 0 errors, 0 skipped" || {
	echo "FAIL: expected $n scenarios to pass"
	exit 1
}
