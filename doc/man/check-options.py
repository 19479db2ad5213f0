#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# The man page and --help agree: the same commands, and for each command the same options.
"""usage: check-options.py PTHARNESS PTHARNESS.1

PTHARNESS.1 is the rendered page (roff, as scdoc writes it). Commands are the ones
`ptharness --help` lists; each must have a subsection (.SS NAME) in the page, and the page no
other. A command's options are every --long and -s token in `ptharness CMD --help` and in its
subsection (synopsis and text); --help and --version are left out. Any difference fails, naming
the command and the options only one side has."""
import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])")
IGNORED = {"--help", "--version"}


def options(text):
    return {m.group(1) for m in OPTION.finditer(text)} - IGNORED


def help_text(pth, args):
    p = subprocess.run([pth, *args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{pth} {' '.join(args)}: exit status {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def commands(pth):
    out = help_text(pth, ["--help"])
    body = out.split("Commands:", 1)[1]
    return [m.group(1) for m in re.finditer(r"^  ([a-z][a-z-]*)\s", body, re.M)]


def man_sections(page):
    """The page's .SS subsections under COMMANDS, name -> plain text."""
    text = open(page, encoding="utf-8").read()
    # roff to text: font changes and escaped hyphens.
    text = re.sub(r"\\f[BIRP]", "", text).replace("\\-", "-").replace("\\&", "")
    sections, name = {}, None
    in_commands = False
    for line in text.splitlines():
        if line.startswith(".SH"):
            in_commands = line.split(None, 1)[1].strip('" ') == "COMMANDS"
            name = None
            continue
        if in_commands and line.startswith(".SS"):
            name = line.split(None, 1)[1].strip('" ')
            sections[name] = ""
            continue
        if name:
            sections[name] += line + "\n"
    return sections


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    pth, page = sys.argv[1], sys.argv[2]
    cmds = commands(pth)
    secs = man_sections(page)
    errors = []
    if not cmds:
        errors.append("ptharness --help lists no command")
    for c in sorted(set(cmds) - set(secs)):
        errors.append(f"{c}: in ptharness --help, no section in the man page")
    for c in sorted(set(secs) - set(cmds)):
        errors.append(f"{c}: a section in the man page, not in ptharness --help")
    checked = 0
    for c in cmds:
        if c not in secs:
            continue
        h, m = options(help_text(pth, [c, "--help"])), options(secs[c])
        for o in sorted(h - m):
            errors.append(f"{c}: {o} is in '{c} --help' but not in the man page")
        for o in sorted(m - h):
            errors.append(f"{c}: {o} is in the man page but not in '{c} --help'")
        checked += len(h)
    for e in errors:
        print(f"FAIL: {e}")
    if errors:
        sys.exit(1)
    print(f"ok: {len(cmds)} commands, {checked} options agree between --help and {page}")


main()
