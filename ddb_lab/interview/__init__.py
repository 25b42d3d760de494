"""Interview preparation: the question bank, flashcards, mock interviews and drills.

* :mod:`ddb_lab.interview.questions`: the bank (``bank/*.toml``), read and checked.
* :mod:`ddb_lab.interview.flashcards`: spaced repetition (SM-2), kept under ``$DDB_LAB_HOME``.
* :mod:`ddb_lab.interview.mock`: a timed mock interview, self-scored against the rubric.
* :mod:`ddb_lab.interview.anki`: the bank as an Anki deck (``.apkg``).
* :mod:`ddb_lab.interview.drill`: the terminal front-end behind ``ddb-lab drill``.
* :mod:`ddb_lab.interview.mathdrills`: capacity and cost questions generated from a seed.
* :mod:`ddb_lab.interview.challenges`: design challenges judged by the modeling verifier.

Used in: notebooks/10_interview_drills.ipynb.
"""

from __future__ import annotations

from ddb_lab.interview import anki, challenges, flashcards, mathdrills, mock, questions

__all__ = ["anki", "challenges", "flashcards", "mathdrills", "mock", "questions"]
