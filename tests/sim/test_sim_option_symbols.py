"""Option contracts on the plain market-data routes (quotes, symbol details, the quote stream),
as TradeStation serves them: the spec's Quote / SymbolDetail shapes, priced by the sim's
option model, and unknown or expired options answered as per-symbol errors."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from sim_helpers import StreamReader, get_token
from spec_support import Checker, corrected_spec, operation_of, response_schema

from tstui.domain.market.ticks import increment_at
from tstui.sim.control import SimControl
from tstui.sim.options_quotes import option_quote
from tstui.sim.server import SimServer

MD = "/v3/marketdata"
CALL = "MSFT 261218C450"  # a monthly listed at START (2026-12-01)
PUT = "MSFT 261218P420"
WEEKLY = "MSFT 261204C450"  # expires 2026-12-04 21:00 UTC
FUTURE_CALL = "ESZ26 C6300"


def _check(api: httpx.Client, url: str, body: Any) -> None:
    spec = corrected_spec()
    schema = response_schema(spec, operation_of(spec, "get", url), 200)
    problems = Checker(spec).problems(schema, body)
    assert not problems, problems


def _stream_frames(api: httpx.Client, symbols: str, count: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    with api.stream("GET", f"{MD}/stream/quotes/{symbols}") as response:
        assert response.status_code == 200, response.read()
        reader = StreamReader(response)
        while len(out) < count:
            frame = reader.next()
            if "Heartbeat" not in frame:
                out.append(frame)
    return out


def test_quotes_serve_a_stock_option_from_the_model(server: SimServer, api: httpx.Client) -> None:
    url = f"{MD}/quotes/{CALL},{PUT},MSFT"
    body = api.get(url).json()
    _check(api, httpx.URL(url).path, body)
    assert body["Errors"] == []
    call, put, stock = body["Quotes"]
    assert [call["Symbol"], put["Symbol"], stock["Symbol"]] == [CALL, PUT, "MSFT"]
    model = option_quote(server.ctx.engine, CALL)
    assert model is not None
    assert Decimal(call["Bid"]) == model.bid and Decimal(call["Ask"]) == model.ask
    assert Decimal(call["Last"]) == model.last and call["Close"] == call["Last"]
    assert call["Volume"] == str(model.volume)
    assert call["DailyOpenInterest"] == str(model.open_interest)
    assert int(call["DailyOpenInterest"]) > 0 and int(call["BidSize"]) > 0
    assert Decimal(call["Bid"]) <= Decimal(call["Last"]) <= Decimal(call["Ask"])
    assert Decimal(call["Low"]) <= Decimal(call["Last"]) <= Decimal(call["High"])
    assert Decimal(call["Low52Week"]) <= Decimal(call["Low"])
    assert Decimal(call["High52Week"]) >= Decimal(call["High"])
    change = Decimal(call["Last"]) - Decimal(call["PreviousClose"])
    assert Decimal(call["NetChange"]) == change
    assert call["LastTradingDate"] == "2026-12-18T00:00:00Z"
    # every price on the option tick, two decimals
    for name in ("Bid", "Ask", "Last", "Open", "High", "Low", "PreviousClose"):
        price = Decimal(call[name])
        assert (
            call[name] == f"{price:.2f}"
            and price % (Decimal("0.05") if price >= 3 else Decimal("0.01")) == 0
        )
    # not the underlying's quote (what the sim answered before options were tradable)
    assert Decimal(call["Last"]) < Decimal(stock["Last"]) / 10
    assert Decimal(put["Bid"]) < Decimal(put["Ask"]) and put["Symbol"] != call["Symbol"]


def test_a_futures_option_is_quoted_and_described(server: SimServer, api: httpx.Client) -> None:
    quote = api.get(f"{MD}/quotes/{FUTURE_CALL}").json()
    _check(api, f"{MD}/quotes/x", quote)
    (body,) = quote["Quotes"]
    model = option_quote(server.ctx.engine, FUTURE_CALL)
    assert model is not None and body["Symbol"] == FUTURE_CALL
    assert (Decimal(body["Bid"]), Decimal(body["Ask"])) == (model.bid, model.ask)
    assert body["LastVenue"] == "CME"
    details = api.get(f"{MD}/symbols/{FUTURE_CALL}").json()
    _check(api, f"{MD}/symbols/x", details)
    (detail,) = details["Symbols"]
    assert detail["AssetType"] == "FUTUREOPTION" and detail["Exchange"] == "CME"
    assert detail["Root"] == "ES" and detail["Underlying"] == "ESZ26"
    assert detail["OptionType"] == "CALL" and detail["StrikePrice"] == "6300"
    assert detail["PriceFormat"]["PointValue"] == "50"  # the future's point value
    assert detail["ExpirationDate"] == "2026-12-18T00:00:00Z"


def test_symbol_details_of_a_stock_option(api: httpx.Client) -> None:
    url = f"{MD}/symbols/{PUT},MSFT"
    body = api.get(url).json()
    _check(api, httpx.URL(url).path, body)
    assert body["Errors"] == []
    detail, stock = body["Symbols"]
    assert stock["AssetType"] == "STOCK" and "StrikePrice" not in stock  # unchanged
    assert detail["Symbol"] == PUT and detail["AssetType"] == "STOCKOPTION"
    assert detail["Description"] == "MSFT Dec 18 2026 420 Put"
    assert detail["Exchange"] == "OPRA" and detail["Currency"] == "USD"
    assert (detail["Root"], detail["Underlying"]) == ("MSFT", "MSFT")
    assert detail["OptionType"] == "PUT" and detail["StrikePrice"] == "420"
    assert detail["ExpirationDate"] == "2026-12-18T00:00:00Z"
    price_format = detail["PriceFormat"]
    assert price_format["PointValue"] == "100" and price_format["IncrementStyle"] == "Schedule"
    # the option tick as the client reads it: 0.01 under 3.00, 0.05 from there
    assert increment_at(price_format, Decimal("2.99")) == Decimal("0.01")
    assert increment_at(price_format, Decimal("3.00")) == Decimal("0.05")


def test_unknown_and_expired_options_are_per_symbol_errors(
    server: SimServer, api: httpx.Client, control: SimControl
) -> None:
    off_grid, unlisted = "MSFT 261218C451", "MSFT 261219C450"  # strike; not an expiration
    names = [WEEKLY, off_grid, unlisted, "NOPE 261218C450", "@ES C6300"]
    quotes = api.get(f"{MD}/quotes/{','.join(names)}").json()
    assert [q["Symbol"] for q in quotes["Quotes"]] == [WEEKLY]
    assert [e["Symbol"] for e in quotes["Errors"]] == names[1:]
    details = api.get(f"{MD}/symbols/{','.join(names)}").json()
    assert [d["Symbol"] for d in details["Symbols"]] == [WEEKLY]
    assert {e["Error"] for e in details["Errors"]} == {"NotFound"}
    # the weekly expires at 21:00 UTC on its Friday: from then on it is unknown
    control.set_clock(datetime(2026, 12, 4, 21, 0, 1, tzinfo=UTC))
    api.headers["Authorization"] = f"Bearer {get_token(server)}"  # the old one expired
    url = f"{MD}/quotes/{WEEKLY},{CALL}"
    after = api.get(url).json()
    _check(api, httpx.URL(url).path, after)
    assert [q["Symbol"] for q in after["Quotes"]] == [CALL]
    assert after["Errors"] == [{"Symbol": WEEKLY, "Error": f"Symbol {WEEKLY} not found."}]
    gone = api.get(f"{MD}/symbols/{WEEKLY}").json()
    assert gone["Symbols"] == [] and gone["Errors"][0]["Symbol"] == WEEKLY
    frames = _stream_frames(api, f"{WEEKLY},{CALL}", 2)
    assert {"Symbol": WEEKLY, "Error": f"Symbol {WEEKLY} not found."} in frames
    assert any(f.get("Symbol") == CALL and "Bid" in f for f in frames)


def test_the_quote_stream_sends_option_frames_that_follow_the_underlying(
    server: SimServer, api: httpx.Client, control: SimControl
) -> None:
    spec = corrected_spec()
    url = f"{MD}/stream/quotes/{CALL}"
    schema = response_schema(spec, operation_of(spec, "get", url), 200)
    checker = Checker(spec)
    with api.stream("GET", f"{MD}/stream/quotes/{CALL},MSFT") as response:
        assert response.status_code == 200, response.read()
        reader = StreamReader(response)
        first = reader.until(lambda f: f.get("Symbol") == CALL)
        assert not checker.problems(schema, first), checker.problems(schema, first)
        assert first["Bid"] and first["Ask"] and first["DailyOpenInterest"]
        model = option_quote(server.ctx.engine, CALL)
        assert model is not None and Decimal(first["Ask"]) == model.ask
        # the underlying jumps: the option's next frame is re-priced
        control.set_price("MSFT", Decimal("480.00"))
        moved = reader.until(lambda f: f.get("Symbol") == CALL)
        assert not checker.problems(schema, moved)
        assert Decimal(moved["Bid"]) > Decimal(first["Ask"])  # a call gains 30 points
