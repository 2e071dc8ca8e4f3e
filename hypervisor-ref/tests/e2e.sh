#!/usr/bin/env bash
# End to end on the hvm backend: the payloads in tests/payloads/ run on
# vmi-run with the hypercall ROM. Through scripts/with-kvm when it exists
# (it finds or makes a working /dev/kvm), else straight on this host's
# /dev/kvm, else every test is skipped. Prints TAP.
set -u
cd "$(dirname "$0")/../.."
B=build
P=$B/hv-tests/payloads
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
check() { if eval "$1"; then ok "$2"; else nok "$2"; sed 's/^/# /' <<<"$out" | head -40; fi; }

# A hung guest must not hang make check: every run has a time limit.
if [ -x scripts/with-kvm ]; then
	run=(scripts/with-kvm)
elif [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	run=()
else
	echo "1..0 # SKIP no /dev/kvm and no scripts/with-kvm"
	exit 0
fi

out=$(timeout 120 "${run[@]}" $B/vmi-run --backend hvm --mem 64M --kernel $P/mb32.elf --stats </dev/null 2>&1); rc=$?
check '[ $rc -eq 42 ]' "mb32: exits through 0xf4 with its code 42 (got $rc)"
check 'grep -q "^mb32: hello from a multiboot kernel" <<<"$out"' "mb32: prints on COM1"
check 'grep -q "^1..11" <<<"$out" && ! grep -q "^not ok" <<<"$out"' "mb32: every hypercall check passed"
check 'grep -q "^#$" <<<"$out"' "mb32: io_out8 through the ROM reaches COM1"
check 'grep -q "write_cr8=1" <<<"$out" && grep -q "refused=1" <<<"$out"' "--stats: per-call counts"
check 'grep -q "exits: io=" <<<"$out"' "--stats: per-exit-reason counts"

# The trace is on stderr alone: merged with the guest's stdout, the two
# streams interleave mid-line.
out=$(timeout 120 "${run[@]}" $B/vmi-run --backend hvm --mem 64M --kernel $P/mb32.elf --trace </dev/null 2>&1 >/dev/null); rc=$?
check 'grep -q "vmi-run: trace: write_cr3(value=0x[0-9a-f]*) = 0" <<<"$out"' "--trace: logs each call"

out=$(timeout 120 "${run[@]}" $B/vmi-run --backend hvm --mem 64M --kernel $P/triple.elf </dev/null 2>&1); rc=$?
check '[ $rc -eq 3 ]' "triple: a triple fault exits with status 3 (got $rc)"
check 'grep -q "^triple: about to triple-fault" <<<"$out"' "triple: ran until the fault"
check 'grep -q "guest stopped: triple fault.*(last exit: shutdown)" <<<"$out"' "triple: the fault is reported"
# AMD's KVM resets the vCPU at a shutdown; vmi-run then shows the state of the
# exit before (the last OUT to COM1), so check what both have in common.
check 'grep -q "rip=00000000001000" <<<"$out" && grep -q "cr3=0000000000002000" <<<"$out" && grep -q "efer=0000000000000500" <<<"$out"' \
	"triple: registers and control registers printed"

out=$(timeout 120 "${run[@]}" $B/vmi-run --backend hvm --mem 64M --kernel $P/halt.elf </dev/null 2>&1); rc=$?
check '[ $rc -eq 0 ] && grep -q "guest halted with interrupts off" <<<"$out"' \
	"halt: HLT with interrupts off ends vmi-run with 0 (got $rc)"

out=$(timeout 120 "${run[@]}" $B/vmi-run --backend hvm --mem 64M --rom none --kernel $P/mb32.elf </dev/null 2>&1); rc=$?
check '[ $rc -eq 99 ] && grep -q "^not ok 1 - ROM found" <<<"$out"' "--rom none: no ROM in the guest"

out=$(timeout 120 "${run[@]}" $B/vmi-run --probe 2>&1); rc=$?
check '[ $rc -eq 0 ] && grep -Eq "^hvm +available: [0-9.]+ MIPS, [0-9.]+ us per exit" <<<"$out"' "--probe: hvm measured"

# The same payloads on bt, where it is built in: the machine and the
# dispatcher are shared, so the answers must be the same.
if grep -Eq "^bt +available" <<<"$out"; then
	out=$(timeout 120 $B/vmi-run --backend bt --mem 64M --kernel $P/mb32.elf </dev/null 2>&1); rc=$?
	check '[ $rc -eq 42 ] && grep -q "^1..11" <<<"$out" && ! grep -q "^not ok" <<<"$out"' \
		"bt: mb32 passes every hypercall check and exits with 42 (got $rc)"
	out=$(timeout 120 $B/vmi-run --backend bt --mem 64M --kernel $P/triple.elf </dev/null 2>&1); rc=$?
	check '[ $rc -eq 3 ] && grep -q "guest stopped: triple fault" <<<"$out"' \
		"bt: a triple fault exits with status 3 and a report (got $rc)"
fi
echo "1..$n"
