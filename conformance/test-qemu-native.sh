#!/usr/bin/env bash
# make check: the conformance suite on qemu-native (the native ROM under QEMU
# TCG) through conformance/run; one TAP line, the failures as diagnostics.
set -uo pipefail
cd "$(dirname "$0")/.."
echo "1..1"
out=$(conformance/run --no-build --target qemu-native 2>&1); rc=$?
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' <<<"$out" | tail -1)
if [ $rc -eq 0 ]; then
	echo "ok 1 - conformance on qemu-native: $summary"
else
	echo "not ok 1 - conformance on qemu-native: ${summary:-no summary}"
	sed 's/^/#   /' <<<"$out"
fi
