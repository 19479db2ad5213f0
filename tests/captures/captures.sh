#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Real captures from other projects' test data and public threads (SOURCE.md): each loads with
# exit 0; what it shows (devices, drivers, groups, ids, the kernel) is what NAME.expect says,
# written by reading the capture; what it cannot show is unknown, with the reason, never a
# false or a default.
#
# NAME.expect lines: devices N | driver ADDR NAME|unknown | group ADDR N|unknown
#   | ids ADDR VVVV:DDDD|unknown | reset ADDR METHOD... (the kernel's reset_method) | netdev ADDR NAME
#   | parent ADDR ADDR | config ADDR BYTES|unknown | viable GROUP true|false|unknown
#   | kernel X.Y SOURCE | kernel-at-least X.Y SOURCE | kernel unknown
#   | iommu present|absent|unknown
set -u
PTH=${1:?usage: captures.sh PTHARNESS}
dir=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() { echo "not ok - $1"; fail=$((fail + 1)); }

for exp in "$dir"/*.expect; do
	name=$(basename "$exp" .expect)
	cap=
	for c in "$dir/$name" "$dir/$name.umockdev" "$dir/$name.txt"; do
		[ -e "$c" ] && cap=$c
	done
	if [ -z "$cap" ]; then
		bad "$name: no capture beside the .expect"
		continue
	fi
	if "$PTH" inspect --host "$cap" --json >"$tmp/out.json" 2>"$tmp/err" &&
		"$PTH" inspect --host "$cap" >"$tmp/out.txt" 2>>"$tmp/err"; then
		ok "$name loads (exit 0)"
	else
		bad "$name: exit $?: $(head -1 "$tmp/err")"
		continue
	fi
	if python3 - "$tmp/out.json" "$tmp/out.txt" "$exp" <<'PY'; then
import json, sys
h = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
devs = {d["address"]: d for d in h["devices"]}
groups = {g["id"]: g for g in h["groups"]}
errors = []

def check(what, got, want):
    if got != want:
        errors.append(f"{what}: expected {want!r}, got {got!r}")

def dev(a):
    if a not in devs:
        errors.append(f"{a}: not loaded")
        return None
    return devs[a]

for line in open(sys.argv[3]):
    w = line.split()
    if not w or w[0].startswith("#"):
        continue
    k, args = w[0], w[1:]
    if k == "devices":
        check("devices", len(h["devices"]), int(args[0]))
    elif k == "driver" and (d := dev(args[0])):
        if args[1] == "unknown":
            check(f"{args[0]} driver", (d["driver"], bool(d.get("driver_unknown_reason"))),
                  (None, True))
        else:
            check(f"{args[0]} driver", d["driver"], args[1])
    elif k == "group" and (d := dev(args[0])):
        if args[1] == "unknown":
            check(f"{args[0]} group", (d["iommu_group"], h["iommu"]["enabled"]), (None, None))
        else:
            check(f"{args[0]} group", d["iommu_group"], int(args[1]))
    elif k == "ids" and (d := dev(args[0])):
        if args[1] == "unknown":
            check(f"{args[0]} ids", (d["vendor"], d["device"]), (None, None))
        else:
            check(f"{args[0]} ids", f'{d["vendor"]}:{d["device"]}', args[1])
    elif k == "reset" and (d := dev(args[0])):
        if args[1] == "unknown":
            check(f"{args[0]} reset", (d["reset_source"], d["reset_derived"]), ("derived", None))
        else:
            check(f"{args[0]} reset", (d["reset_source"], d["reset_methods"]), ("kernel", args[1:]))
    elif k == "netdev" and (d := dev(args[0])):
        check(f"{args[0]} netdevs", args[1] in d["netdevs"], True)
    elif k == "parent" and (d := dev(args[0])):
        check(f"{args[0]} parent", d["parent"], args[1])
    elif k == "config" and (d := dev(args[0])):
        c = d["config"]
        if args[1] == "unknown":
            # FLR, PM reset and ACS are unknown with the reason, never false.
            check(f"{args[0]} config", (bool(c["unknown_reason"]), c["flr"], c["pm_reset"],
                  c["acs_cap"], d["reset_derived"]), (True, None, None, None, None))
        else:
            check(f"{args[0]} config size", c["size"], int(args[1]))
    elif k == "viable":
        g = groups.get(int(args[0]))
        want = {"true": True, "false": False, "unknown": None}[args[1]]
        check(f"group {args[0]} viable", g and g["viable"], want)
    elif k in ("kernel", "kernel-at-least"):
        kv = h["kernel"]
        if args[0] == "unknown":
            check("kernel", (kv["version"], kv["source"], bool(kv.get("unknown_reason"))),
                  (None, "unknown", True))
            check("text says the kernel is unknown", "kernel unknown (" in text, True)
        elif k == "kernel":
            check("kernel", (kv["version"], kv["source"]), (args[0], args[1]))
        else:
            ver = tuple(int(x) for x in (kv["version"] or "0.0").split("."))
            check("kernel at least", (ver >= tuple(int(x) for x in args[0].split(".")),
                  kv["source"]), (True, args[1]))
    elif k == "iommu":
        want = {"present": True, "absent": False, "unknown": None}[args[0]]
        check("iommu", h["iommu"]["enabled"], want)
        if want is None:
            check("iommu reason", bool(h["iommu"].get("unknown_reason")), True)
            check("text says the IOMMU is unknown", "IOMMU: unknown (" in text, True)
            check("no 'No IOMMU' claim", "No IOMMU" in text, False)
    else:
        errors.append(f"unknown expectation {k}")
for e in errors:
    print("   ", e)
sys.exit(1 if errors else 0)
PY
		ok "$name: what it shows, and what it cannot show is unknown"
	else
		bad "$name: expectations"
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
