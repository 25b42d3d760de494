"""The hot-partition simulator: slide the key skew, shards and capacity, watch partitions throttle.

All the simulation lives in :mod:`ddb_lab.simulate`, and the verdict in
:func:`ddb_lab.calculators.hot_partition_report`; this module only reads the sliders, runs the
report, and renders the verdict and two plots (per-partition heatmap, capacity and throttles)
into an Output as PNG images. A change never raises: a problem shows up as a styled error
message, not a traceback.

Used in: notebooks/05_capacity_and_partitions.ipynb (the hot-partition simulator).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from io import BytesIO
from typing import TYPE_CHECKING, Any, Final

import ipywidgets as w

from ddb_lab.calculators import (
    DISTRIBUTIONS,
    DistributionName,
    HotPartitionReport,
    hot_partition_report,
)
from ddb_lab.widgets._base import FormWidget
from ddb_lab.widgets.explorer import _error_html

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ddb_lab.simulate import SimulationResult

__all__ = ["SLIDER_RANGES", "HotPartitionSimulator"]

#: Each slider's (min, max, step).
SLIDER_RANGES: Final = {
    "keys": (1, 100_000, 1),
    "shards": (1, 50, 1),
    "capacity": (100, 40_000, 100),
    "rate": (0, 40_000, 100),
    "seconds": (10, 600, 10),
}
#: The PNGs' size in inches and resolution.
_FIGSIZE: Final = (9.0, 3.2)
_DPI: Final = 80

_STYLE: Final = {"description_width": "initial"}
_SLIDER_LAYOUT: Final = {"width": "420px"}
_VERDICT_STYLE: Final = (
    "margin:4px 0; padding:6px 8px; font-family:monospace; border-left:4px solid"
)
_THROTTLED_COLORS: Final = "#c62828; background:#fdecea"
_FINE_COLORS: Final = "#2e7d32; background:#edf7ed"
_HINT: Final = "run this cell in JupyterLab to use the sliders"


def _display(data: dict[str, Any]) -> dict[str, Any]:
    return {"output_type": "display_data", "data": data, "metadata": {}}


def _verdict_output(report: HotPartitionReport) -> dict[str, Any]:
    colors = _THROTTLED_COLORS if report.result.throttled_requests else _FINE_COLORS
    style = f"{_VERDICT_STYLE} {colors}"
    text = html.escape(report.verdict)
    return _display(
        {
            "text/plain": report.verdict,
            "text/html": f'<div class="ddb-lab-verdict" style="{style}">{text}</div>',
        }
    )


def _png(plot: Callable[[Axes], Figure], label: str) -> dict[str, Any]:
    """One plot as a PNG display: drawn on a Figure pyplot never sees, so nothing to close."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=_FIGSIZE, dpi=_DPI, layout="constrained")
    plot(fig.add_subplot())
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI)
    fig.clear()
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    return _display({"image/png": png, "text/plain": f"<{label}>"})


def _check_range(name: str, value: int) -> None:
    low, high, _ = SLIDER_RANGES[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low:,} to {high:,}, not {value!r}")


class HotPartitionSimulator(FormWidget):
    """Sliders over a write simulation on a provisioned table, with a verdict and two plots.

    Choose how writes spread over the keys, how many keys there are and how many write shards
    each key is split into, the table's write capacity and the write rate. Every change reruns
    the simulation (the same seed, so the same settings give the same picture) and shows one
    line saying what throttled and why, the per-partition heatmap and the capacity plot.

    Args:
        distribution: ``"uniform"``, ``"zipf"`` or ``"one hot key"``.
        keys: Partition key values the writes go to.
        shards: Write shards per key (1: none).
        capacity: The table's provisioned WCU (one partition per 1,000).
        rate: Writes per second, 1 KB or less each (1 WCU).
        seconds: How long to simulate.
        seed: The random seed (no slider).

    Raises:
        ValueError: A starting value outside what the controls offer (``SLIDER_RANGES``).

    Used in: notebooks/05_capacity_and_partitions.ipynb
    """

    def __init__(
        self,
        distribution: DistributionName = "one hot key",
        keys: int = 1000,
        shards: int = 1,
        capacity: int = 4000,
        rate: int = 3000,
        seconds: int = 120,
        seed: int = 0,
    ) -> None:
        if distribution not in DISTRIBUTIONS:
            raise ValueError(f"distribution must be one of {', '.join(DISTRIBUTIONS)}")
        starting = dict(keys=keys, shards=shards, capacity=capacity, rate=rate, seconds=seconds)
        for name, value in starting.items():
            _check_range(name, value)
        self.seed = seed
        self._report: HotPartitionReport | None = None
        self._error: str | None = None

        self.distribution_dropdown = w.Dropdown(
            description="Distribution",
            options=list(DISTRIBUTIONS),
            value=distribution,
            style=_STYLE,
        )
        self.keys_slider = self._slider("Keys", "keys", keys)
        self.shards_slider = self._slider("Shards", "shards", shards)
        self.capacity_slider = self._slider("Capacity (WCU)", "capacity", capacity)
        self.rate_slider = self._slider("Writes/s", "rate", rate)
        self.seconds_slider = self._slider("Seconds", "seconds", seconds)
        self.output = w.Output()
        self._controls = (
            self.distribution_dropdown,
            self.keys_slider,
            self.shards_slider,
            self.capacity_slider,
            self.rate_slider,
            self.seconds_slider,
        )
        self._box = w.VBox([*self._controls, self.output])
        for control in self._controls:
            control.observe(self._on_change, names="value")
        self.run()

    @staticmethod
    def _slider(description: str, name: str, value: int) -> Any:
        low, high, step = SLIDER_RANGES[name]
        return w.IntSlider(
            description=description,
            value=value,
            min=low,
            max=high,
            step=step,
            continuous_update=False,
            style=_STYLE,
            layout=w.Layout(**_SLIDER_LAYOUT),
        )

    # --- public API ----------------------------------------------------------------------------

    @property
    def report(self) -> HotPartitionReport | None:
        """The simulation and verdict shown, or None if the last run failed."""
        return self._report

    @property
    def result(self) -> SimulationResult | None:
        """The simulation shown (per second, per partition), or None if the last run failed."""
        return None if self._report is None else self._report.result

    @property
    def verdict(self) -> str | None:
        """The one-line verdict shown, or None if the last run failed."""
        return None if self._report is None else self._report.verdict

    @property
    def error(self) -> str | None:
        """The error shown instead of a simulation, or None."""
        return self._error

    def run(self) -> HotPartitionReport:
        """Simulate the settings on the sliders and show the verdict and the plots.

        Used in: notebooks/05_capacity_and_partitions.ipynb
        """
        self._report, self._error = None, None
        report = hot_partition_report(
            self.distribution_dropdown.value,
            keys=int(self.keys_slider.value),
            shards=int(self.shards_slider.value),
            capacity=int(self.capacity_slider.value),
            rate=int(self.rate_slider.value),
            seconds=int(self.seconds_slider.value),
            seed=self.seed,
        )
        result = report.result
        self._show(
            [
                _verdict_output(report),
                _png(result.plot_heatmap, "per-partition consumption heatmap"),
                _png(result.plot_capacity, "capacity and throttles over time"),
            ]
        )
        self._report = report
        return report

    def __repr__(self) -> str:
        shards = int(self.shards_slider.value)
        settings = (
            f"{self.distribution_dropdown.value}, {int(self.keys_slider.value):,} keys, "
            f"{shards} shard{'s' * (shards != 1)}, {int(self.capacity_slider.value):,} WCU, "
            f"{int(self.rate_slider.value):,} writes/s for {int(self.seconds_slider.value)} s"
        )
        return f"<HotPartitionSimulator: {settings}; {_HINT}>"

    # --- callbacks: never raise ----------------------------------------------------------------

    def _on_change(self, _change: Any) -> None:
        try:
            self.run()
        except Exception as error:  # shown in the widget, never raised
            self._report = None
            self._error = str(error)
            code = type(error).__name__
            self._show(
                [
                    _display(
                        {
                            "text/plain": f"{code}: {error}",
                            "text/html": _error_html(code, str(error)),
                        }
                    )
                ]
            )

    def _show(self, outputs: list[dict[str, Any]]) -> None:
        """Replace what the Output shows (works with or without a running kernel)."""
        self.output.outputs = tuple(outputs)
