#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the guest initramfs: a gzipped newc cpio with busybox, its applet
links, /init, vmi-check and /dev/console. Pure stdlib, no root needed (the
device node is written into the archive, not onto disk), byte-reproducible
(mtime 0, fixed order).

usage: mkinitramfs.py OUT.cpio.gz INIT VMI_CHECK BUSYBOX [PROGRAM...]
(each PROGRAM goes to /bin/ under its own name)
"""
import gzip
import os
import stat
import subprocess
import sys


class Cpio:
    def __init__(self):
        self.data = bytearray()
        self.ino = 1

    def _entry(self, name, mode, body=b"", rdev=(0, 0), nlink=1):
        name_b = name.encode() + b"\0"
        fields = [self.ino, mode, 0, 0, nlink, 0, len(body), 0, 0,
                  rdev[0], rdev[1], len(name_b), 0]
        self.ino += 1
        self.data += b"070701" + b"".join(b"%08X" % f for f in fields)
        self.data += name_b
        self.data += b"\0" * (-len(self.data) % 4)
        self.data += body
        self.data += b"\0" * (-len(self.data) % 4)

    def dir(self, name):
        self._entry(name, stat.S_IFDIR | 0o755, nlink=2)

    def file(self, name, body, mode=0o755):
        self._entry(name, stat.S_IFREG | mode, body)

    def symlink(self, name, target):
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def chardev(self, name, major, minor):
        self._entry(name, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0)
        return bytes(self.data)


def main(argv):
    if len(argv) < 5 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 0 if len(argv) > 1 and argv[1] in ("-h", "--help") else 2
    out, init, check, busybox = argv[1:5]
    extra = argv[5:]
    try:
        applets = subprocess.run([busybox, "--list"], check=True,
                                 capture_output=True, text=True).stdout.split()
        bodies = {p: open(p, "rb").read() for p in (init, check, busybox, *extra)}
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"mkinitramfs: {e}", file=sys.stderr)
        return 1
    c = Cpio()
    for d in ("bin", "dev", "proc", "sys", "tmp", "root"):
        c.dir(d)
    c.chardev("dev/console", 5, 1)
    c.chardev("dev/null", 1, 3)
    c.file("init", bodies[init])
    c.file("bin/busybox", bodies[busybox])
    c.file("bin/vmi-check", bodies[check])
    for p in extra:
        c.file("bin/" + os.path.basename(p), bodies[p])
    for a in sorted(set(applets) - {"busybox"}):
        c.symlink("bin/" + a, "busybox")
    with open(out + ".tmp", "wb") as f:
        f.write(gzip.compress(c.finish(), compresslevel=6, mtime=0))
    os.replace(out + ".tmp", out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
