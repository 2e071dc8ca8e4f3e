#!/usr/bin/env bash
# TAP tests of scripts/with-kvm.  The nested path (a throwaway QEMU VM) runs on
# every machine; the plain path uses the host's /dev/kvm where it works.
# About 4 VM boots, 15-30 s in all.  Needs build/with-kvm/kvm-smoke (make all).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
WK=scripts/with-kvm
SMOKE=build/with-kvm/kvm-smoke
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0

ok() {	# ok COND-STATUS DESCRIPTION [DIAGNOSTIC-FILE...]
	local rc=$1 what=$2 f
	shift 2
	n=$((n + 1))
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		for f in "$@"; do [ -s "$f" ] && sed 's/^/# /' "$f"; done
	fi
}

# run NAME ARGS...: with-kvm's status in $rc, output in $T/NAME.{out,err}
run() {
	local name=$1
	shift
	"$WK" "$@" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
}

echo "1..14"

run nested --nested --timeout 120 "$SMOKE"
grep -q '^kvm-smoke: ok' "$T/nested.out"
ok $((rc | $?)) "--nested: kvm-smoke runs a guest in the throwaway VM (status $rc)" "$T/nested.out" "$T/nested.err"

run auto --timeout 120 "$SMOKE"
grep -q '^kvm-smoke: ok' "$T/auto.out"
ok $((rc | $?)) "plain: kvm-smoke runs a guest on /dev/kvm, a fast host's or the VM's (status $rc)" "$T/auto.out" "$T/auto.err"

if why=$(scripts/with-kvm.d/kvm-probe); then
	run host --host "$SMOKE"
	[ "$rc" -eq 0 ]
	ok $? "--host: kvm-smoke runs on the host's /dev/kvm" "$T/host.err"
else
	run host --host "$SMOKE"
	[ "$rc" -eq 125 ] && [ "$(wc -l <"$T/host.err")" -eq 1 ]
	ok $? "--host: no usable /dev/kvm ($why): status 125 and one line" "$T/host.err"
fi

# Every byte value, a file argument to carry, stdout and stderr apart, awkward
# arguments and environment.  No host runs a million MIPS, so --min-mips must
# pick the VM (its /init leaves /with-kvm/run there); 99 would say the host.
head -c 3000 /dev/urandom >"$T/bytes"
printf '\r\n\0\n' >>"$T/bytes"
args=("a b" "it's" $'new\nline' '$HOME' '*' '' '"')
printf '[%s]\n' "${args[@]}" "x'y \$z" >"$T/pass.want"
WK_TEST_VAR="x'y \$z" run pass --min-mips 1000000 --timeout 120 \
	sh -c 'test -f /with-kvm/run || exit 99; cat "$1"; shift
	       printf "[%s]\n" "$@" "$WK_TEST_VAR" >&2; exit 3' sh "$T/bytes" "${args[@]}"
ok $(( rc != 3 )) "--min-mips 1000000: runs in the VM; CMD's exit status 3 passes through (got $rc)" "$T/pass.err"
cmp -s "$T/bytes" "$T/pass.out"
ok $? "VM: stdout passes through byte for byte, a carried file's contents" "$T/pass.err"
cmp -s "$T/pass.want" "$T/pass.err"
ok $? "VM: stderr passes through on its own; arguments and environment arrive intact" "$T/pass.err"

start=$SECONDS
run timeout --nested --timeout 6 sleep 600
[ "$rc" -eq 124 ] && [ $((SECONDS - start)) -lt 60 ]
ok $? "--nested --timeout 6: the VM is killed, status 124 (got $rc after $((SECONDS - start)) s)" "$T/timeout.err"

# Killed from outside (timeout(1) signals the group, then us again): the VM
# and the copiers stop, the temporary folder goes.
mkdir "$T/tmpd"
TMPDIR=$T/tmpd timeout 3 "$WK" --nested sleep 600 >/dev/null 2>&1
sleep 0.5
[ -z "$(ls "$T/tmpd")" ] && ! pgrep -f "$T/tmpd" >/dev/null
ok $? "--nested, killed by timeout(1): no VM, copier or temporary folder left"

# A reader that goes away stops the VM at once, status 141 like SIGPIPE.
start=$SECONDS
"$WK" --nested --timeout 100 sh -c 'while :; do echo y; done' 2>"$T/pipe.err" | head -n 1 >/dev/null
rc=${PIPESTATUS[0]}
[ "$rc" -eq 141 ] && [ $((SECONDS - start)) -lt 60 ]
ok $? "--nested: stdout's reader goes away: VM stopped, status 141 (got $rc after $((SECONDS - start)) s)" "$T/pipe.err"

# In a terminal, typed keys reach CMD, and the terminal's modes come back.
tests/with-kvm/pty-run.py ready hello sh -c '
	stty -g >"$1/stty.before"
	scripts/with-kvm --nested --timeout 100 sh -c "echo ready; read x; echo got:\$x; exit 5"
	rc=$?; stty -g >"$1/stty.after"; exit $rc' sh "$T" >"$T/tty.out" 2>&1
rc=$?
[ "$rc" -eq 5 ] && grep -q '^got:hello$' "$T/tty.out" && cmp -s "$T/stty.before" "$T/stty.after"
ok $? "--nested in a terminal: keystrokes reach CMD, the terminal is restored (status $rc)" "$T/tty.out"

run htimeout --timeout 1 sleep 600
[ "$rc" -eq 124 ]
ok $? "--timeout 1 (host or VM): status 124 (got $rc)" "$T/htimeout.err"

# Bad input: one line, no VM.
bad=0
for args in "--bogus true" "--timeout banana true" "--mem 12Q true" "--host --nested true" \
	"--min-mips many true" "--retry-crash 10 true" "--retry-crash x true" "--timeout" ""; do
	run bad $args
	if [ "$rc" -ne 125 ] || [ "$(wc -l <"$T/bad.err")" -ne 1 ]; then
		echo "# with-kvm $args: status $rc, stderr:"; sed 's/^/#   /' "$T/bad.err"
		bad=1
	fi
done
ok $bad "bad options: status 125 and one line each"
run missing --nested no-such-command-anywhere
[ "$rc" -eq 127 ] && [ "$(wc -l <"$T/missing.err")" -eq 1 ]
ok $? "a command that does not exist: status 127 and one line (got $rc)" "$T/missing.err"
run help --help
grep -q '^usage: scripts/with-kvm' "$T/help.out" && grep -q -- '--timeout SEC' "$T/help.out"
ok $((rc | $?)) "--help prints the usage and every option" "$T/help.err"
