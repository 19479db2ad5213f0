#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# hoststate (guest): put the lab host into a named state, then record it with ptharness and kview.
#
# usage: hoststate NAME STATE
#
# The plan: STATE is one of the states below; its function applies sysfs writes to the freshly
# booted guest. Addresses are never hard-coded: devices are found by vendor:device (and the
# SR-IOV PF by its sriov_totalvfs file). Every write is also appended, as the shell command that
# does it, to /out/NAME.how, so the host can say exactly how the recording was made. Then, in
# this order and each even when an earlier one failed:
#
#   /out/NAME.kview.tsv     kview (the kernel's own view)
#   /out/NAME.inspect.json  ptharness inspect --host live --json
#   /out/NAME.umockdev      ptharness record -o ...
#   /out/NAME.paths         which of /dev/iommu, /dev/vfio/vfio, /dev/vfio/devices and
#                           /sys/module/vfio_iommu_type1 exist ("PATH yes|no" lines)
#
# Exit status: 0, or 1 with a message on stderr when a device is missing, a write fails or one
# of the three fails.

set -u
NAME=$1
STATE=$2
HOW=/out/$NAME.how
: > "$HOW"

die() {
	echo "hoststate: $STATE: $*" >&2
	exit 1
}

# PCI addresses with vendor:device $1:$2, in address order.
find_dev() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = "0x$1" ] && [ "$(cat "$d/device")" = "0x$2" ] && echo "${d##*/}"
	done
}

# The one address with vendor:device $1:$2 (the Nth, 1-based, when $3 is given).
one_dev() {
	a=$(find_dev "$1" "$2" | sed -n "${3:-1}p")
	[ -n "$a" ] || die "no PCI device $1:$2${3:+ #$3}"
	echo "$a"
}

# Write $1 to $2, recording the command.
w() {
	echo "echo $1 > $2" >> "$HOW"
	echo "$1" > "$2" || die "writing '$1' to $2 failed"
}

# Wait (at most 10 s) until no NVMe controller is resetting or connecting.
nvme_settle() {
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

# Bind $1 to vfio-pci the way libvirt does: driver_override, unbind, drivers_probe.
to_vfio() {
	w vfio-pci "/sys/bus/pci/devices/$1/driver_override"
	[ -e "/sys/bus/pci/devices/$1/driver" ] && w "$1" "/sys/bus/pci/devices/$1/driver/unbind"
	w "$1" /sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "/sys/bus/pci/devices/$1/driver")")" = vfio-pci ] ||
		die "$1 is not on vfio-pci after drivers_probe"
}

sriov_pf() {
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d/sriov_totalvfs" ] && { echo "${d##*/}"; return 0; }
	done
	die "no SR-IOV physical function"
}

# --- states (each starts from a fresh boot) -------------------------------------------------

state_initial() { :; }

# shared: the plain nvme (alone in its group) on vfio-pci: a viable group.
state_nvme_vfio() { to_vfio "$(one_dev 1b36 0010)"; }

# shared: function 1 of the e1000e pair on vfio-pci, function 0 still on e1000e: not viable.
state_e1000e_half_vfio() { to_vfio "$(one_dev 8086 10d3 2)"; }

# shared: both e1000e functions on vfio-pci: the group is viable again.
state_e1000e_vfio() {
	to_vfio "$(one_dev 8086 10d3 1)"
	to_vfio "$(one_dev 8086 10d3 2)"
}

# sriov: two VFs enabled with autoprobe off, so they stay unbound.
state_2vfs() {
	pf=$(sriov_pf)
	w 0 "/sys/bus/pci/devices/$pf/sriov_drivers_autoprobe"
	w 2 "/sys/bus/pci/devices/$pf/sriov_numvfs"
	[ -e "/sys/bus/pci/devices/$pf/virtfn1" ] || die "$pf: no virtfn1 after sriov_numvfs=2"
}

# sriov: as 2vfs, then the first VF on vfio-pci.
state_vf_vfio() {
	state_2vfs
	to_vfio "$(basename "$(readlink "/sys/bus/pci/devices/$pf/virtfn0")")"
}

fn=state_$(echo "$STATE" | tr - _)
type "$fn" > /dev/null 2>&1 || die "unknown state"
"$fn"
nvme_settle

# All three run even when one fails, so that the host sees as much as there is.
status=0
kview > "/out/$NAME.kview.tsv" || { echo "hoststate: $STATE: kview failed" >&2; status=1; }
ptharness inspect --host live --json > "/out/$NAME.inspect.json" ||
	{ echo "hoststate: $STATE: ptharness inspect --host live --json failed" >&2; status=1; }
echo "ptharness record -o /out/$NAME.umockdev" >> "$HOW"
ptharness record -o "/out/$NAME.umockdev" || { echo "hoststate: $STATE: ptharness record failed" >&2; status=1; }
# What the kernel showed of its VFIO paths in that state, by test -e and not by ptharness: the
# host keeps it next to the recording (NAME.paths) and tests/lab/vfio-paths.sh holds the
# recording's "VFIO paths" against it. type1's directory exists when the driver is loaded or
# built in (it has module parameters), and only then is /dev/vfio/vfio VFIO's own container.
for p in /dev/iommu /dev/vfio/vfio /dev/vfio/devices /sys/module/vfio_iommu_type1; do
	if [ -e "$p" ]; then echo "$p yes"; else echo "$p no"; fi
done > "/out/$NAME.paths"
exit $status
