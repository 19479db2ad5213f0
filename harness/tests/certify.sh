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
WS=$HOSTS/workstation-gpu.umockdev

# rec_attr FILE DEVPATH_SUFFIX ATTR: an attribute of a recording's block, as the kernel shows it
# (escapes undone), with the newline and the padding a reader strips; nothing when absent.
rec_attr() {
	python3 - "$@" <<'PY'
import sys
path, suffix, attr = sys.argv[1:]
block = None
for line in open(path).read().split("\n"):
    if line.startswith("P: "):
        block = line[3:]
    elif block and block.endswith(suffix) and line.startswith("A: %s=" % attr):
        v = line.split("=", 1)[1].replace("\\n", "\n").replace("\\t", "\t")
        print(v.rstrip())
PY
}

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
# Reset through the sysfs file on nvme, by the kernel's first method (reset_method), then
# through VFIO.
first=$(rec_attr "$SRIOV" /0000:02:00.0 reset_method | cut -d' ' -f1)
has "nvme PF" pass CERT-RESET-ALIVE "sysfs reset on nvme by $first; VFIO reset on vfio-pci \(VFIO_DEVICE_RESET.*\); each time .*BARs restored"
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

# Firmware where sysfs shows it: the NVMe controller's nvme0 firmware_rev and model, the
# amdgpu VBIOS version; a NIC has none (null). Expected values read from the recordings; the
# serial, also shown by nvme0, is in none of the certificate's files.
fw_check() { # NAME CERT_DIR FIRMWARE FILE MODEL (an empty value: null)
	if python3 - "$2/certificate.json" "$3" "$4" "$5" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["dut"]
want = [v or None for v in sys.argv[2:5]]
got = [d["firmware"], d["firmware_file"], d["model"]]
assert "firmware" in d and "model" in d, d
assert got == want, (got, want)
PY
	then ok "$1: certificate.json firmware"; else bad "$1: certificate.json firmware"; fi
	local row="<tr><th>Firmware</th><td>$3 (sysfs $4)</td></tr>"
	[ -n "$3" ] || row="<tr><th>Firmware</th><td>not shown in sysfs</td></tr>"
	if grep -qF "$row" "$2/certificate.html" && grep -qF "<tr><th>Model</th><td>$5</td></tr>" "$2/certificate.html"; then
		ok "$1: certificate.html firmware"
	else
		bad "$1: certificate.html firmware (wanted $row)"
	fi
}
fw=$(rec_attr "$WS" /0000:02:00.0/nvme/nvme0 firmware_rev)
model=$(rec_attr "$WS" /0000:02:00.0/nvme/nvme0 model)
serial=$(rec_attr "$WS" /0000:02:00.0/nvme/nvme0 serial)
if [ -n "$fw" ] && [ -n "$model" ] && [ -n "$serial" ]; then ok "workstation-gpu records nvme0 firmware_rev, model, serial"; else bad "recording lacks nvme0 attributes"; fi
run "nvme firmware" 0 0000:02:00.0 --host "$WS" --out "$tmp/fw-nvme"
fw_check "nvme" "$tmp/fw-nvme" "$fw" nvme/nvme0/firmware_rev "$model"
if ! grep -rqF "$serial" "$tmp/fw-nvme"; then ok "nvme: the serial is in no certificate file"; else bad "nvme: the serial leaked"; fi
vbios=$(rec_attr "$WS" /0000:01:00.0 vbios_version)
run "gpu firmware" 0 0000:01:00.0 --host "$WS" --out "$tmp/fw-gpu"
fw_check "amdgpu" "$tmp/fw-gpu" "$vbios" vbios_version ""
run "nic firmware" 0 0000:01:00.0 --profile nic --host "$SHARED" --out "$tmp/fw-nic"
fw_check "e1000e" "$tmp/fw-nic" "" "" ""
fw_check "nvme PF without nvme0 in the recording" "$tmp/cert" "" "" ""

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

# 7b. GPU checks on workstation-gpu: the discrete GPU (boot_vga 0) with its HDMI audio function
# (class 0403, function 1 of the same slot, same group) and a ROM; the integrated GPU is the boot
# VGA device and is refused. Expected values come from the recording: boot_vga, class, the ROM
# line of resource (index 6; VFIO's ROM region is pci_resource_len() of it).
gpu_boot=$(rec_attr "$WS" /0000:01:00.0 boot_vga)
igpu_boot=$(rec_attr "$WS" /0000:00:02.0 boot_vga)
audio_class=$(rec_attr "$WS" /0000:01:00.1 class)
rom=$(rec_attr "$WS" /0000:01:00.0 resource | sed -n 7p | { read -r a b _; echo $((b - a + 1)); })
if [ "$gpu_boot" = 0 ] && [ "$igpu_boot" = 1 ] && [ "${audio_class:0:6}" = 0x0403 ] && [ "$rom" -gt 0 ]; then
	ok "workstation-gpu: boot_vga 0 and 1, audio class $audio_class, ROM of $rom bytes"
else
	bad "workstation-gpu recording: boot_vga $gpu_boot/$igpu_boot, audio $audio_class, ROM $rom"
fi
run "discrete GPU" 0 0000:01:00.0 --host "$WS" --out "$tmp/gpu" --save "$tmp/gpu.umockdev"
has "GPU" pass CERT-PROFILE "a display controller \(class 03\), as profile gpu"
has "GPU" pass CERT-GROUP-ISOLATED "group 3 holds only 0000:01:00.0's own function\(s\) \(2\)"
has "GPU" pass CERT-GPU-BOOT-VGA "not the boot VGA device"
has "GPU" pass CERT-GPU-ROM "ROM region of $rom bytes"
has "GPU" pass CERT-GPU-AUDIO "audio function 0000:01:00.1 in the same group: to vfio-pci with the GPU and back to snd_hda_intel"
has "GPU" pass CERT-RESET-ALIVE "sysfs reset on amdgpu by $(rec_attr "$WS" /0000:01:00.0 reset_method | cut -d' ' -f1); VFIO reset"
has "GPU" pass CERT-HOST-RESTORED "as found \(2 device"
same_state "GPU and audio: host left as found" "$WS" "$tmp/gpu.umockdev"
if python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["dut"]["unit"] != ["0000:01:00.0", "0000:01:00.1"])' "$tmp/gpu/certificate.json"; then
	ok "GPU: the unit is the GPU and its audio function"
else
	bad "GPU: unit"
fi
# The audio function refuses vfio-pci: the unit cannot move, CERT-GPU-AUDIO says so.
printf 'write path=0000:01:00.1/driver_override errno=EIO\n' >"$tmp/faults-audio"
run "GPU, audio cannot move" 1 0000:01:00.0 --host "$WS" --faults "$tmp/faults-audio" --save "$tmp/gpu2.umockdev"
has "audio fault" fail CERT-GPU-AUDIO "0000:01:00.1 in the same group was not bound to vfio-pci with the GPU"
has "audio fault" pass CERT-HOST-RESTORED "as found"
same_state "audio fault: host left as found" "$WS" "$tmp/gpu2.umockdev"
# The GPU does not come back from its reset (fakesys: config reads return 0xff bytes, and
# the kernel's wait after each method gives up with ENOTTY): CERT-RESET-ALIVE says so, what is
# left and how to finish; nothing more is done to it (it stays on amdgpu); CERT-HOST-RESTORED
# does not claim the host is as found.
printf 'reset dev=0000:01:00.0 config=ff\n' >"$tmp/faults-dead"
run "GPU does not come back" 1 0000:01:00.0 --host "$WS" --faults "$tmp/faults-dead" --save "$tmp/dead.umockdev"
has "dead GPU" fail CERT-RESET-ALIVE "sysfs reset on amdgpu: the device does not come back after reset: config space reads all ones \(sysfs reset on amdgpu: reset-unavailable ENOTTY.*\); 0000:01:00.0 is left on amdgpu, not answering: remove it and rescan"
has "dead GPU" fail CERT-HOST-RESTORED "NOT as found: 0000:01:00.0: driver=amdgpu override=\(none\) numvfs=0 autoprobe=-1 config=all-ones, was driver=amdgpu"
has "dead GPU" skip CERT-VFIO-OPEN "not run: 0000:01:00.0 does not answer since its reset"
has "dead GPU" skip CERT-REBIND "not run: 0000:01:00.0 does not answer since its reset"
has "dead GPU" skip CERT-GPU-ROM "not known: 0000:01:00.0 does not answer since its reset"
has "dead GPU" skip CERT-GPU-AUDIO "not known"
same_state "dead GPU: nothing moved after it stopped answering" "$WS" "$tmp/dead.umockdev"
# The GPU dies on its second reset, the VFIO one, with the unit on vfio-pci: the audio function
# (it answers) goes back to snd_hda_intel at once, the GPU stays on vfio-pci (no host driver
# can drive it), and the saved host reads it all ones, still a device of the host.
printf 'reset dev=0000:01:00.0 config=ff nth=2\n' >"$tmp/faults-dead2"
run "GPU dies on the VFIO reset" 1 0000:01:00.0 --host "$WS" --faults "$tmp/faults-dead2" --save "$tmp/dead2.umockdev"
has "dead on vfio-pci" fail CERT-RESET-ALIVE "VFIO reset on vfio-pci: the device does not come back after reset: config space reads all ones.*0000:01:00.0 is left on vfio-pci, not answering; 0000:01:00.1 was given back"
has "dead on vfio-pci" skip CERT-SRIOV "not run: 0000:01:00.0 does not answer"
if "$PTH" inspect --json --host "$tmp/dead2.umockdev" >"$tmp/dead2.json" 2>"$tmp/err" && python3 - "$tmp/dead2.json" <<'PY'
import json, sys
d = {x["address"]: x for x in json.load(open(sys.argv[1]))["devices"]}
h = json.load(open(sys.argv[1]))
gpu, audio = d["0000:01:00.0"], d["0000:01:00.1"]
assert (gpu["driver"], gpu["answers"]) == ("vfio-pci", False), gpu
assert (gpu["vendor"], gpu["device"], gpu["class"]) == ("1002", "73bf", "030000"), gpu
assert (audio["driver"], audio["override"], audio["answers"]) == ("snd_hda_intel", None, True), audio
assert any(f["rule"] == "E-DEVICE-ANSWERS" and f["address"] == "0000:01:00.0" for f in h["findings"])
PY
then
	ok "dead on vfio-pci: GPU left on vfio-pci reading all ones, audio back, host still readable"
else
	bad "dead on vfio-pci: end state"
	cat "$tmp/err"
fi
run "boot VGA iGPU refused" 2 0000:00:02.0 --host "$WS" --out "$tmp/refused2"
if grep -q "refused: 0000:00:02.0 is host-critical (boot-vga)" "$tmp/err" && [ ! -e "$tmp/refused2" ]; then
	ok "boot VGA iGPU: refused, no certificate"
else
	bad "boot VGA iGPU refusal"
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
has "reset fault" fail CERT-RESET-ALIVE "sysfs reset on nvme: reset-failed EIO"
has "numvfs fault" fail CERT-SRIOV "enabled 1 of the 2 VFs"
has "faults" pass CERT-HOST-RESTORED "as found"
same_state "faults: host left as found" "$SRIOV" "$tmp/f1.umockdev"
# The sysfs reset fails (the write of the reset file: EBUSY, before anything moved); then
# the VFIO reset fails (the second reset of the device: EIO) with the unit on vfio-pci.
printf 'write path=0000:02:00.0/reset errno=EBUSY\n' >"$tmp/faults3"
run "nvme PF, sysfs reset fails" 1 0000:02:00.0 --host "$SRIOV" --faults "$tmp/faults3" --save "$tmp/f3.umockdev"
has "sysfs reset fault" fail CERT-RESET-ALIVE "sysfs reset on nvme: reset-failed EBUSY: reset 0000:02:00.0: Device or resource busy"
has "sysfs reset fault" pass CERT-HOST-RESTORED "as found"
same_state "sysfs reset fault: host left as found" "$SRIOV" "$tmp/f3.umockdev"
printf 'reset dev=0000:02:00.0 errno=EIO nth=2\n' >"$tmp/faults4"
run "nvme PF, VFIO reset fails" 1 0000:02:00.0 --host "$SRIOV" --faults "$tmp/faults4" --save "$tmp/f4.umockdev"
has "VFIO reset fault" fail CERT-RESET-ALIVE "VFIO reset on vfio-pci: reset-failed EIO"
has "VFIO reset fault" pass CERT-HOST-RESTORED "as found"
same_state "VFIO reset fault: host left as found" "$SRIOV" "$tmp/f4.umockdev"
printf 'write path=0000:01:00.1/driver_override errno=EIO\n' >"$tmp/faults2"
run "e1000e, second port cannot move" 1 0000:01:00.0 --host "$SHARED" --faults "$tmp/faults2" --save "$tmp/f2.umockdev"
has "unit fault" fail CERT-RESET-ALIVE "bind to vfio-pci"
has "unit fault" fail CERT-REBIND "could not be bound"
has "unit fault" pass CERT-HOST-RESTORED "as found"
same_state "unit fault: host left as found" "$SHARED" "$tmp/f2.umockdev"

# 10. Profiles are scenario files, and every profile inherits generic's: the checks each
# profile lists (its certificate, --dry-run) are those of the four copies the profiles held
# before they inherited, in the same order, with generic's coherency check after migration;
# nvme adds nothing, nic its write-combining facts, gpu its three checks and those facts.
PROFILES=$HOSTS/../certify
GENERIC="CERT-IOMMU CERT-INTREMAP CERT-GROUP-ISOLATED CERT-ACS-PATH CERT-PROFILE CERT-ENDPOINT CERT-RESET-METHODS CERT-RESET-ALIVE CERT-VFIO-OPEN CERT-VFIO-IOMMUFD CERT-REBIND CERT-SRIOV CERT-MIGRATION CERT-COHERENCY"
for p in generic nic nvme gpu; do
	want="$GENERIC CERT-HOST-RESTORED"
	[ $p = nic ] && want="$GENERIC CERT-NIC-WC CERT-HOST-RESTORED"
	[ $p = gpu ] && want="$GENERIC CERT-GPU-BOOT-VGA CERT-GPU-ROM CERT-GPU-AUDIO CERT-GPU-WC CERT-HOST-RESTORED"
	"$PTH" certify 0000:02:00.0 --profile $p --dry-run --host "$SRIOV" >"$tmp/out" 2>"$tmp/err"
	got=$(awk '/^  [A-Z]/ {print $1}' "$tmp/out" | tr '\n' ' ' | sed 's/ $//')
	# (the nvme PF under another profile fails CERT-PROFILE, and the GPU checks: exit 1)
	"$PTH" certify 0000:02:00.0 --profile $p --host "$SRIOV" --out "$tmp/p-$p" >/dev/null 2>&1
	inc=$(python3 -c 'import json,sys; print(" ".join(c["id"] for c in json.load(open(sys.argv[1]))["checks"]))' "$tmp/p-$p/certificate.json")
	if [ "$got" = "$want" ] && [ "$inc" = "$want" ]; then ok "profile $p: the checks as before"; else bad "profile $p lists [$got], certifies [$inc]; wanted [$want]"; fi
done
if [ -z "$(find "$PROFILES" -type f -print0 | xargs -0 md5sum | sort | uniq -w32 -d)" ]; then
	ok "no two identical files under scenarios/certify"
else
	bad "identical files under scenarios/certify"
fi

# A vendor's own check (generic verbs, $DUT) in a directory of its own, given with
# --profile-dir, runs with its ID on top of the profile's, before CERT-HOST-RESTORED whatever its
# file name; a failed expectation is its reason, and the host is left as found even so.
mkdir "$tmp/nic"
vendor() { # FILE ID METHOD: both ports on vfio-pci, reset twice (the second expecting METHOD)
	cat >"$1" <<EOF
title: two resets on vfio-pci, and back
check_id: $2
category: certification
targets: [live]
steps:
  - detach: {device: \$DUT}
    expect: {ok: true, devices: {\$DUT: {driver: vfio-pci}}}
  - detach: {device: "0000:01:00.1"}
  - reset: {device: \$DUT}
    expect: {ok: true}
  - reset: {device: \$DUT}
    expect: {ok: true, result: {method: $3}}
  - reattach: {device: \$DUT}
    expect: {ok: true, devices: {\$DUT: {driver: e1000e, override: null}}}
EOF
}
vendor "$tmp/nic/995-acme-reset.yaml" ACME-RESET-TWICE vfio
run "vendor check" 0 0000:01:00.0 --profile nic --profile-dir "$tmp/nic" --host "$SHARED" --out "$tmp/vcert"
has "vendor check" pass ACME-RESET-TWICE "5 step\(s\) as expected"
if tail -3 "$tmp/out" | head -1 | grep -q "ACME-RESET-TWICE" && tail -2 "$tmp/out" | grep -q "CERT-HOST-RESTORED" &&
	grep -q '"id" *: *"ACME-RESET-TWICE"' "$tmp/vcert/certificate.json"; then
	ok "vendor check: before CERT-HOST-RESTORED, in the certificate"
else
	bad "vendor check order or certificate"
fi
vendor "$tmp/nic/995-acme-reset.yaml" ACME-RESET-TWICE flr
run "vendor check failing midway" 1 0000:01:00.0 --profile nic --profile-dir "$tmp/nic" --host "$SHARED" --save "$tmp/v.umockdev"
has "vendor check failing" fail ACME-RESET-TWICE "step 4 \(reset\): result.method: expected flr, observed vfio"
has "vendor check failing" pass CERT-HOST-RESTORED "as found"
same_state "vendor check failing midway: host left as found" "$SHARED" "$tmp/v.umockdev"

# $DUT.vf[i]: the i-th VF once the check enabled them; left enabled and on vfio-pci, they are
# given back and disabled after the check.
mkdir "$tmp/nvme"
cat >"$tmp/nvme/115-acme-vf.yaml" <<'EOF'
title: the second VF opens through VFIO
check_id: ACME-VF1
category: certification
targets: [live]
steps:
  - set-numvfs: {pf: $DUT, count: 2}
    expect: {ok: true, devices: {$DUT: {numvfs: 2}}}
  - detach: {device: "$DUT.vf[1]"}
    expect: {ok: true, devices: {"$DUT.vf[1]": {driver: vfio-pci, physfn: $DUT}}}
  - vfio-open: {device: "$DUT.vf[1]", map: 1M}
    expect: {ok: true, result: {mapped: 1048576}}
  - read: {path: "bus/pci/devices/$DUT.vf[1]/physfn/sriov_numvfs"}
    expect: {value: "2"}
EOF
run "vendor VF check" 0 0000:02:00.0 --profile-dir "$tmp/nvme" --host "$SRIOV" --save "$tmp/vf.umockdev"
has "vendor VF check" pass ACME-VF1 "4 step"
has "vendor VF check" pass CERT-SRIOV "2 VF"
has "vendor VF check" pass CERT-HOST-RESTORED "as found"
same_state "vendor VF check: host left as found" "$SRIOV" "$tmp/vf.umockdev"

# Ctrl-C: SIGINT raised (through certify's handler) as CERT-VFIO-OPEN begins, with the unit on
# vfio-pci since CERT-RESET-ALIVE: that check is marked, the rest skip "interrupted", the
# host-restored check gives the unit back; exit 130 and the certificate says so.
PTH_CERTIFY_TEST_SIGNAL=INT@CERT-VFIO-OPEN run "SIGINT midway" 130 0000:02:00.0 --host "$SRIOV" --out "$tmp/icert" --save "$tmp/i.umockdev"
has "SIGINT" fail CERT-VFIO-OPEN "interrupted by SIGINT before step 1"
has "SIGINT" skip CERT-REBIND "interrupted"
has "SIGINT" skip CERT-SRIOV "interrupted"
has "SIGINT" pass CERT-HOST-RESTORED "as found"
same_state "SIGINT: host left as found" "$SRIOV" "$tmp/i.umockdev"
if python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); sys.exit(not (c["interrupted"] == "SIGINT" and c["verdict"] == "not-certified"))' "$tmp/icert/certificate.json" &&
	xmllint --noout --schema "$XSD" "$tmp/icert/junit.xml" 2>/dev/null; then
	ok "SIGINT: the certificate is written and says interrupted"
else
	bad "SIGINT: certificate"
fi
# SIGTERM with two VFs enabled, one on vfio-pci (before step 3 of the vendor VF check).
PTH_CERTIFY_TEST_SIGNAL=TERM@ACME-VF1:3 run "SIGTERM with VFs enabled" 143 0000:02:00.0 --profile-dir "$tmp/nvme" --host "$SRIOV" --save "$tmp/t.umockdev"
has "SIGTERM" fail ACME-VF1 "interrupted by SIGTERM before step 3 \(vfio-open\)"
has "SIGTERM" skip CERT-MIGRATION "interrupted"
has "SIGTERM" pass CERT-HOST-RESTORED "as found"
same_state "SIGTERM: VFs disabled, host left as found" "$SRIOV" "$tmp/t.umockdev"

# A profile's files are checked before anything runs; a file of --profile-dir replaces
# generic's of the same name.
mkdir "$tmp/bad1" "$tmp/bad2"
sed '/^check_id:/d' "$PROFILES/generic/060-endpoint.yaml" >"$tmp/bad1/060-endpoint.yaml"
run "check without check_id" 2 0000:02:00.0 --profile-dir "$tmp/bad1" --host "$SRIOV"
if grep -q "060-endpoint.yaml: a certification check needs 'check_id'" "$tmp/err"; then ok "names the file"; else bad "no file named"; fi
sed 's/check: endpoint/check: endpiont/' "$PROFILES/generic/060-endpoint.yaml" >"$tmp/bad2/060-endpoint.yaml"
run "unknown certify check" 2 0000:02:00.0 --profile-dir "$tmp/bad2" --host "$SRIOV"
if grep -q "060-endpoint.yaml:8:[0-9]*: unknown certify check 'endpiont'" "$tmp/err"; then ok "names file and line"; else bad "no file:line"; fi
run "no such profile dir" 2 0000:02:00.0 --profile-dir "$tmp/none" --host "$SRIOV"

# 11. ptharness run with $DUT: a usage error without --dut (file and line); on a recorded
# host $DUT and $DUT.vf[i] resolve; the certify verb needs a real host.
"$PTH" run "$PROFILES/generic" --target live >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st = 2 ] && grep -q 'generic/010-iommu.yaml:8:5: the scenario uses $DUT (or certify:) but no device under test was given (--dut BDF)' "$tmp/out"; then
	ok "run without --dut: exit 2, file and line"
else
	bad "run without --dut: exit $st"
fi
"$PTH" run "$PROFILES/generic" --target live --dut 0000:ff:1f.7 >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st = 2 ] && grep -q "dut 0000:ff:1f.7: no such PCI device on live" "$tmp/err"; then ok "run --dut: unknown device, exit 2"; else bad "run --dut unknown device: exit $st"; fi
mkdir -p "$tmp/runs"
sed -e "s|^targets: \[live\]|targets: [fake]\nhost: {recording: $(realpath "$SRIOV")}|" "$tmp/nvme/115-acme-vf.yaml" >"$tmp/runs/vf.yaml"
"$PTH" run "$tmp/runs" --dut 0000:02:00.0 --json "$tmp/run.json" >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st = 0 ] && grep -q "scenarios: 1 passed" "$tmp/out" &&
	python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["scenarios"][0]["steps"]; sys.exit(s[2]["args"] != "device=$DUT.vf[1] map=1M" or s[2]["status"] != "pass")' "$tmp/run.json"; then
	ok "run --dut on a recording: \$DUT and \$DUT.vf[1] resolved"
else
	bad "run --dut on a recording: exit $st"
fi
sed -i 's/count: 2}/count: 1}/' "$tmp/runs/vf.yaml"
"$PTH" run "$tmp/runs" --dut 0000:02:00.0 >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st = 1 ] && grep -q 'step 2 detach: ok: expected true, observed false' "$tmp/out"; then ok "run --dut: \$DUT.vf[1] of a PF with one VF fails the step"; else bad "run --dut: missing VF: exit $st"; fi
printf 'title: t\ncategory: certification\ntargets: [fake]\nhost: {recording: %s}\nsteps:\n  - certify: {check: iommu}\n' "$(realpath "$SRIOV")" >"$tmp/runs/vf.yaml"
"$PTH" run "$tmp/runs" --dut 0000:02:00.0 >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st = 1 ] && grep -q "the certify verb runs under" "$tmp/out"; then ok "the certify verb fails on run's fake target"; else bad "certify verb on fake run: exit $st"; fi

# 12. Usage errors.
run "no device" 2 --host "$SRIOV"
run "bad profile" 2 0000:02:00.0 --profile toaster --host "$SRIOV"
run "unknown device" 2 0000:09:00.0 --host "$SRIOV"

# 12. The verb's certificate form, certify: {profile: P, device: BDF}, in a scenario on a
# recording (scenarios/certify/recorded/ in the default suite): no --dut needed; a step naming
# no device is a load error with file and line; an unknown profile is the step's host-error.
mkdir -p "$tmp/form"
cat >"$tmp/form/nodev.yaml" <<EOF
title: no device
category: certification
host: {recording: $(realpath "$SRIOV")}
steps:
  - certify: {profile: nvme}
EOF
"$PTH" run "$tmp/form/nodev.yaml" >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st = 2 ] && grep -q "nodev.yaml:5:[0-9]*: certify takes {check: NAME} or {profile: P, device: BDF}" "$tmp/out" "$tmp/err"; then
	ok "certificate form without a device: load error, file and line"
else
	bad "certificate form without a device: exit $st"
fi
cat >"$tmp/form/toaster.yaml" <<EOF
title: an unknown profile
category: certification
host: {recording: $(realpath "$SRIOV")}
steps:
  - certify: {profile: toaster, device: "0000:02:00.0"}
    expect: {ok: false, error: host-error}
  - certify: {profile: nvme, device: "0000:02:00.0"}
    expect: {ok: true, result: {verdict: certified, CERT-SRIOV: pass}}
EOF
if "$PTH" run "$tmp/form/toaster.yaml" --faults all >"$tmp/out" 2>"$tmp/err"; then
	ok "certificate form: unknown profile refused, then a whole certification with its fault points held"
else
	bad "certificate form in a scenario"
fi

echo "# $pass passed, $fail failed"
[ "$fail" = 0 ]
