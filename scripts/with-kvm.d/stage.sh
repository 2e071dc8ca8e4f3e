# shellcheck shell=bash
# Sourced by scripts/with-kvm: what the throwaway VM's initramfs carries.
#
# Files go into $STAGE at the absolute path they have on the host, so the
# command line works unchanged in the VM: the command, every argument (or
# --opt=VALUE value) that names an existing file or directory, the regular
# files beside the command when it was named by path (vmi-run finds its
# default ROM there), --carry paths, and for each dynamic ELF the libraries
# ldd lists.  Symlinks are followed: the VM gets copies.

declare -A STAGED=()
STAGE_BYTES=0

# Paths the VM provides itself or that cannot be copied.
_stage_skip() {
	case $1 in
	/ | /dev | /dev/* | /proc | /proc/* | /sys | /sys/* | /run | /run/*) return 0 ;;
	esac
	return 1
}

# Copy one path (file or directory), then what its executables need.
stage__carry() {
	local path=$1 size
	path=$(realpath -s -- "$path" 2>/dev/null) || return 0
	[ -n "${STAGED[$path]:-}" ] && return 0
	_stage_skip "$path" && return 0
	[ -f "$path" ] || [ -d "$path" ] || return 0
	STAGED[$path]=1
	size=$(du -sbL -- "$path" 2>/dev/null | cut -f1)
	STAGE_BYTES=$((STAGE_BYTES + ${size:-0}))
	if [ "$STAGE_BYTES" -gt "$STAGE_LIMIT" ]; then
		die "$path: too big to carry into the VM ($((STAGE_BYTES >> 20)) MiB in all, limit $((STAGE_LIMIT >> 20)) MiB; see --mem)"
	fi
	mkdir -p -- "$STAGE$(dirname -- "$path")"
	cp -rL --preserve=mode,timestamps -- "$path" "$STAGE$path" ||
		die "$path: cannot copy into the VM's initramfs"
	if [ -d "$path" ]; then
		local f
		while IFS= read -r -d '' f; do _stage_needs "$f"; done < <(find "$path" -type f -print0)
	else
		_stage_needs "$path"
	fi
}

# A script's interpreter, or a dynamic ELF's loader and libraries.
_stage_needs() {
	local f=$1 magic line lib
	LC_ALL=C IFS= read -r -N4 magic < "$f" 2>/dev/null || return 0
	if [ "${magic:0:2}" = '#!' ]; then
		IFS= read -r line < "$f"
		read -r line lib _ <<<"${line#\#!}"
		# busybox provides sh and env at their usual paths
		case $line in
		/bin/sh) ;;
		*/env) [ -n "$lib" ] && lib=$(type -P "$lib") && stage__carry "$lib" ;;
		*) stage__carry "$line" ;;
		esac
		return 0
	fi
	[ "$magic" = $'\x7fELF' ] || return 0
	while read -r lib; do
		stage__carry "$lib"
	done < <(ldd "$f" 2>/dev/null | awk -v f="$f" '
		$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }
		$2 == "=>" && $3 == "not" { print "with-kvm: " f ": " $1 " not found" > "/dev/stderr" }')
}

# Quote for sh (busybox): 'it'\''s'.
_sq() {
	printf "'%s'" "${1//\'/\'\\\'\'}"
}

# /with-kvm/cmd: the environment, the working directory, then exec CMD ARGS.
stage__command() {
	local name arg
	{
		for name in $(compgen -e); do
			case $name in PWD | OLDPWD | SHLVL | _ | BASH_FUNC_*) continue ;; esac
			printf 'export %s=%s\n' "$name" "$(_sq "${!name}")"
		done
		printf 'cd %s || exit 125\nexec' "$(_sq "$PWD")"
		for arg in "$@"; do printf ' %s' "$(_sq "$arg")"; done
		printf '\n'
	} > "$STAGE/with-kvm/cmd"
	# Folders the environment promises; the rest of the host's are absent.
	mkdir -p -- "$STAGE$PWD" "$STAGE${HOME:-/root}" "$STAGE${TMPDIR:-/tmp}"
}
