"""What every course widget shares: the box it shows, and a short plain-text form of it."""

from __future__ import annotations

from typing import Any


class FormWidget:
    """A form built from ipywidgets; subclasses set ``self._box`` and write ``__repr__``."""

    _box: Any

    @property
    def widget(self) -> Any:
        """The top-level ``ipywidgets.VBox``."""
        return self._box

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget view, with a short plain-text form (what a terminal or nbval sees)."""
        bundle = self._box._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/plain"] = repr(self)
        return bundle
