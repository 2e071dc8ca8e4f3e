#!/usr/bin/env bash
# The series adds arch/x86/include/asm/vmi_abi.h: it must be exactly the
# generated include/vmi/abi.h, or the kernel and the ROMs disagree on the ABI.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "1..1"
patch=$(grep -l '^+++ b/arch/x86/include/asm/vmi_abi.h' guest-linux-patch/[0-9]*.patch | head -1)
if [ -z "$patch" ]; then
	echo "not ok 1 - no patch adds arch/x86/include/asm/vmi_abi.h"
	exit 0
fi
# The new file's hunk: every '+' line after its +++ header, up to the next diff.
awk '/^\+\+\+ b\/arch\/x86\/include\/asm\/vmi_abi.h/ { on = 1; next }
     on && /^(diff |-- $)/ { exit }
     on && /^\+/ { print substr($0, 2) }' "$patch" >"${TMPDIR:-/tmp}/vmi_abi.$$.h"
if cmp -s "${TMPDIR:-/tmp}/vmi_abi.$$.h" include/vmi/abi.h; then
	echo "ok 1 - ${patch##*/} adds include/vmi/abi.h verbatim"
else
	echo "not ok 1 - ${patch##*/}: asm/vmi_abi.h differs from include/vmi/abi.h (run make gen, re-export the series)"
	diff "${TMPDIR:-/tmp}/vmi_abi.$$.h" include/vmi/abi.h | head -10 | sed 's/^/# /'
fi
rm -f "${TMPDIR:-/tmp}/vmi_abi.$$.h"
