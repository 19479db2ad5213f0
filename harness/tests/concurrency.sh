#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Concurrent users of one host: parallel ptharness processes changing one recorded host in place
# (--host X --save X) never lose each other's changes or state entries; one that cannot get the
# host's lock, or its group's, in time says who holds it and exits 2; a command on another
# group than the one held runs without waiting.
set -u
PTH=${1:?usage: concurrency.sh PTHARNESS HOSTS_DIR}
HOSTS=${2:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() { echo "not ok - $1"; fail=$((fail + 1)); }

X=$tmp/host.umockdev
cp "$HOSTS/lab-shared-initial.umockdev" "$X"
# Every endpoint on a host driver that is not a stub and not one the host needs.
mapfile -t devs < <("$PTH" inspect --json --host "$X" | python3 -c '
import json, sys
for d in json.load(sys.stdin)["devices"]:
    if d["driver"] and not d["driver"].startswith("vfio") and int(d["class"], 16) >> 16 != 6 \
            and not d["host_critical"] and not d["physfn"]:
        print(d["address"])')
if [ ${#devs[@]} -lt 3 ]; then
	bad "lab-shared-initial has ${#devs[@]} devices to detach, wanted 3 or more"
	exit 1
fi

# 1. One detach per device, all at once, each rewriting the same host and state file.
pids=()
for d in "${devs[@]}"; do
	"$PTH" detach "$d" --host "$X" --save "$X" --wait 60 >"$tmp/out.$d" 2>&1 &
	pids+=($!)
done
st=0
for p in "${pids[@]}"; do wait "$p" || st=1; done
if [ $st = 0 ]; then ok "${#devs[@]} parallel detaches all succeeded"; else
	bad "a parallel detach failed"; cat "$tmp"/out.*
fi
python3 - "$X" "${devs[@]}" <<'PY' && ok "every detach is in the host and in its state" || bad "a detach was lost"
import json, sys
host, devs = sys.argv[1], sys.argv[2:]
st = json.load(open(host + ".state.json"))["body"]
kept = sorted(d["address"] for d in st["detached"])
assert kept == sorted(devs), f"state has {kept}, wanted {sorted(devs)}"
PY
drivers=$("$PTH" inspect --json --host "$X" | python3 -c '
import json, sys
want = set(sys.argv[1:])
print(sorted({d["driver"] for d in json.load(sys.stdin)["devices"] if d["address"] in want}))' "${devs[@]}")
if [ "$drivers" = "['vfio-pci']" ]; then ok "all of them are on vfio-pci in the host"; else
	bad "drivers after the parallel detaches: $drivers"
fi

# 2. Parallel reattaches give every one back, and the state forgets each.
pids=()
for d in "${devs[@]}"; do
	"$PTH" reattach "$d" --host "$X" --save "$X" --wait 60 >"$tmp/out.$d" 2>&1 &
	pids+=($!)
done
st=0
for p in "${pids[@]}"; do wait "$p" || st=1; done
left=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["body"]["detached"]))' "$X.state.json")
if [ $st = 0 ] && [ "$left" = 0 ]; then ok "parallel reattaches: all back, state empty"; else
	bad "parallel reattaches: exit $st, $left left in the state"; cat "$tmp"/out.*
fi
cmp <("$PTH" inspect --json --host "$X" | grep -v '"source"') \
	<("$PTH" inspect --json --host "$HOSTS/lab-shared-initial.umockdev" | grep -v '"source"') >/dev/null &&
	ok "the host is as it started" || bad "the host differs from its start"

# 3. A holder that keeps the lock: the next one waits --wait seconds, then names it, exit 2.
echo "4242 attach" >"$X.state.json.lock"
flock "$X.state.json.lock" sleep 5 &
holder=$!
sleep 0.5
start=$(date +%s%N)
"$PTH" detach "${devs[0]}" --host "$X" --save "$X" --wait 1 >"$tmp/out" 2>"$tmp/err"
got=$?
ms=$((($(date +%s%N) - start) / 1000000))
if [ $got = 2 ] && grep -q "busy: held by pid 4242 (attach)" "$tmp/err" && [ ! -s "$tmp/out" ] &&
	[ $ms -ge 900 ]; then
	ok "busy after ${ms} ms: $(cat "$tmp/err")"
else
	bad "busy: exit $got after ${ms} ms: $(cat "$tmp/err")"
fi
wait $holder

# 4. Per group: a command holding one device's group (its lock, as a running detach holds it)
# leaves a command on another group to run at once, and one on the same group waits --wait,
# then names the holder.
group_of() {
	"$PTH" inspect --json --host "$X" | python3 -c '
import json, sys
print([d["iommu_group"] for d in json.load(sys.stdin)["devices"] if d["address"] == sys.argv[1]][0])' "$1"
}
g0=$(group_of "${devs[0]}")
other=""
for d in "${devs[@]:1}"; do [ "$(group_of "$d")" != "$g0" ] && { other=$d; break; }; done
echo "4343 detach" >"$X.state.json.group-$g0.lock"
flock "$X.state.json.group-$g0.lock" sleep 6 &
holder=$!
sleep 0.5
start=$(date +%s%N)
"$PTH" detach "$other" --host "$X" --save "$X" --wait 3 >"$tmp/out" 2>"$tmp/err"
got=$?
ms=$((($(date +%s%N) - start) / 1000000))
if [ -n "$other" ] && [ $got = 0 ] && [ $ms -lt 2500 ]; then
	ok "group $g0 held: $other (group $(group_of "$other")) detached in ${ms} ms, not waiting"
else
	bad "another group: $other exit $got after ${ms} ms: $(cat "$tmp/err")"
fi
start=$(date +%s%N)
"$PTH" detach "${devs[0]}" --host "$X" --save "$X" --wait 1 >"$tmp/out" 2>"$tmp/err"
got=$?
ms=$((($(date +%s%N) - start) / 1000000))
if [ $got = 2 ] && grep -q "busy: held by pid 4343 (detach)" "$tmp/err" && [ $ms -ge 900 ]; then
	ok "the same group: busy after ${ms} ms: $(cat "$tmp/err")"
else
	bad "the same group: exit $got after ${ms} ms: $(cat "$tmp/err")"
fi
wait $holder
python3 - "$X" "$other" <<'PY' && ok "the state keeps the detach of the other group, no journal left" || bad "state after the group test"
import json, sys
st = json.load(open(sys.argv[1] + ".state.json"))["body"]
assert [d["address"] for d in st["detached"]] == [sys.argv[2]], st["detached"]
assert st["pending"] is None, st["pending"]
PY

# Read-only commands never wait for the lock.
if "$PTH" inspect --host "$X" >/dev/null; then ok "inspect does not take the lock"; else bad "inspect failed"; fi

echo "# $pass passed, $fail failed"
[ $fail = 0 ]
