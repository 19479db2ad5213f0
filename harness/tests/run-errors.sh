#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `ptharness run` on broken scenarios: each is an error naming FILE:LINE:COLUMN and what was
# expected; the good one next to them still runs and passes; the exit status is 2.
set -u
PTH=${1:?usage: run-errors.sh PTHARNESS DIR}
DIR=${2:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PTH" run "$DIR" --json "$tmp/r.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
pass=0 fail=0
expect() { # PATTERN: a line of the output
	if grep -qE -- "$1" "$tmp/out"; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi
}
[ "$rc" = 2 ] && { pass=$((pass + 1)); echo "ok - exit status 2"; } || { fail=$((fail + 1)); echo "not ok - exit status $rc, wanted 2"; }
expect "^error yaml-syntax: .*/yaml-syntax.yaml:[0-9]+:[0-9]+: YAML: "
expect "^error unknown-key: .*/unknown-key.yaml:5:3: unknown key 'kernal' in host \(expected one of: recording, kernel, set, model, devices\)"
expect "^error unknown-verb: .*/unknown-verb.yaml:7:5: unknown verb 'frobnicate'"
expect "^error wrong-type: .*/wrong-type.yaml:6:45: 'force' takes true or false, not 'maybe'"
expect "^error missing-recording: .*/missing-recording.yaml:4:14: no such recording: "
expect "^error unknown-address: .*/unknown-address.yaml:7:23: unknown device address 0000:09:00.0"
expect "^error unknown-rule: .*/unknown-rule.yaml:8:15: unknown rule 'K-NO-SUCH-RULE'"
expect "^error unknown-error: .*/unknown-error.yaml:8:14: unknown error code 'group-not-viabel'"
# errors are counted apart from failures
expect "^scenarios: 1 passed, 0 failed, 8 errors, 0 skipped$"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s={x["id"]:x["status"] for x in d["scenarios"]}; assert s["good"]=="pass" and sum(v=="error" for v in s.values())==8 and d["summary"]["errors"]==8' "$tmp/r.json"; then
	pass=$((pass + 1)); echo "ok - result JSON: the good scenario passed, 8 errors"
else
	fail=$((fail + 1)); echo "not ok - result JSON"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
