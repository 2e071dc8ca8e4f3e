#!/usr/bin/env python3
"""pty-run.py WAIT SEND CMD [ARG...]: run CMD in a pseudo-terminal, type SEND
(plus Enter) once WAIT has appeared in its output, copy the output (\\r\\n
turned back into \\n) to stdout and exit with CMD's status.  For with-kvm's
test of interactive stdin; gives up after 120 s."""
import os
import pty
import select
import sys
import time


def main():
    wait, send, argv = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    out, sent, start = b"", False, time.monotonic()
    while time.monotonic() - start < 120:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:     # EIO: the child side closed
                break
            if not data:
                break
            out += data
        if not sent and wait in out:
            os.write(fd, send + b"\r")
            sent = True
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(out.replace(b"\r\n", b"\n").decode(errors="replace"))
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
