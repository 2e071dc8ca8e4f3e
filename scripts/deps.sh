#!/usr/bin/env bash
# Install the Debian packages VMI-x64 needs. Idempotent; silent when all are
# present; runs apt-get update only when something must be installed.
set -euo pipefail

PACKAGES=(
	build-essential pkg-config python3 nasm check libzydis-dev libelf-dev
	qemu-system-x86 seabios busybox-static cpio gzip
	linux-source-6.1 bc flex bison libssl-dev libelf-dev dwarves kmod xz-utils
	libunicorn-dev libcapstone-dev gnuplot hyperfine
)

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
echo "deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
