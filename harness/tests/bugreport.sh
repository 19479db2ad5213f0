#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# record --bug-report on lab recordings: import reads the bundle back and inspect --json gives
# what it gives on the recording itself; serials, MACs and the host name are redacted unless
# --no-redact; --help says what the bundle discloses.
# Usage: bugreport.sh PTHARNESS HOSTS_DIR LSPCI_DUMPS_DIR
set -u
pth=$1
hosts=$2
dumps=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

bad() {
	echo "FAIL: $*"
	fail=1
}

same_inspect() {
	"$pth" inspect --host "$1" --json >"$tmp/a.json" || bad "inspect $1"
	"$pth" inspect --host "$2" --json >"$tmp/b.json" || bad "inspect $2"
	python3 - "$tmp/a.json" "$tmp/b.json" <<'PY' || bad "inspect --json of $1 and of its bundle differ"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
a.pop("source", None); b.pop("source", None)
sys.exit(0 if a == b else 1)
PY
}

for name in lab-shared-initial lab-sriov-2vfs workstation-gpu; do
	rec="$hosts/$name.umockdev"
	"$pth" record --bug-report --host "$rec" -o "$tmp/$name.bundle" || bad "record --bug-report $name"
	"$pth" import "$tmp/$name.bundle" -o "$tmp/$name.imported" || bad "import $name bundle"
	same_inspect "$rec" "$tmp/$name.imported"
	for section in kernel_log kernel_config modules redacted; do
		grep -q "^A: bugreport/$section=" "$tmp/$name.bundle" || bad "$name: no $section section"
	done
	echo "ok   $name: bundle imported, inspect --json equal"
done

# MAC addresses (lab-shared-initial's NICs).
grep -q '52:54:00:12:34:5' "$tmp/lab-shared-initial.bundle" && bad "a MAC address left in the bundle"
grep -q 'address=XX:XX:XX:XX:XX:XX' "$tmp/lab-shared-initial.bundle" || bad "MAC not replaced"
"$pth" record --bug-report --no-redact --host "$hosts/lab-shared-initial.umockdev" -o "$tmp/open" ||
	bad "record --no-redact"
grep -q '52:54:00:12:34:56' "$tmp/open" || bad "--no-redact dropped the MAC address"
grep -q 'bugreport/redacted=nothing' "$tmp/open" || bad "--no-redact not said in the bundle"

# The Device Serial Number capability of pciutils' 82576 dump (4c-17-12-ff-ff-21-1b-00 at
# 0x144): zero in the bundle, kept with --no-redact.
dsn() {
	python3 -c 'import re,sys
h = re.search(r"^H: config=([0-9A-F]+)", open(sys.argv[1]).read(), re.M).group(1)
print(h[0x144 * 2:0x14c * 2])' "$1"
}
"$pth" import -q "$dumps/cap-pcie-2" -o "$tmp/nic.rec" 2>/dev/null || bad "import cap-pcie-2"
"$pth" record --bug-report --host "$tmp/nic.rec" -o "$tmp/nic.bundle" || bad "record nic"
"$pth" record --bug-report --no-redact --host "$tmp/nic.rec" -o "$tmp/nic.open" || bad "record nic"
[ "$(dsn "$tmp/nic.bundle")" = 0000000000000000 ] || bad "DSN left: $(dsn "$tmp/nic.bundle")"
[ "$(dsn "$tmp/nic.open")" = 4C1712FFFF211B00 ] || bad "DSN with --no-redact: $(dsn "$tmp/nic.open")"
echo "ok   redaction"

"$pth" record --help | grep -q "discloses" || bad "record --help does not say what the bundle discloses"
exit $fail
