"""OS-level file locks (flock) held for the life of a process: the kernel frees them when it exits or is killed."""

import fcntl
import os
from pathlib import Path


class FileLock:
    """An exclusive lock on one file, held until release() or the process ends (even if this object is dropped)."""

    def __init__(self, path: Path, fd: int):
        self.path, self.fd = path, fd

    def release(self) -> None:
        """Give the lock back (closing the file releases it)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def try_lock(path: Path, note: str = "") -> FileLock | None:
    """Take the lock on `path` without waiting, writing `note` (e.g. the holder's pid) into it; None if held."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    os.ftruncate(fd, 0)
    os.write(fd, note.encode())
    return FileLock(path, fd)


def is_locked(path: Path) -> bool:
    """Whether some process holds the lock on `path` right now."""
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def holder_note(path: Path) -> str:
    """What the holder wrote into the lock file (empty when unknown)."""
    try:
        return path.read_text().strip()
    except OSError:
        return ""
