#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# The crash matrix: every mutating command (attach, detach, set-numvfs, release, certify) on
# recorded hosts, killed after each of its writes in turn (fault `die nth=N`: SIGKILL, no
# handler), then `ptharness recover`; the host must be back as it started (inspect --json, all
# of it but NIC netdev names, see host_view), or recover must say what it could not put back
# and exit 1.
#
# usage: crash-matrix.py PTHARNESS HOSTS_DIR [HOST.umockdev ...]
import json
import os
import subprocess
import sys
import tempfile

PTH, HOSTS = sys.argv[1], sys.argv[2]
only = sys.argv[3:]
tmp = tempfile.mkdtemp(prefix="crash-matrix.")
MAX_WRITES = 200  # a command making more writes than this is a bug of its own


def run(*args):
    p = subprocess.run([PTH, *args], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def host_view(path):
    rc, out, err = run("inspect", "--json", "--host", path)
    if rc != 0:
        raise RuntimeError(f"inspect {path}: exit {rc}: {err}")
    d = json.loads(out)
    d.pop("source", None)
    # A NIC's netdev (and the host-critical mark that follows from it) does not survive
    # unbind, rebind and --save in the model even without a kill (detach, then reattach,
    # shows the same): fakesys's to fix, not recover's; everything else must be equal.
    for dev in d["devices"]:
        dev.pop("netdevs", None)
        dev.pop("host_critical", None)
        dev.pop("host_critical_unknown", None)
    # Drivers' dynamic ids (new_id) are not in sysfs; the model's recording keeps them.
    with open(path) as f:
        d["new_ids"] = [l for l in f if l.startswith("A: fakesys/new_ids=")]
    return d


def saved_view(path, view):
    """The host as the model saves it without changing it (plan --save): what a recording
    goes through before recover sees it (a damaged group listing comes back whole)."""
    rt = os.path.join(tmp, "saved.umockdev")
    dev = view["devices"][0]["address"]
    rc, _, err = run("plan", "--vm", "saved", "--devices", dev, "--host", path, "--save", rt)
    if rc not in (0, 1):
        raise RuntimeError(f"plan --save {rt}: exit {rc}: {err}")
    return host_view(rt)


def state_body(path):
    try:
        with open(path + ".state.json") as f:
            return json.load(f)["body"]
    except FileNotFoundError:
        return {"detached": [], "vms": [], "pending": None}


def renumber(view, out):
    """Give the devices recover says are in renumbered groups (a VF made again is in a new
    group, numbered by the kernel) their old group ids back in view; returns what it named."""
    moved = {}
    for line in out.splitlines():
        w = line.split()
        if line.strip().startswith("renumbered:"):
            moved[w[1]] = (int(w[6].rstrip(",")), int(w[9]))
    if not moved:
        return []
    ids = {new: old for new, old in moved.values()}
    for dev in view["devices"]:
        if dev["address"] in moved:
            dev["iommu_group"] = moved[dev["address"]][1]
    for g in view["groups"]:
        g["id"] = ids.get(g["id"], g["id"])
    view["groups"].sort(key=lambda g: g["id"])
    return [f"{a} {n}->{o}" for a, (n, o) in moved.items()]


def pick(view):
    """Targets on this host: an endpoint on a host driver, and a PF."""
    dev = pf = None
    for d in view["devices"]:
        cls = int(d["class"], 16) >> 16
        if d.get("sriov") and d["sriov"].get("totalvfs") and pf is None:
            pf = d
        if (dev is None and d["driver"] and cls not in (0x06,) and not d.get("host_critical")
                and not d["physfn"] and not d["driver"].startswith("vfio")):
            dev = d["address"]
    return dev, pf


def commands(start, view):
    """(name, start host, args) for each mutating command that applies here."""
    dev, pf = pick(view)
    cmds = []
    if dev:
        cmds.append(("detach", start, ["detach", dev]))
        cmds.append(("detach-new-id", start, ["detach", dev, "--method", "new_id"]))
        cmds.append(("attach", start, ["attach", "--vm", "v", "--devices", dev]))
        cmds.append(("certify", start, ["certify", dev, "--out", os.path.join(tmp, "cert")]))
        attached = os.path.join(tmp, "attached.umockdev")
        rc, _, err = run("attach", "--vm", "v", "--devices", dev, "--host", start,
                         "--save", attached)
        if rc == 0:
            cmds.append(("release", attached, ["release", "--vm", "v"]))
    if pf:
        n = 0 if pf["sriov"]["numvfs"] else min(2, pf["sriov"]["totalvfs"])
        cmds.append(("set-numvfs", start, ["set-numvfs", pf["address"], str(n)]))
    return cmds


tried = restored = named = failed = 0
hosts = only or sorted(os.path.join(HOSTS, h) for h in os.listdir(HOSTS)
                       if h.endswith(".umockdev"))
for host in hosts:
    start = os.path.join(tmp, "start.umockdev")
    with open(host) as f, open(start, "w") as g:
        g.write(f.read())
    try:
        view = host_view(start)
    except RuntimeError as e:
        print(f"# {os.path.basename(host)}: skipped ({e})")
        continue
    for name, base, args in commands(start, view):
        want = saved_view(base, view)
        want_state = state_body(base)
        writes = 0
        for n in range(1, MAX_WRITES + 1):
            died = os.path.join(tmp, "died.umockdev")
            back = os.path.join(tmp, "back.umockdev")
            for f in (died, back, died + ".state.json", back + ".state.json"):
                if os.path.exists(f):
                    os.unlink(f)
            faults = os.path.join(tmp, "die")
            with open(faults, "w") as f:
                f.write(f"die nth={n}\n")
            rc, out, err = run(*args, "--host", base, "--save", died, "--faults", faults)
            if rc != -9:
                break  # the command ended before write n: it makes n - 1 writes
            writes = n
            tried += 1
            where = f"{os.path.basename(host)} {name} killed after write {n}"
            if not os.path.exists(died):
                print(f"not ok - {where}: the dying model was not saved")
                failed += 1
                continue
            # Nothing else may change the host before recover.
            rc2, _, err2 = run("detach", "0000:00:00.0", "--host", died)
            if rc2 != 2 or "recover" not in err2:
                print(f"not ok - {where}: another command was not refused ({rc2}): {err2}")
                failed += 1
            rc, out, err = run("recover", "--host", died, "--save", back)
            if rc not in (0, 1):
                print(f"not ok - {where}: recover exit {rc}: {err.strip()}")
                failed += 1
                continue
            got = host_view(back)
            got_state = state_body(back)
            renumbered = renumber(got, out)
            if rc == 0 and got == want and got_state == want_state and renumbered:
                named += 1
                print(f"ok - {where}: restored, VF groups renumbered by the kernel (named): "
                      + ", ".join(renumbered))
            elif rc == 0 and got == want and got_state == want_state:
                restored += 1
                print(f"ok - {where}: restored")
            elif rc == 1 and "NOT RESTORED" in out:
                named += 1
                print(f"ok - {where}: named what is left: "
                      + "; ".join(l.strip() for l in out.splitlines() if "NOT RESTORED" in l))
            else:
                failed += 1
                print(f"not ok - {where}: recover exit {rc} but the host or state differs")
                print("\n".join("#   " + l for l in out.splitlines()))
                for k in want:
                    if want[k] != got.get(k):
                        print(f"#   differs: {k}")
                if got_state != want_state:
                    print(f"#   state: {json.dumps(got_state)[:300]} vs {json.dumps(want_state)[:300]}")
        print(f"# {os.path.basename(host)} {name}: {writes} write(s)")

print(f"# kill points tried: {tried}, restored: {restored}, named: {named}, failed: {failed}")
sys.exit(1 if failed or tried == 0 else 0)
