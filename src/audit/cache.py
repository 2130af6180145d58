"""The user cache folder and a pickle cache for indexes that are slow to build.

Indexing the bundled schema.org release takes ~0.15 s (importing a 1.6 MB
Python literal, then walking 3,000 entries); loading the finished index from a
pickle takes ~0.01 s, which is what lets ``audit check`` answer in well under
half a second. The cache is an optimisation only: a missing, unreadable,
corrupt or unwritable cache file means the index is built as before.

The folder is ``$AUDIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/site-audit``, else
``~/.cache/site-audit``.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


def cache_dir() -> Path:
    """Where downloaded releases and built indexes are kept."""
    configured = os.environ.get("AUDIT_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path("~/.cache").expanduser()
    return base / "site-audit"


def cached(name: str, build: Callable[[], T], kind: type[T]) -> T:
    """``build()``'s result, kept in ``cache_dir()/name`` (a name that encodes its inputs).

    Only a pickle this process's user wrote into their own cache folder is read,
    and only an object of ``kind`` is accepted from it.
    """
    path = cache_dir() / name
    try:
        with path.open("rb") as file:
            found = pickle.load(file)
        if isinstance(found, kind):
            return found
    except FileNotFoundError:
        pass
    except Exception as exc:  # a bad cache file (any unpickling error) is rebuilt
        log.debug("ignoring the cache file %s: %s", path, exc)
    value = build()
    _store(path, value)
    return value


def _store(path: Path, value: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as exc:
        log.debug("cannot write the cache folder %s: %s", path.parent, exc)
        return
    try:
        with os.fdopen(handle, "wb") as file:
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        Path(temporary).replace(path)
    except OSError as exc:
        log.debug("cannot write the cache file %s: %s", path, exc)
        Path(temporary).unlink(missing_ok=True)
