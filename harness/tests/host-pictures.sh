#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The report's host pictures (trial row 24): `run --html` over several scenarios of one host
# draws one picture per state the scenarios actually left the host in, with the drivers and VM
# of that state, names the scenarios each shows, and marks the devices the host needs; shards
# merge to the same pictures.
set -u
PTH=${1:?usage: host-pictures.sh PTHARNESS HOSTS_DIR}
HOSTS=${2:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() { echo "not ok - $1"; fail=$((fail + 1)); }

mkdir -p "$tmp/s"
ln -s "$HOSTS" "$tmp/hosts"
scenario() { # NAME STEPS...
	local name=$1
	shift
	{
		printf 'title: %s\ncategory: viability\nhost:\n  recording: ../hosts/desktop-gpu.umockdev\n' "$name"
		printf 'vms:\n  gaming: {memory: 4G, vcpus: 2}\nsteps:\n'
		printf '%s\n' "$@"
	} >"$tmp/s/$name.yaml"
}
# a: the audio function alone to vfio-pci; b: nothing changed; c and d: the GPU and its audio
# in the VM (the same end state); the GPU is the boot VGA device, the SATA and NVMe storage.
scenario a-audio '  - detach: {device: "0000:01:00.1"}' '    expect: {ok: true}'
scenario b-look '  - inspect:' '    expect: {groups: {"1": {viable: false}}}'
for n in c-gpu d-gpu; do
	scenario $n '  - attach: {vm: gaming, devices: ["0000:01:00.0", "0000:01:00.1"], force: true}' \
		'    expect: {ok: true}'
done
"$PTH" run "$tmp/s" -j 1 --json "$tmp/r.json" --html "$tmp/html" >"$tmp/out" 2>&1
st=$?
[ $st = 0 ] && ok "four scenarios on desktop-gpu pass" || { bad "run: exit $st"; cat "$tmp/out"; }

python3 - "$tmp/r.json" <<'PY' && ok "one picture per end state, each with its drivers, VM and scenarios" || bad "host pictures"
import json, sys
hosts = json.load(open(sys.argv[1]))["hosts"]
by_sc = {tuple(h["scenarios"]): h for h in hosts}
want = {
    # scenarios: (name, driver of 01:00.0, driver of 01:00.1, VM of group 1)
    ("b-look",): ("desktop-gpu", "nouveau", "snd_hda_intel", None),
    ("a-audio",): ("desktop-gpu @ ", "nouveau", "vfio-pci", None),
    ("c-gpu", "d-gpu"): ("desktop-gpu @ ", "vfio-pci", "vfio-pci", "gaming (c-gpu)"),
}
assert sorted(by_sc) == sorted(want), f"pictures: {sorted(by_sc)}"
# The host as loaded first, then the end states by name (as report merge orders shards).
assert [h["name"] for h in hosts][0] == "desktop-gpu", [h["name"] for h in hosts]
assert [h["name"] for h in hosts][1:] == sorted(h["name"] for h in hosts[1:])
for scs, (name, gpu, audio, vm) in want.items():
    h = by_sc[scs]
    assert h["name"] == name if name == "desktop-gpu" else h["name"].startswith(name) and \
        len(h["name"]) == len(name) + 8, f"{scs}: named {h['name']}"
    drv = {d["address"]: d["driver"] for d in h["devices"]}
    assert (drv["0000:01:00.0"], drv["0000:01:00.1"]) == (gpu, audio), f"{scs}: {drv}"
    g1 = [g for g in h["groups"] if g["id"] == 1][0]
    assert g1["vm"] == vm, f"{scs}: group 1 held by {g1['vm']}"
    # desktop-gpu records no mount table: its storage controllers may hold the host's
    # filesystems (a warning), only the boot VGA is certain.
    crit = {d["address"]: d.get("host_critical") for d in h["devices"] if d.get("host_critical")}
    assert crit == {"0000:01:00.0": "boot-vga"}, f"{scs}: host-critical {crit}"
    maybe = sorted(d["address"] for d in h["devices"] if d.get("host_critical_unknown"))
    assert maybe == ["0000:00:17.0", "0000:02:00.0"], f"{scs}: maybe host-critical {maybe}"
PY
n=$(grep -c '<figure class="host">' "$tmp/html/index.html")
[ "$n" = 3 ] && ok "the page has 3 host figures" || bad "the page has $n host figures"
for f in "$tmp"/html/host-*.svg; do
	c=$(grep -c '>HOST&#45;CRITICAL' "$f")
	m=$(grep -c '>MAYBE HOST&#45;CRITICAL' "$f")
	[ "$c/$m" = 1/2 ] || { bad "$(basename "$f"): $c host-critical and $m maybe marks, wanted 1 and 2"; continue; }
	ok "$(basename "$f"): the boot VGA marked host-critical, the 2 storage controllers maybe"
done
# Shards merge to the whole run: the same pictures, scenarios united.
for k in 1 2; do
	"$PTH" run "$tmp/s" -j 1 --shard $k/2 --json "$tmp/s$k.json" >/dev/null 2>&1
done
"$PTH" report merge "$tmp/s1.json" "$tmp/s2.json" -o "$tmp/m.json" &&
	python3 -c '
import json, sys
a, m = (json.load(open(p))["hosts"] for p in sys.argv[1:])
sys.exit(0 if a == m else 1)' "$tmp/r.json" "$tmp/m.json" &&
	ok "two shards merge to the same pictures" || bad "merged shards differ in hosts"

grep -q 'end state of: <b>c-gpu, d-gpu</b>' "$tmp/html/index.html" &&
	ok "a figure names the scenarios whose end state it shows" || bad "no 'end state of' line"

echo "# $pass passed, $fail failed"
[ $fail = 0 ]
