"""No merge-conflict marker is left in a template or a source file (it would show on the page)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^(<{7}|={7}|>{7})( |$)", re.MULTILINE)
SKIP = {".venv", "node_modules", "var", ".git", "static"}


def source_files() -> list[Path]:
    return [
        path
        for pattern in ("*.html", "*.py", "*.po", "*.toml")
        for path in ROOT.rglob(pattern)
        if not SKIP.intersection(path.relative_to(ROOT).parts)
    ]


def test_no_file_holds_a_merge_conflict_marker() -> None:
    marked = [str(p.relative_to(ROOT)) for p in source_files() if MARKER.search(p.read_text())]
    assert marked == []
