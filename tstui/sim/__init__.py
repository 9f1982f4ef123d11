"""tstui's embedded TradeStation simulator: one loopback port serving OAuth, the v3 API,
the streams and an admin API, deterministic for a given seed and clock.

Running it
----------
``tstui sim [--host 127.0.0.1] [--port 0] [--seed 7] [--state PATH] [--speed 1] [--start ISO]``
prints ``tstui simulator listening on http://HOST:PORT`` and ``CLIENT_ID=...``,
``CLIENT_SECRET=...``, ``REFRESH_TOKEN=...`` and serves until SIGINT/SIGTERM (open streams get
``{"StreamStatus": "GoAway"}``). Embedded: ``with SimServer(speed=0) as sim:`` (``sim.url``,
``sim.credentials``, ``sim.accounts``, ``sim.engine``, ``sim.control()``); startup takes a few
tens of milliseconds. Accounts: ``SIM1000001M`` (Margin, holds MSFT and AAPL),
``SIM1000002F`` (Futures, flat), ``SIM1000003C`` (Cash, holds NVDA); today's orders and about
120 days of order history are seeded. Symbols: MSFT AAPL SPY NVDA, ES NQ CL GC contracts
(``ESZ26``...) and continuous ``@ES @NQ @CL @GC``.

The clock
---------
Sim time = ``--start`` (default: now) + real time x ``--speed`` + admin moves. ``speed=0``
freezes it: tests use that plus ``POST /_sim/clock`` for determinism. Access tokens (20 min),
authorization codes (5 min), rate-limit windows, order expiry, bar closing and the ``@ES`` roll
all follow sim time. Prices are a pure function of (seed, symbol, sim time).

Sign-in
-------
``GET /authorize`` checks ``client_id``, ``redirect_uri`` (the default key's localhost list),
``scope`` (must contain ``openid``; ``offline_access`` yields a refresh token) and
``code_challenge_method`` (S256). A browser (``Accept: text/html``) gets a consent page whose
Allow link adds ``approve=1``; any other caller gets the 302 to
``redirect_uri?code=...&state=...`` directly. ``POST /oauth/token`` (form fields) serves
``authorization_code`` (PKCE checked when a challenge was sent; codes single-use, 5 sim
minutes) and ``refresh_token``. Both answer ``access_token``, ``token_type``, ``expires_in``,
``scope`` and, whenever the granted scope includes ``openid``, an ``id_token`` (an HS256 JWT
with ``sub``, ``aud`` = the client id, ``iss`` = ``https://signin.tradestation.com/``,
``iat``, ``exp``; signed with a key of the simulator's own, so it verifies nowhere else); the
code grant adds ``refresh_token`` (with ``offline_access``), a refresh never rotates it.
Errors are ``{"error", "error_description"}``:
``invalid_client`` 401, ``invalid_grant`` 403, ``invalid_request`` 400.
``POST /oauth/revoke`` revokes every refresh token (the demo one included).

API behaviour choices
---------------------
- Placement: a malformed body is a 400. A business rejection (quantity <= 0 or fractional,
  unknown symbol, continuous symbol, asset type the account cannot trade, missing or off-tick
  price, short sale in a cash account, insufficient buying power) answers 200 with
  ``{"Errors": [{"OrderID", "Error": "FAILED", "Message"}]}`` and creates an order in ``REJ``
  with ``RejectReason``. A reused ``OrderConfirmID`` or an unknown account answers 200 with an
  ``Errors`` entry and creates nothing.
- Accepted orders stream ``ACK`` then ``OPN``. Market orders fill at the touch (ask for buys,
  bid for sells; the spread is one tick); limits fill at the touch once it reaches the limit;
  stops trigger on the last price and then act as market/limit. Matching runs on every price
  change, clock move and (while time flows) every 0.25 s. IOC/FOK that cannot fill are
  cancelled; DAY expires at 21:00 UTC, 1/3/5 after minutes.
- Partial fills: an execution takes at most the size at the touch (``tstui.sim.quotes.
  touch_sizes``), refilled once a sim second: ``FPR`` (``ExecQuantity``, averaged
  ``FilledPrice``) until ``FLL``; ``FLP`` when it ends part-filled. ``AllOrNone``/``FOK``
  execute whole or not at all.
- Groups and advanced options (``tstui.sim.advanced``): ``POST ordergroupconfirm`` /
  ``ordergroups`` (``OCO``, ``BRK``, ``NORMAL``), ``OSOs`` (children in status ``OSO`` until
  the parent fills), ``ConditionalOrders``/``GroupName``/``AdvancedOptions`` codes on every
  order; OCO/BRK: a fill cancels the siblings, a partial fill reduces them. Trailing stops
  ratchet ``StopPrice``; activation rules hold an order in ``DON`` (then ``CND``, ``OPN``);
  ``GET activationtriggers``. What is not modelled is a 400 naming the field.
- Replace (PUT) keeps the order id and streams ``RSN`` then ``OPN`` with the new fields; cancel
  streams ``UCN`` then ``CAN``. Replacing or cancelling a final order is a 400 (the request
  lost the race), an unknown id a 404.
- Per-item errors (unknown accounts, symbols, order ids) come inside a 200 as ``Errors``
  entries, e.g. ``{"AccountID", "Error": "NotFound", "Message"}``.
- Every object carries every field of the spec's example for its kind (stock positions
  ``InitialRequirement``/``MaintenanceMargin`` ``"0"``, futures legs ``ExpirationDate``...).
  Order and replace bodies are checked against the spec's JSON types: a wrong type, a null or
  a missing required field (nested ones too) is a 400 naming the field; unknown fields and
  unknown query parameters are ignored. Refusals are ``{"Error", "Message"}`` (v2 routes add
  ``StatusCode``); an undeclared method is a 405 with ``Allow``.
- A position's ``TodaysProfitLoss``: shares held overnight from the previous close (21:00 UTC
  of the last weekday, the quote's ``PreviousClose``), today's fills from their fill price.
- ``historicalorders?since=`` takes ``YYYY-MM-DD``, ``MM-DD-YYYY``, ``YYYY/MM/DD``,
  ``MM/DD/YYYY`` or RFC 3339, at most 90 days back; by id it needs ``since`` too.
- ``/v3/marketdata/symbollists/cryptopairs/symbolnames`` lists the spec's four pairs (the
  simulator quotes none of them). ``/v2/data/symbols/suggest/{text}`` matches a symbol or root
  prefix or a word of the description, ``$top`` (0 or less: none) and ``$filter`` (``eq``/
  ``neq`` on Category, Country, Currency, Exchange, joined by ``and``).
  ``/v2/data/symbols/search/{criteria}`` takes ``Key=Value&...`` (N, C, Cnt, Desc, R, Cur, Exp,
  Flg...; an unknown key is a 400), lists stocks, continuous futures and the next four
  contracts per product, no options, and answers 404 when nothing matches (the spec's
  ``minItems: 1``). v2 numbers (DisplayType, MinMove, PointValue) are JSON numbers.
- Streams send only the frames the spec lists for them (the wire notes win where they differ):
  the snapshot, then ``{"StreamStatus": "EndSnapshot"}`` on orders, positions and bar streams
  (not quotes; the v2 tick bar stream marks history with Status bit 4 instead), then changes;
  ``{"Heartbeat": n, "Timestamp"}`` after ``heartbeat_seconds`` of silence. Order and position
  frames are whole objects (also with ``changes=true``); a closed position is
  ``{"PositionID", "Deleted": true}``. Going down, brokerage streams send
  ``{"StreamStatus": "GoAway"}``, quote and bar streams ``{"Error": "GoAway", "Message"}``, the
  v2 tick bar stream a bare ``END`` line. A stream whose access token expires sends
  ``{"Error": "Unauthorized", ...}`` (tick bars: ``ERROR - ...``) and ends.
- Market depth (``tstui.sim.depth``, ``routes_depth``): ``/v3/marketdata/stream/marketdepth/
  quotes|aggregates/{symbol}?maxlevels=N`` (default 20 price levels a side, at most 100) send
  the whole book at open and on every change: levels one tick apart from the quote's bid and
  ask (whose sizes the touch level carries), participants' sizes hashed from the price and
  a 2-second bucket, the simulator's own resting limit orders added as ``TSIM``. No
  EndSnapshot. An access token without the ``Matrix`` scope gets a 401 (the demo refresh
  token has it; a code grant has what it asked for); an unknown symbol or a bad ``maxlevels``
  a 400; 30 opens a minute and 10 open at once.
- ``@ES``/``@NQ`` roll on the Thursday of the week before the third-Friday expiry (see
  ``tstui.domain.market.futures``). Continuous symbols are quotable and chartable, not tradable.
- Bars: minute bars follow the session (stocks 09:30-16:00 New York, futures 18:00-17:00,
  weekdays; see ``bars``); daily bars are weekdays 00:00-21:00 UTC stamped at
  21:00Z; ``barsback`` is limited to 57,600 for minute bars (and streams) and to 20,000 for
  other units.
- Rate limits (fixed windows from a category's first request, sim time): accounts, order
  details, balances, positions 250 / 5 min; quote, bar and tick bar stream opens and bar
  requests 500 / 5 min; quote snapshots 30 / 1 min; at most 40 concurrent order and 40
  position streams. Over quota: 429
  ``{"Error": "TooManyRequests"}`` with ``Retry-After``.
- ``--state PATH`` (sqlite3) writes accounts, orders and positions through on every change;
  seen OrderConfirmIDs are restored from the stored orders.

Admin API (loopback only, JSON in and out; ``tstui.sim.control.SimControl`` wraps it)
----------------------------------------------------------------------------------------
- ``GET /_sim/clock`` -> ``{"now": ISO, "speed"}``; ``POST /_sim/clock``
  ``{"advance_seconds": N}`` or ``{"set": ISO}`` (never backward: 400), fires matching,
  expiries, bar closes and rolls.
- ``POST /_sim/price {"symbol", "price"}``: the market trades at ``price`` from now on (must be
  on tick); fires matching.
- ``POST /_sim/faults/goaway {"stream"}``; ``/stall {"stream", "seconds"}`` (no bytes at all);
  ``/drop {"stream", "count"}`` (skip the next N data frames); ``/malformed {"stream", "count"}``
  (N broken lines); ``/http {"group", "status", "count"}`` (groups: accounts, balances,
  positions, orders, orderexecution, marketdata, streams, oauth, all);
  ``/latency {"seconds"}`` (every API request); ``/reset-after-accept {"count"}`` (the next
  order POSTs are applied, then the connection drops mid-response); ``/clear`` (also resets
  rate limits). Stream kinds: orders, positions, quotes, bars, tickbars, marketdepth, or
  all.
- ``POST /_sim/tokens/expire`` (every access token), ``/_sim/tokens/revoke`` (every refresh
  token); ``POST /_sim/heartbeat {"seconds"}``.
- ``POST /_sim/orders/seed {"account", "count"}``: bulk orders for load tests (a fifth working
  limits far from the market, the rest filled/cancelled; no stream events, no position
  effect). ``POST /_sim/orders/burst {"account"?, "frames" | "count"}``: open (or the next
  opened) orders streams of that account (all accounts when omitted) emit that many order
  frames as fast as possible (re-sends of the account's latest orders, whole objects).
- ``GET /_sim/state``: the truth, ``{"now", "accounts": {id: {"orders", "positions",
  "balance"}}}``; ``POST /_sim/restart``: ends every stream abruptly and reloads from
  ``--state`` (in memory the state is kept).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tstui.sim.oauth import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN"]


def __getattr__(name: str) -> Any:
    # Late: every `tstui` command builds the `sim` subcommand's options (tstui.sim.cli), and
    # the OAuth provider behind these constants costs ~40 ms to import.
    if name in __all__:
        return getattr(importlib.import_module("tstui.sim.oauth"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
