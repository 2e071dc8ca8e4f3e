#!/usr/bin/env bash
# Build the VMI guest kernel: Debian's linux-source-6.1 + guest-linux-patch/*.patch
# + guest-linux-patch/vmi.config over tinyconfig. Results are cached under
# ~/.cache/vmi-x64/guest-<key>/, the key hashing the source version, the
# series, the config and this script; a hit costs a few hashes. The build
# tree is kept between builds so that a changed series rebuilds only what
# it touches. Prints the bzImage path on stdout; progress goes to stderr.
set -euo pipefail

usage() {
	cat <<EOF
usage: scripts/build-guest.sh [--out FILE] [--key] [--help]
  --out FILE  also copy the bzImage to FILE
  --key       print the cache key and exit
  --help      this text
environment: VMI_CACHE (default ~/.cache/vmi-x64), JOBS (default: nproc)
EOF
}

die() { echo "build-guest: $*" >&2; exit 1; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PATCHDIR=$ROOT/guest-linux-patch
CACHE=${VMI_CACHE:-$HOME/.cache/vmi-x64}
TARBALL=/usr/src/linux-source-6.1.tar.xz
JOBS=${JOBS:-$(nproc)}
out= key_only=

while [ $# -gt 0 ]; do
	case "$1" in
	--out) [ $# -ge 2 ] || die "--out: needs a file"; out=$2; shift 2 ;;
	--key) key_only=1; shift ;;
	--help|-h) usage; exit 0 ;;
	*) die "$1: unknown option (try --help)" ;;
	esac
done

if [ ! -f "$TARBALL" ]; then
	echo "build-guest: installing linux-source-6.1" >&2
	sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get install -y -q linux-source-6.1 >&2 || die "apt-get install linux-source-6.1: failed"
	[ -f "$TARBALL" ] || die "$TARBALL: missing after installing linux-source-6.1"
fi

version=$(dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null) ||
	version=$(stat -c %s-%Y "$TARBALL")
# The series in order; the cover letter (0000-) carries no diff.
mapfile -t series < <(find "$PATCHDIR" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' \
			 ! -name '0000-*' | sort)
key=$( { echo "$version"; cat "${series[@]}" /dev/null "$PATCHDIR/vmi.config" "$0"; } |
	sha256sum | cut -c1-16)
if [ -n "$key_only" ]; then
	echo "$key"
	exit 0
fi

result=$CACHE/guest-$key/bzImage
mkdir -p "$CACHE"
# One build at a time: parallel `make` runs share the build tree.
exec 9>"$CACHE/build-guest.lock"
if [ ! -f "$result" ] && ! flock -n 9; then
	echo "build-guest: waiting for another build-guest to finish" >&2
	flock 9
fi
if [ ! -f "$result" ]; then
	# Our own -j, not the jobserver of a make that called us.
	unset MAKEFLAGS MFLAGS MAKELEVEL MAKE_TERMOUT MAKE_TERMERR
	src=$CACHE/linux-build-src obj=$CACHE/linux-build-obj
	git=(git -C "$src" -c user.name=build-guest -c user.email=build-guest@localhost
	     -c advice.detachedHead=false)
	mkdir -p "$CACHE"
	if [ "$(cat "$src/.vmi-source-version" 2>/dev/null)" != "$version" ]; then
		echo "build-guest: unpacking linux-source-6.1 $version" >&2
		rm -rf "$src" "$obj"
		mkdir -p "$src"
		tar -xJf "$TARBALL" -C "$src" --strip-components=1
		# Debian's .gitignore ignores the whole top level: force-add.
		"${git[@]}" init -q
		"${git[@]}" add -f -A .
		"${git[@]}" commit -q -m "linux-source-6.1 $version"
		"${git[@]}" tag base
		echo "$version" >"$src/.vmi-source-version"
	fi
	echo "build-guest: applying ${#series[@]} patches" >&2
	"${git[@]}" am --abort >/dev/null 2>&1 || true
	# Re-applying rewrites every patched file; give back the old mtime to
	# each whose content did not change, so that make rebuilds only what
	# the new series really changes (paravirt.h alone touches most files).
	mtimes=$(cd "$src" && git diff --name-only base HEAD 2>/dev/null |
		while IFS= read -r f; do
			[ -f "$f" ] && echo "$(git hash-object "$f") $(stat -c %y "$f" | tr ' ' _) $f"
		done)
	"${git[@]}" checkout -q -f -B build base
	if [ ${#series[@]} -gt 0 ]; then
		"${git[@]}" am -q "${series[@]}" >&2 || die "the series does not apply to $version"
	fi
	(cd "$src" && printf '%s\n' "$mtimes" | while read -r hash mtime f; do
		[ -n "$f" ] && [ -f "$f" ] && [ "$(git hash-object "$f")" = "$hash" ] &&
			touch -d "${mtime//_/ }" "$f"
	done) || true

	mkdir -p "$obj"
	log=$CACHE/guest-build.log
	echo "build-guest: configuring (tinyconfig + vmi.config)" >&2
	{
		make -C "$src" O="$obj" ARCH=x86_64 tinyconfig
		"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$PATCHDIR/vmi.config"
		make -C "$src" O="$obj" ARCH=x86_64 olddefconfig
	} >"$log" 2>&1 || { tail -20 "$log" >&2; die "configuration failed (log: $log)"; }
	# A symbol the fragment asks for but Kconfig dropped is a broken config.
	while IFS= read -r line; do
		case "$line" in CONFIG_*=y) ;; *) continue ;; esac
		grep -qx "$line" "$obj/.config" || die "$line: dropped by Kconfig (log: $log)"
	done <"$PATCHDIR/vmi.config"

	echo "build-guest: building bzImage with -j$JOBS (log: $log)" >&2
	status=0
	make -C "$src" O="$obj" ARCH=x86_64 -j"$JOBS" bzImage 2>&1 | tee -a "$log" |
		awk -v tty="$([ -t 2 ] && echo 1)" '
			/^  [A-Z]/ { n++
				if (tty) printf "\r\033[K  [%d] %s", n, substr($0, 3, 70) > "/dev/stderr"
				else if (n % 250 == 0) printf "  [%d] %s\n", n, substr($0, 3) > "/dev/stderr" }
			END { if (tty) printf "\r\033[K" > "/dev/stderr" }' || status=1
	[ "${PIPESTATUS[0]}" = 0 ] && [ $status = 0 ] || {
		grep -E "error|Error" "$log" | head -20 >&2
		die "kernel build failed (log: $log)"
	}
	mkdir -p "$CACHE/guest-$key"
	cp "$obj/arch/x86/boot/bzImage" "$result.tmp"
	cp "$obj/.config" "$CACHE/guest-$key/config"
	mv "$result.tmp" "$result"
	echo "build-guest: built $result" >&2
fi

if [ -n "$out" ]; then
	mkdir -p "$(dirname "$out")"
	cmp -s "$result" "$out" 2>/dev/null || cp "$result" "$out"
fi
echo "$result"
