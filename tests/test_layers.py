"""The import directions of the architecture, proved on the real package."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "tstui"

# layer -> top-level modules it must never import (directly or through anything it loads)
FORBIDDEN = {
    "domain": ("textual", "httpx", "tstui.client", "tstui.ui", "tstui.sim", "starlette"),
    "client": ("textual", "tstui.ui", "tstui.sim", "starlette", "uvicorn"),
    "ui": ("httpx", "tstui.sim"),
    "sim": ("textual", "tstui.client", "tstui.ui"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_source_imports_respect_layers(layer: str) -> None:
    offenders = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in _imports(path):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer]):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


@pytest.mark.parametrize(
    ("modules", "absent"),
    [
        (
            "tstui.domain, tstui.domain.models, tstui.domain.orders.book, tstui.domain.roll",
            ("textual", "httpx"),
        ),
        (
            "tstui.client, tstui.client.api, tstui.client.session, tstui.client.streams",
            ("textual", "tstui.sim", "starlette"),
        ),
        ("tstui.cli", ("textual", "httpx", "starlette")),
    ],
)
def test_importing_a_layer_loads_nothing_above_it(modules: str, absent: tuple[str, ...]) -> None:
    code = (
        f"import sys; import {modules}; print(','.join(m for m in {absent!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == ""
