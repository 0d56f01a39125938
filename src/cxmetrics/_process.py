"""Process-level plumbing for embedding: fork-safe locks and a cache directory that always works.

A service forks workers (gunicorn ``--preload``, Celery prefork) and runs threads. A
``threading.Lock`` held by another thread at the moment of ``fork`` stays held for ever in the
child, so every lazily loaded resource guards its loading with a :class:`ForkSafeLock`, which
``os.register_at_fork`` replaces with a fresh lock in each child. Whatever the parent was half-way
through loading is simply loaded again by the child: resources are published (assigned to their
module global) only once complete.

Caches go to the first usable folder of: ``$CXMETRICS_CACHE_DIR``; the platform's user cache
folder (``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux, ``~/Library/Caches`` on macOS,
``%LOCALAPPDATA%`` on Windows); a per-user folder in the system temporary directory. A folder
that is read-only, missing and not creatable, or under a home directory that does not exist (an
arbitrary container UID) is skipped quietly; when none is writable the library runs without a
cache and says so once with a :class:`~cxmetrics.errors.CXMetricsWarning`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
import threading
import warnings
import weakref
from pathlib import Path
from types import TracebackType
from typing import ClassVar

from cxmetrics.errors import CXMetricsWarning

__all__ = ["ForkSafeLock", "cache_candidates", "cache_folder", "read_verified", "write_verified"]


class ForkSafeLock:
    """A lock that a forked child gets back unlocked, whatever the parent's threads held."""

    _instances: ClassVar[weakref.WeakSet[ForkSafeLock]] = weakref.WeakSet()

    def __init__(self) -> None:
        self._lock = threading.Lock()
        ForkSafeLock._instances.add(self)

    def __enter__(self) -> bool:
        return self._lock.acquire()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._lock.release()

    def _renew(self) -> None:
        self._lock = threading.Lock()

    @classmethod
    def _renew_all(cls) -> None:
        for lock in list(cls._instances):
            lock._renew()


if hasattr(os, "register_at_fork"):  # POSIX; Windows has no fork
    os.register_at_fork(after_in_child=ForkSafeLock._renew_all)


def _platform_cache() -> Path | None:
    try:
        if sys.platform == "win32":
            local = os.environ.get("LOCALAPPDATA")
            return Path(local) if local else None
        if sys.platform == "darwin":
            return Path.home() / "Library" / "Caches"
        xdg = os.environ.get("XDG_CACHE_HOME")
        return Path(xdg) if xdg else Path.home() / ".cache"
    except (RuntimeError, KeyError, OSError):  # no home directory (arbitrary UID, no HOME)
        return None


def _user_tag() -> str:
    getuid = getattr(os, "getuid", None)
    if getuid is not None:
        return str(getuid())
    return os.environ.get("USERNAME", "user")


def cache_candidates() -> list[Path]:
    """The cache folders to try, best first (see the module docstring)."""
    folders = []
    if os.environ.get("CXMETRICS_CACHE_DIR"):
        folders.append(Path(os.environ["CXMETRICS_CACHE_DIR"]))
    platform = _platform_cache()
    if platform is not None:
        folders.append(platform / "cxmetrics")
    folders.append(Path(tempfile.gettempdir()) / f"cxmetrics-{_user_tag()}")
    return folders


def _digest(payload: bytes) -> bytes:
    return hashlib.sha256(payload).hexdigest().encode("ascii")


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


_warned_no_cache = False


def cache_folder() -> Path | None:
    """The first writable folder of :func:`cache_candidates` (created if need be), or None.

    When none is writable the library works without a cache and warns once per process.
    """
    global _warned_no_cache
    for folder in cache_candidates():
        if _writable(folder):
            return folder
    if not _warned_no_cache:
        _warned_no_cache = True
        warnings.warn(
            f"no writable cache folder among {[str(f) for f in cache_candidates()]}; cxmetrics "
            f"rebuilds its dictionaries in every process (set CXMETRICS_CACHE_DIR to a writable folder)",
            CXMetricsWarning,
            stacklevel=4,
        )
    return None


def read_verified(name: str) -> bytes | None:
    """The payload of cache file ``name`` in :func:`cache_folder`, or None if absent or damaged.

    Each file starts with the SHA-256 of its payload on a line of its own; a file whose payload
    does not match (edited, truncated) is ignored and will be rewritten. Version-dependent content
    carries the versions in ``name``.
    """
    folder = cache_folder()
    if folder is None:
        return None
    try:
        content = (folder / name).read_bytes()
    except OSError:
        return None
    digest, _, payload = content.partition(b"\n")
    return payload if digest == _digest(payload) else None


def write_verified(name: str, payload: bytes) -> Path | None:
    """Write ``payload`` as cache file ``name`` into :func:`cache_folder`; its path, or None.

    The file is written to a temporary name and renamed into place, so a reader never sees half a
    file and concurrent processes never corrupt each other's copy. A failed write is not an error:
    the caller has the payload and carries on without the cache.
    """
    folder = cache_folder()
    if folder is None:
        return None
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
    except OSError:
        return None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(_digest(payload) + b"\n" + payload)
        os.replace(temporary, folder / name)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return None
    return folder / name
