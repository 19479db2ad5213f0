#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# crashkill (guest): the lab's kill subset and concurrency check for `ptharness recover`.
#
# usage: crashkill   (prints "ok - ..." / "not ok - ..." lines; exit 1 when one failed)
#
# The plan: on the sriov topology, for detach and attach of the NVMe function that is not the
# PF, and for set-numvfs 2 on the PF, kill ptharness for real (SIGKILL, no handler runs) right
# after its Nth write to sysfs (PTH_DIE_AFTER_WRITE=N) for a few N, then run `ptharness
# recover` and compare `ptharness inspect --host live --json` with the one taken before the
# command (netdev names and host-critical marks left out: they follow the NIC's name, which a
# rebind may change). Then two detaches of devices in different IOMMU groups run in parallel
# on one state file: both devices are on vfio-pci and both are in the state; two parallel
# reattaches give both back and empty it. Addresses are found, never written in.

set -u
fails=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fails=$((fails + 1)); }
view() {
	ptharness inspect --host live --json |
		sed -e 's/"netdevs":\[[^]]*\]//g' -e 's/"host_critical":[^,}]*//g'
}
driver() { basename "$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null; }

pf="" dev=""
for d in /sys/bus/pci/devices/*; do
	a=${d##*/}
	[ "$(cat "$d/vendor")" = 0x1b36 ] && [ "$(cat "$d/device")" = 0x0010 ] || continue
	if [ -e "$d/sriov_totalvfs" ]; then pf=$a; elif [ -e "$d/driver" ]; then dev=$a; fi
done
[ -n "$pf" ] && [ -n "$dev" ] || { bad "no NVMe PF and other NVMe function (pf '$pf', dev '$dev')"; exit 1; }

kills=0 restored=0
# "N COMMAND": kill after write N. detach makes 3 writes (override, unbind, probe), attach
# as many, set-numvfs 1: the first, the middle and the last of them (lab time is dear).
for point in "1 detach $dev" "3 detach $dev" "2 attach --vm v --devices $dev" \
	"1 set-numvfs $pf 2"; do
	n=${point%% *}
	cmd=${point#* }
	st=/tmp/crash.$n.state.json
	rm -f "$st"*
	view > /tmp/before.json
	PTH_DIE_AFTER_WRITE=$n ptharness $cmd --state "$st" > /tmp/cmd.out 2>&1
	got=$?
	if [ $got != 137 ]; then
		bad "$cmd: not killed after write $n (exit $got)"
		sed 's/^/#   /' /tmp/cmd.out
		continue
	fi
	kills=$((kills + 1))
	ptharness recover --state "$st" > /tmp/recover.out 2>&1
	rc=$?
	view > /tmp/after.json
	if [ $rc = 0 ] && cmp -s /tmp/before.json /tmp/after.json; then
		restored=$((restored + 1))
		ok "$cmd killed after write $n: recover restored the host exactly"
	else
		bad "$cmd killed after write $n: recover exit $rc, host $(cmp -s /tmp/before.json /tmp/after.json && echo same || echo differs)"
		sed 's/^/#   /' /tmp/recover.out
	fi
done
echo "# lab kill points: $kills, restored: $restored"

# Concurrency: two groups at once, one state file.
st=/tmp/conc.state.json
rm -f "$st"*
ga=$(basename "$(readlink /sys/bus/pci/devices/$dev/iommu_group)")
gb=$(basename "$(readlink /sys/bus/pci/devices/$pf/iommu_group)")
ptharness detach "$dev" --state "$st" > /tmp/c1 2>&1 &
p1=$!
ptharness detach "$pf" --state "$st" > /tmp/c2 2>&1 &
p2=$!
wait $p1; s1=$?
wait $p2; s2=$?
n=$(grep -c '"address"' "$st")
if [ $s1 = 0 ] && [ $s2 = 0 ] && [ "$(driver "$dev")" = vfio-pci ] &&
	[ "$(driver "$pf")" = vfio-pci ] && grep -q "\"$dev\"" "$st" && grep -q "\"$pf\"" "$st"; then
	ok "parallel detaches in groups $ga and $gb: both on vfio-pci, both in the state"
else
	bad "parallel detaches: exit $s1 $s2, drivers $(driver "$dev") $(driver "$pf"), $n entries"
	sed 's/^/#   /' /tmp/c1 /tmp/c2
fi
ptharness reattach "$dev" --state "$st" > /tmp/c1 2>&1 &
p1=$!
ptharness reattach "$pf" --state "$st" > /tmp/c2 2>&1 &
p2=$!
wait $p1; s1=$?
wait $p2; s2=$?
if [ $s1 = 0 ] && [ $s2 = 0 ] && [ "$(driver "$dev")" = nvme ] && [ "$(driver "$pf")" = nvme ] &&
	! grep -q "\"$dev\"\|\"$pf\"" "$st"; then
	ok "parallel reattaches: both back on nvme, the state empty"
else
	bad "parallel reattaches: exit $s1 $s2, drivers $(driver "$dev") $(driver "$pf")"
	sed 's/^/#   /' /tmp/c1 /tmp/c2 "$st"
fi
[ $fails = 0 ]
