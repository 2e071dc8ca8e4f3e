#!/usr/bin/env bash
# The build fails when a call of conformance/gen/coverage.txt (generated from
# vmi-spec/calls.toml) has no test: conformance/tests/<call>/ holding at least
# one .c file. Also refuses a test directory that names no call or group,
# and a test that does not open with its doc block (Spec, Correct, Probe).
# Usage: conformance/check-coverage.sh STAMP
set -euo pipefail
cd "$(dirname "$0")/.."
calls=$(grep -v '^#' conformance/gen/coverage.txt | awk '{print $2}')
missing=0
for c in $calls; do
	if ! ls conformance/tests/"$c"/*.c >/dev/null 2>&1; then
		echo "conformance: call $c has no test (add conformance/tests/$c/<what>.c)" >&2
		missing=1
	fi
done
for d in conformance/tests/*/; do
	d=$(basename "$d")
	case " discovery abi $(echo $calls) " in *" $d "*) ;; *)
		echo "conformance: tests/$d names no call in coverage.txt (nor discovery, abi)" >&2
		missing=1;;
	esac
done
for f in conformance/tests/*/*.c; do
	head -20 "$f" | awk '/\*\//{exit} {print}' | grep -q ' \* Spec' &&
	head -20 "$f" | awk '/\*\//{exit} {print}' | grep -q ' \* Correct:' &&
	head -20 "$f" | awk '/\*\//{exit} {print}' | grep -q ' \* Probe:' || {
		echo "conformance: $f: no opening doc block with Spec, Correct: and Probe:" >&2
		missing=1
	}
done
[ $missing -eq 0 ] || exit 1
[ $# -eq 0 ] || { mkdir -p "$(dirname "$1")"; touch "$1"; }
