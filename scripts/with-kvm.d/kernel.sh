# shellcheck shell=bash
# Sourced by scripts/with-kvm: the guest kernel of the throwaway VM.
#
# Debian's own kernel (linux-image-6.1.0-NN-amd64, the package the
# linux-image-amd64 metapackage depends on) is fetched with `apt-get download`,
# never installed, and cached keyed by package and version:
#   $WK_CACHE/<package>_<version>/{vmlinux,vmlinuz,config,modules/*.ko}
# vmlinux is the ELF inside vmlinuz: QEMU boots it through its PVH note, which
# skips the XZ decompression that costs ~2 s under TCG.  base-$BASE_LAYOUT.cpio
# beside them is the part of the initramfs every run shares (busybox, its
# applet links, the modules); bump BASE_LAYOUT when its layout changes.

: "${WK_CACHE:=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/vmi-x64/kvm-host}"
BASE_LAYOUT=3
KERNEL_MODULES="virt/lib/irqbypass.ko drivers/crypto/ccp/ccp.ko arch/x86/kvm/kvm.ko arch/x86/kvm/kvm-amd.ko"

# Prints "<package> <version>" of the kernel linux-image-amd64 would install.
# apt-cache takes a second or two, so the answer is remembered until the
# package lists change (their directory's mtime moves on apt-get update).
kernel__resolve() {
	local s pkg ver stamp memo="$WK_CACHE/.resolved"
	stamp=$(stat -c %Y /var/lib/apt/lists 2>/dev/null) || stamp=none
	if [ -f "$memo" ] && read -r s pkg ver < "$memo" && [ "$s" = "$stamp" ]; then
		echo "$pkg $ver"
		return 0
	fi
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	[ -n "$pkg" ] || return 1
	ver=$(apt-cache policy "$pkg" 2>/dev/null | awk '$1 == "Candidate:" { print $2; exit }')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || return 1
	echo "$stamp $pkg $ver" > "$memo.$$" && mv -f "$memo.$$" "$memo"
	echo "$pkg $ver"
}

# A fresh package list, for when the cached one names a version the mirror
# no longer has (download fails) or there is none at all.
_kernel_apt_update() {
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo="sudo -n"
	echo "with-kvm: refreshing the package list (apt-get update)" >&2
	rm -f "$WK_CACHE/.resolved"
	$sudo apt-get update -qq >&2
}

# Unpack the kernel and the four modules from the .deb in $1 into $2.
_kernel_unpack() {
	local deb=$1 dir=$2 members=() m
	for m in $KERNEL_MODULES; do members+=("./lib/modules/*/kernel/$m"); done
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$dir" --wildcards './boot/vmlinuz-*' './boot/config-*' "${members[@]}" ||
		return 1
	mv "$dir"/boot/vmlinuz-* "$dir/vmlinuz" && mv "$dir"/boot/config-* "$dir/config" || return 1
	mkdir -p "$dir/modules"
	for m in $KERNEL_MODULES; do
		mv "$dir"/lib/modules/*/kernel/"$m" "$dir/modules/" || return 1
	done
	rm -rf "${dir:?}/lib" "${dir:?}/boot"
	# The PVH entry needs the uncompressed ELF; Debian compresses with XZ.
	if grep -q '^CONFIG_PVH=y' "$dir/config"; then
		local off
		off=$(grep -abo -m1 $'\xfd7zXZ\x00' "$dir/vmlinuz" | head -n1 | cut -d: -f1)
		# xz stops after the stream and tail dies of SIGPIPE: only xz's status counts.
		[ -n "$off" ] && { tail -c +$((off + 1)) "$dir/vmlinuz" 2>/dev/null || :; } |
			xz -dc --single-stream > "$dir/vmlinux" 2>/dev/null &&
			[ "$(head -c4 "$dir/vmlinux")" = $'\x7fELF' ] || rm -f "$dir/vmlinux"
	fi
}

# Drop a module's appended signature: checking it (SHA-512 over 2.3 MB for
# kvm.ko, then RSA) costs about 0.4 s under TCG, and Debian's kernel loads
# unsigned modules when Secure Boot is off (it only taints itself).
# Layout (scripts/sign-file.c): module, signature, struct module_signature
# (12 bytes, big-endian sig_len last), "~Module signature appended~\n".
_kernel_unsign() {
	local f=$1 size siglen magic='~Module signature appended~'
	[ "$(tail -c 28 "$f" | head -c 27)" = "$magic" ] || return 0
	size=$(stat -c %s "$f")
	siglen=$(tail -c 32 "$f" | head -c 4 | od -An -tu1 |
		awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }')
	truncate -s $((size - 28 - 12 - siglen)) "$f"
}

# Build $KDIR/base-$BASE_LAYOUT.cpio: busybox with every applet linked where
# the host would have it (/usr/bin/env for #! lines), the modules, mount points.
kernel__base() {
	local base="$KDIR/base-$BASE_LAYOUT.cpio" root bb a
	[ -f "$base" ] && return 0
	bb=$(type -P busybox) || { echo "with-kvm: busybox: not installed (busybox-static)" >&2; return 1; }
	root=$(mktemp -d "$KDIR/.base.XXXXXX") || return 1
	mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/lib/with-kvm" \
		"$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/with-kvm"
	cp "$bb" "$root/bin/busybox" && cp "$KDIR"/modules/*.ko "$root/lib/with-kvm/" || return 1
	for a in "$root"/lib/with-kvm/*.ko; do _kernel_unsign "$a"; done
	for a in $("$bb" --list-full); do
		[ "$a" = bin/busybox ] || ln -sf /bin/busybox "$root/$a"
	done
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
		> "$root.cpio" && mv -f "$root.cpio" "$base"
	rm -rf "$root"
	for a in "$KDIR"/base-*.cpio; do [ "$a" = "$base" ] || rm -f "$a"; done
	[ -f "$base" ]
}

# Download, unpack and cache "$1" version "$2" as $WK_CACHE/$1_$2; set KDIR.
_kernel_fetch() {
	local pkg=$1 ver=$2 tmp t0=$SECONDS
	tmp=$(mktemp -d "$WK_CACHE/.fetch.XXXXXX") && chmod 755 "$tmp" || return 1
	echo "with-kvm: fetching $pkg $ver (once, about 70 MB) into $WK_CACHE" >&2
	# apt's own progress goes to stderr.  Its sandbox user (_apt) could not
	# write into root's cache, and apt would warn about it each time.
	if ! (cd "$tmp" && apt-get -q -o APT::Sandbox::User="$(id -un)" download "$pkg=$ver") >&2; then
		rm -rf "$tmp"
		return 2
	fi
	echo "with-kvm: unpacking the kernel and the kvm modules" >&2
	if ! _kernel_unpack "$tmp"/*.deb "$tmp"; then
		echo "with-kvm: $pkg $ver: unexpected package layout" >&2
		rm -rf "$tmp"
		return 1
	fi
	rm -f "$tmp"/*.deb
	rm -rf "$WK_CACHE/${pkg}_$ver"	# an incomplete one; we hold the lock
	mv -T "$tmp" "$WK_CACHE/${pkg}_$ver" || rm -rf "$tmp"
	echo "with-kvm: cached in $((SECONDS - t0)) s" >&2
	# Kernels this one replaces, once no run can still be starting from them.
	find "$WK_CACHE" -mindepth 1 -maxdepth 1 -name 'linux-image-*' -mtime +0 \
		! -name "${pkg}_$ver" -exec rm -rf {} + 2>/dev/null
}

# A cache entry is complete once renamed into place with all it needs.
_kernel_ok() {
	[ -f "$1/vmlinuz" ] && [ -f "$1/modules/kvm-amd.ko" ]
}

# Set KDIR to a cached kernel, fetching it first when needed.  The lock keeps
# concurrent first runs from downloading twice.
kernel__ensure() {
	local pv pkg ver rc
	mkdir -p "$WK_CACHE" || { echo "with-kvm: $WK_CACHE: cannot create the cache" >&2; return 1; }
	pv=$(kernel__resolve) || { _kernel_apt_update && pv=$(kernel__resolve); } || pv=
	if [ -n "$pv" ]; then
		read -r pkg ver <<<"$pv"
		KDIR="$WK_CACHE/${pkg}_$ver"
		_kernel_ok "$KDIR" && return 0
		exec 8>"$WK_CACHE/.lock" && flock 8
		rm -rf "$WK_CACHE"/.fetch.*	# left by an interrupted fetch
		_kernel_ok "$KDIR" || _kernel_fetch "$pkg" "$ver"
		rc=$?
		if [ $rc -eq 2 ] && _kernel_apt_update && pv=$(kernel__resolve); then
			read -r pkg ver <<<"$pv"
			KDIR="$WK_CACHE/${pkg}_$ver"
			_kernel_ok "$KDIR" || _kernel_fetch "$pkg" "$ver"
		fi
		exec 8>&-
		_kernel_ok "$KDIR" && return 0
	fi
	# Offline or no package lists: any kernel cached before will do.
	# shellcheck disable=SC2045 # newest first; our own names, no spaces
	for KDIR in $(ls -dt "$WK_CACHE"/linux-image-*/ 2>/dev/null); do
		KDIR=${KDIR%/}
		if _kernel_ok "$KDIR"; then
			echo "with-kvm: using the cached ${KDIR##*/} (could not get the current one)" >&2
			return 0
		fi
	done
	echo "with-kvm: no guest kernel: apt-get download linux-image-amd64's kernel failed" >&2
	return 1
}
