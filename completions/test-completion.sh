#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Drive the bash completion as bash does (COMP_WORDS, COMP_CWORD, then the function) and check
# what it offers: commands, options, option values, profiles and the --host's PCI addresses.
set -uo pipefail
PTH=$1 COMPLETION=$2 HOSTS=$3
fails=0
source "$COMPLETION" || { echo "FAIL: cannot source $COMPLETION"; exit 1; }
complete -p ptharness > /dev/null || { echo "FAIL: no completion registered for ptharness"; exit 1; }

# complete WORD... : the completions for the last word, one per line, sorted.
complete_words()
{
	COMP_WORDS=("$PTH" "$@")
	COMP_CWORD=$#
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_ptharness
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

# expect NAME "EXPECTED (space-separated, sorted)" WORD...
expect()
{
	local name=$1 want=$2
	shift 2
	local got
	got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
	if [[ $got == "$want" ]]; then
		echo "ok: $name"
	else
		echo "FAIL: $name: words [$*]: expected [$want], got [$got]"
		fails=$((fails + 1))
	fi
}

# contains NAME WORD WORDS... : the completions include WORD.
contains()
{
	local name=$1 want=$2
	shift 2
	if complete_words "$@" | grep -qxF -- "$want"; then
		echo "ok: $name"
	else
		echo "FAIL: $name: words [$*]: '$want' not offered (got: $(complete_words "$@" | tr '\n' ' '))"
		fails=$((fails + 1))
	fi
}

# Commands: what `ptharness --help` lists, filtered by the prefix.
expect "commands starting with re" "reattach record recover release replay report reset" re
contains "every command" certify ""
contains "every command" migrate-check ""
# Options of the command on the line, from its --help.
expect "run's options starting with --j" "--jobs --json --junit" run --j
contains "inspect --kernel" --kernel inspect --k
expect "no option of another command" "" inspect --dut
# Values from the usage line.
expect "run --target values" "fake lab live" run --target ""
expect "detach --method values" "new_id override" detach 0000:01:00.0 --method ""
expect "run --faults" "all" run --faults ""
# Profiles.
expect "certify --profile" "generic gpu nic nvme" certify 0000:01:00.0 --profile ""
# PCI addresses of the host given with --host: a recording (20 devices, 14 PCI functions).
rec=$HOSTS/lab-shared-initial.umockdev
expect "addresses of the recording, by prefix" "0000:01:00.0 0000:01:00.1" \
	detach --host "$rec" 0000:01
expect "addresses with --host=FILE" "0000:04:01.0 0000:04:02.0" reset --host="$rec" 0000:04
expect "a list's last element" "0000:01:00.0,0000:04:01.0 0000:01:00.0,0000:04:02.0" \
	attach --host "$rec" --vm vm1 --devices 0000:01:00.0,0000:04:0
sriov=$HOSTS/lab-sriov-2vfs.umockdev
expect "select-vf --pf on another recording" "0000:02:00.0 0000:02:00.1 0000:02:00.2" \
	select-vf --host "$sriov" --pf 0000:02
# A captured tree: its sys/bus/pci/devices.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tree/sys/bus/pci/devices/0000:05:00.0" "$tmp/tree/sys/bus/pci/devices/0000:05:00.1"
expect "addresses of a captured tree" "0000:05:00.0 0000:05:00.1" vfio-open --host "$tmp/tree" 0000
# A missing recording offers nothing (and prints nothing).
expect "a missing host" "" detach --host "$tmp/none.umockdev" 0000
# report's sub-commands.
expect "report" "merge render" report ""

# zsh: the same function through bashcompinit's compgen (its emulation: ksh arrays, sh
# splitting). zsh filters by the word itself, so the check does too.
if command -v zsh > /dev/null; then
	zsh_expect()
	{
		local name=$1 want=$2 got
		shift 2
		got=$(zsh -f -c '
			autoload -Uz compinit && compinit -u -D
			autoload -Uz bashcompinit && bashcompinit
			source "$1"; shift
			COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
			compgen -F _ptharness -- "${@[-1]}" | grep -F -- "${@[-1]}" | grep -- "^${@[-1]}" | sort
		' zsh "$COMPLETION" "$PTH" "$@" | tr '\n' ' ' | sed 's/ $//')
		if [[ $got == "$want" ]]; then
			echo "ok: zsh: $name"
		else
			echo "FAIL: zsh: $name: words [$*]: expected [$want], got [$got]"
			fails=$((fails + 1))
		fi
	}
	zsh_expect "commands starting with re" "reattach record recover release replay report reset" re
	zsh_expect "run --target values" "fake lab live" run --target ""
	zsh_expect "addresses of the recording" "0000:01:00.0 0000:01:00.1" detach --host "$rec" 0000:01
	zsh_expect "certify --profile" "generic gpu nic nvme" certify 0000:01:00.0 --profile ""
	grep -q '^#compdef ptharness' "$(dirname "$COMPLETION")/_ptharness" && echo "ok: zsh: _ptharness is a completion function" ||
		{ echo "FAIL: zsh: _ptharness lacks #compdef"; fails=$((fails + 1)); }
else
	echo "skip: zsh checks (zsh is not installed)"
fi

[[ $fails -eq 0 ]] || { echo "$fails completion checks failed"; exit 1; }
echo "all completion checks passed"
