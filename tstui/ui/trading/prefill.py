"""What a ticket starts with: an account that can trade the symbol, a preset quantity, a limit
at the side's touch, and the ticket's numbers formatted as the rest of the app shows them.

Pure helpers (no widgets): the ticket (`ticket`) and one-key trading (`hotkeys`) both use them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal
from weakref import WeakKeyDictionary

from tstui.config import DEFAULT_PRESETS, Settings
from tstui.domain.market.ticks import decimals_of, increment_at, step
from tstui.domain.models import Account
from tstui.ui.trading.types import SymbolInfo

__all__ = [
    "PresetChoice",
    "account_fits",
    "asset_class",
    "format_money",
    "format_price",
    "pick_account",
    "preset_choice",
    "presets_for",
    "tick_of",
    "touch_price",
]

Side = Literal["buy", "sell"]
_FUTURES = frozenset({"FUTURE", "FUTUREOPTION"})
_OPTIONS = frozenset({"STOCKOPTION", "INDEXOPTION", "FUTUREOPTION"})


def asset_class(asset_type: str | None) -> str:
    """The preset table an asset type reads ([trading.presets] stock / future / option)."""
    kind = (asset_type or "").upper()
    if kind in _OPTIONS:
        return "option"
    return "future" if kind in _FUTURES else "stock"


def account_fits(account: Account, asset_type: str | None) -> bool:
    """Whether the account's type can trade this asset type (a Futures account trades futures
    and their options only; Cash / Margin / DVP the rest). Unknown either way: it may."""
    kind = (asset_type or "").upper()
    account_type = (account.account_type or "").lower()
    if not kind or not account_type:
        return True
    return (account_type == "futures") == (kind in _FUTURES)


def pick_account(
    accounts: Sequence[Account], current: str, asset_type: str | None
) -> tuple[str, bool]:
    """``current`` when it can trade ``asset_type``, else the first account that can;
    returns the account and whether it was switched."""
    by_id = {a.account_id: a for a in accounts}
    chosen = by_id.get(current)
    if chosen is not None and account_fits(chosen, asset_type):
        return current, False
    for account in accounts:
        if account_fits(account, asset_type):
            return account.account_id, account.account_id != current
    return current, False


def presets_for(settings: Settings, asset_type: str | None) -> tuple[int, ...]:
    kind = asset_class(asset_type)
    return tuple(settings.trading.presets.get(kind, DEFAULT_PRESETS[kind])) or (1,)


@dataclass
class PresetChoice:
    """The quantity preset chosen per asset class (alt+q steps it; the ticket starts with it).
    Kept for the app's lifetime, not saved."""

    index: dict[str, int] = field(default_factory=dict)

    def quantity(self, settings: Settings, asset_type: str | None) -> int:
        presets = presets_for(settings, asset_type)
        return presets[self.index.get(asset_class(asset_type), 0) % len(presets)]

    def cycle(self, settings: Settings, asset_type: str | None) -> int:
        kind = asset_class(asset_type)
        self.index[kind] = self.index.get(kind, 0) + 1
        return self.quantity(settings, asset_type)


_CHOICES: WeakKeyDictionary[object, PresetChoice] = WeakKeyDictionary()


def preset_choice(app: object) -> PresetChoice:
    """The app's preset choice (one per app)."""
    choice = _CHOICES.get(app)
    if choice is None:
        choice = _CHOICES[app] = PresetChoice()
    return choice


def tick_of(info: SymbolInfo | None, price: Decimal | None) -> Decimal:
    """The symbol's tick at ``price`` (a cent when its details are unknown)."""
    detail = info.detail if info is not None else None
    if detail is not None:
        increment = increment_at(detail.price_format, price)
        if increment is not None and increment > 0:
            return increment
    return Decimal("0.01")


def touch_price(
    side: Side,
    info: SymbolInfo | None,
    *,
    offset_ticks: int = 0,
    bid: Decimal | None = None,
    ask: Decimal | None = None,
) -> Decimal | None:
    """A marketable limit: a buy at the ask plus ``offset_ticks``, a sell at the bid minus
    them (the last price when that side is unknown). None when no price is known."""
    quote = info.quote if info is not None else None
    if side == "buy":
        touch = ask if ask is not None else quote.ask if quote is not None else None
    else:
        touch = bid if bid is not None else quote.bid if quote is not None else None
    if touch is None or touch <= 0:
        touch = quote.last if quote is not None else None
    if touch is None:
        return None
    ticks = offset_ticks if side == "buy" else -offset_ticks
    return step(touch, ticks, tick_of(info, touch))


def format_price(value: Decimal | None, info: SymbolInfo | None = None) -> str:
    """A price with thousands separators at the symbol's precision (its tick's decimals,
    at least 2, more when the value has them)."""
    if value is None:
        return "-"
    places = max(2, decimals_of(tick_of(info, value)))
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        places = -exponent
    return f"{value:,.{places}f}"


def format_money(value: Decimal | None) -> str:
    """Money as the overview and positions show it: thousands separators, cents."""
    return "-" if value is None else f"{value:,.2f}"
