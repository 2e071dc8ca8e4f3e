# Shared by the guest boot test, the benchmark and scripts/run-guest.sh: how
# to boot the one guest bzImage on each platform. Sourced, not run.
GUEST_KERNEL=${GUEST_KERNEL:-build/linux/bzImage}
GUEST_INITRD=${GUEST_INITRD:-build/linux/initramfs.cpio.gz}
ROM_NATIVE=build/vmi-native.rom
ROM_HYPERCALL=build/vmi-hypercall.rom
VMIRUN=build/vmi-run

# guest_cmd PLATFORM ROM|none APPEND: set CMD to the command line that boots
# the guest on PLATFORM (qemu: QEMU TCG with SeaBIOS placing the ROM; hvm or
# bt: vmi-run with that backend), serial console on stdio.
guest_cmd() {
	local platform=$1 rom=$2 append="console=ttyS0 $3"
	case "$platform" in
	qemu)
		CMD=(qemu-system-x86_64 -M pc -accel tcg -m 256 -nographic -no-reboot
		     -monitor none -kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD"
		     -append "$append")
		[ "$rom" = none ] || CMD+=(-option-rom "$rom")
		;;
	hvm|bt)
		CMD=()
		[ "$platform" = hvm ] && [ -x scripts/with-kvm ] && CMD=(scripts/with-kvm)
		CMD+=("$VMIRUN" --backend "$platform" --rom "$rom" --kernel "$GUEST_KERNEL"
		      --initrd "$GUEST_INITRD" --append "$append")
		;;
	esac
}

# vmirun_usable BACKEND: prints why vmi-run's BACKEND cannot boot the guest
# in reasonable time here (nothing when it can), from `vmi-run --probe`.
# A Linux boot to /init is about a billion instructions: under 50 MIPS
# (nested KVM on a virtualized host) it takes minutes.
VMIRUN_MIN_MIPS=${VMIRUN_MIN_MIPS:-50}
vmirun_usable() {
	local line mips
	[ -x "$VMIRUN" ] || { echo "$VMIRUN not built"; return; }
	line=$(timeout 60 "$VMIRUN" --probe 2>&1 | grep -E "^$1 ") || true
	case "$line" in
	*" available: "*" MIPS"*) ;;
	"") echo "vmi-run --probe does not list it"; return ;;
	*) echo "${line#$1 }" | sed 's/^ *//'; return ;;
	esac
	mips=$(echo "$line" | sed -n 's/.*available: \([0-9.]*\) MIPS.*/\1/p')
	awk -v m="$mips" -v min="$VMIRUN_MIN_MIPS" 'BEGIN { exit !(m + 0 < min) }' &&
		echo "runs at $mips MIPS here (under $VMIRUN_MIN_MIPS): a Linux boot would take minutes"
	return 0
}

# vmirun_testable BACKEND: like vmirun_usable, for the boot tests, which may
# be slow but must run wherever they can: hvm goes through scripts/with-kvm,
# which falls back to a nested /dev/kvm (about 750 MIPS measured here) when the
# host has none or a slow one, so only availability counts there.
vmirun_testable() {
	local line
	if [ "$1" != hvm ] || [ ! -x scripts/with-kvm ]; then
		vmirun_usable "$1"
		return
	fi
	[ -x "$VMIRUN" ] || { echo "$VMIRUN not built"; return; }
	line=$(timeout 120 scripts/with-kvm "$VMIRUN" --probe 2>&1 | grep -E "^hvm ") || true
	case "$line" in
	*" available: "*) ;;
	"") echo "scripts/with-kvm vmi-run --probe does not list hvm" ;;
	*) echo "${line#hvm }" | sed 's/^ *//' ;;
	esac
}
