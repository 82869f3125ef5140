"""Nothing lost: a record others depend on cannot be deleted by accident.

The database refuses (on_delete=PROTECT) whatever the caller: the ORM, the
admin, a script. What the workspace shows when it refuses is tested with its
pages; here the rule itself, and that the admin's own actions leave history.
"""

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from agreements.models import Agreement
from delegations.models import ActionItem, Visit
from partnerships.models import City, Organisation, Person
from tests import factories as f
from tests.factories import administrator

pytestmark = pytest.mark.django_db


def assert_protected(record, dependant):
    model = type(record)
    with pytest.raises(ProtectedError) as refused:
        record.delete()
    assert dependant in refused.value.protected_objects
    assert model.objects.filter(pk=record.pk).exists()


def test_a_city_with_a_partnership_cannot_be_deleted():
    partnership = f.PartnershipFactory()
    assert_protected(partnership.partner_city, partnership)


def test_our_own_city_with_a_partnership_cannot_be_deleted():
    partnership = f.PartnershipFactory()
    assert_protected(partnership.home_city, partnership)


def test_a_city_with_an_organisation_cannot_be_deleted():
    city = f.CityFactory()
    organisation = f.OrganisationFactory(city=city)
    assert_protected(city, organisation)


def test_a_partnership_with_an_agreement_cannot_be_deleted():
    agreement = f.AgreementFactory()
    assert_protected(agreement.partnership, agreement)


def test_a_partnership_with_a_visit_cannot_be_deleted():
    visit = f.VisitFactory()
    assert_protected(visit.partnership, visit)


def test_a_partnership_with_an_action_item_cannot_be_deleted():
    item = f.ActionItemFactory()
    assert_protected(item.partnership, item)


def test_an_agreement_with_a_follow_up_agreement_cannot_be_deleted():
    parent = f.AgreementFactory()
    child = f.AgreementFactory(
        partnership=parent.partnership,
        parent=parent,
        parent_relation=Agreement.Relation.choices[0][0],
    )
    assert_protected(parent, child)


def test_an_agreement_with_an_action_item_cannot_be_deleted():
    agreement = f.AgreementFactory()
    item = f.ActionItemFactory(visit=None, agreement=agreement, partnership=agreement.partnership)
    assert_protected(agreement, item)


def test_a_visit_with_an_action_item_cannot_be_deleted():
    item = f.ActionItemFactory()
    assert_protected(item.visit, item)


def test_a_person_who_signed_an_agreement_cannot_be_deleted():
    signatory = f.SignatoryFactory()
    assert_protected(signatory.person, signatory)


def test_a_person_who_took_part_in_a_visit_cannot_be_deleted():
    participant = f.VisitParticipantFactory()
    assert_protected(participant.person, participant)


def test_a_person_who_owns_an_action_item_cannot_be_deleted():
    person = f.PersonFactory()
    item = f.ActionItemFactory(owner_person=person)
    assert_protected(person, item)


def test_an_organisation_with_a_position_cannot_be_deleted():
    position = f.PositionFactory()
    assert_protected(position.organisation, position)


def test_an_organisation_that_owns_an_action_item_cannot_be_deleted():
    organisation = f.OrganisationFactory()
    item = f.ActionItemFactory(owner_organisation=organisation)
    assert_protected(organisation, item)


def test_a_field_of_cooperation_in_use_cannot_be_deleted():
    field = f.FieldOfCooperationFactory()
    item = f.ActionItemFactory(field=field)
    assert_protected(field, item)


def test_an_account_that_wrote_a_progress_note_cannot_be_deleted():
    author = f.editor()
    update = f.ProgressUpdateFactory(author=author)
    assert_protected(author, update)


def test_a_queryset_delete_is_refused_as_a_whole():
    kept = f.VisitFactory()
    f.ActionItemFactory(visit=kept)
    free = f.VisitFactory(partnership=kept.partnership)
    with pytest.raises(ProtectedError):
        Visit.objects.filter(pk__in=[kept.pk, free.pk]).delete()
    assert Visit.objects.filter(pk__in=[kept.pk, free.pk]).count() == 2


def test_a_record_nothing_depends_on_can_be_deleted():
    item = f.ActionItemFactory()
    item.delete()
    assert not ActionItem.objects.filter(pk=item.pk).exists()


@pytest.fixture
def admin_client(client):
    user = administrator(is_staff=True, is_superuser=True, username="quan.tri")
    client.force_login(user)
    client.user = user
    return client


def test_the_admin_refuses_to_delete_a_city_with_partnerships(admin_client):
    partnership = f.PartnershipFactory()
    city = partnership.partner_city
    url = reverse("admin:partnerships_city_delete", args=[city.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert response.context["protected"]
    assert City.objects.filter(pk=city.pk).exists()


def test_the_admin_bulk_delete_refuses_protected_people(admin_client):
    signatory = f.SignatoryFactory()
    url = reverse("admin:partnerships_person_changelist")
    response = admin_client.post(
        url,
        {"action": "delete_selected", "_selected_action": [signatory.person.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert Person.objects.filter(pk=signatory.person.pk).exists()


def test_a_change_through_the_admin_leaves_history_with_its_author(admin_client):
    organisation = f.OrganisationFactory(name="Sở Ngoại vụ")
    url = reverse("admin:partnerships_organisation_change", args=[organisation.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: form[name].value() if form[name].value() is not None else "" for name in form.fields
    }
    data["notes"] = "Đầu mối hợp tác quốc tế của thành phố"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = Organisation.history.filter(id=organisation.pk).latest("history_date")
    assert latest.notes == "Đầu mối hợp tác quốc tế của thành phố"
    assert latest.history_type == "~"
    assert latest.history_user == admin_client.user


def test_an_addition_through_the_admin_leaves_history_with_its_author(admin_client):
    url = reverse("admin:partnerships_city_add")
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: form[name].value() if form[name].value() is not None else "" for name in form.fields
    }
    data.update(name="Viêng Chăn", country="LA")
    for prefix in ("alternative_names",):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = admin_client.post(url, data)
    assert response.status_code == 302
    city = City.objects.get(name="Viêng Chăn")
    created = City.history.get(id=city.pk)
    assert created.history_type == "+"
    assert created.history_user == admin_client.user


def test_a_deletion_through_the_admin_leaves_history_with_its_author(admin_client):
    item = f.ActionItemFactory()
    url = reverse("admin:delegations_actionitem_delete", args=[item.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    deleted = ActionItem.history.filter(id=item.pk).latest("history_date")
    assert deleted.history_type == "-"
    assert deleted.history_user == admin_client.user
