#!/usr/bin/env bash
# Benchmark of scripts/with-kvm: the throwaway VM's KVM against the host's.
# Prints, measured in this run: compute-loop MIPS and the cost of one I/O exit
# to user space (build/with-kvm/kvm-smoke --bench) in the nested VM and on the
# host's /dev/kvm where usable, with the ratio, and the VM's boot time
# (`with-kvm --nested true`, start to power-off, best of 3).
set -euo pipefail
cd "$(dirname "$0")/../.." || exit 1
WK=scripts/with-kvm
SMOKE=build/with-kvm/kvm-smoke

field() { sed -n "s/^$1=//p" <<<"$2"; }

boot=
for _ in 1 2 3; do
	t0=$(date +%s.%N)
	"$WK" --nested --timeout 120 true
	t=$(printf '%.2f' "$(echo "$(date +%s.%N) - $t0" | bc)")
	[ -z "$boot" ] || [ "$(echo "$t < $boot" | bc)" = 1 ] && boot=$t
done
nested=$("$WK" --nested --timeout 300 "$SMOKE" --bench)
if why=$(scripts/with-kvm.d/kvm-probe); then
	host=$("$WK" --host --timeout 300 "$SMOKE" --bench)
	t0=$(date +%s.%N)
	"$WK" --host true
	hboot=$(printf '%.2f' "$(echo "$(date +%s.%N) - $t0" | bc)")
else
	host='' hboot=''
fi

echo "with-kvm bench (nested: QEMU TCG -cpu max + Debian's kvm-amd; host: /dev/kvm)"
row() {	# row LABEL NESTED HOST
	if [ -n "$3" ]; then
		printf '  %-26s nested %8s   host %8s   nested/host %8.2f\n' "$1" "$2" "$3" \
			"$(echo "$2 / $3" | bc -l)"
	else
		printf '  %-26s nested %8s   host: %s\n' "$1" "$2" "$why"
	fi
}
row "64-bit loop (MIPS)" "$(field mips "$nested")" "$(field mips "$host")"
row "real-mode loop (MIPS)" "$(field mips_real_mode "$nested")" "$(field mips_real_mode "$host")"
row "I/O exit to user (us)" "$(field exit_us "$nested")" "$(field exit_us "$host")"
row "start to exit of true (s)" "$boot" "${hboot:-}"
echo "  (nested: with-kvm --nested true, VM boot to power-off, best of 3; host: --host, the probe)"
