# SPDX-License-Identifier: LGPL-2.1-or-later
# Bash completion for ptharness: commands, options, their values, PCI addresses, profiles.
#
# The plan: nothing is listed twice. Commands come from `ptharness --help`, a command's options
# from `ptharness CMD --help`, an option's fixed values from its usage line ("--target
# fake|lab|live"), so the completion follows the binary it completes. PCI addresses come from
# the host the command line names with --host: a recording's P: lines, a captured tree's
# sys/bus/pci/devices, or this machine's. Works with or without the bash-completion package.

# The help text of "$@", once per shell and command.
declare -gA _ptharness_help_cache
_ptharness_help()
{
	local key="cmd:$*"
	if [[ -z ${_ptharness_help_cache[$key]+set} ]]; then
		_ptharness_help_cache[$key]=$("$_ptharness_bin" "$@" --help 2>/dev/null)
	fi
	printf '%s\n' "${_ptharness_help_cache[$key]}"
}

_ptharness_commands()
{
	_ptharness_help | sed -n '/^Commands:/,$ s/^  \([a-z][a-z-]*\) .*/\1/p'
}

_ptharness_options()
{
	_ptharness_help "$1" | grep -oE '(^|[^[:alnum:]-])--?[[:alpha:]][[:alnum:]-]*' |
		sed -E 's/^[^-]+//' | grep -vx -- '--help' | sort -u
}

# The values in "[--OPT a|b|c]" of the command's usage, upper-case placeholders left out.
_ptharness_values()
{
	_ptharness_help "$1" | grep -oE -- "$2 [[:alnum:]_|-]+\\|[[:alnum:]_|-]+" | head -n1 |
		cut -d' ' -f2 | tr '|' '\n' | grep -v '^[[:upper:]]'
}

# The PCI addresses of the host given with --host (a recording, a tree, or live).
_ptharness_addresses()
{
	local host=live i
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		if [[ ${COMP_WORDS[i]} == --host ]]; then
			host=${COMP_WORDS[i + 1]}
		elif [[ ${COMP_WORDS[i]} == --host=* ]]; then
			host=${COMP_WORDS[i]#--host=}
		fi
	done
	host=${host/#\~/$HOME}
	local re='[[:xdigit:]]{4}:[[:xdigit:]]{2}:[[:xdigit:]]{2}\.[0-7]'
	if [[ $host == live ]]; then
		ls /sys/bus/pci/devices 2>/dev/null
	elif [[ -d $host ]]; then
		ls "$host/sys/bus/pci/devices" 2>/dev/null
	elif [[ -f $host ]]; then
		grep -E "^P: .*/$re\$" "$host" 2>/dev/null | grep -oE "$re\$"
	fi
}

# Complete the last element of a comma-separated list from the words given.
_ptharness_list()
{
	local cur=$1 words=$2 prefix=
	[[ $cur == *,* ]] && prefix=${cur%,*},
	local IFS=$'\n'
	COMPREPLY=($(compgen -P "$prefix" -W "$words" -- "${cur##*,}"))
}

_ptharness()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	local _ptharness_bin=${COMP_WORDS[0]}
	local IFS=$'\n'
	COMPREPLY=()

	if ((COMP_CWORD == 1)); then
		COMPREPLY=($(compgen -W "$(_ptharness_commands)"$'\n'"--help"$'\n'"--version" -- "$cur"))
		return 0
	fi
	local cmd=${COMP_WORDS[1]}

	case $prev in
	--host | --to)
		COMPREPLY=($(compgen -W "live" -- "$cur") $(compgen -f -- "$cur"))
		return 0 ;;
	--json | --junit | --save | --state | --faults | --output | -o)
		if [[ $prev == --faults && $cmd == run ]]; then
			COMPREPLY=($(compgen -W "all" -- "$cur"))
		elif [[ $prev != --json || $cmd == run || $cmd == certify ]]; then
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		# A bare --json is a flag on the other commands: complete the next word normally.
		[[ $prev == --json && $cmd != run ]] || return 0 ;;
	--html | --out | --root | --profile-dir)
		COMPREPLY=($(compgen -d -- "$cur"))
		return 0 ;;
	--profile)
		COMPREPLY=($(compgen -W "$(_ptharness_values certify --profile)" -- "$cur"))
		return 0 ;;
	--pf | --same-address | --dut | --devices | --failover | --attach)
		_ptharness_list "$cur" "$(_ptharness_addresses)"
		return 0 ;;
	--*)
		local values
		values=$(_ptharness_values "$cmd" "$prev")
		if [[ -n $values ]]; then
			COMPREPLY=($(compgen -W "$values" -- "$cur"))
			return 0
		fi ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_ptharness_options "$cmd")" -- "$cur"))
		return 0
	fi
	case $cmd in
	detach | reattach | reset | vfio-open | set-numvfs | certify)
		COMPREPLY=($(compgen -W "$(_ptharness_addresses)" -- "$cur")) ;;
	record)
		COMPREPLY=($(compgen -W "$(_ptharness_addresses)" -- "$cur")) ;;
	run | replay | inspect)
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	report)
		if ((COMP_CWORD == 2)); then
			COMPREPLY=($(compgen -W $'render\nmerge' -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi ;;
	esac
	return 0
}

complete -F _ptharness ptharness
