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

# Whether vmi-run's BACKEND boots this bzImage to /init, remembered per
# (vmi-run, bzImage) so that only the first `make run` pays the probe.
vmirun_ok() {
	local stamp
	stamp=build/linux/.boots-$1-$(cat "$VMIRUN" "$GUEST_KERNEL" 2>/dev/null | sha256sum | cut -c1-16)
	[ -f "$stamp" ] && return 0
	[ -f "$stamp.no" ] && return 1
	echo "run-guest: checking whether vmi-run --backend $1 boots the guest (up to 20 s)" >&2
	if vmirun_boots_linux "$1"; then touch "$stamp"; else touch "$stamp.no"; return 1; fi
}

if [ -z "$platform" ]; then
	platform=qemu
	if [ -x "$VMIRUN" ]; then
		for b in hvm bt; do
			if vmirun_ok "$b"; then platform=$b; break; fi
		done
	fi
fi
case "$platform" in
qemu)
	rom=${rom:-$ROM_NATIVE}
	echo "run-guest: QEMU TCG, ROM: ${rom##*/} (no vmi-run backend boots this guest here)"
	;;
*)
	rom=${rom:-$ROM_HYPERCALL}
	echo "run-guest: vmi-run --backend $platform, ROM: ${rom##*/}"
	;;
esac
guest_cmd "$platform" "$rom" "guest=shell $*"
exec "${CMD[@]}"
