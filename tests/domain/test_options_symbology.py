"""Option symbols as TradeStation writes them: parse, format, round trips."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tstui.domain.options.symbology import (
    OptionType,
    format_option_symbol,
    format_strike,
    futures_option_expiration,
    is_futures_root,
    is_option_symbol,
    parse_option_symbol,
    parse_option_type,
)


def test_parse_and_format() -> None:
    sym = parse_option_symbol("MSFT 261218C450")
    assert sym.root == "MSFT" and sym.expiration == date(2026, 12, 18)
    assert sym.option_type is OptionType.CALL and sym.strike == Decimal(450)
    assert sym.symbol == "MSFT 261218C450" and str(sym) == sym.symbol and sym.is_call
    put = parse_option_symbol("msft 211217p332.5")
    assert put.option_type is OptionType.PUT and put.strike == Decimal("332.5")
    assert put.symbol == "MSFT 211217P332.5"
    assert format_option_symbol("SPY", date(2027, 1, 15), "Put", Decimal("262.50")) == (
        "SPY 270115P262.5"
    )
    assert not sym.is_future_option


def test_futures_options() -> None:
    # TradeStation's futures options: the contract, a space, C/P and the strike (no date)
    fut = parse_option_symbol("ESZ26 C6000")
    assert fut.root == "ESZ26" and fut.strike == 6000 and fut.is_future_option
    assert fut.expiration == date(2026, 12, 18)  # with the future, the third Friday
    assert fut.symbol == "ESZ26 C6000"
    put = parse_option_symbol("nqh27 p21500.5")
    assert put.symbol == "NQH27 P21500.5" and put.option_type is OptionType.PUT
    assert format_option_symbol("GCG27", date(2000, 1, 1), "Call", Decimal("2650")) == (
        "GCG27 C2650"
    )
    assert is_futures_root("CLF27") and not is_futures_root("MSFT")
    assert futures_option_expiration("ZZH27") == date(2027, 3, 19)  # unknown product
    with pytest.raises(ValueError):
        parse_option_symbol("ESZ26 261218C6000")  # a date is not part of the form
    with pytest.raises(ValueError):
        parse_option_symbol("ESZ26 C0")


@pytest.mark.parametrize(
    "text",
    [
        "AAPL 211217C150",
        "AAPL 211217C152.5",
        "NVDA 270319P0.5",
        "GC 270326C2650.25",
        "ESH27 P5900",
        "CLF27 C70.5",
        "SPY 261231P590",
    ],
)
def test_round_trip(text: str) -> None:
    parsed = parse_option_symbol(text)
    again = format_option_symbol(parsed.root, parsed.expiration, parsed.option_type, parsed.strike)
    assert again == text
    assert parse_option_symbol(again) == parsed


@pytest.mark.parametrize(
    "bad",
    [
        "MSFT",
        "MSFT 261218X450",
        "MSFT261218C450",
        "MSFT 261318C450",
        "MSFT 261218C",
        "MSFT 261218C0",
        "MSFT 261218C4e2",
        "MSFT  261218C450",
        "MSFT 2612189C450",
        "",
    ],
)
def test_refuses_malformed(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_option_symbol(bad)
    assert not is_option_symbol(bad)


def test_strike_and_type_text() -> None:
    assert format_strike(Decimal("450.00")) == "450"
    assert format_strike(Decimal("262.50")) == "262.5"
    assert format_strike(Decimal("1E+3")) == "1000"
    assert format_strike(Decimal("2.125")) == "2.125"
    with pytest.raises(ValueError):
        format_strike(Decimal(0))
    assert parse_option_type("call") is OptionType.CALL and parse_option_type("P") is OptionType.PUT
    with pytest.raises(ValueError):
        parse_option_type("both")
    with pytest.raises(ValueError):
        format_option_symbol("MS FT", date(2026, 1, 1), OptionType.CALL, Decimal(1))
