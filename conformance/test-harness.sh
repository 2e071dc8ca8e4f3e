#!/usr/bin/env bash
# make check: conformance/run itself, against conformance/fake-vm.sh: a hang
# and a crash each fail the test they happened in, the run resumes after
# them, and the summary and exit status follow. TAP.
set -uo pipefail
cd "$(dirname "$0")/.."
echo "1..5"
out=$(conformance/run --no-build --kernel conformance/fake-vm.sh --rom conformance/fake-vm.sh \
	--timeout 1 --cmd "{kernel} {args}" 2>&1); rc=$?
t() { if eval "$2"; then echo "ok $1"; else echo "not ok $1"; sed 's/^/#   /' <<<"$out"; fi; }
t "1 - a hang fails the test that hung" "grep -q '^not ok 2 - fake: number 2' <<<\"\$out\" && grep -q 'hung: no result 1 s' <<<\"\$out\""
t "2 - a crash fails the test it happened in" "grep -q '^not ok 3 - fake: number 3' <<<\"\$out\" && grep -q 'the VM stopped during this test (status 3)' <<<\"\$out\""
t "3 - the run resumes after both (test 4 ran)" "grep -q '^1 passed, 2 failed, 1 skipped$' <<<\"\$out\""
t "4 - exit status 1 when a test failed" "[ $rc -eq 1 ]"
conformance/run --help | grep -q -- '--target' && echo "ok 5 - --help lists the options" || echo "not ok 5 - --help lists the options"
