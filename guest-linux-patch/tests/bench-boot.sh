#!/usr/bin/env bash
# Benchmark (not a test): boot-to-init time of the one guest bzImage on QEMU
# TCG without a ROM (a) and with the native ROM (b): once under -icount
# (deterministic instruction time), then the median of $RUNS interleaved
# boots as the guest's CLOCK_BOOTTIME when /init starts and as host wall
# time for the whole VM run (both noisy on a loaded host). The native ROM
# should cost at most 5%.
set -uo pipefail
cd "$(dirname "$0")/../.."
. guest-linux-patch/tests/lib.sh
RUNS=${RUNS:-5}
[ -f "$GUEST_KERNEL" ] || { echo "bench-boot: $GUEST_KERNEL: not built (make all)" >&2; exit 1; }

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# boot_once ROM [QEMU-ARG...]: prints "GUEST_S HOST_S" for one boot to /init.
boot_once() {
	local t0 out host guest rom=$1
	shift
	guest_cmd qemu "$rom" guest=bench
	t0=$(date +%s%N)
	out=$(timeout 120 "${CMD[@]}" "$@" </dev/null 2>&1)
	host=$(( $(date +%s%N) - t0 ))
	guest=$(printf '%s\n' "$out" | sed -n 's/.*vmi-init: init started at \([0-9.]*\) s.*/\1/p')
	[ -n "$guest" ] || { echo "bench-boot: boot with ROM $rom did not reach /init" >&2; exit 1; }
	awk -v g="$guest" -v n="$host" 'BEGIN { printf "%s %.3f\n", g, n / 1e9 }'
}

# With -icount the guest clock counts instructions (1 ns each, idle skipped):
# deterministic, so one boot each measures the ROM's cost exactly.
ia=$(boot_once none -icount shift=0,sleep=off | cut -d' ' -f1) || exit 1
ib=$(boot_once "$ROM_NATIVE" -icount shift=0,sleep=off | cut -d' ' -f1) || exit 1
awk -v a="$ia" -v b="$ib" 'BEGIN {
	printf "guest boot-to-init, QEMU TCG -icount (instructions, deterministic): " \
	       "no ROM %.6f s, native ROM %.6f s: native ROM costs %+.2f%% (target <= 5%%)\n",
	       a, b, (b / a - 1) * 100 }'

# Wall clock, interleaved so that load from elsewhere hits both alike.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for i in $(seq "$RUNS"); do
	boot_once none >>"$tmp/a" || exit 1
	boot_once "$ROM_NATIVE" >>"$tmp/b" || exit 1
done
ga=$(cut -d' ' -f1 "$tmp/a" | median) ha=$(cut -d' ' -f2 "$tmp/a" | median)
gb=$(cut -d' ' -f1 "$tmp/b" | median) hb=$(cut -d' ' -f2 "$tmp/b" | median)
awk -v ga="$ga" -v ha="$ha" -v gb="$gb" -v hb="$hb" -v n="$RUNS" 'BEGIN {
	printf "guest boot-to-init, QEMU TCG, median of %d: no ROM %.3f s (host %.2f s), " \
	       "native ROM %.3f s (host %.2f s): native ROM costs %+.1f%% guest, %+.1f%% host (target <= 5%%)\n",
	       n, ga, ha, gb, hb, (gb / ga - 1) * 100, (hb / ha - 1) * 100 }'

# c, d, e: hypercalls and exits per boot by reason, where vmi-run boots Linux.
# hvm goes through scripts/with-kvm: on a host without a fast /dev/kvm that
# is KVM nested under QEMU TCG, and its figures say so.
for backend in hvm bt; do
	why=$(vmirun_testable "$backend")
	if [ -n "$why" ]; then
		echo "vmi-run --backend $backend: $why; no counts"
		continue
	fi
	for rom in "$ROM_HYPERCALL" none; do
		guest_cmd "$backend" "$rom" guest=bench
		t0=$(date +%s%N)
		stats=$(timeout 300 "${CMD[@]}" --stats </dev/null 2>&1 >/dev/null)
		echo "vmi-run --backend $backend --rom ${rom##*/}: one boot to /init in" \
		     "$(( ($(date +%s%N) - t0) / 1000000 )) ms wall:"
		printf '%s\n' "$stats" | grep -v '^vmi-run: stats: start to' | sed 's/^/  /'
	done
done
