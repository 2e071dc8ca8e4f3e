#!/usr/bin/env bash
# Boot the probe kernel on QEMU TCG with the native ROM and show its report.
# Usage: probe/run.sh [ROM]   (default build/vmi-native.rom; "none" boots without one)
# Exit status: 0 when the probe reports no failure.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in -h|--help) sed -n '2,4s/^# \{0,1\}//p' "$0"; exit 0;; esac
rom=${1:-build/vmi-native.rom}
kernel=build/probe/probe.elf
for f in "$kernel" $([ "$rom" = none ] || echo "$rom"); do
	[ -r "$f" ] || { echo "probe/run.sh: $f: missing (run make all)" >&2; exit 1; }
done
romopt=()
[ "$rom" = none ] || romopt=(-option-rom "$rom")
out=$(timeout 60 qemu-system-x86_64 -accel tcg -cpu max -m 128 -nodefaults -display none -no-reboot \
	-serial stdio -monitor none "${romopt[@]}" -kernel "$kernel" \
	-device isa-debug-exit,iobase=0xf4,iosize=4 </dev/null | tr -d '\r') || true
# SeaBIOS and iPXE also print on COM1; the probe's report starts at its banner.
printf '%s\n' "$out" | sed -n '/^# VMI-x64 probe/,$p'
printf '%s\n' "$out" | grep -q '^[0-9]* passed, 0 failed' || { echo "probe/run.sh: the probe failed or did not finish" >&2; exit 1; }
