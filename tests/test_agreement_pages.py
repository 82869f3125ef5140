"""Agreements pages: list (filters, htmx twin), detail, create, edit with inline parts."""

import datetime as dt

import pytest
from django.urls import reverse

from agreements.models import Agreement, Signatory
from tests.factories import (
    AgreementFactory,
    FieldOfCooperationFactory,
    OrganisationFactory,
    PartnershipFactory,
    PersonFactory,
    SignatoryFactory,
    editor,
    viewer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions read the English source texts (the office's default is Vietnamese)."""
    settings.LANGUAGE_CODE = "en"


HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "agreement-results"}


def make_agreements(n, partnership=None):
    partnership = partnership or PartnershipFactory()
    field = FieldOfCooperationFactory()
    for _ in range(n):
        agreement = AgreementFactory(partnership=partnership)
        agreement.fields.add(field)
        SignatoryFactory(agreement=agreement)
    return partnership


def form_data(agreement=None, **overrides):
    partnership = agreement.partnership if agreement else PartnershipFactory()
    data = {
        "partnership": partnership.pk,
        "reference": agreement.reference if agreement else "HN-MSK-2025-01",
        "kind": Agreement.Kind.MOU,
        "status": Agreement.Status.IN_FORCE,
        "title": agreement.title if agreement else "Biên bản ghi nhớ hợp tác",
        "title_en": "",
        "parent": "",
        "parent_relation": "",
        "signed_on": "12/2023",
        "signed_at": "",
        "valid_from": "",
        "valid_until": "",
        "notes": "",
        "signatories-TOTAL_FORMS": "0",
        "signatories-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
    }
    if agreement:
        data["version"] = agreement.version
    data.update(overrides)
    return data


def test_the_agreement_list_shows_agreements_to_a_viewer(client):
    AgreementFactory(reference="HN-VTE-2017-01")
    client.force_login(viewer())
    response = client.get(reverse("agreements:agreement_list"))
    assert response.status_code == 200
    assert "HN-VTE-2017-01" in response.text
    assert "<html" in response.text


def test_the_agreement_list_answers_htmx_with_the_results_partial_only(client):
    AgreementFactory(reference="HN-VTE-2017-01")
    client.force_login(viewer())
    response = client.get(reverse("agreements:agreement_list"), **HTMX)
    assert "HN-VTE-2017-01" in response.text
    assert "<html" not in response.text
    assert 'id="agreement-results"' in response.text
    assert response["Vary"].count("HX-Request") == 1


def test_the_agreement_list_filters_by_status_and_kind(client):
    AgreementFactory(reference="KEEP-1", status=Agreement.Status.EXPIRED)
    AgreementFactory(reference="DROP-1", status=Agreement.Status.IN_FORCE)
    client.force_login(viewer())
    response = client.get(reverse("agreements:agreement_list"), {"status": "expired"})
    assert "KEEP-1" in response.text
    assert "DROP-1" not in response.text


def test_the_agreement_list_filters_by_home_city_and_field_and_signature_dates(client):
    field = FieldOfCooperationFactory()
    keep = AgreementFactory(reference="KEEP-2", signed_on=dt.date(2020, 5, 1))
    keep.fields.add(field)
    AgreementFactory(reference="DROP-2", signed_on=dt.date(2020, 5, 1))
    client.force_login(viewer())
    response = client.get(
        reverse("agreements:agreement_list"),
        {
            "home_city": keep.partnership.home_city_id,
            "field": field.pk,
            "signed_from": "01/01/2020",
            "signed_until": "31/12/2020",
        },
    )
    assert "KEEP-2" in response.text
    assert "DROP-2" not in response.text


def test_the_agreement_list_sorts_by_reference(client):
    AgreementFactory(reference="B-2")
    AgreementFactory(reference="A-1")
    client.force_login(viewer())
    text = client.get(reverse("agreements:agreement_list"), {"sort": "reference"}).text
    assert text.index("A-1") < text.index("B-2")


def test_the_sort_control_shows_the_order_the_list_opens_in(client):
    """Issue 14, finding 2: newest first, and the control says so (and keeps it on filter)."""
    AgreementFactory(reference="OLD-1", signed_on=dt.date(2004, 1, 1))
    AgreementFactory(reference="NEW-1", signed_on=dt.date(2023, 12, 7))
    client.force_login(viewer())
    text = client.get(reverse("agreements:agreement_list")).text
    assert text.index("NEW-1") < text.index("OLD-1")
    assert '<option value="-signed" selected>' in text
    # Typing in a filter submits the form as it stands: the order stays newest first.
    text = client.get(reverse("agreements:agreement_list"), {"q": "1", "sort": "-signed"}).text
    assert text.index("NEW-1") < text.index("OLD-1")


def test_new_agreement_from_a_partnership_page_preselects_it_and_lists_its_lineage(client):
    """Issue 14, finding 4: ?partnership=… chooses the partnership and fills "parent"."""
    parent = AgreementFactory(reference="HN-MSK-2004")
    other = AgreementFactory(reference="HCM-MSK-2010")
    client.force_login(editor())
    response = client.get(
        reverse("agreements:agreement_create"), {"partnership": parent.partnership_id}
    )
    form = response.context["form"]
    assert form["partnership"].value() == str(parent.partnership_id)
    assert list(form.fields["parent"].queryset) == [parent]
    assert f'<option value="{parent.partnership_id}" selected>' in response.text
    assert "HN-MSK-2004" in response.text
    assert other.reference not in response.text


def test_the_agreement_list_pages_by_25(client):
    make_agreements(30)
    client.force_login(viewer())
    response = client.get(reverse("agreements:agreement_list"), {"page": 2})
    assert len(response.context["page_obj"].object_list) == 5


@pytest.mark.parametrize("n", [3, 12])
def test_the_agreement_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    make_agreements(n)
    client.force_login(viewer())
    # Expect 11: session, user, role (groups), count, the filter form's drop-downs
    # (partnerships, home cities, fields), the page of agreements with their fields'
    # names (a subquery), and the session save (savepoint, update, release).
    with django_assert_num_queries(11):
        client.get(reverse("agreements:agreement_list"))


@pytest.mark.parametrize("n", [1, 6])
def test_the_agreement_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    partnership = make_agreements(1)
    agreement = Agreement.objects.get(partnership=partnership)
    for _ in range(n):
        SignatoryFactory(agreement=agreement)
        agreement.parties.add(OrganisationFactory())
    client.force_login(viewer())
    # Expect 21: session, user, role; the agreement; parties, fields, documents,
    # signatories, their people, successors, visits, action items; history: rows,
    # two m2m fields, signatories, documents, names of people; the session save (3).
    with django_assert_num_queries(21):
        client.get(reverse("agreements:agreement_detail", args=[agreement.pk]))


def test_the_agreement_page_shows_the_renewal_chain_and_its_successors(client):
    first = AgreementFactory(reference="HN-MSK-2004")
    second = AgreementFactory(
        reference="HN-MSK-2014",
        partnership=first.partnership,
        parent=first,
        parent_relation=Agreement.Relation.RENEWS,
    )
    AgreementFactory(
        reference="HN-MSK-2015-PLAN",
        partnership=first.partnership,
        parent=second,
        parent_relation=Agreement.Relation.IMPLEMENTS,
    )
    client.force_login(viewer())
    page = client.get(reverse("agreements:agreement_detail", args=[second.pk])).text
    text = page[page.index('class="lineage-chain"') :]
    assert text.index("HN-MSK-2004") < text.index("HN-MSK-2014")
    assert "HN-MSK-2015-PLAN" in text


@pytest.mark.parametrize("n", [3, 22])
def test_the_agreement_page_lists_the_first_20_successors_and_counts_them(
    client, django_assert_num_queries, n, settings
):
    settings.LANGUAGE_CODE = "en"
    parent = AgreementFactory()
    for index in range(n):
        AgreementFactory(
            reference=f"PLAN-{index:02}",
            partnership=parent.partnership,
            parent=parent,
            parent_relation=Agreement.Relation.IMPLEMENTS,
        )
    client.force_login(viewer())
    url = reverse("agreements:agreement_detail", args=[parent.pk])
    # Expect 19 however many successors: they are one query (at most 20 rows, with their
    # count); no signatory, party or history query rows here (see the test above: 21).
    with django_assert_num_queries(19):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").text
    assert page.count("PLAN-") == min(n, 20)
    assert ("The first 20 of 22." in page) == (n == 22)


def test_an_editor_creates_an_agreement_with_a_month_precision_signature(client):
    client.force_login(editor())
    response = client.post(reverse("agreements:agreement_create"), form_data())
    agreement = Agreement.objects.get(reference="HN-MSK-2025-01")
    assert response.status_code == 302
    assert response["Location"] == reverse("agreements:agreement_detail", args=[agreement.pk])
    assert agreement.signed_on == dt.date(2023, 12, 1)
    assert agreement.signed_on_precision == "month"


def test_the_edit_form_shows_a_partial_date_the_way_it_was_known(client):
    agreement = AgreementFactory(signed_on=dt.date(2004, 1, 1), signed_on_precision="year")
    client.force_login(editor())
    response = client.get(reverse("agreements:agreement_edit", args=[agreement.pk]))
    assert 'value="2004"' in response.text


def test_an_editor_adds_a_signatory_inside_the_agreement_form(client):
    agreement = AgreementFactory()
    person = PersonFactory()
    client.force_login(editor())
    data = form_data(
        agreement,
        **{
            "signatories-TOTAL_FORMS": "1",
            "signatories-0-person": person.pk,
            "signatories-0-role": "signatory",
            "signatories-0-position_title": "Chủ tịch UBND",
        },
    )
    response = client.post(reverse("agreements:agreement_edit", args=[agreement.pk]), data)
    assert response.status_code == 302, response.content
    assert Signatory.objects.get(agreement=agreement).person == person


def test_an_editor_uploads_a_document_inside_the_agreement_form(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    agreement = AgreementFactory()
    client.force_login(editor())
    data = form_data(
        agreement,
        **{
            "documents-TOTAL_FORMS": "1",
            "documents-0-kind": "signed_scan",
            "documents-0-title": "Bản ký",
            "documents-0-file": SimpleUploadedFile("signed.pdf", b"%PDF-1.4\n%%EOF\n"),
        },
    )
    response = client.post(reverse("agreements:agreement_edit", args=[agreement.pk]), data)
    assert response.status_code == 302, response.content
    assert agreement.documents.get().title == "Bản ký"


def test_an_invalid_agreement_shows_the_error_next_to_the_field(client):
    client.force_login(editor())
    response = client.post(
        reverse("agreements:agreement_create"), form_data(signed_on="31/02/2023")
    )
    assert response.status_code == 422
    assert "is not a real date" in response.text
    assert 'id="id_signed_on_error"' in response.text


def test_an_invalid_agreement_posted_by_htmx_returns_only_the_form(client):
    client.force_login(editor())
    response = client.post(
        reverse("agreements:agreement_create"),
        form_data(title=""),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="record-form",
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="record-form"' in response.text
    assert not Agreement.objects.exists()


def test_a_saved_agreement_posted_by_htmx_redirects_the_browser(client):
    client.force_login(editor())
    response = client.post(
        reverse("agreements:agreement_create"), form_data(), HTTP_HX_REQUEST="true"
    )
    agreement = Agreement.objects.get()
    assert response["HX-Redirect"] == agreement.get_absolute_url()


def test_an_agreement_cannot_renew_itself_through_the_form(client):
    first = AgreementFactory()
    second = AgreementFactory(partnership=first.partnership, parent=first, parent_relation="renews")
    client.force_login(editor())
    data = form_data(first, parent=second.pk, parent_relation="renews")
    response = client.post(reverse("agreements:agreement_edit", args=[first.pk]), data)
    assert response.status_code == 422
    assert "cannot implement or renew itself" in response.text


@pytest.mark.parametrize("before", [20, 23])
def test_the_agreement_page_shows_the_20_nearest_agreements_it_follows_and_counts_the_rest(
    client, django_assert_num_queries, before, settings
):
    settings.LANGUAGE_CODE = "en"
    chain = [AgreementFactory(reference="LINK-00")]
    for index in range(1, before + 1):
        chain.append(
            AgreementFactory(
                reference=f"LINK-{index:02}",
                partnership=chain[0].partnership,
                parent=chain[-1],
                parent_relation=Agreement.Relation.RENEWS,
            )
        )
    last = chain[-1]
    assert [a.reference for a in last.lineage_shown(20)[0]] == [a.reference for a in chain[-21:]]
    assert last.lineage_shown(20)[1] == before - 20
    client.force_login(viewer())
    url = reverse("agreements:agreement_detail", args=[last.pk])
    with django_assert_num_queries(20):  # the successors test above (19), and the chain: one
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").text
    start = page.index('class="lineage-chain"')
    text = page[start : page.index("</ol>", start)]
    assert text.count("LINK-") == 21
    assert ("LINK-02" in text) == (before == 20)
    assert ("3 earlier agreements, not shown." in text) == (before == 23)
    # The first shown says how it follows the one not shown; a whole chain's first, not.
    assert text.count('<span class="muted">renews</span>') == (20 if before == 20 else 21)
