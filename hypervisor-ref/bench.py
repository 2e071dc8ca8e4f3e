#!/usr/bin/env python3
"""vmi-run start-up figures (make bench): start of vmi-run to the guest's first
instruction, and resident memory beyond guest RAM, over RUNS runs of a payload
whose first instruction exits. QEMU with KVM boots the same multiboot payload in
the same run as the peer; the anchor is Firecracker's published <= 8 CPU-ms to
start and <= 5 MiB of VMM overhead (its docs, not measured here)."""
import os
import re
import resource
import statistics
import subprocess
import sys
import time

RUNS = 20
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VMIRUN = os.path.join(ROOT, "build/vmi-run")
PAYLOAD = os.path.join(ROOT, "build/hv-tests/payloads/exit0.elf")
CALLS = os.path.join(ROOT, "build/hv-tests/payloads/calls.elf")
NCALLS = 20000
FIGURES = re.compile(r"start to first guest exit ([\d.]+) ms wall, ([\d.]+) ms CPU; "
                     r"resident (\d+) KiB beyond guest RAM")


def child_cpu_ms(before):
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1e3


def timed(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    return p, (time.monotonic() - t0) * 1e3, child_cpu_ms(before)


def vmirun():
    wall, cpu, rss, total = [], [], [], []
    for _ in range(RUNS):
        p, ms, _ = timed([VMIRUN, "--backend", "hvm", "--mem", "64M", "--stats", "--kernel", PAYLOAD])
        m = FIGURES.search(p.stderr)
        if not m:
            sys.exit("bench: vmi-run printed no start-up figures:\n" + p.stderr)
        wall.append(float(m[1]))
        cpu.append(float(m[2]))
        rss.append(int(m[3]))
        total.append(ms)
    return statistics.median(wall), statistics.median(cpu), statistics.median(rss), statistics.median(total)


def qemu():
    cmd = ["qemu-system-x86_64", "-accel", "kvm", "-m", "64", "-display", "none", "-nodefaults",
           "-no-user-config", "-kernel", PAYLOAD, "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
    total, cpu = [], []
    for _ in range(5):
        p, ms, c = timed(cmd)
        if p.returncode != 5:
            return None
        total.append(ms)
        cpu.append(c)
    return statistics.median(total), statistics.median(cpu)


def hypercall_us(backend):
    """Per-call cost: the calls payload less the exit-at-once one, over NCALLS."""
    base, calls = [], []
    for _ in range(5):
        for payload, out in ((PAYLOAD, base), (CALLS, calls)):
            p, ms, _ = timed([VMIRUN, "--backend", backend, "--mem", "64M", "--kernel", payload])
            if p.returncode not in (2, 0x10):
                return None
            out.append(ms)
    return max(statistics.median(calls) - statistics.median(base), 0) * 1e3 / NCALLS


def main():
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("vmi-run bench: skipped, no usable /dev/kvm here")
        return 0
    wall, cpu, rss, total = vmirun()
    print(f"vmi-run start to first guest instruction: {wall:.2f} ms wall, {cpu:.2f} ms CPU "
          f"(median of {RUNS}; whole process {total:.1f} ms wall); Firecracker's anchor: 8 CPU-ms")
    print(f"vmi-run resident memory beyond guest RAM: {rss:.0f} KiB ({rss / 1024:.1f} MiB); "
          f"Firecracker's anchor: 5 MiB")
    costs = {b: hypercall_us(b) for b in ("hvm", "bt")}
    line = ", ".join(f"{b} {c:.2f} us" for b, c in costs.items() if c is not None)
    print(f"hypercall round trip (timer_frequency through the ROM, {NCALLS} calls): {line}")
    q = qemu()
    if q:
        print(f"peer, same payload: qemu-system-x86_64 -accel kvm whole process {q[0]:.1f} ms wall, "
              f"{q[1]:.1f} ms CPU; QEMU takes {q[0] / total:.0f}x vmi-run's wall time")
    else:
        print("peer: qemu-system-x86_64 -accel kvm did not run the payload here")
    return 0


if __name__ == "__main__":
    sys.exit(main())
