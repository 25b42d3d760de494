"""The table explorer: a query form over ddb_lab.explorer, shown as ipywidgets.

All the query logic lives in :mod:`ddb_lab.explorer`; this module only reads the controls into a
:class:`~ddb_lab.explorer.QuerySpec`, runs it, and renders the result (the call as Python, the
counts, the items) into an Output. A button callback never raises: a learner's typo shows up as
a styled error message, not a traceback.

Used in: notebooks/01_keys_and_types.ipynb (the table explorer).
"""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any, Final

import ipywidgets as w

from ddb_lab.explorer import (
    FILTER_OPERATORS,
    INVALID_INPUT,
    MAX_LIMIT,
    SORT_KEY_OPERATORS,
    KeySchemaInfo,
    QueryResult,
    QuerySpec,
    failed_result,
    key_schemas,
    run_query,
)
from ddb_lab.widgets._base import FormWidget

__all__ = ["TableExplorer"]

#: The Index option that means "query the table itself".
TABLE_OPTION: Final = "(table)"
#: The Sort key option that means "no condition on the sort key".
ANY_OPTION: Final = "(any)"

_STYLE: Final = {"description_width": "initial"}
_CODE_STYLE: Final = (
    "background:#f6f8fa; border:1px solid #d0d7de; border-radius:4px; padding:6px 8px; "
    "margin:4px 0; font-size:12px; line-height:1.4; white-space:pre; overflow-x:auto"
)
_ERROR_STYLE: Final = (
    "color:#8b0000; background:#fdecea; border-left:4px solid #c62828; padding:6px 8px; "
    "margin:4px 0; white-space:pre-wrap; font-family:monospace"
)
_STATUS_STYLE: Final = "margin:4px 0; font-family:monospace"


def _html_output(text: str) -> dict[str, Any]:
    return {"output_type": "display_data", "data": {"text/html": text}, "metadata": {}}


def _code_html(code: str) -> str:
    return f'<pre class="ddb-lab-code" style="{_CODE_STYLE}">{html.escape(code)}</pre>'


def _error_html(code: str, message: str) -> str:
    text = html.escape(f"{code}: {message}")
    return f'<div class="ddb-lab-error" style="{_ERROR_STYLE}">{text}</div>'


class TableExplorer(FormWidget):
    """A form for running one query page at a time against a table or index.

    Set the controls (or pass starting values), press **Run query**, then **Next page** while
    the result has a LastEvaluatedKey. Above the items it shows the exact ``client.query`` call
    it made, and ``Count``/``ScannedCount``/``LastEvaluatedKey`` as DynamoDB returned them.

    Args:
        client: A low-level ``boto3`` DynamoDB client.
        table: The table to start on; defaults to the first table name in sorted order.
        partition_value: Starting partition key value.
        sort_operator: Starting sort key operator (one of ``SORT_KEY_OPERATORS``), or None.
        sort_value: Starting sort key value.
        limit: Starting Limit, 1 to 1000, or None for no limit.
        index: The index to start on, or None for the table.
        newest_first: Start with ``ScanIndexForward=False``.

    Raises:
        ValueError: A starting value is not one the controls offer.

    Used in: notebooks/01_keys_and_types.ipynb
    """

    def __init__(
        self,
        client: Any,
        table: str | None = None,
        *,
        partition_value: str = "",
        sort_operator: str | None = None,
        sort_value: str = "",
        limit: int | None = 10,
        index: str | None = None,
        newest_first: bool = False,
    ) -> None:
        if sort_operator is not None and sort_operator not in SORT_KEY_OPERATORS:
            raise ValueError(
                f"sort_operator must be None or one of {', '.join(SORT_KEY_OPERATORS)}"
            )
        if limit is not None and not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be None or between 1 and {MAX_LIMIT}")
        self._client = client
        self._schemas: list[KeySchemaInfo] = []
        self._result: QueryResult | None = None
        self._page_spec: QuerySpec | None = None
        self._page = 0

        tables, list_error = self._list_tables()
        if table is not None and table not in tables:
            tables = sorted([*tables, table])
        self.table_dropdown = w.Dropdown(
            description="Table",
            options=tables,
            value=table or (tables[0] if tables else None),
            style=_STYLE,
        )
        self.index_dropdown = w.Dropdown(
            description="Index", options=[TABLE_OPTION], value=TABLE_OPTION, style=_STYLE
        )
        self.partition_text = w.Text(
            description="Partition key", value=partition_value, style=_STYLE
        )
        self.key_label = w.Label(value="Key: ")
        self.sort_operator_dropdown = w.Dropdown(
            description="Sort key",
            options=[ANY_OPTION, *SORT_KEY_OPERATORS],
            value=sort_operator or ANY_OPTION,
            style=_STYLE,
            layout=w.Layout(width="180px"),
        )
        self.sort_value_text = w.Text(description="Value", value=sort_value, style=_STYLE)
        self.sort_value2_text = w.Text(
            description="and", placeholder="upper bound (BETWEEN)", style=_STYLE
        )
        self.newest_first_checkbox = w.Checkbox(
            description="Newest first", value=newest_first, indent=False
        )
        self.limit_text = w.BoundedIntText(
            description="Limit",
            value=limit or 0,
            min=0,
            max=MAX_LIMIT,
            style=_STYLE,
            layout=w.Layout(width="150px"),
        )
        self.filter_attribute_text = w.Text(description="Filter attr", style=_STYLE)
        self.filter_operator_dropdown = w.Dropdown(
            description="Filter op",
            options=list(FILTER_OPERATORS),
            value="=",
            style=_STYLE,
            layout=w.Layout(width="220px"),
        )
        self.filter_value_text = w.Text(description="Filter value", style=_STYLE)
        self.run_button = w.Button(description="Run query", button_style="primary", icon="play")
        self.next_button = w.Button(description="Next page", disabled=True, icon="forward")
        self.output = w.Output()

        self._box = w.VBox(
            [
                w.HBox([self.table_dropdown, self.index_dropdown]),
                w.VBox([self.partition_text, self.key_label]),
                w.HBox([self.sort_operator_dropdown, self.sort_value_text, self.sort_value2_text]),
                w.HBox([self.newest_first_checkbox, self.limit_text]),
                w.HBox(
                    [
                        self.filter_attribute_text,
                        self.filter_operator_dropdown,
                        self.filter_value_text,
                    ]
                ),
                w.HBox([self.run_button, self.next_button]),
                self.output,
            ]
        )

        self._load_table()
        if index is not None:
            if index not in self.index_dropdown.options:
                raise ValueError(
                    f'Table "{self.table_dropdown.value}" has no index named "{index}"'
                )
            self.index_dropdown.value = index
        if list_error is not None:
            self._show([_html_output(_error_html(*list_error))])

        self.table_dropdown.observe(self._on_table_change, names="value")
        self.index_dropdown.observe(self._on_index_change, names="value")
        self.run_button.on_click(self._on_run)
        self.next_button.on_click(self._on_next)

    # --- public API ----------------------------------------------------------------------------

    @property
    def result(self) -> QueryResult | None:
        """The last result shown, or None before the first query."""
        return self._result

    def spec(self) -> QuerySpec:
        """The query the controls describe (first page).

        Used in: notebooks/01_keys_and_types.ipynb
        """
        index = self.index_dropdown.value
        operator = self.sort_operator_dropdown.value
        limit = int(self.limit_text.value)
        return QuerySpec(
            table=self.table_dropdown.value or "",
            partition_value=self.partition_text.value,
            index=None if index in (None, TABLE_OPTION) else index,
            sort_operator=None if operator in (None, ANY_OPTION) else operator,
            sort_value=self.sort_value_text.value,
            sort_value2=self.sort_value2_text.value,
            newest_first=bool(self.newest_first_checkbox.value),
            limit=limit or None,
            filter_attribute=self.filter_attribute_text.value.strip(),
            filter_operator=self.filter_operator_dropdown.value,
            filter_value=self.filter_value_text.value,
        )

    def run(self) -> QueryResult:
        """Run the query in the controls from its first page and show the result.

        Used in: notebooks/01_keys_and_types.ipynb
        """
        spec = self.spec()
        if not spec.table:
            result = failed_result(
                INVALID_INPUT, "Choose a table first (there are none yet: create one)."
            )
        else:
            result = run_query(self._client, spec)
        self._page_spec = spec
        self._page = 1
        self._set_result(result)
        return result

    def next_page(self) -> QueryResult:
        """Fetch the page after the one shown, by passing its LastEvaluatedKey back.

        The next page continues the query that was run, even if the controls changed since.

        Raises:
            RuntimeError: There is no next page (no query yet, or the last page is shown).

        Used in: notebooks/01_keys_and_types.ipynb
        """
        key = None if self._result is None else self._result.last_evaluated_key
        if key is None or self._page_spec is None:
            raise RuntimeError(
                "There is no next page: run a query first, and page on only while "
                "LastEvaluatedKey is set."
            )
        result = run_query(self._client, replace(self._page_spec, exclusive_start_key=key))
        self._page += 1
        self._set_result(result)
        return result

    def __repr__(self) -> str:
        spec = self.spec()
        where = spec.table + (f" / {spec.index}" if spec.index else "")
        hint = "run this cell in JupyterLab to use the form"
        return f"<TableExplorer on {where or '(no table)'}: {hint}>"

    # --- controls ------------------------------------------------------------------------------

    def _list_tables(self) -> tuple[list[str], tuple[str, str] | None]:
        names: list[str] = []
        try:
            for page in self._client.get_paginator("list_tables").paginate():
                names.extend(page.get("TableNames", []))
        except Exception as error:  # shown in the widget, never raised
            return [], _error_parts(error)
        return sorted(names), None

    def _load_table(self) -> None:
        """Describe the chosen table; refresh the Index options and the key label."""
        self._schemas = []
        table = self.table_dropdown.value
        if table:
            try:
                description = self._client.describe_table(TableName=table)["Table"]
                self._schemas = key_schemas(description)
            except Exception as error:  # shown in the widget, never raised
                self._show([_html_output(_error_html(*_error_parts(error)))])
        indexes = [schema.name for schema in self._schemas[1:]]
        self.index_dropdown.options = [TABLE_OPTION, *indexes]
        self.index_dropdown.value = TABLE_OPTION
        self._show_schema()

    def _chosen_schema(self) -> KeySchemaInfo | None:
        value = self.index_dropdown.value
        index = None if value in (None, TABLE_OPTION) else value
        return next((s for s in self._schemas if s.index == index), None)

    def _show_schema(self) -> None:
        """Show the chosen key in the label and the placeholders."""
        schema = self._chosen_schema()
        if schema is None:
            self.key_label.value = "Key: (unknown: the table could not be described)"
            self.partition_text.placeholder = ""
            self.sort_value_text.placeholder = ""
            self.sort_operator_dropdown.disabled = False
            return
        self.key_label.value = f"Key: {schema.label()}"
        self.partition_text.placeholder = f"{schema.partition_key} ({schema.partition_type})"
        if schema.sort_key is None:
            self.sort_operator_dropdown.value = ANY_OPTION
            self.sort_operator_dropdown.disabled = True
            self.sort_value_text.placeholder = "(no sort key)"
        else:
            self.sort_operator_dropdown.disabled = False
            self.sort_value_text.placeholder = f"{schema.sort_key} ({schema.sort_type})"

    # --- callbacks: never raise ----------------------------------------------------------------

    def _on_table_change(self, _change: Any) -> None:
        try:
            self._load_table()
        except Exception as error:
            self._show_exception(error)

    def _on_index_change(self, _change: Any) -> None:
        try:
            self._show_schema()
        except Exception as error:
            self._show_exception(error)

    def _on_run(self, _button: Any) -> None:
        try:
            self.run()
        except Exception as error:
            self._show_exception(error)

    def _on_next(self, _button: Any) -> None:
        try:
            self.next_page()
        except Exception as error:
            self._show_exception(error)

    # --- rendering -----------------------------------------------------------------------------

    def _set_result(self, result: QueryResult) -> None:
        self._result = result
        self.next_button.disabled = result.last_evaluated_key is None
        outputs: list[dict[str, Any]] = []
        if result.code:
            outputs.append(_html_output(_code_html(result.code)))
        if result.error_code is not None:
            outputs.append(_html_output(_error_html(result.error_code, result.error_message or "")))
        else:
            status = html.escape(f"Page {self._page} · {result.status_line()}")
            outputs.append(
                _html_output(f'<div class="ddb-lab-status" style="{_STATUS_STYLE}">{status}</div>')
            )
            if result.items:
                frame: Any = result.frame()  # the stubs omit DataFrame._repr_html_
                data: dict[str, Any] = {"text/plain": repr(frame)}
                frame_html = frame._repr_html_()
                if frame_html is not None:
                    data["text/html"] = frame_html
                outputs.append({"output_type": "display_data", "data": data, "metadata": {}})
        self._show(outputs)

    def _show_exception(self, error: Exception) -> None:
        self._show([_html_output(_error_html(*_error_parts(error)))])

    def _show(self, outputs: list[dict[str, Any]]) -> None:
        """Replace what the Output shows (works with or without a running kernel)."""
        self.output.outputs = tuple(outputs)


def _error_parts(error: Exception) -> tuple[str, str]:
    response = getattr(error, "response", None)
    if isinstance(response, dict) and "Error" in response:
        details = response["Error"]
        return str(details.get("Code", type(error).__name__)), str(details.get("Message", error))
    return type(error).__name__, str(error)
