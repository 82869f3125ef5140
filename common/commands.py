"""Management commands that print the record's own text (titles, names, cell values).

A title typed in the browser or a cell of an imported sheet may hold terminal control
characters (ESC sequences that clear the screen, rewrite the title bar or hide text,
BEL, bidirectional overrides that reorder what is shown). ``PrintableCommand`` writes
every line through ``printable``, which drops them (line ends and tabs stay), before any
colour of Django's own is added, so the operator's terminal shows text, never commands.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any, TextIO

from django.core.management.base import BaseCommand, OutputWrapper

# C0 controls but tab and line feed, DEL, C1 controls; bidirectional embeddings,
# overrides and isolates (U+202A–U+202E, U+2066–U+2069).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    return _UNPRINTABLE.sub("", text)


class PrintableOutputWrapper(OutputWrapper):
    def write(  # type: ignore[override]  # OutputWrapper's own signature (django-stubs ignores it too)
        self,
        msg: str = "",
        style_func: Callable[[str], str] | None = None,
        ending: str | None = None,
    ) -> None:
        super().write(printable(msg), style_func, ending)


class PrintableCommand(BaseCommand):
    """A BaseCommand whose stdout and stderr drop control characters from what is written."""

    def __init__(
        self,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        no_color: bool = False,  # noqa: FBT001, FBT002 (BaseCommand's signature)
        force_color: bool = False,  # noqa: FBT001, FBT002
    ) -> None:
        super().__init__(stdout, stderr, no_color, force_color)
        self.stdout = self._printable(self.stdout, stdout or sys.stdout)
        self.stderr = self._printable(self.stderr, stderr or sys.stderr)

    @staticmethod
    def _printable(wrapper: OutputWrapper, stream: TextIO) -> PrintableOutputWrapper:
        printable_wrapper = PrintableOutputWrapper(stream, ending=wrapper.ending)
        printable_wrapper.style_func = wrapper.style_func  # Django's colours, if any
        return printable_wrapper

    def execute(self, *args: Any, **options: Any) -> str | None:
        # BaseCommand.execute would wrap streams given here (call_command) in plain wrappers.
        for name in ("stdout", "stderr"):
            if options.get(name):
                setattr(self, name, PrintableOutputWrapper(options.pop(name)))
        return super().execute(*args, **options)
