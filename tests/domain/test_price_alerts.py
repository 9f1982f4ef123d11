"""Price alerts: parsing and writing back, crossing once, moves from a reference."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tstui.domain.market.alerts import AlertWatch, PriceAlert, parse_alert

D = Decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MSFT above 450", PriceAlert("MSFT", "above", D("450"))),
        ("  @es BELOW 5600.25 ", PriceAlert("@ES", "below", D("5600.25"))),
        ("AAPL move 2% from 219.50", PriceAlert("AAPL", "move", D("2"), D("219.50"))),
    ],
)
def test_parse_and_write_back(text: str, expected: PriceAlert) -> None:
    alert = parse_alert(text)
    assert alert == expected
    assert parse_alert(alert.text()) == alert


def test_a_move_takes_the_last_price_when_no_reference_is_given() -> None:
    assert parse_alert("AAPL move 1.5%", last=D("200")).reference == D("200")
    with pytest.raises(ValueError, match="no price for AAPL yet"):
        parse_alert("AAPL move 1.5%")


@pytest.mark.parametrize(
    "text", ["MSFT", "MSFT above", "MSFT above x", "MSFT above 450%", "MSFT move 0%", "above 4"]
)
def test_bad_alerts_say_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError):
        parse_alert(text, last=D("1"))


def test_crossing_above_fires_once() -> None:
    watch = AlertWatch.of([parse_alert("MSFT above 450")])
    assert watch.check("MSFT", D("449")) == []
    assert watch.check("AAPL", D("451")) == []  # another symbol
    fired = watch.check("MSFT", D("450.5"))
    assert [a.text() for a in fired] == ["MSFT above 450"]
    assert watch.check("MSFT", D("449")) == [] and watch.check("MSFT", D("452")) == []
    assert watch.alerts == []


def test_an_alert_set_beyond_its_level_waits_for_a_cross() -> None:
    watch = AlertWatch.of([parse_alert("MSFT below 400")])
    assert watch.check("MSFT", D("390")) == []  # already below: no cross yet
    assert watch.check("MSFT", D("401")) == []
    assert len(watch.check("MSFT", D("399.99"))) == 1


def test_an_alert_added_after_a_price_is_armed_from_it() -> None:
    watch = AlertWatch()
    watch.check("MSFT", D("449"))
    assert watch.add(parse_alert("MSFT above 450"))
    assert not watch.add(parse_alert("MSFT above 450"))  # the same one twice
    assert len(watch.check("MSFT", D("450"))) == 1


def test_a_move_fires_either_way() -> None:
    up = parse_alert("AAPL move 2% from 200")
    watch = AlertWatch.of([up])
    assert watch.check("AAPL", D("203.9")) == []
    assert watch.check("AAPL", D("195.9")) == [up]
    assert "-2.05%" in up.describe(D("195.9"))
