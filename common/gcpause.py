"""Fewer passes of the cyclic garbage collector during one long piece of work.

A spreadsheet import or a brief's PDF allocates hundreds of thousands of short-lived
objects (cells, model instances and messages; WeasyPrint's styles, boxes and lines);
with CPython's default threshold (700) the collector walks the young generation
hundreds or thousands of times for nothing, and what survives those passes (alive
until the work ends) is walked again by the middle and full passes: a full pass also
walks every object of the process (~180,000 in a warm Django process, ~0.1 s each).
Measured: about a fifth of an import's CPU time, ~13 % of a 200-visit brief's.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class _GcPause:
    """The pieces of work under way in this process, and the thresholds to restore after the last."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    users: int = 0
    saved: tuple[int, int, int] = field(default_factory=gc.get_threshold)


_gc_pause = _GcPause()


# Young passes between two passes over the middle generation during the work.
MIDDLE_EVERY = 1_000


@contextmanager
def fewer_gc_passes(threshold: int = 20_000, *, collect_after: bool = False) -> Iterator[None]:
    """Let the cyclic garbage collector run less often during the work inside.

    The young generation is walked every ``threshold`` allocations instead of 700; what
    survives a young pass (the work's records, alive until its end) is not walked again
    either: the middle generation waits for ``MIDDLE_EVERY`` young passes instead of 10
    (each such pass over a 10,000-row sheet's survivors took 45 ms, one or two per
    import), and so the full passes wait too. Memory is unaffected in practice (the
    work keeps its objects until its end anyway; the young passes still free cycles made
    and dropped meanwhile) and the previous thresholds are restored afterwards, even on
    error.

    ``collect_after``: when the last work ends, walk the young and middle generations
    once, so what the work left in cycles is freed at once. Without it, work repeated
    back to back (a worker rendering brief after brief) kept its cycles in the middle
    generation, which waits for ``MIDDLE_EVERY`` young passes: memory grew by ~7 MB a
    brief.
    """
    pause = _gc_pause
    with pause.lock:  # work in several threads: the first sets, the last restores
        if pause.users == 0:
            pause.saved = saved = gc.get_threshold()
            gc.set_threshold(max(threshold, saved[0]), max(MIDDLE_EVERY, saved[1]), *saved[2:])
        pause.users += 1
    try:
        yield
    finally:
        with pause.lock:
            pause.users -= 1
            if pause.users == 0:
                gc.set_threshold(*pause.saved)
                if collect_after:
                    gc.collect(1)
