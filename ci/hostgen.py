#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write synthetic host fixtures: umockdev recordings and captured sysfs trees.

Each host is a list of PCI devices placed on a tree of bridges, with config space built
from the capabilities it declares (PM, MSI, PCIe with or without FLR, MSI-X, ACS, SR-IOV),
and the sysfs attributes a 6.1 kernel shows for them: ids, class, driver and iommu_group
links, driver_override, numa_node, reset_method (derived the way pci_init_reset_methods()
probes: flr, af_flr, pm, bus), SR-IOV attributes with physfn/virtfnN links, and net/
children. Real hosts come from the lab (`ptharness record`); these cover shapes the lab's
QEMU cannot make (a desktop GPU + audio, two SR-IOV NIC PFs, a switch without ACS) and the
500-device tree of the benchmark.

Usage: ci/hostgen.py recording NAME > FILE.umockdev
       ci/hostgen.py tree NAME DIR          (DIR/sys/..., DIR/proc/sys/kernel/osrelease)
       ci/hostgen.py list
"""

import collections
import os
import struct
import re
import sys

KERNEL = "6.1.0-28-amd64"


class Dev:
    def __init__(self, bdf, vid, did, cls, driver=None, group=None, hdr=0, mf=False,
                 pcie=None, flr=False, pm=True, no_soft_reset=False, msi=True, msix=0,
                 acs=None, sriov=None, subsys=None, rev=1, numa=-1, net=(), boot_vga=None,
                 af=None, parent=None, physfn=None, sec=None, bars=None, rom=None, attrs=None,
                 children=(), macs=None):
        self.bdf, self.vid, self.did, self.cls = bdf, vid, did, cls
        self.driver, self.group, self.hdr, self.mf = driver, group, hdr, mf
        self.pcie, self.flr, self.pm, self.no_soft_reset = pcie, flr, pm, no_soft_reset
        self.msi, self.msix, self.acs, self.sriov = msi, msix, acs, sriov
        self.subsys = subsys if subsys is not None else (vid, did)
        self.rev, self.numa, self.net, self.boot_vga, self.af = rev, numa, list(net), boot_vga, af
        self.parent, self.physfn, self.sec = parent, physfn, sec
        # bars: {index: (start, size, kind)}, kind "io", "mem32", "mem64" or "mem64pf";
        # rom: (start, size). With either, config has the BARs and `resource` is shown.
        self.bars, self.rom = bars, rom
        self.attrs = dict(attrs or {})  # driver attributes (vbios_version)
        self.children = list(children)  # (subsystem, name, {attr: value}): nvme/nvme0
        self.vfs = []
        # The netdevs' MAC addresses, one per name in net (default: 52:54:00:12:34:56 up).
        self.macs = list(macs or [])

    @property
    def bus(self):
        return int(self.bdf[5:7], 16)

    def config(self):
        c = bytearray(b"\xff" * 4096)
        c[0:0x40] = bytes(0x40)
        # An SR-IOV VF's Vendor and Device ID registers read FFFFh (the PCIe spec; the
        # kernel takes the ids from the PF). Everything else in its header is real.
        ids = (0xffff, 0xffff) if self.physfn else (self.vid, self.did)
        struct.pack_into("<HHHH", c, 0, ids[0], ids[1], 0x0007, 0x0010)
        struct.pack_into("<I", c, 8, (self.cls << 8) | self.rev)
        c[0x0e] = self.hdr | (0x80 if self.mf else 0)
        if self.hdr == 0:
            struct.pack_into("<HH", c, 0x2c, *self.subsys)
            c[0x3d] = 0 if self.physfn else 1
        elif self.sec is not None:
            c[0x18], c[0x19], c[0x1a] = self.bus, self.sec[0], self.sec[1]
        for i, (start, size, kind) in sorted((self.bars or {}).items()):
            low = start | {"io": 1, "mem32": 0, "mem64": 4, "mem64pf": 0xc}[kind]
            struct.pack_into("<I", c, 0x10 + 4 * i, low & 0xffffffff)
            if kind.startswith("mem64"):
                struct.pack_into("<I", c, 0x14 + 4 * i, start >> 32)
        if self.rom:
            struct.pack_into("<I", c, 0x30, self.rom[0])  # ROM BAR, decode disabled
        caps, nxt = [], 0x40
        c[0x34] = 0x40
        c[0x40:0x100] = bytes(0xc0)
        if self.pm:
            caps.append((0x01, struct.pack("<HH", 0x0003, 0x0008 if self.no_soft_reset else 0)))
        if self.msi:
            caps.append((0x05, struct.pack("<HIIH", 0x0080, 0, 0, 0)))
        if self.af is not None:
            caps.append((0x13, bytes([6, self.af, 0, 0])))
        if self.pcie is not None:
            devcap = 0x8fc0 | (0x10000000 if self.flr else 0)
            caps.append((0x10, struct.pack("<HIHH", 0x0002 | (self.pcie << 4), devcap, 0, 0)
                         + bytes(24)))
        if self.msix:
            caps.append((0x11, struct.pack("<HII", self.msix - 1, 0, 0x800)))
        for i, (cid, body) in enumerate(caps):
            at = nxt
            nxt = at + 2 + len(body)
            nxt = (nxt + 3) & ~3
            c[at] = cid
            c[at + 1] = nxt if i + 1 < len(caps) else 0
            c[at + 2:at + 2 + len(body)] = body
        if not caps:
            c[0x34] = 0
            struct.pack_into("<H", c, 6, 0)
        if self.pcie is None:
            return bytes(c[:256])
        ext = []
        if self.acs is not None:
            ext.append((0x0d, struct.pack("<HH", 0x005f, self.acs)))
        if self.sriov is not None:
            s = self.sriov
            ext.append((0x10, struct.pack("<IHHHHHHHHHH", 0, 0x0008 if s["numvfs"] else 0, 0,
                                          s["total"], s["total"], s["numvfs"], 0, s["offset"],
                                          s["stride"], 0, s["vf_device"]) + bytes(36)))
        at = 0x100
        c[0x100:0x1000] = bytes(0xf00)
        for i, (cid, body) in enumerate(ext):
            nxt = (at + 4 + len(body) + 3) & ~3 if i + 1 < len(ext) else 0
            struct.pack_into("<I", c, at, cid | (1 << 16) | (nxt << 20))
            c[at + 4:at + 4 + len(body)] = body
            at = nxt
        return bytes(c)


def syspath(dev, devs):
    chain, d = [], dev
    while d is not None:
        chain.append(d.bdf)
        d = devs.get(d.parent) if d.parent else None
    dom_bus = dev.bdf[:7] if not chain[1:] else devs[chain[-1]].bdf[:7]
    return "/devices/pci%s/%s" % (dom_bus, "/".join(reversed(chain)))


# IORESOURCE_* flags the kernel shows in `resource` (include/linux/ioport.h): SIZEALIGN,
# MEM or IO, MEM_64, PREFETCH, READONLY (the ROM), plus the BAR's low bits.
RESOURCE_FLAGS = {"io": 0x40101, "mem32": 0x40200, "mem64": 0x140204, "mem64pf": 0x14220c,
                  "rom": 0x46200}


def resource(dev):
    """The resource attribute of an endpoint: BARs 0-5, the ROM (6), the IOV BARs (7-12)."""
    rows = [(0, 0, 0)] * 13
    for i, (start, size, kind) in (dev.bars or {}).items():
        rows[i] = (start, start + size - 1, RESOURCE_FLAGS[kind])
    if dev.rom:
        rows[6] = (dev.rom[0], dev.rom[0] + dev.rom[1] - 1, RESOURCE_FLAGS["rom"])
    return "".join("0x%016x 0x%016x 0x%016x\n" % r for r in rows)


_POPULATION = {}


def bus_population(devs):
    """Devices per domain:bus, counted once per host (a scan per device is quadratic)."""
    key = (id(devs), len(devs))
    if key not in _POPULATION:
        _POPULATION.clear()
        _POPULATION[key] = collections.Counter(o.bdf[:7] for o in devs.values())
    return _POPULATION[key]


def reset_methods(dev, devs):
    """What a 6.1 kernel lists in reset_method (no ACPI _RST, no quirks in these hosts)."""
    m = []
    if (dev.vid, dev.did) == (0x8086, 0x0953) and dev.flr:
        m.append("device_specific")  # quirks.c: delay_250ms_after_flr
    if dev.flr:
        m.append("flr")
    if dev.af == 3:
        m.append("af_flr")
    if dev.pm and not dev.no_soft_reset:
        m.append("pm")
    alone = bus_population(devs)[dev.bdf[:7]] == 1
    if dev.parent and dev.hdr == 0 and alone:
        m.append("bus")
    return m


def attributes(dev, devs):
    a = [("vendor", "0x%04x\n" % dev.vid), ("device", "0x%04x\n" % dev.did),
         ("class", "0x%06x\n" % dev.cls), ("revision", "0x%02x\n" % dev.rev),
         ("driver_override", "(null)\n"), ("numa_node", "%d\n" % dev.numa),
         ("enable", "1\n" if dev.driver else "0\n"), ("local_cpulist", "0-3\n"),
         ("power/control", "on\n")]
    if dev.hdr == 0:
        a += [("subsystem_vendor", "0x%04x\n" % dev.subsys[0]),
              ("subsystem_device", "0x%04x\n" % dev.subsys[1])]
    rm = reset_methods(dev, devs)
    if rm:
        a.append(("reset_method", " ".join(rm) + "\n"))
    if dev.boot_vga is not None:
        a.append(("boot_vga", "%d\n" % dev.boot_vga))
    if dev.bars or dev.rom:
        a.append(("resource", resource(dev)))
    a += [(k, v) for k, v in dev.attrs.items()]
    if dev.sriov is not None:
        s = dev.sriov
        a += [("sriov_totalvfs", "%d\n" % s["total"]), ("sriov_numvfs", "%d\n" % s["numvfs"]),
              ("sriov_offset", "%d\n" % s["offset"]), ("sriov_stride", "%d\n" % s["stride"]),
              ("sriov_vf_device", "%x\n" % s["vf_device"]),
              ("sriov_drivers_autoprobe", "1\n"), ("sriov_vf_total_msix", "0\n")]
    return sorted(a)


def links(dev, devs):
    depth = syspath(dev, devs).count("/")
    up = "../" * depth
    ln = []
    if dev.driver:
        ln.append(("driver", up + "bus/pci/drivers/" + dev.driver))
    if dev.group is not None:
        ln.append(("iommu_group", up + "kernel/iommu_groups/%d" % dev.group))
    if dev.physfn:
        ln.append(("physfn", "../" + dev.physfn))
    for i, vf in enumerate(dev.vfs):
        ln.append(("virtfn%d" % i, "../" + vf))
    return sorted(ln)


def uevent(dev):
    e = []
    if dev.driver:
        e.append(("DRIVER", dev.driver))
    e += [("PCI_CLASS", "%X" % dev.cls), ("PCI_ID", "%04X:%04X" % (dev.vid, dev.did)),
          ("PCI_SUBSYS_ID", "%04X:%04X" % dev.subsys), ("PCI_SLOT_NAME", dev.bdf),
          ("MODALIAS", "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X" % (
              dev.vid, dev.did, dev.subsys[0], dev.subsys[1], dev.cls >> 16,
              (dev.cls >> 8) & 0xff, dev.cls & 0xff)),
          ("SUBSYSTEM", "pci")]
    return e


def escape(s):
    return s.replace("\\", "\\\\").replace("\n", "\\n")


def recording(devs, extra_block=True, extras=None):
    out = []
    extras = extras or {}
    for dev in sorted(devs.values(), key=lambda d: d.bdf):
        path = syspath(dev, devs)
        for sub, name, attrs in dev.children:
            out += ["P: %s/%s/%s" % (path, sub, name), "E: DEVNAME=%s" % name,
                    "E: SUBSYSTEM=%s" % sub]
            out += ["A: %s=%s" % (k, escape(v)) for k, v in sorted(attrs.items())]
            out += ["L: device=../../../%s" % dev.bdf, ""]
        for i, n in enumerate(dev.net):
            out += ["P: %s/net/%s" % (path, n), "E: INTERFACE=%s" % n, "E: IFINDEX=%d" % (i + 2),
                    "E: SUBSYSTEM=net", "A: address=%s\\n" % (dev.macs[i] if dev.macs else
                                                           "52:54:00:12:34:%02x" % (i + 0x56)),
                    "A: operstate=up\\n", "L: device=../../../%s" % dev.bdf,
                    ""]
        out.append("P: " + path)
        out += ["E: %s=%s" % kv for kv in uevent(dev)]
        out += ["A: %s=%s" % (k, escape(v)) for k, v in attributes(dev, devs)]
        out.append("H: config=" + dev.config().hex().upper())
        out += ["L: %s=%s" % kv for kv in links(dev, devs)]
        out.append("")
    for block in (extras.get("blocks") or []):
        out += block + [""]
    if extra_block:
        groups = {}
        for d in devs.values():
            if d.group is not None:
                groups.setdefault(d.group, []).append(d.bdf)
        if "ecap" in extras:
            out += ["P: /devices/virtual/iommu/dmar0", "E: SUBSYSTEM=iommu",
                    "A: intel-iommu/ecap=%s\\n" % extras["ecap"], ""]
        out += ["P: /devices/virtual/ptharness/host", "E: SUBSYSTEM=ptharness",
                "A: proc/sys/kernel/osrelease=%s\\n" % KERNEL]
        if "cmdline" in extras:
            out.append("A: proc/cmdline=%s\\n" % extras["cmdline"])
        for f in ("net/route", "net/ipv6_route", "mounts", "swaps"):
            if f in extras:
                out.append("A: proc/%s=%s" % (f, extras[f]))
        for k, v in sorted(extras.get("sys", {}).items()):
            out.append("A: sys/%s=%s" % (k, v))
        for g in sorted(groups):
            out.append("A: sys/kernel/iommu_groups/%d/devices=%s" % (g, " ".join(sorted(groups[g]))))
            out.append("A: sys/kernel/iommu_groups/%d/type=DMA\\n" % g)
        out.append("")
    return "\n".join(out)


def tree(devs, root):
    """The same host as a captured directory, as the kernel lays sysfs out."""
    sysd = os.path.join(root, "sys")
    os.makedirs(os.path.join(root, "proc/sys/kernel"), exist_ok=True)
    with open(os.path.join(root, "proc/sys/kernel/osrelease"), "w") as f:
        f.write(KERNEL + "\n")
    for sub in ("bus/pci/devices", "bus/pci/drivers", "kernel/iommu_groups", "class/iommu/dmar0"):
        os.makedirs(os.path.join(sysd, sub), exist_ok=True)
    for dev in devs.values():
        rel = syspath(dev, devs)[1:]
        d = os.path.join(sysd, rel)
        os.makedirs(d, exist_ok=True)
        for k, v in attributes(dev, devs):
            os.makedirs(os.path.dirname(os.path.join(d, k)), exist_ok=True)
            with open(os.path.join(d, k), "w") as f:
                f.write(v)
        with open(os.path.join(d, "config"), "wb") as f:
            f.write(dev.config())
        with open(os.path.join(d, "uevent"), "w") as f:
            f.write("".join("%s=%s\n" % kv for kv in uevent(dev) if kv[0] != "SUBSYSTEM"))
        os.symlink("../" * rel.count("/") + "../bus/pci", os.path.join(d, "subsystem"))
        for k, v in links(dev, devs):
            os.symlink(v, os.path.join(d, k))
        for i, n in enumerate(dev.net):
            nd = os.path.join(d, "net", n)
            os.makedirs(nd, exist_ok=True)
            with open(os.path.join(nd, "uevent"), "w") as f:
                f.write("INTERFACE=%s\nIFINDEX=%d\n" % (n, i + 2))
            with open(os.path.join(nd, "operstate"), "w") as f:
                f.write("up\n")
            os.symlink("../" * (rel.count("/") + 2) + "../class/net", os.path.join(nd, "subsystem"))
        for sub, name, attrs in dev.children:
            cd = os.path.join(d, sub, name)
            os.makedirs(cd, exist_ok=True)
            for k, v in attrs.items():
                with open(os.path.join(cd, k), "w") as f:
                    f.write(v)
        os.symlink("../../../" + rel, os.path.join(sysd, "bus/pci/devices", dev.bdf))
        if dev.driver:
            drv = os.path.join(sysd, "bus/pci/drivers", dev.driver)
            os.makedirs(drv, exist_ok=True)
            os.symlink("../../../../" + rel, os.path.join(drv, dev.bdf))
        if dev.group is not None:
            g = os.path.join(sysd, "kernel/iommu_groups/%d/devices" % dev.group)
            os.makedirs(g, exist_ok=True)
            os.symlink("../../../../" + rel, os.path.join(g, dev.bdf))
            with open(os.path.join(sysd, "kernel/iommu_groups/%d/type" % dev.group), "w") as f:
                f.write("DMA\n")


def add(devs, dev):
    devs[dev.bdf] = dev
    return dev


def add_vfs(devs, pf, n, vf_did, driver=None, group_base=None, numa=-1):
    s = pf.sriov
    s["numvfs"] = n
    pf_devfn = int(pf.bdf[8:10], 16) << 3 | int(pf.bdf[11], 16)
    for i in range(n):
        rid = (pf.bus << 8) + pf_devfn + s["offset"] + s["stride"] * i
        bdf = "%s:%02x:%02x.%x" % (pf.bdf[:4], rid >> 8, (rid >> 3) & 0x1f, rid & 7)
        add(devs, Dev(bdf, pf.vid, vf_did, pf.cls, driver=driver,
                      group=None if group_base is None else group_base + i, pcie=0, flr=True,
                      pm=False, msi=False, msix=3, parent=pf.parent, physfn=pf.bdf, numa=numa))
        pf.vfs.append(bdf)


def host_desktop():
    """A desktop: GPU and its HDMI audio behind one root port (one group, boot VGA),
    an AHCI controller, an NVMe boot disk with FLR, a NIC, and a USB controller."""
    d = {}
    add(d, Dev("0000:00:00.0", 0x8086, 0x3e30, 0x060000, group=0, pm=False, msi=False))
    add(d, Dev("0000:00:01.0", 0x8086, 0x1901, 0x060400, driver="pcieport", group=1, hdr=1,
               pcie=4, sec=(1, 1)))
    add(d, Dev("0000:01:00.0", 0x10de, 0x1b81, 0x030000, driver="nouveau", group=1, mf=True,
               pcie=0, flr=False, parent="0000:00:01.0", boot_vga=1, subsys=(0x1462, 0x3302)))
    add(d, Dev("0000:01:00.1", 0x10de, 0x10f0, 0x040300, driver="snd_hda_intel", group=1,
               pcie=0, parent="0000:00:01.0", subsys=(0x1462, 0x3302)))
    add(d, Dev("0000:00:14.0", 0x8086, 0xa36d, 0x0c0330, driver="xhci_hcd", group=2, pm=True))
    add(d, Dev("0000:00:17.0", 0x8086, 0xa352, 0x010601, driver="ahci", group=3))
    add(d, Dev("0000:00:1d.0", 0x8086, 0xa330, 0x060400, driver="pcieport", group=4, hdr=1,
               pcie=4, acs=0x001d, sec=(2, 2)))
    add(d, Dev("0000:02:00.0", 0x144d, 0xa808, 0x010802, driver="nvme", group=5, pcie=0,
               flr=True, msix=33, parent="0000:00:1d.0"))
    add(d, Dev("0000:00:1f.6", 0x8086, 0x15bc, 0x020000, driver="e1000e", group=6,
               net=["eno1"]))
    return d


def host_server():
    """A server NIC with two PFs (igb-style SR-IOV), VFs enabled on the first with their own
    groups (ACS on the path), a second PF with no VFs, a bridge on pcieport, and a plain
    device without FLR."""
    d = {}
    add(d, Dev("0000:00:00.0", 0x8086, 0x2020, 0x060000, group=0, pm=False, msi=False))
    add(d, Dev("0000:00:02.0", 0x8086, 0x2032, 0x060400, driver="pcieport", group=10, hdr=1,
               pcie=4, acs=0x001d, sec=(0x3b, 0x3b), numa=0))
    pf0 = add(d, Dev("0000:3b:00.0", 0x8086, 0x1521, 0x020000, driver="igb", group=11, mf=True,
                     pcie=0, flr=True, acs=0x001d, msix=10, parent="0000:00:02.0", numa=0,
                     net=["enp59s0f0"], sriov=dict(total=7, numvfs=0, offset=128, stride=4,
                                                   vf_device=0x1520)))
    add(d, Dev("0000:3b:00.1", 0x8086, 0x1521, 0x020000, driver="igb", group=12, pcie=0,
                     flr=True, acs=0x001d, msix=10, parent="0000:00:02.0", numa=0,
                     net=["enp59s0f1"], sriov=dict(total=7, numvfs=0, offset=128, stride=4,
                                                   vf_device=0x1520)))
    add_vfs(d, pf0, 4, 0x1520, driver="igbvf", group_base=60, numa=0)
    d["0000:3b:10.0"].driver = "vfio-pci"
    d["0000:3b:10.0"].net = []
    for vf in pf0.vfs[1:]:
        d[vf].net = ["enp59s0f0v%d" % pf0.vfs.index(vf)]
    add(d, Dev("0000:00:03.0", 0x8086, 0x2033, 0x060400, driver="pcieport", group=13, hdr=1,
               pcie=4, sec=(0x5e, 0x5e), numa=0))
    add(d, Dev("0000:5e:00.0", 0x1000, 0x0097, 0x010700, driver="mpt3sas", group=13, pcie=0,
               flr=False, parent="0000:00:03.0", numa=0))
    add(d, Dev("0000:00:1f.0", 0x8086, 0xa1c2, 0x060100, group=14, pm=False, msi=False))
    add(d, Dev("0000:00:1f.2", 0x8086, 0xa182, 0x010601, driver="ahci", group=14))
    return d


def host_switch():
    """A PCIe switch without ACS below a root port: its downstream ports and every endpoint
    behind them share one group; one endpoint is on vfio-pci, one is unbound, one on a host
    driver; plus a PCIe-to-PCI bridge with two conventional devices."""
    d = {}
    add(d, Dev("0000:00:00.0", 0x8086, 0x3e30, 0x060000, group=0, pm=False, msi=False))
    add(d, Dev("0000:00:01.0", 0x8086, 0x1901, 0x060400, driver="pcieport", group=1, hdr=1,
               pcie=4, sec=(1, 5)))
    add(d, Dev("0000:01:00.0", 0x10b5, 0x8747, 0x060400, driver="pcieport", group=1, hdr=1,
               pcie=5, parent="0000:00:01.0", sec=(2, 5)))
    for i, (fn, drv, vid, did, cls, flr) in enumerate([
            (8, "vfio-pci", 0x8086, 0x10fb, 0x020000, True),
            (9, None, 0x8086, 0x10fb, 0x020000, True),
            (10, "nvme", 0x8086, 0x0953, 0x010802, True)]):
        port = "0000:02:%02x.0" % fn
        add(d, Dev(port, 0x10b5, 0x8747, 0x060400, driver="pcieport", group=1, hdr=1, pcie=6,
                   parent="0000:01:00.0", sec=(3 + i, 3 + i)))
        add(d, Dev("0000:%02x:00.0" % (3 + i), vid, did, cls, driver=drv, group=1, pcie=0,
                   flr=flr, msix=16, parent=port))
    add(d, Dev("0000:00:1c.0", 0x8086, 0xa110, 0x060400, driver="pcieport", group=2, hdr=1,
               pcie=4, acs=0x001d, sec=(6, 7)))
    add(d, Dev("0000:06:00.0", 0x1b36, 0x000e, 0x060400, group=2, hdr=1, pcie=7,
               parent="0000:00:1c.0", sec=(7, 7)))
    add(d, Dev("0000:07:01.0", 0x8086, 0x100e, 0x020000, driver="e1000", group=2,
               parent="0000:06:00.0", pm=True, no_soft_reset=True, msi=False))
    add(d, Dev("0000:07:02.0", 0x1b36, 0x0005, 0x00ff00, group=2, parent="0000:06:00.0",
               pm=False, msi=False))
    return d


def host_mlx5():
    """A two-socket server with two ConnectX-6 Dx NICs, one per NUMA node, with SR-IOV VFs
    (each in its own group: ACS on the path) on mlx5_vfio_pci (the variant driver that
    migrates), vfio-pci, mlx5_core and no driver; and an EHCI controller whose only function
    resets are AF FLR and PM (Intel's EHCI has the Advanced Features capability)."""
    d = {}
    add(d, Dev("0000:00:00.0", 0x8086, 0x2020, 0x060000, group=0, pm=False, msi=False))
    add(d, Dev("0000:00:1a.0", 0x8086, 0x1c26, 0x0c0320, driver="ehci-pci", group=5, af=3))
    add(d, Dev("0000:00:02.0", 0x8086, 0x2032, 0x060400, driver="pcieport", group=20, hdr=1,
               pcie=4, acs=0x001d, sec=(0x17, 0x17), numa=0))
    mlx = dict(pcie=0, flr=True, acs=0x001d, msix=64, subsys=(0x15b3, 0x0016))
    pf0 = add(d, Dev("0000:17:00.0", 0x15b3, 0x101d, 0x020000, driver="mlx5_core", group=30,
                     mf=True, parent="0000:00:02.0", numa=0, net=["enp23s0f0np0"],
                     sriov=dict(total=8, numvfs=0, offset=2, stride=1, vf_device=0x101e), **mlx))
    add(d, Dev("0000:17:00.1", 0x15b3, 0x101d, 0x020000, driver="mlx5_core", group=31,
               parent="0000:00:02.0", numa=0, net=["enp23s0f1np1"],
               sriov=dict(total=8, numvfs=0, offset=9, stride=1, vf_device=0x101e), **mlx))
    add_vfs(d, pf0, 4, 0x101e, driver="mlx5_core", group_base=40, numa=0)
    for vf, drv in zip(pf0.vfs, ["mlx5_vfio_pci", "vfio-pci", "mlx5_core", None]):
        d[vf].driver = drv
        d[vf].net = ["enp23s0f0v%d" % pf0.vfs.index(vf)] if drv == "mlx5_core" else []
    add(d, Dev("0000:b2:00.0", 0x8086, 0x2030, 0x060400, driver="pcieport", group=70, hdr=1,
               pcie=4, acs=0x001d, sec=(0xb3, 0xb3), numa=1))
    pf2 = add(d, Dev("0000:b3:00.0", 0x15b3, 0x101d, 0x020000, driver="mlx5_core", group=71,
                     parent="0000:b2:00.0", numa=1, net=["enp179s0f0np0"],
                     sriov=dict(total=8, numvfs=0, offset=1, stride=1, vf_device=0x101e), **mlx))
    add_vfs(d, pf2, 2, 0x101e, driver="mlx5_core", group_base=80, numa=1)
    d[pf2.vfs[0]].driver = None
    d[pf2.vfs[1]].net = ["enp179s0f0v1"]
    return d


def host_workstation():
    """A workstation with two GPUs: the integrated one is the boot VGA device (host-critical);
    a discrete AMD GPU (amdgpu, boot_vga 0, VBIOS version shown, a 128 KiB ROM) with its
    HDMI audio function in the same slot and IOMMU group, behind a root port with ACS; an
    NVMe controller whose nvme0 class device shows model, serial and firmware revision (as
    drivers/nvme/host/core.c pads them: 40 and 20 characters); an e1000e NIC. An Intel
    IOMMU with interrupt remapping (ecap bit 3)."""
    d = {}
    add(d, Dev("0000:00:00.0", 0x8086, 0x3e30, 0x060000, group=0, pm=False, msi=False))
    add(d, Dev("0000:00:02.0", 0x8086, 0x3e92, 0x030000, driver="i915", group=1, boot_vga=1,
               bars={0: (0xf6000000, 0x1000000, "mem64"), 2: (0xe0000000, 0x10000000, "mem64pf"),
                     4: (0xf000, 0x40, "io")}))
    add(d, Dev("0000:00:01.0", 0x8086, 0x1901, 0x060400, driver="pcieport", group=2, hdr=1,
               pcie=4, acs=0x001d, sec=(1, 1)))
    add(d, Dev("0000:01:00.0", 0x1002, 0x73bf, 0x030000, driver="amdgpu", group=3, mf=True,
               pcie=0, flr=False, parent="0000:00:01.0", boot_vga=0, subsys=(0x1002, 0x0e3a),
               rev=0xc1, msix=4,
               bars={0: (0xd0000000, 0x10000000, "mem64pf"), 2: (0xcfe00000, 0x200000, "mem64pf"),
                     4: (0xe000, 0x100, "io"), 5: (0xfcc00000, 0x100000, "mem32")},
               rom=(0xfcd00000, 0x20000), attrs={"vbios_version": "113-D4120100-100\n"}))
    add(d, Dev("0000:01:00.1", 0x1002, 0xab28, 0x040300, driver="snd_hda_intel", group=3,
               pcie=0, parent="0000:00:01.0", subsys=(0x1002, 0xab28),
               bars={0: (0xfce00000, 0x4000, "mem32")}))
    add(d, Dev("0000:00:1d.0", 0x8086, 0xa330, 0x060400, driver="pcieport", group=4, hdr=1,
               pcie=4, acs=0x001d, sec=(2, 2)))
    add(d, Dev("0000:02:00.0", 0x144d, 0xa80a, 0x010802, driver="nvme", group=5, pcie=0,
               flr=True, msix=33, parent="0000:00:1d.0", subsys=(0x144d, 0xa801),
               bars={0: (0xfcf00000, 0x4000, "mem64")},
               children=[("nvme", "nvme0", {
                   "model": "%-40s\n" % "Samsung SSD 980 PRO 1TB",
                   "serial": "%-20s\n" % "S5GXNX0W123456K",
                   "firmware_rev": "5B2QGXA7\n", "state": "live\n", "transport": "pcie\n"})]))
    add(d, Dev("0000:00:1f.6", 0x8086, 0x15bc, 0x020000, driver="e1000e", group=6,
               net=["eno1"]))
    return d


def host_iscsi():
    """A server booted from iSCSI by its firmware (an iBFT naming the second port of an I350
    by its MAC; dracut's rd.iscsi.firmware=1), without its mount table, and a storage
    controller with SR-IOV: a Pensando DSC NVMe controller (1dd8:1005, VF 1dd8:1006 in
    pci.ids) alone in its group behind a root port with ACS, no VFs enabled."""
    d = {}
    add(d, Dev("0000:00:00.0", 0x8086, 0x2020, 0x060000, group=0, pm=False, msi=False))
    add(d, Dev("0000:00:01.0", 0x8086, 0x2030, 0x060400, driver="pcieport", group=1, hdr=1,
               pcie=4, acs=0x001d, sec=(1, 1)))
    add(d, Dev("0000:01:00.0", 0x1dd8, 0x1005, 0x010802, driver="nvme", group=2, pcie=0,
               flr=True, acs=0x001d, msix=33, parent="0000:00:01.0",
               sriov=dict(total=4, numvfs=0, offset=1, stride=1, vf_device=0x1006)))
    add(d, Dev("0000:00:1c.0", 0x8086, 0xa190, 0x060400, driver="pcieport", group=3, hdr=1,
               pcie=4, acs=0x001d, sec=(2, 2)))
    for fn in range(2):
        add(d, Dev("0000:02:00.%d" % fn, 0x8086, 0x1521, 0x020000, driver="igb", group=4 + fn,
                   mf=fn == 0, pcie=0, flr=True, acs=0x001d, msix=10, parent="0000:00:1c.0",
                   net=["eno%d" % (fn + 1)], macs=["3c:fd:fe:a0:5c:%02x" % (0x10 + fn)]))
    return d


def host_bond():
    """A server whose networks run over stacked interfaces: the two ports of an I350 (eno1,
    eno2) bonded as bond0, bond0 a port of the bridge br0, which carries the IPv4 and IPv6
    default routes; an X710 whose second port (enp3s0f1) has the VLAN enp3s0f1.100 reaching
    the iSCSI target (fd00:10::5) that holds / (sdb1, on iscsi_tcp's session1), its first port
    (enp3s0f0) carrying nothing of the host."""
    d = {}
    add(d, Dev("0000:00:00.0", 0x8086, 0x2020, 0x060000, group=0, pm=False, msi=False))
    add(d, Dev("0000:00:1c.0", 0x8086, 0xa190, 0x060400, driver="pcieport", group=1, hdr=1,
               pcie=4, acs=0x001d, sec=(2, 2)))
    add(d, Dev("0000:00:1c.4", 0x8086, 0xa194, 0x060400, driver="pcieport", group=2, hdr=1,
               pcie=4, acs=0x001d, sec=(3, 3)))
    for fn in range(2):
        add(d, Dev("0000:02:00.%d" % fn, 0x8086, 0x1521, 0x020000, driver="igb", group=3 + fn,
                   mf=fn == 0, pcie=0, flr=True, acs=0x001d, msix=10, parent="0000:00:1c.0",
                   net=["eno%d" % (fn + 1)], macs=["3c:fd:fe:a0:5c:%02x" % (0x10 + fn)]))
        add(d, Dev("0000:03:00.%d" % fn, 0x8086, 0x1572, 0x020000, driver="i40e", group=5 + fn,
                   mf=fn == 0, pcie=0, flr=True, acs=0x001d, msix=129, parent="0000:00:1c.4",
                   net=["enp3s0f%d" % fn], macs=["3c:fd:fe:b1:00:%02x" % fn]))
    return d


def netdev_block(devpath, ifindex, mac, links=(), attrs=()):
    """A virtual netdev's block: its lower_/upper_/master links as the kernel makes them
    (net/core/dev.c netdev_adjacent_sysfs_add, __netdev_adjacent_dev_insert), each to the other
    device's directory."""
    name = devpath.rsplit("/", 1)[1]
    return (["P: %s" % devpath, "E: IFINDEX=%d" % ifindex, "E: INTERFACE=%s" % name,
             "E: SUBSYSTEM=net", "A: address=%s\\n" % mac] +
            ["A: %s=%s" % kv for kv in attrs] + ["A: operstate=up\\n"] +
            ["L: %s=%s" % kv for kv in sorted(links)])


def bond_blocks():
    eno = lambda fn: "../../../pci0000:00/0000:00:1c.0/0000:02:00.%d/net/eno%d" % (fn, fn + 1)
    sess = "/devices/platform/host2/session1"
    return [
        netdev_block("/devices/virtual/net/bond0", 6, "3c:fd:fe:a0:5c:10",
                     [("lower_eno1", eno(0)), ("lower_eno2", eno(1)), ("master", "../br0"),
                      ("upper_br0", "../br0")],
                     [("bonding/mode", "802.3ad 4\\n"), ("bonding/slaves", "eno1 eno2\\n")]),
        netdev_block("/devices/virtual/net/br0", 7, "3c:fd:fe:a0:5c:10",
                     [("lower_bond0", "../bond0")]),
        netdev_block("/devices/virtual/net/enp3s0f1.100", 8, "3c:fd:fe:b1:00:01",
                     [("lower_enp3s0f1",
                       "../../../pci0000:00/0000:00:1c.4/0000:03:00.1/net/enp3s0f1")]),
        ["P: %s/connection1:0/iscsi_connection/connection1:0" % sess,
         "E: SUBSYSTEM=iscsi_connection", "A: address=fd00:10::5\\n", "A: port=3260\\n",
         "A: persistent_address=fd00:10::5\\n", "A: persistent_port=3260\\n"],
        ["P: %s/target2:0:0/2:0:0:0/block/sdb/sdb1" % sess, "N: sdb1",
         "E: DEVNAME=/dev/sdb1", "E: DEVTYPE=partition", "E: MAJOR=8", "E: MINOR=17",
         "E: PARTN=1", "E: SUBSYSTEM=block", "A: partition=1\\n", "A: start=2048\\n"],
    ]


def proc_ipv6_route(rows):
    """procfs net/ipv6_route as the kernel prints it (net/ipv6/route.c
    ipv6_route_native_seq_show): "%pi6 %02x %pi6 %02x %pi6 %08x %08x %08x %08x %8s", the
    source prefix all zeros without CONFIG_IPV6_SUBTREES. rows: (dest, plen, nexthop, metric,
    flags, dev)."""
    import ipaddress
    hexa = lambda a: ipaddress.IPv6Address(a).packed.hex()
    zero = "0" * 32
    return "".join("%s %02x %s %02x %s %08x %08x %08x %08x %8s\\n" % (
        hexa(dest), plen, zero, 0, hexa(nh), metric, 1, 0, flags, dev)
        for dest, plen, nh, metric, flags, dev in rows)


def host_scale(n=500):
    """About n devices: root ports with ACS, each with a 4-function NIC (one group per port),
    32 ports per PCI domain, as many domains as it takes (scale-65536 has 408)."""
    d = {}
    add(d, Dev("0000:00:00.0", 0x8086, 0x2020, 0x060000, group=0, pm=False, msi=False))
    bus, group, dom = 1, 1, 0
    while len(d) < n:
        bus = bus if bus + 0x20 <= 0x100 else 1
        for port in range(0x20):
            if len(d) >= n:
                break
            pbdf = "%04x:00:%02x.%x" % (dom, 1 + (port >> 3), port & 7)
            if dom and pbdf not in d and port == 0:
                add(d, Dev("%04x:00:00.0" % dom, 0x8086, 0x2020, 0x060000, group=group,
                           pm=False, msi=False))
                group += 1
            add(d, Dev(pbdf, 0x8086, 0x2032, 0x060400, driver="pcieport", group=group, hdr=1,
                       pcie=4, acs=0x001d, sec=(bus, bus)))
            for fn in range(4):
                add(d, Dev("%04x:%02x:00.%d" % (dom, bus, fn), 0x8086, 0x1521, 0x020000,
                           driver="igb" if fn else "vfio-pci", group=group, mf=fn == 0, pcie=0,
                           flr=True, msix=10, parent=pbdf, net=["eth%d_%d" % (bus, fn)] if fn else []))
            bus, group = bus + 1, group + 1
        dom += 1
    return d


def proc_route(rows):
    """procfs net/route as the kernel prints it (net/ipv4/fib_trie.c fib_route_seq_show):
    each line padded to 127 columns; addresses are the __be32 printed with %08X, so on a
    little-endian host 10.0.0.0 reads 0000000A. rows: (iface, dest, gateway, flags, mask)."""
    def le(a):
        return "%08X" % struct.unpack("<I", bytes(int(x) for x in a.split(".")))[0]
    lines = ["Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT"]
    for iface, dest, gw, flags, mask in rows:
        lines.append("%s\t%s\t%s\t%04X\t%d\t%u\t%d\t%s\t%d\t%u\t%u" %
                     (iface, le(dest), le(gw), flags, 0, 0, 100, le(mask), 0, 0, 0))
    return "".join(escape("%-127s\n" % l).replace("\t", "\\t") for l in lines)


# What a host's recording shows besides its PCI devices: an Intel IOMMU's ecap, the command line.
EXTRAS = {
    # Diskless (root on NFS): the NVMe holds no mounted filesystem, so it is not host-critical;
    # the NFS server (10.0.0.1) is reached through eno1 (10.0.0.0/24), the default route too.
    "workstation-gpu": {"ecap": "f00f5e",
                        "net/route": proc_route([("eno1", "0.0.0.0", "10.0.0.254", 3, "0.0.0.0"),
                                                 ("eno1", "10.0.0.0", "0.0.0.0", 1,
                                                  "255.255.255.0")]),
                        "cmdline": "BOOT_IMAGE=/vmlinuz root=/dev/nfs nfsroot=10.0.0.1:/srv/ws "
                                   "ip=dhcp intel_iommu=on iommu=pt",
                        "mounts": "10.0.0.1:/srv/ws / nfs4 rw,relatime 0 0\\nproc /proc proc "
                                  "rw,relatime 0 0\\nsysfs /sys sysfs rw,relatime 0 0\\n",
                        "swaps": "Filename\\t\\t\\t\\tType\\t\\tSize\\t\\tUsed\\t\\tPriority\\n"},
    # Root on an iSCSI LUN the firmware logged in to; no mount table, no route table.
    "server-iscsi": {"cmdline": "BOOT_IMAGE=/vmlinuz-6.1.0-28-amd64 root=/dev/mapper/vg0-root ro "
                                "rd.iscsi.firmware=1 rd.lvm.vg=vg0 intel_iommu=on",
                     "sys": {"firmware/ibft/ethernet0/mac": "3c:fd:fe:a0:5c:11\\n",
                             "firmware/ibft/ethernet0/index": "0\\n"}},
    # Both default routes through br0 (bond0 under it); the iSCSI target holding / is on
    # fd00:10::/64 through the VLAN enp3s0f1.100. Flags (include/uapi/linux/ipv6_route.h):
    # RTF_UP 0x1, RTF_GATEWAY 0x2, RTF_DEFAULT 0x10000, RTF_ADDRCONF 0x40000, RTF_EXPIRES
    # 0x400000, RTF_REJECT 0x200, RTF_NONEXTHOP 0x200000 (lo's unreachable routes).
    "server-bond": {"cmdline": "BOOT_IMAGE=/vmlinuz-6.1.0-28-amd64 "
                               "root=UUID=0b7c1a62-3d0e-4b8e-9a51-2f6c1d9e7a40 ro intel_iommu=on",
                    "net/route": proc_route([("br0", "0.0.0.0", "192.168.10.1", 3, "0.0.0.0"),
                                             ("br0", "192.168.10.0", "0.0.0.0", 1,
                                              "255.255.255.0")]),
                    "net/ipv6_route": proc_ipv6_route([
                        ("fd00:10::", 64, "::", 256, 0x1, "enp3s0f1.100"),
                        ("fe80::", 64, "::", 256, 0x1, "br0"),
                        ("::", 0, "fe80::1", 1024, 0x450003, "br0"),
                        ("::", 0, "::", 0xffffffff, 0x200200, "lo")]),
                    "mounts": "/dev/sdb1 / ext4 rw,relatime 0 0\\nproc /proc proc rw 0 0\\n",
                    "swaps": "Filename\\t\\t\\t\\tType\\t\\tSize\\t\\tUsed\\t\\tPriority\\n",
                    "blocks": bond_blocks()},
}

HOSTS = {
    "desktop-gpu": host_desktop,
    "server-sriov": host_server,
    "switch-noacs": host_switch,
    "server-mlx5": host_mlx5,
    "workstation-gpu": host_workstation,
    "server-iscsi": host_iscsi,
    "server-bond": host_bond,
    "scale-500": host_scale,
}


def main(argv):
    if len(argv) >= 2 and argv[1] == "list":
        print("\n".join(sorted(HOSTS)))
        return 0
    scale = re.fullmatch(r"scale-([0-9]+)", argv[2]) if len(argv) >= 3 else None
    if scale and argv[2] not in HOSTS:
        HOSTS[argv[2]] = lambda: host_scale(int(scale.group(1)))
    if len(argv) == 3 and argv[1] == "recording" and argv[2] in HOSTS:
        sys.stdout.write(recording(HOSTS[argv[2]](), extras=EXTRAS.get(argv[2])))
        return 0
    if len(argv) == 4 and argv[1] == "tree" and argv[2] in HOSTS:
        tree(HOSTS[argv[2]](), argv[3])
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
