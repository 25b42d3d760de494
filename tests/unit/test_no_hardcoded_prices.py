"""Every price comes from the one table: no notebook and no module but cost/prices.py writes one.

The detector looks, in notebook cells (markdown and code) and in the package's modules, for:

* dollar figures in text (``$1.25``, ``$ 0.25``) and prices next to a billing unit
  (``0.25 per million``, ``1.25/M``, ``0.00065 per WCU-hour``, ``0.25 USD``);
* ``Decimal("...")`` literals whose value is a price of the course's tables;
* number literals equal to such a price: always when the number is distinctive (three or more
  significant digits, or below a cent: ``0.125``, ``0.00065``), and for round numbers (``0.25``,
  ``150``) when the line speaks of prices (price, cost, dollars, upfront, hourly ...).

The planted-price tests prove the detector catches each form, and that ordinary numbers pass.
"""

from __future__ import annotations

import ast
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import nbformat
import pytest

import ddb_lab
from ddb_lab.cost import (
    US_EAST_1_STANDARD,
    US_EAST_1_STANDARD_BEFORE_2024_11,
    US_EAST_1_STANDARD_IA,
)

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(ddb_lab.__file__).resolve().parent
#: The one module allowed to write prices.
PRICE_MODULE = PACKAGE / "cost" / "prices.py"
NOTEBOOK_FOLDERS = ("notebooks", "solutions", "exercises")


def _known_prices() -> frozenset[Decimal]:
    values: set[Decimal] = set()
    for table in (US_EAST_1_STANDARD, US_EAST_1_STANDARD_IA, US_EAST_1_STANDARD_BEFORE_2024_11):
        for price in table.entries.values():
            values.add(price.dollars.normalize())
            values.add(price.per_unit.normalize())
    return frozenset(values)


PRICES = _known_prices()


def _distinctive(value: Decimal) -> bool:
    """A number unlikely to be anything but a price: under a cent, or a fraction below 1 with
    three or more significant digits (``0.125``); ``1.25`` or ``150`` need a price word."""
    digits = len(value.normalize().as_tuple().digits)
    return value < Decimal("0.01") or (value < 1 and digits >= 3)


DISTINCTIVE = frozenset(p for p in PRICES if _distinctive(p))

_NUMBER = r"\d[\d,]*(?:\.\d+)?|\.\d+"
TEXT_PATTERNS = (
    re.compile(rf"\$\s?(?:{_NUMBER})"),
    re.compile(rf"(?<![\w.])(?:{_NUMBER})\s*(?:USD|US\$|dollars?|cents?)\b", re.I),
    re.compile(
        r"(?<![\w.])(?:\d*\.\d+)\s*(?:/|per|a|an)\s*(?:1,000,000|million|M\b|GB|RCU|WCU|rWCU|"
        r"RRU|WRU|rWRU|100,000|hour|request)",
        re.I,
    ),
)
#: Words that make a round number on the same line a price: as words or parts of a name
#: (``storage_cost = ...``, ``# price``), not as a module, an object or a function (``cost.``,
#: ``hourly.per_unit``, ``put_cost(``, ``prices["storage"]``).
PRICE_WORDS = re.compile(
    r"per_gb|per_million|(?<![a-z.])(?:prices?|dollars?|usd|upfront|hourly|costs?)(?![a-z.(\[])",
    re.I,
)


def _as_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value)) if not isinstance(value, float) else Decimal(repr(value))
    except InvalidOperation:
        return None
    return number.normalize() if number.is_finite() else None


def text_offences(text: str, *, any_amount: bool = True) -> list[str]:
    """Dollar figures and unit prices written in ``text``.

    With ``any_amount`` every dollar figure counts (a notebook computes its figures); without
    it only the course's prices do (a module's docstring may show ``"$12.34"`` as a format).
    """
    found = []
    for pattern in TEXT_PATTERNS:
        for match in pattern.finditer(text):
            number = _as_decimal(re.sub(r"[^\d.]", "", match.group(0)))
            if any_amount or (number is not None and number in PRICES):
                found.append(match.group(0))
    return found


def code_offences(source: str) -> list[str]:
    """Price literals in Python ``source``: Decimal("..."), and numbers equal to a price."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # cells with IPython magics: their text is still scanned
    lines = source.splitlines()
    # Decimal("0.1") as the precision of a quantize() is not a price
    precisions = {
        id(arg)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "quantize"
        for arg in node.args[:1]
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in precisions:
            continue
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr) == "Decimal"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            value = _as_decimal(node.args[0].value)
            if value is not None and value in PRICES:
                found.append(f"line {node.lineno}: Decimal({node.args[0].value!r})")
        elif isinstance(node, ast.Constant) and not isinstance(node.value, str):
            value = _as_decimal(node.value)
            if value is None or value not in PRICES:
                continue
            line = lines[node.lineno - 1] if node.lineno <= len(lines) else ""
            if value in DISTINCTIVE or PRICE_WORDS.search(line):
                found.append(f"line {node.lineno}: {node.value!r} in {line.strip()!r}")
    return found


def notebook_offences(path: Path) -> list[str]:
    """Hard-coded prices in a notebook's cells (sources only: outputs come from the table)."""
    notebook = nbformat.read(path, as_version=4)
    found = []
    for number, cell in enumerate(notebook.cells):
        where = f"{path.parent.name}/{path.name} cell {number}"
        found += [f"{where}: {hit}" for hit in text_offences(cell.source)]
        if cell.cell_type == "code":
            found += [f"{where}: {hit}" for hit in code_offences(cell.source)]
    return found


def module_offences(path: Path) -> list[str]:
    """Hard-coded prices in a module: its code, and its strings and comments as text."""
    source = path.read_text(encoding="utf-8")
    where = path.relative_to(PACKAGE.parent) if path.is_relative_to(PACKAGE.parent) else path
    hits = text_offences(source, any_amount=False) + code_offences(source)
    return [f"{where}: {hit}" for hit in hits]


# --- The course itself ---------------------------------------------------------------------------

NOTEBOOKS = sorted(p for folder in NOTEBOOK_FOLDERS for p in (ROOT / folder).glob("*.ipynb"))
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p != PRICE_MODULE)


def test_there_is_something_to_scan() -> None:
    assert len(NOTEBOOKS) >= 3 and len(MODULES) >= 10
    assert ROOT / "notebooks" / "08_cost.ipynb" in NOTEBOOKS
    assert {Decimal("0.125"), Decimal("0.625"), Decimal("0.00065")} <= DISTINCTIVE
    assert Decimal("0.25") in PRICES and Decimal("0.25") not in DISTINCTIVE


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_notebook_hard_codes_a_price(path: Path) -> None:
    assert notebook_offences(path) == []


def test_no_module_but_the_price_table_hard_codes_a_price() -> None:
    offences = [hit for path in MODULES for hit in module_offences(path)]
    assert offences == []


def test_the_price_table_itself_is_seen_as_full_of_prices() -> None:
    """The detector, pointed at the one module that may write prices, finds them all."""
    hits = module_offences(PRICE_MODULE)
    assert any("Decimal('0.125')" in hit for hit in hits)
    assert any("$0.25" in hit for hit in hits)
    assert len(hits) >= len(US_EAST_1_STANDARD.entries)


# --- The detector catches planted prices ---------------------------------------------------------

PLANTED = [
    ("markdown", "On-demand reads cost $0.25 per million."),
    ("markdown", "Writes were 1.25 per million request units before the cut."),
    ("markdown", "Storage: 0.25 USD a GB-month."),
    ("code", "read_price = 0.125 / 1_000_000"),
    ("code", "monthly = gb * 0.25  # storage cost"),
    ("code", "storage_cost = gb * 0.25"),
    ("code", "writes_per_million = 1.25"),
    ("code", 'from decimal import Decimal\nwcu_hour = Decimal("0.00065")'),
    ("code", "print(f'that is ${reads * 0.000000125:.2f}')"),
    ("code", "upfront = 150"),
    ("code", "# provisioned writes: 0.00065 per WCU-hour\nx = 1"),
]
CLEAN = [
    ("markdown", "On-demand prices were halved in November 2024; a month is 730 hours."),
    ("code", "hot = simulator.one_hot_key(1_000, hot_share=0.25)"),
    ("code", "cost.US_EAST_1_STANDARD.storage.dollars * gb"),
    ("code", "rate = np.r_[np.full(60, 20.0), np.zeros(30)]"),
    ("code", 'print(f"{cost.format_dollars(total)} a month")'),
    ("code", "items = [{'body': 'x' * 150} for n in range(30)]"),
    ("code", "bill = cost.monthly_cost(cost.Workload(reads=[cost.Reads(150, 1_024)]))"),
    ("code", "shape = Shape(1.25, 1.25, 1.2, 0.6)"),
    ("code", "share = (hourly.per_unit / full * 100).quantize(Decimal('0.1'))"),
    ("code", "storage = prices['storage'].dollars * 150"),
]


def _notebook(tmp_path: Path, cells: list[tuple[str, str]]) -> Path:
    notebook = nbformat.v4.new_notebook()
    for kind, source in cells:
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        notebook.cells.append(make(source))
    path = tmp_path / "planted.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.mark.parametrize(("kind", "source"), PLANTED, ids=[s for _, s in PLANTED])
def test_a_planted_price_in_a_notebook_is_caught(tmp_path: Path, kind: str, source: str) -> None:
    offences = notebook_offences(_notebook(tmp_path, [("code", "x = 1"), (kind, source)]))
    assert offences, source
    assert all("planted.ipynb cell 1" in hit for hit in offences)


@pytest.mark.parametrize(("kind", "source"), CLEAN, ids=[s for _, s in CLEAN])
def test_ordinary_numbers_are_not_prices(tmp_path: Path, kind: str, source: str) -> None:
    assert notebook_offences(_notebook(tmp_path, [(kind, source)])) == []


def test_a_planted_price_in_a_module_is_caught(tmp_path: Path) -> None:
    module = tmp_path / "planted.py"
    module.write_text(
        '"""A module."""\n\nON_DEMAND_WRITE_PER_MILLION = 0.625\nSTORAGE_PRICE = 0.25\n',
        encoding="utf-8",
    )
    assert [hit.split(": ", 1)[1] for hit in module_offences(module)] == [
        "line 3: 0.625 in 'ON_DEMAND_WRITE_PER_MILLION = 0.625'",
        "line 4: 0.25 in 'STORAGE_PRICE = 0.25'",
    ]
    # in a module's text only the course's prices count: "$12.34" may show an answer's format
    module.write_text('"""Answers read "$12.34"; reads cost $0.125 per million."""\n')
    assert [hit.split(": ", 1)[1] for hit in module_offences(module)] == [
        "$0.125",
        "0.125 per million",
    ]


def test_a_planted_price_in_a_real_chapter_is_caught(tmp_path: Path) -> None:
    """Chapter 8 passes; the same notebook with one price typed in does not."""
    chapter = ROOT / "notebooks" / "08_cost.ipynb"
    assert notebook_offences(chapter) == []
    notebook = nbformat.read(chapter, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("storage = 0.25 * 183  # dollars a month"))
    planted = tmp_path / "08_cost.ipynb"
    nbformat.write(notebook, planted)
    assert len(notebook_offences(planted)) == 1
