#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The HTML report in a real browser: headless Chromium loads index.html and the DOM it renders
# shows the summary banner and the topology SVGs. SKIPs (77) when Chromium is not installed.
set -u
PTH=${1:?usage: chromium.sh PTHARNESS RESULT.json}
RESULT=${2:?}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
	echo "SKIP: no chromium (ci/deps installs Debian's chromium)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PTH" report render "$RESULT" --html "$tmp/html" || exit 1
run() { # chromium flags for a sandbox-less CI container, nothing fetched or synced
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-dev-shm-usage --user-data-dir="$tmp/profile" "$@" 2>"$tmp/chromium.log"
}
if ! run --dump-dom "file://$tmp/html/index.html" >"$tmp/dom.html" || [ ! -s "$tmp/dom.html" ]; then
	echo "not ok - chromium could not render the page:"; tail -5 "$tmp/chromium.log"
	exit 1
fi
fail=0
check() { # NAME COUNT_WANTED(min) PATTERN
	local n
	n=$(grep -oE -- "$3" "$tmp/dom.html" | wc -l)
	if [ "$n" -ge "$2" ]; then echo "ok - $1 ($n)"; else echo "not ok - $1: $n, wanted >= $2"; fail=1; fi
}
check "the summary section" 1 '<section id="summary">'
check "the pass/fail banner" 1 '<div class="banner (pass|fail)">(PASSED|FAILED): '
check "a topology picture (inline <svg>)" 1 '<svg [^>]*viewBox='
check "an IOMMU group box in it" 1 'class="cluster"'
check "the rule coverage table" 1 '<table class="rules">'
if [ -n "${PTH_SCREENSHOT:-}" ]; then
	run --window-size=1280,3000 --screenshot="$PTH_SCREENSHOT" "file://$tmp/html/index.html" >/dev/null &&
		echo "# screenshot: $PTH_SCREENSHOT"
fi
exit $fail
