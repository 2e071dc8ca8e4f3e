#!/bin/sh
# romcheck.c is linked into the probe and conformance kernels and vmi-run:
# it must build and link with no libc at all (TAP). An undefined memcmp,
# memcpy or memset, even one the compiler invents, fails the link.
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
set -- "gcc -O2" "gcc -O0" "gcc -Os" "clang -O2" "clang -O0"
echo "1..$#"
for cc in "$@"; do
	n=$((n + 1))
	if ! command -v "${cc%% *}" >/dev/null; then
		echo "ok $n - $cc # SKIP not installed"
		continue
	fi
	if $cc -std=gnu11 -Wall -Wextra -Werror -Iinclude -ffreestanding -nostdlib -fno-builtin \
		-mno-red-zone -fno-pic -static -Wl,-e,romcheck__image -o "$tmp/romcheck" \
		vmi-rom/romcheck.c 2>"$tmp/err"; then
		echo "ok $n - $cc -ffreestanding -nostdlib -fno-builtin links romcheck.c alone"
	else
		echo "not ok $n - $cc -ffreestanding -nostdlib -fno-builtin links romcheck.c alone"
		sed 's/^/# /' "$tmp/err"
	fi
done
