"""Watchlists in the config: the TOML shape, list edits, and saving in place (the rest of the
user's file, comments included, stays as written)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tstui.config import ConfigError, load_settings, parse_settings, unknown_keys
from tstui.watchlists import (
    DEFAULT_WATCHLISTS,
    Watchlists,
    normalize_symbol,
    parse_watchlists,
    save_watchlists,
)

USER_FILE = """\
# my tstui settings
theme = "tstui-light"  # light in the day

[api]
client_id = "abc"

[watchlists]
active = "tech"

[watchlists.lists]
tech = ["MSFT", "AAPL"]
futures = ["@ES"]

# periods I like
[chart]
sma_period = 50

[keymap]
"view.chart" = "f4"
"""


def test_defaults_hold_the_simulators_stocks_and_futures() -> None:
    settings = parse_settings({})
    assert settings.watchlists == DEFAULT_WATCHLISTS
    symbols = DEFAULT_WATCHLISTS.symbols()
    assert "@ES" in symbols and "MSFT" in symbols and len(symbols) == 8


def test_the_toml_shape_and_its_errors(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE)
    settings = load_settings(path)
    assert settings.watchlists.active == "tech"
    assert settings.watchlists.names == ["tech", "futures"]
    assert settings.watchlists.symbols("futures") == ("@ES",)
    assert unknown_keys(tomllib.loads(USER_FILE)) == []

    bad = {
        "watchlists": {"active": "nope", "lists": {"a": ["MSFT"]}},
    }
    with pytest.raises(ConfigError, match=r"watchlists\.active: no list named 'nope'"):
        parse_settings(bad, path)
    with pytest.raises(ConfigError, match=r"watchlists\.lists\.a: expected a list of symbols"):
        parse_settings({"watchlists": {"lists": {"a": "MSFT"}}}, path)
    with pytest.raises(ConfigError, match=r"watchlists\.lists\.a: 'MS,FT' is not a symbol"):
        parse_settings({"watchlists": {"lists": {"a": ["MS,FT"]}}}, path)
    with pytest.raises(ConfigError, match=r"watchlists\.colour: unknown key"):
        parse_settings({"watchlists": {"colour": "red"}}, path)
    assert parse_watchlists({"lists": {"x": [" msft ", "MSFT"]}}).symbols() == ("MSFT",)


def test_edits_add_remove_move_and_switch() -> None:
    lists = Watchlists("a", (("a", ("MSFT", "AAPL", "SPY")),))
    assert lists.add("nvda").symbols() == ("MSFT", "AAPL", "SPY", "NVDA")
    assert lists.add("aapl") is lists
    assert lists.add("@ES", at=1).symbols() == ("MSFT", "@ES", "AAPL", "SPY")
    assert lists.remove("aapl").symbols() == ("MSFT", "SPY")
    assert lists.move("SPY", -1).symbols() == ("MSFT", "SPY", "AAPL")
    assert lists.move("MSFT", -5).symbols() == ("MSFT", "AAPL", "SPY")
    assert lists.move("MSFT", 9).symbols() == ("AAPL", "SPY", "MSFT")
    other = lists.with_active("b")
    assert other.active == "b" and other.symbols() == () and other.names == ["a", "b"]
    assert other.without("b").active == "a" and lists.without("a") is lists
    with pytest.raises(ValueError, match="not a symbol"):
        normalize_symbol("AB\x1b[31m")
    with pytest.raises(ValueError, match="list name"):
        lists.with_active("bad name")


def test_save_replaces_only_the_watchlists_tables(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE)
    lists = load_settings(path).watchlists.add("NVDA").with_active("futures")
    save_watchlists(lists, path)
    text = path.read_text()
    # every other line as the user wrote it, comments included, in place
    for line in USER_FILE.splitlines():
        if line and not line.startswith(("[watchlists", "tech =", "futures =", "active =")):
            assert line in text, line
    assert text.index("# periods I like") < text.index("[chart]")
    assert text.index("[api]") < text.index("[watchlists]") < text.index("[chart]")
    again = load_settings(path)
    assert again.watchlists == lists and again.theme == "tstui-light"
    assert again.chart.sma_period == 50 and again.keymap == {"view.chart": "f4"}


def test_save_into_a_new_or_odd_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    save_watchlists(DEFAULT_WATCHLISTS.add("TSLA"), path)  # no file yet
    assert load_settings(path).watchlists.symbols()[-1] == "TSLA"

    # a dotted-key form cannot be cut line by line: the file is rewritten, keys kept
    odd = tmp_path / "odd.toml"
    odd.write_text('theme = "x"\nwatchlists.active = "a"\nwatchlists.lists.a = ["MSFT"]\n')
    save_watchlists(Watchlists("a", (("a", ("MSFT", "SPY")),)), odd)
    data = tomllib.loads(odd.read_text())
    assert data["theme"] == "x" and data["watchlists"]["lists"]["a"] == ["MSFT", "SPY"]

    plain = tmp_path / "plain.toml"
    plain.write_text('theme = "x"  # keep me\n')
    save_watchlists(DEFAULT_WATCHLISTS, plain)
    assert plain.read_text().startswith('theme = "x"  # keep me\n\n[watchlists]\n')
