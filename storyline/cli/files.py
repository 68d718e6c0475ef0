"""Writing an output file without losing the one it replaces.

``storyline export -o FILE`` once opened FILE for writing straight away: a missing folder or a
read-only file was a traceback, and a write that failed half-way (a full disk) left the last
good export truncated. The rows now go to a temporary file beside FILE, which replaces FILE
only once every row is written; a failure is a usage error (S003) naming the file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING

from storyline.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable


def write_file(output: Path, write: Callable[[IO[str]], int]) -> int:
    """Call ``write`` on a text handle whose content becomes ``output``; return what it returns.

    A regular file (or a new one) is written beside it and moved into place; anything else
    that exists (a symlink, /dev/null, a FIFO) is written in place, as a shell would.

    Raises:
        UsageError: S003 when ``output`` cannot be written (a folder, a missing folder, no
            permission, a full disk); a regular file there is left as it was.
    """
    try:
        info = output.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise _cannot(output, exc) from exc
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise UsageError(f"cannot write to {output}: it is a folder")
    if info is not None and not stat.S_ISREG(info.st_mode):
        try:
            with output.open("w", encoding="utf-8", newline="") as handle:
                return write(handle)
        except OSError as exc:
            raise _cannot(output, exc) from exc
    return _replace(output, write, info)


def _replace(output: Path, write: Callable[[IO[str]], int], info: os.stat_result | None) -> int:
    """Write a temporary file in ``output``'s folder, then rename it over ``output``."""
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, or removed
            "w",
            encoding="utf-8",
            newline="",
            dir=output.parent,
            prefix=f".{output.name}.",
            suffix=".part",
            delete=False,
        )
    except OSError as exc:
        if info is not None and os.access(output, os.W_OK):
            # a writable file in a folder we may not create in (a shared folder): write in
            # place, as a plain open() would, without the whole-or-nothing guarantee
            try:
                with output.open("w", encoding="utf-8", newline="") as plain:
                    return write(plain)
            except OSError as inner:
                raise _cannot(output, inner) from inner
        raise _cannot(output, exc) from exc
    temporary = Path(handle.name)
    try:
        with handle:
            count = write(handle)
            handle.flush()
            os.fsync(handle.fileno())  # the rows are on disk before the rename makes them the file
        # the mode a plain open() would give: the old file's, or the umask's for a new one
        temporary.chmod(stat.S_IMODE(info.st_mode) if info else 0o666 & ~_umask())
        if info is not None and not os.access(output, os.W_OK):
            raise PermissionError(13, "Permission denied")  # a rename would get round it
        temporary.replace(output)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise _cannot(output, exc) from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return count


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _cannot(output: Path, exc: OSError) -> UsageError:
    return UsageError(f"cannot write to {output}: {exc.strerror or exc}")
