"""Fixtures for the browser tests: a throwaway JupyterLab server and a headless Chromium page.

The server runs from this venv (``sys.executable -m jupyter lab``) on a free 127.0.0.1 port with
a random token. Everything it writes (the notebook copy it autosaves, settings, workspaces,
runtime files, its log) lives in pytest tmp dirs, never in the repository. Chromium is Debian's
``/usr/bin/chromium`` driven by the Python playwright package (no ``playwright install``).

Without chromium the browser tests skip, except under ``CI=true``, where they fail so that CI
cannot pass by skipping them. ``make test`` installs chromium when run as root with ``CI=true``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SERVER_START_TIMEOUT = 60.0  # seconds until /api/status must answer 200
SERVER_STOP_TIMEOUT = 10.0  # seconds between SIGTERM and SIGKILL
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
# Silences the "Would you like to receive official Jupyter news?" toast and update checks.
NOTIFICATION_SETTINGS = {"fetchNews": "false", "checkForUpdates": False}

LAB_LOG_KEY = pytest.StashKey[Path]()


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab server."""

    base_url: str
    token: str
    root_dir: Path
    log_path: Path

    def url(self, path: str) -> str:
        """An URL for ``path`` with the token (``path`` may already have a query string)."""
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}{path}{sep}token={self.token}"

    def get_json(self, path: str) -> Any:
        """GET a REST endpoint (``/api/...``) and decode its JSON."""
        with urllib.request.urlopen(self.url(path), timeout=5) as response:
            return json.load(response)

    def wait_for_kernel(self, notebook: str, timeout: float = 60.0) -> dict[str, Any]:
        """Wait until the notebook's kernel is idle and a browser is connected to it.

        The toolbar's execution indicator reads "idle" before the page has connected to the
        kernel; running cells then opens JupyterLab's "Select Kernel" dialog instead.
        """
        deadline = time.monotonic() + timeout
        sessions: Any = []
        while time.monotonic() < deadline:
            sessions = self.get_json("/api/sessions")
            for session in sessions:
                kernel = session.get("kernel") or {}
                if (
                    session.get("path") == notebook
                    and kernel.get("execution_state") == "idle"
                    and kernel.get("connections", 0) >= 1
                ):
                    return dict(session)
            time.sleep(0.25)
        raise TimeoutError(
            f"no idle, connected kernel for {notebook} within {timeout:.0f} s: {sessions}"
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Attach the JupyterLab log to the report of a failed browser test (setup or call)."""
    outcome = yield
    report = outcome.get_result()
    log_path = item.stash.get(LAB_LOG_KEY, None)
    if report.failed and log_path is not None and log_path.exists():
        text = log_path.read_text(errors="replace")
        report.sections.append((f"JupyterLab log ({log_path})", text[-20_000:]))


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium; skip without it, but fail under CI=true so CI cannot skip silently."""
    path = shutil.which("chromium")
    if path is None:
        message = (
            "chromium not found: the browser tests need Debian's chromium on PATH; "
            "install Debian's chromium (apt-get install chromium) or run `make test` as root "
            "with CI=true"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI=true: refusing to skip)", pytrace=False)
        pytest.skip(message)
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _status_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (lab shuts its kernels down), then SIGKILL the group if it hangs."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=SERVER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            try:  # the whole process group (kernels run in sessions of their own)
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=SERVER_STOP_TIMEOUT)


@pytest.fixture
def lab_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, lab_root: Path
) -> Iterator[LabServer]:
    """JupyterLab serving ``lab_root`` (the test puts its notebook there); stopped afterwards."""
    root_dir = lab_root
    base = tmp_path_factory.mktemp("jupyterlab")
    settings = base / "settings"
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (
        settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    ).write_text(json.dumps(NOTIFICATION_SETTINGS))
    workspaces = base / "workspaces"
    workspaces.mkdir()
    log_path = base / "lab.log"
    request.node.stash[LAB_LOG_KEY] = log_path

    env = dict(os.environ)
    for name in ("DDB_LAB_BACKEND", "DDB_LAB_ENDPOINT", "DDB_LAB_ALLOW_AWS"):
        env.pop(name, None)  # always the embedded backend, whatever the developer's shell says
    env.update(
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(workspaces),
        JUPYTER_CONFIG_DIR=str(base / "config"),  # ignore the user's jupyter config
        JUPYTER_DATA_DIR=str(base / "data"),  # e.g. the notebook signing key
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        PYTHONHASHSEED="0",
    )
    token = secrets.token_hex(16)
    port = _free_port()
    cmd = [
        sys.executable, "-m", "jupyter", "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    if os.getuid() == 0:
        cmd.append("--allow-root")

    with log_path.open("wb") as log:
        process = subprocess.Popen(
            cmd,
            cwd=root_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, for the SIGKILL fallback
        )
    try:
        server = LabServer(f"http://127.0.0.1:{port}", token, root_dir, log_path)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _status_ok(server.url("/api/status")):
            if process.poll() is not None:
                pytest.fail(
                    f"JupyterLab exited with code {process.returncode} before it was ready; "
                    f"log {log_path}:\n{log_path.read_text(errors='replace')}",
                    pytrace=False,
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"JupyterLab did not answer /api/status within {SERVER_START_TIMEOUT:.0f} s; "
                    f"log {log_path}:\n{log_path.read_text(errors='replace')}",
                    pytrace=False,
                )
            time.sleep(0.25)
        yield server
    finally:
        _stop(process)


@pytest.fixture
def lab_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The (empty) root_dir the server will serve; put the notebook under test here."""
    return tmp_path_factory.mktemp("lab_root")


@pytest.fixture
def browser_page(chromium_path: str) -> Iterator[Any]:
    """A fresh headless Chromium page (1400x1000) with a 60 s default timeout."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            yield page
        finally:
            browser.close()
