"""The e-mail reminders: once a day (or each Monday), a digest per staff member, in their
language, of their overdue and due-soon action items, the agreements of their
partnerships expiring within 180 days and their partnerships' visits in the next 14 days.

"Their" items are the open action items whose assignees include them; "their"
partnerships are those they follow (``Partnership.followers``: set on the partnership's
page or in their settings) and those of their items (workspace/my_work.py). Nothing is sent when there is nothing to say.
``send_reminders`` records each digest sent (``ReminderSent``, one a user and day, a
database constraint), so running it twice on a day sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements.models import Agreement
from common.roles import staff_accounts
from delegations.models import ActionItem, Visit
from workspace.models import PersonalSettings, ReminderSent
from workspace.my_work import coming_visits, expiring_agreements

logger = logging.getLogger(__name__)

MAILER = "default"  # settings.MAILERS
DUE_SOON_DAYS = 14
EXPIRING_DAYS = 180
VISIT_DAYS = 14
CITIES = ("partnership__home_city", "partnership__partner_city")


@dataclass
class Digest:
    user: User
    overdue: list[ActionItem] = field(default_factory=list)
    due_soon: list[ActionItem] = field(default_factory=list)
    expiring: list[Agreement] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.overdue or self.due_soon or self.expiring or self.visits)


def digest_for(user: User, on: dt.date) -> Digest:
    mine = ActionItem.objects.assigned_to(user)
    return Digest(
        user=user,
        overdue=list(mine.overdue(on=on).select_related(*CITIES).order_by("due_on", "pk")),
        due_soon=list(
            mine.due_within(days=DUE_SOON_DAYS, on=on)
            .exclude(pk__in=mine.overdue(on=on).values("pk"))
            .select_related(*CITIES)
            .order_by("due_on", "pk")
        ),
        expiring=list(expiring_agreements(user, on, EXPIRING_DAYS)),
        visits=list(coming_visits(user, on, VISIT_DAYS)),
    )


def is_due(frequency: str, on: dt.date) -> bool:
    if frequency == PersonalSettings.Frequency.OFF:
        return False
    return frequency == PersonalSettings.Frequency.DAILY or on.weekday() == 0


def recipients(on: dt.date) -> list[tuple[User, str]]:
    """(user, language) of every staff account with an address whose digest falls on
    ``on`` and has not been sent that day."""
    chosen = {s.user_id: s for s in PersonalSettings.objects.all()}
    sent = set(ReminderSent.objects.filter(sent_on=on).values_list("user_id", flat=True))
    result = []
    for user in staff_accounts().exclude(email=""):
        mine = chosen.get(user.pk)
        frequency = mine.reminder_frequency if mine else PersonalSettings.Frequency.DAILY
        if user.pk in sent or not is_due(frequency, on):
            continue
        result.append((user, mine.language if mine else settings.LANGUAGE_CODE))
    return result


def message_for(digest: Digest, language: str, on: dt.date) -> EmailMultiAlternatives:
    with translation.override(language):
        context = {"digest": digest, "on": on, "site_url": settings.SITE_URL}
        subject = _("Sister cities: your reminders for %(day)s") % {"day": on.strftime("%d/%m/%Y")}
        text = render_to_string("workspace/email/reminders.txt", context)
        html = render_to_string("workspace/email/reminders.html", context)
    message = EmailMultiAlternatives(subject, text, to=[digest.user.email])
    message.attach_alternative(html, "text/html")
    return message


def send_reminders(*, on: dt.date | None = None) -> int:
    """Send the day's digests; returns how many were sent."""
    on = on or timezone.localdate()
    sent = 0
    for user, language in recipients(on):
        digest = digest_for(user, on)
        if not digest:
            continue
        try:
            with transaction.atomic():
                # Claimed first: a second run at the same time finds it taken.
                ReminderSent.objects.create(user=user, sent_on=on)
                # An error rolls the claim back: the digest is tried again next run.
                message_for(digest, language, on).send(using=MAILER)
        except IntegrityError:
            continue
        sent += 1
        logger.info("reminders: digest sent to user %s", user.pk)
    return sent
