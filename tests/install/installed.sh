#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The installed tree works alone: meson install into a temporary DESTDIR, then, with the source
# and build folders out of reach, the installed ptharness finds its profiles, its suite and its
# report writers.
#
# usage: installed.sh BUILD_DIR SOURCE_DIR
# "Out of reach": a private mount namespace (unshare -m, as root or in a user namespace) mounts
# an empty tmpfs over both folders, which is what renaming them away would do without
# disturbing the other tests running from them. Without namespaces the test is skipped (77).
set -euo pipefail

if [[ ${1:-} != --inside ]]; then
	BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd)
	if unshare -m true 2>/dev/null; then
		ns=(unshare -m)
	elif unshare -rm true 2>/dev/null; then
		ns=(unshare -rm)
	else
		echo "SKIP: no mount namespace (unshare -m and unshare -rm refused)"
		exit 77
	fi
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	meson install -C "$BUILD" --no-rebuild --quiet --destdir "$tmp/dest" > "$tmp/install.log" 2>&1 ||
		{ cat "$tmp/install.log"; echo "FAIL: meson install"; exit 1; }
	prefix=$(meson introspect "$BUILD" --buildoptions |
		python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
	# Sanitizer suppression files named in the environment live in the source tree: copy them.
	mkdir -p "$tmp/supp"
	for var in ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS; do
		[[ -n ${!var:-} ]] || continue
		IFS=: read -ra fields <<< "${!var}"
		for i in "${!fields[@]}"; do
			if [[ ${fields[i]} == suppressions=* ]]; then
				cp "${fields[i]#suppressions=}" "$tmp/supp/$var.supp"
				fields[i]=suppressions=$tmp/supp/$var.supp
			fi
		done
		export "$var=$(IFS=:; echo "${fields[*]}")"
	done
	[[ ! -f $BUILD/doc/man/ptharness.1 ]] || touch "$tmp/man-built"
	# The script itself runs from the source tree: copy it out before hiding that.
	cp "${BASH_SOURCE[0]}" "$tmp/installed.sh"
	exec "${ns[@]}" bash "$tmp/installed.sh" --inside "$BUILD" "$SRC" "$tmp" "$prefix"
fi

# Inside the namespace.
shift
BUILD=$1 SRC=$2 tmp=$3 prefix=$4
mount -t tmpfs none "$SRC"
mount -t tmpfs none "$BUILD" 2>/dev/null || true # the build folder may be inside the source
root=$tmp/dest$prefix
PTH=$root/bin/ptharness
fails=0
check()
{
	if "$@"; then echo "ok: ${desc}"; else echo "FAIL: ${desc}"; fails=$((fails + 1)); fi
}
cd "$tmp"
desc="source and build folders are out of reach" check test ! -e "$SRC/meson.build" -a ! -e "$BUILD/build.ninja"
desc="the binary is installed" check test -x "$PTH"
desc="the report module is installed" check test -n "$(find "$root" -name 'libptharness-reports.so' -path '*/ptharness/*')"
desc="the suite is installed" check test -d "$root/share/ptharness/scenarios/hosts"
desc="the profiles are installed" check test -d "$root/share/ptharness/scenarios/certify/generic" -a -d "$root/share/ptharness/scenarios/certify/gpu"
man=1
[[ -f $tmp/man-built ]] || man=0
desc="the man pages are installed (or were not built: -Dman=disabled)" check test $man = 0 -o -f "$root/share/man/man1/ptharness.1" -a -f "$root/share/man/man5/ptharness-scenario.5" -a -f "$root/share/man/man5/ptharness-recording.5"
desc="the bash completion is installed" check test -f "$root/share/bash-completion/completions/ptharness"
desc="the zsh completion is installed beside it" check test -f "$root/share/zsh/vendor-completions/_ptharness" -a -f "$root/share/zsh/vendor-completions/../../bash-completion/completions/ptharness"

# certify --dry-run finds its profile (an SR-IOV NIC of a bundled recording).
host=$root/share/ptharness/scenarios/hosts/lab-sriov-2vfs.umockdev
status=0
"$PTH" certify 0000:02:00.0 --host "$host" --profile nic --dry-run > certify.out 2> certify.err || status=$?
desc="certify --dry-run finds the nic profile (status $status: $(head -c 300 certify.err))" check test "$status" = 0
desc="certify --dry-run lists the profile's checks" check grep -q "CERT-" certify.out

# run with no PATH: the installed suite, with every report.
status=0
"$PTH" run -j 2 --quiet --json result.json --junit junit.xml --ktap --html html > result.ktap 2> run.err || status=$?
desc="run finds the installed suite and passes (status $status: $(tail -c 300 run.err))" check test "$status" = 0
summary=$(python3 -c 'import json; s=json.load(open("result.json"))["summary"]; print(s["scenarios"], s["passed"], s["failed"], s["errors"])' 2>/dev/null || echo "0 0 1 1")
read -r total passed failed errors <<< "$summary"
echo "installed suite: $total scenarios, $passed passed, $failed failed, $errors errors"
desc="the installed suite ran scenarios" check test "$total" -gt 100
desc="none failed" check test "$failed" = 0 -a "$errors" = 0
desc="JUnit written" check grep -q "<testsuites" junit.xml
desc="KTAP written" check grep -q "^KTAP version 1" result.ktap
desc="HTML written" check grep -q "<html" html/index.html

# The reports render again from the result (the module found from the installed binary).
rm -rf html2
status=0
"$PTH" report render result.json --junit junit2.xml --html html2 --ktap > r2.ktap 2> render.err || status=$?
desc="report render (status $status: $(head -c 300 render.err))" check test "$status" = 0 -a -s junit2.xml -a -s html2/index.html -a -s r2.ktap

# A copy of the binary with the module beside it (a private copy) finds it there; a lone copy
# says where it looked.
mkdir -p copy lone
cp "$PTH" copy/ && cp "$(find "$root" -name 'libptharness-reports.so' | head -n1)" copy/
cp "$PTH" lone/
status=0
copy/ptharness report render result.json --ktap > copy.ktap 2> copy.err || status=$?
desc="a copy with the module beside it renders (status $status: $(head -c 300 copy.err))" check test "$status" = 0 -a -s copy.ktap
status=0
lone/ptharness report render result.json --ktap > lone.ktap 2> lone.err || status=$?
desc="a lone copy fails with status 2 (got $status)" check test "$status" = 2
desc="and names where it looked: $(head -c 300 lone.err)" check grep -q "cannot find the report writers.*not at $tmp/lone/libptharness-reports.so" lone.err

[[ $fails -eq 0 ]] || { echo "$fails checks failed"; exit 1; }
echo "the installed tree works without the source and build folders"
