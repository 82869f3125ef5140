"""Content-Security-Policy: the header, and templates that can live under it.

The browser test (tests/browser/test_csp_browser.py) proves pages render with
no violation; these tests keep the policy strict and catch, without a
browser, template code the policy would block.
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import administrator

BASE_DIR = Path(settings.BASE_DIR)
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)

# Every template the project owns (the project folder and each app's folder).
TEMPLATES = sorted(
    path
    for folder in [BASE_DIR / "templates", *BASE_DIR.glob("*/templates")]
    for path in folder.rglob("*.html")
)


def relative(path: Path) -> str:
    return str(path.relative_to(BASE_DIR))


def markup(path: Path) -> str:
    """The template without its comments (which may well talk about <script>)."""
    html = path.read_text()
    html = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", html, flags=re.DOTALL)
    html = re.sub(r"{#.*?#}", "", html, flags=re.DOTALL)
    return re.sub(r"<!--.*?-->", "", html, flags=re.DOTALL)


@pytest.mark.django_db
def test_pages_carry_the_strict_policy(client):
    response = client.get(reverse("login"))
    assert response["Content-Security-Policy"] == POLICY


@pytest.mark.django_db
def test_the_admin_carries_the_strict_policy(client):
    client.force_login(administrator(is_staff=True))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == POLICY


def test_the_policy_allows_no_inline_code_and_no_eval():
    values = {v for directive in settings.SECURE_CSP.values() for v in directive}
    assert not values & {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"}
    assert not settings.SECURE_CSP_REPORT_ONLY


def test_htmx_is_configured_without_eval_or_script_tags_and_for_this_site_only():
    html = (BASE_DIR / "workspace" / "templates" / "base.html").read_text()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert meta, "base.html must configure htmx through <meta name=htmx-config>"
    config = json.loads(meta.group(1))
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["selfRequestsOnly"] is True
    assert config["includeIndicatorStyles"] is False
    # Pages are not kept in localStorage for the back button: nothing of the
    # record stays in the browser after logging out.
    assert config["historyCacheSize"] == 0


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 5


@pytest.mark.parametrize("template", TEMPLATES, ids=relative)
def test_template_has_no_inline_script(template):
    html = markup(template)
    inline = [
        tag
        for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE)
        if "src=" not in tag and 'type="application/json"' not in tag
    ]
    assert not inline, f"{relative(template)}: inline <script> blocked by the CSP: {inline}"


@pytest.mark.parametrize("template", TEMPLATES, ids=relative)
def test_template_has_no_inline_style(template):
    html = markup(template)
    assert not re.search(r"<style\b", html, flags=re.IGNORECASE), relative(template)
    # A template tag's own argument (``{% querystring style="office" %}``) is no HTML attribute.
    outside_tags = re.sub(r"{%.*?%}", "", html, flags=re.DOTALL)
    assert not re.search(r"\sstyle\s*=", outside_tags, flags=re.IGNORECASE), relative(template)


@pytest.mark.parametrize("template", TEMPLATES, ids=relative)
def test_template_has_no_event_handler_attributes_or_javascript_urls(template):
    html = markup(template)
    handlers = re.findall(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", html, flags=re.IGNORECASE)
    assert not handlers, f"{relative(template)}: {handlers}"
    assert "javascript:" not in html.lower(), relative(template)


@pytest.mark.parametrize("template", TEMPLATES, ids=relative)
def test_template_loads_nothing_from_another_site(template):
    html = markup(template)
    remote = r"=[\"'](?:https?:)?//[^\"']+"
    foreign = re.findall(r"\ssrc" + remote, html, flags=re.IGNORECASE)
    foreign += re.findall(r"<link\b[^>]*\shref" + remote, html, flags=re.IGNORECASE)
    assert not foreign, f"{relative(template)}: {foreign}"


def test_the_admin_history_list_is_upstream_minus_its_inline_style():
    # simple_history's template has one style attribute the CSP blocks; the copy
    # under workspace/templates/ drops it. When simple_history changes, re-copy it.
    import simple_history

    upstream = Path(simple_history.__file__).parent / "templates/simple_history"
    original = (upstream / "object_history_list.html").read_text()
    ours = (BASE_DIR / "workspace/templates/simple_history/object_history_list.html").read_text()
    assert ours == original.replace(' style="border-top: 0"', "")
