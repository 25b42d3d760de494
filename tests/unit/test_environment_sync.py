"""environment.yml (conda) and pyproject.toml (pip) must list the same dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).lower()


def _pyproject() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"]) + list(project["optional-dependencies"]["test"])
    return {_normalise(r) for r in wanted}


def _environment() -> set[str]:
    found: set[str] = set()
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        match = re.match(r"^\s*-\s+(\S.*)$", line)
        if not match or match.group(1).endswith(":"):
            continue
        entry = match.group(1).split("#")[0].strip()
        if entry in ("pip", "-e .") or entry.startswith("python"):
            continue
        found.add(_normalise(entry))
    return found


def test_environment_lists_exactly_the_pyproject_dependencies() -> None:
    assert _environment() == _pyproject(), (
        f"only in environment.yml: {sorted(_environment() - _pyproject())}; "
        f"only in pyproject.toml: {sorted(_pyproject() - _environment())}"
    )


def test_parser_sees_every_section() -> None:
    # Guards the parser above: it must find runtime, test and pip-section entries.
    entries = _environment()
    assert "boto3>=1.40" in entries
    assert "pytest>=8.2" in entries
    assert "moto[dynamodb,dynamodbstreams,server]>=5.1" in entries
