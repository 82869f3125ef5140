"""``{% load fragments %}``: a template fragment cached under a key the view computes.

``{% cached_fragment key %}…{% endcached_fragment %}`` renders its content once per
``key`` and serves it from the cache afterwards; with a false key (the view found the
fragment not cacheable, e.g. inside a transaction) it renders it every time, with no
cache access at all. Unlike Django's ``{% cache %}`` the key says everything the
fragment depends on (the record's data version, the day, the language, the request's
query...): the view builds it (``common.listing.results_cache_key``), so a template
cannot forget a part of it. Never put per-user or per-request secrets (a CSRF token, a
form of the user's) inside a cached fragment.
"""

from __future__ import annotations

import functools
import hashlib
import hmac

from django import template
from django.conf import settings
from django.core.cache import cache
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

CACHE_SECONDS = 3600  # a safety net: a new data version makes the old keys unreachable


@functools.cache
def csrf_placeholder() -> str:
    """What stands for the CSRF token in a cached fragment: as long as a token, letters and
    digits only (escaping leaves it as it is), and unguessable without ``SECRET_KEY``."""
    digest = hmac.new(settings.SECRET_KEY.encode(), b"fragment-csrf-placeholder", "sha256")
    return digest.hexdigest()


class CachedFragmentNode(template.Node):
    def __init__(self, nodelist: NodeList, key: FilterExpression) -> None:
        self.nodelist, self.key = nodelist, key

    def render(self, context: template.Context) -> SafeString:
        key = self.key.resolve(context)
        if not key:
            return self.nodelist.render(context)
        # The placeholder is part of the key: after a change of SECRET_KEY (the cache
        # outlives the process) no fragment holding the old one is served.
        digest = hashlib.sha256(f"{key}\n{csrf_placeholder()}".encode()).hexdigest()
        full_key = "fragment:" + digest[:32]
        html = cache.get(full_key)
        if html is None:
            with context.push(csrf_token=csrf_placeholder()):
                html = str(self.nodelist.render(context))
            cache.set(full_key, html, CACHE_SECONDS)
        return mark_safe(with_token(html, context))  # noqa: S308 -- the fragment's own rendered (escaped) output


def with_token(html: str, context: template.Context) -> str:
    """The fragment with the request's CSRF token where the placeholder stands."""
    placeholder = csrf_placeholder()
    if placeholder not in html:
        return html
    token = str(context.get("csrf_token", ""))
    if token in ("", "NOTPROVIDED"):  # no request (a test's bare render): no token, as Django
        return html.replace(placeholder, "")
    return html.replace(placeholder, token)


@register.tag
def cached_fragment(parser: Parser, token: Token) -> CachedFragmentNode:
    tag_name, *args = token.split_contents()
    if len(args) != 1:
        raise template.TemplateSyntaxError(f"{{% {tag_name} key %}} takes one argument.")
    nodelist = parser.parse(("endcached_fragment",))
    parser.delete_first_token()
    return CachedFragmentNode(nodelist, parser.compile_filter(args[0]))
