#!/usr/bin/env bash
# Developer tool: export the series from a Linux work tree (branch `vmi` on
# top of tag `base`, the unpacked linux-source-6.1) into guest-linux-patch/,
# keeping the hand-written cover letter. Output is stable (zero commit ids,
# no signature) so that unchanged patches keep the build cache key.
# usage: guest-linux-patch/export-series.sh [TREE]   (default ~/.cache/vmi-x64/linux-dev)
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
tree=${1:-$HOME/.cache/vmi-x64/linux-dev}
[ -d "$tree/.git" ] || { echo "export-series: $tree: not a git tree" >&2; exit 1; }
find "$dir" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-*' -delete
git -C "$tree" -c user.name=VMI-x64 -c user.email=vmi-x64@localhost format-patch -q --signoff --zero-commit --no-signature --start-number 1 \
	-o "$dir" base..vmi
ls "$dir"/[0-9][0-9][0-9][0-9]-*.patch
