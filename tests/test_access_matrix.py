"""Who may open what: every URL × every role × GET and POST has an expected answer.

The URL patterns are read from the URL configuration. A pattern missing from
ACCESS fails ``test_every_url_has_a_decided_access_rule`` by name until someone
decides, in this file, who may reach it. The admin, static and media files,
i18n and the login pages have their own tests (test_security_settings,
test_axes, test_csp, test_protect).

Answers: a status code, or LOGIN (a redirect to the login page with ?next=).
Each request runs in a savepoint that is rolled back, so a POST that deletes or
creates does not change what the next request sees.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agreements.models import Agreement, AgreementDocument
from delegations.models import ActionItem, Visit, VisitDocument, VisitParticipant
from demo.loader import load_demo
from jobs.models import Job
from partnerships.models import City, Organisation, Partnership, Person
from sheets.models import ImportLog
from tests.factories import VisitDocumentFactory, administrator, editor, viewer

LOGIN = "login"
# The smallest valid PNG (1×1): a person's photo.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a4ea0000000049454e44ae426082"
)
ROLES = ("anonymous", "viewer", "editor", "administrator")
SKIPPED_PREFIXES = ("admin/", "accounts/", "i18n/", "static/", "^media/", "media/")


def url_patterns(patterns=None, prefix="", namespace=None):
    """(route, name) of every pattern in the URL configuration, recursively."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name


def checked_patterns() -> dict[str, str]:
    return {
        name or route: route
        for route, name in url_patterns()
        if not route.startswith(SKIPPED_PREFIXES)
    }


# The rules, by kind of page: GET and POST answers for anonymous, viewer,
# editor, administrator.
def rule(get: tuple, post: tuple) -> dict[str, dict[str, object]]:
    return {"GET": dict(zip(ROLES, get, strict=True)), "POST": dict(zip(ROLES, post, strict=True))}


NO = (405, 405, 405, 405)  # the method is not allowed, whoever asks
PUBLIC = rule(get=(200, 200, 200, 200), post=NO)
READ = rule(get=(LOGIN, 200, 200, 200), post=NO)
# Forms: an empty POST from an editor is answered with the form's errors (422).
WRITE = rule(get=(LOGIN, 403, 200, 200), post=(LOGIN, 403, 422, 422))
EDITORS_DOWNLOAD = rule(get=(LOGIN, 403, 200, 200), post=NO)
# A form's target: a GET there (a reload after an htmx post) is sent to the record's page.
POST_TARGET = rule(get=(LOGIN, 302, 302, 302), post=(LOGIN, 403, 422, 422))
# Deleting: administrators only. The demo record others depend on is refused
# (409, with the list of dependants); an action item nothing depends on goes (302).
DELETE_REFUSED = rule(get=(LOGIN, 403, 403, 200), post=(LOGIN, 403, 403, 409))
DELETE_DONE = rule(get=(LOGIN, 403, 403, 200), post=(LOGIN, 403, 403, 302))

ACCESS = {
    "healthz": PUBLIC,
    "favicon": PUBLIC,
    "dashboard": READ,
    "search": READ,
    "workspace:dashboard_section": READ,
    "partnerships:partnership_list": READ,
    "partnerships:partnership_create": WRITE,
    "partnerships:partnership_detail": READ,
    "partnerships:partnership_edit": WRITE,
    "partnerships:partnership_delete": DELETE_REFUSED,
    # Following a partnership is personal: any reader may, by POST only.
    "partnerships:partnership_follow": rule(get=NO, post=(LOGIN, 302, 302, 302)),
    # Adding a colleague to the followers or taking one off: editors (an empty POST: 422).
    "partnerships:partnership_followers": rule(get=NO, post=(LOGIN, 403, 422, 422)),
    "partnerships:city_create": WRITE,
    "partnerships:city_suggestions": EDITORS_DOWNLOAD,  # the city form's look-up, editors only
    "partnerships:city_detail": READ,
    # The typed pickers' suggestions (people, organisations, cities): names any reader sees.
    "partnerships:pick": READ,
    "partnerships:city_edit": WRITE,
    "partnerships:city_delete": DELETE_REFUSED,
    "partnerships:person_list": READ,
    "partnerships:person_create": WRITE,
    "partnerships:person_detail": READ,
    "partnerships:person_edit": WRITE,
    "partnerships:person_delete": DELETE_REFUSED,
    "partnerships:organisation_list": READ,
    "partnerships:organisation_create": WRITE,
    "partnerships:organisation_detail": READ,
    "partnerships:organisation_edit": WRITE,
    "partnerships:organisation_delete": DELETE_REFUSED,
    "agreements:agreement_list": READ,
    "agreements:agreement_create": WRITE,
    "agreements:agreement_detail": READ,
    "agreements:agreement_edit": WRITE,
    "agreements:document_download": READ,
    "agreements:agreement_delete": DELETE_REFUSED,
    "agreements:import": WRITE,
    "agreements:import_template": EDITORS_DOWNLOAD,
    "agreements:export": READ,
    "delegations:visit_list": READ,
    "delegations:visit_create": WRITE,
    "delegations:visit_detail": READ,
    "delegations:visit_edit": WRITE,
    "delegations:visit_delete": DELETE_REFUSED,
    # GET: the export form; POST: queues the brief, then its job page (any reader may export).
    "delegations:visit_brief": rule(get=(LOGIN, 200, 200, 200), post=(LOGIN, 302, 302, 302)),
    # A visit's rows, one at a time (delegations/views/visit_parts.py): without htmx the
    # list and a row are the visit page (302 to its section); editors add, change and
    # remove rows (an empty POST is answered with the form's errors).
    "delegations:visit_part_list": rule(get=(LOGIN, 302, 302, 302), post=NO),
    "delegations:visit_part_row": rule(get=(LOGIN, 302, 302, 302), post=NO),
    "delegations:visit_part_new": WRITE,
    "delegations:visit_part_edit": WRITE,
    "delegations:visit_part_delete": rule(get=(LOGIN, 403, 200, 200), post=(LOGIN, 403, 302, 302)),
    "delegations:visit_document": READ,
    "partnerships:person_photo": READ,
    "delegations:visit_import": WRITE,
    "delegations:visit_import_template": EDITORS_DOWNLOAD,
    "delegations:visit_export": READ,
    "delegations:actionitem_list": READ,
    "delegations:actionitem_import": WRITE,
    "delegations:actionitem_import_template": EDITORS_DOWNLOAD,
    "delegations:actionitem_export": READ,
    "delegations:actionitem_create": WRITE,
    "delegations:actionitem_detail": READ,
    "delegations:actionitem_edit": WRITE,
    "delegations:actionitem_delete": DELETE_DONE,
    "delegations:actionitem_status": POST_TARGET,
    # Many items' status at once from the list: POST only (editors; an empty selection is
    # told so on the list it came from, 302).
    "delegations:actionitem_bulk_status": rule(get=NO, post=(LOGIN, 403, 302, 302)),
    # The import log: any reader sees an entry; reverting is for administrators (GET: what a
    # revert would do; the matrix's entry wrote nothing, so the revert is refused, 409).
    "sheets:import_log": READ,
    "sheets:import_revert": DELETE_REFUSED,
    # every sheet's pages by its kind (the same views as agreements:import…)
    "sheets:import": WRITE,
    "sheets:import_template": EDITORS_DOWNLOAD,
    "sheets:export": READ,
    # The job is the viewer's brief: briefs are shared with every reader. Only its owner
    # may cancel it (it has ended: told so, 302); to others it does not exist.
    # Issue 15: my work, the calendar, one's own settings (the invalid empty form: 422),
    # the feed's on/off switch (an empty POST turns it on), and the feed itself, which
    # has no session: an unknown secret is not found, whoever asks.
    "workspace:my_work": READ,
    "workspace:calendar": READ,
    "workspace:partner_map": READ,
    "workspace:statistics": READ,
    "workspace:annual_report": READ,
    "workspace:personal_settings": rule(get=(LOGIN, 200, 200, 200), post=(LOGIN, 422, 422, 422)),
    "workspace:calendar_feed_action": rule(get=NO, post=(LOGIN, 302, 302, 302)),
    "workspace:followed_partnerships": rule(get=NO, post=(LOGIN, 302, 302, 302)),
    "calendar_feed": rule(get=(404, 404, 404, 404), post=NO),
    # Restoring a child row removed while editing (the history's button): editors, POST only;
    # the matrix's row was never recorded, so there is nothing to go back to (404).
    "workspace:restore_removed": rule(get=NO, post=(LOGIN, 403, 404, 404)),
    "jobs:job_list": READ,
    "jobs:job_detail": READ,
    "jobs:job_result": READ,
    "jobs:job_cancel": rule(get=(LOGIN, 302, 302, 302), post=(LOGIN, 302, 404, 404)),
}


# --- running the matrix ------------------------------------------------------

# Which record fills a URL's <pk>, by the URL name's prefix.
RECORD_FOR = {
    "partnerships:partnership_": lambda: Partnership.objects.order_by("pk").first(),
    "partnerships:city_": lambda: City.objects.partners().order_by("pk").first(),
    "partnerships:person_": lambda: Person.objects.order_by("pk").first(),
    "partnerships:organisation_": lambda: Organisation.objects.order_by("pk").first(),
    "agreements:agreement_": lambda: Agreement.objects.order_by("pk").first(),
    "agreements:document_": lambda: with_document_file(AgreementDocument.objects.get()),
    "delegations:visit_": lambda: Visit.objects.order_by("pk").first(),
    "delegations:actionitem_": lambda: ActionItem.objects.order_by("pk").first(),
    "jobs:job_": lambda: with_result_file(Job.objects.get()),
    "sheets:import_": lambda: ImportLog.objects.order_by("pk").first(),
}
KWARGS_FOR = {
    "workspace:dashboard_section": {"section": "expiring"},
    "calendar_feed": {"token": "not-a-token"},
    "workspace:restore_removed": {"label": "agreements.signatory", "pk": "987654"},
    "partnerships:pick": {"kind": "people"},
    "sheets:import": {"sheet": "visits"},
    "sheets:import_template": {"sheet": "action_items"},
    "sheets:export": {"sheet": "agreements"},
}


def visit_row_kwargs(name: str) -> dict[str, object] | None:
    """The first visit's first participant (or speech), for the URLs of a visit's rows."""
    if not name.startswith(("delegations:visit_part_", "delegations:visit_document")):
        return None
    participant = VisitParticipant.objects.order_by("visit", "pk").first()
    assert participant is not None
    if name == "delegations:visit_document":
        document = VisitDocument.objects.order_by("pk").first()
        assert document is not None
        stored_under_this_tests_media(document.file, b"%PDF-1.4 speech")
        return {"pk": document.visit_id, "row": document.pk}
    kwargs: dict[str, object] = {"pk": participant.visit_id, "kind": "people"}
    if "<int:row>" in checked_patterns()[name]:
        kwargs["row"] = participant.pk
    return kwargs


def stored_under_this_tests_media(file: FieldFile, content: bytes) -> None:
    """Each test has its own MEDIA_ROOT: put the record's file there again."""
    if not file.storage.exists(file.name or ""):
        file.storage.save(file.name or "", ContentFile(content))


def url_for(name: str, route: str) -> str:
    if name == "partnerships:person_photo":
        person = Person.objects.exclude(photo="").order_by("pk").first()
        assert person is not None
        stored_under_this_tests_media(person.photo, PNG)
        return reverse(name, kwargs={"pk": person.pk})
    if name in KWARGS_FOR:
        return reverse(name, kwargs=KWARGS_FOR[name])
    if (row_kwargs := visit_row_kwargs(name)) is not None:
        return reverse(name, kwargs=row_kwargs)
    if "<int:pk>" in route or "<uuid:pk>" in route:
        record = next(get() for prefix, get in RECORD_FOR.items() if name.startswith(prefix))
        assert record is not None
        return reverse(name, kwargs={"pk": record.pk})
    return reverse(name)


def with_document_file(document: AgreementDocument) -> AgreementDocument:
    """The document's file, under this test's MEDIA_ROOT."""
    path = Path(document.file.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 signed")
    return document


def with_result_file(job: Job) -> Job:
    """The job's PDF, under this test's MEDIA_ROOT."""
    job.result_path = job._store(b"%PDF-1.7 brief", "brief.pdf")
    return job


@pytest.fixture(scope="module")
def record(django_db_setup, django_db_blocker):
    """The demo data and one account per role, loaded once for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(password="demo-pass-2025")
        users = {
            "anonymous": None,
            "viewer": viewer(username="matrix-viewer"),
            "editor": editor(username="matrix-editor"),
            "administrator": administrator(username="matrix-administrator"),
        }
        AgreementDocument.objects.create(
            agreement=Agreement.objects.order_by("pk")[0],
            title="Bản ký",
            file="agreements/matrix/signed.pdf",
        )
        visit = Visit.objects.order_by("pk").first()
        assert visit is not None
        VisitDocumentFactory(visit=visit)
        person = Person.objects.order_by("pk").first()
        assert person is not None
        person.photo.save("photo.png", ContentFile(PNG), save=True)
        ImportLog.objects.create(
            sheet=ImportLog.Sheet.AGREEMENTS,
            user=users["editor"],
            file_name="matrix.xlsx",
            outcome=ImportLog.Outcome.IMPORTED,
        )
        job = Job.objects.create(
            kind="visit_brief",
            owner=users["viewer"],
            subject=visit.title,
            params={"visit": visit.pk},
        )
        job.start()
        job.finish(content=b"%PDF-1.7 brief", file_name="brief.pdf", content_type="application/pdf")
        yield users
        transaction.set_rollback(True)


def answer(client: Client, method: str, url: str) -> object:
    with transaction.atomic():
        response = getattr(client, method.lower())(url)
        transaction.set_rollback(True)
    if response.status_code == 302 and response["Location"].startswith(reverse("login") + "?"):
        return LOGIN
    return response.status_code


@pytest.fixture(scope="module")
def clients(record):
    """One client per role, logged in once (sessions live in the module's transaction)."""
    made = {}
    for role, user in record.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        made[role] = client
    return made


def test_every_url_has_a_decided_access_rule():
    patterns = checked_patterns()
    undecided = sorted(set(patterns) - set(ACCESS))
    assert not undecided, (
        "These URLs have no access rule yet; decide who may GET and POST them and add "
        f"them to ACCESS in tests/test_access_matrix.py: {undecided}"
    )


def test_the_table_lists_no_url_that_is_gone():
    gone = sorted(set(ACCESS) - set(checked_patterns()))
    assert not gone, f"Remove these from ACCESS: {gone}"


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_url_answers_each_role_as_decided(name, record, clients, db):
    route = checked_patterns().get(name)
    if route is None:
        pytest.skip(f"{name} is no longer in the URL configuration")
    url = url_for(name, route)
    expected = ACCESS[name]
    actual = {
        method: {role: answer(clients[role], method, url) for role in ROLES}
        for method in ("GET", "POST")
    }
    assert actual == expected, f"{name} ({url})"


CSRF_TOKENS = re.compile(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+')
TARGETS = re.compile(r'hx-target="#([\w-]+)"')
READABLE = sorted(name for name, rule_ in ACCESS.items() if rule_["GET"]["viewer"] == 200)


def without_tokens(response) -> str:
    return CSRF_TOKENS.sub(r"\1", response.content.decode(errors="replace"))


@pytest.mark.parametrize("name", READABLE)
def test_a_page_that_answers_htmx_differently_says_so_in_vary(name, record, clients, db):
    url = url_for(name, checked_patterns()[name])
    client = clients["viewer"]
    with transaction.atomic():
        page = client.get(url)
        text = "" if page.streaming else page.content.decode(errors="replace")  # a file served
        targets = [None, *sorted(set(TARGETS.findall(text)))]
        answers = {
            target: client.get(
                url, headers={"HX-Request": "true", **({"HX-Target": target} if target else {})}
            )
            for target in targets
        }
        transaction.set_rollback(True)
    if not page.get("Content-Type", "").startswith("text/html"):
        return  # a download (spreadsheet, PDF) is the same file whoever asks; its bytes carry a timestamp
    for target, partial in answers.items():
        if without_tokens(partial) != without_tokens(page):
            assert "HX-Request" in page.get("Vary", ""), f"{url}: the page's Vary lacks HX-Request"
            assert "HX-Request" in partial.get("Vary", ""), (
                f"{url} #{target}: Vary lacks HX-Request"
            )
