"""Partners: the filtered list, the partnership's whole story, cities, and their forms."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement
from delegations.models import ActionItem, Visit, VisitParticipant
from partnerships.models import City, CityName, Partnership
from tests.factories import (
    ActionItemFactory,
    AgreementFactory,
    CityFactory,
    CityNameFactory,
    FieldOfCooperationFactory,
    HomeCityFactory,
    OrganisationFactory,
    PartnershipFactory,
    PositionFactory,
    VisitFactory,
    VisitParticipantFactory,
    administrator,
    editor,
    viewer,
)
from workspace import stories

pytestmark = pytest.mark.django_db

LIST = reverse("partnerships:partnership_list")
TODAY = timezone.localdate()


@pytest.fixture
def viewer_client(client):
    client.force_login(viewer())
    return client


@pytest.fixture
def editor_client(client):
    client.force_login(editor())
    return client


def detail(partnership) -> str:
    return reverse("partnerships:partnership_detail", args=[partnership.pk])


def listed(response) -> list[str]:
    return [str(p) for p in response.context["page_obj"].object_list]


# -- the list ------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login_from_the_list(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_viewer_sees_every_partnership(viewer_client):
    PartnershipFactory.create_batch(3)
    assert len(listed(viewer_client.get(LIST))) == 3


def test_list_filters_by_country(viewer_client):
    laos = PartnershipFactory(partner_city__country="LA")
    PartnershipFactory(partner_city__country="BY")
    assert listed(viewer_client.get(LIST, {"country": "LA"})) == [str(laos)]


def test_list_filters_by_status(viewer_client):
    dormant = PartnershipFactory(status=Partnership.Status.DORMANT)
    PartnershipFactory()
    assert listed(viewer_client.get(LIST, {"status": "dormant"})) == [str(dormant)]


def test_list_filters_by_field_of_cooperation(viewer_client):
    culture = FieldOfCooperationFactory(code="culture")
    partnership = PartnershipFactory()
    partnership.fields.add(culture)
    PartnershipFactory()
    assert listed(viewer_client.get(LIST, {"field": culture.pk})) == [str(partnership)]


def test_list_filters_by_home_city(viewer_client):
    hcmc = HomeCityFactory(name="TP Hồ Chí Minh")
    ours = PartnershipFactory(home_city=hcmc)
    PartnershipFactory()
    assert listed(viewer_client.get(LIST, {"home_city": hcmc.pk})) == [str(ours)]


def test_list_search_finds_a_partner_by_an_alternative_name_without_accents(viewer_client):
    vientiane = PartnershipFactory(partner_city__name="Viêng Chăn", partner_city__country="LA")
    CityNameFactory(city=vientiane.partner_city, name="Vientiane")
    PartnershipFactory()
    assert listed(viewer_client.get(LIST, {"q": "vientiane"})) == [str(vientiane)]
    assert listed(viewer_client.get(LIST, {"q": "vieng chan"})) == [str(vientiane)]


def test_list_sorts_by_latest_visit(viewer_client):
    old = VisitFactory(start_date=dt.date(2010, 1, 1), end_date=None).partnership
    recent = VisitFactory(start_date=dt.date(2024, 1, 1), end_date=None).partnership
    assert listed(viewer_client.get(LIST, {"sort": "-last_visit"})) == [str(recent), str(old)]


def test_list_tells_a_visit_without_a_date_from_no_visit(viewer_client):
    """Issue 16 changed how "has a visit" is read (a probe per row shown, not EXISTS)."""
    undated = VisitFactory(start_date=None, end_date=None).partnership
    cancelled = VisitFactory(status=Visit.Status.CANCELLED).partnership
    never = PartnershipFactory()
    rows = {row.pk: row for row in viewer_client.get(LIST).context["page_obj"].object_list}
    assert rows[undated.pk].has_visit is True
    assert rows[undated.pk].last_visit_on is None
    assert rows[cancelled.pk].has_visit is False
    assert rows[never.pk].has_visit is False


def test_list_ignores_an_unknown_filter_value(viewer_client):
    PartnershipFactory()
    response = viewer_client.get(LIST, {"status": "nonsense"})
    assert response.status_code == 200
    assert len(listed(response)) == 1


def test_list_is_paginated(viewer_client):
    PartnershipFactory.create_batch(27)
    response = viewer_client.get(LIST, {"page": 2})
    assert len(listed(response)) == 2


def test_htmx_filtering_answers_only_the_results_partial(viewer_client):
    PartnershipFactory(partner_city__name="Minsk")
    response = viewer_client.get(
        LIST, {"q": "minsk"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="partnership-results"
    )
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="partnership-results"')
    assert 'hx-push-url="true"' in html
    assert "Minsk" in html


def test_the_same_filter_url_without_htmx_is_a_full_page(viewer_client):
    PartnershipFactory(partner_city__name="Minsk")
    html = viewer_client.get(LIST, {"q": "minsk"}).content.decode()
    assert "<html" in html
    assert 'id="partnership-results"' in html
    assert 'method="get"' in html


def test_list_varies_on_hx_request(viewer_client):
    assert "HX-Request" in viewer_client.get(LIST)["Vary"]


def test_viewer_does_not_see_the_new_partnership_button(viewer_client):
    assert (
        reverse("partnerships:partnership_create") not in viewer_client.get(LIST).content.decode()
    )


def test_list_query_count_does_not_grow(viewer_client, django_assert_num_queries):
    field = FieldOfCooperationFactory()

    def make(n):
        for partnership in PartnershipFactory.create_batch(n):
            partnership.fields.add(field)
            VisitFactory(partnership=partnership)

    make(2)
    # Expect 11: session, user, role (3); the countries in use for the filter (1); the
    # count and the page with its rows' fields (2: the fields' names are read in the
    # page's query, issue 16); the field and home-city drop-downs (2); saving the
    # session (3).
    with django_assert_num_queries(11):
        viewer_client.get(LIST)
    make(6)
    with django_assert_num_queries(11):
        viewer_client.get(LIST)


# -- the partnership page ------------------------------------------------------------------


@pytest.fixture
def story():
    partnership = PartnershipFactory(
        partner_city__name="Minsk",
        established_on=dt.date(2004, 1, 1),
        established_on_precision="year",
    )
    programme = AgreementFactory(partnership=partnership, reference="HN-MSK-2004")
    AgreementFactory(
        partnership=partnership,
        reference="HN-MSK-CT-2024",
        parent=programme,
        parent_relation=Agreement.Relation.IMPLEMENTS,
    )
    outgoing = VisitFactory(partnership=partnership, title="Đoàn đi Minsk")
    VisitFactory(
        partnership=partnership,
        title="Đoàn Minsk sang",
        direction=Visit.Direction.INCOMING,
        start_date=dt.date(2023, 12, 7),
        end_date=None,
    )
    VisitFactory(partnership=partnership, title="Đoàn hủy", status=Visit.Status.CANCELLED)
    VisitParticipantFactory(
        visit=outgoing, role=VisitParticipant.Role.HEAD, person__full_name="Nguyễn Mạnh Quyền"
    )
    ActionItemFactory(visit=outgoing, description="Việc còn mở")
    ActionItemFactory(visit=outgoing, description="Việc đã xong", status=ActionItem.Status.DONE)
    minsk_government = OrganisationFactory(city=partnership.partner_city, country="BY")
    PositionFactory(
        organisation=minsk_government,
        person__full_name="Igor Sergeyenko",
        start=dt.date(2020, 1, 1),
    )
    PositionFactory(
        organisation=minsk_government,
        person__full_name="Người cũ",
        start=dt.date(2010, 1, 1),
        end=dt.date(2015, 1, 1),
    )
    return partnership


def test_partnership_page_tells_the_whole_story(viewer_client, story):
    html = viewer_client.get(detail(story)).content.decode()
    for text in (
        "HN-MSK-2004",
        "HN-MSK-CT-2024",
        "Đoàn đi Minsk",
        "Đoàn Minsk sang",
        "Nguyễn Mạnh Quyền",
        "Việc còn mở",
        "Igor Sergeyenko",
    ):
        assert text in html
    assert "Việc đã xong" not in html
    assert "Người cũ" not in html


def test_partnership_page_shows_the_implements_chain(viewer_client, story):
    response = viewer_client.get(detail(story))
    tree = [(depth, a.reference) for depth, a in response.context["agreements"].rows]
    assert tree == [(0, "HN-MSK-2004"), (1, "HN-MSK-CT-2024")]


def test_partnership_page_balances_incoming_and_outgoing_visits(viewer_client, story):
    balance = viewer_client.get(detail(story)).context["balance"]
    assert (balance["incoming"], balance["outgoing"]) == (1, 1)  # the cancelled one is left out
    assert balance["incoming_share"] + balance["outgoing_share"] == 100


def test_partnership_page_of_an_unknown_partnership_is_not_found(viewer_client):
    assert (
        viewer_client.get(reverse("partnerships:partnership_detail", args=[999])).status_code == 404
    )


def test_partnership_page_shows_its_history(viewer_client, story):
    assert 'id="history"' in viewer_client.get(detail(story)).content.decode()


def test_editor_sees_the_inline_status_change_on_the_partnership_page(editor_client, story):
    html = editor_client.get(detail(story)).content.decode()
    item = ActionItem.objects.get(description="Việc còn mở")
    assert f"actionitem-status-{item.pk}" in html


def test_partnership_page_query_count_does_not_grow(viewer_client, django_assert_num_queries):
    partnership = PartnershipFactory()
    city = partnership.partner_city
    partnership.fields.add(FieldOfCooperationFactory())
    CityNameFactory(city=city)

    def make(n):
        for _ in range(n):
            visit = VisitFactory(partnership=partnership)
            VisitParticipantFactory(visit=visit, role=VisitParticipant.Role.HEAD)
            AgreementFactory(partnership=partnership)
            ActionItemFactory(visit=visit, owner_organisation=OrganisationFactory())
            PositionFactory(organisation=OrganisationFactory(city=city), start=dt.date(2020, 1, 1))

    make(1)
    # Expect 21: session, user, role (3); the partnership with its cities, fields, the
    # partner city's names and its followers (4); the agreements, 25 or fewer: their whole
    # tree (1), visits + their heads, visit balance, open action items, counterparts (5);
    # its history and the followers' changes in it (3); the map block's recent visits (1);
    # saving the session (3).
    with django_assert_num_queries(20):
        viewer_client.get(detail(partnership))
    make(4)
    with django_assert_num_queries(20):
        viewer_client.get(detail(partnership))


def test_partnership_page_for_an_editor_keeps_a_flat_query_count(
    editor_client, django_assert_max_num_queries, django_assert_num_queries
):
    partnership = PartnershipFactory()

    def make(n):
        for _ in range(n):
            ActionItemFactory(visit=VisitFactory(partnership=partnership))

    make(1)
    with django_assert_max_num_queries(40) as ctx:
        editor_client.get(detail(partnership))
    make(4)
    with django_assert_num_queries(len(ctx.captured_queries)):
        editor_client.get(detail(partnership))


# -- forms -----------------------------------------------------------------------------------


def form_data(partnership=None, **overrides):
    home = partnership.home_city if partnership else HomeCityFactory()
    partner = partnership.partner_city if partnership else CityFactory()
    data = {
        "home_city": home.pk,
        "partner_city": partner.pk,
        "kind": "sister_city",
        "status": "active",
        "established_on": "2004",
        "summary": "Tóm tắt",
    }
    if partnership:
        data["version"] = partnership.version
    data.update(overrides)
    return data


def test_viewer_cannot_open_the_new_partnership_form(viewer_client):
    assert viewer_client.get(reverse("partnerships:partnership_create")).status_code == 403


def test_viewer_cannot_post_a_new_partnership(viewer_client):
    response = viewer_client.post(reverse("partnerships:partnership_create"), form_data())
    assert response.status_code == 403
    assert not Partnership.objects.exists()


def test_anonymous_post_is_sent_to_login(client):
    response = client.post(reverse("partnerships:partnership_create"), form_data())
    assert response.status_code == 302
    assert not Partnership.objects.exists()


def test_editor_records_a_partnership_known_to_the_year(editor_client):
    response = editor_client.post(reverse("partnerships:partnership_create"), form_data())
    partnership = Partnership.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(partnership)
    assert (partnership.established_on, partnership.established_on_precision) == (
        dt.date(2004, 1, 1),
        "year",
    )


def test_partnership_form_shows_errors_next_to_the_field(editor_client):
    response = editor_client.post(
        reverse("partnerships:partnership_create"), form_data(established_on="31/02/2004")
    )
    assert response.status_code == 422
    assert 'class="error"' in response.content.decode()
    assert not Partnership.objects.exists()


def test_htmx_form_errors_answer_only_the_form_partial(editor_client):
    response = editor_client.post(
        reverse("partnerships:partnership_create"),
        form_data(established_on="nonsense"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="record-form",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<form id="record-form"')


def test_editor_edits_a_partnership(editor_client):
    partnership = PartnershipFactory()
    response = editor_client.post(
        reverse("partnerships:partnership_edit", args=[partnership.pk]),
        form_data(partnership, status="dormant"),
    )
    partnership.refresh_from_db()
    assert response.status_code == 302
    assert partnership.status == "dormant"
    assert partnership.history.first().history_user is not None


def test_second_save_from_a_stale_form_is_a_conflict_not_an_overwrite(editor_client):
    partnership = PartnershipFactory(summary="gốc")
    url = reverse("partnerships:partnership_edit", args=[partnership.pk])
    stale = form_data(partnership, summary="của tôi")
    editor_client.post(url, form_data(partnership, summary="của người khác"))
    response = editor_client.post(url, stale)
    partnership.refresh_from_db()
    assert response.status_code == 409
    assert partnership.summary == "của người khác"
    assert "edit-conflict" in response.content.decode()


def test_viewer_cannot_post_an_edit(viewer_client):
    partnership = PartnershipFactory(summary="gốc")
    url = reverse("partnerships:partnership_edit", args=[partnership.pk])
    assert viewer_client.post(url, form_data(partnership, summary="x")).status_code == 403
    partnership.refresh_from_db()
    assert partnership.summary == "gốc"


# -- cities ----------------------------------------------------------------------------------


def test_city_page_shows_names_partnerships_and_organisations(viewer_client):
    partnership = PartnershipFactory(partner_city__name="Viêng Chăn")
    CityNameFactory(city=partnership.partner_city, name="ວຽງຈັນ")
    OrganisationFactory(city=partnership.partner_city, name="UBND Thủ đô Viêng Chăn")
    url = reverse("partnerships:city_detail", args=[partnership.partner_city.pk])
    html = viewer_client.get(url).content.decode()
    assert "ວຽງຈັນ" in html
    assert str(partnership) in html
    assert "UBND Thủ đô Viêng Chăn" in html


def test_editor_records_a_city_with_its_other_names(editor_client):
    data = {
        "name": "Viêng Chăn",
        "name_en": "Vientiane",
        "country": "LA",
        "names-TOTAL_FORMS": "2",
        "names-INITIAL_FORMS": "0",
        "names-0-name": "ວຽງຈັນ",
        "names-0-language": "lo",
        "names-1-name": "",
        "names-1-language": "",
    }
    response = editor_client.post(reverse("partnerships:city_create"), data)
    city = City.objects.get()
    assert response.status_code == 302
    assert list(CityName.objects.values_list("city", "name")) == [(city.pk, "ວຽງຈັນ")]


def test_viewer_cannot_create_a_city(viewer_client):
    response = viewer_client.post(
        reverse("partnerships:city_create"), {"name": "X", "country": "LA"}
    )
    assert response.status_code == 403
    assert not City.objects.exists()


def test_deleting_a_city_with_partnerships_is_refused_with_an_explanation(client):
    partnership = PartnershipFactory()
    client.force_login(administrator())
    response = client.post(reverse("partnerships:city_delete", args=[partnership.partner_city.pk]))
    assert response.status_code == 409
    assert City.objects.filter(pk=partnership.partner_city.pk).exists()
    assert str(partnership) in response.content.decode()


def test_editor_cannot_delete_a_city(editor_client):
    city = CityFactory()
    assert (
        editor_client.post(reverse("partnerships:city_delete", args=[city.pk])).status_code == 403
    )


def test_administrator_deletes_a_city_nothing_depends_on(client):
    city = CityFactory()
    client.force_login(administrator())
    response = client.post(reverse("partnerships:city_delete", args=[city.pk]))
    assert response.status_code == 302
    assert not City.objects.exists()


def test_city_page_query_count_does_not_grow(viewer_client, django_assert_num_queries):
    city = CityFactory()

    def make(n):
        for _ in range(n):
            PartnershipFactory(partner_city=city, home_city=HomeCityFactory())
            CityNameFactory(city=city)
            OrganisationFactory(city=city)

    url = reverse("partnerships:city_detail", args=[city.pk])
    make(1)
    # Expect 12: session, user, role (3); the city with its names, partnerships both ways
    # and organisations (5); its history (1); saving the session (3).
    with django_assert_num_queries(12):
        viewer_client.get(url)
    make(3)
    with django_assert_num_queries(12):
        viewer_client.get(url)


def test_partnership_page_shows_the_latest_visits_and_links_to_all_of_them(viewer_client):
    partnership = PartnershipFactory()
    for day in range(1, 33):
        VisitFactory(
            partnership=partnership, start_date=dt.date(2020, 1, day % 28 + 1), end_date=None
        )
    response = viewer_client.get(detail(partnership))
    visits = response.context["visits"]
    assert (len(visits.rows), visits.total) == (stories.STORY_VISITS, 32)
    assert f"/visits/?partnership={partnership.pk}" in response.content.decode()


def test_the_visit_balance_read_from_the_activity_counts_equals_a_count_of_the_visits():
    """Issue 16: on PostgreSQL the page reads the balance from the monthly counts the
    triggers keep, plus the visits with no start date; it must equal counting the visits
    (cancelled ones left out, every direction, several months, undated ones)."""
    partnership = PartnershipFactory()
    other = PartnershipFactory()
    for direction, start, status in [
        (Visit.Direction.INCOMING, dt.date(2019, 3, 2), Visit.Status.COMPLETED),
        (Visit.Direction.INCOMING, dt.date(2019, 3, 20), Visit.Status.COMPLETED),
        (Visit.Direction.INCOMING, dt.date(2024, 11, 5), Visit.Status.CANCELLED),
        (Visit.Direction.INCOMING, None, Visit.Status.PLANNED),
        (Visit.Direction.OUTGOING, dt.date(2021, 7, 1), Visit.Status.COMPLETED),
        (Visit.Direction.OUTGOING, None, Visit.Status.CANCELLED),
        (Visit.Direction.ONLINE, dt.date(2022, 1, 9), Visit.Status.COMPLETED),
        (Visit.Direction.ONLINE, None, Visit.Status.PLANNED),
    ]:
        VisitFactory(
            partnership=partnership,
            direction=direction,
            start_date=start,
            end_date=None,
            status=status,
        )
    VisitFactory(partnership=other, direction=Visit.Direction.OUTGOING)
    expected = partnership.visits.balance()
    assert (expected["incoming"], expected["outgoing"], expected["online"]) == (3, 1, 2)
    assert stories._visit_balance(partnership) == expected
    # A change moves both the same way (the counts follow every write).
    Visit.objects.filter(partnership=partnership, direction=Visit.Direction.OUTGOING).update(
        direction=Visit.Direction.INCOMING
    )
    assert stories._visit_balance(partnership) == partnership.visits.balance()


def test_partnership_page_caps_its_counts_and_says_more_than(viewer_client, monkeypatch, settings):
    """Issue 16: visits and open items are counted no further than STORY_COUNT_CAP; past
    it the page says "more than" rather than a wrong total."""
    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr(stories, "STORY_VISITS", 2)
    monkeypatch.setattr(stories, "STORY_ITEMS", 2)
    monkeypatch.setattr(stories, "STORY_COUNT_CAP", 3)
    partnership = PartnershipFactory()
    for day in range(1, 6):
        visit = VisitFactory(partnership=partnership, start_date=dt.date(2020, 1, day))
        ActionItemFactory(visit=visit, due_on=dt.date(2030, 1, day))
    html = viewer_client.get(detail(partnership), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The latest 2 of more than 3." in html
    assert "The 2 due first of more than 3." in html
    assert ">3+</span>" in html
    monkeypatch.setattr(stories, "STORY_COUNT_CAP", 1000)
    other = PartnershipFactory()
    for day in range(1, 4):
        ActionItemFactory(visit=VisitFactory(partnership=other, start_date=dt.date(2020, 1, day)))
    html = viewer_client.get(detail(other), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The latest 2 of 3." in html
    assert "more than" not in html


def test_agreement_tree_is_depth_first_in_signature_order_and_capped(django_assert_num_queries):
    partnership = PartnershipFactory()
    outside = AgreementFactory(signed_on=dt.date(1999, 1, 1))  # another partnership's

    def agreement(reference, year, parent=None, relation=""):
        return AgreementFactory(
            partnership=partnership,
            reference=reference,
            signed_on=dt.date(year, 1, 1),
            parent=parent,
            parent_relation=relation,
        )

    a = agreement("A", 2004)
    agreement("B", 2001)
    a1 = agreement("A1", 2010, a, "implements")
    agreement("A0", 2008, a, "implements")
    agreement("A1a", 2012, a1, "renews")
    agreement("X", 2002, outside, "implements")
    with django_assert_num_queries(2):
        tree, total = partnership.agreements.tree()
    assert [(d, x.reference) for d, x in tree] == [
        (0, "B"),
        (0, "X"),
        (0, "A"),
        (1, "A0"),
        (1, "A1"),
        (2, "A1a"),
    ]
    assert total == 6
    with django_assert_num_queries(2):
        tree, total = partnership.agreements.tree(limit=4)
    assert [(d, x.reference) for d, x in tree] == [(0, "B"), (0, "X"), (0, "A"), (1, "A0")]
    assert total == 6
    assert tree[1][1].parent == outside  # the parent is read with the row (no query)


def _agreement_chain(partnership, references_by_year, parent=None):
    return [
        AgreementFactory(
            partnership=partnership,
            reference=reference,
            signed_on=dt.date(year, 1, 1),
            parent=parent,
            parent_relation="implements" if parent else "",
        )
        for reference, year in references_by_year
    ]


def test_outline_of_a_few_agreements_is_their_whole_tree(django_assert_num_queries):
    partnership = PartnershipFactory()
    (a,) = _agreement_chain(partnership, [("A", 2004)])
    (a1,) = _agreement_chain(partnership, [("A1", 2010)], parent=a)
    _agreement_chain(partnership, [("A1a", 2012)], parent=a1)
    _agreement_chain(partnership, [("B", 2001)])
    with django_assert_num_queries(1):  # up to limit + 1 read: they are the whole tree
        outline = partnership.agreements.outline(limit=4, roots=1, successors=1, cap=10)
    assert [(d, x.reference) for d, x in outline.rows] == [
        (0, "B"),
        (0, "A"),
        (1, "A1"),
        (2, "A1a"),
    ]
    assert (outline.total, outline.capped) == (4, False)
    assert outline.rows == partnership.agreements.tree()[0]


def test_outline_of_many_agreements_shows_the_first_roots_and_their_first_successors(
    django_assert_num_queries,
):
    partnership = PartnershipFactory()
    outside = AgreementFactory(signed_on=dt.date(1999, 1, 1))  # another partnership's
    a, b, _c = _agreement_chain(partnership, [("A", 2001), ("B", 2002), ("C", 2003)])
    a1, _a2, _a3 = _agreement_chain(partnership, [("A1", 2005), ("A2", 2004), ("A3", 2006)], a)
    _agreement_chain(partnership, [("A1a", 2007)], parent=a1)  # below a successor: not shown
    _agreement_chain(partnership, [("B1", 2008)], parent=b)
    _agreement_chain(partnership, [("X", 2000)], parent=outside)  # a root: its parent is outside
    _agreement_chain(partnership, [("O", 2009)], parent=AgreementFactory())  # a later root
    # limit + 1 read (more than limit), the capped count, the roots, their first successors
    with django_assert_num_queries(4):
        outline = partnership.agreements.outline(limit=5, roots=3, successors=2, cap=20)
        rows = [(d, x.reference, getattr(x, "more_successors", 0)) for d, x in outline.rows]
        assert rows[1][1] == "A"
        assert outline.rows[0][1].parent == outside  # read with the root
        assert outline.rows[2][1].parent == a  # no query either
    assert rows == [
        (0, "X", 0),
        (0, "A", 0),
        (1, "A2", 0),
        (1, "A1", 1),  # A3 is not shown
        (0, "B", 0),
        (1, "B1", 0),
    ]
    assert (outline.total, outline.capped) == (10, False)
    outline = partnership.agreements.outline(limit=5, roots=3, successors=2, cap=8)
    assert (outline.total, outline.capped) == (8, True)


def test_partnership_page_with_many_agreements_links_to_the_rest(
    viewer_client, monkeypatch, settings
):
    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr(stories, "STORY_AGREEMENTS", 2)
    monkeypatch.setattr(stories, "STORY_AGREEMENT_SUCCESSORS", 1)
    partnership = PartnershipFactory()
    (root,) = _agreement_chain(partnership, [("ROOT-1", 2001)])
    _agreement_chain(partnership, [("NEXT-1", 2002), ("NEXT-2", 2003), ("NEXT-3", 2004)], root)
    html = viewer_client.get(detail(partnership), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "NEXT-1" in html
    assert "NEXT-2" not in html
    assert f'2 more agreements follow ROOT-1: <a href="{root.get_absolute_url()}">' in html
    assert "Showing 2 of 4." in html
    assert f"?partnership={partnership.pk}" in html


def test_list_sorts_partner_cities_in_vietnamese_order(viewer_client):
    for name in ("Yên Bái", "Đà Nẵng", "Dubai"):
        PartnershipFactory(partner_city__name=name)
    names = [row.partner_city.name for row in viewer_client.get(LIST).context["page_obj"]]
    assert names == ["Dubai", "Đà Nẵng", "Yên Bái"]
