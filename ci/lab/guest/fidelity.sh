#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# fidelity (guest): run lab-declared scenarios one at a time, stopping when one leaks state.
#
# usage: fidelity ROOT LIST OUTDIR
#
# The plan: LIST has one line "N FILE" per scenario (FILE relative to ROOT's parent, so that the
# scenario ids are the same as on the host: ptharness run --root scenarios scenarios/X.yaml).
# Before the first scenario the machine's state is snapshot (every PCI device's driver,
# driver_override, reset_method, sriov_numvfs, sriov_drivers_autoprobe, and /dev/vfio). Each
# scenario then runs alone (`ptharness run --target lab -j 1`), its result in OUTDIR/N.json,
# stdout+stderr in OUTDIR/N.log, exit status in OUTDIR/N.status. After it the NVMe controllers
# settle and the state is snapshot again: when it differs from the boot's, the difference goes
# to OUTDIR/N.leak and the run stops, so that every scenario that ran started from the machine
# as booted (the host boots again for the rest). OUTDIR/progress gets "N clean" or "N leak" per
# scenario that ran. Exit status 0, or 1 when the arguments are wrong.

set -u
[ $# = 3 ] || { echo "usage: fidelity ROOT LIST OUTDIR" >&2; exit 1; }
ROOT=$1
LIST=$2
OUT=$3
mkdir -p "$OUT"
: > "$OUT/progress"

# Wait (at most 10 s) until no NVMe controller is resetting or connecting.
nvme_settle() {
	i=0
	while [ $i -lt 100 ]; do
		busy=0
		for s in /sys/class/nvme/nvme*/state; do
			[ -e "$s" ] || continue
			case $(cat "$s") in resetting | connecting | new | deleting) busy=1 ;; esac
		done
		[ $busy = 0 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
}

# The state a scenario must give back, one line per device and attribute.
snapshot() {
	for d in /sys/bus/pci/devices/*; do
		a=${d##*/}
		drv=-
		[ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
		echo "$a driver $drv"
		for f in driver_override reset_method sriov_numvfs sriov_drivers_autoprobe; do
			[ -r "$d/$f" ] && echo "$a $f $(cat "$d/$f" 2>/dev/null || echo '(unreadable)')"
		done
	done
	echo "dev/vfio: $(ls /dev/vfio 2>/dev/null | tr '\n' ' ')"
}

nvme_settle
snapshot > "$OUT/boot.state"
cd "$(dirname "$ROOT")" || exit 1
while read -r n file; do
	[ -n "$n" ] || continue
	ptharness run --target lab -j 1 --root "$(basename "$ROOT")" --json "$OUT/$n.json" "$file" \
		> "$OUT/$n.log" 2>&1
	echo $? > "$OUT/$n.status"
	nvme_settle
	snapshot > "$OUT/$n.state"
	if diff -u "$OUT/boot.state" "$OUT/$n.state" > "$OUT/$n.leak"; then
		rm -f "$OUT/$n.leak" "$OUT/$n.state"
		echo "$n clean" >> "$OUT/progress"
	else
		echo "$n leak" >> "$OUT/progress"
		break
	fi
done < "$LIST"
exit 0
