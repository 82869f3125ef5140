"""E-mail reminders end to end: ``manage.py send_reminders`` delivers to a real SMTP
server on loopback (aiosmtpd), once a day, in the user's language, only when there is
something to say, daily, weekly or never as each user chose."""

import datetime as dt
import email
import email.policy
import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone

from agreements.models import Agreement
from delegations.models import Visit
from tests.factories import ActionItemFactory, AgreementFactory, VisitFactory, editor
from workspace.models import PersonalSettings, ReminderSent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
MONDAY = TODAY - dt.timedelta(days=TODAY.weekday())


def days(n: int, on: dt.date = TODAY) -> dt.date:
    return on + dt.timedelta(days=n)


class Inbox:
    """An aiosmtpd handler that keeps what it is sent."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)
        return "250 OK"


@pytest.fixture
def inbox(settings):
    handler = Inbox()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    settings.SITE_URL = "https://intranet.example"
    yield handler
    controller.stop()


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return body.get_content()


def someone_with_work(language: str = "en", frequency: str = "daily", **kwargs):
    user = editor(email="lan@example.org", **kwargs)
    PersonalSettings.objects.create(user=user, language=language, reminder_frequency=frequency)
    late = ActionItemFactory(description="LATE-ITEM", due_on=days(-3))
    late.assignees.add(user)
    return user, late


def test_a_digest_is_delivered_once_a_day(inbox):
    user, late = someone_with_work()
    soon = ActionItemFactory(description="SOON-ITEM", due_on=days(5), partnership=late.partnership)
    soon.assignees.add(user)
    AgreementFactory(
        partnership=late.partnership,
        reference="EXPIRING-AGR",
        status=Agreement.Status.IN_FORCE,
        valid_from=days(-400),
        valid_until=days(100),
    )
    VisitFactory(
        partnership=late.partnership,
        title="VISIT-NEXT-WEEK",
        start_date=days(7),
        end_date=None,
        status=Visit.Status.CONFIRMED,
    )
    call_command("send_reminders")
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "lan@example.org"
    text = text_of(message)
    for expected in ("LATE-ITEM", "SOON-ITEM", "EXPIRING-AGR", "VISIT-NEXT-WEEK"):
        assert expected in text
    assert f"https://intranet.example{late.get_absolute_url()}" in text
    call_command("send_reminders")
    assert len(inbox.messages) == 1  # the second run the same day sends nothing
    assert ReminderSent.objects.filter(user=user, sent_on=TODAY).count() == 1


def test_the_digest_is_in_the_users_language(inbox, settings):
    from django.utils import translation

    someone_with_work(language="vi")
    with translation.override("en"):  # whatever the language of the process
        call_command("send_reminders")
    subject = inbox.messages[0]["Subject"]
    with translation.override("vi"):
        expected = translation.gettext("Sister cities: your reminders for %(day)s")
    assert subject == expected % {"day": TODAY.strftime("%d/%m/%Y")}


def test_nothing_is_sent_when_there_is_nothing_to_say(inbox):
    user = editor(email="idle@example.org")
    ActionItemFactory(description="SOMEONE-ELSES", due_on=days(-3))
    ActionItemFactory(due_on=days(60)).assignees.add(user)  # not due soon
    call_command("send_reminders")
    assert inbox.messages == []


def test_a_user_who_turned_reminders_off_gets_none(inbox):
    someone_with_work(frequency="off")
    call_command("send_reminders")
    assert inbox.messages == []


def test_weekly_reminders_go_out_on_mondays_only(inbox):
    someone_with_work(frequency="weekly")
    call_command("send_reminders", "--date", days(1, MONDAY).isoformat())
    assert inbox.messages == []
    call_command("send_reminders", "--date", MONDAY.isoformat())
    assert len(inbox.messages) == 1


def test_the_demo_editor_gets_one_digest_and_none_on_a_second_run(inbox, demo):
    from django.contrib.auth.models import User

    account = User.objects.get(username="demo-editor")
    account.email = "demo-editor@example.org"
    account.save()
    call_command("send_reminders", "--date", "2025-10-01")  # the forum of 09/2025 is overdue
    call_command("send_reminders", "--date", "2025-10-01")
    assert len(inbox.messages) == 1
    assert "Diễn đàn kinh tế tại Minsk" in text_of(inbox.messages[0])


def test_docker_compose_runs_the_reminders_on_a_schedule():
    from pathlib import Path

    compose = (Path(__file__).parent.parent / "docker-compose.yml").read_text()
    service = compose[compose.index("\n  reminders:") :]
    assert "manage.py send_reminders" in service
    assert "sleep 3600" in service
    assert "EMAIL_HOST: ${EMAIL_HOST:-}" in compose


def test_a_followed_partnership_without_assigned_items_is_in_the_digest(inbox):
    """Issue 15: staff look after partnerships where nothing is assigned to them."""
    from tests.factories import PartnershipFactory

    user = editor(email="lan@example.org")
    PersonalSettings.objects.create(user=user, language="en")
    followed, other = PartnershipFactory(), PartnershipFactory()
    followed.set_followed(user, follow=True)
    for partnership, suffix in ((followed, "MINE"), (other, "OTHER")):
        AgreementFactory(
            partnership=partnership,
            reference=f"EXPIRING-{suffix}",
            status=Agreement.Status.IN_FORCE,
            valid_from=days(-400),
            valid_until=days(100),
        )
        VisitFactory(
            partnership=partnership,
            title=f"VISIT-{suffix}",
            start_date=days(3),
            end_date=None,
            status=Visit.Status.PLANNED,
        )
    call_command("send_reminders")
    assert len(inbox.messages) == 1
    text = text_of(inbox.messages[0])
    assert "EXPIRING-MINE" in text
    assert "VISIT-MINE" in text
    assert "OTHER" not in text
    followed.set_followed(user, follow=False)
    call_command("send_reminders", "--date", days(1).isoformat())
    assert len(inbox.messages) == 1  # unfollowed: nothing left to say the next day


def test_a_partnership_an_editor_made_me_follow_is_in_my_digest(inbox, client):
    """Issue 15's gap: followed because an editor added me from the partnership's page."""
    from django.urls import reverse

    from tests.factories import PartnershipFactory

    desk_officer = editor(email="desk@example.org")
    PersonalSettings.objects.create(user=desk_officer, language="en")
    minsk = PartnershipFactory()
    VisitFactory(
        partnership=minsk,
        title="VISIT-MINSK",
        start_date=days(3),
        end_date=None,
        status=Visit.Status.PLANNED,
    )
    client.force_login(editor(email=""))  # the colleague who adds (no e-mail: no digest)
    url = reverse("partnerships:partnership_followers", args=[minsk.pk])
    assert client.post(url, {"add": desk_officer.pk}).status_code == 302
    call_command("send_reminders")
    assert [m["To"] for m in inbox.messages] == ["desk@example.org"]
    assert "VISIT-MINSK" in text_of(inbox.messages[0])
    client.post(url, {"remove": desk_officer.pk})
    call_command("send_reminders", "--date", days(1).isoformat())
    assert len(inbox.messages) == 1  # taken off: nothing left to say the next day
