# shellcheck shell=bash
# Sourced by scripts/with-kvm: build the initramfs, boot the throwaway VM, and
# turn what comes back into CMD's output and exit status.
#
# Serial ports: ttyS0 is the console (kernel messages, the status line) and
# goes to a log file; ttyS1 carries CMD's stdout and ttyS2 its stderr, each
# through a FIFO that a `cat` copies to our own stdout/stderr as it arrives.
# ttyS3 carries our stdin to CMD when both stdin and stdout are a terminal (an
# interactive session, e.g. vmi-run's guest shell); otherwise CMD reads
# /dev/null, since a serial port cannot carry an end of file.

WK_PIDS=()

# On exit, however it comes.  A second signal (timeout(1) sends SIGTERM to
# the group and again to us) must not cut the cleanup short.
_vm_cleanup() {
	local p
	trap '' INT TERM HUP
	for p in "${WK_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${WK_STTY:-}" ] && stty "$WK_STTY" 2>/dev/null
	[ -n "${WK_TMP:-}" ] && rm -rf "$WK_TMP"
}

# The per-run initramfs: the shared base, then /init, the command and what it
# carries.  The kernel unpacks concatenated newc archives in order.
_vm_initramfs() {
	local a
	STAGE="$WK_TMP/root"
	mkdir -p "$STAGE/with-kvm"
	cp "$LIB/init" "$STAGE/init"
	printf 'WK_NONCE=%s\nWK_TTY=%s\n' "$WK_NONCE" "$WK_TTY" > "$STAGE/with-kvm/run"
	stage__carry "$CMD_PATH"
	# Its siblings, a guess that serves a build folder (vmi-run's default ROM):
	# never a system folder, and no file over 32 MiB (name those).
	local dir f
	dir=$(dirname -- "$(realpath -s -- "$CMD_PATH")")
	if [[ ${ARGV[0]} == */* ]] &&
		! [[ $dir =~ ^/(usr|bin|sbin|lib|lib32|lib64|libx32|etc|opt|snap|nix)(/|$) ]]; then
		for f in "$dir"/*; do
			[ -f "$f" ] && [ "$(stat -L -c %s -- "$f")" -le $((32 << 20)) ] &&
				stage__carry "$f"
		done
	fi
	for a in "${ARGV[@]:1}"; do
		stage__carry "$a"
		[[ $a == -*=* ]] && stage__carry "${a#*=}"
	done
	for a in "${CARRY[@]}"; do
		[ -e "$a" ] || die "--carry $a: no such file or directory"
		stage__carry "$a"
	done
	stage__command "$CMD_PATH" "${ARGV[@]:1}"
	cp "$KDIR/base-$BASE_LAYOUT.cpio" "$WK_TMP/initramfs"
	(cd "$STAGE" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >> "$WK_TMP/initramfs" ||
		die "cannot build the initramfs"
}

# Start QEMU and the two copiers; sets QEMU_PID, OUT_PID, ERR_PID.
_vm_start() {
	local kernel="$KDIR/vmlinux" s quiet=quiet
	[ -f "$kernel" ] || kernel="$KDIR/vmlinuz"
	[ -n "${OPT[--console]:-}" ] && quiet=
	for s in out err in; do
		rm -f "$WK_TMP/$s.in" "$WK_TMP/$s.out"
		mkfifo "$WK_TMP/$s.in" "$WK_TMP/$s.out" || die "mkfifo: failed"
	done
	cat "$WK_TMP/out.out" &
	OUT_PID=$!
	cat "$WK_TMP/err.out" >&2 &
	ERR_PID=$!
	WK_PIDS+=("$OUT_PID" "$ERR_PID")
	# Boot time under TCG: quiet, no default devices, no crypto self-tests
	# (0.3 s), no speculation mitigations.  panic=-1 with -no-reboot turns a
	# guest panic into QEMU exiting.
	qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m "$MEM" \
		-nodefaults -no-user-config -display none -no-reboot \
		-chardev file,id=con,path="$WK_TMP/console.log" -serial chardev:con \
		-chardev pipe,id=out,path="$WK_TMP/out" -serial chardev:out \
		-chardev pipe,id=err,path="$WK_TMP/err" -serial chardev:err \
		-chardev pipe,id=in,path="$WK_TMP/in" -serial chardev:in \
		-kernel "$kernel" -initrd "$WK_TMP/initramfs" \
		-append "console=ttyS0 $quiet panic=-1 mitigations=off cryptomgr.notests" \
		</dev/null >"$WK_TMP/qemu.log" 2>&1 &
	QEMU_PID=$!
	WK_PIDS+=("$QEMU_PID")
	[ -n "$WK_TTY" ] && _vm_keys
}

# In a terminal, keystrokes go to CMD as they are typed: no line editing or
# local echo here (the guest echoes), but ^C still stops with-kvm.
_vm_keys() {
	WK_STTY=$(stty -g) && stty -icanon -echo min 1 time 0 || return
	cat <&0 >"$WK_TMP/in.in" &	# explicit <&0: a background job gets /dev/null
	WK_PIDS+=("$!")
}

# Wait for QEMU to end, or the timeout, or a copier to fail: when our
# stdout is a pipe whose reader has gone (`with-kvm ... | grep -q x`), stop
# the VM at once, like a program killed by SIGPIPE, rather than let it stall
# on a full FIFO.  Sets STOPPED to timeout, pipe or nothing.
_vm_wait() {
	local live=("$QEMU_PID" "$OUT_PID" "$ERR_PID") first rc p
	STOPPED=
	if [ -n "$TIMEOUT" ]; then
		sleep "$TIMEOUT" &
		live+=("$!")
		WK_PIDS+=("$!")
	fi
	while :; do
		first=
		wait -n -p first "${live[@]}" 2>/dev/null
		rc=$?
		if [ -z "${first:-}" ]; then
			# Bash 5.2 can lose a child that ended between two waits
			# ("no such job", first unset): find who is gone by hand.
			[ ${#live[@]} -gt 0 ] || break
			_vm_gone "${live[@]}" || { sleep 0.05; continue; }
			first=$GONE
			rc=0
		fi
		case $first in
		"$QEMU_PID") break ;;
		"$OUT_PID" | "$ERR_PID") [ $rc -eq 0 ] || { STOPPED=pipe; break; } ;;
		*) STOPPED=timeout; break ;;
		esac
		for p in "${!live[@]}"; do [ "${live[p]}" = "$first" ] && unset 'live[p]'; done
	done
	if [ -n "$STOPPED" ]; then
		kill "$QEMU_PID" 2>/dev/null
		wait "$QEMU_PID"
	fi
}

# The first of the given PIDs that no longer runs, in GONE; false if all run.
# QEMU first: once it is gone, nothing else matters.
_vm_gone() {
	local p
	for p in "$QEMU_PID" "$@"; do
		[[ " $* " == *" $p "* ]] || continue
		kill -0 "$p" 2>/dev/null || { GONE=$p; return 0; }
	done
	return 1
}

# Let the copiers reach EOF: a read-write open of each FIFO stands in for a
# writer, so a `cat` still blocked in open() (QEMU died early) returns too.
_vm_drain() {
	local s fd
	for s in out err; do
		exec {fd}<>"$WK_TMP/$s.out" && exec {fd}>&-
	done
	wait "$OUT_PID" "$ERR_PID" 2>/dev/null
}

_vm_status() {
	local log="$WK_TMP/console.log" line
	if [ -n "${OPT[--console]:-}" ]; then
		echo "with-kvm: the VM's console:" >&2
		{ cat "$WK_TMP/qemu.log"; tr -d '\r' < "$log"; } | sed 's/^/  /' >&2
	fi
	case $STOPPED in
	timeout)
		echo "with-kvm: timed out after $TIMEOUT s (VM killed)" >&2
		exit 124
		;;
	pipe) exit 141 ;;	# 128 + SIGPIPE, what CMD would have got
	esac
	# Unanchored: a kernel message may share the status line.
	line=$(tr -d '\r' < "$log" | grep -a -m1 -o "with-kvm-\(exit\|error\)-$WK_NONCE=.*")
	case $line in
	with-kvm-exit-*)
		[[ ${line#*=} =~ ^([0-9]+) ]] && exit "${BASH_REMATCH[1]}"
		echo "with-kvm: VM: unreadable status line: $line" >&2
		;;
	with-kvm-error-*) echo "with-kvm: VM: ${line#*=}" >&2 ;;
	*)
		echo "with-kvm: the VM stopped without reporting CMD's status; its last words:" >&2
		{ cat "$WK_TMP/qemu.log"; tr -d '\r' < "$log"; } | tail -n 15 | sed 's/^/  /' >&2
		;;
	esac
	exit 125
}

vm__run() {
	command -v qemu-system-x86_64 >/dev/null ||
		die "qemu-system-x86_64: not installed (package qemu-system-x86)"
	kernel__ensure && kernel__base || exit 125
	trap _vm_cleanup EXIT
	WK_TMP=$(mktemp -d "${TMPDIR:-/tmp}/with-kvm.XXXXXX") || die "mktemp: failed"
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	WK_NONCE=$RANDOM$RANDOM$RANDOM
	WK_TTY=
	[ -t 0 ] && [ -t 1 ] && WK_TTY=1
	_vm_initramfs
	local tries=0
	while :; do
		_vm_start
		_vm_wait
		_vm_drain
		[ $tries -lt "$RETRY_CRASH" ] && _vm_qemu_crashed || break
		tries=$((tries + 1))
		echo "with-kvm: QEMU itself crashed ($(grep -a -m1 'assertion failed' "$WK_TMP/qemu.log" |
			cut -c1-160)); running CMD again ($tries of $RETRY_CRASH)" >&2
	done
	_vm_status
}

# QEMU (the emulator under the throwaway VM, not CMD) died of one of its
# own assertions before CMD reported a status: seen with nested SVM under
# TCG ("tcg_handle_interrupt: assertion failed"), a race in QEMU 7.2.
_vm_qemu_crashed() {
	[ -z "$STOPPED" ] &&
		! tr -d '\r' < "$WK_TMP/console.log" | grep -a -q "with-kvm-\(exit\|error\)-$WK_NONCE=" &&
		grep -a -q 'assertion failed' "$WK_TMP/qemu.log"
}
