"""The key of the code that draws the pages: the prefix of every cache key (settings).

What the cache keeps across processes (the dashboard's sections, the lists' results, the
partner map's blocks, the drop-downs' labels, the calendar's grid) is keyed by the
record's data version and by what it shows, not by the code that drew it: after a deploy
that changes a template, a translation or the Python that draws, an entry drawn by the
old code would be served until its timeout (an hour) unless ``CACHE_DIR`` were cleared.
So every key starts with a digest of that code's files, worked out once when the settings
are read (nothing is read again per request): a release reads only what it drew itself,
and processes running the same files (gunicorn's workers, the job worker, the same
release checked out elsewhere) agree on it.

It is made of the contents of the project's packages (Python, templates, data; not the
compiled bytecode), the project's templates, the compiled translations (.mo) and
``uv.lock`` (the dependencies' versions: Django's own templates and translations, the
country names), with their paths. The migrations are Python files of the packages, so a
new schema changes it too. The static files are left out: no cached fragment links to
them (the pages' heads do, and they are not cached). The tests and the benchmarks draw
nothing that is kept.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

NOT_DRAWING = frozenset({"tests", "bench"})
LENGTH = 12


def drawing_files(base_dir: Path) -> list[str]:
    """The paths, relative to ``base_dir``, of the files whose contents may change what a
    page shows, in a fixed order. (``os.walk``: a third of ``Path.rglob``'s time.)"""
    roots = ["templates", "locale"]
    with os.scandir(base_dir) as entries:
        roots += [
            entry.name
            for entry in entries
            if entry.name not in NOT_DRAWING and Path(entry.path, "__init__.py").is_file()
        ]
    found = ["uv.lock"] if (base_dir / "uv.lock").is_file() else []
    for root in roots:
        for directory, subdirectories, files in os.walk(base_dir / root):
            subdirectories[:] = [name for name in subdirectories if name != "__pycache__"]
            relative = os.path.relpath(directory, base_dir)
            found += [
                f"{relative}/{name}" for name in files if root != "locale" or name.endswith(".mo")
            ]
    return sorted(found)


def build_key(base_dir: Path) -> str:
    """A digest of the drawing files' paths and contents."""
    digest = hashlib.sha256()
    for name in drawing_files(base_dir):
        with open(f"{base_dir}/{name}", "rb") as file:  # noqa: PTH123 (a Path a file: +50 % time)
            content = file.read()
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()[:LENGTH]
