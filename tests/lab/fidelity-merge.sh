#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ci/lab/fidelity without the lab: its private install of the binary (which must then find its
# report writers), the fake run, the merge, the reports and the comparison.
#
# usage: fidelity-merge.sh BUILD_DIR SOURCE_DIR
# What this covers, honestly: the lab side is not booted. It is replaced (--lab-results) by the
# fake results of the same scenarios relabelled as lab, so the first run must find fake and
# "lab" in agreement; then one scenario's lab result is changed as a kernel disagreeing with
# the model would change it, and the script must report that scenario and fail. QEMU, the
# guest script and the boot loop are covered by ci/lab/fidelity itself, in the lab.
set -euo pipefail
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd)
PTH=$BUILD/harness/ptharness
tmp=$(mktemp -d)
# The kernel matrix's replay (slow under ASan) once, for every ci/lab/fidelity run below.
PTH_MATRIX_SUMMARY="$tmp/kernel-matrix.tsv" "$BUILD/fakesys/tests/test-fakesys-matrix" \
	>"$tmp/kernel-matrix.log" 2>&1 || true
export PTH_MATRIX_SUMMARY_FROM="$tmp/kernel-matrix.tsv"
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# The lab-declared scenarios, as ci/lab/fidelity selects them, run on fake and relabelled.
mapfile -t files < <(cd "$SRC" && grep -rlE '^targets:.*\blab\b' scenarios --include='*.yaml' |
	grep -v '^scenarios/hosts/' | sort)
[[ ${#files[@]} -gt 0 ]] || { echo "FAIL: no lab-declared scenario"; exit 1; }
mkdir -p "$tmp/lab"
status=0
(cd "$SRC" && "$PTH" run --quiet --target fake --root scenarios --json "$tmp/fake.json" "${files[@]}") \
	> "$tmp/fake.log" 2>&1 || status=$?
[[ $status -le 1 ]] || { cat "$tmp/fake.log"; echo "FAIL: the fake run (status $status)"; exit 1; }
python3 - "$tmp/fake.json" "$tmp/lab/all.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
# As a lab run would write it (reports/tests/util.c on_lab() does the same): every
# scenario, the rules' exercised lists and the fidelity rows on the lab target.
r["target"] = "lab"
for s in r["scenarios"]:
    s["target"] = "lab"
for rule in r["rules"]:
    e = rule["exercised"]
    e["lab"], e["fake"] = e["fake"], []
for row in r.get("fidelity", []):
    row["lab"], row["fake"] = row["fake"], "none"
json.dump(r, open(sys.argv[2], "w"))
PY

# 1. Fake and "lab" the same: fidelity agrees, exit 0, every report written.
status=0
PTH_LAB_BUILD=$BUILD "$SRC/ci/lab/fidelity" --out "$tmp/out" --lab-results "$tmp/lab" \
	> "$tmp/agree.log" 2>&1 || status=$?
sed 's/^/  | /' "$tmp/agree.log"
[[ $status == 0 ]] && ok "fidelity agrees with identical results (exit 0)" ||
	fail "fidelity with identical results: exit $status"
grep -q "^PASS: fidelity" "$tmp/agree.log" && ok "PASS line" || fail "no PASS line"
# Issue 15: the kernel matrix's agreement per attribute and kernel, as data the report renders.
if grep -qE '^kernel matrix 6\.1: [0-9]+ attributes, [0-9]+ rows: [0-9]+ agree, [0-9]+ known differences' "$tmp/agree.log" &&
	grep -q 'id="kernel-matrix"' "$tmp/out/html/index.html" &&
	grep -q '"attribute" *: *"sriov_numvfs"' "$tmp/out/fidelity.json"; then
	ok "the kernel matrix per attribute and kernel: in the summary, fidelity.json and the HTML"
else
	fail "no kernel matrix section"
fi
grep -q "report merge failed" "$tmp/agree.log" && fail "report merge failed" || ok "the merge ran"
for f in fidelity.json junit.xml fidelity.ktap html/index.html; do
	[[ -s $tmp/out/$f ]] && ok "$f written" || fail "$f missing"
done
work=$tmp/out/work
[[ -x $work/install$(meson introspect "$BUILD" --buildoptions |
	python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')/bin/ptharness ]] &&
	ok "the binary ran from a private install, outside the build folder" ||
	fail "no private install of the binary"
python3 - "$tmp/out/fidelity.json" "${#files[@]}" <<'PY' && ok "the merge holds both targets" || fail "the merge"
import json, sys
m = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
assert m["target"] == "fake+lab", m["target"]
targets = [s["target"] for s in m["scenarios"]]
assert targets.count("fake") == n and targets.count("lab") == n, (targets.count("fake"), targets.count("lab"), n)
rows = m["fidelity"]
assert rows and all(r["agree"] is True for r in rows), [r for r in rows if r["agree"] is not True]
PY

# 2. One scenario where the "kernel" answered otherwise: a failing step with another errno.
victim=$(python3 - "$tmp/lab/all.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for s in r["scenarios"]:
    for st in s.get("steps", []):
        o = st.get("outcome")
        if s["status"] == "pass" and o and o.get("errno") not in ("EPERM",):
            o["errno"] = "EPERM"
            o["ok"] = False
            st["status"] = "fail"
            st.setdefault("failures", []).append(
                {"key": "ok", "expected": "true", "observed": "false"})
            s["status"] = "fail"
            json.dump(r, open(sys.argv[1], "w"))
            print(s["id"])
            sys.exit(0)
sys.exit(1)
PY
)
status=0
PTH_LAB_BUILD=$BUILD "$SRC/ci/lab/fidelity" --out "$tmp/out2" --lab-results "$tmp/lab" \
	> "$tmp/differ.log" 2>&1 || status=$?
[[ $status == 1 ]] && ok "a disagreement fails (exit 1)" || fail "a disagreement: exit $status"
grep -q "^  $victim: fake pass, lab fail .*\[OBSERVABLE\]" "$tmp/differ.log" &&
	ok "the differing scenario is named ($victim)" ||
	{ sed 's/^/  | /' "$tmp/differ.log"; fail "$victim not reported as differing"; }
grep -q "^FAIL: fidelity" "$tmp/differ.log" && ok "FAIL line" || fail "no FAIL line"

[[ $fails -eq 0 ]] || { echo "$fails checks failed"; exit 1; }
echo "ci/lab/fidelity merges, renders and compares (lab side given, not booted)"
