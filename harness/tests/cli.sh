#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The ptharness command line: exit statuses, one-line errors, nothing on stdout on failure.
set -u
PTH=${1:?usage: cli.sh PTHARNESS HOSTS_DIR}
HOSTS=${2:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 skip=0

check() { # NAME WANT_STATUS STDOUT_MUST_BE(empty|any) STDERR_PATTERN -- ARGS...
	local name=$1 want=$2 out=$3 pat=$4
	shift 5
	"$PTH" "$@" >"$tmp/out" 2>"$tmp/err"
	local got=$?
	if [ "$got" != "$want" ]; then
		echo "not ok - $name: exit $got, wanted $want"; cat "$tmp/err"; fail=$((fail + 1)); return
	fi
	if [ "$out" = empty ] && [ -s "$tmp/out" ]; then
		echo "not ok - $name: printed on stdout"; fail=$((fail + 1)); return
	fi
	if [ -n "$pat" ] && ! grep -qE -- "$pat" "$tmp/err"; then
		echo "not ok - $name: stderr lacks /$pat/:"; cat "$tmp/err"; fail=$((fail + 1)); return
	fi
	if [ "$want" = 2 ] && [ "$(wc -l <"$tmp/err")" != 1 ]; then
		echo "not ok - $name: error is not one line:"; cat "$tmp/err"; fail=$((fail + 1)); return
	fi
	echo "ok - $name"; pass=$((pass + 1))
}

check "unknown --host" 2 empty "nowhere.umockdev: no such host" -- inspect --host "$tmp/nowhere.umockdev"
check "unknown option" 2 empty "" -- inspect --frobnicate
# A bond port carrying the default route: the refusal names the chain it runs through.
check "certify refuses a bond port, naming br0 -> bond0" 2 empty \
	"refused: 0000:02:00.0 is host-critical \\(default-route\\): .* through br0 -> bond0" -- \
	certify 0000:02:00.0 --host "$HOSTS/server-bond.umockdev" --dry-run
check "unknown command" 2 empty "unknown command 'frob'" -- frob
check "bad --kernel" 2 empty "'latest' is not a kernel version" -- inspect --host "$HOSTS/desktop-gpu.umockdev" --kernel latest
check "directory without sys/" 2 empty "$tmp: no sys/ directory below it" -- inspect --host "$tmp"

head -c 3000 "$HOSTS/desktop-gpu.umockdev" >"$tmp/truncated.umockdev"
check "truncated recording" 2 empty "truncated.umockdev:[0-9]+: " -- inspect --host "$tmp/truncated.umockdev" --json

printf 'this is not a recording\n' >"$tmp/garbage.umockdev"
check "garbage file" 2 empty "garbage.umockdev:1: a device block must start with" -- inspect --host "$tmp/garbage.umockdev"

check "recording, text" 0 any "" -- inspect --host "$HOSTS/server-sriov.umockdev"
check "recording, json" 0 any "" -- inspect --host "$HOSTS/server-sriov.umockdev" --json
if ! python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["iommu"]["enabled"] and d["groups"]' "$tmp/out" 2>/dev/null; then
	echo "not ok - json output parses and has groups"; fail=$((fail + 1))
else
	echo "ok - json output parses and has groups"; pass=$((pass + 1))
fi

# A dump whose group listing disagrees with a device's iommu_group link: the links decide the
# membership, the disagreement is a finding, and the command still succeeds.
check "damaged group listing" 0 any "" -- inspect --host "$HOSTS/damaged-group-listing.umockdev" --json
if python3 - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
g6 = [g for g in d["groups"] if g["id"] == 6][0]
assert g6["devices"] == ["0000:01:00.0", "0000:01:00.1"] and not g6["viable"], g6
f = [x for x in d["findings"] if x["rule"] == "K-GROUP-LINKS"]
assert len(f) == 1 and f[0]["address"] == "0000:01:00.1", f
PY
then
	echo "ok - damaged group listing: links decide, K-GROUP-LINKS names 0000:01:00.1"; pass=$((pass + 1))
else
	echo "not ok - damaged group listing"; fail=$((fail + 1))
fi

# memlock: libvirt's formula (values from libvirt's qemumemlocktest and its formula).
check_out() { # NAME WANT_STDOUT_PATTERN -- ARGS...
	local name=$1 pat=$2
	shift 3
	if "$PTH" "$@" >"$tmp/out" 2>"$tmp/err" && grep -qE -- "$pat" "$tmp/out"; then
		echo "ok - $name"; pass=$((pass + 1))
	else
		echo "not ok - $name: wanted /$pat/, got:"; cat "$tmp/out" "$tmp/err"; fail=$((fail + 1))
	fi
}
# Bugs row 25: a kernel outside the modelled range is a warning, not silence.
check_out "kernel outside the modelled range" "^Warning: kernel 2.6 is outside the modelled range \\(3.16 to 6.12\\)" -- inspect --host "$HOSTS/desktop-gpu.umockdev" --kernel 2.6
# libvirt's variant from the recorded modules.alias lines: a ConnectX VF's is mlx5_vfio_pci; a
# recording without them says unknown.
check_out "variant from modules.alias" "^      variant: mlx5_vfio_pci \\(libvirt's pick from modules.alias\\)" -- inspect --host "$HOSTS/server-mlx5-aliases.umockdev"
check_out "plan detaches to the variant" "detach 0000:17:00.5 from no driver to mlx5_vfio_pci \\(override\\)" -- plan --host "$HOSTS/server-mlx5-aliases.umockdev" --vm vm1 --devices 0000:17:00.5
check_out "plan detaches to vfio-pci without modules.alias" "detach 0000:17:00.5 from no driver to vfio-pci \\(override\\)" -- plan --host "$HOSTS/server-mlx5.umockdev" --vm vm1 --devices 0000:17:00.5
check_out "variant unknown without modules.alias" "^      variant: unknown \\(no modules.alias" -- inspect --host "$HOSTS/server-mlx5.umockdev"
# Bugs rows 1 and 5: hostile names are load errors naming their line, exit 2, stdout empty.
printf 'P: /devices/pci0000:00/0000:00:02.0\nE: SUBSYSTEM=pci\nA: ../../../../tmp/x=1\n' >"$tmp/evil.umockdev"
check "hostile name" 2 empty "evil.umockdev:3: '../../../../tmp/x': the name has a '.' or '..' component" -- inspect --host "$tmp/evil.umockdev"
check_out "memlock one device" "^2147483648 bytes" -- memlock --memory 1G
check_out "memlock 4G, 3 devices, vIOMMU" "^13958643712 bytes" -- memlock --memory 4G --devices 3 --viommu
check_out "memlock nvme disk" "^3221225472 bytes" -- memlock --memory 1048576K --nvme 1
check_out "memlock ppc64 on two PHBs" "^4320133120 bytes" -- memlock --memory 1GiB --arch ppc64 --phbs 2
check_out "memlock hard limit wins" "^2147483648 bytes.*HARD-LIMIT" -- memlock --memory 1G --hard-limit 2G --locked
check_out "memlock json" '"unlimited":true' -- memlock --memory 1G --locked --json
check "memlock bad size" 2 empty "not a memory size: '4X'" -- memlock --memory 4X
check "memlock without memory" 2 empty "--memory is required" -- memlock --devices 2

# Engine operations on a recorded host (the kernel model; nothing real changes).
LAB="$HOSTS/lab-shared-initial.umockdev"
check_out "detach on the model" "^detach 0000:01:00.0: ok: 0000:01:00.0: e1000e -> vfio-pci" -- detach 0000:01:00.0 --host "$LAB"
check "attach half a group is refused" 1 any "" -- attach --vm vm1 --devices 0000:01:00.0 --host "$LAB"
grep -q "^  blocked by 0000:01:00.1$" "$tmp/out" && { echo "ok - refusal names the sibling"; pass=$((pass + 1)); } || { echo "not ok - refusal names the sibling"; cat "$tmp/out"; fail=$((fail + 1)); }
check_out "plan lists the steps" "^  ---- detach 0000:01:00.1 from e1000e to vfio-pci \(override\)" -- plan --vm vm1 --devices 0000:01:00.0,0000:01:00.1 --host "$LAB"
check_out "replay attaches with a trace" "^  write    bus/pci/drivers_probe \"0000:01:00.1\"" -- replay "$LAB" --attach 0000:01:00.0,0000:01:00.1
check_out "replay json" '"operation":"attach"' -- replay "$LAB" --attach 0000:01:00.0,0000:01:00.1 --json
check "reset without a method" 1 any "" -- reset 0000:00:08.0 --host "$LAB"
check "detach a bridge" 1 any "" -- detach 0000:03:00.0 --host "$LAB"
check "detach without a device" 2 empty "expects one device address" -- detach --host "$LAB"
check "replay of live" 2 empty "replays a recording" -- replay live --attach 0000:01:00.0
check "unknown method" 2 empty "unknown method" -- detach 0000:01:00.0 --method magic --host "$LAB"
# Only stubs are detach targets (trial row 18); reattach leaves a host driver alone (row 2).
check "detach to a host driver" 2 empty "not a stub driver" -- detach 0000:01:00.0 --driver e1000e --host "$LAB"
check "detach to a path" 2 empty "not a stub driver" -- detach 0000:01:00.0 --driver ../../../etc --host "$LAB"
check "attach through a host driver" 2 empty "not a stub driver" -- attach --vm v --devices 0000:01:00.0 --driver e1000 --host "$LAB"
# Addresses as users type them (trial row 22): the short BB:SS.F is domain 0000, anything that is
# not an address is a usage error, never "device-not-found"; a 32-bit domain is an address.
check "malformed address" 2 empty "not a PCI address \(DDDD:BB:SS.F\): '0000:zz:00.0'" -- detach 0000:zz:00.0 --host "$LAB"
check "malformed address in a list" 2 empty "not a PCI address \(DDDD:BB:SS.F\): 'zz'" -- attach --vm v --devices 0000:01:00.0,zz --host "$LAB"
check "malformed DUT" 2 empty "not a PCI address \(DDDD:BB:SS.F\): '1:2:3'" -- certify 1:2:3 --host "$LAB" --dry-run
check_out "short address is domain 0000" "^detach 0000:01:00.0: ok" -- detach 01:00.0 --host "$LAB"
check "32-bit domain is an address (not on this host: exit 1, not 2)" 1 any "" -- reset 10000:e1:00.0 --host "$LAB"
check_out "reattach on its host driver" "^reattach 0000:02:00.0: ok: 0000:02:00.0 is already on its host driver nvme" -- reattach 0000:02:00.0 --host "$HOSTS/desktop-gpu.umockdev"
# Chained on the model: detach and save, then the saved state goes on.
check_out "detach --save" "^detach 0000:02:00.0: ok" -- detach 0000:02:00.0 --force --host "$LAB" --save "$tmp/after.umockdev"
check_out "vfio-open on the saved state" "^vfio-open 0000:02:00.0: ok" -- vfio-open 0000:02:00.0 --map 1M --host "$tmp/after.umockdev"
# The engine's state travels with --save: attach on the model, then release from it.
check_out "attach --save" "^attach vm1: ok" -- attach --vm vm1 --devices 0000:01:00.0,0000:01:00.1 --host "$LAB" --save "$tmp/held.umockdev"
check_out "release on the saved state" "^release vm1: ok: VM vm1 released" -- release --vm vm1 --host "$tmp/held.umockdev"
check "attach with a malformed address" 2 empty "not a PCI address \(DDDD:BB:SS.F\): 'garbage'" -- attach --vm vm1 --devices 0000:01:00.0,garbage --host "$LAB"
NVME_VFIO="$HOSTS/lab-shared-nvme-vfio.umockdev"
check_out "vfio-open with a DMA map" "^vfio-open 0000:02:00.0: ok" -- vfio-open 0000:02:00.0 --map 1M --host "$NVME_VFIO"
check_out_fail() { # NAME PATTERN -- ARGS...: exit status 1 and the pattern on stdout
	local name=$1 pat=$2
	shift 3
	"$PTH" "$@" >"$tmp/out" 2>"$tmp/err"
	if [ $? = 1 ] && grep -qE -- "$pat" "$tmp/out"; then
		echo "ok - $name"; pass=$((pass + 1))
	else
		echo "not ok - $name: wanted exit 1 and /$pat/, got:"; cat "$tmp/out" "$tmp/err"; fail=$((fail + 1))
	fi
}
check_out_fail "memlock exceeded on the model" "memlock-exceeded ENOMEM" -- vfio-open 0000:02:00.0 --map 1G --memlock 64K --host "$NVME_VFIO"
check_out "select-vf creates VFs" "^select-vf 0000:02:00.0: ok: 0000:02:00.1" -- select-vf --pf 0000:02:00.0 --create --count 2 --host "$HOSTS/lab-sriov-initial.umockdev"
# integers are range-checked, never wrapped (4294967297 is not 1, -1 is not 4294967295)
check "select-vf --count 2^32+1" 2 empty "not a VF count \(0..65535\): '4294967297'" -- select-vf --pf 0000:02:00.0 --create --count 4294967297 --host "$HOSTS/lab-sriov-initial.umockdev"
check "select-vf --numa-node -2" 2 empty "not a NUMA node" -- select-vf --id 8086:1520 --numa-node -2 --host "$HOSTS/lab-sriov-initial.umockdev"
check "run --shard 1/huge" 2 empty "--shard takes K/N" -- run --shard 1/99999999999999999999
check_out_fail "migrate-check blocks plain vfio-pci" "migration-blocked" -- migrate-check --devices 0000:02:00.0 --host "$NVME_VFIO"

# The live host: on a machine without an IOMMU (like CI's) inspect says so and exits 0.
check "live" 0 any "" -- inspect --host live
if ls /sys/class/iommu/* /sys/kernel/iommu_groups/* >/dev/null 2>&1; then
	echo "ok - live reports no IOMMU # SKIP this machine has an IOMMU"; skip=$((skip + 1))
elif grep -q "^No IOMMU: " "$tmp/out"; then
	echo "ok - live reports no IOMMU"; pass=$((pass + 1))
else
	echo "not ok - live reports no IOMMU"; cat "$tmp/out"; fail=$((fail + 1))
fi
"$PTH" inspect --host live --json >"$tmp/live.json" 2>/dev/null
if [ -d /sys/kernel/iommu_groups ] && ls /sys/kernel/iommu_groups/* >/dev/null 2>&1; then :
elif python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["iommu"]["enabled"] is False' "$tmp/live.json"; then
	echo "ok - live json has iommu.enabled false"; pass=$((pass + 1))
else
	echo "not ok - live json has iommu.enabled false"; fail=$((fail + 1))
fi

# Start-up: the report writers (libxml2, graphviz) and libumockdev are loaded when needed, not
# linked: every command, inspect above all, would pay for loading them (see ci/bench).
needed=$(readelf -d "$PTH" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
if echo "$needed" | grep -qE 'libxml2|libgvc|libcgraph|libumockdev'; then
	echo "not ok - ptharness links only what every command needs: $needed"; fail=$((fail + 1))
else
	echo "ok - ptharness links only what every command needs"; pass=$((pass + 1))
fi
# json-glib and json-c both export json_object_equal, json_object_get_type and
# json_object_iter_next: a call to one of those names would bind to whichever library the
# linker met first. ptharness links json-glib only (hostjson.c writes its JSON by hand); if
# json-c comes back, ptharness must call none of those names.
defined() { nm -D --defined-only "$1" | awk '{ sub(/@.*/, "", $3); print $3 }' | sort -u; }
jglib=$(ldd "$PTH" | awk '/libjson-glib/ { print $3 }')
jc=$(ldd "$PTH" | awk '/libjson-c/ { print $3 }')
if [ -z "$jc" ]; then
	echo "ok - ptharness links one JSON library: no name can bind to the other"; pass=$((pass + 1))
else
	both=$(comm -12 <(defined "$jglib") <(defined "$jc"))
	refs=$(nm -D --undefined-only "$PTH" | awk '{ sub(/@.*/, "", $2); print $2 }' | sort -u)
	clash=$(comm -12 <(echo "$both") <(echo "$refs") | tr '\n' ' ')
	if ! echo "$both" | grep -qx json_object_get_type; then
		echo "not ok - json-glib and json-c clash on json_object_get_type (the check itself is broken)"
		fail=$((fail + 1))
	elif [ -n "$clash" ]; then
		echo "not ok - ptharness calls names both JSON libraries define: $clash"; fail=$((fail + 1))
	else
		echo "ok - ptharness calls no name both JSON libraries define"; pass=$((pass + 1))
	fi
fi
echo '{}' >"$tmp/empty.json"
PTH_REPORTS_MODULE=$tmp/nowhere.so check "report writers missing" 2 empty \
	"cannot load the report writers: .*nowhere.so" -- report render "$tmp/empty.json" --ktap
PTH_REPORTS_MODULE=$(readlink -f "$(dirname "$PTH")/../fakesys/libfakesys.a" 2>/dev/null || echo "$PTH") \
	check "report writers not a module" 2 empty "cannot load the report writers|not the report writers" -- \
	report render "$tmp/empty.json" --ktap

# Output files (trial row 3): a regular file replaced whole, a symlink followed (the link
# stays), a device or FIFO written in place, every write error exit 2 with the file named.
LAB=$HOSTS/lab-shared-initial.umockdev
check "record -o /dev/full" 2 empty "cannot write /dev/full: No space left on device" -- record --host "$LAB" -o /dev/full
if [ -c /dev/full ]; then echo "ok - /dev/full is still a device"; pass=$((pass + 1)); else
	echo "not ok - /dev/full was replaced"; fail=$((fail + 1)); fi
if "$PTH" inspect --host "$LAB" >/dev/full 2>"$tmp/err"; then
	echo "not ok - stdout to /dev/full exits 0"; fail=$((fail + 1))
elif grep -q "cannot write standard output" "$tmp/err"; then
	echo "ok - a failed write to stdout exits non-zero with a message"; pass=$((pass + 1))
else echo "not ok - stdout error message: $(cat "$tmp/err")"; fail=$((fail + 1)); fi
echo old >"$tmp/real.umockdev"
ln -s real.umockdev "$tmp/link.umockdev"
check "record -o LINK" 0 empty "" -- record --host "$LAB" -o "$tmp/link.umockdev"
if [ -L "$tmp/link.umockdev" ] && cmp -s "$tmp/real.umockdev" "$LAB"; then
	echo "ok - the link stays, its target has the recording"; pass=$((pass + 1))
else echo "not ok - record -o LINK"; fail=$((fail + 1)); fi
mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/from-fifo" &
check "record -o FIFO" 0 empty "" -- record --host "$LAB" -o "$tmp/fifo"
wait
if [ -p "$tmp/fifo" ] && cmp -s "$tmp/from-fifo" "$LAB"; then
	echo "ok - the FIFO stays a FIFO and carried the recording"; pass=$((pass + 1))
else echo "not ok - record -o FIFO"; fail=$((fail + 1)); fi
if [ "$("$PTH" record --host "$LAB" -o /dev/stdout | wc -c)" = "$(wc -c <"$LAB")" ]; then
	echo "ok - -o /dev/stdout writes to the pipe"; pass=$((pass + 1))
else echo "not ok - -o /dev/stdout"; fail=$((fail + 1)); fi
check "--save into a missing directory" 2 any "$tmp/nowhere/x.*No such file or directory" -- detach 0000:02:00.0 --host "$LAB" --save "$tmp/nowhere/x"
if [ -e "$tmp/nowhere" ]; then echo "not ok - --save created a directory"; fail=$((fail + 1)); else
	echo "ok - --save creates no directory"; pass=$((pass + 1)); fi

# Trial rows 20, 26, 27, 28: usage errors always say what is wrong; nothing on stdout.
check "attach --vm ''" 2 empty "--vm wants a name" -- attach --vm '' --devices 0000:02:00.0 --host "$LAB"
check "attach --devices ''" 2 empty "needs --vm and --devices" -- attach --vm v --devices '' --host "$LAB"
check "release --vm ''" 2 empty "--vm wants a name" -- release --vm '' --host "$LAB"
check "migrate-check --failover outside --devices" 2 empty "--failover names a device not among --devices: '0000:02:00.1'" -- \
	migrate-check --devices 0000:02:00.0 --failover 0000:02:00.1 --host "$LAB"
check "replay of a missing file" 2 empty "/nonexistent: No such file or directory" -- replay /nonexistent --attach 0000:01:00.0
check "run --dut not an address" 2 empty "--dut takes a PCI address" -- run --dut 0000:zz:00.0 "$tmp"
check "run --root missing" 2 empty "--root $tmp/nowhere: No such file" -- run --root "$tmp/nowhere"
check "run --shard overflow" 2 empty "--shard takes K/N" -- run --shard 1/99999999999999999999
check "run --shard trailing junk" 2 empty "--shard takes K/N" -- run --shard 1/2x
check "run -j overflow" 2 empty "-j takes 1..256" -- run -j 4294967297

# Trial row 33: a write comes before the rules its store handler fired.
"$PTH" replay "$LAB" --attach 0000:02:00.0 >"$tmp/out" 2>&1
if python3 - "$tmp/out" <<'PY'; then
import sys
lines = [l.split() for l in open(sys.argv[1]) if l.startswith("  ")]
ev = [(l[0], " ".join(l[1:])) for l in lines if l and l[0] in ("write", "rule")]
i = next(k for k, e in enumerate(ev) if e[0] == "write" and "driver_override" in e[1])
assert "K-DRV-OVERRIDE-STORE" in ev[i + 1][1], ev[i:i + 2]
j = next(k for k, e in enumerate(ev) if e[0] == "write" and "drivers_probe" in e[1])
assert any("K-DRIVERS-PROBE" in e[1] for e in ev[j + 1:j + 4]), ev[j:j + 4]
assert not any("K-DRIVERS-PROBE" in e[1] for e in ev[:j]), "probe rule before its write"
PY
	echo "ok - trace events in causal order"; pass=$((pass + 1))
else echo "not ok - trace order"; fail=$((fail + 1)); fi

# The state file: a torn or foreign one is never trusted; a journal left by a killed command
# blocks the next command until recover.
cp "$LAB" "$tmp/h.umockdev"
echo '{"detached": [' >"$tmp/h.umockdev.state.json"
check "torn state file" 2 empty "h.umockdev.state.json: torn or not JSON; not trusted" -- reattach 0000:02:00.0 --host "$tmp/h.umockdev"
echo '{"detached": []}' >"$tmp/h.umockdev.state.json"
check "foreign state file" 2 empty "not a ptharness state file" -- reattach 0000:02:00.0 --host "$tmp/h.umockdev"
rm "$tmp/h.umockdev.state.json"
"$PTH" detach 0000:02:00.0 --host "$tmp/h.umockdev" --save "$tmp/h.umockdev" >/dev/null
sed -i 's/"nvme"/"e1000e"/' "$tmp/h.umockdev.state.json"
check "edited state file" 2 empty "checksum does not match" -- reattach 0000:02:00.0 --host "$tmp/h.umockdev"

# Trial row 14: bytes a recording holds that are not UTF-8 (an octal escape \777 in an
# attribute) come out as valid JSON, escaped, and escaped on the terminal.
python3 - "$LAB" "$tmp/nonutf8.umockdev" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
i = d.index(b"A: driver_override=(null)\\n\n")
open(sys.argv[2], "wb").write(d[:i] + b"A: driver_override=(null)\\n\\777\n" + d[i + 28:])
PY
check "non-UTF-8 attribute, json" 0 any "" -- inspect --host "$tmp/nonutf8.umockdev" --json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1], encoding="utf-8")); assert any(x["override"] == "(null)\\x0a\\xff" for x in d["devices"])' "$tmp/out"; then
	echo "ok - the JSON is UTF-8 and shows the bytes escaped"; pass=$((pass + 1))
else echo "not ok - non-UTF-8 JSON"; fail=$((fail + 1)); fi
check "non-UTF-8 attribute, text" 0 any "" -- inspect --host "$tmp/nonutf8.umockdev"
if grep -q 'override (null)\\x0a\\xff)' "$tmp/out" && python3 -c 'open(__import__("sys").argv[1], encoding="utf-8").read()' "$tmp/out"; then
	echo "ok - the text is UTF-8 and shows the bytes escaped"; pass=$((pass + 1))
else echo "not ok - non-UTF-8 text"; fail=$((fail + 1)); fi

# A tree copied with cp -L (or tar -h) has a directory where each iommu_group link was, and
# cp refuses the cycles through it: the host loads, the IOMMU was on, each device's group is
# unknown with the reason, never "no group" and never a load error.
mktree() { # DIR: a root port and an NVMe in group 1, as sysfs links them
	local d=$1/sys/devices/pci0000:00 s=$1/sys a
	mkdir -p "$d/0000:00:01.0/0000:01:00.0" "$s/kernel/iommu_groups/1/devices" \
		"$s/bus/pci/drivers/nvme" "$s/bus/pci/drivers/pcieport" "$s/bus/pci/devices"
	printf 'DRIVER=pcieport\nPCI_CLASS=60400\nPCI_ID=8086:1901\nPCI_SLOT_NAME=0000:00:01.0\n' \
		>"$d/0000:00:01.0/uevent"
	printf 'DRIVER=nvme\nPCI_CLASS=10802\nPCI_ID=144D:A808\nPCI_SLOT_NAME=0000:01:00.0\n' \
		>"$d/0000:00:01.0/0000:01:00.0/uevent"
	for a in 0000:00:01.0 0000:00:01.0/0000:01:00.0; do
		echo '(null)' >"$d/$a/driver_override"
	done
	echo 0x8086 >"$d/0000:00:01.0/vendor"
	echo 0x1901 >"$d/0000:00:01.0/device"
	echo 0x144d >"$d/0000:00:01.0/0000:01:00.0/vendor"
	echo 0xa808 >"$d/0000:00:01.0/0000:01:00.0/device"
	ln -s ../../../kernel/iommu_groups/1 "$d/0000:00:01.0/iommu_group"
	ln -s ../../../../kernel/iommu_groups/1 "$d/0000:00:01.0/0000:01:00.0/iommu_group"
	ln -s ../../../bus/pci/drivers/pcieport "$d/0000:00:01.0/driver"
	ln -s ../../../../bus/pci/drivers/nvme "$d/0000:00:01.0/0000:01:00.0/driver"
	for a in 0000:00:01.0 0000:00:01.0/0000:01:00.0; do
		ln -s "../../../../devices/pci0000:00/$a" "$s/kernel/iommu_groups/1/devices/${a##*/}"
		ln -s "../../../devices/pci0000:00/$a" "$s/bus/pci/devices/${a##*/}"
	done
	ln -s ../../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0 "$s/bus/pci/drivers/nvme/"
}
mktree "$tmp/linked"
mkdir "$tmp/copied"
cp -rL "$tmp/linked/sys" "$tmp/copied/sys" 2>/dev/null
if [ -d "$tmp/copied/sys/devices/pci0000:00/0000:00:01.0/iommu_group" ]; then
	check "tree with links" 0 any "" -- inspect --host "$tmp/linked" --json
	python3 - "$tmp/out" <<'PY' && ok=1 || ok=0
import json, sys
h = json.load(open(sys.argv[1]))
assert [d["iommu_group"] for d in h["devices"]] == [1, 1], h["devices"]
PY
	[ $ok = 1 ] && { echo "ok - linked tree: both in group 1"; pass=$((pass + 1)); } ||
		{ echo "not ok - linked tree groups"; fail=$((fail + 1)); }
	# The copy of kernel/iommu_groups still lists the members: that gives the group.
	check "tree copied with cp -L" 0 any "" -- inspect --host "$tmp/copied" --json
	python3 - "$tmp/out" <<'PY' && ok=1 || ok=0
import json, sys
h = json.load(open(sys.argv[1]))
assert [d["iommu_group"] for d in h["devices"]] == [1, 1], h["devices"]
PY
	[ $ok = 1 ] && { echo "ok - cp -L tree: groups from the copied kernel/iommu_groups"; pass=$((pass + 1)); } ||
		{ echo "not ok - cp -L tree with kernel/"; fail=$((fail + 1)); }
	# Without it, the group is unknown: the copied directory has no number.
	rm -rf "$tmp/copied/sys/kernel"
	check "tree copied with cp -L, no kernel/" 0 any "" -- inspect --host "$tmp/copied" --json
	python3 - "$tmp/out" <<'PY' && ok=1 || ok=0
import json, sys
h = json.load(open(sys.argv[1]))
assert h["iommu"]["enabled"] is True, h["iommu"]
assert [d["address"] for d in h["devices"]] == ["0000:00:01.0", "0000:01:00.0"], h["devices"]
for d in h["devices"]:
    assert d["iommu_group"] is None and "cp -L" in d["iommu_group_unknown_reason"], d
    assert d["driver"] in ("pcieport", "nvme"), d
PY
	[ $ok = 1 ] && { echo "ok - cp -L tree: IOMMU on, groups unknown with the reason"; pass=$((pass + 1)); } ||
		{ echo "not ok - cp -L tree"; fail=$((fail + 1)); }
	check "tree copied with cp -L, text" 0 any "" -- inspect --host "$tmp/copied"
	if grep -q "group: unknown (iommu_group is a directory" "$tmp/out" && ! grep -q "No IOMMU" "$tmp/out"; then
		echo "ok - cp -L tree, text: group unknown, no 'No IOMMU'"; pass=$((pass + 1))
	else echo "not ok - cp -L tree, text"; cat "$tmp/out"; fail=$((fail + 1)); fi
else
	echo "ok - cp -L tree # SKIP cp -L did not copy the links as directories"; skip=$((skip + 1))
fi

# A paste dates nothing and shows no IOMMU state and no drivers (a group listing): the
# kernel, the IOMMU and the drivers are unknown, not "5.14 (inferred)", "No IOMMU", "(none)".
printf 'IOMMU Group 1:\n\t01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [10de:1b81] (rev a1)\n' >"$tmp/paste.txt"
check "group listing paste" 0 any "" -- inspect --host "$tmp/paste.txt"
if grep -q "kernel unknown (" "$tmp/out" && grep -q "driver: unknown (the pasted text" "$tmp/out" &&
	grep -q "Group 1: viable: unknown" "$tmp/out" && ! grep -q "(inferred)\|(none)" "$tmp/out"; then
	echo "ok - paste: kernel, driver and viability unknown"; pass=$((pass + 1))
else echo "not ok - paste unknowns"; cat "$tmp/out"; fail=$((fail + 1)); fi
printf '01:00.0 VGA compatible controller: NVIDIA Corporation GP104 (rev a1)\n\tKernel driver in use: nvidia\n' >"$tmp/lspci.txt"
check "lspci -k paste, json" 0 any "" -- inspect --host "$tmp/lspci.txt" --json
if python3 -c 'import json,sys; h=json.load(open(sys.argv[1])); assert h["iommu"]["enabled"] is None and h["iommu"]["unknown_reason"] and h["kernel"]["version"] is None and h["kernel"]["source"] == "unknown" and h["devices"][0]["driver"] == "nvidia"' "$tmp/out"; then
	echo "ok - lspci paste: IOMMU and kernel null with reasons, driver shown"; pass=$((pass + 1))
else echo "not ok - lspci paste json"; cat "$tmp/out"; fail=$((fail + 1)); fi
# An old recording: device attributes without driver_override date it before 3.16.
check "recording without driver_override" 0 any "" -- inspect --host "$(dirname "$0")/../../tests/captures/umockdev-thinkpad-ehci.umockdev"
grep -q "kernel 3.15 (inferred)" "$tmp/out" && { echo "ok - pre-3.16 recording inferred"; pass=$((pass + 1)); } ||
	{ echo "not ok - pre-3.16 recording"; head -3 "$tmp/out"; fail=$((fail + 1)); }

# Trial row 7: under umockdev-run (UMOCKDEV_DIR set) live is the testbed, never the real
# /sys; a testbed that does not load is refused.
UMOCKDEV_DIR="$tmp/linked" "$PTH" inspect --json >"$tmp/out" 2>"$tmp/err"
if python3 -c 'import json,sys; h=json.load(open(sys.argv[1])); assert [d["address"] for d in h["devices"]] == ["0000:00:01.0", "0000:01:00.0"]' "$tmp/out"; then
	echo "ok - UMOCKDEV_DIR: live is the testbed"; pass=$((pass + 1))
else echo "not ok - UMOCKDEV_DIR: live"; cat "$tmp/err"; fail=$((fail + 1)); fi
UMOCKDEV_DIR="$tmp/nowhere" "$PTH" inspect >"$tmp/out" 2>"$tmp/err"
if [ $? = 2 ] && [ ! -s "$tmp/out" ] && grep -q "UMOCKDEV_DIR is set" "$tmp/err"; then
	echo "ok - UMOCKDEV_DIR without a testbed: refused"; pass=$((pass + 1))
else echo "not ok - UMOCKDEV_DIR without a testbed"; cat "$tmp/err"; fail=$((fail + 1)); fi

# Trial row 30: a tree whose proc/sys/kernel/osrelease links out of it, and a 10 MB config:
# each is a finding naming the file, not silently ignored or cut to 4096 bytes.
cp -r "$tmp/linked" "$tmp/row30"
mkdir -p "$tmp/row30/proc/sys/kernel"
ln -s /proc/sys/kernel/osrelease "$tmp/row30/proc/sys/kernel/osrelease"
head -c 10485760 /dev/zero >"$tmp/row30/sys/devices/pci0000:00/0000:00:01.0/config"
check "tree with an escaping osrelease and a 10 MB config" 0 any "" -- inspect --host "$tmp/row30" --json
if python3 - "$tmp/out" <<'PY'; then
import json, sys
h = json.load(open(sys.argv[1]))
msgs = [(f["rule"], f["message"]) for f in h["findings"]]
assert ("E-CAPTURE-FILE", "proc/sys/kernel/osrelease: it links out of the tree: not followed") in msgs, msgs
assert any(r == "E-CAPTURE-FILE" and m.startswith("devices/pci0000:00/0000:00:01.0/config: it is larger") for r, m in msgs), msgs
assert h["kernel"]["source"] != "host", h["kernel"]
d = [d for d in h["devices"] if d["address"] == "0000:00:01.0"][0]
assert d["config"]["size"] == 0 and d["config"]["unknown_reason"], d["config"]
PY
	echo "ok - row 30: both files named in findings, neither used"; pass=$((pass + 1))
else echo "not ok - row 30"; fail=$((fail + 1)); fi

# A tarball of a tree (a /sys subtree, hwloc-gather-topology's output) works like the
# directory, for --host and for import; the private folder it is unpacked into is removed.
mkdir -p "$tmp/tt"
tar -C "$tmp" -czf "$tmp/tree.tar.gz" linked
TMPDIR="$tmp/tt" "$PTH" inspect --host "$tmp/tree.tar.gz" --json >"$tmp/out" 2>"$tmp/err"
if python3 -c 'import json,sys; h=json.load(open(sys.argv[1])); assert [d["iommu_group"] for d in h["devices"]] == [1, 1]' "$tmp/out" &&
	[ -z "$(ls -A "$tmp/tt")" ]; then
	echo "ok - --host TREE.tar.gz: the tree, nothing left behind"; pass=$((pass + 1))
else echo "not ok - --host tarball"; cat "$tmp/err"; ls "$tmp/tt"; fail=$((fail + 1)); fi
TMPDIR="$tmp/tt" "$PTH" import "$tmp/tree.tar.gz" -o "$tmp/tree.umockdev" 2>"$tmp/err"
check "import of a tree tarball loads" 0 any "" -- inspect --host "$tmp/tree.umockdev" --json
if python3 -c 'import json,sys; h=json.load(open(sys.argv[1])); assert [d["driver"] for d in h["devices"]] == ["pcieport", "nvme"]' "$tmp/out" &&
	[ -z "$(ls -A "$tmp/tt")" ]; then
	echo "ok - import TREE.tar.gz: its recording, nothing left behind"; pass=$((pass + 1))
else echo "not ok - import tarball"; cat "$tmp/err"; fail=$((fail + 1)); fi
check "import of a tree with another file" 2 empty "holds a sys/ tree: import it alone" -- import "$tmp/tree.tar.gz" "$tmp/paste.txt"

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
