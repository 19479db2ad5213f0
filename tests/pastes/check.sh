#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Import every real paste under tests/pastes and compare the recording with what the paste
# itself shows (each NAME.expect was written by reading NAME.txt, see SOURCE.md).
#
# .expect lines:  devices N | group ADDR N | nogroup ADDR | driver ADDR NAME | nodriver ADDR
#                 cmdline WORD | config ADDR BYTES | flr ADDR (lspci showed FLReset+) | noflr ADDR
#                 class ADDR 0xCCSSPP | message TEXT (in import's stderr)
# Usage: check.sh PTHARNESS PASTES_DIR
set -u
pth=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0

# One line per device of a recording: "ADDR GROUP DRIVER CONFIGBYTES RESET CLASS" (- when
# absent).
devices() {
	awk '
	function out() { if (addr != "") print addr, grp, drv, cfg, rm, cls }
	/^P: / { out(); addr = ""; grp = "-"; drv = "-"; cfg = 0; rm = "-"; cls = "-"
		 p = substr($0, 4); n = split(p, part, "/"); cand = part[n] }
	/^A: reset_method=/ { rm = substr($0, 17); sub(/\\n$/, "", rm) }
	/^A: class=/ { cls = substr($0, 10); sub(/\\n$/, "", cls) }
	/^E: SUBSYSTEM=pci$/ { addr = cand }
	/^L: iommu_group=/ { n = split($0, part, "/"); grp = part[n] }
	/^L: driver=/ { n = split($0, part, "/"); drv = part[n] }
	/^H: config=/ { cfg = (length($0) - 10) / 2 }
	END { out() }' "$1"
}

norm() {
	case $1 in
	*:*:*) echo "$1" ;;
	*) echo "0000:$1" ;;
	esac
}

for exp in "$dir"/*.expect; do
	name=$(basename "$exp" .expect)
	txt="$dir/$name.txt"
	n=$((n + 1))
	"$pth" import "$txt" -o "$tmp/rec" 2>"$tmp/err"
	rc=$?
	if [ $rc != 0 ]; then
		echo "FAIL $name: import exited $rc: $(tail -1 "$tmp/err")"
		fail=1
		continue
	fi
	devices "$tmp/rec" >"$tmp/devs"
	bad=0
	while read -r what a b; do
		case $what in
		'' | '#'*) continue ;;
		devices) got=$(wc -l <"$tmp/devs") ;;
		group) got=$(awk -v a="$(norm "$a")" '$1 == a { print $2 }' "$tmp/devs") ;;
		nogroup) b=-; got=$(awk -v a="$(norm "$a")" '$1 == a { print $2 }' "$tmp/devs") ;;
		driver) got=$(awk -v a="$(norm "$a")" '$1 == a { print $3 }' "$tmp/devs") ;;
		nodriver) b=-; got=$(awk -v a="$(norm "$a")" '$1 == a { print $3 }' "$tmp/devs") ;;
		config) got=$(awk -v a="$(norm "$a")" '$1 == a { print $4 }' "$tmp/devs") ;;
		flr) b=flr; got=$(awk -v a="$(norm "$a")" '$1 == a { print $5 }' "$tmp/devs") ;;
		noflr) b=-; got=$(awk -v a="$(norm "$a")" '$1 == a { print $5 }' "$tmp/devs") ;;
		class) got=$(awk -v a="$(norm "$a")" '$1 == a { print $6 }' "$tmp/devs") ;;
		cmdline) grep -q "^A: proc/cmdline=.*$a" "$tmp/rec" && got=$a || got="(absent)"; b=$a ;;
		message) b="$a $b"; grep -qF -- "$b" "$tmp/err" && got=$b || got="(absent)" ;;
		*) echo "FAIL $name: unknown expectation '$what'"; bad=1; continue ;;
		esac
		[ "$what" = devices ] && b=$a
		if [ "$got" != "$b" ]; then
			echo "FAIL $name: $what $a: expected '$b', imported '$got'"
			bad=1
		fi
	done <"$exp"
	[ $bad = 0 ] && echo "ok   $name" || fail=1
done
echo "$n pastes checked"

# A sosreport folder and its tarball: its lspci, dmesg and proc/cmdline captures, merged.
sos="$tmp/sosreport-host-2026"
mkdir -p "$sos/sos_commands/pci" "$sos/sos_commands/kernel" "$sos/proc"
sed -n '/^Slot:/,$p' "$dir/19-davinci-vmm.txt" | grep -v '^```' >"$sos/sos_commands/pci/lspci_-nnvmm"
grep '^\[' "$dir/05-apu2-dmesg-old-iommu.txt" >"$sos/sos_commands/kernel/dmesg"
echo "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro amd_iommu=on iommu=pt" >"$sos/proc/cmdline"
"$pth" import -q "$sos" -o "$tmp/sos.rec" 2>"$tmp/err" || { echo "FAIL sosreport: $(tail -1 "$tmp/err")"; fail=1; }
devices "$tmp/sos.rec" >"$tmp/devs"
# 7 devices from lspci -vmm and 13 from dmesg (two machines' pastes, on purpose), 00:00.0
# and 00:08.0 in both: 00:00.0 has a group in dmesg only, 00:08.0 two (a conflict: unknown).
[ "$(wc -l <"$tmp/devs")" = 18 ] || { echo "FAIL sosreport: $(wc -l <"$tmp/devs") devices, expected 18"; fail=1; }
grep -q '^0000:00:00.0 0 ' "$tmp/devs" || { echo "FAIL sosreport: 00:00.0 not in group 0"; fail=1; }
grep -q '^0000:00:01.3 1 pcieport ' "$tmp/devs" || { echo "FAIL sosreport: 00:01.3"; fail=1; }
grep -q '^0000:00:08.0 - ' "$tmp/devs" || { echo "FAIL sosreport: 00:08.0 kept a group"; fail=1; }
grep -q 'conflict: 0000:00:08.0 is in IOMMU group' "$tmp/err" || { echo "FAIL sosreport: no conflict message"; fail=1; }
grep -q 'amd_iommu=on' "$tmp/sos.rec" || { echo "FAIL sosreport: no command line"; fail=1; }
tar -C "$tmp" -czf "$tmp/sos.tar.gz" sosreport-host-2026
"$pth" import -q "$tmp/sos.tar.gz" -o "$tmp/tar.rec" 2>/dev/null || { echo "FAIL sosreport tarball"; fail=1; }
sed 's|[^ ]*sosreport-host-2026/||' "$tmp/sos.rec" >"$tmp/a"
sed 's|[^ ]*sosreport-host-2026/||' "$tmp/tar.rec" >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" || { echo "FAIL sosreport: the tarball imports differently from the folder"; fail=1; }
[ $fail = 0 ] && echo "ok   sosreport folder and tarball"
exit $fail
