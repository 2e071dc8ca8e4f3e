#!/usr/bin/env bash
# Benchmark (not a test): boot-to-init time of the one guest bzImage on QEMU
# TCG without a ROM (a) and with the native ROM (b), median of $RUNS boots,
# as the guest's CLOCK_BOOTTIME when /init starts and as host wall time for
# the whole VM run. The native ROM should cost at most 5%.
set -uo pipefail
cd "$(dirname "$0")/../.."
. guest-linux-patch/tests/lib.sh
RUNS=${RUNS:-5}
[ -f "$GUEST_KERNEL" ] || { echo "bench-boot: $GUEST_KERNEL: not built (make all)" >&2; exit 1; }

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# measure ROM: prints "GUEST_S HOST_S" medians.
measure() {
	local rom=$1 i t0 out guest host
	guest_cmd qemu "$rom" guest=bench
	for i in $(seq "$RUNS"); do
		t0=$(date +%s%N)
		out=$(timeout 120 "${CMD[@]}" </dev/null 2>&1)
		host=$(( $(date +%s%N) - t0 ))
		guest=$(printf '%s\n' "$out" | sed -n 's/.*vmi-init: init started at \([0-9.]*\) s.*/\1/p')
		[ -n "$guest" ] || { echo "bench-boot: boot with ROM $rom did not reach /init" >&2; exit 1; }
		echo "$guest $(awk -v n="$host" 'BEGIN { printf "%.3f", n / 1e9 }')"
	done | awk '{ print $1 > "/dev/fd/3"; print $2 }' 3>"$tmp.g" | median >"$tmp.h"
	echo "$(median <"$tmp.g") $(cat "$tmp.h")"
}

tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.g" "$tmp.h"' EXIT
read -r ga ha < <(measure none)
read -r gb hb < <(measure "$ROM_NATIVE")
awk -v ga="$ga" -v ha="$ha" -v gb="$gb" -v hb="$hb" -v n="$RUNS" 'BEGIN {
	printf "guest boot-to-init, QEMU TCG, median of %d: no ROM %.3f s (host %.2f s), " \
	       "native ROM %.3f s (host %.2f s): native ROM costs %+.1f%% guest, %+.1f%% host (target <= 5%%)\n",
	       n, ga, ha, gb, hb, (gb / ga - 1) * 100, (hb / ha - 1) * 100 }'

# c and d: hypercalls and exits per boot by reason, where vmi-run boots Linux.
if vmirun_boots_linux hvm; then
	for rom in "$ROM_HYPERCALL" none; do
		guest_cmd hvm "$rom" guest=bench
		echo "vmi-run --backend hvm --rom ${rom##*/} --stats, one boot to /init:"
		timeout 120 "${CMD[@]}" --stats </dev/null 2>&1 >/dev/null | sed 's/^/  /'
	done
else
	echo "vmi-run --backend hvm does not boot Linux here yet: no hypercall/exit counts"
fi
