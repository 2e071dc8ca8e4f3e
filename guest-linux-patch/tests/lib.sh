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

# vmirun_boots_linux BACKEND: whether vmi-run boots this guest to /init there.
vmirun_boots_linux() {
	[ -x "$VMIRUN" ] || return 1
	guest_cmd "$1" none guest=poweroff
	timeout 20 "${CMD[@]}" </dev/null 2>&1 | grep -aq 'vmi-init: init started'
}
