"""`tstui [options]` (the TUI) is parsed without the subcommands' parsers: the same answer
as the full tree, which still decides every other command line and every error."""

from __future__ import annotations

import argparse

import pytest

from tstui.cli import main
from tstui.cli.parser import COMMANDS, build_parser, parse_command_args, parse_tui_args


def test_the_fast_path_knows_every_subcommand() -> None:
    parser = build_parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == set(COMMANDS)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--demo"],
        ["--env", "live", "--config", "/x/config.toml", "--account", "SIM1"],
        ["--demo", "--json", "--confirm-live", "--base-url", "http://127.0.0.1:1"],
        ["--dem"],  # argparse's prefix matching, as in the full tree
    ],
)
def test_tui_command_lines_parse_as_the_full_tree_does(argv: list[str]) -> None:
    fast = parse_tui_args(argv)
    assert fast is not None
    assert vars(fast) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [["get", "accounts"], ["--demo", "audit"], ["--account", "get"], ["-h"], ["bogus"]],
)
def test_anything_else_goes_to_the_full_tree(argv: list[str]) -> None:
    assert parse_tui_args(argv) is None


def test_a_bad_word_gets_the_full_trees_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bogus"]) == 2
    assert "invalid choice: 'bogus'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["get", "accounts"],
        ["--env", "sim", "get", "accounts", "--json"],  # "sim" is a value here, not the command
        ["--account", "get", "get", "balances"],
        ["get", "bars", "MSFT", "--unit", "Minute"],
        ["stream", "quotes", "MSFT", "--count", "3"],
        ["order", "cancel", "123", "--yes"],
        ["roll", "--root", "ES", "--dry-run"],
        ["pnl", "--by", "day"],
        ["audit", "--kind", "placed"],
        ["doctor"],
        ["login", "--no-browser"],
        ["logout"],
        ["sim", "--port", "0"],
    ],
)
def test_a_subcommand_parses_alone_as_in_the_full_tree(argv: list[str]) -> None:
    full = build_parser().parse_args(argv)
    alone = parse_command_args(argv)
    assert alone is not None
    assert vars(alone) == vars(full)


@pytest.mark.parametrize(
    "argv",
    [["get"], ["get", "nothing"], ["get", "accounts", "-h"], ["--demo"], ["order", "--bogus"]],
)
def test_help_and_errors_are_the_full_trees(argv: list[str]) -> None:
    assert parse_command_args(argv) is None
