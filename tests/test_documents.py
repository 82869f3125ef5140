"""Uploaded agreement documents are handed out by a view that checks the reader, in
production too, never at a media URL (issue 17, finding 10)."""

import json

import pytest
from django.urls import reverse

from common.views import development_media
from tests.factories import AgreementDocumentFactory, UserFactory, editor, viewer
from tests.test_security_settings import HOST, production_env, run_python

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def test_a_viewer_downloads_an_agreements_document(client):
    document = AgreementDocumentFactory()
    client.force_login(viewer())
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(AgreementDocumentFactory().get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_account_without_a_role_is_refused(client):
    client.force_login(UserFactory())
    assert client.get(AgreementDocumentFactory().get_absolute_url()).status_code == 403


def test_a_document_whose_file_is_gone_is_not_found(client):
    document = AgreementDocumentFactory()
    document.file.delete(save=False)
    client.force_login(viewer())
    assert client.get(document.get_absolute_url()).status_code == 404


def test_the_agreement_page_links_the_download_view_not_the_media_url(client):
    document = AgreementDocumentFactory()
    client.force_login(viewer())
    html = client.get(document.agreement.get_absolute_url()).content.decode()
    assert f'href="{document.get_absolute_url()}"' in html
    assert "/media/" not in html


def test_the_edit_form_links_the_stored_file_through_the_download_view(client):
    document = AgreementDocumentFactory()
    client.force_login(editor())
    html = client.get(reverse("agreements:agreement_edit", args=[document.agreement_id])).text
    assert f'href="{document.get_absolute_url()}"' in html
    assert "/media/" not in html


def test_the_development_server_does_not_serve_documents_either(rf):
    from django.http import Http404

    document = AgreementDocumentFactory()
    with pytest.raises(Http404):
        development_media(rf.get("/media/"), str(document.file.name))


def test_behind_nginx_the_view_names_the_file_for_the_proxy(client, settings):
    settings.FILE_DELIVERY = "x-accel-redirect"
    settings.FILE_DELIVERY_PREFIX = "/internal-media/"
    document = AgreementDocumentFactory()
    client.force_login(viewer())
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/internal-media/{document.file.name}"
    assert response.content == b""
    assert "attachment" in response["Content-Disposition"]


def test_behind_apache_the_view_names_the_file_for_x_sendfile(client, settings):
    settings.FILE_DELIVERY = "x-sendfile"
    document = AgreementDocumentFactory()
    client.force_login(viewer())
    response = client.get(document.get_absolute_url())
    assert response["X-Sendfile"] == document.file.path
    assert response.content == b""


PRODUCTION_DOWNLOAD = """
    import json, tempfile
    import django
    django.setup()
    from django.conf import settings
    from django.db import transaction
    from django.test import Client

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tempfile.mkdtemp()
    from tests.factories import AgreementDocumentFactory, viewer

    with transaction.atomic():
        document = AgreementDocumentFactory()
        client = Client(HTTP_HOST="HOST_NAME")
        anonymous = client.get(document.get_absolute_url(), secure=True)
        client.force_login(viewer())
        download = client.get(document.get_absolute_url(), secure=True)
        media = client.get("/media/" + document.file.name, secure=True)
        transaction.set_rollback(True)
    print(json.dumps({
        "debug": settings.DEBUG,
        "anonymous": anonymous.status_code,
        "status": download.status_code,
        "body": b"".join(download.streaming_content).decode(),
        "media": media.status_code,
    }))
""".replace("HOST_NAME", HOST)


def test_in_production_a_reader_downloads_a_document_and_no_media_url_serves_it():
    result = run_python(PRODUCTION_DOWNLOAD, production_env())
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer == {
        "debug": False,
        "anonymous": 302,
        "status": 200,
        "body": PDF.decode(),
        "media": 404,
    }
