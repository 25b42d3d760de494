"""The progress store: atomic, locked writes; bad files set aside, never erased."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ddb_lab.grader import registry
from ddb_lab.grader.progress import ChapterProgress, ProgressStore
from ddb_lab.grader.registry import Exercise
from ddb_lab.grader.runner import CheckResult, Status

COURSE = [
    Exercise("01.alpha", 1, "Alpha", "alpha", 2, ("a1", "a2", "a3")),
    Exercise("01.beta", 1, "Beta", "beta", 3, ("b1",)),
    Exercise("02.gamma", 2, "Gamma", "gamma", 4, ("g1", "g2")),
]


@pytest.fixture(autouse=True)
def course() -> Iterator[None]:
    with registry.override(COURSE):
        yield


def result(exercise_id: str, status: Status = "failed") -> CheckResult:
    points = {e.id: e.points for e in COURSE}.get(exercise_id, 1)
    return CheckResult(
        exercise_id=exercise_id,
        title="",
        status=status,
        message="",
        expected=None,
        got=None,
        advice="",
        points=points if status == "passed" else 0,
        max_points=points,
    )


def test_home_defaults_to_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DDB_LAB_HOME", str(tmp_path / "home"))
    assert ProgressStore().path == tmp_path / "home" / "progress.json"
    monkeypatch.delenv("DDB_LAB_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert ProgressStore().path == tmp_path / ".ddb_lab" / "progress.json"


def test_record_result_counts_attempts_and_keeps_a_pass(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    assert store.entry("01.alpha") == {
        "status": "not_attempted",
        "attempts": 0,
        "passed": False,
        "hints_shown": 0,
        "solution_shown": False,
    }
    assert not tmp_path.joinpath("progress.json").exists()  # reading writes nothing
    store.record_result(result("01.alpha", "failed"))
    store.record_result(result("01.alpha", "passed"))
    store.record_result(result("01.alpha", "failed"))
    entry = ProgressStore(tmp_path).entry("01.alpha")  # a second store reads the file
    assert entry["attempts"] == 3
    assert entry["status"] == "failed"
    assert entry["passed"] is True
    data = json.loads((tmp_path / "progress.json").read_text())
    assert data["format"] == "ddb-lab-progress"
    assert data["version"] == 1
    assert set(data["exercises"]) == {"01.alpha"}


def test_hints_and_solution(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    assert [store.record_hint("01.alpha") for _ in range(5)] == [1, 2, 3, 3, 3]
    assert store.record_hint("01.beta") == 1
    assert store.record_hint("01.beta") == 1
    store.mark_solution_shown("02.gamma")
    assert store.entry("02.gamma")["solution_shown"] is True
    assert store.entry("01.alpha")["hints_shown"] == 3
    with pytest.raises(KeyError, match="Did you mean '01.alpha'"):
        store.record_hint("01.alpa")


def test_summary_next_exercise_and_reset(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    assert store.next_exercise() == COURSE[0]
    store.record_result(result("01.beta", "passed"))
    assert store.next_exercise() == COURSE[0]
    store.record_result(result("01.alpha", "passed"))
    assert store.next_exercise() == COURSE[2]
    assert store.summary() == [
        ChapterProgress(chapter=1, done=2, total=2, points=5, max_points=5),
        ChapterProgress(chapter=2, done=0, total=1, points=0, max_points=4),
    ]
    store.record_result(result("02.gamma", "passed"))
    assert store.next_exercise() is None

    store.reset("01.alpha")
    assert store.entry("01.alpha")["attempts"] == 0
    assert store.entry("01.beta")["passed"] is True
    assert store.next_exercise() == COURSE[0]
    with pytest.raises(KeyError, match="There is no exercise '01.zeta'"):
        store.reset("01.zeta")
    store.reset()
    assert store.summary()[0].done == 0
    assert json.loads(store.path.read_text())["exercises"] == {}


def test_entries_of_exercises_no_longer_in_the_course_are_ignored(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    store.record_result(result("09.retired", "passed"))
    assert [c.done for c in store.summary()] == [0, 0]
    store.reset("09.retired")  # still removable
    assert "09.retired" not in json.loads(store.path.read_text())["exercises"]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b'{"format": "ddb-lab-progress", "version": 1, "exerc', "not valid JSON"),
        (b"\xff\xfe not text", "not valid JSON"),
        (b'{"format": "someone-else", "version": 1, "exercises": {}}', "not a ddb-lab-progress"),
        (b'{"format": "ddb-lab-progress", "version": 2, "exercises": {}}', "of version 1"),
        (b"[1, 2, 3]", "not a ddb-lab-progress"),
    ],
)
def test_a_bad_file_is_set_aside_not_erased(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, why: str
) -> None:
    path = tmp_path / "progress.json"
    path.write_bytes(content)
    (tmp_path / "progress.json.corrupt-1").write_bytes(b"an older one")
    store = ProgressStore(tmp_path)
    assert store.entry("01.alpha")["attempts"] == 0
    kept = tmp_path / "progress.json.corrupt-2"
    assert kept.read_bytes() == content
    assert (tmp_path / "progress.json.corrupt-1").read_bytes() == b"an older one"
    assert len(store.warnings) == 1
    assert why in store.warnings[0]
    assert str(kept) in store.warnings[0]
    assert str(kept) in capsys.readouterr().err
    store.record_result(result("01.alpha"))
    assert store.entry("01.alpha")["attempts"] == 1
    assert len(store.warnings) == 1  # the fresh file is ours


# -- writers in other processes --------------------------------------------------------------------
IDS = [f"01.e{i}" for i in range(40)]


def _writer(home: str, rounds: int, start: int = 0) -> None:
    store = ProgressStore(home)
    for n in range(start, start + rounds):
        store.record_result(result(IDS[n % len(IDS)]))


def _start(target: Callable[..., None], *args: Any) -> Any:
    context = multiprocessing.get_context("fork")
    process = context.Process(target=target, args=args)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        process.start()
    return process


def _total_attempts(path: Path) -> int:
    data = json.loads(path.read_text("utf-8"))
    assert data["format"] == "ddb-lab-progress"
    assert data["version"] == 1
    exercises = data["exercises"]
    total = sum(e["attempts"] for e in exercises.values())
    # One of the states the writers wrote: the attempts went round IDS one write at a time.
    base, extra = divmod(total, len(IDS))
    for i, exercise_id in enumerate(IDS):
        expected = base + (1 if i < extra else 0)
        assert exercises.get(exercise_id, {"attempts": 0})["attempts"] == expected
    for entry in exercises.values():
        assert entry["status"] == "failed"
        assert entry["passed"] is False
    return total


@pytest.mark.timeout(60)
def test_a_writer_killed_mid_write_never_leaves_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    rng = random.Random(7)
    last = 0
    for _ in range(8):
        process = _start(_writer, str(tmp_path), 10_000_000, last)
        try:
            deadline = time.monotonic() + 10
            while not path.exists() or _total_attempts(path) <= last:
                assert time.monotonic() < deadline, "the writer made no progress"
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.05))
        finally:
            os.kill(process.pid, signal.SIGKILL)
            process.join(5)
        assert process.exitcode == -signal.SIGKILL
        total = _total_attempts(path)  # parses, and is a state that was written
        assert total > last
        last = total
    assert not list(tmp_path.glob("progress.json.corrupt-*"))
    ProgressStore(tmp_path).record_result(result(IDS[last % len(IDS)]))  # left-over temp cleaned
    assert not list(tmp_path.glob(".progress-*.tmp"))
    assert _total_attempts(path) == last + 1


@pytest.mark.timeout(60)
def test_concurrent_writers_lose_no_update(tmp_path: Path) -> None:
    rounds = 120
    writers = [_start(_writer, str(tmp_path), rounds) for _ in range(2)]
    try:
        for process in writers:
            process.join(30)
            assert process.exitcode == 0
    finally:
        for process in writers:
            if process.is_alive():
                process.kill()
                process.join(5)
    # Each writer restarted the cycle at IDS[0]; the sum is all that must add up.
    data = json.loads((tmp_path / "progress.json").read_text())
    assert sum(e["attempts"] for e in data["exercises"].values()) == 2 * rounds
    assert data["exercises"][IDS[0]]["attempts"] == 2 * (rounds // len(IDS))
