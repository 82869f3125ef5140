"""Edges of issue 17, finding 11: control characters never reach the operator's terminal,
and gunicorn trusts X-Forwarded-Proto only behind a proxy."""

import os
import stat
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from common.commands import printable
from tests.factories import CityFactory, VisitFactory
from tests.test_import_agreements import agreement_row, csv_bytes

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "Đoàn\x1b]0;pwned\x07 Minsk\x1b[2J\x9b31m\u202eevil\u202c"  # PostgreSQL refuses NUL


def test_printable_keeps_text_line_ends_and_tabs():
    assert printable("Hà Nội\tМинск\nວຽງຈັນ") == "Hà Nội\tМинск\nວຽງຈັນ"
    assert printable(HOSTILE + "\x00") == "Đoàn]0;pwned Minsk[2J31mevil"


@pytest.mark.django_db
def test_visit_brief_list_prints_no_control_characters():
    VisitFactory(title=HOSTILE)
    out = StringIO()
    call_command("visit_brief", "--list", stdout=out)
    text = out.getvalue()
    assert "Đoàn]0;pwned Minsk" in text
    assert not any(ch in text for ch in "\x1b\x07\x9b\u202e\x00")


@pytest.mark.django_db
def test_import_errors_print_no_control_characters(tmp_path, places):
    path = tmp_path / "hostile.csv"
    path.write_bytes(csv_bytes([agreement_row(kind=HOSTILE)]))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_agreements", str(path), "--lang", "en", stderr=err, stdout=StringIO())
    text = err.getvalue()
    assert "pwned" in text  # the value is named in the error, without its controls
    assert not any(ch in text for ch in "\x1b\x07\x9b\u202e\x00")


@pytest.fixture
def places(db):
    CityFactory(name="Hà Nội", name_en="Hanoi", country="VN", is_home=True)
    CityFactory(name="Minsk", name_en="Minsk", country="BY")


def entrypoint_gunicorn_args(tmp_path, **env) -> list[str]:
    """What scripts/entrypoint.sh passes to gunicorn (a stand-in python records it)."""
    fake = tmp_path / "python"
    record = tmp_path / "args"
    fake.write_text(f'#!/bin/sh\n[ "$1" = "-m" ] && printf "%s\\n" "$@" > "{record}"\nexit 0\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    environment = {k: v for k, v in os.environ.items() if k != "BEHIND_PROXY"}
    subprocess.run(
        ["sh", "scripts/entrypoint.sh"],
        cwd=ROOT,
        env={**environment, "PYTHON": str(fake), **env},
        check=True,
        timeout=60,
    )
    return record.read_text().split("\n")


def forwarded_allow_ips(args: list[str]) -> str:
    return args[args.index("--forwarded-allow-ips") + 1]


def test_without_a_proxy_gunicorn_trusts_no_forwarded_header(tmp_path):
    from gunicorn.config import Config

    assert forwarded_allow_ips(entrypoint_gunicorn_args(tmp_path, BEHIND_PROXY="0")) == ""
    config = Config()
    config.set("forwarded_allow_ips", "")
    assert config.forwarded_allow_ips == []  # no address is trusted, not even 127.0.0.1


def test_behind_a_proxy_gunicorn_trusts_the_proxys_address(tmp_path):
    args = entrypoint_gunicorn_args(tmp_path, BEHIND_PROXY="1")
    assert forwarded_allow_ips(args) == "127.0.0.1"
    args = entrypoint_gunicorn_args(tmp_path, BEHIND_PROXY="1", FORWARDED_ALLOW_IPS="10.0.0.2")
    assert forwarded_allow_ips(args) == "10.0.0.2"
