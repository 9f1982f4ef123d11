"""Building spreads from the chain: the view model (no app), then by keys on the simulator."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from sim_clock import SIM_START
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Static
from ui_support import (
    MARGIN,
    SIZE,
    TICKET_SIZE,
    rendered_text,
    started,
    wait_for_screen,
    wait_until,
    with_risk,
)

from tstui.config import Settings
from tstui.domain.options.payoff import RiskReward, risk_reward
from tstui.domain.options.symbology import OptionType, format_option_symbol
from tstui.domain.options.wire import RiskRewardAnalysis
from tstui.domain.orders.risk import RiskLimits
from tstui.domain.orders.risk_limits import SizeLimits
from tstui.ui.shell.app import TstuiApp
from tstui.ui.trading.service import trading_service
from tstui.ui.trading.types import PlacementRefused
from tstui.ui.views.options.chain_feed import check_server_risk
from tstui.ui.views.options.chain_table import ChainTable
from tstui.ui.views.options.model import (
    ChainBook,
    OptionQuote,
    build_template,
    net_greeks,
    net_price,
    payoff_legs,
    reverse,
    spread_name,
    template_strikes,
    toggle_leg,
)
from tstui.ui.views.options.payoff_plot import PayoffFigure, PayoffPlot, render_payoff
from tstui.ui.views.options.prefs import OptionPrefs, load_prefs, save_prefs
from tstui.ui.views.options.screen import OptionChainScreen
from tstui.ui.views.options.spread_orders import SpreadForm, spread_orders, spread_request
from tstui.ui.views.options.spread_panel import spread_text
from tstui.ui.views.options.spread_ticket import SpreadTicket

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

CALL, PUT = OptionType.CALL, OptionType.PUT
EXPIRY = date(2026, 12, 18)
STRIKES = [Decimal(k) for k in range(400, 445, 5)]  # 400 .. 440


def quote(right: OptionType, strike: Decimal, mid: str) -> OptionQuote:
    symbol = format_option_symbol("MSFT", EXPIRY, right, strike)
    return OptionQuote(symbol, right, strike, EXPIRY, mid=Decimal(mid))


def book(price: str | None = "421") -> ChainBook:
    """Calls and puts with intrinsic value + 5 around an underlying at 421 (put-call parity
    holds at the money with no rate)."""
    chain = ChainBook("MSFT", EXPIRY)
    spot = Decimal(421)
    for k in STRIKES:
        chain.apply(quote(CALL, k, str(max(spot - k, Decimal(0)) + 5)))
        chain.apply(quote(PUT, k, str(max(k - spot, Decimal(0)) + 5)))
    if price is not None:
        chain.set_underlying_price(Decimal(price))
    return chain


def test_window_is_centred_on_the_money() -> None:
    chain = book()
    window = chain.window(2)
    assert [r.strike for r in window.rows] == [Decimal(410), Decimal(415), Decimal(420),
                                               Decimal(425), Decimal(430)]  # fmt: skip
    assert window.atm_index == 2 and window.rows[2].strike == 420
    # near the edge of the listed strikes: fewer rows on that side, the money still marked
    chain.set_underlying_price(Decimal(401))
    edge = chain.window(2)
    assert edge.rows[edge.atm_index or 0].strike == 400 and len(edge.rows) == 3


def test_money_from_parity_without_an_underlying_price() -> None:
    chain = book(price=None)
    assert chain.atm_strike() == Decimal(420)  # |call - put| is smallest at 420 (spot 421)


def test_toggle_legs_buy_sell_and_remove() -> None:
    chain = book()
    call = chain.quote(CALL, Decimal(420))
    assert call is not None
    spread = toggle_leg((), CALL, Decimal(420), True, call.symbol)
    assert [(leg.ratio, leg.symbol) for leg in spread] == [(1, "MSFT 261218C420")]
    flipped = toggle_leg(spread, CALL, Decimal(420), False, call.symbol)
    assert [leg.ratio for leg in flipped] == [-1]
    assert toggle_leg(flipped, CALL, Decimal(420), False, call.symbol) == ()


def test_templates_pick_strikes_from_the_cursor() -> None:
    k = Decimal(420)
    assert template_strikes("vertical", STRIKES, k, CALL) == (Decimal(420), Decimal(425))
    assert template_strikes("vertical", STRIKES, k, PUT, 2) == (Decimal(410), Decimal(420))
    assert template_strikes("iron condor", STRIKES, k, CALL) == (
        Decimal(410), Decimal(415), Decimal(425), Decimal(430),
    )  # fmt: skip
    too_wide = template_strikes("iron condor", STRIKES, k, CALL, 3)
    assert isinstance(too_wide, str) and "too few strikes" in too_wide


@pytest.mark.parametrize(
    ("name", "right", "expected", "named"),
    [
        ("vertical", CALL, [("Call", 420, 1), ("Call", 425, -1)], "call vertical"),
        ("vertical", PUT, [("Put", 415, -1), ("Put", 420, 1)], "put vertical"),
        ("straddle", CALL, [("Put", 420, 1), ("Call", 420, 1)], "long straddle"),
        ("strangle", CALL, [("Put", 415, 1), ("Call", 425, 1)], "long strangle"),
        ("butterfly", CALL, [("Call", 415, 1), ("Call", 420, -2), ("Call", 425, 1)],
         "call butterfly"),
        ("iron condor", CALL,
         [("Put", 410, 1), ("Put", 415, -1), ("Call", 425, -1), ("Call", 430, 1)],
         "iron condor"),
    ],
)  # fmt: skip
def test_template_legs(
    name: str, right: OptionType, expected: list[tuple[str, int, int]], named: str
) -> None:
    spread = build_template(book(), name, Decimal(420), right)
    assert not isinstance(spread, str)
    assert [(str(leg.right), int(leg.strike), leg.ratio) for leg in spread] == expected
    assert spread_name(spread) == named
    for leg in spread:  # the chain's own contract for each leg
        assert leg.symbol == format_option_symbol("MSFT", EXPIRY, leg.right, leg.strike)


def test_vertical_risk_reward() -> None:
    chain = book()
    spread = build_template(chain, "vertical", Decimal(420), CALL)
    assert not isinstance(spread, str)
    net = net_price(spread, chain)
    assert net == Decimal(6) - Decimal(5)  # 420 call 1 + 5, 425 call 0 + 5
    result = risk_reward(payoff_legs(spread), net * 100)
    assert result.max_profit == Decimal(400)  # (5 wide - 1 paid) x 100
    assert result.max_loss == Decimal(-100)
    assert result.break_evens == (Decimal(421),)
    credit = reverse(spread)
    assert net_price(credit, chain) == -net


def test_prefs_round_trip_and_damaged_files(tmp_path: object) -> None:
    from pathlib import Path

    where = Path(str(tmp_path))
    assert load_prefs(where) == OptionPrefs()
    prefs = OptionPrefs(columns=2, strikes=5, width=2, underlying="AAPL")
    assert save_prefs(where, prefs)
    assert load_prefs(where) == prefs
    (where / "options.json").write_text('{"columns": 99, "strikes": "x", "width": true}')
    assert load_prefs(where) == OptionPrefs()


def test_spread_request_from_the_ticket_form() -> None:
    chain = book()
    spread = build_template(chain, "vertical", Decimal(420), CALL)
    assert not isinstance(spread, str)
    form = SpreadForm(account="SIM1000001M", quantity="3", order_type="Limit", limit_price="1.05")
    request, issues = spread_request(form, spread, order_confirm_id="abc123")
    assert request is not None and not issues
    body = request.to_api()
    assert body["Legs"] == [
        {"Symbol": "MSFT 261218C420", "Quantity": "3", "TradeAction": "BUYTOOPEN"},
        {"Symbol": "MSFT 261218C425", "Quantity": "3", "TradeAction": "SELLTOOPEN"},
    ]
    assert body["LimitPrice"] == "1.05" and body["OrderType"] == "Limit"
    assert "Symbol" not in body and body["OrderConfirmID"] == "abc123"
    # a leg that closes what the account holds takes the closing action
    held = {"MSFT 261218C425": Decimal(-5)}
    closing, _ = spread_request(
        replace(form, quantity="1"), reverse(spread), order_confirm_id="abc124", positions=held
    )
    assert closing is not None
    assert [leg.trade_action for leg in closing.legs] == ["SELLTOOPEN", "BUYTOCLOSE"]
    # typed nonsense is a field message, not a request
    bad, issues = spread_request(
        replace(form, quantity="1.5", limit_price="abc"), spread, order_confirm_id="abc125"
    )
    assert bad is None and {i.field for i in issues} == {"quantity", "limit_price"}
    market, _ = spread_request(
        replace(form, order_type="Market", limit_price=""), spread, order_confirm_id="abc126"
    )
    assert market is not None and "LimitPrice" not in market.to_api()


# -- by keys, on the simulator --------------------------------------------------------------


async def chain_on_screen(app: TstuiApp, pilot: Pilot[Any]) -> OptionChainScreen:
    await started(app, pilot)
    await pilot.press("8")  # view.options
    screen = await wait_for_screen(app, pilot, OptionChainScreen, lambda s: s.query(ChainTable))
    await wait_until(
        pilot,
        lambda: (
            screen.stream_state == "live"
            and screen.book.underlying_price is not None
            and screen.table.window.atm_index is not None
            and len(screen.table.window.rows) == 2 * screen.prefs.strikes + 1
        ),
        15,
        "the chain",
    )
    return screen


@pytest.mark.anyio
async def test_vertical_by_keys_then_preview_place_and_the_position(
    sim: SimServer, settings: Settings
) -> None:
    """END TO END: chain -> vertical spread (keys) -> risk/reward -> preview -> place ->
    the option positions of both legs."""
    app = TstuiApp(settings)
    async with app.run_test(size=TICKET_SIZE) as pilot:
        # the simulator's clock stands still at SIM_START: its contracts expire after it
        trading_service(app).clock = lambda: SIM_START
        screen = await chain_on_screen(app, pilot)
        table = screen.table
        low = table.cursor_strike
        assert low is not None and table.cursor_right is CALL  # at the money, on the calls
        await pilot.press("v")  # options.vertical
        await wait_until(pilot, lambda: len(screen.spread) == 2, 5, "the vertical")
        buy, sell = screen.spread
        assert (buy.right, buy.strike, buy.ratio) == (CALL, low, 1)
        assert sell.right is CALL and sell.ratio == -1 and sell.strike > low
        assert sell.strike == table.strikes[table.strikes.index(low) + 1]
        net = net_price(screen.spread, screen.book)
        assert net is not None and 0 < net < sell.strike - low  # a debit, below the width

        # the panel: max profit = (width - debit) x 100, max loss = the debit, one break-even
        risk = screen.risk
        assert risk is not None
        assert risk.max_profit == (sell.strike - low - net) * 100
        assert risk.max_loss == -net * 100
        assert risk.break_evens == (low + net,)
        panel = str(screen.query_one("#spread-text", Static).content)
        assert "Call vertical x1" in panel and f"Max profit {risk.max_profit:+,.2f}" in panel
        assert f"Break-even {(low + net).quantize(Decimal('0.01'))}" in panel
        # the server's riskreward says the same
        await wait_until(pilot, lambda: screen.server_check is not None, 10, "riskreward")
        assert screen.server_check is not None and screen.server_check.agrees, screen.server_check
        assert "agrees" in str(screen.query_one("#spread-text", Static).content)
        assert screen.query_one(PayoffPlot).figure.legs  # the diagram draws these legs

        # enter: the spread ticket; a market order fills at once on the simulator
        await pilot.press("enter")  # options.trade
        ticket = await wait_for_screen(app, pilot, SpreadTicket)
        account = ticket.form().account
        assert account == MARGIN
        await pilot.press("f2")  # spread.order_type: Limit -> Market
        await wait_until(pilot, lambda: ticket.form().order_type == "Market", 5, "Market")
        assert ticket.place_blocker() == "preview the order first (F5)", ticket.issues
        await pilot.press("f5")
        await wait_until(pilot, lambda: ticket.preview is not None, 10, "the preview")
        assert ticket.preview is not None
        sent = ticket.preview.request.to_api()
        assert sent["Legs"] == [
            {"Symbol": buy.symbol, "Quantity": "1", "TradeAction": "BUYTOOPEN"},
            {"Symbol": sell.symbol, "Quantity": "1", "TradeAction": "SELLTOOPEN"},
        ]
        preview_text = str(ticket.query_one("#preview", Static).content)
        assert "Estimated" in preview_text
        assert ticket.place_blocker() is None
        await pilot.press("f8")
        await wait_until(
            pilot,
            lambda: ticket.outcome is not None and ticket.outcome.kind != "unknown",
            15,
            "the placement",
        )
        assert ticket.outcome is not None and ticket.outcome.kind == "placed", ticket.outcome
        # exactly the previewed payload went out, once
        assert ticket.outcome.request is ticket.preview.request
        assert ticket.place_blocker() == "this ticket already sent its order: close it (Esc)"
        # through the app's one confirm-then-place path (the trading service's)
        assert trading_service(app).was_sent(ticket.preview.request.order_confirm_id)
        with pytest.raises(PlacementRefused, match="never sent twice"):  # not even by hand
            await spread_orders(app).place(ticket.preview, ticket.leg_prices)

        def held(symbol: str) -> Decimal | None:
            for position in app.live.positions.values():
                if position.account_id == account and position.symbol == symbol:
                    return position.signed_quantity
            return None

        await wait_until(
            pilot,
            lambda: held(buy.symbol) == 1 and held(sell.symbol) == -1,
            15,
            "the legs' positions",
        )
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, 5)
        # the chain shows what the account now holds where no leg is marked
        await pilot.press("x")
        await wait_until(
            pilot,
            lambda: table.held.get(buy.symbol) == 1 and table.held.get(sell.symbol) == -1,
            5,
            "the positions on the chain",
        )
        shown = rendered_text(table)
        assert "+1" in shown and "-1" in shown
        table.move_to(sell.strike, CALL)  # the close intent closes the short call
        fields = screen.ticket_prefill("close")
        assert fields is not None and fields.symbol == sell.symbol
        assert fields.action == "BUYTOCLOSE" and fields.quantity == "1"


@pytest.mark.anyio
async def test_legs_and_templates_by_keys(sim: SimServer, settings: Settings) -> None:
    """b / s on cells, r reverse, x clear, t straddle, w width, i iron condor (a credit the
    server's riskreward agrees with), f butterfly on the puts."""
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = await chain_on_screen(app, pilot)
        table = screen.table
        atm = table.cursor_strike
        assert atm is not None
        strikes = table.strikes
        at = strikes.index(atm)

        await pilot.press("b")  # options.buy_leg: the ATM call
        await pilot.press("right", "down", "s")  # sell the put one strike up
        await wait_until(pilot, lambda: len(screen.spread) == 2, 5, "two legs")
        assert [(leg.right, leg.strike, leg.ratio) for leg in screen.spread] == [
            (PUT, strikes[at + 1], -1),
            (CALL, atm, 1),
        ]
        assert "B1" in rendered_text(table) and "S1" in rendered_text(table)
        await pilot.press("r")  # options.reverse
        await wait_until(pilot, lambda: [leg.ratio for leg in screen.spread] == [1, -1], 5)
        await pilot.press("s")  # the put again, now a buy: selling it flips it back
        await wait_until(pilot, lambda: [leg.ratio for leg in screen.spread] == [-1, -1], 5)
        await pilot.press("x")  # options.clear
        await wait_until(pilot, lambda: screen.spread == (), 5)
        assert "No legs yet" in str(screen.query_one("#spread-text", Static).content)

        await pilot.press("up", "t")  # straddle at the money
        await wait_until(pilot, lambda: spread_name(screen.spread) == "long straddle", 5)
        assert {leg.strike for leg in screen.spread} == {atm}
        assert screen.risk is not None and screen.risk.max_profit is None  # unbounded
        assert len(screen.risk.break_evens) == 2
        assert "unlimited" in str(screen.query_one("#spread-text", Static).content)

        await pilot.press("w", "i")  # width 2, iron condor
        await wait_until(pilot, lambda: spread_name(screen.spread) == "iron condor", 5)
        assert screen.prefs.width == 2
        assert [leg.strike for leg in screen.spread] == [
            strikes[at - 4],
            strikes[at - 2],
            strikes[at + 2],
            strikes[at + 4],
        ]
        net = net_price(screen.spread, screen.book)
        assert net is not None and net < 0  # a credit
        risk = screen.risk
        assert risk is not None and risk.max_profit == -net * 100
        await wait_until(pilot, lambda: screen.server_check is not None, 10, "riskreward")
        assert screen.server_check is not None and screen.server_check.agrees, screen.server_check

        await pilot.press("right", "f")  # a put butterfly, wings 2 strikes out
        await wait_until(pilot, lambda: spread_name(screen.spread) == "put butterfly", 5)
        assert [leg.ratio for leg in screen.spread] == [1, -2, 1]
        # o: the single ticket gets the option under the cursor
        fields = screen.ticket_prefill("buy")
        assert fields is not None and fields.action == "BUYTOOPEN"
        quote = screen.book.quote(PUT, atm)
        assert quote is not None and fields.symbol == quote.symbol


def test_payoff_diagram_draws_the_curve_and_its_levels() -> None:
    chain = book()
    spread = build_template(chain, "butterfly", Decimal(420), CALL)
    assert not isinstance(spread, str)
    legs = payoff_legs(spread)
    net = net_price(spread, chain)
    assert net is not None
    figure = PayoffFigure(legs, net * 100, Decimal(405), Decimal(435), Decimal(421))
    text = render_payoff(figure, 60, 14).plain
    best = risk_reward(legs, net * 100).max_profit
    assert best is not None and f"{best:+.0f}" in text  # the top label is the max profit
    assert "┤" in text and "Payoff at expiry" in text
    assert "payoff: to" in render_payoff(figure, 10, 4).plain  # cut to its width
    assert "build a spread" in render_payoff(PayoffFigure(), 60, 14).plain


@pytest.mark.anyio
async def test_spread_ticket_risk_per_leg_and_package(sim: SimServer, settings: Settings) -> None:
    """Risk limits block or warn on the legs and the package before anything is sent."""
    limits = RiskLimits(max_quantity=Decimal(5), warn_quantity=Decimal(2), duplicate_window_s=0.0)
    app = TstuiApp(with_risk(settings, limits))
    async with app.run_test(size=TICKET_SIZE) as pilot:
        trading_service(app).clock = lambda: SIM_START
        screen = await chain_on_screen(app, pilot)
        await pilot.press("v", "enter")
        ticket = await wait_for_screen(app, pilot, SpreadTicket)
        quantity = ticket.query_one("#quantity", Input)
        quantity.value = "10"
        await pilot.pause()
        fields = {issue.field for issue in ticket.issues if issue.severity == "error"}
        assert {"Legs[0].Quantity", "Legs[1].Quantity"} <= fields
        await pilot.press("f5")
        await pilot.pause(0.3)
        assert ticket.preview is None and ticket.request is None  # nothing was confirmed
        assert "above the limit of 5" in str(ticket.query_one("#issues", Static).content)

        quantity.value = "3"  # above the warning: previewable, placed only when overridden
        await pilot.pause()
        await pilot.press("f5")
        await wait_until(pilot, lambda: ticket.preview is not None, 10, "the preview")
        assert ticket.place_blocker() == (
            "warnings need 'Override warnings' ticked (or change the order)"
        )
        ticket.query_one("#override", Checkbox).value = True
        await pilot.pause()
        assert ticket.place_blocker() is None
        quantity.value = "2"  # an edit after the preview: preview again
        await pilot.pause()
        assert ticket.place_blocker() == "the order changed since the preview: preview again (F5)"
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, 5)


@pytest.mark.anyio
async def test_futures_options_use_the_point_value(sim: SimServer, settings: Settings) -> None:
    """Options on ESZ26: a contract moves 50 a point (the future's point value), not 100."""
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = await chain_on_screen(app, pilot)
        screen.open("ESZ26", typed=True)
        await wait_until(
            pilot,
            lambda: (
                screen.book.underlying == "ESZ26"
                and screen.book.multiplier == 50
                and screen.table.window.atm_index is not None
                and len(screen.table.window.rows) > 2
                and screen.book.underlying_price is not None
            ),
            15,
            "the ESZ26 chain",
        )
        await pilot.press("v")
        await wait_until(pilot, lambda: len(screen.spread) == 2, 5, "the vertical")
        low, high = (leg.strike for leg in screen.spread)
        net = net_price(screen.spread, screen.book)
        assert net is not None and screen.risk is not None
        assert screen.risk.max_profit == (high - low - net) * 50
        assert screen.risk.max_loss == -net * 50
        assert screen.spread[0].symbol.startswith("ESZ26 ")


def test_net_greeks_and_the_panel_text() -> None:
    chain = book()
    for right, strike, delta in ((CALL, 420, "0.55"), (CALL, 425, "0.40")):
        old = chain.quote(right, Decimal(strike))
        assert old is not None
        chain.apply(replace(old, delta=Decimal(delta), theta=Decimal("-0.05")))
    spread = build_template(chain, "vertical", Decimal(420), CALL)
    assert not isinstance(spread, str)
    greeks = net_greeks(spread, chain)
    assert greeks["delta"] == Decimal("0.15") and greeks["theta"] == Decimal(0)
    assert greeks["gamma"] is None  # a leg without it: unknown, not 0
    net = net_price(spread, chain)
    assert net is not None
    text = spread_text(
        spread,
        net=net,
        quantity=2,
        risk=risk_reward(payoff_legs(spread, 2), net * 200),
        server=None,
        prices={(leg.right, leg.strike): Decimal(6) for leg in spread},
        greeks=greeks,
    ).plain
    assert "Buy  1 MSFT 261218C420 6.00" in text and "Δ +0.150" in text
    assert "Net debit 1.00 (-200.00)" in text and "Max profit +800.00" in text
    assert "Break-even 421.00" in text


def test_the_servers_riskreward_is_compared_to_the_cent() -> None:
    local = RiskReward(Decimal(400), Decimal(-100), (Decimal(421),))
    same = RiskRewardAnalysis(False, Decimal("400"), False, Decimal("-100"), (Decimal("421"),))
    check = check_server_risk(local, same, Decimal("1"))
    assert check.agrees and check.text == "riskreward (server) at 1.00: agrees"
    other = RiskRewardAnalysis(False, Decimal("400"), False, Decimal("-100"), (Decimal("422"),))
    differs = check_server_risk(local, other, Decimal("1"))
    assert not differs.agrees and "break-even 422.00" in differs.text
    # unbounded on both sides: the server's flag, not its (absent) amount
    straddle = RiskReward(None, Decimal(-500), (Decimal(415), Decimal(425)))
    infinite = RiskRewardAnalysis(True, None, False, Decimal("-500"), (Decimal(425), Decimal(415)))
    assert check_server_risk(straddle, infinite, Decimal("5")).agrees
    bounded = RiskRewardAnalysis(False, Decimal("0"), False, Decimal("-500"), ())
    assert not check_server_risk(straddle, bounded, Decimal("5")).agrees


@pytest.mark.anyio
async def test_a_market_spread_under_option_notional_caps_places_without_new_warnings(
    sim: SimServer, settings: Settings
) -> None:
    """The package's own checks decide at place time: the single-order checks read a spread
    as its first leg at no price ("notional not checked") and asked for an override the
    preview never offered."""
    option = SizeLimits(max_notional=Decimal(1_000_000), warn_notional=Decimal(500_000))
    limits = RiskLimits(duplicate_window_s=0.0, per_class={"option": option})
    app = TstuiApp(with_risk(settings, limits))
    async with app.run_test(size=TICKET_SIZE) as pilot:
        trading_service(app).clock = lambda: SIM_START
        await chain_on_screen(app, pilot)
        await pilot.press("v", "enter")
        ticket = await wait_for_screen(app, pilot, SpreadTicket)
        await pilot.press("f2")  # Market
        await wait_until(pilot, lambda: ticket.form().order_type == "Market", 5, "Market")
        await pilot.press("f5")
        await wait_until(pilot, lambda: ticket.preview is not None, 10, "the preview")
        assert ticket.place_blocker() is None, ticket.issues
        await pilot.press("f8")
        await wait_until(
            pilot,
            lambda: ticket.outcome is not None and ticket.outcome.kind != "unknown",
            15,
            "the placement",
        )
        assert ticket.outcome is not None and ticket.outcome.kind == "placed", ticket.outcome
