"""The cache's key prefix is a digest of the code that draws (common/build_key.py): a
deploy that changes a template, a translation or the Python never serves an older
release's drawings, and processes running the same files agree on it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import config.settings
from common.build_key import build_key, drawing_files
from common.safe_cache import FailSafeFileBasedCache

ROOT = Path(__file__).resolve().parent.parent
MAP_BLOCK = "workspace/templates/workspace/includes/map_block.html"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small project laid out as this one: packages, templates, translations, uv.lock."""
    base = tmp_path / "release"
    files = {
        "uv.lock": "django 6.1\n",
        "manage.py": "",
        "workspace/__init__.py": "",
        "workspace/partner_map.py": "CIRCLE = 4\n",
        MAP_BLOCK: "<svg>{% translate 'Partners' %}</svg>\n",
        "templates/base.html": "<main></main>\n",
        "locale/vi/LC_MESSAGES/django.mo": "Đối tác",
        "locale/vi/LC_MESSAGES/django.po": 'msgstr "Đối tác"\n',
        "tests/__init__.py": "",
        "tests/test_map.py": "",
        "static/css/app.css": "",
    }
    for name, content in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return base


def test_the_key_is_read_from_the_drawing_files_only(project):
    assert drawing_files(project) == [
        "locale/vi/LC_MESSAGES/django.mo",
        "templates/base.html",
        "uv.lock",
        "workspace/__init__.py",
        "workspace/partner_map.py",
        MAP_BLOCK,
    ]


@pytest.mark.parametrize(
    "changed",
    [
        MAP_BLOCK,
        "templates/base.html",
        "locale/vi/LC_MESSAGES/django.mo",
        "workspace/partner_map.py",
        "uv.lock",
    ],
)
def test_a_changed_template_translation_or_code_changes_the_key(project, changed):
    before = build_key(project)
    path = project / changed
    path.write_bytes(path.read_bytes() + b" ")

    assert build_key(project) != before


def test_a_new_template_changes_the_key(project):
    before = build_key(project)
    (project / "workspace/templates/workspace/includes/legend.html").write_text("<p></p>")

    assert build_key(project) != before


@pytest.mark.parametrize(
    "unrelated",
    [
        "tests/test_map.py",
        "static/css/app.css",
        "locale/vi/LC_MESSAGES/django.po",
        "workspace/__pycache__/partner_map.cpython-312.pyc",
    ],
)
def test_files_that_draw_nothing_keep_the_key(project, unrelated):
    before = build_key(project)
    path = project / unrelated
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("changed", encoding="utf-8")

    assert build_key(project) == before


def test_the_same_files_elsewhere_give_the_same_key(project, tmp_path):
    """Another checkout or container of the same release (the web and the worker)."""
    copy = shutil.copytree(project, tmp_path / "elsewhere")

    assert build_key(copy) == build_key(project)


def test_a_drawing_cached_before_a_template_change_is_not_served_after_it(project, tmp_path):
    def file_cache(key_prefix: str) -> FailSafeFileBasedCache:
        return FailSafeFileBasedCache(str(tmp_path / "cache"), {"KEY_PREFIX": key_prefix})

    old_release = file_cache(build_key(project))
    old_release.set("map:countries", "<svg>Partners</svg>")
    (project / MAP_BLOCK).write_text("<svg>{% translate 'Partner cities' %}</svg>\n")

    assert file_cache(build_key(project)).get("map:countries") is None
    # The old release's processes still in service keep reading their own.
    assert old_release.get("map:countries") == "<svg>Partners</svg>"


def test_another_process_over_the_same_files_gives_the_settings_the_same_key():
    """What a worker process started now would key the cache by, with production settings."""
    environment = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}
    printed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings as s; print(s.CACHES['default']['KEY_PREFIX'])",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()

    assert printed == build_key(ROOT)
    assert config.settings.CACHES["default"]["KEY_PREFIX"] == printed
