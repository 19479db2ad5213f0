#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ptharness fake with real, unmodified clients: the shell, lspci, driverctl, dpdk-devbind.py and
# a statically linked Go program, each reading and writing the model of a bundled recording.
# Expected values come from the recording (drivers, groups) or from the kernel's source (the
# errno of each refused write), never from ptharness's own output.
#
# Usage: fake-clients.sh PTHARNESS HOSTS_DIR GO_CLIENT_DIR [VFIO_CLIENT]. Exit 77 (skip) without
# FUSE.
set -uo pipefail
PTH=${1:?usage: fake-clients.sh PTHARNESS HOSTS_DIR GO_CLIENT_DIR}
HOSTS=$2
GODIR=$3
VFIO_CLIENT=${4:-}
SHARED=$HOSTS/lab-shared-initial.umockdev
SRIOV=$HOSTS/lab-sriov-initial.umockdev
# Group 6 holds both functions of the e1000e: both on vfio-pci, or .0 still on e1000e.
VFIO_BOTH=$HOSTS/lab-shared-e1000e-vfio.umockdev
VFIO_HALF=$HOSTS/lab-shared-e1000e-half-vfio.umockdev
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

if [ ! -c /dev/fuse ]; then
	echo "1..0 # SKIP no /dev/fuse: ptharness fake needs FUSE"
	exit 77
fi
if ! "$PTH" fake --host "$SRIOV" --via preload -- true 2>"$tmp/err"; then
	echo "1..0 # SKIP the FUSE file system does not mount here: $(cat "$tmp/err")"
	exit 77
fi

pass=0 fail=0 skip=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
no() {
	echo "not ok - $1"
	[ -f "$tmp/out" ] && sed 's/^/#   /' "$tmp/out" | head -30
	fail=$((fail + 1))
}
skipped() { echo "ok - $1 # SKIP $2"; skip=$((skip + 1)); }
root=0
[ "$(id -u)" = 0 ] && root=1
# lspci complains on stderr when the machine has no kernel modules directory: not ours.
quiet_kmod() { grep -v 'Unable to load libkmod'; }

# The recording's own facts: "BDF DRIVER GROUP" for every PCI function.
facts() {
	awk '/^P: /{ if (dev) print dev, drv, grp; n = split($2, p, "/"); dev = p[n];
		     drv = "-"; grp = "-"; if (dev !~ /^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:/) dev = "" }
	     /^L: driver=/{ n = split($2, p, "/"); drv = p[n] }
	     /^L: iommu_group=/{ n = split($2, p, "/"); grp = p[n] }
	     END { if (dev) print dev, drv, grp }' "$1" | sort
}

# 1. Exit status is CMD's; a missing command is 127 as in a shell.
"$PTH" fake --host "$SRIOV" -- sh -c 'exit 7'
[ $? = 7 ] && ok "exit status is the command's (7)" || no "exit status is the command's"
"$PTH" fake --host "$SRIOV" -- /nonexistent/cmd 2>"$tmp/out"
[ $? = 127 ] && ok "a command that cannot be found exits 127" || no "missing command: 127"

# SIGTERM to fake reaches CMD, which dies of it; fake unmounts and reports 128 + 15. The
# mount is named by the preload's UMOCKDEV_DIR (other tests may have mounts of their own).
"$PTH" fake --host "$SRIOV" --via preload -- sh -c 'echo "$UMOCKDEV_DIR"; exec sleep 60' >"$tmp/mnt" &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
st=$?
mnt=$(cat "$tmp/mnt")
if [ $st = 143 ] && [ -n "$mnt" ] && ! awk -v m="$mnt" '$2 == m { f = 1 } END { exit !f }' /proc/self/mounts; then
	ok "SIGTERM is passed to the command (status 143) and the view unmounted"
else
	no "SIGTERM (status $st, mount ${mnt:-unknown})"
fi
# Usage and input errors: status 2, the file named.
"$PTH" fake -- true 2>"$tmp/out"
st1=$?
"$PTH" fake --host "$tmp/none.umockdev" -- true 2>"$tmp/out"
st2=$?
if [ $st1 = 2 ] && [ $st2 = 2 ] && grep -q "none.umockdev" "$tmp/out"; then
	ok "missing --host and a missing recording: status 2, the file named"
else
	no "usage errors ($st1, $st2)"
fi

# 2. The shell loop over /sys/kernel/iommu_groups shows the recording's groups.
for via in preload namespace; do
	if [ $via = namespace ] && [ $root = 0 ]; then
		skipped "iommu_groups loop ($via)" "needs root"
		continue
	fi
	"$PTH" fake --host "$SHARED" --via $via -- bash -c '
		for g in /sys/kernel/iommu_groups/*; do
			for d in "$g"/devices/*; do echo "${d##*/} ${g##*/}"; done
		done' >"$tmp/out" 2>&1
	if diff <(sort "$tmp/out") <(facts "$SHARED" | awk '$3 != "-" { print $1, $3 }') >/dev/null; then
		ok "iommu_groups loop ($via): $(wc -l <"$tmp/out") devices in the recording's groups"
	else
		no "iommu_groups loop ($via)"
	fi
done

# 3. sriov_numvfs: drivers/pci/iov.c sriov_numvfs_store(): the same count again is accepted,
# another non-zero count while VFs exist is EBUSY, more than sriov_totalvfs is ERANGE.
"$PTH" fake --host "$SRIOV" --via preload -- bash -c '
	d=/sys/bus/pci/devices/0000:02:00.0
	echo 2 > $d/sriov_numvfs && echo first=ok
	echo 2 > $d/sriov_numvfs && echo same=ok
	echo 1 > $d/sriov_numvfs || echo other=$?
	echo 0 > $d/sriov_numvfs && echo 9 > $d/sriov_numvfs || echo range=$?
	ls -d /sys/bus/pci/devices/0000:02:00.* | wc -l' >"$tmp/out" 2>&1
if grep -qx first=ok "$tmp/out" && grep -qx same=ok "$tmp/out" &&
	grep -q 'write error: Device or resource busy' "$tmp/out" && grep -qx other=1 "$tmp/out" &&
	grep -q 'write error: Numerical result out of range' "$tmp/out" &&
	grep -qx 1 "$tmp/out"; then
	ok "echo N > sriov_numvfs: accepted, EBUSY for another count, ERANGE past totalvfs"
else
	no "echo N > sriov_numvfs"
fi

# sysfs files are root's: a user who is not root reads them and cannot write them.
if [ $root = 1 ] && command -v setpriv >/dev/null; then
	chmod 755 "$tmp"
	cp "$SRIOV" "$tmp/user.umockdev"
	chmod 644 "$tmp/user.umockdev"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$PTH" fake --host "$tmp/user.umockdev" \
		--via preload -- sh -c 'd=/sys/bus/pci/devices/0000:02:00.0
		cat $d/sriov_totalvfs; echo 1 > $d/sriov_numvfs' >"$tmp/out" 2>&1
	if grep -qx 4 "$tmp/out" && grep -q 'sriov_numvfs: Permission denied' "$tmp/out"; then
		ok "a user who is not root reads sriov_totalvfs and may not write sriov_numvfs (EACCES)"
	else
		no "permissions for a user who is not root"
	fi
else
	skipped "permissions for a user who is not root" "needs root and setpriv to become another user"
fi

# 4. lspci -nnk names every device and the recording's driver; -vvv decodes the same
# capabilities from config space as lspci does on umockdev's own testbed of the recording.
if command -v lspci >/dev/null; then
	"$PTH" fake --host "$SHARED" -- lspci -nnk >"$tmp/nnk" 2> >(quiet_kmod >&2)
	bad=0
	while read -r dev drv grp; do
		bdf=${dev#0000:}
		awk -v b="$bdf" '$1 == b { p = 1; print; next } /^[0-9a-f]/ { p = 0 } p' "$tmp/nnk" >"$tmp/dev"
		[ -s "$tmp/dev" ] || { echo "# $dev missing" >&2; bad=1; }
		if [ "$drv" != "-" ] && ! grep -q "Kernel driver in use: $drv\$" "$tmp/dev"; then
			echo "# $dev: driver $drv not shown" >&2
			bad=1
		fi
	done < <(facts "$SHARED")
	cp "$tmp/nnk" "$tmp/out"
	[ $bad = 0 ] && ok "lspci -nnk: $(facts "$SHARED" | wc -l) devices with their recorded drivers" ||
		no "lspci -nnk"
	"$PTH" fake --host "$SHARED" -- lspci -vvv 2>/dev/null | grep -E '^\S|Capabilities:|IOMMU group' >"$tmp/vvv"
	if command -v umockdev-run >/dev/null; then
		umockdev-run -d "$SHARED" -- lspci -vvv 2>/dev/null | grep -E '^\S|Capabilities:' >"$tmp/ref"
		if diff <(grep -v 'IOMMU group' "$tmp/vvv") "$tmp/ref" >"$tmp/out"; then
			ok "lspci -vvv: $(grep -c Capabilities: "$tmp/ref") capabilities as on umockdev's testbed"
		else
			no "lspci -vvv capabilities differ from umockdev's testbed"
		fi
	fi
	groups=$(grep -c 'IOMMU group' "$tmp/vvv")
	want=$(facts "$SHARED" | awk '$3 != "-"' | wc -l)
	[ "$groups" = "$want" ] && ok "lspci -vvv: IOMMU group of all $want devices" ||
		{ echo "$groups != $want" >"$tmp/out"; no "lspci -vvv IOMMU groups"; }
else
	skipped "lspci" "pciutils is not installed"
fi

# 5. driverctl (namespace: its /sbin/modprobe is answered from the model).
if ! command -v driverctl >/dev/null; then
	skipped "driverctl" "driverctl is not installed"
elif [ $root = 0 ]; then
	skipped "driverctl" "needs root (the namespace answers its modprobe)"
else
	"$PTH" fake --host "$SRIOV" --save "$tmp/dc.umockdev" -- bash -c '
		driverctl --nosave set-override 0000:03:00.0 vfio-pci; echo set=$?
		driverctl list-devices | grep 03:00.0
		driverctl list-overrides' >"$tmp/out" 2>&1
	if grep -qx set=0 "$tmp/out" && grep -qx '0000:03:00.0 vfio-pci \[\*\]' "$tmp/out" &&
		grep -qx '0000:03:00.0 vfio-pci' "$tmp/out" &&
		awk '/^P: .*0000:03:00.0$/ { p = 1 } p && /^$/ { exit } p' "$tmp/dc.umockdev" |
		grep -q '^L: driver=.*/vfio-pci$'; then
		ok "driverctl --nosave set-override vfio-pci, list-devices, list-overrides; --save keeps it"
	else
		no "driverctl set-override"
	fi
	"$PTH" fake --host "$tmp/dc.umockdev" -- bash -c '
		driverctl --nosave unset-override 0000:03:00.0; echo unset=$?
		driverctl list-devices | grep 03:00.0' >"$tmp/out" 2>&1
	if grep -qx unset=0 "$tmp/out" && grep -qx '0000:03:00.0 virtio-pci' "$tmp/out"; then
		ok "driverctl --nosave unset-override: back to the recording's virtio-pci"
	else
		no "driverctl unset-override"
	fi
fi

# 6. dpdk-devbind.py: --status, -b vfio-pci, -u.
if ! command -v dpdk-devbind.py >/dev/null; then
	skipped "dpdk-devbind.py" "dpdk is not installed"
else
	"$PTH" fake --host "$SHARED" --via preload -- bash -c '
		dpdk-devbind.py --status-dev net
		dpdk-devbind.py -b vfio-pci 0000:04:01.0; echo bind=$?
		dpdk-devbind.py --status-dev net
		dpdk-devbind.py -u 0000:04:01.0; echo unbind=$?
		dpdk-devbind.py --status-dev net' 2> >(quiet_kmod >&2) >"$tmp/out"
	# Three listings: kernel driver (recorded e1000), then vfio-pci, then no driver.
	if grep -q "^0000:04:01.0 .* drv=e1000 unused=vfio-pci" "$tmp/out" &&
		grep -qx bind=0 "$tmp/out" &&
		grep -A2 'using DPDK-compatible driver' "$tmp/out" | grep -q "^0000:04:01.0 .*drv=vfio-pci" &&
		grep -qx unbind=0 "$tmp/out" &&
		grep -A2 '^Other Network devices' "$tmp/out" | grep -q "^0000:04:01.0 .*unused=vfio-pci"; then
		ok "dpdk-devbind.py --status, -b vfio-pci, -u"
	else
		no "dpdk-devbind.py"
	fi

	# 7. A fault reaches the client: vfio-pci's bind fails, dpdk-devbind's own error path runs.
	printf 'write path=bus/pci/drivers/vfio-pci/bind errno=ENODEV count=0\n' >"$tmp/faults"
	"$PTH" fake --host "$SHARED" --via preload --faults "$tmp/faults" --trace "$tmp/trace" -- \
		dpdk-devbind.py -b vfio-pci 0000:04:01.0 >"$tmp/out" 2>&1
	st=$?
	if [ $st = 1 ] && grep -q '^Error: bind failed for 0000:04:01.0 - Cannot bind to driver vfio-pci: \[Errno 19\] No such device' "$tmp/out" &&
		grep -q '^fault .*vfio-pci/bind' "$tmp/trace"; then
		ok "a fault (vfio-pci bind: ENODEV) reaches dpdk-devbind.py, which reports it and exits 1"
	else
		no "fault through dpdk-devbind.py (exit $st)"
	fi
fi

# 8. A statically linked Go program, raw system calls: only the namespace can reach it.
if ! command -v go >/dev/null; then
	skipped "static Go client" "golang-go is not installed"
elif [ $root = 0 ]; then
	skipped "static Go client" "needs root (a private mount namespace)"
elif ! (cd "$GODIR" && GOCACHE="$tmp/gocache" GOFLAGS=-mod=mod CGO_ENABLED=0 go build -o "$tmp/sysfs-go" .) >"$tmp/out" 2>&1; then
	no "static Go client builds"
else
	"$PTH" fake --host "$SRIOV" -- bash -c "
		g=$tmp/sysfs-go d=/sys/bus/pci/devices/0000:02:00.0
		\$g ls /sys/bus/pci/devices | tr '\n' ' '; echo
		\$g write \$d/sriov_numvfs 2; echo first=\$?
		\$g write \$d/sriov_numvfs 1; echo second=\$?
		\$g write /sys/bus/pci/devices/0000:03:00.0/driver_override vfio-pci
		\$g write /sys/bus/pci/devices/0000:03:00.0/driver/unbind 0000:03:00.0
		\$g write /sys/bus/pci/drivers/vfio-pci/bind 0000:03:00.0; echo bind=\$?
		\$g readlink /sys/bus/pci/devices/0000:03:00.0/driver" >"$tmp/out" 2>&1
	want=$(facts "$SRIOV" | awk '{ printf "%s ", $1 }')
	if file "$tmp/sysfs-go" | grep -q 'statically linked' && grep -qxF "$want" "$tmp/out" &&
		grep -qx first=0 "$tmp/out" &&
		grep -q "^write /sys/bus/pci/devices/0000:02:00.0/sriov_numvfs: EBUSY" "$tmp/out" && grep -qx second=1 "$tmp/out" &&
		grep -qx bind=0 "$tmp/out" && grep -q '/vfio-pci$' "$tmp/out"; then
		ok "static Go client: getdents lists the recording, EBUSY on sriov_numvfs, binds vfio-pci"
	else
		no "static Go client"
	fi
fi

# 9. The same clients on the lab's real kernel: scenarios/kernel/clients.tsv holds what driverctl,
# dpdk-devbind.py and the shell printed and did there (ci/lab/clients --update), case by case;
# ci/lab/clients --check runs each case under fake now and compares exit status, output and the
# end state (--save) with it.
root=$(cd "$HOSTS/../.." && pwd)
if [ ! -f "$root/scenarios/kernel/clients.tsv" ]; then
	skipped "the lab's client table" "no scenarios/kernel/clients.tsv"
else
	"$root/ci/lab/clients" --check --ptharness "$PTH" >"$tmp/out" 2>&1
	st=$?
	if [ $st = 0 ]; then
		ok "the lab's client table: $(grep -c '^PASS: clients:' "$tmp/out") cases agree with the real kernel ($(awk -F'\t' 'NF == 5 && $1 != "client" && $1 != "end states" { n += $2; k += $4 } END { print n " operations, " k " known differences" }' "$tmp/out"))"
	elif [ $st = 77 ]; then
		skipped "the lab's client table" "$(sed -n 's/^SKIP: clients table: //p' "$tmp/out")"
	else
		no "the lab's client table (ci/lab/clients --check, status $st)"
	fi
fi

# 10. QEMU realizes vfio-pci through the whole VFIO sequence, and refuses a group that is not
# viable with its own message (hw/vfio/common.c vfio_get_group(): "group N is not viable").
qemu_vfio() { # HOST BDF VIA: QEMU's output in $tmp/out, the trace in $tmp/trace
	printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"query-pci"}' \
		'{"execute":"quit"}' |
		timeout 120 "$PTH" fake --host "$1" --via "$3" --trace "$tmp/trace" -- \
			qemu-system-x86_64 -machine q35 -qtest null -display none -nodefaults \
			-device "vfio-pci,host=$2" -qmp stdio >"$tmp/out" 2>&1
}
# The vendor and device ids as QMP prints them (decimal), from the recording.
ids() {
	awk -v d="$2" '/^P: /{ p = ($2 ~ "/" d "$") } p && /^A: (vendor|device)=/ { print }' "$1" |
		sed 's/^A: \(.*\)=0x\(.*\)/\1 \2/' | while read -r k v; do echo "\"$k\": $((16#$v))"; done
}
if ! command -v qemu-system-x86_64 >/dev/null; then
	skipped "QEMU vfio-pci" "qemu-system-x86 is not installed"
else
	for via in preload namespace; do
		if [ $via = namespace ] && [ $root = 0 ]; then
			skipped "QEMU vfio-pci ($via)" "needs root"
			continue
		fi
		# The guest's 128 MiB are pinned: without CAP_IPC_LOCK the limit must hold them.
		lim=$(ulimit -l)
		if [ $root = 0 ] && [ "$lim" != unlimited ] && [ "$lim" -lt 262144 ]; then
			skipped "QEMU vfio-pci ($via)" "RLIMIT_MEMLOCK ${lim} KiB cannot pin the guest's RAM without CAP_IPC_LOCK"
			continue
		fi
		qemu_vfio "$VFIO_BOTH" 0000:01:00.0 $via
		st=$?
		seq=$(awk '$1 == "ioctl" { print $2 }' "$tmp/trace" | uniq | tr '\n' ' ')
		good=1
		for want in VFIO_GROUP_GET_STATUS VFIO_GET_API_VERSION VFIO_GROUP_SET_CONTAINER \
			VFIO_SET_IOMMU VFIO_IOMMU_MAP_DMA VFIO_GROUP_GET_DEVICE_FD \
			VFIO_DEVICE_GET_INFO VFIO_DEVICE_GET_REGION_INFO VFIO_DEVICE_GET_IRQ_INFO \
			VFIO_DEVICE_SET_IRQS; do
			case " $seq" in *" $want "*) ;; *) echo "# no $want" >>"$tmp/out"; good=0 ;; esac
		done
		while read -r id; do
			grep -qF "$id" "$tmp/out" || { echo "# query-pci lacks $id" >>"$tmp/out"; good=0; }
		done < <(ids "$VFIO_BOTH" 0000:01:00.0)
		if [ $st = 0 ] && [ $good = 1 ] && grep -q '"reason": "host-qmp-quit"' "$tmp/out" &&
			grep -q '^read .*0000:01:00.0 region 7 +0x0 "<4096 bytes>"' "$tmp/trace" &&
			grep -qx 'close    0000:01:00.0' "$tmp/trace"; then
			ok "QEMU realizes vfio-pci 0000:01:00.0 ($via): $(grep -c '^ioctl' "$tmp/trace") VFIO ioctls, config read, guest RAM mapped, quits on QMP quit"
		else
			no "QEMU vfio-pci on a viable group ($via, exit $st)"
		fi
	done
	# Without CAP_IPC_LOCK, guest RAM (128 MiB) is charged to an 8 MiB RLIMIT_MEMLOCK:
	# vfio_pin_pages_remote() refuses with ENOMEM and QEMU reports its own DMA map failure.
	if [ $root = 1 ] && command -v setpriv >/dev/null; then
		printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"quit"}' |
			setpriv --inh-caps=-all --bounding-set=-ipc_lock bash -c 'ulimit -l 8192; exec "$@"' \
				sh "$PTH" fake --host "$VFIO_BOTH" --via preload --trace "$tmp/trace" -- \
				qemu-system-x86_64 -machine q35 -qtest null -display none -nodefaults \
				-device vfio-pci,host=0000:01:00.0 -qmp stdio >"$tmp/out" 2>&1
		st=$?
		if [ $st = 1 ] && grep -q 'VFIO_MAP_DMA failed: Cannot allocate memory' "$tmp/out" &&
			grep -q '^ioctl    VFIO_IOMMU_MAP_DMA -> ENOMEM' "$tmp/trace"; then
			ok "QEMU without CAP_IPC_LOCK, RLIMIT_MEMLOCK 8 MiB: its own \"VFIO_MAP_DMA failed: Cannot allocate memory\""
		else
			no "QEMU and RLIMIT_MEMLOCK (exit $st)"
		fi
	else
		skipped "QEMU and RLIMIT_MEMLOCK" "needs root and setpriv to drop CAP_IPC_LOCK"
	fi
	qemu_vfio "$VFIO_HALF" 0000:01:00.1 preload
	st=$?
	grp=$(facts "$VFIO_HALF" | awk '$1 == "0000:01:00.1" { print $3 }')
	if [ $st = 1 ] && grep -q "vfio 0000:01:00.1: group $grp is not viable" "$tmp/out" &&
		! grep -q VFIO_GROUP_SET_CONTAINER "$tmp/trace"; then
		ok "QEMU on a group that is not viable: its own \"group $grp is not viable\", exit 1"
	else
		no "QEMU on a group that is not viable (exit $st)"
	fi
fi

# 10. A C client with plain system calls checks the kernel's answers one by one (its source
# names the kernel functions): EBUSY, EINVAL, EFAULT, BAR sizing, mmap, dup, close.
if [ -z "$VFIO_CLIENT" ]; then
	skipped "VFIO client" "not built"
else
	vendor=$(awk '/^P: .*0000:01:00.0$/ { p = 1 } p && /^A: vendor=/ { sub(/.*=0x/, ""); print; exit }' "$VFIO_BOTH")
	device=$(awk '/^P: .*0000:01:00.0$/ { p = 1 } p && /^A: device=/ { sub(/.*=0x/, ""); print; exit }' "$VFIO_BOTH")
	grp=$(facts "$VFIO_BOTH" | awk '$1 == "0000:01:00.0" { print $3 }')
	"$PTH" fake --host "$VFIO_BOTH" --via preload -- "$VFIO_CLIENT" "$grp" 0000:01:00.0 \
		"${vendor%\\n}" "${device%\\n}" >"$tmp/out" 2>&1
	st=$?
	if [ $st = 0 ] && ! grep -q '^not ok' "$tmp/out"; then
		ok "VFIO client: $(grep -c '^ok' "$tmp/out") answers as the kernel gives them"
	else
		no "VFIO client (exit $st)"
	fi
fi

echo "# $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
