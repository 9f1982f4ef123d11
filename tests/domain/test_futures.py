"""Futures symbology: parsing, expirations, roll dates, front contracts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tstui.domain.market import futures


def test_parse_and_format() -> None:
    contract = futures.parse_contract("ESZ26")
    assert (contract.root, contract.month, contract.year) == ("ES", 12, 2026)
    assert contract.symbol == "ESZ26"
    assert futures.format_contract("GC", 2027, 2) == "GCG27"
    for bad in ("ES", "ESA26", "@ES", "ESZ2"):
        with pytest.raises(ValueError):
            futures.parse_contract(bad)
    assert futures.is_continuous("@ES") and not futures.is_continuous("ESZ26")
    assert futures.root_of("@NQ") == "NQ" and futures.root_of("CLF27") == "CL"
    assert futures.MONTH_CODES["Z"] == 12 and len(futures.MONTH_CODES) == 12


def test_product_specs() -> None:
    assert futures.product("ES").point_value == Decimal(50)
    assert futures.product("NQ").tick_size == Decimal("0.25")
    assert futures.product("CL").point_value == Decimal(1000)
    assert futures.product("GC").cycle == (2, 4, 6, 8, 10, 12)
    with pytest.raises(ValueError):
        futures.product("ZZ")


def test_equity_index_expiry_and_roll() -> None:
    assert futures.expiration_date("ES", 2026, 12) == date(2026, 12, 18)
    assert futures.roll_date("ES", 2026, 12) == date(2026, 12, 10)
    assert futures.front_contract("ES", datetime(2026, 12, 1, tzinfo=UTC)) == "ESZ26"
    assert futures.front_contract("ES", datetime(2026, 12, 9, 23, 59, tzinfo=UTC)) == "ESZ26"
    assert futures.front_contract("ES", datetime(2026, 12, 10, tzinfo=UTC)) == "ESH27"
    assert futures.front_contract("ES", datetime(2026, 12, 11, 15, tzinfo=UTC)) == "ESH27"
    assert futures.front_contract("NQ", datetime(2027, 3, 20, tzinfo=UTC)) == "NQM27"
    with pytest.raises(ValueError):
        futures.expiration_date("ES", 2026, 11)


def test_crude_and_gold() -> None:
    # Jan 2027 CL: the 25th of Dec 2026 is a Friday -> 3 business days before: Dec 22.
    assert futures.expiration_date("CL", 2027, 1) == date(2026, 12, 22)
    assert futures.roll_date("CL", 2027, 1) == date(2026, 12, 17)
    assert futures.front_contract("CL", datetime(2026, 12, 1, tzinfo=UTC)) == "CLF27"
    assert futures.front_contract("CL", datetime(2026, 12, 18, tzinfo=UTC)) == "CLG27"
    # Feb 2027 GC: first notice = last business day of Jan (Fri Jan 29), roll 2 days before.
    assert futures.roll_date("GC", 2027, 2) == date(2027, 1, 27)
    assert futures.front_contract("GC", datetime(2026, 12, 1, tzinfo=UTC)) == "GCG27"
    assert futures.front_contract("GC", datetime(2027, 1, 27, tzinfo=UTC)) == "GCJ27"
    assert futures.expiration_date("GC", 2027, 2) == date(2027, 2, 24)


def test_next_contract() -> None:
    assert futures.next_contract("ES", "ESZ26") == "ESH27"
    assert futures.next_contract("CL", "CLZ26") == "CLF27"
    assert futures.next_contract("GC", "GCZ26") == "GCG27"
    with pytest.raises(ValueError):
        futures.next_contract("ES", "NQZ26")
