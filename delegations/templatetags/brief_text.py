"""``{% load brief_text %}``: ``{{ brief.purpose|fallback_mark }}`` after a brief's text.

A text of the English brief printed in Vietnamese because no English version is
recorded (``delegations.brief.Localized.fell_back``) is marked as such, so the reader
knows it is not a translation that was forgotten in the layout.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def fallback_mark(value: object) -> SafeString | str:
    """A small "(in Vietnamese)" after a text that fell back to Vietnamese, else nothing."""
    if not getattr(value, "fell_back", False):
        return ""
    return format_html(' <span class="vi-only">({})</span>', _("in Vietnamese only"))
