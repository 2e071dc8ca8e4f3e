#!/usr/bin/env bash
# Benchmark of scripts/with-kvm: the throwaway VM's KVM against the host's.
# Prints, measured in this run: compute-loop MIPS and the cost of one I/O exit
# to user space (build/with-kvm/kvm-smoke --bench) in the nested VM and on the
# host's /dev/kvm where usable, with the ratio, and the VM's boot time
# (`with-kvm --nested true`, start to power-off, best of 3).
set -euo pipefail
cd "$(dirname "$0")/../.."
WK=scripts/with-kvm
SMOKE=build/with-kvm/kvm-smoke

field() { sed -n "s/^$1=//p" <<<"$2"; }

boot=
for _ in 1 2 3; do
	t0=$(date +%s.%N)
	"$WK" --nested --timeout 120 true
	t=$(echo "$(date +%s.%N) - $t0" | bc)
	[ -z "$boot" ] || [ "$(echo "$t < $boot" | bc)" = 1 ] && boot=$t
done
nested=$("$WK" --nested --timeout 300 "$SMOKE" --bench)
if why=$(scripts/with-kvm.d/kvm-probe); then
	host=$("$WK" --host --timeout 300 "$SMOKE" --bench)
	t0=$(date +%s.%N)
	"$WK" --host true
	hboot=$(echo "$(date +%s.%N) - $t0" | bc)
else
	host=
fi

echo "with-kvm bench (nested: QEMU TCG -cpu max + Debian's kvm-amd; host: /dev/kvm)"
nm=$(field mips "$nested") ne=$(field exit_us "$nested")
if [ -n "$host" ]; then
	hm=$(field mips "$host") he=$(field exit_us "$host")
	printf '  %-22s nested %8.1f   host %8.1f   nested/host %6.2f\n' \
		"compute loop (MIPS)" "$nm" "$hm" "$(echo "$nm / $hm" | bc -l)" \
		"I/O exit to user (us)" "$ne" "$he" "$(echo "$ne / $he" | bc -l)"
	printf '  %-22s nested %8.2f   host %8.2f   (with-kvm ... true; host = probe only)\n' \
		"start to exit (s)" "$boot" "$hboot"
else
	printf '  %-22s nested %8.1f   host: %s\n' "compute loop (MIPS)" "$nm" "$why"
	printf '  %-22s nested %8.1f\n' "I/O exit to user (us)" "$ne"
	printf '  %-22s nested %8.2f   (with-kvm --nested true, best of 3)\n' "VM boot (s)" "$boot"
fi
