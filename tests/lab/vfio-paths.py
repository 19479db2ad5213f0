#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The "VFIO paths" of each lab recording against what its kernel had at the recording.

usage: vfio-paths.py PTHARNESS HOSTS_DIR

For every HOSTS_DIR/NAME.paths (written by ci/lab/record-hosts: the guest's `test -e` of
/dev/iommu, /dev/vfio/vfio, /dev/vfio/devices and /sys/module/vfio_iommu_type1 right after
`ptharness record`, and the booted kernel's CONFIG_* of those paths), `ptharness inspect --host
NAME.umockdev --json` must say:

  iommufd    yes exactly when /dev/iommu existed (drivers/iommu/iommufd/main.c's misc device)
  container  yes exactly when /dev/vfio/vfio existed
  cdev       yes when /dev/vfio/devices existed; yes or unknown when it did not but the kernel
             has CONFIG_VFIO_DEVICE_CDEV (the directory only appears once a device is on a
             VFIO driver, drivers/vfio/device_cdev.c); no when the kernel has no
             CONFIG_VFIO_DEVICE_CDEV
  compat     yes exactly when /dev/iommu and /dev/vfio/vfio existed on a kernel built with
             CONFIG_IOMMUFD_VFIO_CONTAINER=y (iommufd then registers the "vfio" misc device in
             place of drivers/vfio/container.c, and vfio_iommu_type1 is not there)

The facts come from the boot, never from ptharness; the set must hold at least one recording
with /dev/iommu and one without, so that both answers are checked.

KNOWN lists the differences understood but not fixed yet, each with the one value inspect
gives instead: the check fails if that value changes, so the entry must go when it is fixed.
"""

import json
import os
import subprocess
import sys


# (recording, field) -> (the value inspect gives, why); empty since ptharness record keeps
# /dev/iommu's misc device and /proc/devices (the cdev's "vfio-dev" region).
KNOWN = {}


def load_facts(path):
    nodes, config = {}, {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("CONFIG_"):
                sym, _, val = line.partition("=")
                config[sym] = val
            else:
                p, _, val = line.rpartition(" ")
                if val not in ("yes", "no"):
                    raise ValueError(f"{path}: bad line {line!r}")
                nodes[p] = val == "yes"
    return nodes, config


def expected(nodes, config):
    """Per field: the set of inspect values the kernel's facts allow."""
    iommu, vfio, devices = nodes["/dev/iommu"], nodes["/dev/vfio/vfio"], nodes["/dev/vfio/devices"]
    if devices:
        cdev = {True}
    elif config.get("CONFIG_VFIO_DEVICE_CDEV") != "y":
        cdev = {False}
    else:
        cdev = {True, None}
    compat = iommu and vfio and config.get("CONFIG_IOMMUFD_VFIO_CONTAINER") == "y"
    return {"iommufd": {iommu}, "container": {vfio}, "cdev": cdev, "compat": {compat}}


def show(v):
    return {True: "yes", False: "no", None: "unknown"}[v]


def main():
    ptharness, hosts = sys.argv[1], sys.argv[2]
    names = sorted(f[:-6] for f in os.listdir(hosts) if f.endswith(".paths"))
    failed, with_iommu, without_iommu = 0, 0, 0
    for name in names:
        nodes, config = load_facts(os.path.join(hosts, name + ".paths"))
        rec = os.path.join(hosts, name + ".umockdev")
        if not os.path.exists(rec):
            print(f"FAIL: {name}: {name}.paths has no {name}.umockdev")
            failed += 1
            continue
        out = subprocess.run([ptharness, "inspect", "--host", rec, "--json"],
                             capture_output=True, text=True)
        if out.returncode != 0:
            print(f"FAIL: {name}: ptharness inspect failed: {out.stderr.strip()[:200]}")
            failed += 1
            continue
        got = json.loads(out.stdout)["vfio_paths"]
        want = expected(nodes, config)
        bad, known = [], []
        for k in want:
            kernel = "/".join(show(v) for v in sorted(want[k], key=str))
            if (name, k) in KNOWN:
                value, why = KNOWN[(name, k)]
                if got.get(k) == value and value not in want[k]:
                    known.append(f"{k} {show(value)} (kernel: {kernel}): {why}")
                    continue
                bad.append(f"{k} {show(got.get(k))}: KNOWN expects {show(value)} against the "
                           f"kernel's {kernel}; update KNOWN")
            elif got.get(k) not in want[k]:
                bad.append(f"{k} {show(got.get(k))} (kernel: {kernel})")
        line = ", ".join(f"{k} {show(got.get(k))}" for k in want)
        if bad:
            print(f"FAIL: {name}: {'; '.join(bad)}")
            failed += 1
        else:
            print(f"PASS: {name}: {line}")
        for k in known:
            print(f"    known: {k}")
        if nodes["/dev/iommu"]:
            with_iommu += 1
        else:
            without_iommu += 1
    if not with_iommu or not without_iommu:
        print(f"FAIL: {hosts}: need recordings with and without /dev/iommu "
              f"(have {with_iommu} with, {without_iommu} without)")
        failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
