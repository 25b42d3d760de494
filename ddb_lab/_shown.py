"""Objects that show themselves as their ``text()``: in print(), in a console and in IPython."""

from __future__ import annotations

from typing import Any


class TextShown:
    """Mixin: ``str()``, ``repr()`` and IPython's plain-text view are all ``self.text()``.

    A dataclass keeps its own generated ``repr`` unless declared with ``repr=False``.
    """

    def text(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.text()

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())
