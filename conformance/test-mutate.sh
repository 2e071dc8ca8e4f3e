#!/usr/bin/env bash
# make check: conformance/run --mutate (25-40 s on 2 cores): every
# observable mutant of the native ROM must be caught. TAP; the kill rate
# is the diagnostic.
set -uo pipefail
cd "$(dirname "$0")/.."
echo "1..1"
out=$(conformance/run --no-build --mutate 2>&1); rc=$?
rate=$(grep '^kill rate:' <<<"$out")
if [ $rc -eq 0 ]; then
	echo "ok 1 - conformance --mutate: ${rate#kill rate: }"
else
	echo "not ok 1 - conformance --mutate: ${rate:-no kill rate}"
	sed 's/^/#   /' <<<"$out"
fi
