"""Browser tests against the real app: `reflex run --env prod --single-port` on a free port with
its own data directory (SQLite, demo data), driven by Playwright in Debian's chromium.

Runs in its own pytest invocation (`make test-e2e`). A file lock serialises runs on one
machine because the compiled frontend (.web/) is shared.
"""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-quic", "--disable-sync",
]
DEMO_PASSWORD = "servicepro-demo"
OWNER = "owner@cleanmachine.example"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env(data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEST_"))}
    env.update(
        SERVICEPRO_ENV="dev",
        DATA_DIR=str(data_dir),
        SERVICEPRO_PUBLIC_URL=f"http://localhost:{port}",
        SERVICEPRO_API_URL=f"http://localhost:{port}",
        JOBS_IMMEDIATE="1",
        REFLEX_STATES_WORKDIR=str(data_dir / "states"),
        REFLEX_USE_SYSTEM_BUN="1",
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
        PATH=f"{ROOT / '.tools/node_modules/.bin'}:{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    )
    return env


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    lock = open("/tmp/servicepro-e2e.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    data_dir = tmp_path_factory.mktemp("e2e-data")
    port = _free_port()
    env = _server_env(data_dir, port)
    for command in (["migrate"], ["seed-demo"]):
        subprocess.run([sys.executable, "-m", "backend.cli", *command], cwd=ROOT, env=env, check=True,
                       capture_output=True)
    log_path = data_dir / "reflex.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port", "--frontend-port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://localhost:{port}"
    deadline = time.monotonic() + 900
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"reflex exited early:\n{log_path.read_text()[-4000:]}")
            try:
                if "<html" in httpx.get(f"{base}/login/", timeout=5, follow_redirects=True).text:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"reflex did not start:\n{log_path.read_text()[-4000:]}")
            time.sleep(1)
        os.environ["E2E_DATA_DIR"] = str(data_dir)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture()
def page(browser, app_url):
    context = browser.new_context(base_url=app_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(30_000)
    pg = context.new_page()
    yield pg
    context.close()


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Signs in through the real login form and waits for the app shell."""
    page.goto("/login")
    page.fill("#login-email", email)
    page.fill("#login-password", password)
    page.click("#login-submit")
    page.wait_for_selector("#shell-tenant-name")
