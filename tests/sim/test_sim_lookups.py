"""Read operations by id and the symbol lookups: crypto pair names, v2 suggest and search."""

from __future__ import annotations

import httpx
from sim_helpers import FUTURES, MARGIN, StreamReader, order_body


def test_orders_by_id_today_and_history(api: httpx.Client) -> None:
    today = api.get(f"/v3/brokerage/accounts/{MARGIN}/orders").json()["Orders"]
    wanted = [today[0]["OrderID"], today[-1]["OrderID"]]
    by_id = api.get(f"/v3/brokerage/accounts/{MARGIN}/orders/{','.join([*wanted, '42'])}").json()
    assert [o["OrderID"] for o in by_id["Orders"]] == wanted
    assert by_id["Errors"] == [
        {
            "AccountID": MARGIN,
            "OrderID": "42",
            "Error": "NotFound",
            "Message": "Order 42 was not found.",
        }
    ]
    url = f"/v3/brokerage/accounts/{MARGIN},{FUTURES}/historicalorders"
    old = api.get(url, params={"since": "2026-10-01"}).json()["Orders"]
    some = old[3]["OrderID"]
    found = api.get(f"{url}/{some}", params={"since": "2026-10-01"}).json()
    assert [o["OrderID"] for o in found["Orders"]] == [some] and found["Errors"] == []
    # the since bound applies to lookups by id too
    later = api.get(f"{url}/{old[-1]['OrderID']}", params={"since": old[0]["OpenedDateTime"]})
    assert later.json()["Orders"] == []
    missing_since = api.get(f"{url}/{some}")
    assert missing_since.status_code == 400
    assert missing_since.json() == {"Error": "BadRequest", "Message": "since is required."}


def test_order_stream_by_id_sends_only_those_orders(api: httpx.Client) -> None:
    first = api.post(
        "/v3/orderexecution/orders", json=order_body(OrderType="Limit", LimitPrice="1.00")
    ).json()["Orders"][0]["OrderID"]
    url = f"/v3/brokerage/stream/accounts/{MARGIN}/orders/{first}"
    with api.stream("GET", url) as response:
        reader = StreamReader(response)
        assert [f["OrderID"] for f in reader.snapshot()] == [first]
        api.post("/v3/orderexecution/orders", json=order_body())  # another order: not sent
        api.delete(f"/v3/orderexecution/orders/{first}")
        frame = reader.until(lambda f: f.get("Status") == "CAN" or "OrderID" in f)
        assert frame["OrderID"] == first


def test_crypto_symbol_names(api: httpx.Client) -> None:
    body = api.get("/v3/marketdata/symbollists/cryptopairs/symbolnames").json()
    assert body == {"SymbolNames": ["BTCUSD", "ETHUSD", "LTCUSD", "BCHUSD"]}


def test_suggest_matches_names_and_descriptions_with_top_and_filter(api: httpx.Client) -> None:
    found = api.get("/v2/data/symbols/suggest/MS").json()
    assert [s["Name"] for s in found] == ["MSFT"]
    msft = found[0]
    assert msft["Category"] == "Stock" and msft["Country"] == "US"
    assert msft["DisplayType"] == 3 and msft["MinMove"] == 1 and msft["PointValue"] == 1
    es = api.get("/v2/data/symbols/suggest/ES").json()
    assert es[0]["Name"] == "@ES" and all(s["Root"] == "ES" for s in es)
    assert es[1]["MinMove"] == 25 and es[1]["PointValue"] == 50 and es[1]["ExpirationDate"]
    by_description = api.get("/v2/data/symbols/suggest/apple").json()
    assert [s["Name"] for s in by_description] == ["AAPL"]
    assert len(api.get("/v2/data/symbols/suggest/E", params={"$top": 2}).json()) == 2
    stocks_only = api.get(
        "/v2/data/symbols/suggest/N", params={"$filter": "Category neq 'Future'"}
    ).json()
    assert [s["Name"] for s in stocks_only] == ["NVDA"]
    assert api.get("/v2/data/symbols/suggest/zzzz").json() == []
    assert api.get("/v2/data/symbols/suggest/MS", params={"$top": 0}).json() == []
    for params in ({"$top": "x"}, {"$filter": "Colour eq 'red'"}):
        bad = api.get("/v2/data/symbols/suggest/MS", params=params)
        assert bad.status_code == 400
        assert bad.json()["Error"] == "BadRequest"
        assert next(iter(params)) in bad.json()["Message"]


def test_search_by_criteria(api: httpx.Client) -> None:
    stocks = api.get("/v2/data/symbols/search/N=A").json()
    assert {s["Name"] for s in stocks} == {"AAPL", "NVDA"}
    assert all(s["Underlying"] == "" for s in stocks)
    gold = api.get("/v2/data/symbols/search/C=FU&R=GC").json()
    assert gold[0]["Name"] == "@GC" and gold[0]["Underlying"] == gold[1]["Name"]
    assert len(gold) == 5 and all(s["Category"] == "Future" for s in gold)  # @GC + 4
    by_desc = api.get("/v2/data/symbols/search/C=Future&Desc=crude").json()
    assert {s["Root"] for s in by_desc} == {"CL"}
    none = api.get("/v2/data/symbols/search/N=ZZZZ")
    assert none.status_code == 404 and none.json()["Error"] == "NotFound"
    assert api.get("/v2/data/symbols/search/C=SO&R=MSFT").status_code == 404  # no options
    bad = api.get("/v2/data/symbols/search/Q=1")
    assert bad.status_code == 400 and "Q=1" in bad.json()["Message"]
    bad_category = api.get("/v2/data/symbols/search/C=Shoes")
    assert bad_category.status_code == 400 and "C" in bad_category.json()["Message"]


def test_lookups_need_a_token(api: httpx.Client) -> None:
    for path in (
        "/v3/marketdata/symbollists/cryptopairs/symbolnames",
        "/v2/data/symbols/suggest/MS",
        "/v2/data/symbols/search/N=MSFT",
    ):
        response = httpx.get(f"{api.base_url}{path}")
        assert response.status_code == 401 and response.json()["Error"] == "Unauthorized"


def test_historical_since_accepts_every_documented_date_form(api: httpx.Client) -> None:
    url = f"/v3/brokerage/accounts/{MARGIN},{FUTURES}/historicalorders"
    reference = api.get(url, params={"since": "2026-11-05"}).json()["Orders"]
    assert reference  # the seeded history reaches back further than that
    # the spec's examples: 2006-01-13, 01-13-2006, 2006/01/13, 01/13/2006; and RFC 3339
    for form in ("11-05-2026", "2026/11/05", "11/05/2026", "2026-11-05T00:00:00Z"):
        response = api.get(url, params={"since": form})
        assert response.status_code == 200, (form, response.text)
        assert response.json()["Orders"] == reference, form
    for bad in ("2026-13-05", "05.11.2026", "yesterday", "", "11-05-26x"):
        response = api.get(url, params={"since": bad})
        assert response.status_code == 400, bad
        body = response.json()
        assert set(body) == {"Error", "Message"} and body["Error"] == "BadRequest"
        assert "since" in body["Message"]
    too_old = api.get(url, params={"since": "08-01-2026"}).json()
    assert too_old == {
        "Error": "BadRequest",
        "Message": "since is limited to 90 days prior to the current date.",
    }


def test_order_bodies_are_checked_against_the_spec_types(api: httpx.Client) -> None:
    cases = [
        (order_body(AccountID=1000001), "AccountID must be a string."),
        (order_body(Quantity=10), "Quantity must be a string."),
        ({**order_body(), "StopPrice": None}, "StopPrice must not be null."),
        (order_body(TimeInForce={}), "TimeInForce.Duration is required."),
        (order_body(OrderType="market"), "OrderType must be one of Market, Limit"),
        (
            order_body(AdvancedOptions={"AllOrNone": "yes"}),
            "AdvancedOptions.AllOrNone must be true or false.",
        ),
        (
            order_body(Legs=[{"Quantity": "1", "TradeAction": "BUY"}]),
            "Legs[0].Symbol is required.",
        ),
        (
            order_body(OSOs=[{"Type": "XYZ", "Orders": []}]),
            "OSOs[0].Type must be one of NORMAL, BRK, OCO.",
        ),
    ]
    before = len(api.get(f"/v3/brokerage/accounts/{MARGIN}/orders").json()["Orders"])
    for body, message in cases:
        for path in ("/v3/orderexecution/orderconfirm", "/v3/orderexecution/orders"):
            response = api.post(path, json=body)
            assert response.status_code == 400, (body, response.text)
            answer = response.json()
            assert set(answer) == {"Error", "Message"} and answer["Error"] == "BadRequest"
            assert answer["Message"].startswith(message), answer
    replace = api.put("/v3/orderexecution/orders/1", json={"LimitPrice": 1.5})
    assert replace.json() == {"Error": "BadRequest", "Message": "LimitPrice must be a string."}
    # nothing was placed
    assert len(api.get(f"/v3/brokerage/accounts/{MARGIN}/orders").json()["Orders"]) == before


def test_confirm_without_an_id_gets_one_that_a_placement_can_use(api: httpx.Client) -> None:
    body = order_body(OrderType="Limit", LimitPrice="1.00")
    (first,) = api.post("/v3/orderexecution/orderconfirm", json=body).json()["Confirmations"]
    (again,) = api.post("/v3/orderexecution/orderconfirm", json=body).json()["Confirmations"]
    confirm_id = first["OrderConfirmID"]
    assert 1 <= len(confirm_id) <= 22 and confirm_id == again["OrderConfirmID"]
    placed = api.post("/v3/orderexecution/orders", json={**body, "OrderConfirmID": confirm_id})
    assert placed.json()["Orders"][0]["OrderID"]
