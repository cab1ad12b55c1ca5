"""One batch run per output folder: a lock file holding the runner's pid.

The lock is an ``flock`` on ``OUTPUT/.deal-extract.lock``: the kernel releases it when its
holder dies, so the lock file of a killed run is simply taken over. The file holds the
holder's pid for the message another run shows. Where ``flock`` is not available, the pid
alone decides: a lock whose process no longer exists is stale and taken over.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path
from typing import Iterator, Optional

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".deal-extract.lock"
_held: dict[str, int] = {}  # locks this process holds, by folder, with their nesting depth


class OutputLocked(RuntimeError):
    """Another run holds the output folder; ``str()`` says which process."""


def _read_pid(fd: int) -> Optional[int]:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 64).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _locked_message(folder: Path, pid: Optional[int]) -> str:
    holder = f"pid {pid}" if pid else "another process"
    return (f"output folder {folder} is in use by another deal-extract run ({holder}); wait for it to finish "
            f"or choose another -o folder (lock file {folder / LOCK_NAME})")


def _acquire(folder: Path) -> int:
    """Open and lock the lock file; returns its descriptor."""
    path = folder / LOCK_NAME
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock_fd(fd, folder)
            if os.path.exists(path) and os.path.samestat(os.fstat(fd), os.stat(path)):
                break  # not a file that the last holder removed while we opened it
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def _lock_fd(fd: int, folder: Path) -> None:
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            raise OutputLocked(_locked_message(folder, _read_pid(fd))) from None
        except OSError as exc:
            if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                raise
    pid = _read_pid(fd)  # no flock here: the pid decides
    if pid and pid != os.getpid() and _alive(pid):
        raise OutputLocked(_locked_message(folder, pid))


@contextlib.contextmanager
def output_lock(folder: Path) -> Iterator[None]:
    """Hold the output folder's lock for the block (re-entrant within one process).

    Raises :class:`OutputLocked` when another live process holds it.
    """
    folder = Path(folder)
    key = str(folder.resolve())
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    folder.mkdir(parents=True, exist_ok=True)
    fd = _acquire(folder)
    _held[key] = 1
    try:
        yield
    finally:
        del _held[key]
        with contextlib.suppress(FileNotFoundError):
            os.unlink(folder / LOCK_NAME)
        os.close(fd)  # closing releases the flock
