#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# record -> recording -> inspect gives what inspect gives on the tree itself, for each
# synthetic host written as a captured sysfs tree.
set -u
PTH=${1:?usage: record-roundtrip.sh PTHARNESS HOSTGEN}
HOSTGEN=${2:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
strip() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("source"); print(json.dumps(d, indent=1, sort_keys=True))' "$1"; }
for h in desktop-gpu server-sriov switch-noacs; do
	"$HOSTGEN" tree "$h" "$tmp/$h"
	# server-sriov's tree also holds its kernel's modules.alias (/lib a link into usr/ as on a
	# merged-/usr system): vfio_pci lines as file2alias writes them among other modules' lines.
	if [ "$h" = server-sriov ]; then
		rel=$(cat "$tmp/$h/proc/sys/kernel/osrelease")
		mkdir -p "$tmp/$h/usr/lib/modules/$rel" && ln -s usr/lib "$tmp/$h/lib"
		printf '%s\n' 'alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e' \
			'alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci' \
			'alias usb:v1D6Bp0002d*dc*dsc*dp*ic*isc*ip*in* usbcore' \
			'alias vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i* mlx5_vfio_pci' \
			>"$tmp/$h/usr/lib/modules/$rel/modules.alias"
	fi
	"$PTH" record --host "$tmp/$h" -o "$tmp/$h.umockdev" &&
		"$PTH" inspect --host "$tmp/$h" --json >"$tmp/$h.dir.json" &&
		"$PTH" inspect --host "$tmp/$h.umockdev" --json >"$tmp/$h.rec.json"
	if [ $? != 0 ]; then
		echo "not ok - $h: a command failed"; fail=$((fail + 1)); continue
	fi
	if [ "$h" = server-sriov ]; then
		want="A: lib/modules/$rel/modules.alias=alias vfio_pci:v\\*d\\*sv\\*sd\\*bc\\*sc\\*i\\* vfio_pci\\\\nalias vfio_pci:v000015B3d0000101Esv\\*sd\\*bc\\*sc\\*i\\* mlx5_vfio_pci\\\\n$"
		if grep -q "^$want" "$tmp/$h.umockdev" && grep -q '"vfio_variant":"vfio-pci"' "$tmp/$h.rec.json"; then
			echo "ok - $h: only modules.alias's vfio_pci lines are recorded, and inspect picks from them"
			pass=$((pass + 1))
		else
			echo "not ok - $h: modules.alias lines:"; grep modules "$tmp/$h.umockdev"; fail=$((fail + 1))
		fi
	fi
	if diff -u <(strip "$tmp/$h.dir.json") <(strip "$tmp/$h.rec.json") >"$tmp/diff"; then
		echo "ok - $h: the recording inspects like the tree"; pass=$((pass + 1))
	else
		echo "not ok - $h:"; head -40 "$tmp/diff"; fail=$((fail + 1))
	fi
done
# A recording (a bug report's, the lab's) recorded again through the kernel model gives the
# same lines back: record on a recorded host is the identity.
hosts=$(dirname "$HOSTGEN")/../scenarios/hosts
for rec in "$hosts"/lab-shared-initial.umockdev "$hosts"/lab-sriov-2vfs.umockdev "$hosts"/lab-shared-e1000e-half-vfio.umockdev; do
	h=$(basename "$rec" .umockdev)
	if "$PTH" record --host "$rec" -o "$tmp/$h.again" &&
		diff <(grep -v '^$' "$rec" | sort) <(grep -v '^$' "$tmp/$h.again" | sort) >"$tmp/diff"; then
		echo "ok - $h: recorded again, the same lines"; pass=$((pass + 1))
	else
		echo "not ok - $h recorded again:"; head -20 "$tmp/diff"; fail=$((fail + 1))
	fi
done
# A host whose routes run over a bond under a bridge and a VLAN, with / on an iSCSI disk:
# recorded again, its stacked netdevs, iSCSI session and IPv6 route table come back, and
# inspect draws the same host-critical NICs from both.
rec=$hosts/server-bond.umockdev
bond_again() {
	"$PTH" record --host "$rec" -o "$tmp/bond.again" &&
		"$PTH" inspect --host "$rec" --json >"$tmp/bond.json" &&
		"$PTH" inspect --host "$tmp/bond.again" --json >"$tmp/bond.again.json" &&
		diff <(strip "$tmp/bond.json") <(strip "$tmp/bond.again.json") >"$tmp/diff" || return 1
	grep -E '^(P: /devices/(virtual/net|platform)|[AL]: (lower_|proc/net/ipv6_route|persistent_address))' \
		"$rec" >"$tmp/bond.want"
	[ "$(wc -l <"$tmp/bond.want")" = 11 ] || return 1
	# Every one of those lines is in the new recording.
	! grep -vxFf "$tmp/bond.again" "$tmp/bond.want" >"$tmp/diff"
}
if bond_again; then
	echo "ok - server-bond: stacked netdevs, iSCSI session, IPv6 routes recorded again"; pass=$((pass + 1))
else
	echo "not ok - server-bond recorded again:"; head -20 "$tmp/diff"; fail=$((fail + 1))
fi
# The whole live host records and loads back (this machine may have no IOMMU). The model
# loads vfio-pci on every host (so its container exists) where this machine may not have the
# vfio module loaded: the container's presence is left out of that comparison.
strip_live() { strip "$1" | grep -v '^  "container": '; }
if "$PTH" record -o "$tmp/live.umockdev" && "$PTH" inspect --host "$tmp/live.umockdev" --json >"$tmp/live-rec.json" &&
	"$PTH" inspect --json >"$tmp/live.json" &&
	diff <(strip_live "$tmp/live.json") <(strip_live "$tmp/live-rec.json") >"$tmp/diff"; then
	echo "ok - live host records and inspects the same"; pass=$((pass + 1))
else
	echo "not ok - live host round trip:"; head -40 "$tmp/diff"; fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
