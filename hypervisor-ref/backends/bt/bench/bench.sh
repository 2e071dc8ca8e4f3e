#!/usr/bin/env bash
# make bench, bt's part: the compute loop (bench/loop.asm) on vmi-run --backend
# bt and on QEMU TCG, from one run on this machine, as MIPS and their ratio;
# then the conformance suite's time on bt. Startup is taken out by also
# timing a run of one iteration. Goal (issue 7): bt at least 2x QEMU TCG.
set -u
cd "$(dirname "$0")/../../../.."
B=build
K=$B/bt/loop.elf
N=${BT_BENCH_N:-100000000}
INSNS_PER_ITER=8

# CPU seconds (user + system, all threads) rather than wall time: the
# machines this runs on are shared, and QEMU's TCG thread is counted too.
secs() {	# run "$@", print its CPU seconds
	local out
	out=$( { TIMEFORMAT='%U %S'; time "$@" >/dev/null 2>&1 </dev/null; } 2>&1 )
	echo "$out" | awk '{ print $1 + $2 }'
}

best() {	# best of 3 runs of: secs CMD...
	local b="" t
	for _ in 1 2 3; do
		t=$(secs "$@")
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
	done
	echo "$b"
}

mips() {	# mips T_N T_1
	echo "scale=1; $INSNS_PER_ITER * ($N - 1) / (($1 - $2) * 1000000)" | bc -l
}

bt_cmd() { $B/vmi-run --backend bt --mem 64M --rom none --kernel $K --append "n=$1"; }
qemu_cmd() {
	qemu-system-x86_64 -accel tcg -cpu max -m 64 -display none -serial null -monitor none \
		-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel $K -append "n=$1"
}

bt_n=$(best bt_cmd "$N"); bt_1=$(best bt_cmd 1)
bt_mips=$(mips "$bt_n" "$bt_1")
printf 'bt: compute loop: %s MIPS (%s CPU s for %s insns)\n' "$bt_mips" "$bt_n" "$((N * INSNS_PER_ITER))"
if command -v qemu-system-x86_64 >/dev/null; then
	q_n=$(best qemu_cmd "$N"); q_1=$(best qemu_cmd 1)
	q_mips=$(mips "$q_n" "$q_1")
	ratio=$(awk -v a="$bt_mips" -v b="$q_mips" 'BEGIN { printf "%.2f", a / b }')
	printf 'bt: compute loop: QEMU TCG %s MIPS; bt/QEMU = %sx (goal: 2x)\n' "$q_mips" "$ratio"
else
	echo "bt: QEMU not installed: no peer figure"
fi
if [ -x $B/bt/loop-native ]; then
	nat=$($B/bt/loop-native "$N")
	printf 'bt: compute loop: native (host user mode) %s MIPS; bt/native = %sx\n' "$nat" \
		"$(awk -v a="$bt_mips" -v b="$nat" 'BEGIN { printf "%.2f", a / b }')"
fi
# Linux (guest-linux-patch) boot to its self-check and power-off, when built.
LK=$B/linux/bzImage LI=$B/linux/initramfs.cpio.gz
if [ -f $LK ] && [ -f $LI ]; then
	APPEND="console=ttyS0 panic=-1 guest=poweroff"
	lbt() { $B/vmi-run --backend bt --mem 256M "$@" --kernel $LK --initrd $LI --append "$APPEND"; }
	lq() {
		qemu-system-x86_64 -accel tcg -cpu max -m 256 -display none -serial null -monitor none \
			-no-reboot -kernel $LK -initrd $LI -append "$APPEND"
	}
	printf 'bt: Linux boot to power-off (CPU s, best of 3): bt VMI %s, bt unmodified %s, QEMU TCG %s\n' \
		"$(best lbt)" "$(best lbt --rom none)" "$(best lq)"
fi
# Direct execution of guest user code through ptrace (not built; README
# "Direct execution of user code"): what each trapped event would cost.
[ -x $B/bt/direct-exec-cost ] && $B/bt/direct-exec-cost 20000 | sed 's/^/bt: /'
if [ -x conformance/run ]; then
	t=$(conformance/run --target vmi-run-bt 2>&1 | grep -E '^[0-9]+ passed|# vmi-run-bt:' | tr '\n' ' ')
	echo "bt: conformance suite: $t"
fi
