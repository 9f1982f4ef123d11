"""The simulator's option market: series on the sim clock, the four REST operations and the
chain and option-quote streams, priced over the simulator's own underlying."""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sim_helpers import START, StreamReader, get_token, last_price
from spec_support import Checker, corrected_spec

from tstui.domain.options import pricing
from tstui.domain.options.symbology import OptionType, parse_option_symbol
from tstui.sim.control import SimControl
from tstui.sim.options_quotes import RISK_FREE_RATE, option_quote
from tstui.sim.options_series import expirations, option_contract, settlement_price
from tstui.sim.options_spread import package_quote
from tstui.sim.server import SimServer

OPT = "/v3/marketdata/options"
STREAM = "/v3/marketdata/stream/options"
MONTHLY = "261218"  # the third Friday after START (2026-12-01)


def _frames(api: httpx.Client, url: str, count: int, **params: Any) -> list[dict[str, Any]]:
    """The first ``count`` data frames of a stream (heartbeats skipped)."""
    out: list[dict[str, Any]] = []
    with api.stream("GET", url, params=params) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith(
            "application/vnd.tradestation.streams.v2+json"
        )
        reader = StreamReader(response)
        while len(out) < count:
            frame = reader.next()
            assert "StreamStatus" not in frame  # the spec lists no EndSnapshot here
            if "Heartbeat" not in frame:
                out.append(frame)
    return out


def _chain(api: httpx.Client, underlying: str = "MSFT", **params: Any) -> list[dict[str, Any]]:
    """The whole snapshot of a chain: read until the first heartbeat."""
    out: list[dict[str, Any]] = []
    with api.stream("GET", f"{STREAM}/chains/{underlying}", params=params) as response:
        assert response.status_code == 200, response.read()
        reader = StreamReader(response)
        while True:
            frame = reader.next()
            if "Heartbeat" in frame:
                return out
            out.append(frame)


def D(text: str) -> Decimal:
    return Decimal(text)


# ----- REST ---------------------------------------------------------------------------------
def test_expirations_follow_the_sim_clock(
    server: SimServer, api: httpx.Client, control: SimControl
) -> None:
    body = api.get(f"{OPT}/expirations/MSFT").json()
    dates = [e["Date"] for e in body["Expirations"]]
    assert dates[0] == "2026-12-04T00:00:00Z" and dates == sorted(dates)
    types = {e["Date"][:10]: e["Type"] for e in body["Expirations"]}
    assert types["2026-12-04"] == "Weekly" and types["2026-12-18"] == "Monthly"
    assert len(dates) >= 10 and set(types.values()) == {"Weekly", "Monthly"}
    # Friday 21:00 UTC (the 16:00 ET close): that series is gone
    control.set_clock(datetime(2026, 12, 4, 21, 0, 1, tzinfo=UTC))
    api.headers["Authorization"] = f"Bearer {get_token(server)}"  # the old one expired
    after = [e["Date"] for e in api.get(f"{OPT}/expirations/MSFT").json()["Expirations"]]
    assert "2026-12-04T00:00:00Z" not in after and after[0] == "2026-12-11T00:00:00Z"
    assert api.get(f"{OPT}/expirations/MSFT", params={"strikePrice": 420}).json()["Expirations"]
    odd = api.get(f"{OPT}/expirations/MSFT", params={"strikePrice": 421}).json()
    assert odd == {"Expirations": []}
    bad = api.get(f"{OPT}/expirations/@ES")  # a continuous symbol: no options
    assert bad.status_code == 400 and set(bad.json()) == {"Error", "Message"}


def test_strikes_per_spread_type(api: httpx.Client) -> None:
    single = api.get(f"{OPT}/strikes/MSFT").json()
    assert single["SpreadType"] == "Single"
    strikes = [D(s[0]) for s in single["Strikes"]]
    assert all(b - a == 5 for a, b in itertools.pairwise(strikes))
    spot = D(str(last_price(api, "MSFT")))
    assert strikes[0] < spot * D("0.8") and strikes[-1] > spot * D("1.2")
    fly = api.get(
        f"{OPT}/strikes/MSFT", params={"spreadType": "Butterfly", "strikeInterval": 2}
    ).json()
    first = [D(s) for s in fly["Strikes"][0]]
    assert fly["SpreadType"] == "Butterfly" and first == [strikes[0], strikes[2], strikes[4]]
    assert len(fly["Strikes"]) == len(strikes) - 4
    aapl = api.get(f"{OPT}/strikes/AAPL", params={"spreadType": "vertical"}).json()
    a, b = (D(s) for s in aapl["Strikes"][0])
    assert aapl["SpreadType"] == "Vertical" and b - a == D("2.5")
    cal = api.get(
        f"{OPT}/strikes/MSFT",
        params={"spreadType": "Calendar", "expiration": "12-18-2026", "expiration2": "2027-01-15"},
    )
    assert cal.status_code == 200 and len(cal.json()["Strikes"][0]) == 1
    for params in (
        {"spreadType": "Calendar"},  # expiration2 is required
        {"spreadType": "Jade"},
        {"strikeInterval": 0},
        {"expiration": "12-19-2026"},  # not an expiration date
    ):
        assert api.get(f"{OPT}/strikes/MSFT", params=params).status_code == 400, params


def test_spread_types_are_the_spec_example(api: httpx.Client) -> None:
    spec = corrected_spec()
    example = spec["paths"][f"{OPT}/spreadtypes"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["example"]
    assert api.get(f"{OPT}/spreadtypes").json() == example


def _rr(api: httpx.Client, price: float, *legs: tuple[str, int, str]) -> httpx.Response:
    body = {
        "SpreadPrice": price,
        "Legs": [{"Symbol": s, "Quantity": q, "TradeAction": a} for s, q, a in legs],
    }
    return api.post(f"{OPT}/riskreward", json=body)


def test_risk_reward(api: httpx.Client) -> None:
    exp = f"MSFT {MONTHLY}"
    vertical = _rr(api, 4.1, (f"{exp}C420", 2, "BUY"), (f"{exp}C430", 2, "SELL")).json()
    assert vertical == {
        "MaxGainIsInfinite": False,
        "AdjustedMaxGain": "1180",
        "MaxLossIsInfinite": False,
        "AdjustedMaxLoss": "-820",
        "BreakevenPoints": ["424.1"],
    }
    # a short iron condor quoted at 1.20: read as a credit (the package pays at the market)
    condor = _rr(
        api,
        1.2,
        (f"{exp}P380", 1, "BUY"),
        (f"{exp}P390", 1, "SELL"),
        (f"{exp}C470", 1, "SELL"),
        (f"{exp}C480", 1, "BUY"),
    ).json()
    assert (condor["AdjustedMaxGain"], condor["AdjustedMaxLoss"]) == ("120", "-880")
    assert condor["BreakevenPoints"] == ["388.8", "471.2"]
    naked = _rr(api, 3, (f"{exp}C450", 1, "SELL")).json()
    assert naked["MaxLossIsInfinite"] is True and naked["AdjustedMaxGain"] == "300"
    covered = _rr(api, 415, ("MSFT", 100, "BUY"), (f"{exp}C450", 1, "SELL")).json()
    assert covered["MaxGainIsInfinite"] is False and covered["AdjustedMaxGain"] == "3500"
    assert covered["BreakevenPoints"] == ["415"]
    refusals = [
        _rr(api, 1, (f"{exp}C420", 1, "BUY"), ("MSFT 270115C430", 1, "SELL")),  # 2 expirations
        _rr(api, 1, (f"{exp}C420", 0, "BUY")),
        _rr(api, 1, (f"{exp}C420", 1, "HOLD")),
        _rr(api, 1, ("NOPE", 1, "BUY")),
        _rr(api, 1, ("MSFT", 100, "BUY")),  # no option leg
        api.post(f"{OPT}/riskreward", json={"SpreadPrice": 1, "Legs": [], "Extra": 1}),
        api.post(f"{OPT}/riskreward", json={"SpreadPrice": "1", "Legs": []}),
    ]
    for response in refusals:
        assert response.status_code == 400, response.text
        assert set(response.json()) == {"Error", "Message"}


# ----- the chain ----------------------------------------------------------------------------
def test_chain_frames_carry_every_spec_field(api: httpx.Client) -> None:
    spec = corrected_spec()
    schema = spec["components"]["schemas"]["Spread"]
    leg_schema = spec["components"]["schemas"]["SpreadLeg"]
    checker = Checker(spec)
    frames = _chain(api, strikeProximity=3)
    assert len(frames) == 12  # 3 strikes below the price, 3 above; a call and a put at each
    for frame in frames:
        assert not checker.problems(schema, frame), checker.problems(schema, frame)
        assert set(frame) == set(schema["properties"])
        for name, prop in schema["properties"].items():
            expected = {"string": str, "integer": int, "array": list}[prop["type"]]
            assert type(frame[name]) is expected, name
        for leg in frame["Legs"]:
            assert set(leg) == set(leg_schema["properties"])
        assert frame["Side"] in ("Call", "Put")
        leg = frame["Legs"][0]
        parsed = parse_option_symbol(leg["Symbol"])
        assert leg["StrikePrice"] == frame["Strikes"][0] and parsed.expiration == date(2026, 12, 4)
        assert D(frame["Bid"]) <= D(frame["Mid"]) <= D(frame["Ask"])
        assert D(frame["Low"]) <= D(frame["Last"]) <= D(frame["High"])
        assert D(frame["ExtrinsicValue"]) == D(frame["Mid"]) - D(frame["IntrinsicValue"])
        itm, otm = D(frame["ProbabilityITM"]), D(frame["ProbabilityOTM"])
        assert itm + otm == 1
    strikes = sorted({D(f["Strikes"][0]) for f in frames})
    spot = D(str(last_price(api, "MSFT")))
    assert strikes[2] <= spot < strikes[3]


def test_chain_parity_and_monotone_in_strike(api: httpx.Client) -> None:
    frames = _chain(api, strikeProximity=8, expiration="12-18-2026")
    spot = float(last_price(api, "MSFT"))
    years = pricing.year_fraction(START, date(2026, 12, 18))
    calls = {D(f["Strikes"][0]): f for f in frames if f["Side"] == "Call"}
    puts = {D(f["Strikes"][0]): f for f in frames if f["Side"] == "Put"}
    assert calls.keys() == puts.keys() and len(calls) == 16
    for k in calls:
        forward = spot - float(k) * pricing.math.exp(-RISK_FREE_RATE * years)
        c, p = calls[k], puts[k]
        assert float(c["Bid"]) - float(p["Ask"]) <= forward <= float(c["Ask"]) - float(p["Bid"])
    ks = sorted(calls)
    for lo, hi in itertools.pairwise(ks):
        assert D(calls[lo]["Bid"]) >= D(calls[hi]["Bid"])
        assert D(calls[lo]["Ask"]) >= D(calls[hi]["Ask"])
        assert D(puts[lo]["Ask"]) <= D(puts[hi]["Ask"])
        assert D(puts[lo]["Bid"]) <= D(puts[hi]["Bid"])
        assert float(calls[lo]["Delta"]) > float(calls[hi]["Delta"])


def test_chain_greeks_are_the_model_at_the_implied_vol(api: httpx.Client) -> None:
    frame = _chain(api, strikeProximity=1, optionType="Call", expiration="12-18-2026")[0]
    k = float(frame["Strikes"][0])
    spot = float(last_price(api, "MSFT"))
    years = pricing.year_fraction(START, date(2026, 12, 18))
    iv = float(frame["ImpliedVolatility"])
    model = pricing.black_scholes(OptionType.CALL, spot, k, years, RISK_FREE_RATE, iv)
    assert float(frame["Delta"]) == pytest.approx(model.delta, abs=2e-4)
    assert float(frame["Gamma"]) == pytest.approx(model.gamma, abs=2e-4)
    assert float(frame["Theta"]) == pytest.approx(model.theta, abs=2e-4)
    assert float(frame["Vega"]) == pytest.approx(model.vega, abs=2e-4)
    assert float(frame["TheoreticalValue_IV"]) == pytest.approx(float(frame["Mid"]), abs=2e-3)
    assert float(frame["StandardDeviation"]) == pytest.approx(iv * years**0.5, abs=2e-4)
    quiet = _chain(api, strikeProximity=1, optionType="Put", enableGreeks="false")
    assert all("Delta" not in f and f["Side"] == "Put" for f in quiet)


def test_chain_filters_and_spread_types(api: httpx.Client) -> None:
    itm = _chain(api, strikeProximity=4, strikeRange="ITM")
    assert itm and all(D(f["IntrinsicValue"]) > 0 for f in itm)
    otm = _chain(api, strikeProximity=4, strikeRange="OTM")
    assert otm and all(D(f["IntrinsicValue"]) == 0 for f in otm)
    assert len(itm) + len(otm) == 16
    condors = _chain(api, strikeProximity=2, spreadType="IronCondor", strikeInterval=2)
    assert len(condors) == 4 and all(f["Side"] == "Both" for f in condors)
    legs = condors[0]["Legs"]
    assert [leg["Ratio"] for leg in legs] == [1, -1, -1, 1]
    assert [leg["OptionType"] for leg in legs] == ["Put", "Put", "Call", "Call"]
    ks = [D(leg["StrikePrice"]) for leg in legs]
    assert ks == sorted(ks) and ks[1] - ks[0] == 10  # interval 2 on a 5-point grid
    fly = _chain(api, strikeProximity=1, spreadType="Butterfly", optionType="Call")[0]
    assert [leg["Ratio"] for leg in fly["Legs"]] == [1, -2, 1]
    bid, ask = D(fly["Bid"]), D(fly["Ask"])
    assert bid <= ask and D(fly["Mid"]) == (bid + ask) / 2
    cal = _chain(
        api,
        strikeProximity=1,
        spreadType="Calendar",
        expiration="12-04-2026",
        expiration2="12-18-2026",
        optionType="Put",
    )
    assert [leg["Expiration"][:10] for leg in cal[0]["Legs"]] == ["2026-12-04", "2026-12-18"]
    assert 0 <= float(cal[0]["ProbabilityBE"]) <= 1
    covered = _chain(api, strikeProximity=1, spreadType="Covered", optionType="Call")[0]
    assert covered["Legs"][0] == {"Symbol": "MSFT", "Ratio": 100, "AssetType": "Stock"}
    for params in (
        {"spreadType": "Nope"},
        {"strikeProximity": 0},
        {"strikeRange": "Deep"},
        {"optionType": "Both"},
        {"enableGreeks": "maybe"},
        {"spreadType": "Diagonal"},  # no expiration2
        {"riskFreeRate": "abc"},
    ):
        response = api.get(f"{STREAM}/chains/MSFT", params=params)
        assert response.status_code == 400, params
    assert api.get(f"{STREAM}/chains/NOPE").status_code == 400


def test_chain_moves_with_the_underlying(api: httpx.Client, control: SimControl) -> None:
    with api.stream(
        "GET", f"{STREAM}/chains/MSFT", params={"strikeProximity": 1, "optionType": "Call"}
    ) as response:
        reader = StreamReader(response)
        before = [reader.next(), reader.next()]
        up = last_price(api, "MSFT") + 10
        control.set_price("MSFT", f"{up:.2f}")
        after = reader.until(lambda f: "Heartbeat" not in f)
    old = next(f for f in before if f["Strikes"] == after["Strikes"])
    assert D(after["Bid"]) > D(old["Bid"]) and float(after["Delta"]) > float(old["Delta"])


# ----- the option quotes stream -----------------------------------------------------------
def test_option_quotes_stream_prices_the_legs(api: httpx.Client) -> None:
    exp = f"MSFT {MONTHLY}"
    single = _frames(api, f"{STREAM}/quotes", 1, **{"legs[0].Symbol": f"{exp}C420"})[0]
    params = {
        "legs[0].Symbol": f"{exp}C420",
        "legs[2].Symbol": f"{exp}C430",
        "legs[1].Symbol": f"{exp}C425",
        "legs[1].Ratio": "-2",
    }
    fly = _frames(api, f"{STREAM}/quotes", 1, **params)[0]
    assert [leg["Ratio"] for leg in fly["Legs"]] == [1, -2, 1] and fly["Side"] == "Call"
    assert fly["Strikes"] == ["420", "425", "430"]
    wings = _frames(api, f"{STREAM}/quotes", 1, **{"legs[0].Symbol": f"{exp}C430"})[0]
    body = _frames(api, f"{STREAM}/quotes", 1, **{"legs[0].Symbol": f"{exp}C425"})[0]
    # the spread's bid sells the wings at their bids and buys the body at its ask
    assert D(fly["Bid"]) == D(single["Bid"]) + D(wings["Bid"]) - 2 * D(body["Ask"])
    assert D(fly["Ask"]) == D(single["Ask"]) + D(wings["Ask"]) - 2 * D(body["Bid"])
    delta = float(single["Delta"]) - 2 * float(body["Delta"]) + float(wings["Delta"])
    assert float(fly["Delta"]) == pytest.approx(delta, abs=3e-4)
    for bad in (
        {"legs[1].Symbol": f"{exp}C420"},  # indexes start at zero
        {"legs[0].Symbol": f"{exp}C421"},  # off the strike grid
        {"legs[0].Symbol": "MSFT 261205C420"},  # not an expiration
        {"legs[0].Symbol": f"{exp}C420", "legs[0].Ratio": "1.5"},
        {"legs[0].Symbol": f"{exp}C420", "legs[1].Symbol": f"AAPL {MONTHLY}C220"},
        {"legs[0].Symbol": "MSFT"},  # no option leg
    ):
        assert api.get(f"{STREAM}/quotes", params=bad).status_code == 400, bad


# ----- the function the order side prices with --------------------------------------------
def test_option_quote_for_the_order_side() -> None:
    with SimServer(seed=7, start=START, speed=0) as sim:
        engine = sim.engine
        q = option_quote(engine, f"MSFT {MONTHLY}C420")
        assert q is not None and q.bid < q.ask and q.multiplier == 100
        assert q.symbol == f"MSFT {MONTHLY}C420" and q.bid <= q.last <= q.ask
        put = option_quote(engine, f"MSFT {MONTHLY}P420")
        assert put is not None
        assert q.intrinsic == max(Decimal(0), q.underlying_price - 420)
        assert option_quote(engine, "MSFT 261218C421") is None  # off the grid
        assert option_quote(engine, "NOPE 261218C420") is None
        assert option_quote(engine, "MSFT") is None
        vertical = package_quote(engine, [(f"MSFT {MONTHLY}C420", 1), (f"MSFT {MONTHLY}C430", -1)])
        upper = option_quote(engine, f"MSFT {MONTHLY}C430")
        assert vertical is not None and upper is not None
        assert vertical == (q.bid - upper.ask, q.ask - upper.bid)
        assert package_quote(engine, [("MSFT", 100)]) is None  # no option leg
        assert package_quote(engine, [("MSFT 261218C421", 1)]) is None
        later = datetime(2026, 12, 18, 21, 0, tzinfo=UTC)
        assert option_quote(engine, f"MSFT {MONTHLY}C420", later) is None  # expired
        assert option_contract(engine, f"MSFT {MONTHLY}C420", later) is None
        contract = parse_option_symbol(f"MSFT {MONTHLY}C420")
        settle = settlement_price(engine, contract)
        inst = engine.instrument("MSFT")
        assert inst is not None and settle == engine.paths.price_at(inst, later)
        assert next(d for d, _ in expirations(later)) == date(2026, 12, 25)


def test_frames_are_json_lines(api: httpx.Client) -> None:
    with api.stream("GET", f"{STREAM}/chains/AAPL", params={"strikeProximity": 1}) as response:
        line = StreamReader(response).raw()
    assert json.loads(line)["Legs"][0]["Symbol"].startswith("AAPL ")


# ----- options on futures -------------------------------------------------------------------
def test_futures_options_are_black_76_on_the_contract(api: httpx.Client) -> None:
    body = api.get(f"{OPT}/expirations/ESH27").json()
    assert body == {"Expirations": [{"Date": "2027-03-19T00:00:00Z", "Type": "Quarterly"}]}
    assert api.get(f"{OPT}/expirations/@ES").status_code == 400  # never the continuous symbol
    assert api.get(f"{OPT}/expirations/CLF27").json()["Expirations"][0]["Type"] == "Monthly"
    strikes = [D(s[0]) for s in api.get(f"{OPT}/strikes/ESH27").json()["Strikes"]]
    assert {b - a for a, b in itertools.pairwise(strikes)} == {25}
    frames = _chain(api, underlying="ESH27", strikeProximity=2)
    assert len(frames) == 8
    future = float(last_price(api, "ESH27"))
    years = pricing.year_fraction(START, date(2027, 3, 19))
    for frame in frames:
        leg = frame["Legs"][0]
        assert leg["AssetType"] == "FutureOption" and " " in leg["Symbol"]
        assert parse_option_symbol(leg["Symbol"]).is_future_option
        kind = OptionType(leg["OptionType"])
        iv = float(frame["ImpliedVolatility"])
        model = pricing.black76(kind, future, float(leg["StrikePrice"]), years, RISK_FREE_RATE, iv)
        assert float(frame["Delta"]) == pytest.approx(model.delta, abs=2e-4)
        assert float(frame["Rho"]) == pytest.approx(model.rho, rel=2e-3)
    calls = {f["Strikes"][0]: f for f in frames if f["Side"] == "Call"}
    puts = {f["Strikes"][0]: f for f in frames if f["Side"] == "Put"}
    for k, call in calls.items():  # Black-76 parity: c - p = (F - K) e^(-rT)
        put = puts[k]
        parity = (future - float(k)) * pricing.math.exp(-RISK_FREE_RATE * years)
        assert (
            float(call["Bid"]) - float(put["Ask"])
            <= parity
            <= float(call["Ask"]) - float(put["Bid"])
        )
    rr = _rr(api, 40, ("ESH27 C6100", 1, "BUY"), ("ESH27 C6200", 1, "SELL")).json()
    assert (rr["AdjustedMaxGain"], rr["AdjustedMaxLoss"]) == ("3000", "-2000")  # x 50
    assert api.get(f"{STREAM}/chains/ESH27", params={"spreadType": "Covered"}).status_code == 400


def test_futures_option_quote_for_the_order_side() -> None:
    with SimServer(seed=7, start=START, speed=0) as sim:
        q = option_quote(sim.engine, "ESH27 C7000")
        assert q is not None and q.multiplier == 50 and q.contract.is_future_option
        assert option_quote(sim.engine, "ESH27 C7010") is None  # off the 25-point grid
        assert option_quote(sim.engine, "ESZ29 C7000") is None  # not listed yet


def test_at_most_ten_streams_per_option_stream(api: httpx.Client) -> None:
    readers = []  # kept: a dropped reader closes its stream
    with contextlib.ExitStack() as stack:
        for _ in range(10):
            response = stack.enter_context(
                api.stream("GET", f"{STREAM}/chains/MSFT", params={"strikeProximity": 1})
            )
            readers.append(StreamReader(response))
            readers[-1].next()  # open and streaming
        refused = api.get(f"{STREAM}/chains/MSFT")
        assert refused.status_code == 429 and refused.json()["Error"] == "TooManyRequests"
        legs = {"legs[0].Symbol": f"MSFT {MONTHLY}C420"}
        assert _frames(api, f"{STREAM}/quotes", 1, **legs)  # counted apart
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # the closed streams give their slots back
        with api.stream("GET", f"{STREAM}/chains/MSFT") as again:
            if again.status_code == 200:
                break
        time.sleep(0.05)
    else:
        raise AssertionError("slots never freed")
