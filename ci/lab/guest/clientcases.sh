#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# clientcases: real, unmodified clients (the shell, driverctl, dpdk-devbind.py) case by case,
# the same file in the lab guest (the real kernel) and under ptharness fake (the model).
#
# usage: clientcases cases TOPOLOGY               the case names for TOPOLOGY, one a line
#        clientcases run TOPOLOGY CASE DIR        run one case; results in DIR
#        clientcases guest TOPOLOGY DIR           (lab guest) every case, each recorded and undone
#
# The plan: CASES below is the one list. A command names devices as @NAME; they are found here
# by vendor:device (never by address), on the real kernel and in the model alike, and written to
# DIR/names. Each command runs as `bash -c COMMAND` (so a refused write is reported by the shell
# as users see it), with its stdout, stderr and exit status in DIR/N.out, N.err, N.status and
# its template in DIR/N.cmd. DIR/start.state and DIR/end.state are the machine before and after
# the case as the shell reads it (state_lines). The host (ci/lab/clients) runs each case under
# `ptharness fake --save` from the committed lab-TOPOLOGY-initial.umockdev and compares.
#
# In the guest, "guest" runs every case and, after each, records the machine (ptharness record,
# DIR/CASE/end.umockdev), puts it back as booted (restore) and checks it is (DIR/CASE/leak when
# not). Before the first case it hides the kernel module index from libkmod (see below).
set -u
export LC_ALL=C

# TOPOLOGY<TAB>CASE<TAB>CLIENT<TAB>COMMAND. One line per command, in order.
CASES=$(
	cat <<'EOF'
shared	groups	shell	for g in /sys/kernel/iommu_groups/*; do for d in "$g"/devices/*; do echo "${d##*/} ${g##*/}"; done; done
shared	driverctl	driverctl	driverctl --nosave set-override @NVME vfio-pci
shared	driverctl	driverctl	driverctl list-devices
shared	driverctl	driverctl	driverctl list-overrides
shared	driverctl-unset	driverctl	driverctl --nosave set-override @NVME vfio-pci
shared	driverctl-unset	driverctl	driverctl --nosave unset-override @NVME
shared	driverctl-unset	driverctl	driverctl list-devices
shared	driverctl-nomodule	driverctl	driverctl --nosave set-override @EDU no_such_driver
shared	devbind	dpdk-devbind.py	dpdk-devbind.py --status
shared	devbind	dpdk-devbind.py	dpdk-devbind.py -b vfio-pci @E1000
shared	devbind	dpdk-devbind.py	dpdk-devbind.py --status-dev net
shared	devbind-unbind	dpdk-devbind.py	dpdk-devbind.py -b vfio-pci @E1000
shared	devbind-unbind	dpdk-devbind.py	dpdk-devbind.py -u @E1000
shared	devbind-unbind	dpdk-devbind.py	dpdk-devbind.py --status-dev net
sriov	groups	shell	for g in /sys/kernel/iommu_groups/*; do for d in "$g"/devices/*; do echo "${d##*/} ${g##*/}"; done; done
sriov	numvfs	shell	echo 2 > /sys/bus/pci/devices/@PF/sriov_numvfs
sriov	numvfs	shell	echo 2 > /sys/bus/pci/devices/@PF/sriov_numvfs
sriov	numvfs	shell	echo 3 > /sys/bus/pci/devices/@PF/sriov_numvfs
sriov	numvfs	shell	cat /sys/bus/pci/devices/@PF/sriov_numvfs
sriov	numvfs-noprobe	shell	echo 0 > /sys/bus/pci/devices/@PF/sriov_drivers_autoprobe
sriov	numvfs-noprobe	shell	echo 2 > /sys/bus/pci/devices/@PF/sriov_numvfs
sriov	numvfs-noprobe	shell	echo 1 > /sys/bus/pci/devices/@PF/sriov_numvfs
sriov	numvfs-noprobe	shell	ls -d /sys/bus/pci/devices/@PF/virtfn*
sriov	driverctl	driverctl	driverctl --nosave set-override @VIRTIO vfio-pci
sriov	driverctl	driverctl	driverctl list-devices network
sriov	driverctl-unset	driverctl	driverctl --nosave set-override @VIRTIO vfio-pci
sriov	driverctl-unset	driverctl	driverctl --nosave unset-override @VIRTIO
sriov	driverctl-unset	driverctl	driverctl list-devices network
sriov	devbind	dpdk-devbind.py	dpdk-devbind.py --status-dev net
sriov	devbind	dpdk-devbind.py	dpdk-devbind.py -b vfio-pci @VIRTIO
sriov	devbind	dpdk-devbind.py	dpdk-devbind.py -u @VIRTIO
sriov	devbind	dpdk-devbind.py	dpdk-devbind.py --status-dev net
noiommu	groups	shell	ls /sys/kernel/iommu_groups | wc -l; ls /sys/bus/pci/devices/@NVME/iommu_group
noiommu	groups	shell	ls /sys/module/vfio/parameters
noiommu	driverctl	driverctl	driverctl --nosave set-override @NVME vfio-pci
noiommu	driverctl	driverctl	driverctl list-devices storage
nointremap	driverctl	driverctl	driverctl --nosave set-override @NVME vfio-pci
nointremap	driverctl	driverctl	driverctl list-devices storage
EOF
)

# Device names: NAME<TAB>rule, the rule as find_named takes it.
NAMES=$(
	cat <<'EOF'
NVME	1b36 0010 nopf
PF	1b36 0010 pf
E1000	8086 100e any
VIRTIO	1af4 1041 any
EDU	1234 11e8 any
EOF
)

# find_named VENDOR DEVICE any|pf|nopf: the first such device in address order ("pf": the one
# with an sriov_totalvfs file, "nopf": one without), or "none".
find_named() {
	local d v dv
	for d in /sys/bus/pci/devices/*; do
		read -r v < "$d/vendor" && read -r dv < "$d/device" || continue
		[ "$v" = "0x$1" ] && [ "$dv" = "0x$2" ] || continue
		case $3 in
		pf) [ -e "$d/sriov_totalvfs" ] || continue ;;
		nopf) [ -e "$d/sriov_totalvfs" ] && continue ;;
		esac
		echo "${d##*/}"
		return
	done
	echo none
}

# Every PCI function: address, driver, driver_override, sriov_numvfs, sriov_drivers_autoprobe
# ("-" where there is none), read as a shell user would.
state_lines() {
	local d drv ov nv ap
	for d in /sys/bus/pci/devices/*; do
		drv=-
		[ -L "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
		ov=-
		[ -e "$d/driver_override" ] && read -r ov < "$d/driver_override"
		nv=-
		[ -e "$d/sriov_numvfs" ] && read -r nv < "$d/sriov_numvfs"
		ap=-
		[ -e "$d/sriov_drivers_autoprobe" ] && read -r ap < "$d/sriov_drivers_autoprobe"
		echo "${d##*/} driver=$drv override=$ov numvfs=$nv autoprobe=$ap"
	done
}

# Wait (at most 10 s) until no NVMe controller is resetting, connecting or new: a rebound
# controller comes up asynchronously (only on the real kernel; the model has no such state).
settle() {
	local i s st busy
	for ((i = 0; i < 100; i++)); do
		busy=0
		for s in /sys/class/nvme/nvme*/state; do
			[ -e "$s" ] || continue
			read -r st < "$s"
			case $st in resetting | connecting | new) busy=1 ;; esac
		done
		[ $busy = 0 ] && return 0
		sleep 0.1
	done
}

cases_of() {
	awk -F'\t' -v t="$1" '$1 == t && !seen[$2]++ { print $2 }' <<< "$CASES"
}

run_case() {
	local topo=$1 case=$2 dir=$3 name vendor device rule addr n=0 cmd tmpl
	local -A addrs
	mkdir -p "$dir"
	: > "$dir/names"
	while IFS=$'\t' read -r name rule; do
		read -r vendor device rule <<< "$rule"
		addr=$(find_named "$vendor" "$device" "$rule")
		addrs[$name]=$addr
		printf '%s\t%s\n' "$name" "$addr" >> "$dir/names"
	done <<< "$NAMES"
	state_lines > "$dir/start.state"
	while IFS=$'\t' read -r _ _ _ tmpl; do
		n=$((n + 1))
		cmd=$tmpl
		for name in "${!addrs[@]}"; do
			cmd=${cmd//@$name/${addrs[$name]}}
		done
		printf '%s\n' "$tmpl" > "$dir/$n.cmd"
		bash -c "$cmd" > "$dir/$n.out" 2> "$dir/$n.err" < /dev/null
		echo $? > "$dir/$n.status"
	done <<< "$(awk -F'\t' -v t="$topo" -v c="$case" '$1 == t && $2 == c' <<< "$CASES")"
	# (no process substitution: the guest has no /dev/fd)
	[ $n -gt 0 ] || { echo "clientcases: no case '$case' for topology '$topo'" >&2; return 2; }
	settle
	state_lines > "$dir/end.state"
}

# Put every function back as START (a state_lines file) says: the VF count and autoprobe as they
# were, the override as it was, and the driver rebound through drivers_probe.
restore() {
	local start=$1 addr drv ov nv ap d cur
	while read -r addr drv ov nv ap; do
		d=/sys/bus/pci/devices/$addr
		[ -e "$d" ] || continue
		nv=${nv#numvfs=} ap=${ap#autoprobe=}
		if [ "$nv" != - ] && [ "$(cat "$d/sriov_numvfs")" != "$nv" ]; then
			echo 0 > "$d/sriov_numvfs"
			[ "$nv" = 0 ] || echo "$nv" > "$d/sriov_numvfs"
		fi
		if [ "$ap" != - ] && [ "$(cat "$d/sriov_drivers_autoprobe")" != "$ap" ]; then
			echo "$ap" > "$d/sriov_drivers_autoprobe"
		fi
	done < "$start"
	while read -r addr drv ov _; do
		d=/sys/bus/pci/devices/$addr
		[ -e "$d" ] || continue
		drv=${drv#driver=} ov=${ov#override=}
		cur=-
		[ -L "$d/driver" ] && cur=$(basename "$(readlink "$d/driver")")
		[ "$ov" = "(null)" ] && ov=""
		[ "$ov" = - ] || echo "$ov" > "$d/driver_override"
		if [ "$cur" != "$drv" ]; then
			[ "$cur" = - ] || echo "$addr" > "$d/driver/unbind"
			[ "$drv" = - ] || echo "$addr" > /sys/bus/pci/drivers_probe
		fi
	done < "$start"
	settle
}

# The lab guest: every case of TOPOLOGY, each recorded at its end and undone.
guest() {
	local topo=$1 out=$2 case rel
	mkdir -p "$out"
	# libkmod: the guest has the initramfs's module index, the machines that run ptharness fake
	# may have none (a CI container: lspci then says "Unable to load libkmod resources" and shows
	# no "Kernel modules" line, and dpdk-devbind lists fewer unused drivers). The index is not
	# sysfs, so both sides go without it; busybox modprobe reads modules.dep (text) and still works.
	rel=$(uname -r)
	mkdir -p /tmp/kmod-index
	mv /lib/modules/"$rel"/modules.*.bin /tmp/kmod-index/ 2> /dev/null
	state_lines > "$out/boot.state"
	cases_of "$topo" > "$out/cases"
	while read -r case; do
		run_case "$topo" "$case" "$out/$case"
		ptharness record -o "$out/$case/end.umockdev" 2> "$out/$case/record.err"
		echo $? > "$out/$case/record.status"
		restore "$out/boot.state"
		state_lines > "$out/$case/restored.state"
		cmp -s "$out/boot.state" "$out/$case/restored.state" ||
			diff "$out/boot.state" "$out/$case/restored.state" > "$out/$case/leak"
	done < "$out/cases"
	mv /tmp/kmod-index/* /lib/modules/"$rel"/ 2> /dev/null
	return 0
}

case ${1:-} in
cases) cases_of "${2:?usage: clientcases cases TOPOLOGY}" ;;
run) run_case "${2:?topology}" "${3:?case}" "${4:?dir}" ;;
guest) guest "${2:?topology}" "${3:?dir}" ;;
*)
	sed -n '5,7s/^# *//p' "$0" >&2
	exit 2
	;;
esac
