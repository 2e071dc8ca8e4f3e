#!/usr/bin/env bash
# `make run`: boot the VMI guest to a shell where the pieces for it exist,
# else the bare-metal probe with the native ROM. Says which.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x scripts/run-guest.sh ]; then
	exec scripts/run-guest.sh "$@"
fi
echo "run: the Linux guest is not built yet; booting the probe kernel with the native ROM on QEMU TCG"
exec probe/run.sh "$@"
