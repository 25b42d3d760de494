"""A picture of a single table grouped by partition key: the aggregate view of a data modeler.

Each partition key value is one block (its item collection); inside it the items stand in
sort-key order, coloured by entity, with a few of their attributes. Reading a single-table design
as a list of items hides its shape; this view shows it: which entities share a partition, what a
``begins_with`` on the sort key selects, how big a collection grows.

Used in: notebooks/02_single_table_design.ipynb
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ddb_lab._shown import TextShown
from ddb_lab.display import format_value
from ddb_lab.modeling import every_item

__all__ = ["AggregateView", "aggregate_view"]

#: Background colours of entity rows, in order of first appearance (colour-blind safe pastels).
PALETTE: Final = (
    "#dbeafe", "#dcfce7", "#fef9c3", "#fce7f3", "#ede9fe", "#ffedd5", "#e0f2fe", "#f1f5f9",
)  # fmt: skip


@dataclass(frozen=True)
class _Block:
    key: str
    rows: list[Mapping[str, Any]]
    hidden: int


@dataclass(repr=False)
class AggregateView(TextShown):
    """Items grouped by partition key (see :func:`aggregate_view`)."""

    blocks: list[_Block]
    partition_key: str
    sort_key: str | None
    type_attribute: str
    attributes: dict[str, list[str]]  # entity → attributes shown
    partitions_hidden: int

    def _entity(self, item: Mapping[str, Any]) -> str:
        return str(item.get(self.type_attribute, "?"))

    def _attrs(self, item: Mapping[str, Any]) -> str:
        names = self.attributes.get(self._entity(item), [])
        return ", ".join(f"{n}={format_value(item[n])}" for n in names if n in item)

    def text(self) -> str:
        lines = []
        for block in self.blocks:
            lines.append(f"{self.partition_key} = {block.key}")
            for item in block.rows:
                sk = _plain(item.get(self.sort_key, "")) if self.sort_key else ""
                lines.append(f"    {sk:<36} {self._entity(item):<10} {self._attrs(item)}".rstrip())
            if block.hidden:
                lines.append(f"    ... {block.hidden} more item(s)")
        if self.partitions_hidden:
            lines.append(f"... {self.partitions_hidden} more partition(s)")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colours: dict[str, str] = {}
        for block in self.blocks:
            for item in block.rows:
                colours.setdefault(self._entity(item), PALETTE[len(colours) % len(PALETTE)])
        head = [self.partition_key] + ([self.sort_key] if self.sort_key else [])
        cells = "".join(f"<th>{html.escape(h)}</th>" for h in [*head, "entity", "attributes"])
        out = [
            '<table class="ddb-lab-aggregate" style="border-collapse:collapse;font-size:90%">',
            f"<thead><tr>{cells}</tr></thead><tbody>",
        ]
        border = "border-top:2px solid #64748b"
        for block in self.blocks:
            span = len(block.rows) + (1 if block.hidden else 0)
            for position, item in enumerate(block.rows):
                entity = self._entity(item)
                style = f"background:{colours[entity]}" + (f";{border}" if position == 0 else "")
                row = [f'<tr style="{style}">']
                if position == 0:
                    row.append(
                        f'<td rowspan="{span}" style="background:#fff;vertical-align:top;'
                        f'font-weight:bold">{html.escape(block.key)}</td>'
                    )
                if self.sort_key:
                    row.append(f"<td>{html.escape(_plain(item.get(self.sort_key, '')))}</td>")
                row.append(f"<td>{html.escape(entity)}</td>")
                row.append(f"<td>{html.escape(self._attrs(item))}</td></tr>")
                out.append("".join(row))
            if block.hidden:
                out.append(
                    f'<tr><td colspan="3" style="color:#64748b">… {block.hidden} more '
                    "item(s)</td></tr>"
                )
        if self.partitions_hidden:
            out.append(
                f'<tr><td colspan="4" style="color:#64748b">… {self.partitions_hidden} more '
                "partition(s)</td></tr>"
            )
        out.append("</tbody></table>")
        return "".join(out)


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else format_value(value)


def _items_of(source: Any) -> list[Mapping[str, Any]]:
    if hasattr(source, "scan"):  # a boto3 resource Table: read it all (a picture, not a pattern)
        return every_item(source.scan)
    return list(source)


def aggregate_view(
    source: Any,
    *,
    partition_key: str = "PK",
    sort_key: str | None = "SK",
    type_attribute: str = "entity",
    keys: Sequence[str] | None = None,
    partitions: int = 6,
    rows: int = 6,
    attributes: Mapping[str, Sequence[str]] | int = 2,
) -> AggregateView:
    """Show items grouped by partition key, each group in sort-key order.

    Args:
        source: a boto3 resource Table (scanned for the picture) or an iterable of items.
        partition_key, sort_key, type_attribute: the table's key and entity-type attributes.
        keys: the partition-key values to show, in this order (default: the first ``partitions``
            in key order).
        partitions: how many partitions to show when ``keys`` is not given.
        rows: the most items shown per partition.
        attributes: per entity, the attributes to show; or a number: that many of each
            entity's non-key attributes, in name order.
    """
    items = _items_of(source)
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for item in items:
        groups.setdefault(_plain(item.get(partition_key, "")), []).append(item)
    chosen = list(keys) if keys is not None else sorted(groups)[:partitions]
    hidden = len(groups) - len([k for k in chosen if k in groups])
    blocks = []
    for key in chosen:
        members = sorted(groups.get(key, []), key=lambda i: _plain(i.get(sort_key or "", "")))
        blocks.append(_Block(key, members[:rows], max(0, len(members) - rows)))
    if isinstance(attributes, int):
        skip = {partition_key, sort_key, type_attribute}
        skip |= {n for item in items for n in item if n.startswith("GSI")}
        names: dict[str, Counter[str]] = {}
        for item in items:
            names.setdefault(str(item.get(type_attribute, "?")), Counter()).update(
                n for n in item if n not in skip
            )
        shown = {e: sorted(c)[:attributes] for e, c in names.items()}
    else:
        shown = {e: list(a) for e, a in attributes.items()}
    return AggregateView(blocks, partition_key, sort_key, type_attribute, shown, hidden)
