"""`make lab` serves JupyterLab on the course, opening the welcome notebook."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "ddb-lab-make-lab-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
        return int(response.status), response.read()


def test_make_lab_serves_the_welcome_notebook(tmp_path: Path) -> None:
    port = _free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    flags = f"--no-browser --ServerApp.token={TOKEN} --ServerApp.ip=127.0.0.1"
    log = (tmp_path / "lab.log").open("w")
    process = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"PORT={port}", f"LAB_FLAGS={flags}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, _ = _get(f"{base}/api/status?token={TOKEN}")
                if status == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, (tmp_path / "lab.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "lab.log").read_text()
            time.sleep(0.25)
        status, body = _get(f"{base}/api/contents/notebooks/00_welcome.ipynb?token={TOKEN}")
        assert status == 200
        assert json.loads(body)["content"]["cells"][0]["source"].startswith("# 0 · Welcome")
        status, page = _get(f"{base}/lab/tree/notebooks/00_welcome.ipynb?token={TOKEN}")
        assert status == 200 and b"JupyterLab" in page
        assert "notebooks/00_welcome.ipynb" in (tmp_path / "lab.log").read_text()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
