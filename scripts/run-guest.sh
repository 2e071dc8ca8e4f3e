#!/usr/bin/env bash
# `make run`: boot the VMI guest (build/linux/bzImage) to an interactive
# busybox shell. On vmi-run with the hypercall ROM where one of its
# backends boots this guest, else on QEMU TCG with the native ROM; says
# which. Extra arguments are appended to the kernel command line
# (e.g. vmi.test=1, vmi=off).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
	cat <<EOF
usage: scripts/run-guest.sh [--qemu|--hvm|--bt] [--no-rom] [KERNEL-ARG...]
  --qemu, --hvm, --bt  boot there instead of the first that works
  --no-rom             boot without a VMI ROM (native)
  KERNEL-ARG           appended to the kernel command line
The shell's 'reboot -f' ends the VM (QEMU: also Ctrl-A x).
EOF
}

. guest-linux-patch/tests/lib.sh
platform= rom=
while [ $# -gt 0 ]; do
	case "$1" in
	--qemu) platform=qemu ;;
	--hvm) platform=hvm ;;
	--bt) platform=bt ;;
	--no-rom) rom=none ;;
	--help|-h) usage; exit 0 ;;
	--*) echo "run-guest: $1: unknown option (try --help)" >&2; exit 1 ;;
	*) break ;;
	esac
	shift
done
for f in "$GUEST_KERNEL" "$GUEST_INITRD"; do
	[ -f "$f" ] || { echo "run-guest: $f: not built (run make all)" >&2; exit 1; }
done

why=
if [ -z "$platform" ]; then
	platform=qemu
	for b in hvm bt; do
		w=$(vmirun_usable "$b")
		[ -z "$w" ] && { platform=$b; break; }
		why="$why; $b: $w"
	done
fi
case "$platform" in
qemu)
	rom=${rom:-$ROM_NATIVE}
	echo "run-guest: QEMU TCG, ROM: ${rom##*/}${why:+ (vmi-run unusable here${why#;})}"
	;;
*)
	rom=${rom:-$ROM_HYPERCALL}
	echo "run-guest: vmi-run --backend $platform, ROM: ${rom##*/}"
	;;
esac
guest_cmd "$platform" "$rom" "guest=shell $*"
exec "${CMD[@]}"
