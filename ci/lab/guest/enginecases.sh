#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# enginecases (guest): run the engine's operations live, case by case, for ci/lab/engine-vs-fake.
#
# usage: enginecases TOPOLOGY [OUTDIR]      (OUTDIR default /out/ef)
#
# The plan: this file is the one list of cases. Each case is a sequence of ptharness commands
# whose device arguments are names (@NVME, @E1000E_0, ...), found here by vendor:device (never
# by address) and written to OUTDIR/devices with the rule that found them, so that the host
# can find the same devices in the committed recording with the same rule. For every command
# the template (names, not addresses) goes to OUTDIR/CASE/commands, and its JSON, stderr and
# exit status to OUTDIR/CASE/N.{json,err,status}; "expect" lines say what the issue requires of
# the last command's answer, on both sides. "pick NAME" sets NAME to the address in the
# last command's message (select-vf's choice); the host does the same with the model's answer.
# At the end of a case the NVMe controllers are allowed to settle, the machine is recorded
# (OUTDIR/CASE/end.umockdev) and the engine's state file is kept (OUTDIR/CASE/state.json); the
# next case starts with no state file. A case's "cleanup" runs after the recording and is not
# compared (it only undoes what a case left on purpose); the machine is recorded again after it.
#
# The host side (ci/lab/engine-vs-fake) replays OUTDIR/CASE/commands on fakesys, starting from
# scenarios/hosts/lab-TOPOLOGY-initial.umockdev and chaining with --save, and compares.

set -u
TOPO=$1
OUT=${2:-/out/ef}
STATE=/run/ptharness/state.json
mkdir -p "$OUT"
: > "$OUT/cases"
: > "$OUT/devices"

# PCI addresses with vendor:device $1:$2, in address order.
find_dev() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = "0x$1" ] && [ "$(cat "$d/device")" = "0x$2" ] && echo "${d##*/}"
	done
}

# name NAME id VVVV DDDD N: NAME is the Nth (1-based) device VVVV:DDDD.
# name NAME sriov-pf: NAME is the first device with an sriov_totalvfs file.
name() {
	n=$1
	shift
	a=
	case $1 in
	id) a=$(find_dev "$2" "$3" | sed -n "${4}p") ;;
	sriov-pf)
		for d in /sys/bus/pci/devices/*; do
			[ -e "$d/sriov_totalvfs" ] && { a=${d##*/}; break; }
		done
		;;
	esac
	printf '%s\t%s\t%s\n' "$n" "$*" "${a:-none}" >> "$OUT/devices"
	eval "$n=\${a:-none}"
}

# Wait (at most 10 s) until no NVMe controller is resetting, connecting or new.
settle() {
	i=0
	while [ $i -lt 100 ]; do
		busy=0
		for s in /sys/class/nvme/nvme*/state; do
			[ -e "$s" ] || continue
			case $(cat "$s") in resetting | connecting | new) busy=1 ;; esac
		done
		[ $busy = 0 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
}

begin() {
	CASE=$1
	D=$OUT/$CASE
	mkdir -p "$D"
	: > "$D/commands"
	printf '%s\t%s\n' "$CASE" "$2" >> "$OUT/cases"
	rm -f "$STATE"
	N=0
}

# subst WORD: WORD with each comma-separated @NAME replaced by NAME's address.
subst() {
	r=
	s=$1
	while :; do
		p=${s%%,*}
		case $p in @*) eval "p=\${${p#@}:-$p}" ;; esac
		r=${r:+$r,}$p
		[ "$s" = "${s#*,}" ] && break
		s=${s#*,}
	done
	echo "$r"
}

# run ARGS...: one ptharness command; @NAME (also in a comma-separated list) is NAME's address.
run() {
	N=$((N + 1))
	args=
	for w in "$@"; do
		args="$args $(subst "$w")"
	done
	printf '%s\t%s\n' "$N" "$*" >> "$D/commands"
	# shellcheck disable=SC2086 # args are words without blanks, split on purpose
	ptharness $args --json > "$D/$N.json" 2> "$D/$N.err"
	echo $? > "$D/$N.status"
}

# pick NAME: NAME is the address the last command's message names (select-vf's choice).
pick() {
	v=$(sed -n 's/.*"message":"\([0-9a-f]\{4\}:[0-9a-f]\{2\}:[0-9a-f]\{2\}\.[0-7]\)".*/\1/p' "$D/$N.json")
	eval "$1=\${v:-none}"
	printf 'pick\t%s\n' "$1" >> "$D/commands"
}

# expect FIELD=VALUE...: what the issue says the last command must answer (ok=true|false,
# error=CODE, rule=RULE, blockers=@NAME,..., method=M: a reset's message ends "by M"); checked
# on the host, on both sides.
expect() {
	printf 'expect\t%s\t%s\n' "$N" "$*" >> "$D/commands"
}

# unchanged: the case must leave the machine as it found it (on both sides).
unchanged() {
	printf 'unchanged\n' >> "$D/commands"
}

end() {
	settle
	ptharness record -o "$D/end.umockdev" 2> "$D/end.err"
	echo $? > "$D/end.status"
	[ -e "$STATE" ] && cp "$STATE" "$D/state.json"
}

# cleanup COMMAND: undo what a case left on purpose (with the case's engine state still there),
# then record the machine again (OUTDIR/CASE/after-cleanup.umockdev): the next case's start.
cleanup() {
	sh -c "$1" > "$D/cleanup.txt" 2>&1
	settle
	ptharness record -o "$D/after-cleanup.umockdev" 2>> "$D/cleanup.txt"
}

case $TOPO in
shared)
	name NVME id 1b36 0010 1
	name E1000E_0 id 8086 10d3 1
	name E1000E_1 id 8086 10d3 2

	# Without --force: the live host knows its mounts (/proc/mounts), a recording does not.
	begin a0 "detach of the nvme without --force"
	run detach @NVME
	end
	cleanup "case \$(readlink /sys/bus/pci/devices/$NVME/driver) in */vfio-pci) ptharness reattach $NVME ;; esac"

	begin a "detach and reattach of the nvme"
	run detach @NVME --force
	expect ok=true
	run reattach @NVME
	expect ok=true
	end

	begin b "both e1000e functions as one attach, then release"
	run attach --vm vm1 --devices @E1000E_0,@E1000E_1
	expect ok=true
	run release --vm vm1
	expect ok=true
	end

	begin c "attach of one function of the shared e1000e group (refused)"
	run attach --vm vm1 --devices @E1000E_0
	expect ok=false error=group-not-viable blockers=@E1000E_1
	unchanged
	end

	begin d "reset by FLR and PM, bus reset refused"
	run reset @NVME
	expect ok=true method=flr
	run reset @E1000E_1
	expect ok=true method=pm
	run reset @E1000E_0 --method bus
	expect ok=false error=reset-refused blockers=@E1000E_1
	unchanged
	end

	begin f "vfio-open with a DMA map and reset"
	run detach @NVME --force
	expect ok=true
	run vfio-open @NVME --map 1M --reset
	expect ok=true
	run reattach @NVME
	expect ok=true
	end
	;;
sriov)
	name PF sriov-pf
	AUTOPROBE=$(cat "/sys/bus/pci/devices/$PF/sriov_drivers_autoprobe")

	begin e "VF creation, VF attach and release, VFs disabled"
	run select-vf --pf @PF --create --count 2
	expect ok=true
	pick VF
	run attach --vm vm1 --devices @VF
	expect ok=true
	run release --vm vm1
	expect ok=true
	run set-numvfs @PF 0
	expect ok=true
	end
	# select-vf --create turned autoprobe off and nothing turns it back on (both sides agree);
	# later guest steps (kfacts) need the machine as booted.
	cleanup "echo $AUTOPROBE > /sys/bus/pci/devices/$PF/sriov_drivers_autoprobe"
	;;
esac
exit 0
