#!/usr/bin/env bash
# By hand (about 80 s; not in make check): Debian's own kernel on vmi-run hvm
# with a busybox initramfs. A command typed on stdin must reach the guest
# shell through COM1 and its answer come back; `reboot -f` ends vmi-run with
# status 0. Uses the kernel scripts/with-kvm caches (run it once first).
# Usage: hypervisor-ref/tests/linux-shell.sh [KERNEL]     Prints TAP.
set -u
cd "$(dirname "$0")/../.."
K=${1:-$(ls ~/.cache/vmi-x64/kvm-host/linux-image-*/vmlinuz 2>/dev/null | tail -1)}
[ -n "$K" ] && [ -r "$K" ] || { echo "1..0 # SKIP no Debian kernel cached (run scripts/with-kvm once)"; exit 0; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/root/bin" "$T/root/proc"
cp /bin/busybox "$T/root/bin/"
for c in sh mount reboot; do ln -s busybox "$T/root/bin/$c"; done
printf '#!/bin/sh\nmount -t proc proc /proc\necho "init: shell ready"\nexec /bin/sh\n' >"$T/root/init"
chmod +x "$T/root/init"
(cd "$T/root" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$T/initrd"
V=$PWD/build/vmi-run
# The guest must be at its prompt before the input comes (8250 start-up
# clears the FIFO), hence the sleep.
script="(sleep 60; echo 'echo answer \$((6*7))'; sleep 10; echo 'reboot -f') |"
script+=" $V --backend hvm --kernel $K --initrd $T/initrd --mem 512M --append 'console=ttyS0 panic=-1'"
out=$(scripts/with-kvm --timeout 240 --min-mips 50 --carry "$K" --carry "$T/initrd" --carry "$V" \
	--carry "$PWD/build/vmi-hypercall.rom" sh -c "$script" 2>&1); rc=$?
echo "1..3"
grep -q "init: shell ready" <<<"$out" && echo "ok 1 - Linux boots to /init" || echo "not ok 1 - Linux boots to /init"
grep -q "^answer 42" <<<"$out" && echo "ok 2 - stdin reaches the guest shell" || echo "not ok 2 - stdin reaches the guest shell"
[ $rc -eq 0 ] || tail -15 <<<"$out" | sed 's/^/# /'
[ $rc -eq 0 ] && echo "ok 3 - reboot -f ends vmi-run with 0" || echo "not ok 3 - reboot -f ends vmi-run with 0 (got $rc)"
