# SPDX-License-Identifier: GPL-2.0 OR MIT
"""conformance/run --mutate: how many broken native ROMs does the suite catch?

Mutants of build/vmi-native.rom, each re-sealed with `vmi-romtool seal` and
checked with `vmi-romtool validate` (a mutant the validator refuses would only
test discovery):
  noop:N:ret   slot N's body replaced by RET
  noop:N:xor   slot N's body replaced by XOR EAX,EAX; RET
  swap:N       slots N and N+1 exchanged, annotations with them
Slots marked reloc none are never called and are left alone. A mutated slot's
annotation loses its inline bytes and fault fixup (they described the old
body). Equivalent mutants, which no test can tell from the original, are
listed apart and left out of the rate: byte-identical slots, the two
bodies spec 2.4 allows for a reloc nop call returning void, and the few
changes no guest can observe on QEMU TCG (UNOBSERVABLE, each with its reason).
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROM = "build/vmi-native.rom"
ROMTOOL = "build/vmi-romtool"
SLOT = 64
RET = b"\xc3"
XOR_RET = b"\x31\xc0\xc3"
RELOC_NONE, RELOC_CALL, RELOC_NOP = 0, 1, 3
# Mutants no guest can tell from the original here, by label prefix. Each is
# reported with its reason, not hidden; none is in the kill rate.
UNOBSERVABLE = {
    "noop wbinvd": "WBINVD has no effect a guest can observe (QEMU TCG)",
    "noop io_delay": "the native body writes port 0x80, which reaches no device (QEMU)",
    "swap wbinvd <-> io_delay": "neither body has an observable effect (QEMU TCG)",
    "swap flush_tlb_user <-> flush_tlb_kernel":
        "QEMU TCG drops global translations on a CR3 write too: the two flushes look alike",
    "noop spin_wait": "spec 6: spin_wait may return early at any time, so RET conforms",
}


def call_names():
    names = {}
    with open(os.path.join(ROOT, "conformance/gen/coverage.txt")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                n, name = line.split()
                names[int(n)] = name
    return names


def void_calls():
    """Calls whose result is void, from the generated C header's X-macro."""
    out = set()
    with open(os.path.join(ROOT, "include/vmi/abi.h")) as f:
        for line in f:
            line = line.strip()
            if line.startswith("X(") and "VMI_RET_VOID" in line:
                out.add(int(line[2:].split(",")[0]))
    return out


class Rom:
    def __init__(self, data):
        self.data = bytearray(data)
        (self.num_calls, self.slot_off, self.annot_off) = struct.unpack_from("<III", data, 0x40 + 0x10)

    def slot(self, n):
        o = self.slot_off + n * SLOT
        return bytes(self.data[o:o + SLOT])

    def annot(self, n):
        o = self.annot_off + n * 8
        return bytes(self.data[o:o + 8])

    def reloc(self, n):
        return self.data[self.annot_off + n * 8]

    def with_slots(self, changes):
        """A copy with {n: (slot bytes, annotation bytes)} applied."""
        m = Rom(bytes(self.data))
        for n, (body, ann) in changes.items():
            m.data[m.slot_off + n * SLOT:m.slot_off + (n + 1) * SLOT] = body
            m.data[m.annot_off + n * 8:m.annot_off + n * 8 + 8] = ann
        return m


def body(code):
    return code + b"\xcc" * (SLOT - len(code))


def plain_annot(reloc):
    # reloc kept, no inline bytes, no fault site (the new body has none)
    return bytes([reloc, 0, 0xff, 0, 0, 0, 0, 0])


def moved_annot(reloc, ann):
    """A body's annotation at a slot of kind reloc: inline bytes only for call."""
    return bytes([reloc, ann[1] if reloc == RELOC_CALL else 0]) + ann[2:]


def unobservable(label):
    for prefix, why in UNOBSERVABLE.items():
        if label.startswith(prefix):
            return why
    return None


def mutants(rom, names, voids):
    """Yield (label, Rom or None, why-equivalent or None)."""
    nop_bodies = {body(RET), body(XOR_RET)}
    for n in range(rom.num_calls):
        if rom.reloc(n) == RELOC_NONE:
            continue
        for tag, code in (("ret", RET), ("xor", XOR_RET)):
            label = f"noop {names.get(n, n)} ({tag})"
            new = body(code)
            if new == rom.slot(n):
                yield label, None, "identical to the slot"
            elif rom.reloc(n) == RELOC_NOP and n in voids and rom.slot(n) in nop_bodies:
                yield label, None, "both bodies spec 2.4 allows for a void reloc nop call"
            else:
                yield label, rom.with_slots({n: (new, plain_annot(rom.reloc(n)))}), None
        m = n + 1
        if m < rom.num_calls and rom.reloc(m) != RELOC_NONE:
            label = f"swap {names.get(n, n)} <-> {names.get(m, m)}"
            if rom.slot(n) == rom.slot(m):
                yield label, None, "identical slots"
            elif {rom.slot(n), rom.slot(m)} <= nop_bodies and n in voids and m in voids:
                yield label, None, "two void no-op bodies"
            else:
                # the body moves with its own annotation, the reloc kind stays
                an, am = rom.annot(n), rom.annot(m)
                yield label, rom.with_slots({n: (rom.slot(m), moved_annot(an[0], am)),
                                             m: (rom.slot(n), moved_annot(am[0], an))}), None


def seal(mrom, path):
    with open(path, "wb") as f:
        f.write(mrom.data)
    for verb in ("seal", "validate"):
        r = subprocess.run([os.path.join(ROOT, ROMTOOL), verb, path], capture_output=True, text=True)
        if r.returncode:
            return f"vmi-romtool {verb}: " + (r.stdout + r.stderr).strip().splitlines()[-1]
    return None


def main(opts, command_for, run_suite):
    t0 = time.monotonic()
    with open(os.path.join(ROOT, ROM), "rb") as f:
        rom = Rom(f.read())
    names, voids = call_names(), void_calls()
    # A mutant either fails a test quickly or hangs one (QEMU TCG 7.2 hangs on
    # some reserved control-register bits): keep hangs short. No native test
    # takes more than a few ms.
    opts.timeout = min(opts.timeout, 1.5)
    opts.stop_on_fail = True
    opts.boot_timeout = min(opts.boot_timeout, 30)
    work, equivalent = [], []
    tmp = tempfile.mkdtemp(prefix="vmi-mutants-")
    for i, (label, mrom, why) in enumerate(mutants(rom, names, voids)):
        why = why or unobservable(label)
        if why:
            equivalent.append((label, why))
        else:
            work.append((label, mrom, os.path.join(tmp, f"m{i}.rom")))
    print(f"mutate: {len(work)} mutants of {ROM} ({len(equivalent)} equivalent left out), "
          f"{opts.jobs} at a time", flush=True)

    def judge(item):
        label, mrom, path = item
        t = time.monotonic()
        bad = seal(mrom, path)
        if bad:
            return label, "refused", bad
        out = run_suite(command_for(opts.kernel, path), opts)
        if opts.verbose:
            print(f"    {label}: {time.monotonic() - t:.1f} s", flush=True)
        failed = [f"{n} {r[1]}" for n, r in sorted(out.results.items()) if r[0] == "fail"]
        if out.bailed:
            return label, "killed", "bail out: " + out.bailed
        if failed or out.counts()["fail"]:
            return label, "killed", f"{len(failed)} failed, first: {failed[0] if failed else 'not run'}"
        return label, "survived", ""

    results = []
    with ThreadPoolExecutor(max_workers=opts.jobs) as pool:
        for done, (label, verdict, why) in enumerate(pool.map(judge, work), 1):
            results.append((label, verdict, why))
            if opts.verbose or verdict != "killed":
                print(f"  [{done}/{len(work)}] {label}: {verdict}" + (f" ({why})" if why else ""), flush=True)
            elif done % 20 == 0:
                print(f"  [{done}/{len(work)}] ...", flush=True)
    shutil.rmtree(tmp, ignore_errors=True)
    killed = sum(1 for r in results if r[1] == "killed")
    refused = sum(1 for r in results if r[1] == "refused")
    survived = [r[0] for r in results if r[1] == "survived"]
    for label, why in equivalent:
        if opts.verbose or not why.startswith(("identical", "both bodies", "two void")):
            print(f"  equivalent: {label}: {why}")
    judged = killed + len(survived)
    rate = 100.0 * killed / judged if judged else 0.0
    print(f"survivors: {', '.join(survived) if survived else 'none'}")
    print(f"kill rate: {killed}/{judged} = {rate:.1f}% ({refused} refused by vmi-romtool, "
          f"{len(equivalent)} equivalent; {time.monotonic() - t0:.0f} s)")
    return 0 if not survived else 1
