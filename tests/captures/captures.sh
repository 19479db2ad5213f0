#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Real captures from other projects' test data (SOURCE.md): each loads with exit 0, and what
# the capture cannot show is unknown, with the reason, never a false or a default.
set -u
PTH=${1:?usage: captures.sh PTHARNESS}
dir=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() { echo "not ok - $1"; fail=$((fail + 1)); }

for f in "$dir"/*.umockdev; do
	n=$(basename "$f")
	if "$PTH" inspect --host "$f" --json >"$tmp/out.json" 2>"$tmp/err"; then
		ok "$n loads (exit 0)"
	else
		bad "$n: exit $?: $(head -1 "$tmp/err")"; continue
	fi
	# Every device whose capture holds 64 bytes of config (read without root, as fwupd's
	# were) has FLR, PM reset, ACS and the derived reset methods unknown, with the reason.
	if python3 - "$tmp/out.json" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
assert h["devices"], "no devices"
for d in h["devices"]:
    c = d["config"]
    if c["size"] == 64:
        why = "config space is 64 bytes: captured without root"
        assert c["unknown_reason"] == why, d
        assert c["flr"] is None and c["pm_reset"] is None and c["acs_cap"] is None, d
        assert c["acs_unknown_reason"] == why, d
        assert d["reset_derived"] is None, d
        assert any(f["rule"] == "E-CAPTURE-CONFIG" and f["address"] == d["address"]
                   for f in h["findings"]), d
# No osrelease in these captures: the kernel is inferred, never "host".
assert h["kernel"]["source"] == "inferred", h["kernel"]
PY
	then
		ok "$n: what the capture lacks is unknown, with the reason"
	else
		bad "$n: unknowns"
	fi
	if "$PTH" inspect --host "$f" >"$tmp/out.txt" 2>&1 &&
		grep -q "unknown (config space is 64 bytes: captured without root)" "$tmp/out.txt" &&
		grep -q "(inferred)" "$tmp/out.txt"; then
		ok "$n: the text view says unknown and inferred"
	else
		bad "$n: text view"; cat "$tmp/out.txt"
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
