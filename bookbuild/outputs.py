"""Writing products: to a temporary file beside the target, then renamed, so output/ is never half-written."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path


STALE_SECONDS = 600      # a temporary file this old belongs to a build that was killed: removed


def write_atomically(target: Path, data: bytes) -> None:
    """A temporary file beside the target, then a rename: nobody ever sees half a file.
    Raises OSError (the caller says what it means for its user); the previous file is then intact."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(target)
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)                # mkstemp's 0600 would hide the file from others
        os.replace(temp, target)
        _sync_folder(target.parent)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _remove_stale(target: Path) -> None:
    """Temporary files left by a build that was killed (kill -9, power cut) before its rename."""
    now = time.time()
    for temp in target.parent.glob(f".{target.name}.*.tmp"):
        try:
            if now - temp.stat().st_mtime > STALE_SECONDS:
                temp.unlink()
        except OSError:
            pass


def _sync_folder(folder: Path) -> None:
    """The rename itself survives a power cut only once the folder is written out."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
