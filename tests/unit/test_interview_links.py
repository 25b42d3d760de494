"""Every chapter's interview angle points to its questions in the bank, with the right numbers."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from ddb_lab.interview.questions import CHAPTERS, load_bank

ROOT = Path(__file__).resolve().parents[2]
PRACTICE = re.compile(
    r"\*\*More practice:\*\* the question bank holds (\d+) questions on this chapter "
    r"\(topics ([^)]*)\): drill them in \[10 — Interview drills\]\(10_interview_drills\.ipynb\), "
    r"or in a terminal with `ddb-lab drill --topic (\w+)`\."
)


@pytest.mark.parametrize("number", range(1, 10))
def test_the_interview_angle_links_to_the_chapters_questions(number: int) -> None:
    stem, _ = CHAPTERS[number]
    notebook = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    (angle,) = [
        c.source
        for c in notebook.cells
        if c.cell_type == "markdown" and "## Interview angle" in c.source
    ]
    found = PRACTICE.search(angle)
    assert found, f"{stem}: the interview angle has no 'More practice' line"
    questions = load_bank().chapter(number)
    assert int(found.group(1)) == len(questions) > 0
    assert found.group(2) == ", ".join(f"`{t}`" for t in sorted({q.topic for q in questions}))
    assert found.group(3) == Counter(q.topic for q in questions).most_common(1)[0][0]
    assert (ROOT / "notebooks" / "10_interview_drills.ipynb").exists()
