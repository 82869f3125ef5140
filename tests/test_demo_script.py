"""scripts/demo.sh, the README's first command (issue 14, finding 12): quiet set-up, the
address and both accounts with their passwords printed last, new passwords on every run,
``--port N``, and a clear refusal before any work when the port is taken."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "demo.sh"
READY = "Stop with Ctrl+C."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_env(tmp_path: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "CACHE_DIR": str(tmp_path / "cache"),
    }


def run_demo_until_ready(port: int, env: dict[str, str], *args: str) -> str:
    """Start the demo, read its output until the summary, stop it; the output so far."""
    process = subprocess.Popen(
        ["sh", str(SCRIPT), "--port", str(port), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 600
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if READY in line or time.monotonic() > deadline:
                break
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    return "".join(lines)


def passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"(demo-(?:editor|viewer))\s+password: (\S+)", output))


def check_password(env: dict[str, str], username: str, password: str) -> bool:
    code = (
        "from django.contrib.auth import get_user_model; "
        f"print(get_user_model().objects.get(username={username!r}).check_password({password!r}))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1] == "True"


def test_a_taken_port_is_refused_at_once_before_any_work(tmp_path):
    env = demo_env(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = subprocess.run(
            ["sh", str(SCRIPT), "--port", str(port)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert time.monotonic() - started < 10
    assert not (tmp_path / "demo.sqlite3").exists()  # nothing migrated, nothing seeded


def test_an_unknown_option_is_refused_with_the_usage(tmp_path):
    result = subprocess.run(
        ["sh", str(SCRIPT), "--prot", "8001"],
        cwd=ROOT,
        env=demo_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "usage: scripts/demo.sh [--port N]" in result.stderr


def test_the_demo_prints_the_address_and_passwords_last_and_again_on_a_second_run(tmp_path):
    env = demo_env(tmp_path)
    port = free_port()
    first = run_demo_until_ready(port, env)
    # Quiet: no migration list, no install log, no record tally.
    assert "Applying " not in first
    assert "Demo records" not in first
    assert len(first.splitlines()) < 30, first
    # Last: the address and both accounts, after the server's own banner.
    tail = first[first.index("Starting") :]
    assert f"http://127.0.0.1:{port}/" in tail.split("Quit the server")[1]
    shown = passwords(tail)
    assert set(shown) == {"demo-editor", "demo-viewer"}
    assert check_password(env, "demo-viewer", shown["demo-viewer"])

    again = run_demo_until_ready(port, env)  # the port is free again once stopped
    shown_again = passwords(again)
    assert set(shown_again) == {"demo-editor", "demo-viewer"}
    assert shown_again["demo-editor"] != shown["demo-editor"]
    assert check_password(env, "demo-editor", shown_again["demo-editor"])
    assert not check_password(env, "demo-editor", shown["demo-editor"])
