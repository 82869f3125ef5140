"""The newcomer's first run works on the embedded SQLite default: migrate, seed_demo twice,
the admin, dashboard, partners list and search render, and the background worker makes a
brief (scripts/smoke.py)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(args, env):
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


def test_a_first_run_on_sqlite_migrates_seeds_and_renders(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'first-run.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    run(["manage.py", "migrate", "--noinput", "-v", "0"], env)
    first = run(["manage.py", "seed_demo", "--password", "first-run-pass-2025"], env)
    assert "Account demo-viewer: created" in first
    second = run(["manage.py", "seed_demo"], env)
    assert "0 created, 0 updated" in second
    smoke = run(["scripts/smoke.py"], env)
    assert "rendered" in smoke
    assert "the worker made the brief" in smoke
