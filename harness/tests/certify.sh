#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ptharness certify on recorded lab hosts: the verdicts and reasons, the certificate (JSON,
# JUnit valid against junit-10, HTML, a recording that replays to the same groups), refusal
# of a host-critical device, --dry-run changing nothing, and the host left as found.
set -u
PTH=${1:?usage: certify.sh PTHARNESS HOSTS_DIR JUNIT_XSD}
HOSTS=${2:?}
XSD=${3:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
SRIOV=$HOSTS/lab-sriov-initial.umockdev
SHARED=$HOSTS/lab-shared-initial.umockdev

ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() { echo "not ok - $1"; [ -f "$tmp/out" ] && sed 's/^/#   /' "$tmp/out" "$tmp/err"; fail=$((fail + 1)); }

# run NAME WANT_STATUS ARGS...: runs certify, output in $tmp/out and $tmp/err.
run() {
	local name=$1 want=$2
	shift 2
	"$PTH" certify "$@" >"$tmp/out" 2>"$tmp/err"
	local got=$?
	if [ "$got" = "$want" ]; then ok "$name: exit $got"; else bad "$name: exit $got, wanted $want"; fi
}

# has NAME STATUS ID REASON_PATTERN: the last run printed that check with that status.
has() {
	if grep -qE "^$2 +$3 +.*$4" "$tmp/out"; then ok "$1: $3 $2"; else bad "$1: no '$2 $3 /$4/'"; fi
}

# The groups, viability and each device's driver, override and VF count, as inspect sees them.
state() {
	"$PTH" inspect --json --host "$1" | python3 -c '
import json, sys
h = json.load(sys.stdin)
for g in h["groups"]:
    print("group", g["id"], g["devices"], g["viable"], [b["address"] for b in g["blockers"]])
for d in h["devices"]:
    print(d["address"], d["driver"], d["override"], (d["sriov"] or {}).get("numvfs"))'
}

# same_state WHAT START END: the end state (--save) is the start state.
same_state() {
	state "$2" >"$tmp/before"
	state "$3" >"$tmp/after"
	if diff -u "$tmp/before" "$tmp/after" >"$tmp/out"; then ok "$1"; else bad "$1: changed"; fi
}

# 1. The nvme SR-IOV PF with two VFs passes, and the certificate is complete.
run "nvme PF --vfs 2" 0 0000:02:00.0 --vfs 2 --host "$SRIOV" --out "$tmp/cert" --save "$tmp/end.umockdev"
has "nvme PF" pass CERT-PROFILE "an NVM controller \(class 0108\), as profile nvme"
has "nvme PF" pass CERT-SRIOV "2 VF\(s\) enabled"
has "nvme PF" pass CERT-VFIO-OPEN "DMA map/unmap"
has "nvme PF" pass CERT-RESET-ALIVE "BARs restored"
has "nvme PF" pass CERT-HOST-RESTORED "as found"
for f in certificate.json junit.xml certificate.html host.umockdev; do
	if [ -s "$tmp/cert/$f" ]; then ok "certificate has $f"; else bad "certificate lacks $f"; fi
done
if xmllint --noout --schema "$XSD" "$tmp/cert/junit.xml" 2>"$tmp/err"; then
	ok "junit.xml is valid junit-10"
else
	bad "junit.xml is not valid junit-10"
fi
if python3 - "$tmp/cert/certificate.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
assert c["schema"] == "ptharness-certificate/1"
assert c["verdict"] == "certified"
d = c["dut"]
assert (d["address"], d["vendor"], d["device"], d["driver"]) == ("0000:02:00.0", "1b36", "0010", "nvme"), d
assert d["subsystem_vendor"] == "1af4" and d["device_name"], d
assert c["kernel"]["release"].startswith("6.1") and "intel_iommu=on" in c["kernel"]["cmdline"]
ids = [k["id"] for k in c["checks"]]
assert len(ids) == len(set(ids)) and "CERT-SRIOV" in ids
assert all(k["status"] in ("pass", "fail", "skip") and k["reason"] and k["duration_us"] >= 0 for k in c["checks"])
assert c["summary"]["fail"] == 0
PY
then ok "certificate.json identity and checks"; else bad "certificate.json identity and checks"; fi
if grep -q "Certified" "$tmp/cert/certificate.html" && grep -q "CERT-SRIOV" "$tmp/cert/certificate.html"; then
	ok "certificate.html shows the verdict and checks"
else
	bad "certificate.html"
fi

# 2. The recording replays on fake to the groups and viability certify saw.
"$PTH" inspect --json --host "$tmp/cert/host.umockdev" >"$tmp/replay.json" 2>"$tmp/err"
if python3 - "$tmp/cert/certificate.json" "$tmp/replay.json" <<'PY'
import json, sys
key = lambda gs: [(g["id"], g["devices"], g["viable"], g["blockers"]) for g in gs]
c = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
assert key(c["groups"]) == key(r["groups"]), (key(c["groups"]), key(r["groups"]))
PY
then ok "host.umockdev replays to the same groups and viability"; else bad "host.umockdev replay differs"; fi

# 3. The host is left as found (the end state saved by --save against the start).
same_state "nvme PF: host left as found" "$SRIOV" "$tmp/end.umockdev"

# 4. The e1000e (its two ports share a group: one unit) passes, its netdev comes back.
run "e1000e" 0 0000:01:00.0 --profile nic --host "$SHARED" --save "$tmp/end2.umockdev"
has "e1000e" pass CERT-GROUP-ISOLATED "own function"
has "e1000e" pass CERT-REBIND "netdev back: eth0"
same_state "e1000e: host left as found" "$SHARED" "$tmp/end2.umockdev"

run "e1000e as nvme" 1 0000:01:00.0 --profile nvme --host "$SHARED"
has "wrong profile" fail CERT-PROFILE "profile nvme wants an NVM controller \(class 0108\); the DUT's class is 020000"

# 5. The edu device has no reset method.
run "edu without reset" 1 0000:00:08.0 --host "$SHARED" --out "$tmp/edu"
has "edu" fail CERT-RESET-METHODS "no reset method"
has "edu" skip CERT-RESET-ALIVE "no reset method"
has "edu" pass CERT-HOST-RESTORED "as found"
if xmllint --noout --schema "$XSD" "$tmp/edu/junit.xml" 2>/dev/null &&
	grep -q '<failure type="check" message="no reset method' "$tmp/edu/junit.xml" &&
	python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["verdict"] != "not-certified")' "$tmp/edu/certificate.json" &&
	xmllint --html --noout "$tmp/edu/certificate.html" 2>/dev/null; then
	ok "edu: the failing certificate (JUnit with the failure, valid HTML)"
else
	bad "edu: the failing certificate"
fi

# 6. The e1000 behind the PCIe-to-PCI bridge shares its group.
run "shared-group e1000" 1 0000:04:01.0 --host "$SHARED"
has "e1000" fail CERT-GROUP-ISOLATED "group 8 also holds 0000:03:00.0, 0000:04:02.0"
has "e1000" pass CERT-HOST-RESTORED "as found"

# 7. A host-critical device is refused before anything happens.
run "boot VGA refused" 2 0000:01:00.0 --host "$HOSTS/desktop-gpu.umockdev" --out "$tmp/refused"
if grep -q "refused: 0000:01:00.0 is host-critical (boot-vga)" "$tmp/err" && [ ! -e "$tmp/refused" ]; then
	ok "refusal names the reason, writes no certificate"
else
	bad "refusal message"
fi

# 8. --dry-run lists the steps and changes nothing.
run "dry run" 0 0000:02:00.0 --vfs 2 --host "$SRIOV" --dry-run --save "$tmp/dry.umockdev" --out "$tmp/drycert"
if grep -q "CERT-SRIOV .*enable 2 VFs on 0000:02:00.0" "$tmp/out" && [ ! -e "$tmp/drycert" ]; then
	ok "dry run lists the steps"
else
	bad "dry run lists the steps"
fi
same_state "dry run: host unchanged" "$SRIOV" "$tmp/dry.umockdev"
if "$PTH" --help | grep -q "^  certify "; then ok "listed in ptharness --help"; else bad "not in --help"; fi

# 9. A check failing midway leaves the host as found: faults injected into the model.
printf 'reset dev=0000:02:00.0 errno=EIO\nnumvfs dev=0000:02:00.0 max=1\n' >"$tmp/faults1"
run "nvme PF, reset and VF faults" 1 0000:02:00.0 --vfs 2 --host "$SRIOV" --faults "$tmp/faults1" --save "$tmp/f1.umockdev"
has "reset fault" fail CERT-RESET-ALIVE "reset-failed EIO"
has "numvfs fault" fail CERT-SRIOV "enabled 1 of the 2 VFs"
has "faults" pass CERT-HOST-RESTORED "as found"
same_state "faults: host left as found" "$SRIOV" "$tmp/f1.umockdev"
printf 'write path=0000:01:00.1/driver_override errno=EIO\n' >"$tmp/faults2"
run "e1000e, second port cannot move" 1 0000:01:00.0 --host "$SHARED" --faults "$tmp/faults2" --save "$tmp/f2.umockdev"
has "unit fault" fail CERT-RESET-ALIVE "bind to vfio-pci"
has "unit fault" fail CERT-REBIND "could not be bound"
has "unit fault" pass CERT-HOST-RESTORED "as found"
same_state "unit fault: host left as found" "$SHARED" "$tmp/f2.umockdev"

# 10. Usage errors.
run "no device" 2 --host "$SRIOV"
run "bad profile" 2 0000:02:00.0 --profile toaster --host "$SRIOV"
run "unknown device" 2 0000:09:00.0 --host "$SRIOV"

echo "# $pass passed, $fail failed"
[ "$fail" = 0 ]
