#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The CI templates (ci/templates/*.yml, *.yaml) parse as YAML, have the structure their CI
# system needs, and every ptharness command and option they name exists.
set -u
PTH=${1:?usage: templates.sh PTHARNESS SOURCE_ROOT}
ROOT=${2:?}
if ! python3 -c 'import yaml' 2>/dev/null; then
	echo "SKIP: python3 has no yaml module"
	exit 77
fi
python3 - "$PTH" "$ROOT" <<'PY'
import os, re, shlex, subprocess, sys
import yaml

pth, root = sys.argv[1], sys.argv[2]
tdir = os.path.join(root, "ci", "templates")
fails = 0
helps = {}

def check(ok, what):
    global fails
    print(("ok - " if ok else "not ok - ") + what)
    fails += not ok

def help_of(cmd):
    if cmd not in helps:
        p = subprocess.run([pth, cmd, "--help"], capture_output=True, text=True)
        helps[cmd] = p.stdout if p.returncode == 0 else None
    return helps[cmd]

def commands(text):
    """Every 'ptharness SUB [args]' in a shell line (build/harness/ptharness, ${PTHARNESS})."""
    for line in text.splitlines():
        for m in re.finditer(r'(?:\S*/)?(?:ptharness|\$\{PTHARNESS\})\s+([a-z-]+)([^;|&]*)', line):
            yield m.group(1), m.group(2)

def scripts(doc, name):
    if name.startswith("github"):
        for job in doc["jobs"].values():
            for step in job["steps"]:
                if "run" in step:
                    yield step["run"]
    elif name.startswith("gitlab"):
        for key, job in doc.items():
            if isinstance(job, dict) and "script" in job:
                yield from job["script"]
    elif "steps" in doc.get("run", {}):
        yield from doc["run"]["steps"]

for name in sorted(os.listdir(tdir)):
    if not name.endswith((".yml", ".yaml")):
        continue
    path = os.path.join(tdir, name)
    try:
        doc = yaml.safe_load(open(path))
    except yaml.YAMLError as e:
        check(False, f"{name}: {e}")
        continue
    check(isinstance(doc, dict), f"{name}: parses as a YAML mapping")
    if name.startswith("github"):
        check(all("runs-on" in j and j.get("steps") for j in doc["jobs"].values()),
              f"{name}: every job has runs-on and steps")
        check(doc["jobs"]["suite"]["strategy"]["matrix"]["shard"] == [1, 2, 3, 4],
              f"{name}: a matrix of 4 shards")
    elif name.startswith("gitlab"):
        jobs = [j for j in doc.values() if isinstance(j, dict) and "script" in j]
        check(len(jobs) == 2 and all(j["stage"] in doc["stages"] for j in jobs),
              f"{name}: two jobs in declared stages")
    elif name.startswith("lava-certify"):
        check(doc["metadata"]["format"] == "Lava-Test Test Definition 1.0",
              f"{name}: a LAVA test definition")
        check(any("lava-test-case" in s for s in doc["run"]["steps"]),
              f"{name}: reports with lava-test-case")
    elif name.startswith("lava-job"):
        check(any("test" in a for a in doc["actions"]), f"{name}: a LAVA job with a test action")
        continue
    seen = 0
    for text in scripts(doc, name):
        for w in re.findall(r'(?<![\w/.-])(ci/[\w/.-]+)', text):
            check(os.path.exists(os.path.join(root, w)), f"{name}: {w} exists")
        for sub, args in commands(text):
            seen += 1
            h = help_of(sub)
            check(h is not None, f"{name}: ptharness {sub} exists")
            if sub == "report":
                sub2 = args.split()[0]
                check(sub2 in ("merge", "render"), f"{name}: ptharness report {sub2}")
            for opt in re.findall(r'(?<!\S)(--[a-z-]+)', args):
                check(h is not None and opt in h, f"{name}: ptharness {sub} {opt} is an option")
    check(seen > 0, f"{name}: names ptharness commands")
print(f"# {fails} failed")
sys.exit(1 if fails else 0)
PY
