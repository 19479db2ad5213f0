#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Import real lspci config-space dumps (pciutils' own test dumps, see SOURCE.md) and compare
# what `ptharness inspect --json` says of each device's FLR, ACS and SR-IOV with the real
# `lspci -F DUMP -vv` decoding of the same bytes. Usage: check.py PTHARNESS DUMP...
import json
import re
import shutil
import subprocess
import sys
import tempfile

ACS_BITS = ["SrcValid", "TransBlk", "ReqRedir", "CmpltRedir", "UpstreamFwd", "EgressCtrl",
            "DirectTrans"]


def lspci_facts(dump):
    """Per device address: flr (bool), acs_cap (int or None), total_vfs (int or None)."""
    out = subprocess.run(["lspci", "-F", dump, "-vv", "-D"], capture_output=True, text=True,
                         check=True).stdout
    facts, cur = {}, None
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) ", line)
        if m:
            cur = facts.setdefault(m.group(1), {"flr": False, "acs_cap": None, "total_vfs": None,
                                                "devcap": False})
            continue
        if cur is None:
            continue
        s = line.strip()
        if s.startswith("DevCap:"):
            cur["devcap"] = True
        elif cur["devcap"] and "FLReset" in s:
            cur["flr"] = "FLReset+" in s
            cur["devcap"] = False
        elif s.startswith("ACSCap:"):
            cur["acs_cap"] = sum(1 << i for i, b in enumerate(ACS_BITS) if b + "+" in s)
        m = re.search(r"Total VFs: (\d+)", s)
        if m:
            cur["total_vfs"] = int(m.group(1))
    return facts


def ours(pth, dump, tmp):
    rec = tmp + "/rec.umockdev"
    subprocess.run([pth, "import", "-q", dump, "-o", rec], check=True)
    out = subprocess.run([pth, "inspect", "--host", rec, "--json"], capture_output=True,
                         text=True, check=True).stdout
    return {d["address"]: d for d in json.loads(out)["devices"]}


def paths(pth, text_file, tmp):
    """Device address -> sysfs path of the recording imported from text_file."""
    rec = tmp + "/paths.umockdev"
    subprocess.run([pth, "import", "-q", text_file, "-o", rec], check=True,
                   stderr=subprocess.DEVNULL)
    return {p.rsplit("/", 1)[1]: p for p in re.findall(r"^P: (/devices/pci\S+)$",
                                                       open(rec).read(), re.M)}


def tree_agrees(pth, dump, tmp):
    """The real `lspci -F DUMP -tv` imported places every device where the dump's own
    bridges (their secondary bus in config space) put it."""
    tree = tmp + "/tree.txt"
    with open(tree, "w") as f:
        subprocess.run(["lspci", "-F", dump, "-tv"], stdout=f, stderr=subprocess.DEVNULL,
                       check=True)
    want, got = paths(pth, dump, tmp), paths(pth, tree, tmp)
    if want != got:
        print(f"FAIL {dump}: lspci -tv places devices at {got}, the dump at {want}")
        return 1
    print(f"ok   {dump}: lspci -tv gives the same tree ({len(got)} devices)")
    return 0


def main():
    if not shutil.which("lspci"):
        print("SKIP: no lspci")
        return 77
    pth, dumps, bad, n = sys.argv[1], sys.argv[2:], 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for dump in dumps:
            want, got = lspci_facts(dump), ours(pth, dump, tmp)
            for addr, w in sorted(want.items()):
                n += 1
                d = got.get(addr)
                if d is None:
                    print(f"FAIL {dump}: {addr} not imported")
                    bad += 1
                    continue
                cfg = d["config"]
                acs = int(cfg["acs_cap"], 16) if cfg.get("acs_cap") else None
                total = d["sriov"]["totalvfs"] if d.get("sriov") else None
                have = {"flr": cfg["flr"], "acs_cap": acs, "total_vfs": total,
                        "size": cfg["size"]}
                for key in ("flr", "acs_cap", "total_vfs"):
                    if have[key] != w[key]:
                        print(f"FAIL {dump}: {addr} {key}: lspci {w[key]}, imported {have[key]}")
                        bad += 1
                print(f"ok   {dump}: {addr} config {have['size']} bytes, flr {have['flr']}, "
                      f"acs {have['acs_cap']}, total VFs {have['total_vfs']}")
            bad += tree_agrees(pth, dump, tmp)
    print(f"{n} devices compared with lspci")
    return 1 if bad or n == 0 else 0


sys.exit(main())
