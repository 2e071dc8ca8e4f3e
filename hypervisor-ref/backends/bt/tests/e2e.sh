#!/usr/bin/env bash
# End to end on the bt backend (no /dev/kvm needed): vmi-run's payloads
# (hypervisor-ref/tests/payloads) and the compute loop, on this host. TAP.
set -u
cd "$(dirname "$0")/../../../.."
B=build
P=$B/hv-tests/payloads
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
check() { if eval "$1"; then ok "$2"; else nok "$2"; printf '# %s\n' "$out" | head -40; fi; }
run() { timeout 60 $B/vmi-run --backend bt --mem 64M "$@" </dev/null 2>&1; }

out=$(run --kernel $P/mb32.elf --stats); rc=$?
check '[ $rc -eq 42 ]' "bt: mb32 exits through 0xf4 with its code 42 (got $rc)"
check 'grep -q "^mb32: in long mode" <<<"$out"' "bt: mb32 enters long mode from its 32-bit entry"
check 'grep -q "^1..11" <<<"$out" && ! grep -q "^not ok" <<<"$out"' "bt: mb32 hypercall checks pass"
check 'grep -q "write_cr8=1" <<<"$out" && grep -q "refused=1" <<<"$out"' "bt: hypercalls reach the dispatcher in-process"

out=$(VMI_BT_SINGLE_STEP=1 run --kernel $P/mb32.elf); rc=$?
check '[ $rc -eq 42 ]' "bt: mb32 passes one instruction per block too (got $rc)"

out=$(run --kernel $P/triple.elf); rc=$?
check '[ $rc -eq 3 ]' "bt: a triple fault exits with status 3 (got $rc)"
check 'grep -q "guest stopped: triple fault" <<<"$out" && grep -q "rax=000000001badc0de" <<<"$out"' \
	"bt: the triple fault is reported with the vCPU state"

out=$(run --rom none --kernel $P/mb32.elf); rc=$?
check '[ $rc -eq 99 ] && grep -q "^not ok 1 - ROM found" <<<"$out"' "bt: --rom none: no ROM in the guest"

out=$(run --rom none --kernel $B/bt/loop.elf --append n=1000000); rc=$?
check '[ $rc -eq 33 ]' "bt: compute loop runs to its exit code (got $rc)"

if [ -x conformance/run ] && [ -f $B/conformance/conformance.elf ]; then
	out=$(timeout 300 conformance/run --target vmi-run-bt 2>&1); rc=$?
	check '[ $rc -eq 0 ] && grep -Eq "^[0-9]+ passed, 0 failed" <<<"$out"' \
		"bt: conformance/run --target vmi-run-bt: 0 failed"
fi

# The Linux guest (guest-linux-patch), when it has been built: VMI and unmodified.
if [ -f $B/linux/bzImage ] && [ -f $B/linux/initramfs.cpio.gz ]; then
	for rom in "" "--rom none"; do
		out=$(run --mem 256M $rom --kernel $B/linux/bzImage --initrd $B/linux/initramfs.cpio.gz \
			--append "console=ttyS0 panic=-1 guest=poweroff"); rc=$?
		check 'grep -q "^vmi-init: self-check passed" <<<"$out"' \
			"bt: Linux ${rom:-with the hypercall ROM} boots and passes its self-check"
	done
	# A cache far below the boot's working set: whole-cache flushes all the
	# way (about one per 2,000 blocks translated), chained and cached
	# entries dying under running code.
	out=$(run --mem 256M --bt-cache 4M --kernel $B/linux/bzImage \
		--initrd $B/linux/initramfs.cpio.gz --append "console=ttyS0 panic=-1 guest=poweroff"); rc=$?
	check 'grep -q "^vmi-init: self-check passed" <<<"$out"' \
		"bt: Linux boots and passes its self-check in a 4 MiB code cache"
fi

out=$($B/vmi-run --probe 2>&1); rc=$?
check 'grep -Eq "^bt +available: [0-9]+ MIPS, [0-9.]+ us per exit" <<<"$out"' "bt: --probe measures bt"
echo "1..$n"
