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
from django.utils import translation

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


# --- every command that prints: nothing but text reaches the terminal ---------------------------
CONTROLS = "\x1b\x07\x9b\u202e\x00"
OUR_APPS = (
    "common",
    "jobs",
    "partnerships",
    "agreements",
    "delegations",
    "workspace",
    "sheets",
    "demo",
)


def _clean(text: str) -> bool:
    return not any(ch in text for ch in CONTROLS)


class _Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def as_from_the_shell(name: str, *args: str, monkeypatch) -> tuple[str, str, int]:
    """What ``manage.py NAME ARGS`` prints, errors included (run_from_argv, not call_command)."""
    from django.core.management import get_commands, load_command_class
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)  # the test's connection stays
    out, err = StringIO(), StringIO()
    command = type(load_command_class(get_commands()[name], name))(stdout=out, stderr=err)
    try:
        command.run_from_argv(["manage.py", name, *args])
    except SystemExit as exit_:
        return out.getvalue(), err.getvalue(), int(exit_.code or 0)
    return out.getvalue(), err.getvalue(), 0


def test_every_command_of_ours_writes_through_the_printable_wrapper():
    from django.core.management import get_commands, load_command_class

    from common.commands import PrintableCommand

    ours = {name: app for name, app in get_commands().items() if app in OUR_APPS}
    assert {"export_agreements", "backup", "restore", "revert_import", "seed_demo"} <= set(ours)
    plain = [
        name
        for name, app in ours.items()
        if not isinstance(load_command_class(app, name), PrintableCommand)
    ]
    assert plain == []


@pytest.mark.django_db
def test_export_to_a_terminal_shows_the_text_without_its_controls():
    from tests.factories import AgreementFactory

    AgreementFactory(title=HOSTILE)
    terminal = _Terminal()
    call_command("export_agreements", stdout=terminal)
    text = terminal.getvalue()
    assert "Đoàn]0;pwned Minsk" in text
    assert _clean(text)


@pytest.mark.django_db
def test_export_piped_keeps_every_character_of_the_record(capsysbinary):
    """Only a terminal is protected: a pipe or a file gets the value as stored."""
    from tests.factories import AgreementFactory

    AgreementFactory(title=HOSTILE)
    call_command("export_agreements")
    assert HOSTILE.encode() in capsysbinary.readouterr().out


@pytest.mark.django_db
def test_a_binary_export_is_not_written_to_a_terminal():
    with pytest.raises(CommandError, match="-o FILE"):
        call_command("export_agreements", "--format", "xlsx", stdout=_Terminal())


@pytest.mark.django_db
def test_export_to_a_file_named_with_controls_reports_it_without_them(tmp_path, monkeypatch):
    out, err, status = as_from_the_shell(
        "export_agreements", "-o", str(tmp_path / "a\x1b[2J.csv"), monkeypatch=monkeypatch
    )
    assert status == 0
    assert "written to" in err
    assert _clean(out + err)


@pytest.mark.django_db
def test_a_refused_revert_names_the_blocker_without_its_controls(monkeypatch, places):
    from agreements.models import Agreement
    from sheets.importing import run_import
    from tests.factories import AgreementDocumentFactory

    outcome = run_import(
        sheet="agreements",
        file_name="a.csv",
        data=csv_bytes([agreement_row()]),
        user=None,
        dry_run=False,
    )
    assert outcome.log is not None
    AgreementDocumentFactory(agreement=Agreement.objects.get(), title=HOSTILE)
    with translation.override("en"):
        out, err, status = as_from_the_shell(
            "revert_import", str(outcome.log.pk), monkeypatch=monkeypatch
        )
    assert status == 1
    assert "pwned" in err
    assert _clean(out + err)


@pytest.mark.django_db
def test_restore_of_a_missing_file_named_with_controls_says_so_without_them(monkeypatch):
    out, err, status = as_from_the_shell(
        "restore", "--yes", "/nowhere/\x1b]0;pwned\x07.dump", monkeypatch=monkeypatch
    )
    assert status == 1
    assert "pwned" in err
    assert _clean(out + err)


@pytest.mark.django_db
def test_the_annual_report_names_its_file_without_controls(tmp_path, monkeypatch):
    VisitFactory(title=HOSTILE)
    out, err, status = as_from_the_shell(
        "annual_report", "2025", "-o", str(tmp_path / "r\x1b[2J\x07.docx"), monkeypatch=monkeypatch
    )
    assert status == 0, err
    assert "Written" in out
    assert _clean(out + err)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["send_reminders", "prune_jobs"])
def test_the_routine_commands_print_no_controls(name, monkeypatch):
    VisitFactory(title=HOSTILE)
    out, err, status = as_from_the_shell(name, monkeypatch=monkeypatch)
    assert status == 0, err
    assert _clean(out + err)
