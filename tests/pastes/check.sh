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
exit $fail
