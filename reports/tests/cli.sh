#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ptharness report on the command line: render (JUnit valid against junit-10.xsd, KTAP and
# JUnit as their golden files, HTML files), merge of shards back to the run, input errors.
set -u
PTH=${1:?usage: cli.sh PTHARNESS PRP_SPLIT TESTS_DIR}
SPLIT=${2:?}
DIR=${3:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
not_ok() { echo "not ok - $1"; fail=$((fail + 1)); }

fixture=$DIR/result-fake.json

if "$PTH" report render "$fixture" --junit "$tmp/junit.xml" --ktap --html "$tmp/html" \
	>"$tmp/ktap" 2>"$tmp/err"; then
	ok "render all three"
else
	not_ok "render all three: $(cat "$tmp/err")"
fi
if xmllint --noout --schema "$DIR/junit-10.xsd" "$tmp/junit.xml" 2>"$tmp/xmllint"; then
	ok "JUnit XML validates against junit-10.xsd"
else
	not_ok "JUnit XML against junit-10.xsd:"; cat "$tmp/xmllint"
fi
# The schema is not a rubber stamp: properties inside a test case are refused.
sed 's|<system-out>|<properties/><system-out>|' "$tmp/junit.xml" >"$tmp/bad.xml"
if ! xmllint --noout --schema "$DIR/junit-10.xsd" "$tmp/bad.xml" 2>/dev/null; then
	ok "junit-10.xsd refuses <properties> in a <testcase>"
else
	not_ok "junit-10.xsd accepted <properties> in a <testcase>"
fi
cmp -s "$tmp/junit.xml" "$DIR/expected/result-fake.junit.xml" && ok "JUnit golden" ||
	{ not_ok "JUnit differs from the golden file:"; diff -u "$DIR/expected/result-fake.junit.xml" "$tmp/junit.xml" | head -20; }
cmp -s "$tmp/ktap" "$DIR/expected/result-fake.ktap" && ok "KTAP golden" ||
	{ not_ok "KTAP differs from the golden file:"; diff -u "$DIR/expected/result-fake.ktap" "$tmp/ktap" | head -20; }
for f in index.html host-lab-shared-initial.svg host-server-sriov.svg; do
	[ -s "$tmp/html/$f" ] && ok "html: $f written" || not_ok "html: $f missing"
done
xmllint --noout "$tmp/html/host-server-sriov.svg" 2>/dev/null && ok "the SVG file is well-formed XML" ||
	not_ok "the SVG file is not well-formed XML"

# Merge: split as `run --shard K/3` would, merge, compare with the whole run (shard {0, 3}).
canon() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["shard"]={"index":0,"count":int(sys.argv[2])}; print(json.dumps(d,sort_keys=True))' "$@"; }
for k in 1 2 3; do "$SPLIT" "$fixture" $k 3 >"$tmp/shard$k.json"; done
if "$PTH" report merge "$tmp/shard3.json" "$tmp/shard1.json" "$tmp/shard2.json" -o "$tmp/merged.json" 2>"$tmp/err" &&
	[ "$(canon "$tmp/merged.json" 3)" = "$(canon "$fixture" 3)" ]; then
	ok "merge of 3 shards is the whole run"
else
	not_ok "merge of 3 shards: $(cat "$tmp/err")"; diff <(canon "$fixture" 3 | python3 -m json.tool) <(canon "$tmp/merged.json" 3 | python3 -m json.tool) | head -20
fi

# Input errors: exit 2, one line on stderr naming the file, nothing on stdout.
check_err() { # NAME PATTERN -- ARGS...
	local name=$1 pat=$2
	shift 3
	"$PTH" "$@" >"$tmp/out" 2>"$tmp/err"
	local st=$?
	if [ $st = 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -qE -- "$pat" "$tmp/err"; then
		ok "$name"
	else
		not_ok "$name: exit $st, stderr: $(cat "$tmp/err")"
	fi
}
sed 's|"ptharness-result/1"|"ptharness-result/9"|' "$fixture" >"$tmp/v9.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["scenarios"][2]["steps"][0]["verb"]; json.dump(d,open(sys.argv[2],"w"))' "$fixture" "$tmp/noverb.json"
printf '{ "schema": \n' >"$tmp/truncated.json"
check_err "wrong schema version" "v9.json: member 'schema' is 'ptharness-result/9', expected 'ptharness-result/1'" -- report render "$tmp/v9.json" --ktap
check_err "missing member" "noverb.json: scenarios\[2\].steps\[0\]: member 'verb' is missing" -- report render "$tmp/noverb.json" --ktap
check_err "not JSON" "truncated.json:[0-9]+:[0-9]+: " -- report render "$tmp/truncated.json" --ktap
check_err "no such file" "nowhere.json" -- report render "$tmp/nowhere.json" --ktap
check_err "merge: a bad input" "v9.json: member 'schema'" -- report merge "$tmp/shard1.json" "$tmp/v9.json" -o "$tmp/m.json"
check_err "merge: twice the same shard" "is in inputs 1 and 2" -- report merge "$tmp/shard1.json" "$tmp/shard1.json" -o "$tmp/m.json"
check_err "merge without -o" "merge needs -o" -- report merge "$tmp/shard1.json"
check_err "render without a format" "nothing to render" -- report render "$fixture"
check_err "unknown option" "unknown option '--pdf'" -- report render "$fixture" --pdf
check_err "unknown subcommand" "unknown subcommand 'show'" -- report show "$fixture"
[ ! -e "$tmp/m.json" ] && ok "no output written after a failed merge" || not_ok "a failed merge wrote its output"
"$PTH" report --help | grep -q "report merge" && ok "--help" || not_ok "--help"

echo "# $pass passed, $fail failed"
[ $fail = 0 ]
