#!/usr/bin/env bash
# make check: the probe passes on QEMU TCG with the native ROM, and reports
# the ROM absent (and exits cleanly) without one. TAP.
set -uo pipefail
cd "$(dirname "$0")/.."
echo "1..3"
with=$(probe/run.sh build/vmi-native.rom 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q '^ok [0-9]* - discovery: ROM at' <<<"$with" && ! grep -q '^not ok' <<<"$with"; then
	echo "ok 1 - probe passes with the native ROM ($(grep -c '^ok' <<<"$with") checks)"
else
	echo "not ok 1 - probe passes with the native ROM"; sed 's/^/#   /' <<<"$with"
fi
without=$(probe/run.sh none 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q '^# vmi: ROM absent' <<<"$without"; then
	echo "ok 2 - probe reports the ROM absent without -option-rom"
else
	echo "not ok 2 - probe reports the ROM absent without -option-rom"; sed 's/^/#   /' <<<"$without"
fi
if grep -q '^1 passed, 0 failed, 1 skipped$' <<<"$without"; then
	echo "ok 3 - probe exits cleanly without a ROM (summary line)"
else
	echo "not ok 3 - probe exits cleanly without a ROM (summary line)"
fi
