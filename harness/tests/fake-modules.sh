#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What a program under ptharness fake finds in /lib/modules: the recording's modules.alias
# under /lib/modules/$(uname -r)/, as libvirt reads it (virPCIDeviceFindBestVFIOVariant), and
# nothing of the machine's (namespace: the whole tree; preload: what open(2) reaches). The engine on the "live"
# host inside the fake picks the same vfio-pci variant as on the recording; a recording
# without modules.alias shows no file (the variant is unknown), even when the machine has one.
#
# Usage: fake-modules.sh PTHARNESS HOSTS_DIR. Exit 77 (skip) without root or FUSE.
set -uo pipefail
PTH=${1:?usage: fake-modules.sh PTHARNESS HOSTS_DIR}
WITH=$2/server-mlx5-aliases.umockdev # a ConnectX PF and its VFs, mlx5_vfio_pci's alias
WITHOUT=$2/server-mlx5.umockdev # the same host recorded without modules.alias
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:verify_asan_link_order=0"

[ -c /dev/fuse ] || { echo "1..0 # SKIP no /dev/fuse"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP the namespace mode needs root"; exit 77; }
"$PTH" fake --host "$WITH" --via namespace -- true 2>/dev/null ||
	{ echo "1..0 # SKIP ptharness fake --via namespace does not run here"; exit 77; }

fail=0 n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }

# Each device's vfio_variant from inspect --json, one "ADDRESS VARIANT" line per device.
variants() {
	python3 -c '
import json, sys
for d in json.load(sys.stdin)["devices"]:
    print(d["address"], d.get("vfio_variant"))'
}

# The recording's own lines: the "lib/modules/RELEASE/modules.alias=" attribute, \n decoded.
recorded_lines() {
	printf '%b' "$(sed -n 's|^A: lib/modules/[^/]*/modules\.alias=||p' "$1")"
}

# RUN: a command line that runs ptharness fake (the machine as it is, or with /lib/modules).
check_host() { # LABEL RUN...
	local label=$1
	shift
	"$PTH" inspect --host "$WITH" --json | variants >"$tmp/rec"
	"$@" --host "$WITH" --via namespace -- "$PTH" inspect --host live --json | variants \
		>"$tmp/fake"
	if grep -q ' mlx5_vfio_pci$' "$tmp/rec" && cmp -s "$tmp/rec" "$tmp/fake"; then
		ok "$label: inspect --host live under fake picks the recording's variants"
	else
		notok "$label: inspect --host live under fake picks other variants"
		diff "$tmp/rec" "$tmp/fake"
	fi
	recorded_lines "$WITH" >"$tmp/lines"
	for via in namespace preload; do
		"$@" --host "$WITH" --via $via -- sh -c \
			'grep vfio_pci: "/lib/modules/$(uname -r)/modules.alias"' >"$tmp/grep" 2>&1
		if [ -s "$tmp/lines" ] && cmp -s "$tmp/lines" "$tmp/grep"; then
			ok "$label, $via: grep vfio_pci: /lib/modules/\$(uname -r)/modules.alias: the recorded lines"
		else
			notok "$label, $via: grep in /lib/modules/\$(uname -r)/modules.alias"
			diff "$tmp/lines" "$tmp/grep"
		fi
		if "$@" --host "$WITHOUT" --via $via -- sh -c \
			'! cat "/lib/modules/$(uname -r)/modules.alias" 2>/dev/null'; then
			ok "$label, $via: without a recorded modules.alias there is no file"
		else
			notok "$label, $via: without a recorded modules.alias a modules.alias is shown"
		fi
	done
	"$@" --host "$WITHOUT" --via namespace -- "$PTH" inspect --host live --json | variants \
		>"$tmp/fake"
	if [ -s "$tmp/fake" ] && ! grep -qv ' None$' "$tmp/fake"; then
		ok "$label: without a recorded modules.alias every variant is unknown"
	else
		notok "$label: without a recorded modules.alias a variant is known"
		grep -v ' None$' "$tmp/fake"
	fi
	if "$@" --host "$WITHOUT" --via namespace -- sh -c \
		'test ! -e "/lib/modules/$(uname -r)/modules.alias"'; then
		ok "$label: without a recorded modules.alias, not even stat(2) finds one"
	else
		notok "$label: without a recorded modules.alias stat(2) finds one"
	fi
}

check_host "machine as it is" "$PTH" fake

# A machine with its own /lib/modules/$(uname -r)/modules.alias, naming another variant for
# every device: made in a private mount namespace with an overlay (nothing of the machine's
# changes). The fake shows the recording's file, or none, never this one.
lib=$(realpath /lib)
mkdir -p "$tmp/up/modules/$(uname -r)" "$tmp/bin"
echo 'alias vfio_pci:v*d*sv*sd*bc*sc*i* machines_vfio_pci' \
	>"$tmp/up/modules/$(uname -r)/modules.alias"
cat >"$tmp/bin/with-modules" <<EOF
#!/bin/sh
mount -t overlay overlay -o "lowerdir=$tmp/up:$lib" "$lib" && exec "\$@"
EOF
chmod +x "$tmp/bin/with-modules"
if unshare -m "$tmp/bin/with-modules" grep -q machines_vfio_pci \
	"/lib/modules/$(uname -r)/modules.alias" 2>/dev/null; then
	check_host "machine with /lib/modules" unshare -m "$tmp/bin/with-modules" "$PTH" fake
else
	echo "# the machine's own /lib/modules: no overlay on $lib here, not checked"
fi
echo "1..$n"
exit $fail
