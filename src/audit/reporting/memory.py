"""Handing memory back to the system between the steps of writing a run.

Writing a large run makes and frees many short-lived objects (rows, Arrow
buffers, pandas slices), and a few long-lived ones between them (the
workbook keeps every hyperlink until it is closed). Freed memory stays with
the process unless the allocator returns it, and each step would then start
from the last one's high-water mark:

- glibc's malloc keeps freed heap memory for reuse; ``malloc_trim(0)``
  returns the free pages to the system, after a full garbage collection
  (0.1-0.5 s together at 100,000 pages). Between the steps of a
  100,000-page run this keeps the peak ~60 MB lower.
- Arrow's buffers (pandas' text columns are Arrow arrays) come from the
  system allocator too: the package sets ``ARROW_DEFAULT_MEMORY_POOL``
  before pyarrow loads (see ``audit/reporting/__init__.py``), since Arrow's
  default, mimalloc, keeps freed buffers mapped.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Callable
from functools import cache

LARGE_RUN = 20_000
"""URLs from which handing memory back pays: below, the heap stays well under the
memory target, and the ~10 full garbage collections of a run (~0.07 s each in a process
with every module loaded) would cost 0.7 s for nothing (measured at 5,000 pages)."""


def release_memory(urls: int) -> None:
    """Collect garbage and return free heap pages to the system, in a run of ``urls`` URLs.

    The collection matters: the workbook's objects refer to each other (its
    hyperlinks, ~50 MB at 100,000 pages, would wait for the next automatic
    collection). Nothing happens below :data:`LARGE_RUN`.
    """
    if urls < LARGE_RUN:
        return
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError, TypeError):  # not glibc (macOS, musl): nothing to trim
        return None
    return trim
