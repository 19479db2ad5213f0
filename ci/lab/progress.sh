# SPDX-License-Identifier: LGPL-2.1-or-later
# ci/lab/progress.sh: one updating progress line on a terminal for the lab's long commands (sourced).
#
# The style of `ptharness run`'s line (harness/progress.c): "[37/182] WHAT 20%, 1.2/s, about 2m05s
# left", drawn in place on stderr, and only when stderr is a terminal, CI is unset and the caller
# did not ask for quiet (PROGRESS_QUIET=1). The estimate is the items left at the average rate so
# far; before the first item is done (or the first second has passed) there is none. A lab item
# (a boot) takes a minute or more, so while one runs a ticker in the background redraws the line
# every second with a count it reads (progress_tick) and the running item's own time.

PROGRESS_ON=0
PROGRESS_PID=""
PROGRESS_WIDTH=0

# progress_start WHAT TOTAL
progress_start() {
	PROGRESS_WHAT=$1
	PROGRESS_TOTAL=$2
	PROGRESS_T0=$(date +%s.%N)
	PROGRESS_ON=0
	if [[ -t 2 && -z ${CI:-} && ${PROGRESS_QUIET:-0} != 1 ]]; then
		PROGRESS_ON=1
	fi
}

# progress_format DONE TOTAL WHAT ELAPSED_S [NOTE]: the line, as progress.c formats it.
progress_format() {
	awk -v d="$1" -v t="$2" -v w="$3" -v s="$4" -v note="${5:-}" '
		function dur(x) {
			x = int(x + 0.5)
			if (x < 60) return x "s"
			if (x < 3600) return sprintf("%dm%02ds", x / 60, x % 60)
			return sprintf("%dh%02dm", x / 3600, (x / 60) % 60)
		}
		BEGIN {
			pct = t > 0 ? int(d * 100 / t) : 100
			line = sprintf("[%d/%s] %s", d, t > 0 ? t : "?", w)
			if (t > 0) line = line sprintf(" %d%%", pct)
			if (d > 0 && s >= 1) {
				line = line sprintf(", %.1f/s", d / s)
				if (t > 0) line = line ", about " dur((t - (d < t ? d : t)) * s / d) " left"
			}
			if (note != "") line = line " (" note ")"
			print line
		}'
}

# progress_draw DONE [NOTE]
progress_draw() {
	[[ $PROGRESS_ON == 1 ]] || return 0
	local line elapsed
	elapsed=$(awk -v a="$PROGRESS_T0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
	line=$(progress_format "$1" "$PROGRESS_TOTAL" "$PROGRESS_WHAT" "$elapsed" "${2:-}")
	printf '\r%s\033[K' "$line" >&2
}

# progress_tick COUNT_COMMAND NOTE: redraw every second in the background, DONE being what
# COUNT_COMMAND prints (evaluated each time) and NOTE followed by the running item's seconds.
progress_tick() {
	[[ $PROGRESS_ON == 1 ]] || return 0
	progress_untick
	local count=$1 note=$2
	(
		t=$(date +%s)
		trap 'exit 0' TERM
		while :; do
			progress_draw "$(eval "$count" 2> /dev/null || echo 0)" "$note $(($(date +%s) - t))s"
			sleep 1
		done
	) &
	PROGRESS_PID=$!
}

# progress_untick: stop the ticker and blank the line (before anything else is printed).
progress_untick() {
	[[ $PROGRESS_ON == 1 ]] || return 0
	if [[ -n $PROGRESS_PID ]]; then
		kill "$PROGRESS_PID" 2> /dev/null
		wait "$PROGRESS_PID" 2> /dev/null
		PROGRESS_PID=""
	fi
	printf '\r\033[K' >&2
}
