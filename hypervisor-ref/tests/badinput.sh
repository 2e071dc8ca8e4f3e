#!/usr/bin/env bash
# Bad input to vmi-run: each gets exit status 1 and exactly one line on
# stderr, "vmi-run: what: why", before any backend is needed. Prints TAP.
set -u
cd "$(dirname "$0")/../.."
V=build/vmi-run
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
bad() {
	local what=$1; shift
	local err rc lines
	err=$("$V" "$@" 2>&1 >/dev/null </dev/null); rc=$?
	lines=$(printf '%s\n' "$err" | wc -l)
	n=$((n + 1))
	if [ $rc -eq 1 ] && [ "$lines" -eq 1 ] && [[ $err == "vmi-run: "* ]]; then
		echo "ok $n - $what: $err"
	else
		echo "not ok $n - $what: status $rc, $lines lines"
		printf '# %s\n' "$err"
	fi
}
: >"$T/empty"
head -c 65536 /dev/urandom >"$T/garbage"
printf '\x7fELF\x02\x01\x01' >"$T/elfstub"
cp build/vmi-hypercall.rom "$T/rom"
printf '\x5a' | dd of="$T/rom" bs=1 seek=$((0x7c)) conv=notrunc status=none	# a reserved header byte
head -c 1000 build/vmi-hypercall.rom >"$T/shortrom"
K=build/hv-tests/payloads/mb32.elf
bad "no --kernel" --backend hvm
bad "--kernel missing" --backend hvm --kernel "$T/nonexistent"
bad "--kernel empty" --backend hvm --kernel "$T/empty"
bad "--kernel garbage" --backend hvm --kernel "$T/garbage"
bad "--kernel truncated ELF" --backend hvm --kernel "$T/elfstub"
bad "--kernel a directory" --backend hvm --kernel "$T"
bad "--mem banana" --mem banana --kernel $K
bad "--mem 1T" --mem 1T --kernel $K
bad "--mem 1M" --mem 1M --kernel $K
bad "--bt-cache lots" --bt-cache lots --kernel $K
bad "--bt-cache 1M" --bt-cache 1M --kernel $K
bad "--bt-cache 1G" --bt-cache 1G --kernel $K
bad "--backend nosuch" --backend nosuch --kernel $K
bad "--rom corrupted" --backend hvm --rom "$T/rom" --kernel $K
bad "--rom truncated" --backend hvm --rom "$T/shortrom" --kernel $K
bad "--rom missing" --backend hvm --rom "$T/nonexistent" --kernel $K
bad "--append too long" --backend hvm --kernel $K --append "$(head -c 5000 /dev/zero | tr '\0' x)"
bad "unknown option" --frobnicate
bad "missing argument" --kernel
bad "stray argument" --kernel $K extra
echo "1..$n"
