"""``{% load textcut %}``: ``{{ agreement.title|truncate_at_word:80 }}``.

Django's ``truncatechars`` cuts inside a word ("…diễn đàn kin…") and ``truncatewords``
counts words, not the room a column has; this filter cuts at the last word boundary
that fits, with an ellipsis (``common.text.truncate_at_word``). Put the full text in a
``title`` attribute next to it when the reader may want it.
"""

from django import template

from common.text import truncate_at_word as _truncate_at_word

register = template.Library()


@register.filter
def truncate_at_word(value: object, limit: int | str) -> str:
    """``value`` as text, cut at a word boundary to at most ``limit`` characters."""
    try:
        length = int(limit)
    except (TypeError, ValueError):
        return str(value) if value is not None else ""
    if value is None:
        return ""
    return _truncate_at_word(str(value), max(length, 1))
