"""The math drill form: one generated capacity or cost question at a time, judged on the spot.

The logic (the drills, the judging, the score) is ``mathdrills.DrillSession`` in
``ddb_lab.interview``; this module only shows the current question, reads the answer box and
prints the verdict with the worked solution.

Used in: notebooks/10_interview_drills.ipynb
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ddb_lab.interview.mathdrills import TOPICS, DrillSession
from ddb_lab.widgets._base import FormWidget

__all__ = ["MathDrills"]


class MathDrills(FormWidget):
    """A form over a :class:`DrillSession`: question, answer box, Check button, score.

    Args:
        seed: the run's seed (the same seed, the same questions).
        count: questions in the run.
        topic: one of ``mathdrills.TOPICS``, or None for a mix.
    """

    def __init__(self, seed: int = 1, count: int = 10, topic: str | None = None) -> None:
        self.session = DrillSession(seed, count, topic)
        self._question = w.HTML()
        self._answer = w.Text(
            placeholder="your answer, e.g. 250 or 1,200 RCU", description="Answer"
        )
        self._check = w.Button(description="Check", button_style="primary")
        self._topic = w.Dropdown(
            options=["mixed", *TOPICS], value=topic or "mixed", description="Topic"
        )
        self._restart = w.Button(description="New run")
        self._result = w.Output()
        self._score = w.HTML()
        self._check.on_click(lambda _: self.submit(self._answer.value))
        self._restart.on_click(lambda _: self.restart())
        self._seed = seed
        self._count = count
        self._box = w.VBox(
            [
                w.HBox([self._topic, self._restart]),
                self._question,
                w.HBox([self._answer, self._check]),
                self._result,
                self._score,
            ]
        )
        self._render()

    def _render(self) -> None:
        drill = self.session.current
        if drill is None:
            self._question.value = "<b>Run complete.</b>"
            self._check.disabled = True
        else:
            self._question.value = (
                f"<b>Question {self.session.position + 1} of {len(self.session.drills)}</b> "
                f"<i>({drill.topic})</i><br>{drill.question}"
            )
            self._check.disabled = False
        self._score.value = f"<small>{self.session.text()}</small>"

    def submit(self, answer: Any) -> str:
        """Judge ``answer`` for the current question; returns (and shows) the verdict."""
        if self.session.current is None:
            return "Run complete."
        attempt = self.session.answer(answer)
        self._result.clear_output()
        with self._result:
            print(attempt.text())
        self._answer.value = ""
        self._render()
        return attempt.text()

    def restart(self) -> None:
        """A new run with the next seed and the chosen topic."""
        self._seed += 1
        topic = None if self._topic.value == "mixed" else str(self._topic.value)
        self.session = DrillSession(self._seed, self._count, topic)
        self._result.clear_output()
        self._render()

    def __repr__(self) -> str:
        drill = self.session.current
        question = drill.question if drill else "run complete"
        return f"<MathDrills: {question} (run this cell in JupyterLab to use the form)>"
