"""The mock interview and flashcard forms: thin ipywidgets views over :mod:`ddb_lab.interview`.

:class:`MockInterviewForm` shows one question at a time with a text box; **Show model answer**
records the answer and reveals the model answer and one checkbox per key point; **Score and
next** records the ticked points; after the last question the summary (weak topics, chapters to
study) replaces the form. :class:`FlashcardForm` shows a card, **Show answer** turns it, and the
four grade buttons reschedule it. All the logic (drawing, timing, scoring, scheduling) lives in
:class:`~ddb_lab.interview.mock.MockInterview` and
:class:`~ddb_lab.interview.flashcards.Flashcards`; a button press never raises: a problem is
shown in the form.

Used in: notebooks/10_interview_drills.ipynb.
"""

from __future__ import annotations

import html
from typing import Any, Final

import ipywidgets as w

from ddb_lab.interview.flashcards import GRADES, Flashcards
from ddb_lab.interview.mock import MockInterview
from ddb_lab.interview.questions import Question
from ddb_lab.widgets._base import FormWidget
from ddb_lab.widgets.explorer import _error_html

__all__ = ["FlashcardForm", "MockInterviewForm"]

_HINT: Final = "run this cell in JupyterLab to use the form"


def _display(text: str, html_text: str) -> dict[str, Any]:
    data = {"text/plain": text, "text/html": html_text}
    return {"output_type": "display_data", "data": data, "metadata": {}}


def _paragraph(label: str, text: str) -> str:
    return f"<p><b>{html.escape(label)}</b> {html.escape(text)}</p>"


def _bullets(items: tuple[str, ...]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"


def _review_html(question: Question) -> str:
    return (
        _paragraph("Model answer:", question.answer)
        + "<p><b>Follow-ups:</b></p>"
        + _bullets(question.follow_ups)
        + _paragraph("Common wrong answer:", question.wrong_answer)
        + f"<p><i>Taught in {html.escape(question.chapter_link)}</i></p>"
    )


class MockInterviewForm(FormWidget):
    """A timed mock interview in a form.

    Args:
        interview: the round to run (default: ``MockInterview()``, five questions, seed 0).

    Used in: notebooks/10_interview_drills.ipynb
    """

    def __init__(self, interview: MockInterview | None = None) -> None:
        self.interview = interview if interview is not None else MockInterview()
        self.error: str | None = None
        self.header = w.HTML()
        self.question_html = w.HTML()
        self.answer_text = w.Textarea(
            placeholder="Answer as you would out loud, in a few sentences.",
            layout=w.Layout(width="100%", height="140px"),
        )
        self.reveal_button = w.Button(description="Show model answer", button_style="primary")
        self.skip_button = w.Button(description="Skip")
        self.review_html = w.HTML()
        self.points_box = w.VBox()
        self.score_button = w.Button(description="Score and next", button_style="success")
        self.output = w.Output()
        self.reveal_button.on_click(self._on_reveal)
        self.skip_button.on_click(self._on_skip)
        self.score_button.on_click(self._on_score)
        self._box = w.VBox(
            [
                self.header,
                self.question_html,
                self.answer_text,
                w.HBox([self.reveal_button, self.skip_button]),
                self.review_html,
                self.points_box,
                self.score_button,
                self.output,
            ]
        )
        self._render()

    # --- actions (also callable from code) -----------------------------------------------------
    def reveal(self) -> None:
        """Record the text box as the answer and show the model answer and the rubric."""
        self.interview.answer(self.answer_text.value)
        self._render()

    def skip(self) -> None:
        """Skip the current question (no key points)."""
        self.interview.skip()
        self.answer_text.value = ""
        self._render()

    def submit_score(self) -> None:
        """Record the ticked key points and move to the next question (or the summary)."""
        ticked = [bool(box.value) for box in self.points_box.children]
        self.interview.score(ticked)
        self.answer_text.value = ""
        self._render()

    def __repr__(self) -> str:
        stage = self.interview.stage
        where = self.interview.header()
        return f"<MockInterviewForm: {where} ({stage}); {_HINT}>"

    # --- callbacks: never raise ----------------------------------------------------------------
    def _on_reveal(self, _button: Any) -> None:
        self._safely(self.reveal)

    def _on_skip(self, _button: Any) -> None:
        self._safely(self.skip)

    def _on_score(self, _button: Any) -> None:
        self._safely(self.submit_score)

    def _safely(self, action: Any) -> None:
        try:
            self.error = None
            action()
        except Exception as error:  # shown in the widget, never raised
            self.error = str(error)
            self.output.outputs = (
                _display(f"{type(error).__name__}: {error}", _error_html("Error", str(error))),
            )

    # --- rendering -----------------------------------------------------------------------------
    def _render(self) -> None:
        interview = self.interview
        question = interview.current
        self.header.value = f"<b>{html.escape(interview.header())}</b>"
        reviewing = interview.stage == "review"
        done = question is None
        self.question_html.value = (
            "" if question is None else f"<p>{html.escape(question.question)}</p>"
        )
        self.answer_text.disabled = reviewing or done
        self.answer_text.layout.display = "none" if done else None
        self.reveal_button.disabled = self.skip_button.disabled = reviewing or done
        self.score_button.disabled = not reviewing
        if reviewing and question is not None:
            self.review_html.value = _review_html(question)
            self.points_box.children = tuple(
                w.Checkbox(
                    value=False,
                    description=point,
                    indent=False,
                    style={"description_width": "initial"},
                    layout=w.Layout(width="100%"),
                )
                for point in question.key_points
            )
        else:
            self.review_html.value = ""
            self.points_box.children = ()
        if done:
            summary = interview.summary()
            self.output.outputs = (_display(summary.text(), summary._repr_html_()),)
        else:
            self.output.outputs = ()


class FlashcardForm(FormWidget):
    """Flashcards in a form: due cards first, then new ones.

    Args:
        deck: the deck to study (default: ``Flashcards()``, every topic, saved under
            ``$DDB_LAB_HOME``).
        limit: at most this many cards in the session.

    Used in: notebooks/10_interview_drills.ipynb
    """

    def __init__(self, deck: Flashcards | None = None, limit: int | None = None) -> None:
        self.deck = deck if deck is not None else Flashcards()
        self.queue = self.deck.session(limit)
        self.position = 0
        self.turned = False
        self.error: str | None = None
        self.status = w.HTML()
        self.card_html = w.HTML()
        self.show_button = w.Button(description="Show answer", button_style="primary")
        self.grade_buttons = [w.Button(description=grade) for grade in GRADES]
        self.output = w.Output()
        self.show_button.on_click(lambda _b: self._safely(self.turn))
        for button in self.grade_buttons:
            button.on_click(self._on_grade)
        self._box = w.VBox(
            [self.status, self.card_html, self.show_button, w.HBox(self.grade_buttons), self.output]
        )
        self._render()

    @property
    def current(self) -> Question | None:
        return self.queue[self.position] if self.position < len(self.queue) else None

    def turn(self) -> None:
        """Show the model answer and the key points of the current card."""
        if self.current is None:
            raise RuntimeError("the session is over")
        self.turned = True
        self._render()

    def grade(self, grade: str) -> None:
        """Grade the current (turned) card and move on."""
        question = self.current
        if question is None or not self.turned:
            raise RuntimeError("turn the card before grading it")
        self.deck.review(question.id, grade)
        self.position += 1
        self.turned = False
        self._render()

    def __repr__(self) -> str:
        return f"<FlashcardForm: {self.deck.text()}; {_HINT}>"

    def _on_grade(self, button: Any) -> None:
        self._safely(lambda: self.grade(str(button.description)))

    def _safely(self, action: Any) -> None:
        try:
            self.error = None
            action()
        except Exception as error:  # shown in the widget, never raised
            self.error = str(error)
            self.output.outputs = (
                _display(f"{type(error).__name__}: {error}", _error_html("Error", str(error))),
            )

    def _render(self) -> None:
        question = self.current
        total = len(self.queue)
        if question is None:
            self.status.value = f"<b>Session over: {len(self.deck.reviews)} card(s) reviewed.</b>"
            self.card_html.value = f"<p>{html.escape(self.deck.text())}</p>"
        else:
            self.status.value = (
                f"<b>Card {self.position + 1} of {total}</b> · {html.escape(question.topic_title)}"
                f" · {question.difficulty}"
            )
            body = f"<p>{html.escape(question.question)}</p>"
            if self.turned:
                body += (
                    _paragraph("Answer:", question.answer)
                    + _bullets(question.key_points)
                    + f"<p><i>{html.escape(question.chapter_link)}</i></p>"
                )
            self.card_html.value = body
        self.show_button.disabled = question is None or self.turned
        for button in self.grade_buttons:
            button.disabled = question is None or not self.turned
        self.output.outputs = ()
