"""factory_boy factories for every model of the record."""

import datetime as dt
from typing import TYPE_CHECKING, Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import models
from factory.django import DjangoModelFactory

from agreements.models import Agreement, AgreementDocument, Signatory
from common.roles import ADMINISTRATOR, EDITOR, VIEWER, ensure_roles
from delegations.models import (
    Accommodation,
    ActionItem,
    BriefPoint,
    Engagement,
    Gift,
    LocalContact,
    ProgressUpdate,
    TravelSegment,
    Visit,
    VisitDocument,
    VisitParticipant,
    VisitSource,
)
from partnerships.models import (
    City,
    CityName,
    FieldOfCooperation,
    Organisation,
    Partnership,
    Person,
    Position,
)


class ModelFactory[M: models.Model](DjangoModelFactory[M]):
    """A factory of ``M``: calling it makes (and saves) an ``M``.

    factory_boy types ``create()`` and ``build()`` but not the call, which the type
    checker would take for the factory itself; this says what the call returns.
    """

    class Meta:
        abstract = True

    if TYPE_CHECKING:

        def __new__(cls, *args: Any, **kwargs: Any) -> M: ...  # type: ignore[misc]  # the call returns the model, not the factory


def _give_role(user: User, create: bool, extracted: str | None, **_kwargs: Any) -> None:
    """``UserFactory(role=EDITOR)``: the user joins that role's group (saved users only)."""
    if create and extracted:
        user.groups.add(ensure_roles()[extracted])
    if create:
        user.save()


class UserFactory(ModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    role = factory.PostGeneration(_give_role)


def viewer(**kwargs):
    return UserFactory(role=VIEWER, **kwargs)


def editor(**kwargs):
    return UserFactory(role=EDITOR, **kwargs)


def administrator(**kwargs):
    return UserFactory(role=ADMINISTRATOR, **kwargs)


class FieldOfCooperationFactory(ModelFactory[FieldOfCooperation]):
    class Meta:
        model = FieldOfCooperation
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"field-{n}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")
    name_en = factory.Sequence(lambda n: f"Field {n}")


class CityFactory(ModelFactory[City]):
    class Meta:
        model = City

    name = factory.Sequence(lambda n: f"Thành phố {n}")
    name_en = factory.Sequence(lambda n: f"City {n}")
    country = "BY"
    is_home = False


class HomeCityFactory(CityFactory):
    name = factory.Sequence(lambda n: f"Hà Nội {n}")
    country = "VN"
    is_home = True


class CityNameFactory(ModelFactory[CityName]):
    class Meta:
        model = CityName

    city = factory.SubFactory(CityFactory)
    name = factory.Sequence(lambda n: f"Tên khác {n}")


class OrganisationFactory(ModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Cơ quan {n}")
    country = "VN"
    kind = Organisation.Kind.DEPARTMENT


class PersonFactory(ModelFactory[Person]):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    country = "VN"


class PositionFactory(ModelFactory[Position]):
    class Meta:
        model = Position

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    title = "Giám đốc"


class PartnershipFactory(ModelFactory[Partnership]):
    class Meta:
        model = Partnership

    home_city = factory.SubFactory(HomeCityFactory)
    partner_city = factory.SubFactory(CityFactory)
    kind = Partnership.Kind.FRIENDSHIP
    status = Partnership.Status.ACTIVE


class AgreementFactory(ModelFactory[Agreement]):
    class Meta:
        model = Agreement

    partnership = factory.SubFactory(PartnershipFactory)
    reference = factory.Sequence(lambda n: f"REF-{n:05d}")
    kind = Agreement.Kind.MOU
    title = factory.Sequence(lambda n: f"Biên bản ghi nhớ số {n}")
    status = Agreement.Status.IN_FORCE
    signed_on = dt.date(2023, 12, 7)
    valid_from = dt.date(2024, 1, 1)
    valid_until = dt.date(2026, 12, 31)


class SignatoryFactory(ModelFactory[Signatory]):
    class Meta:
        model = Signatory

    agreement = factory.SubFactory(AgreementFactory)
    person = factory.SubFactory(PersonFactory)
    position_title = "Chủ tịch"


class AgreementDocumentFactory(ModelFactory[AgreementDocument]):
    class Meta:
        model = AgreementDocument

    agreement = factory.SubFactory(AgreementFactory)
    title = "Bản ký"
    file = factory.django.FileField(filename="signed.pdf", data=b"%PDF-1.4\n%%EOF\n")


class VisitFactory(ModelFactory[Visit]):
    class Meta:
        model = Visit

    partnership = factory.SubFactory(PartnershipFactory)
    direction = Visit.Direction.OUTGOING
    title = factory.Sequence(lambda n: f"Đoàn công tác số {n}")
    start_date = dt.date(2025, 5, 11)
    # Three days, whatever the start (a visit lasts at most a year).
    end_date = factory.LazyAttribute(
        lambda visit: visit.start_date and visit.start_date + dt.timedelta(days=2)
    )
    status = Visit.Status.COMPLETED


class VisitParticipantFactory(ModelFactory[VisitParticipant]):
    class Meta:
        model = VisitParticipant

    visit = factory.SubFactory(VisitFactory)
    person = factory.SubFactory(PersonFactory)
    side = VisitParticipant.Side.DELEGATION
    role = VisitParticipant.Role.MEMBER


class EngagementFactory(ModelFactory[Engagement]):
    class Meta:
        model = Engagement

    visit = factory.SubFactory(VisitFactory)
    title = factory.Sequence(lambda n: f"Hội đàm {n}")
    kind = Engagement.Kind.TALKS
    date = dt.date(2025, 5, 12)


class ActionItemFactory(ModelFactory[ActionItem]):
    class Meta:
        model = ActionItem

    visit = factory.SubFactory(VisitFactory)
    partnership = factory.SelfAttribute("visit.partnership")
    description = factory.Sequence(lambda n: f"Việc cần làm số {n}")
    status = ActionItem.Status.AGREED


class ProgressUpdateFactory(ModelFactory[ProgressUpdate]):
    class Meta:
        model = ProgressUpdate

    action_item = factory.SubFactory(ActionItemFactory)
    note = "Đang triển khai"


class TravelSegmentFactory(ModelFactory[TravelSegment]):
    class Meta:
        model = TravelSegment

    visit = factory.SubFactory(VisitFactory)
    carrier = "Vietnam Airlines"
    number = factory.Sequence(lambda n: f"VN {100 + n}")
    from_place = "Hà Nội"
    to_place = "Minsk"
    departure_date = dt.date(2025, 5, 10)


class AccommodationFactory(ModelFactory[Accommodation]):
    class Meta:
        model = Accommodation

    visit = factory.SubFactory(VisitFactory)
    name = factory.Sequence(lambda n: f"Khách sạn {n}")


class LocalContactFactory(ModelFactory[LocalContact]):
    class Meta:
        model = LocalContact

    visit = factory.SubFactory(VisitFactory)
    kind = LocalContact.Kind.EMBASSY
    name = factory.Sequence(lambda n: f"Liên lạc {n}")
    phone = "+375 17 000 00 00"


class GiftFactory(ModelFactory[Gift]):
    class Meta:
        model = Gift

    visit = factory.SubFactory(VisitFactory)
    description = factory.Sequence(lambda n: f"Tranh sơn mài {n}")
    person = factory.SubFactory(PersonFactory)


class BriefPointFactory(ModelFactory[BriefPoint]):
    class Meta:
        model = BriefPoint

    visit = factory.SubFactory(VisitFactory)
    kind = BriefPoint.Kind.OBJECTIVE
    text = factory.Sequence(lambda n: f"Mục tiêu {n}")


class VisitDocumentFactory(ModelFactory[VisitDocument]):
    class Meta:
        model = VisitDocument

    visit = factory.SubFactory(VisitFactory)
    title = "Bài phát biểu"
    file = factory.django.FileField(filename="speech.pdf", data=b"%PDF-1.4\n%%EOF\n")


class VisitSourceFactory(ModelFactory[VisitSource]):
    class Meta:
        model = VisitSource

    visit = factory.SubFactory(VisitFactory)
    title = factory.Sequence(lambda n: f"Bài báo {n}")
    url = factory.Sequence(lambda n: f"https://example.org/bai-{n}")


def assign_on_the_form(client: Any, item: ActionItem, assignees: list[User]) -> None:
    """Post the item's edit form as it stands, with ``assignees`` chosen in that order."""
    from django.urls import reverse

    item.refresh_from_db()
    data = {
        "description": item.description,
        "partnership": item.partnership_id,
        "visit": item.visit_id,
        "assignees": [account.pk for account in assignees],
        "due_on": "",
        "status": item.status,
        "priority": item.priority,
        "version": item.version,
    }
    response = client.post(reverse("delegations:actionitem_edit", args=[item.pk]), data)
    assert response.status_code == 302, response.text
