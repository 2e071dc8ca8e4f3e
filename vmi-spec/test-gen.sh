#!/usr/bin/env bash
# TAP: the files generated from calls.toml are current and unedited.
cd "$(dirname "$0")/.."
echo "1..1"
if out=$(python3 vmi-spec/gen.py --check 2>&1); then
	echo "ok 1 - generated files match vmi-spec/calls.toml"
else
	echo "not ok 1 - generated files match vmi-spec/calls.toml"
	printf '# %s\n' "$out"
fi
