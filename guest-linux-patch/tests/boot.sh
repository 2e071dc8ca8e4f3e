#!/usr/bin/env bash
# Boot acceptance: the one guest bzImage on every platform, TAP.
#  a. QEMU TCG, no ROM: runs natively, the self-check passes
#  b. QEMU TCG, native ROM: ROM found and patched, self-check and vmi.test=1 pass
#  c. vmi-run hvm, hypercall ROM: the same          (skipped until vmi-run boots Linux)
#  d. vmi-run hvm, no ROM: the unmodified boot      (skipped until vmi-run boots Linux)
set -uo pipefail
cd "$(dirname "$0")/../.."
. guest-linux-patch/tests/lib.sh
TIMEOUT=${BOOT_TIMEOUT:-180}
log_dir=${TMPDIR:-/tmp}/vmi-boot.$$
mkdir -p "$log_dir"
trap 'rm -rf "$log_dir"' EXIT

echo "1..4"
if [ ! -f "$GUEST_KERNEL" ] || [ ! -f "$GUEST_INITRD" ]; then
	for i in 1 2 3 4; do echo "ok $i # SKIP $GUEST_KERNEL not built (make all)"; done
	exit 0
fi
echo "# bzImage sha256 $(sha256sum <"$GUEST_KERNEL" | cut -c1-64) (the same image in every case)"

n=0
# check NAME LOG PATTERN...: every pattern (extended regex) must match a line of LOG.
check() {
	local name=$1 log=$2 missing=
	shift 2
	n=$((n + 1))
	for p in "$@"; do
		grep -aEq -- "$p" "$log" || missing="$p"
	done
	if grep -aEq 'Kernel panic|BUG:|Oops|WARNING:|not ok ' "$log"; then
		missing="no panic, BUG, WARNING or failed check"
	fi
	if [ -z "$missing" ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name: missing \"$missing\""
		grep -aE 'vmi|ok |panic|BUG|WARN|RIP' "$log" | tail -15 | sed 's/^/# /'
	fi
}

# boot NAME PLATFORM ROM APPEND: boot into $log_dir/NAME.
boot() {
	guest_cmd "$2" "$3" "$4"
	timeout "$TIMEOUT" "${CMD[@]}" </dev/null >"$log_dir/$1" 2>&1
}

boot a qemu none guest=poweroff
check "a. QEMU TCG, no ROM: runs natively" "$log_dir/a" \
	'vmi: no ROM found' 'vmi-init: self-check passed'

boot b qemu "$ROM_NATIVE" "guest=poweroff vmi.test=1"
check "b. QEMU TCG, native ROM: patched, selftest" "$log_dir/b" \
	'vmi: ROM VMI-x64 native ROM 1\.0 at 0x[0-9a-f]+, [0-9]+ calls, [1-9][0-9]* sites patched' \
	'vmi: selftest [1-9][0-9]* passed, 0 failed' 'vmi-init: self-check passed'
grep -aE 'vmi: (ROM|selftest)' "$log_dir/b" | sed 's/^/# /'

if vmirun_boots_linux hvm; then
	boot c hvm "$ROM_HYPERCALL" "guest=poweroff vmi.test=1"
	check "c. vmi-run hvm, hypercall ROM: patched, selftest" "$log_dir/c" \
		'vmi: ROM .* [1-9][0-9]* sites patched' \
		'vmi: selftest [1-9][0-9]* passed, 0 failed' 'vmi-init: self-check passed'
	grep -aE 'vmi: (ROM|selftest)' "$log_dir/c" | sed 's/^/# /'
	boot d hvm none guest=poweroff
	check "d. vmi-run hvm, no ROM: runs natively" "$log_dir/d" \
		'vmi: no ROM found' 'vmi-init: self-check passed'
else
	echo "ok 3 # SKIP vmi-run --backend hvm does not boot Linux here yet"
	echo "ok 4 # SKIP vmi-run --backend hvm does not boot Linux here yet"
fi
