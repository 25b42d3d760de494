"""Fixtures for the browser tests: one JupyterLab server and one headless Chromium per session.

The server serves a temporary root dir (``lab_root``); each test copies the notebook it drives
there, opens it in a fresh browser page, and its kernel is shut down afterwards. Starting the
server and the browser once saves about 5 s per notebook. How the server and the browser are
run is in ``lab_driver.py`` (not ``jupyterlab.py``: that name would shadow the jupyterlab
package on sys.path).

Without chromium the browser tests skip, except under ``CI=true``, where they fail so that CI
cannot pass by skipping them. ``make test`` installs chromium when run as root with ``CI=true``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lab_driver import CHROMIUM_ARGS, VIEWPORT, LabServer, chromium_or_skip, running_lab

LAB_LOG_KEY = pytest.StashKey[Path]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Attach the JupyterLab log to the report of a failed browser test (setup or call)."""
    outcome = yield
    report = outcome.get_result()
    if not report.failed or "lab_server" not in getattr(item, "fixturenames", ()):
        return
    log_path = item.config.stash.get(LAB_LOG_KEY, None)
    if log_path is not None and log_path.exists():
        text = log_path.read_text(errors="replace")
        report.sections.append((f"JupyterLab log ({log_path})", text[-20_000:]))


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium; skip without it, but fail under CI=true so CI cannot skip silently."""
    return chromium_or_skip()


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The root_dir the server serves; each test puts the notebook it drives here."""
    return tmp_path_factory.mktemp("lab_root")


@pytest.fixture(scope="session")
def lab_session_server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    lab_root: Path,
    chromium_path: str,  # no browser, no server: skip (or fail under CI) before starting one
) -> Iterator[LabServer]:
    """JupyterLab serving ``lab_root`` for the whole session."""
    base = tmp_path_factory.mktemp("jupyterlab")
    request.config.stash[LAB_LOG_KEY] = base / "lab.log"
    with running_lab(lab_root, base) as server:
        yield server


@pytest.fixture
def lab_server(lab_session_server: LabServer) -> Iterator[LabServer]:
    """The session's JupyterLab; the kernels a test started are shut down after it."""
    yield lab_session_server
    lab_session_server.shutdown_sessions()


@pytest.fixture(scope="module")
def chromium(chromium_path: str) -> Iterator[Any]:
    """One headless Chromium per test module (Debian's, driven by playwright).

    Module scope: playwright's sync API keeps an asyncio loop running in this thread while it is
    open, so it must close before other tests run (nbclient, for one, calls asyncio.run).
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    """A fresh page (own context: no shared storage) of 1400x1000, 60 s default timeout."""
    context = chromium.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        yield page
    finally:
        context.close()
