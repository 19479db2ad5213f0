#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bundled suite on fake hosts: every scenario passes; --faults all holds at every point;
# three shards merged with `report merge` equal the whole run (timestamps and durations aside);
# the JUnit validates against the schema and the KTAP plan counts every scenario.
# usage: suite.sh PTHARNESS JUNIT-XSD [FAULT-SCENARIOS...]
# The sanitizer build names a part of the suite for --faults all (the whole matrix under ASan
# takes minutes); the normal build runs it on everything.
set -uo pipefail
pth=$1 xsd=$2
shift 2
fault_paths=("$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

"$pth" run -j 2 --json "$tmp/all.json" --junit "$tmp/all.xml" --html "$tmp/html" --ktap \
	>"$tmp/all.ktap" || bad "the suite does not pass: $(grep -m5 '^not ok' "$tmp/all.ktap")"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["scenarios"]))' \
	"$tmp/all.json")
[ "$n" -ge 120 ] || bad "only $n scenarios in the suite (at least 120)"
grep -qx "1..$n" "$tmp/all.ktap" || bad "KTAP plan is not 1..$n"
if command -v xmllint >/dev/null; then
	xmllint --noout --schema "$xsd" "$tmp/all.xml" 2>"$tmp/xmllint" ||
		bad "JUnit does not validate: $(head -3 "$tmp/xmllint")"
fi
[ -s "$tmp/html/index.html" ] || bad "no HTML report"
# No scenario skips on fake: certify's checks run on recorded devices (scenarios/certify/
# recorded/), and its profiles' live-only check files are not part of a fake run at all. Only
# clients/ may skip: the programs they run (driverctl, dpdk-devbind.py, QEMU) may be absent.
python3 - "$tmp/all.json" <<'PY' || bad "skipped scenarios, or certify's checks missing or counted"
import json, sys
d = json.load(open(sys.argv[1]))
sk = [s["id"] for s in d["scenarios"] if s["status"] == "skip"]
own = [i for i in sk if not i.startswith("clients/")]
assert not own and d["summary"]["skipped"] == len(sk), own
ids = [s["id"] for s in d["scenarios"]]
assert not [i for i in ids if i.startswith(("certify/generic/", "certify/gpu/"))], ids
assert len([i for i in ids if i.startswith("certify/recorded/")]) >= 8, ids
PY

out=$("$pth" run -j 2 --faults all "${fault_paths[@]}") || bad "--faults all: $(echo "$out" | grep -v '^scenarios' | head -5)"
echo "$out" | tail -2
tried=$(echo "$out" | sed -n 's/^fault points: \([0-9]*\) tried, \([0-9]*\) held$/\1/p')
held=$(echo "$out" | sed -n 's/^fault points: \([0-9]*\) tried, \([0-9]*\) held$/\2/p')
min=300
[ ${#fault_paths[@]} = 0 ] || min=20
[ -n "$tried" ] && [ "$tried" -ge $min ] || bad "fault points tried: '$tried' (expected at least $min)"
[ "$tried" = "$held" ] || bad "fault points: $tried tried, $held held"

# The shard merge is the same code in either build: the sanitizer build leaves it out.
if [ ${#fault_paths[@]} = 0 ]; then
	for k in 1 2 3; do
		"$pth" run --shard "$k/3" --json "$tmp/s$k.json" >/dev/null || bad "shard $k/3 fails"
	done
	"$pth" report merge "$tmp/s1.json" "$tmp/s2.json" "$tmp/s3.json" -o "$tmp/merged.json" ||
		bad "report merge refuses the shards"
	python3 - "$tmp/all.json" "$tmp/merged.json" <<'PY' || bad "3 merged shards differ from the whole run"
import json, sys
skip = {"generated", "duration_ms", "shard", "wall_ms"}
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in skip}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
a, m = (strip(json.load(open(p))) for p in sys.argv[1:])
diff = [k for k in sorted(set(a) | set(m)) if a.get(k) != m.get(k)]
if diff:
    print("differs in:", ", ".join(diff))
    sys.exit(1)
PY
fi
[ $fail = 0 ] && echo "PASS: $n scenarios, $held/$tried fault points held${fault_paths[*]:+ (on ${fault_paths[*]})}"
exit $fail
