#!/usr/bin/env bash
# bench's tools without booting anything (TAP): nanobench runs on the host
# and each line carries a valid check byte; bench/compare and bench/plot
# read a report, refuse hostile ones with one line and a non-zero status.
set -uo pipefail
cd "$(dirname "$0")/../.."
NB=build/linux/nanobench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
t() { local name=$1; shift; if "$@"; then ok "$name"; else notok "$name"; fi; }

echo "1..8"
if [ -x "$NB" ]; then
	"$NB" 2 >"$tmp/nb" 2>&1
	t "nanobench runs on the host" test $? = 0
	t "nanobench: every line's check byte matches" python3 - "$tmp/nb" <<'EOF'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
ok = lines and lines[-1].startswith("nanobench: done")
for l in lines:
    m = re.match(r"(nanobench: .*) #([0-9a-f]{2})$", l)
    ok = ok and m and sum(m.group(1).encode()) & 0xff == int(m.group(2), 16)
ok = ok and any(re.match(r"nanobench: syscall [0-9.]+ ns [0-9]+ iters", l) for l in lines)
sys.exit(0 if ok else 1)
EOF
	"$NB" 0 >/dev/null 2>"$tmp/err"
	t "nanobench: a bad time is refused with one line" \
		test $? = 2 -a "$(wc -l <"$tmp/err")" = 1
else
	for i in 1 2 3; do ok "# SKIP $NB not built (make all)"; done
fi

cat >"$tmp/a.json" <<'EOF'
{"date": "a", "commit": "x", "platforms": {
 "bt-vmi": {"host_to_init_s": 1.0, "host_to_poweroff_s": 2.0,
            "nano": {"syscall": 100.0, "forkexec": 4000.0}},
 "hvm-vmi": "skipped: no kvm"}}
EOF
sed 's/"syscall": 100.0/"syscall": 50.0/; s/"host_to_init_s": 1.0/"host_to_init_s": 0.5/' \
	"$tmp/a.json" >"$tmp/b.json"
bench/compare "$tmp/a.json" "$tmp/b.json" >"$tmp/out" 2>&1
t "compare: ratios B/A" grep -q "bt-vmi .*init 0.50, poweroff 1.00, syscall 0.50, forkexec 1.00" "$tmp/out"

echo '[1, 2]' >"$tmp/bad1.json"
printf '{"platforms": {"bt-vmi": {"nano": [1], "host_to_init_s": "x"}}}' >"$tmp/bad2.json"
head -c 100 /dev/urandom >"$tmp/bad3.json"
bad=0
for f in "$tmp"/bad*.json /nonexistent.json; do
	bench/compare "$f" "$tmp/a.json" >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] || { bad=1; echo "# compare $f: rc $rc"; cat "$tmp/err"; }
done
t "compare: hostile reports refused with one line, status 1" test $bad = 0

if command -v gnuplot >/dev/null; then
	t "plot: a PNG from a report" bench/plot "$tmp/a.json" "$tmp/a.png"
	t "plot: the PNG is a PNG" test "$(head -c 4 "$tmp/a.png" | tail -c 3)" = PNG
else
	ok "# SKIP gnuplot missing"; ok "# SKIP gnuplot missing"
fi
bench/plot "$tmp/bad1.json" "$tmp/x.png" 2>"$tmp/err"
t "plot: a hostile report refused with one line" test $? = 1 -a "$(wc -l <"$tmp/err")" = 1
