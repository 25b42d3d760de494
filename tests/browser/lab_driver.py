"""Driving a real JupyterLab from the browser tests: the server, Chromium, and notebook pages.

Shared by ``conftest.py`` (fixtures), ``test_jupyterlab.py`` (chapter 1's explorer in depth) and
``test_chapters.py`` (every chapter and one exercise notebook).

The server runs from this venv (``sys.executable -m jupyter lab``) on a free 127.0.0.1 port with
a random token. Everything it writes (the notebook copies it autosaves, settings, workspaces,
runtime files, its log) lives in a temporary directory, never in the repository. Chromium is
Debian's ``/usr/bin/chromium`` driven by the Python playwright package (no
``playwright install``).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest

SERVER_START_TIMEOUT = 60.0  # seconds until /api/status must answer 200
SERVER_STOP_TIMEOUT = 10.0  # seconds between SIGTERM and SIGKILL
RUN_ALL_TIMEOUT_MS = 180_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1400, "height": 1000}
# Lab settings, one file per plugin. The notification settings silence the "Would you like to
# receive official Jupyter news?" toast and update checks. The notebook is not windowed, so that
# every cell (and every output) is in the page, not only the ones near the viewport.
LAB_SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}

KERNEL_IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
CELLS = ".jp-NotebookPanel .jp-Notebook .jp-Cell"
CODE_PROMPTS = ".jp-NotebookPanel .jp-CodeCell .jp-InputPrompt"
ERROR_OUTPUTS = ", ".join(
    [
        # JupyterLab renders both stderr streams and tracebacks with the stderr mime type.
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']",
        ".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']",
        # What ipywidgets shows when a widget cannot render.
        ".jp-OutputArea-output:has-text('Error displaying widget')",
    ]
)
# A notebook output that shows an ipywidgets view, i.e. the top-level widget of a cell (not one
# inside a widget's own Output). The widget manager renders it without a data-mime-type.
WIDGET_VIEWS = ".jp-OutputArea-output:has(> .jupyter-widgets):not(.widget-output *)"
# Every code cell shows "[n]:" (not "[ ]:" or "[*]:"). Stop waiting early when a dialog (e.g.
# "Select Kernel") blocks the run or a cell shows an error (Run All stops at a traceback and the
# cells after it keep "[ ]:"): the test then reports what it found.
ALL_CELLS_EXECUTED_JS = r"""() => {
    if (document.querySelector('.jp-Dialog')) return true;
    if (document.querySelector(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')) return true;
    const prompts = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')]
        .map(e => e.textContent.trim());
    return prompts.length > 0 && prompts.every(t => /^\[\d+\]:$/.test(t));
}"""
PROMPT_RE = re.compile(r"^\[(\d+)\]:$")
# The rendered pandas table: header names, then one list of cell texts per row (the index
# column included, so that position i in a row matches header i).
READ_DATAFRAME_JS = """table => ({
    headers: [...table.querySelectorAll('thead tr:last-child th')].map(e => e.textContent.trim()),
    rows: [...table.querySelectorAll('tbody tr')].map(
        tr => [...tr.children].map(e => e.textContent.trim())),
})"""
# Output rendered after the last mark_stale(): a widget that replaces its Output's contents
# makes JupyterLab render new elements (which carry no mark).
FRESH = ":not([data-test-stale])"


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab server."""

    base_url: str
    token: str
    root_dir: Path
    log_path: Path
    home: Path  # the kernels' DDB_LAB_HOME (progress, flashcard schedule)

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

    def shutdown_sessions(self) -> None:
        """Stop every session's kernel (one test's kernel must not outlive it)."""
        for session in self.get_json("/api/sessions"):
            request = urllib.request.Request(
                self.url(f"/api/sessions/{session['id']}"), method="DELETE"
            )
            try:
                with urllib.request.urlopen(request, timeout=10):
                    pass
            except urllib.error.HTTPError as error:
                if error.code != 404:  # already gone
                    raise


def chromium_or_skip() -> str:
    """Debian's chromium; skip without it, but fail under CI=true so CI cannot skip silently."""
    import shutil

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


def _write_settings(settings_dir: Path) -> None:
    for plugin, values in LAB_SETTINGS.items():
        package, name = plugin.rsplit("/", 1)
        folder = settings_dir / package
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.jupyterlab-settings").write_text(json.dumps(values))


def _lab_env(base: Path, home: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DDB_LAB_BACKEND", "DDB_LAB_ENDPOINT", "DDB_LAB_ALLOW_AWS"):
        env.pop(name, None)  # always the embedded backend, whatever the developer's shell says
    env.update(
        JUPYTERLAB_SETTINGS_DIR=str(base / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
        JUPYTER_CONFIG_DIR=str(base / "config"),  # ignore the user's jupyter config
        JUPYTER_DATA_DIR=str(base / "data"),  # e.g. the notebook signing key
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        # Learner state of its own: what the notebooks record (exercise progress, flashcard
        # reviews) must not change what other tests of the session (e.g. nbval) see.
        DDB_LAB_HOME=str(home),
        PYTHONHASHSEED="0",
    )
    return env


@contextmanager
def running_lab(root_dir: Path, base: Path) -> Iterator[LabServer]:
    """JupyterLab serving ``root_dir``, its state under ``base``; stopped on exit.

    Its kernels run with the embedded backend, ``PYTHONHASHSEED=0`` and a ``DDB_LAB_HOME`` of
    their own (``LabServer.home``).
    """
    _write_settings(base / "settings")
    (base / "workspaces").mkdir(parents=True, exist_ok=True)
    log_path = base / "lab.log"
    home = base / "ddb_lab_home"
    home.mkdir(parents=True, exist_ok=True)
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
            env=_lab_env(base, home),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, for the SIGKILL fallback
        )
    try:
        server = LabServer(f"http://127.0.0.1:{port}", token, root_dir, log_path, home)
        _wait_until_ready(server, process)
        yield server
    finally:
        _stop(process)


def _wait_until_ready(server: LabServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while not _status_ok(server.url("/api/status")):
        log = server.log_path
        if process.poll() is not None:
            pytest.fail(
                f"JupyterLab exited with code {process.returncode} before it was ready; "
                f"log {log}:\n{log.read_text(errors='replace')}",
                pytrace=False,
            )
        if time.monotonic() > deadline:
            pytest.fail(
                f"JupyterLab did not answer /api/status within {SERVER_START_TIMEOUT:.0f} s; "
                f"log {log}:\n{log.read_text(errors='replace')}",
                pytrace=False,
            )
        time.sleep(0.25)


def write_clean_copy(source: Path, root_dir: Path, relative: str) -> str:
    """Copy a notebook to ``root_dir / relative`` without outputs; return ``relative``.

    The copy has its outputs, execution counts and saved widget state stripped: the committed
    notebook carries ``[n]:`` prompts and outputs from ``make notebooks``, and the test must see
    the ones this run produces.
    """
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    target = root_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return relative


def code_cell_count(notebook: Path) -> int:
    """How many code cells ``notebook`` has."""
    nb = nbformat.read(notebook, as_version=4)
    return sum(cell.cell_type == "code" for cell in nb.cells)


@contextmanager
def screenshot_on_failure(page: Any, path: Path) -> Iterator[None]:
    """Re-raise any failure as an AssertionError that names a screenshot of the page."""
    try:
        yield
    except Exception as error:
        try:
            page.screenshot(path=str(path), full_page=True)
            where = f"screenshot: {path}"
        except Exception as shot_error:  # the page itself may be gone
            where = f"no screenshot ({shot_error})"
        raise AssertionError(f"{type(error).__name__}: {error}\n{where}") from error


def open_notebook(page: Any, server: LabServer, notebook: str) -> None:
    """Open ``notebook`` (a path under the root) and wait until its kernel is ready."""
    from playwright.sync_api import expect

    # &reset: start from the default layout, not a saved workspace.
    page.goto(server.url(f"/lab/tree/{notebook}?reset"))
    page.wait_for_selector(CELLS)
    server.wait_for_kernel(notebook)
    page.wait_for_selector(KERNEL_IDLE)
    kernel_status = page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle$"))
    expect(kernel_status).to_be_visible()  # "Python 3 (ipykernel) | Idle"


def run_all(page: Any, timeout_ms: int = RUN_ALL_TIMEOUT_MS) -> None:
    """Run > Run All Cells, then wait until every code cell shows ``[n]:`` (or one failed)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    page.wait_for_function(ALL_CELLS_EXECUTED_JS, timeout=timeout_ms)
    dialogs = page.locator(".jp-Dialog")
    assert dialogs.count() == 0, f"a dialog blocked Run All: {dialogs.first.inner_text()!r}"


def assert_no_error_outputs(page: Any) -> None:
    """No cell shows a traceback, stderr text or a widget that could not render.

    (The course's explained DynamoDB errors, ``.ddb-lab-error`` boxes, are meant to be shown.)
    """
    errors = page.locator(ERROR_OUTPUTS)
    error_texts = [text.strip()[:2000] for text in errors.all_inner_texts()]
    assert not error_texts, "cells produced error output:\n\n" + "\n\n---\n\n".join(error_texts)


def assert_all_cells_executed(page: Any, code_cells: int) -> None:
    """Every one of the ``code_cells`` code cells ran, once, in order: prompts ``[1]`` … ``[n]``.

    Run All on a fresh kernel numbers the cells 1, 2, 3…; a skipped cell keeps ``[ ]:``, a
    cell still running shows ``[*]:``, and a cell that ran twice breaks the sequence.
    """
    page.wait_for_function(ALL_CELLS_EXECUTED_JS, timeout=5_000)
    page.wait_for_selector(KERNEL_IDLE)
    prompts = [text.strip() for text in page.locator(CODE_PROMPTS).all_text_contents()]
    assert len(prompts) == code_cells, (
        f"the page shows {len(prompts)} code cells, the notebook has {code_cells}"
    )
    counts = [PROMPT_RE.match(prompt) for prompt in prompts]
    not_run = [i for i, match in enumerate(counts) if match is None]
    assert not not_run, f"code cells not executed (0-based among code cells): {not_run}"
    numbers = [int(match.group(1)) for match in counts if match is not None]
    assert numbers == list(range(1, code_cells + 1)), f"execution counts: {numbers}"


def mark_stale(scope: Any) -> None:
    """Tag what the Outputs under ``scope`` show now; see ``FRESH``."""
    scope.evaluate(
        "el => el.querySelectorAll('.widget-output .jp-OutputArea-output *')"
        ".forEach(e => e.setAttribute('data-test-stale', ''))"
    )


def widget_control(scope: Any, kind: str, label: str) -> Any:
    """The ``input``/``select``/... of the ipywidgets control under ``scope`` called ``label``.

    ``label`` is the control's description, or its placeholder for a control shown without
    one. ipywidgets 8 renders ``Text(description=...)`` as ``div.widget-text`` holding
    ``label.widget-label`` and ``input``; a Dropdown as ``div.widget-dropdown`` with a
    ``select``; a Textarea as ``div.widget-textarea`` with a ``textarea``; a slider as
    ``div.widget-slider`` whose value readout is an editable ``div.widget-readout``.
    """
    label_re = re.compile(rf"^\s*{re.escape(label)}\s*$")
    tag = {"dropdown": "select", "textarea": "textarea", "slider": ".widget-readout"}.get(
        kind, "input"
    )
    described = scope.page.locator("label.widget-label", has_text=label_re)
    placeholder = scope.page.locator(f"{tag}[placeholder={json.dumps(label)}]")
    box = scope.locator(f".widget-{kind}").filter(has=described.or_(placeholder))
    control = box.locator(tag)
    control.wait_for(state="visible")
    assert box.count() == 1, f'expected one {kind} called "{label}", found {box.count()}'
    return control


def read_dataframe(table: Any) -> list[dict[str, str]]:
    """The rows of a rendered pandas table as {column: text} dicts."""
    data = table.evaluate(READ_DATAFRAME_JS)
    headers: list[str] = data["headers"]
    return [dict(zip(headers, row, strict=True)) for row in data["rows"]]
