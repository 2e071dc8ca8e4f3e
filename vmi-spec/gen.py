#!/usr/bin/env python3
"""Generate every derived file from vmi-spec/calls.toml.

  gen.py            write the generated files into the tree
  gen.py --check    regenerate in memory; exit 1 naming each file that is
                    stale or was edited by hand (the test `make check` runs)

Outputs (paths relative to the repository root):
  include/vmi/abi.h               C header: guest, ROM tool, hypervisor, tests
  vmi-rom/gen/slots.inc           nasm: constants, slot bodies, annotations
  hypervisor-ref/gen/dispatch.c   the dispatcher's call table
  conformance/gen/coverage.txt    calls the conformance suite must test
  vmi-spec/spec.md                the section between the GENERATED markers
"""
import os
import sys
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE = "vmi-spec/calls.toml"
BANNER = "generated from vmi-spec/calls.toml by vmi-spec/gen.py; do not edit"
SPEC_BEGIN = "<!-- BEGIN GENERATED CALL TABLE (vmi-spec/gen.py) -->"
SPEC_END = "<!-- END GENERATED CALL TABLE -->"

RETS = ("void", "u64", "s64", "pair")
CLOBBERS = ("std", "rax")
RELOCS = ("none", "call", "jump", "nop")
GROUPS = ("rom", "cpu", "irq", "mmu", "time", "lock", "io")
ARG_TYPES = ("u8", "u16", "u32", "u64", "ptr")
# The reference transport passes argument 3 in r10, because dx holds the port.
HC_ARG_REGS = ("rdi", "rsi", "r10", "rcx", "r8", "r9")
SYSV_ARG_REGS = ("rdi", "rsi", "rdx", "rcx", "r8", "r9")


class TableError(Exception):
    pass


def parse_arg(text):
    decl, _, meaning = text.partition(":")
    parts = decl.split()
    if len(parts) != 2 or parts[0] not in ARG_TYPES:
        raise TableError(f"bad argument {text!r}: want 'TYPE NAME: meaning'")
    return {"type": parts[0], "name": parts[1], "meaning": meaning.strip()}


def load(path):
    with open(path, "rb") as f:
        t = tomllib.load(f)
    calls = t["call"]
    errors = {e["name"]: e for e in t["error"]}
    for i, c in enumerate(calls):
        where = f"call {c.get('name', '?')}"
        if c["num"] != i:
            raise TableError(f"{where}: num {c['num']}, expected {i} (numbers are dense and in order)")
        for key, allowed in (("ret", RETS), ("clobbers", CLOBBERS), ("group", GROUPS)):
            if c[key] not in allowed:
                raise TableError(f"{where}: {key} {c[key]!r} not in {allowed}")
        if c["native"]["reloc"] not in RELOCS:
            raise TableError(f"{where}: native reloc {c['native']['reloc']!r}")
        if c["hypercall_rom"] not in ("hypercall", "native"):
            raise TableError(f"{where}: hypercall_rom must be hypercall or native")
        c["args"] = [parse_arg(a) for a in c["args"]]
        if len(c["args"]) > len(HC_ARG_REGS):
            raise TableError(f"{where}: at most {len(HC_ARG_REGS)} arguments")
        for e in c["errors"]:
            if e not in errors:
                raise TableError(f"{where}: unknown error {e}")
        if c["native"]["reloc"] == "nop" and c["ret"] == "pair":
            raise TableError(f"{where}: a nop call cannot return a pair")
    names = [c["name"] for c in calls]
    if len(set(names)) != len(names):
        raise TableError("duplicate call names")
    return t


def c_header(t):
    a = t["abi"]
    out = [f"/* SPDX-License-Identifier: GPL-2.0 OR MIT */",
           f"/* {BANNER} */",
           "#ifndef VMI_ABI_H",
           "#define VMI_ABI_H",
           "",
           "#ifdef __KERNEL__",
           "#include <linux/types.h>",
           "#else",
           "#include <stdint.h>",
           "#endif",
           "",
           f"#define VMI_ABI_MAJOR {a['major']}",
           f"#define VMI_ABI_MINOR {a['minor']}",
           f"#define VMI_MAGIC \"{a['magic']}\"",
           f"#define VMI_SLOT_SIZE {a['slot_size']}",
           f"#define VMI_HEADER_OFFSET 0x{a['header_offset']:x}",
           f"#define VMI_HEADER_SIZE {a['header_size']}",
           f"#define VMI_ANNOT_SIZE {a['annot_size']}",
           f"#define VMI_PCI_VENDOR 0x{a['pci_vendor']:04x}",
           f"#define VMI_PCI_DEVICE 0x{a['pci_device']:04x}",
           f"#define VMI_HYPERCALL_PORT 0x{a['hypercall_port']:04x}",
           f"#define VMI_MAX_BATCH {a['max_batch']}",
           f"#define VMI_MAX_STACK {a['max_stack']}",
           f"#define VMI_NUM_CALLS {len(t['call'])}",
           "",
           "/* Where the guest looks for the ROM, and how it is aligned. */",
           "#define VMI_SCAN_START 0xc0000",
           "#define VMI_SCAN_END 0xe0000",
           "#define VMI_SCAN_STEP 0x800",
           "",
           "/* Results: 0 or a negative error; values match Linux errno. */"]
    for e in t["error"]:
        out.append(f"#define VMI_{e['name']} ({e['value']}) /* {e['meaning']} */")
    out += ["", "/* rom_header.features */"]
    for f in t["feature"]:
        out.append(f"#define VMI_FEAT_{f['name']} (1ull << {f['bit']}) /* {f['meaning']} */")
    out.append("#define VMI_FEAT_KNOWN (" + " | ".join(f"VMI_FEAT_{f['name']}" for f in t["feature"]) + ")")
    out += ["", "/* annotation.reloc: how a guest may bind a call site to the slot */"]
    for i, r in enumerate(RELOCS):
        out.append(f"#define VMI_RELOC_{r.upper()} {i}")
    out += ["", "/* annotation.fault_off when the slot has no faulting instruction */",
            "#define VMI_NO_FAULT 0xff", "",
            "/* return kinds and clobber classes used by VMI_CALLS */",
            "#define VMI_RET_VOID 0", "#define VMI_RET_U64 1", "#define VMI_RET_S64 2", "#define VMI_RET_PAIR 3",
            "#define VMI_CLOBBERS_STD 0", "#define VMI_CLOBBERS_RAX 1", "",
            "/* timer_read counters */",
            "#define VMI_COUNTER_REAL 0", "#define VMI_COUNTER_AVAILABLE 1", "#define VMI_COUNTER_STOLEN 2", "",
            "/* mmu_batch_flush entry operations (bits 2:0 of entry) */",
            "#define VMI_BATCH_OP_STORE 0", "#define VMI_BATCH_OP_MASK 7ull", ""]
    for c in t["call"]:
        out.append(f"#define VMI_CALL_{c['name'].upper()} {c['num']}")
    out += ["", "/* X(num, name, nargs, ret, clobbers): one row per call, in number order. */",
            "#define VMI_CALLS(X) \\"]
    for c in t["call"]:
        out.append(f"\tX({c['num']}, {c['name']}, {len(c['args'])}, VMI_RET_{c['ret'].upper()}, "
                   f"VMI_CLOBBERS_{c['clobbers'].upper()}) \\")
    out.append("")
    out += [
        "/* The option-ROM header at offset 0 (PCI firmware spec). */",
        "struct vmi_option_rom {",
        "\tuint8_t signature[2];\t/* 0x55 0xaa */",
        "\tuint8_t blocks;\t\t/* length in 512-byte blocks */",
        "\tuint8_t init[21];\t/* init entry: far return at offset 3 */",
        "\tuint16_t pcir_offset;\t/* offset of struct vmi_pcir */",
        "\tuint16_t pnp_offset;\t/* 0: no PnP header */",
        "} __attribute__((packed));",
        "",
        "struct vmi_pcir {",
        "\tuint8_t signature[4];\t/* \"PCIR\" */",
        "\tuint16_t vendor;",
        "\tuint16_t device;",
        "\tuint16_t vpd;",
        "\tuint16_t length;\t/* 24 */",
        "\tuint8_t revision;",
        "\tuint8_t class_code[3];",
        "\tuint16_t image_blocks;",
        "\tuint16_t code_revision;",
        "\tuint8_t code_type;\t/* 0: x86 */",
        "\tuint8_t indicator;\t/* 0x80: last image */",
        "\tuint16_t reserved;",
        "} __attribute__((packed));",
        "",
        "/* The VMI header at VMI_HEADER_OFFSET. Offsets are from the ROM's first byte. */",
        "struct vmi_rom_header {",
        "\tchar magic[8];\t\t/* VMI_MAGIC, NUL-padded */",
        "\tuint16_t abi_major;",
        "\tuint16_t abi_minor;",
        "\tuint16_t header_size;\t/* VMI_HEADER_SIZE */",
        "\tuint16_t slot_size;\t/* VMI_SLOT_SIZE */",
        "\tuint32_t num_calls;\t/* slots in the table; may differ from VMI_NUM_CALLS */",
        "\tuint32_t slot_offset;\t/* slot table, VMI_SLOT_SIZE-aligned */",
        "\tuint32_t annot_offset;\t/* num_calls struct vmi_annotation, 8-aligned */",
        "\tuint16_t annot_size;\t/* VMI_ANNOT_SIZE */",
        "\tuint16_t reserved0;\t/* 0 */",
        "\tuint64_t features;\t/* VMI_FEAT_* */",
        "\tuint32_t vendor_offset;\t/* NUL-terminated printable ASCII, 1-63 chars */",
        "\tuint32_t license_offset;\t/* NUL-terminated printable ASCII, 1-127 chars */",
        "\tuint8_t reserved1[16];\t/* 0 */",
        "} __attribute__((packed));",
        "",
        "struct vmi_annotation {",
        "\tuint8_t reloc;\t\t/* VMI_RELOC_* */",
        "\tuint8_t inline_len;\t/* bytes at the slot's start a guest may copy to a call site */",
        "\tuint8_t fault_off;\t/* slot offset of the one instruction that may #GP, or VMI_NO_FAULT */",
        "\tuint8_t fixup_off;\t/* where to resume after that #GP; 0 when fault_off is VMI_NO_FAULT */",
        "\tuint8_t reserved[4];\t/* 0 */",
        "} __attribute__((packed));",
        "",
        "struct vmi_mmu_update {",
        "\tuint64_t entry;\t\t/* address of the page-table entry | VMI_BATCH_OP_* */",
        "\tuint64_t value;",
        "} __attribute__((packed));",
        "",
        "_Static_assert(sizeof(struct vmi_option_rom) == 0x1c, \"option ROM header\");",
        "_Static_assert(sizeof(struct vmi_pcir) == 24, \"PCIR\");",
        "_Static_assert(sizeof(struct vmi_rom_header) == VMI_HEADER_SIZE, \"VMI header\");",
        "_Static_assert(sizeof(struct vmi_annotation) == VMI_ANNOT_SIZE, \"annotation\");",
        "",
        "#endif /* VMI_ABI_H */",
        ""]
    return "\n".join(out)


def nasm_body(c):
    """The native body, with a global label for the slot so that local labels
    (.inline_end, .fault, .fixup) resolve inside it."""
    return "\n".join("\t" + ln if not ln.endswith(":") else ln
                     for ln in c["native"]["body"].strip().splitlines())


def annot(c, lbl, body):
    inline = f"{lbl}.inline_end - {lbl}" if ".inline_end:" in body else "0"
    if ".fault:" in body:
        fault, fixup = f"{lbl}.fault - {lbl}", f"{lbl}.fixup - {lbl}"
    else:
        fault, fixup = "VMI_NO_FAULT", "0"
    return inline, fault, fixup


def nasm_include(t):
    a = t["abi"]
    out = [f"; {BANNER}",
           f"%define VMI_ABI_MAJOR {a['major']}",
           f"%define VMI_ABI_MINOR {a['minor']}",
           f"%define VMI_MAGIC '{a['magic']}'",
           f"%define VMI_SLOT_SIZE {a['slot_size']}",
           f"%define VMI_HEADER_OFFSET 0x{a['header_offset']:x}",
           f"%define VMI_HEADER_SIZE {a['header_size']}",
           f"%define VMI_ANNOT_SIZE {a['annot_size']}",
           f"%define VMI_PCI_VENDOR 0x{a['pci_vendor']:04x}",
           f"%define VMI_PCI_DEVICE 0x{a['pci_device']:04x}",
           f"%define VMI_HYPERCALL_PORT 0x{a['hypercall_port']:04x}",
           f"%define VMI_MAX_BATCH {a['max_batch']}",
           f"%define VMI_NUM_CALLS {len(t['call'])}"]
    for e in t["error"]:
        out.append(f"%define VMI_{e['name']} {e['value']}")
    for f in t["feature"]:
        out.append(f"%define VMI_FEAT_{f['name']} (1 << {f['bit']})")
    for i, r in enumerate(RELOCS):
        out.append(f"%define VMI_RELOC_{r.upper()} {i}")
    out += ["%define VMI_NO_FAULT 0xff", "",
            "; VMI_SLOTS emits the slot table, VMI_ANNOTATIONS the annotation table.",
            "; The including file defines VMI_HYPERCALL_ROM (or not) and the macros",
            "; slot_begin LABEL, slot_end LABEL, hypercall NUM and hypercall_rax_only NUM",
            "; (the same trap, preserving every register but rax).", "",
            "%macro VMI_SLOTS 0"]
    for c in t["call"]:
        lbl = f"vmi_slot_{c['name']}"
        out.append(f"; {c['num']} {c['name']}")
        out.append(f"slot_begin {lbl}")
        if c["hypercall_rom"] == "hypercall":
            out.append("%ifdef VMI_HYPERCALL_ROM")
            macro = "hypercall_rax_only" if c["clobbers"] == "rax" else "hypercall"
            out.append(f"\t{macro} {c['num']}")
            out.append("%else")
            out.append(nasm_body(c))
            out.append("%endif")
        else:
            out.append(nasm_body(c))
        out.append(f"slot_end {lbl}")
    out += ["%endmacro", "", "%macro VMI_ANNOTATIONS 0"]
    for c in t["call"]:
        lbl = f"vmi_slot_{c['name']}"
        body = c["native"]["body"]
        inline, fault, fixup = annot(c, lbl, body)
        native = f"\tdb VMI_RELOC_{c['native']['reloc'].upper()}, {inline}, {fault}, {fixup}, 0, 0, 0, 0"
        if c["hypercall_rom"] == "hypercall":
            out += ["%ifdef VMI_HYPERCALL_ROM",
                    "\tdb VMI_RELOC_CALL, 0, VMI_NO_FAULT, 0, 0, 0, 0, 0",
                    "%else", native, "%endif"]
        else:
            out.append(native)
    out += ["%endmacro", ""]
    return "\n".join(out)


def dispatch_c(t):
    out = [f"/* {BANNER} */",
           "#include \"dispatch.h\"",
           ""]
    for c in t["call"]:
        out.append(f"vmi_handler hc_{c['name']};")
    out += ["", "const struct hc_entry dispatch__table[VMI_NUM_CALLS] = {"]
    for c in t["call"]:
        args = ", ".join(f"\"{a['name']}\"" for a in c["args"])
        out.append(f"\t[{c['num']}] = {{ \"{c['name']}\", hc_{c['name']}, {len(c['args'])}, "
                   f"VMI_RET_{c['ret'].upper()}, {{ {args} }} }},")
    out += ["};", ""]
    return "\n".join(out)


def coverage(t):
    out = [f"# {BANNER}", "# one line per call: number name; each needs at least one conformance test"]
    out += [f"{c['num']} {c['name']}" for c in t["call"]]
    return "\n".join(out) + "\n"


def md_escape(s):
    return s.replace("|", "\\|")


def spec_section(t):
    err = {e["name"]: e["value"] for e in t["error"]}
    out = [SPEC_BEGIN, "",
           "| # | call | arguments (rdi, rsi, rdx, rcx, r8, r9) | result | clobbers | native ROM | hypercall ROM | Linux 6.1 pv_ops |",
           "|---|------|------------|--------|----------|------------|---------------|------------------|"]
    for c in t["call"]:
        args = ", ".join(f"{a['type']} {a['name']}" for a in c["args"]) or "-"
        pv = ", ".join(f"`{p}`" for p in c["pvops"]) or "-"
        clob = "all but rax preserved" if c["clobbers"] == "rax" else "System V"
        out.append(f"| {c['num']} | `{c['name']}` | {args} | {c['ret']} | {clob} | "
                   f"{c['native']['reloc']} | {c['hypercall_rom']} | {pv} |")
    out.append("")
    group = None
    for c in t["call"]:
        if c["group"] != group:
            group = c["group"]
            out += [f"### Group `{group}`", ""]
        out += [f"#### {c['num']} `{c['name']}`", "", md_escape(c["summary"]), ""]
        for i, a in enumerate(c["args"]):
            out.append(f"- `{SYSV_ARG_REGS[i]}` {a['type']} `{a['name']}`: {md_escape(a['meaning'])}")
        if c["ret"] != "void":
            out.append(f"- result ({c['ret']}): {md_escape(c['returns'])}")
        if c["errors"]:
            out.append("- errors: " + ", ".join(f"`VMI_{e}` ({err[e]})" for e in c["errors"]))
        out.append(f"- native ROM: reloc `{c['native']['reloc']}`; hypercall ROM: {c['hypercall_rom']}")
        if c["pvops"]:
            out.append("- backs: " + ", ".join(f"`pv_ops.{p}`" for p in c["pvops"]))
        out.append("")
    out.append(SPEC_END)
    return "\n".join(out)


def spec_md(t, current):
    begin, end = current.find(SPEC_BEGIN), current.find(SPEC_END)
    if begin < 0 or end < begin:
        raise TableError("vmi-spec/spec.md lacks the GENERATED CALL TABLE markers")
    return current[:begin] + spec_section(t) + current[end + len(SPEC_END):]


def outputs(t):
    spec_path = os.path.join(ROOT, "vmi-spec/spec.md")
    with open(spec_path) as f:
        spec = f.read()
    return {
        "include/vmi/abi.h": c_header(t),
        "vmi-rom/gen/slots.inc": nasm_include(t),
        "hypervisor-ref/gen/dispatch.c": dispatch_c(t),
        "conformance/gen/coverage.txt": coverage(t),
        "vmi-spec/spec.md": spec_md(t, spec),
    }


def main(argv):
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__.strip())
        return 0
    check = "--check" in argv
    try:
        t = load(os.path.join(ROOT, TABLE))
        files = outputs(t)
    except (TableError, OSError, tomllib.TOMLDecodeError, KeyError) as e:
        print(f"gen.py: {TABLE}: {e}", file=sys.stderr)
        return 1
    stale = []
    for rel, text in files.items():
        path = os.path.join(ROOT, rel)
        try:
            with open(path) as f:
                same = f.read() == text
        except FileNotFoundError:
            same = False
        if same:
            continue
        if check:
            stale.append(rel)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    for rel in stale:
        print(f"gen.py: {rel}: stale or edited by hand; run 'make gen'", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
