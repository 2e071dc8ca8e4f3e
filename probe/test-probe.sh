#!/usr/bin/env bash
# make check: the probe passes on QEMU TCG with the native ROM, and reports
# the ROM absent (and exits cleanly) without one. TAP.
set -uo pipefail
cd "$(dirname "$0")/.."
echo "1..5"
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

# Broken ROMs that SeaBIOS still places (or not): the probe refuses them and
# carries on as on bare metal. Made from the native ROM with python3.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp" <<'PY'
import sys
d = bytearray(open("build/vmi-native.rom", "rb").read())
m = bytearray(d); m[0x48] = 2; m[-1] = (m[-1] - 1) & 0xff         # ABI major 2, sum kept
open(sys.argv[1] + "/major2.rom", "wb").write(m)
c = bytearray(d); c[0x70] ^= 0x10                                 # checksum off
open(sys.argv[1] + "/badsum.rom", "wb").write(c)
PY
major=$(probe/run.sh "$tmp/major2.rom" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q '^# vmi: ROM at 0x[0-9a-f]* refused: .*major' <<<"$major" && grep -q '^# vmi: ROM absent' <<<"$major"; then
	echo "ok 4 - probe refuses a ROM with an unknown ABI major and runs without it"
else
	echo "not ok 4 - probe refuses a ROM with an unknown ABI major and runs without it"; sed 's/^/#   /' <<<"$major"
fi
bad=$(probe/run.sh "$tmp/badsum.rom" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q '^# vmi: ROM absent' <<<"$bad"; then
	echo "ok 5 - a ROM with a bad checksum is not used (SeaBIOS or the probe refuses it)"
else
	echo "not ok 5 - a ROM with a bad checksum is not used"; sed 's/^/#   /' <<<"$bad"
fi
