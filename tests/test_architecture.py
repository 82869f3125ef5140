"""The apps stand in layers and import only downwards (README, "Layout").

`lint-imports` (import-linter, configured in pyproject.toml) checks the real tree; the
other tests run the same configuration on a copy of the apps into which one forbidden
import has been written, and expect the contract to break.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
APPS = (
    "common",
    "jobs",
    "partnerships",
    "agreements",
    "delegations",
    "workspace",
    "sheets",
    "demo",
)


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--config", root / "pyproject.toml"],
        cwd=root,
        env={"PATH": str(LINT_IMPORTS.parent), "PYTHONPATH": str(root)},
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )


def copy_of_the_apps(destination: Path) -> Path:
    """The apps' Python modules and the project's pyproject.toml, under ``destination``."""
    for app in APPS:
        shutil.copytree(
            BASE_DIR / app,
            destination / app,
            ignore=shutil.ignore_patterns("templates", "data", "__pycache__", "*.html"),
        )
    shutil.copy(BASE_DIR / "pyproject.toml", destination)
    return destination


def test_no_app_imports_an_app_above_it():
    result = lint_imports(BASE_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_the_unchanged_copy_keeps_the_contract(tmp_path):
    result = lint_imports(copy_of_the_apps(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "importer", "imported"),
    [
        # common imports no app of ours
        ("common/text.py", "import workspace.freshness", "common.text", "workspace.freshness"),
        # jobs knows no brief and no spreadsheet: the apps register their kinds with it
        ("jobs/models.py", "import sheets.importing", "jobs.models", "sheets.importing"),
        # not even inside a function
        (
            "partnerships/models.py",
            "def _visits():\n    from delegations.models import Visit\n    return Visit",
            "partnerships.models",
            "delegations.models",
        ),
        # the sheet machinery in common is generic over the model: it knows no city
        (
            "common/sheetkit/resource.py",
            "from partnerships import sheet_lookups",
            "common.sheetkit.resource",
            "partnerships.sheet_lookups",
        ),
        # agreements stands below delegations (the visits' sheet is delegations' own)
        (
            "agreements/resources.py",
            "from delegations import resources",
            "agreements.resources",
            "delegations.resources",
        ),
        # the record apps define their sheets; the pages that import them are sheets' own
        (
            "delegations/resources.py",
            "from sheets import views",
            "delegations.resources",
            "sheets.views",
        ),
        # sheets stands below demo
        ("sheets/importing.py", "import demo.loader", "sheets.importing", "demo.loader"),
        # the record apps stand below the workspace
        (
            "delegations/brief.py",
            "from workspace.stories import person_story",
            "delegations.brief",
            "workspace.stories",
        ),
    ],
)
def test_the_contract_breaks_when_an_app_imports_one_above_it(
    tmp_path, module, line, importer, imported
):
    root = copy_of_the_apps(tmp_path)
    path = root / module
    path.write_text(path.read_text() + "\n\n" + line + "\n")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "Contracts: 0 kept, 1 broken." in result.stdout
    assert f"{importer} -> {imported}" in result.stdout
