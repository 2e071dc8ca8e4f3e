#!/usr/bin/env bash
# make bench: the whole conformance suite's wall time on vmi-run-bt against
# qemu-native (QEMU TCG with the native ROM), the best of 3 runs each, and
# their ratio. Boot included: it is what a vendor waits for.
set -uo pipefail
cd "$(dirname "$0")/.."
best() {
	local t b=""
	for _ in 1 2 3; do
		local s0; s0=$(date +%s.%N)
		conformance/run --no-build --target "$1" >/dev/null 2>&1
		t=$(awk -v a="$s0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
		[ -z "$b" ] || awk -v a="$t" -v b="$b" 'BEGIN { exit !(a < b) }' && b=$t
	done
	echo "$b"
}
q=$(best qemu-native)
b=$(best vmi-run-bt)
awk -v q="$q" -v b="$b" 'BEGIN { printf "conformance suite: qemu-native %.2f s, vmi-run-bt %.2f s (best of 3): bt/qemu %.2f\n", q, b, (q > 0 ? b / q : 0) }'
