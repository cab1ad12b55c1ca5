"""The helper process of :mod:`deal_extract.run.watchdog` (standard library only).

It is started as ``python -I -c <this file's text> PID WAKE_FD SIGNAL_GRACE MESSAGE`` and
reads, one JSON object a line on its standard input, what the process PID asks:

- ``{"arm": SECONDS, "message": ..., "note_path": ..., "note": ...}``: if no ``disarm``
  comes within SECONDS, print ``message`` on standard error, append ``note`` (a line) to
  ``note_path`` when given, and kill PID (SIGKILL: the one signal that needs no cooperation);
- ``{"disarm": true}``: forget the deadline;
- ``{"exit": true}``: leave (PID no longer wants watching).

WAKE_FD is the signal wakeup pipe of PID (``signal.set_wakeup_fd``): its C signal handler
writes the number of each signal it receives there at once, even while PID is stuck in C
code. After a Ctrl-C (SIGINT) or SIGTERM, PID gets SIGNAL_GRACE seconds to stop by itself
(a second one: none), then it is killed after MESSAGE is printed. The helper ignores Ctrl-C
itself, and leaves when its standard input closes (PID has ended).
"""

import json
import os
import select
import signal
import sys
import time


def main(pid: int, wake_fd: int, signal_grace: float, interrupt_message: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal's Ctrl-C is for PID; this process watches it
    armed = None                # the last "arm" command
    deadline = None             # when PID is killed unless disarmed
    interrupted = None          # when PID is killed after a Ctrl-C or SIGTERM
    buffered = b""
    watched = [0] + ([wake_fd] if wake_fd >= 0 else [])
    while True:
        due = min((t for t in (deadline, interrupted) if t is not None), default=None)
        wait = None if due is None else max(0.0, due - time.monotonic())
        ready = select.select(watched, [], [], wait)[0]
        now = time.monotonic()
        if 0 in ready:  # commands first: a "disarm" that came in time wins over its deadline
            data = os.read(0, 65536)
            if not data:
                return  # PID has ended
            buffered += data
            *lines, buffered = buffered.split(b"\n")
            for line in lines:
                command = json.loads(line)
                if "exit" in command:
                    return
                if "arm" in command:
                    armed, deadline = command, now + float(command["arm"])
                else:
                    armed, deadline = None, None
        if wake_fd in ready:
            signals = os.read(wake_fd, 512)
            if not signals:
                watched.remove(wake_fd)
            for number in signals:
                if number in (signal.SIGINT, signal.SIGTERM):
                    interrupted = now if interrupted is not None else now + signal_grace
        if armed is not None and deadline is not None and now >= deadline:
            stop(pid, armed.get("message", ""), armed.get("note_path"), armed.get("note"))
        if interrupted is not None and now >= interrupted:
            stop(pid, interrupt_message, None, None)


def stop(pid: int, message: str, note_path, note) -> None:
    if note_path and note:
        with open(note_path, "a", encoding="utf-8") as notes:
            notes.write(note + "\n")
    if message:
        os.write(2, (message + "\n").encode("utf-8", "replace"))
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
