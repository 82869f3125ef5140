"""``escape`` for HTML written in Python, many times a page (the lists' rows).

``django.utils.html.escape`` is ``html.escape`` of the text, behind a wrapper that checks
every argument for a lazy translation; ``conditional_escape`` adds a look for ``__html__``.
A list's rows escape a dozen plain texts each (a description, names, a URL): for those the
wrapper cost more than the escaping (issue 16). Not for text already marked safe, which
this escapes again.
"""

from html import escape as _stdlib_escape


def escape(value: object) -> str:
    """``django.utils.html.escape(value)``: the same text, without its lazy wrapper."""
    return _stdlib_escape(str(value))
