"""One-key trading from the board, the ladder and the positions.

A screen offers its selection through ``trade_target() -> TradeTarget | None`` (types); the
app binds the keys (`hotkey_keys`) for every view; they run the app's ``hot(kind)`` action
(`TradingActions`), which lands in `run_hotkey`:

- ``buy`` / ``sell``: a marketable limit at the ask plus / the bid minus ``[trading]
  tick_offset`` ticks (the ladder's cursor price when it gives one), the current preset quantity.
- ``flatten``: the selected position (else the account's position in the symbol) closed by a
  marketable limit of its size; ``reverse``: a futures position turned the other way (twice
  its size); stocks and options take two orders, so they are told to flatten first.
- ``cancel``: every working order of the symbol (the account's, or every account's).
- ``preset``: the next quantity preset of the symbol's asset class ([trading.presets]).

Nothing here sends on its own: every order goes through the trading service's preview
(``orderconfirm``) and risk checks, and the environment's ``confirm`` policy decides the last
step. ``always`` (the default, and LIVE's unless its own config line says otherwise) opens the
ticket prefilled and already previewing: a person presses Place. ``hotkeys-send`` places the
previewed payload at once when the preview is clean (no error, no warning), and opens the
ticket otherwise. Every action is audited (``hotkey.<kind>``) before anything happens.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from textual.binding import BindingType

from tstui.domain.orders import closing_action, format_decimal, new_order_confirm_id
from tstui.domain.orders.ticket import TicketFields
from tstui.domain.untrusted import safe_text
from tstui.ui.trading.hotkey_keys import HOTKEY_BINDINGS, HOTKEY_KINDS
from tstui.ui.trading.prefill import (
    asset_class,
    pick_account,
    preset_choice,
    touch_price,
)
from tstui.ui.trading.service import TradingService, trading_service
from tstui.ui.trading.ticket_form import action_for_side
from tstui.ui.trading.types import PlacementRefused, SymbolInfo, TradeTarget
from tstui.ui.trading.wording import outcome_text

if TYPE_CHECKING:
    from textual.app import App

    from tstui.domain.models import Position

__all__ = ["HOTKEY_KINDS", "hotkey_bindings", "order_fields", "run_hotkey"]


def hotkey_bindings() -> list[BindingType]:
    """The one-key trading keys (the app binds them for every view; a screen may too: same
    ids everywhere, so one [keymap] line remaps them in every view)."""
    return list(HOTKEY_BINDINGS)


def _held(service: TradingService, account: str, symbol: str) -> Position | None:
    wanted = symbol.upper()
    for position in service.context.positions.values():
        same = position.account_id == account and (position.symbol or "").upper() == wanted
        if same and position.quantity:
            return position
    return None


def order_fields(
    kind: str,
    target: TradeTarget,
    info: SymbolInfo,
    service: TradingService,
    quantity: int,
) -> tuple[TicketFields | None, str]:
    """The ticket a one-key action asks for (None and why, when it cannot be built)."""
    asset_type = target.asset_type or info.asset_type
    settings = service.context.settings
    offset = settings.trading.tick_offset
    account = target.account_id or ""
    if not account:
        account, _ = pick_account(service.context.accounts, service.default_account(), asset_type)
    symbol = target.symbol.strip().upper()
    if kind in ("buy", "sell"):
        side: Literal["buy", "sell"] = "buy" if kind == "buy" else "sell"
        price = target.price or touch_price(
            side, info, offset_ticks=offset, bid=target.bid, ask=target.ask
        )
        if price is None:
            return None, f"no {'ask' if side == 'buy' else 'bid'} known for {symbol}"
        return _limit_fields(
            account, symbol, action_for_side(side, asset_type), Decimal(quantity), price
        ), ""
    position = target.position
    if position is None:
        position = _held(service, account, symbol)
    if position is None or not position.quantity:
        return None, f"no position in {symbol} on {account or 'the account'}"
    size = abs(position.quantity)
    closing = closing_action(position)
    side = "buy" if closing.startswith("BUY") else "sell"
    price = touch_price(side, info, offset_ticks=offset, bid=target.bid, ask=target.ask)
    if price is None:
        return None, f"no {'ask' if side == 'buy' else 'bid'} known for {symbol}"
    if kind == "flatten":
        return _limit_fields(position.account_id or account, symbol, closing, size, price), ""
    # reverse: one order through flat works for futures; stocks and options need a closing
    # and an opening order (their trade actions differ), so that is left to two keys
    if asset_class(position.asset_type or asset_type) != "future":
        return None, "reversing a stock or option takes two orders: flatten, then buy or sell"
    return _limit_fields(position.account_id or account, symbol, closing, size * 2, price), ""


def _limit_fields(
    account: str, symbol: str, action: str, quantity: Decimal, price: Decimal
) -> TicketFields:
    return TicketFields(
        account=account,
        symbol=symbol,
        action=action,
        quantity=format_decimal(quantity),
        order_type="Limit",
        limit_price=format_decimal(price),
        duration="DAY",
    )


def run_hotkey(app: App[Any], kind: str) -> None:
    """The app's ``hot(kind)`` action: read the showing screen's target, then act (a worker)."""
    if kind not in HOTKEY_KINDS:
        return
    live = getattr(app, "live", None)
    if live is None or not live.connected:
        app.notify("Not connected: no one-key trading.", severity="warning", timeout=3)
        return
    hook = getattr(app.screen, "trade_target", None)
    if not callable(hook):
        app.notify("One-key trading works from the board, the ladder and the positions.", timeout=3)
        return
    target = hook()
    if not isinstance(target, TradeTarget) or not target.symbol.strip():
        app.notify("Select a symbol first.", severity="warning", timeout=3)
        return
    app.run_worker(
        _act(app, kind, target), group="trading-hotkey", name=f"hotkey {kind}", exit_on_error=False
    )


def _env_moved(app: App[Any], service: TradingService, env: str) -> bool:
    """The environment switched while we awaited (SIM -> LIVE): SIM's policy must never act
    on LIVE, so the action stops there (said once)."""
    if service.env == env:
        return False
    app.notify("The environment changed meanwhile: nothing sent.", severity="warning", timeout=6)
    return True


async def _act(app: App[Any], kind: str, target: TradeTarget) -> None:
    service = trading_service(app)
    presets = preset_choice(app)
    env = service.env  # the environment of the key press: each step after an await checks it
    info = await service.load_symbol(target.symbol)
    if _env_moved(app, service, env):
        return
    settings = service.context.settings  # read after the await: the policy of this env
    symbol = safe_text(info.symbol or target.symbol)
    if info.error:
        app.notify(f"{symbol}: {safe_text(info.error)}", severity="warning", timeout=5)
        return
    asset_type = target.asset_type or info.asset_type
    if kind == "preset":
        quantity = presets.cycle(settings, asset_type)
        app.notify(f"Quantity preset: {quantity} ({asset_class(asset_type)})", timeout=3)
        return
    policy = settings.confirm_policy
    account = target.account_id or service.default_account()
    service.trail.after(
        f"hotkey.{kind}", account or None, symbol=info.symbol, policy=policy, env=service.env
    )
    if kind == "cancel":
        _cancel_symbol(app, service, info.symbol, target.account_id, policy)
        return
    fields, why = order_fields(kind, target, info, service, presets.quantity(settings, asset_type))
    if fields is None:
        app.notify(f"{kind.capitalize()}: {why}.", severity="warning", timeout=5)
        return
    if policy != "hotkeys-send":
        _open_ticket(app, fields)
        return
    await _preview_and_send(app, service, fields, info, env)


def _open_ticket(app: App[Any], fields: TicketFields, note: str = "") -> None:
    from tstui.ui.shell.base import BaseScreen
    from tstui.ui.trading.ticket import open_order_ticket

    if not isinstance(app.screen, BaseScreen):
        return  # another modal came up meanwhile: never stack a ticket on it
    if note:
        app.notify(note, severity="warning", timeout=6)
    open_order_ticket(app, fields, auto_preview=True)


async def _preview_and_send(
    app: App[Any], service: TradingService, fields: TicketFields, info: SymbolInfo, env: str
) -> None:
    """``hotkeys-send``: place the previewed payload when the preview is clean; anything to
    look at (an error, a warning, a refusal) opens the ticket instead."""
    routes = await service.route_ids(info.asset_type)
    if _env_moved(app, service, env):
        return
    outcome = await service.preview(
        fields, info, order_confirm_id=new_order_confirm_id(), routes=routes
    )
    if _env_moved(app, service, env):
        return
    preview = outcome.preview
    if preview is None or outcome.issues or preview.warnings:
        reason = outcome.error or "; ".join(i.message for i in outcome.issues) or "warnings"
        _open_ticket(app, fields, f"Not sent: {safe_text(reason)}. Review the ticket.")
        return
    try:
        placed = await service.place(preview)
    except PlacementRefused as exc:  # refused before anything went out
        app.notify(f"Not sent: {safe_text(str(exc))}", severity="error", timeout=8)
        return
    except Exception as exc:  # unexpected: the order may have gone; never resent
        app.notify(
            f"Placing failed ({safe_text(str(exc) or type(exc).__name__)}): the order may or "
            "may not have gone; check the Orders view before trying again.",
            severity="error",
            timeout=10,
        )
        return
    text, tone = outcome_text(placed)
    app.notify(f"Order: {text}", severity="information" if tone == "-ok" else "warning", timeout=8)
    if placed.kind == "unknown":
        resolved = await service.resolve_unknown(placed)
        text, tone = outcome_text(resolved)
        app.notify(
            f"Order: {text}", severity="information" if tone == "-ok" else "warning", timeout=8
        )


def _cancel_symbol(
    app: App[Any], service: TradingService, symbol: str, account: str | None, policy: str
) -> None:
    from tstui.ui.trading.dialogs import request_cancel, send_cancels, working_orders

    scope = account or service.context.current_account
    orders = [
        o
        for o in working_orders(service.context.order_book, scope)
        if (o.symbol or "").upper() == symbol.upper()
    ]
    if not orders:
        app.notify(f"No working orders in {safe_text(symbol)}.", timeout=3)
    elif policy == "hotkeys-send":
        send_cancels(app, service, orders)
    else:
        request_cancel(app, service, orders)
