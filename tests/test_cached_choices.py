"""Filter drop-downs as cached ``(pk, label)`` tuples (issue 16, point 1)."""

from collections.abc import Iterator
from typing import Any, cast

import pytest
from pytest_django import DjangoAssertNumQueries

from agreements.forms import AgreementFilterForm
from common import cached_choices
from common.cached_choices import CachedModelChoiceField
from delegations.forms import ActionItemFilterForm
from partnerships.choices import partnership_field
from partnerships.models import City, Partnership
from tests.factories import ActionItemFactory, OrganisationFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version() -> Iterator[list[str]]:
    """A data version the test controls (outside a transaction it is the record's)."""
    value = ["v1"]
    before = cached_choices._source[0]
    cached_choices.set_version_source(lambda: value[0])
    yield value
    cached_choices.set_version_source(before)


def options(form: Any, name: str) -> list[tuple[Any, str]]:
    """The choices of a form's field (or of a field itself, ``name`` empty)."""
    field = form.fields[name] if name else form
    return [(value, str(label)) for value, label in field.choices]


def test_labels_and_order_are_those_of_the_model_choices() -> None:
    PartnershipFactory.create_batch(3)
    form = AgreementFilterForm({})
    expected = [(p.pk, str(p)) for p in Partnership.objects.all()]
    assert options(partnership_field(), "")[1:] == expected
    home = [(c.pk, str(c)) for c in City.objects.home()]
    assert options(form, "home_city")[1:] == home


def test_choices_are_plain_tuples_read_once_per_form(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    PartnershipFactory.create_batch(2)
    form = AgreementFilterForm({})
    with django_assert_num_queries(1):  # one values_list query, no instances
        first = options(form, "home_city")
        assert options(form, "home_city") == first
    assert all(isinstance(value, int) for value, _label in first[1:])


def test_cached_per_data_version(
    version: list[str], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    owner = OrganisationFactory()
    ActionItemFactory(owner_organisation=owner)
    # partnership (the picker's prefilled datalist), home city, owner organisation, field
    with django_assert_num_queries(4):
        ActionItemFilterForm({}).as_div()
    with django_assert_num_queries(0):  # the same data version: all from the cache
        html = ActionItemFilterForm({}).as_div()
    assert owner.name in html
    version[0] = "v2"  # the record changed
    with django_assert_num_queries(4):
        ActionItemFilterForm({}).as_div()


def test_a_form_reads_the_version_once(version: list[str]) -> None:
    reads = []

    def source() -> str:
        reads.append(1)
        return "v1"

    cached_choices.set_version_source(source)
    ActionItemFilterForm({}).as_div()
    assert len(reads) == 1


def test_a_chosen_value_is_still_validated() -> None:
    partnership = PartnershipFactory()
    form = AgreementFilterForm({"partnership": str(partnership.pk)})
    assert form.is_valid()
    assert form.cleaned_data["partnership"] == partnership
    assert not AgreementFilterForm({"partnership": "999999"}).is_valid()


def test_a_forms_field_keys_its_choices_without_compiling_their_sql_again() -> None:
    """The class's field works its key out once; each form's copy reuses it (issue 16)."""
    base = cast(CachedModelChoiceField, ActionItemFilterForm.base_fields["home_city"])
    expected = base._cache_key("v1")
    form = ActionItemFilterForm({})
    field = cast(CachedModelChoiceField, form.fields["home_city"])
    compiled = []
    original = field._values

    def values() -> Any:
        compiled.append(1)
        return original()

    field._values = values  # type: ignore[method-assign]
    assert field._cache_key("v1") == expected
    assert not compiled


def test_a_narrowed_queryset_gets_its_own_key() -> None:
    form = ActionItemFilterForm({})
    field = cast(CachedModelChoiceField, form.fields["home_city"])
    before = field._cache_key("v1")
    field.queryset = City.objects.home().filter(name__startswith="H")
    assert field._cache_key("v1") != before
    field.queryset = City.objects.home()
    assert field._cache_key("v1") == before


def test_the_owner_filter_offers_the_organisations_owning_an_item_in_name_order() -> None:
    """Read from the items' owner index (one probe per owner, issue 16): every owner
    once, by name, and no organisation that owns nothing."""
    second, first = OrganisationFactory(name="Sở B"), OrganisationFactory(name="Sở A")
    OrganisationFactory(name="Sở C (owns nothing)")
    ActionItemFactory.create_batch(2, owner_organisation=second)
    ActionItemFactory(owner_organisation=first)
    ActionItemFactory(owner_organisation=None)
    offered = options(ActionItemFilterForm({}), "owner_organisation")[1:]
    assert offered == [(first.pk, "Sở A"), (second.pk, "Sở B")]
    assert ActionItemFilterForm({"owner_organisation": str(first.pk)}).is_valid()
    assert not ActionItemFilterForm({"owner_organisation": "999999"}).is_valid()


@pytest.mark.django_db(transaction=True)  # outside a transaction: the record's version
def test_an_action_item_change_reads_again_only_the_choices_that_depend_on_action_items(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    """Per-app keys (issue 16): the home cities, fields and partnerships are read from
    ``partnerships`` only and survive an inline status change; the owners do not."""
    from django.core.cache import cache

    from workspace import freshness

    cache.clear()
    ActionItemFactory(owner_organisation=OrganisationFactory(name="Sở A"))  # the row exists
    # the version, the partnerships' prefill, home cities, owners, fields
    with django_assert_num_queries(5):
        ActionItemFilterForm({}).as_div()
    with django_assert_num_queries(1):  # the version only
        ActionItemFilterForm({}).as_div()
    freshness.bump(apps=["delegations"])  # what an item's save counts
    with django_assert_num_queries(2):  # the version, the owners
        ActionItemFilterForm({}).as_div()
    freshness.bump(apps=["agreements"])
    with django_assert_num_queries(1):
        ActionItemFilterForm({}).as_div()
    freshness.bump(apps=["partnerships"])
    with django_assert_num_queries(5):
        html = ActionItemFilterForm({}).as_div()
    assert "Sở A" in html


@pytest.mark.django_db(transaction=True)
def test_a_new_owner_is_offered_after_the_item_is_saved() -> None:
    from django.core.cache import cache

    cache.clear()
    ActionItemFactory(owner_organisation=OrganisationFactory(name="Sở A"))
    assert [label for _pk, label in options(ActionItemFilterForm({}), "owner_organisation")][
        1:
    ] == ["Sở A"]
    ActionItemFactory(owner_organisation=OrganisationFactory(name="Sở B"))
    offered = [label for _pk, label in options(ActionItemFilterForm({}), "owner_organisation")]
    assert offered[1:] == ["Sở A", "Sở B"]


@pytest.mark.django_db(transaction=True)
def test_the_people_lists_countries_survive_an_action_item_change(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    from django.core.cache import cache

    from partnerships.forms import PersonFilterForm
    from workspace import freshness

    cache.clear()
    freshness.bump()  # the version's row exists (a transactional test may have emptied it)
    PersonFilterForm({})
    freshness.bump(apps=["delegations"])
    with django_assert_num_queries(1):  # the version only: the countries kept
        PersonFilterForm({})
    freshness.bump(apps=["partnerships"])
    with django_assert_num_queries(2):  # the version, the countries read again
        PersonFilterForm({})
