"""The architecture's import rules, proved on the real package.

The direction rules are import-linter contracts in pyproject.toml (run by `make lint`); this
module runs them too, so `make test` alone catches a broken layer, and adds what a contract
cannot say: no import cycles anywhere, and what importing a layer actually loads.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from importlinter.api import read_configuration  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_are_kept() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_layer_rule_has_a_contract() -> None:
    contracts = read_configuration(str(ROOT / "pyproject.toml"))["contracts_options"]
    names = [contract["name"] for contract in contracts]
    assert len(names) >= 6 and len(set(names)) == len(names)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles() -> None:
    # grimp counts every import: inside functions and under TYPE_CHECKING too, as it should
    # (an import moved into a function to dodge a cycle is the same cycle).
    graph = grimp.build_graph("tstui", cache_dir=None)
    assert _cycles(graph) == []


def test_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.a")
    graph.add_import(importer="pkg.b", imported="pkg.c")
    assert _cycles(graph) == [["pkg.a", "pkg.b"]]


@pytest.mark.parametrize(
    ("modules", "absent"),
    [
        (
            "tstui.domain, tstui.domain.models, tstui.domain.orders, tstui.domain.roll",
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
