#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# /init of the lab guest: load modules, check the topology, run /lab/cmd, ship results over ttyS1.
#
# Protocol with the host (ci/lab/lab):
#   console (ttyS0): kernel log plus "PTH-LAB-READY ..." once the shell is ready and
#                    "PTH-LAB-DONE status=N" after the command; "PTH-LAB-FAIL <why>" on setup errors.
#   ttyS1:           "PTH-LAB-BEGIN", a base64 tar of stdout, stderr, status, meta, dmesg.txt, out/,
#                    then "PTH-LAB-END".

export PATH=/usr/local/bin:/usr/local/sbin:/bin:/sbin:/usr/bin:/usr/sbin
export LD_LIBRARY_PATH=/usr/local/lib
export HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mkdir -p /out /root /tmp/lab/res

fail() {
	echo "PTH-LAB-FAIL $*"
	poweroff -f
}

# Modules named in /lab/modules (one per line); missing ones (e.g. igb on a kernel without it)
# are skipped, the host decides which ones must exist.
while read -r mod; do
	[ -n "$mod" ] && modprobe "$mod" 2>/dev/null
done < /lab/modules

# NVMe controllers come up asynchronously after probe; wait (at most 15 s) until all are live.
i=0
while [ $i -lt 150 ]; do
	pending=0
	for s in /sys/class/nvme/nvme*/state; do
		[ -e "$s" ] || continue
		read -r st < "$s"
		[ "$st" = live ] || pending=1
	done
	[ $pending = 0 ] && break
	sleep 0.1
	i=$((i + 1))
done

# /lab/expect: "vendor:device count" lines from the topology; a mismatch means QEMU or the
# kernel did not give us the machine the topology describes.
if [ -s /lab/expect ]; then
	: > /tmp/lab/ids
	for d in /sys/bus/pci/devices/*; do
		read -r v < "$d/vendor"
		read -r dv < "$d/device"
		echo "${v#0x}:${dv#0x}" >> /tmp/lab/ids
	done
	while read -r id want; do
		got=$(grep -c "^$id\$" /tmp/lab/ids)
		[ "$got" = "$want" ] || fail "topology: expected $want device(s) $id, found $got"
	done < /lab/expect
fi

read -r up _ < /proc/uptime
echo "PTH-LAB-READY kernel=$(uname -r) uptime=$up"

if [ ! -e /lab/cmd ]; then
	echo "pth-lab: interactive shell; 'poweroff -f' (or exit) to stop the VM"
	setsid cttyhack sh
	poweroff -f
fi

cd /out
sh /lab/cmd > /tmp/lab/res/stdout 2> /tmp/lab/res/stderr < /dev/null
status=$?
cd /
echo "PTH-LAB-DONE status=$status"

echo "$status" > /tmp/lab/res/status
{
	echo "kernel_release=$(uname -r)"
	echo "kernel_version=$(cat /proc/sys/kernel/version)"
	cat /lab/meta
	read -r up _ < /proc/uptime
	echo "guest_uptime_at_exit=$up"
} > /tmp/lab/res/meta
dmesg > /tmp/lab/res/dmesg.txt
cp -a /out /tmp/lab/res/out

stty -F /dev/ttyS1 raw -echo
{
	echo PTH-LAB-BEGIN
	tar -cz -C /tmp/lab/res . | base64
	echo PTH-LAB-END
} > /dev/ttyS1
sync
poweroff -f
