#!/usr/bin/env bash
# make check: the conformance suite on one target through conformance/run;
# one TAP line, the failures as diagnostics. The target is this script's
# name (test-vmi-run-bt.sh -> vmi-run-bt) or its first argument.
set -uo pipefail
cd "$(dirname "$0")/.."
target=${1:-$(basename "$0" .sh)}
target=${target#test-}
echo "1..1"
out=$(conformance/run --no-build --target "$target" 2>&1); rc=$?
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' <<<"$out" | tail -1)
if [ $rc -eq 0 ]; then
	echo "ok 1 - conformance on $target: $summary"
else
	echo "not ok 1 - conformance on $target: ${summary:-no summary}"
	grep -v 'warning: \(overriding\|ignoring\)' <<<"$out" | sed 's/^/#   /'
fi
