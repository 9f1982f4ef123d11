"""What `tstui order confirm|place` is asked to send: from the flags, or from `--body FILE|-`.

`--body` takes the request body in TradeStation's own JSON (spec ``OrderRequest``): a single
order here. Its values go through the same ticket validation, risk checks, preview and audit as
the flags. Order groups (``{"Type": ..., "Orders": [...]}``) and orders with ``OSOs`` or
``AdvancedOptions`` take the group path (:mod:`tstui.cli.order_groups`), option orders with
``Legs`` (or `--legs`) the legs path (:mod:`tstui.cli.options_cmds`); keys tstui does not
model are refused by name, never dropped silently.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from tstui.domain.enums import parse_duration, parse_order_type, parse_trade_action
from tstui.domain.orders.request import is_valid_order_confirm_id

_ORDER_KEYS: Final = frozenset(
    {"AccountID", "Symbol", "Quantity", "OrderType", "TradeAction", "TimeInForce",
     "LimitPrice", "StopPrice", "Route", "OrderConfirmID"}
)  # fmt: skip
_TIME_IN_FORCE_KEYS: Final = frozenset({"Duration", "Expiration"})
_FLAG_NAMES: Final = (
    "symbol", "action", "qty", "order_type", "limit", "stop", "tif", "route", "legs",
)  # fmt: skip
MAX_BODY_BYTES: Final = 64 * 1024


@dataclass(frozen=True, slots=True)
class OrderInput:
    """The order's fields as text, the way the ticket takes them (validated later)."""

    symbol: str
    action: str
    quantity: str
    order_type: str = "Market"
    limit_price: str = ""
    stop_price: str = ""
    duration: str = "DAY"
    route: str = ""
    expiration: str = ""
    account: str | None = None  # None: --account, the config, or the first fitting account
    order_confirm_id: str | None = None


def is_legs_order(args: argparse.Namespace, loaded: Any = None) -> bool:
    """An option order (`--legs`, a `--body` with `Legs`, or `--symbol` naming an option
    contract, sent as its one leg): its own checks
    (:func:`tstui.cli.options_cmds.build_legs_request`), the same confirm-then-place path."""
    if getattr(args, "legs", None) or (isinstance(loaded, Mapping) and "Legs" in loaded):
        return True
    symbol = getattr(args, "symbol", None)
    # Only where --legs exists (confirm, place): a bracket's entry stays a single order.
    if loaded is not None or not hasattr(args, "legs") or not isinstance(symbol, str):
        return False
    from tstui.domain.options.symbology import is_option_symbol

    return is_option_symbol(symbol)


def refuse_flags_with_body(args: argparse.Namespace) -> None:
    given = [f"--{name.replace('order_', '')}" for name in _FLAG_NAMES if getattr(args, name)]
    if given:
        raise ValueError(f"--body holds the whole order: drop {', '.join(given)}")


def order_input(args: argparse.Namespace, loaded: Any = None) -> OrderInput:
    """From `--body` (`loaded`: its JSON, already read), or from the flags; ValueError with a
    clear message otherwise."""
    if getattr(args, "body", None) is not None:
        refuse_flags_with_body(args)
        return from_body(read_body(args.body) if loaded is None else loaded)
    missing = [f"--{name}" for name in ("symbol", "action", "qty") if not getattr(args, name)]
    if missing:
        raise ValueError(f"missing {', '.join(missing)} (or pass the order as --body FILE)")
    return OrderInput(
        symbol=args.symbol.strip().upper(),
        action=args.action,
        quantity=args.qty,
        order_type=args.order_type or "Market",
        limit_price=args.limit or "",
        stop_price=args.stop or "",
        duration=args.tif or "DAY",
        route=args.route or "",
    )


def read_body(source: str) -> Any:
    """The JSON document in the file ``source`` (``-``: standard input)."""
    try:
        if source == "-":
            text = sys.stdin.read(MAX_BODY_BYTES + 1)
        else:
            with Path(source).open(encoding="utf-8") as file:
                text = file.read(MAX_BODY_BYTES + 1)
    except OSError as exc:
        raise ValueError(f"--body {source}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"--body {source}: not UTF-8 text") from None
    if len(text) > MAX_BODY_BYTES:
        raise ValueError(f"--body {source}: larger than {MAX_BODY_BYTES // 1024} KiB")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValueError(f"--body {source}: not JSON ({exc})") from None


def _text(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"--body: {key} must be a string")
    return str(value)


def from_body(body: Any) -> OrderInput:
    """A single order in TradeStation's JSON, checked for shape (values checked later)."""
    if not isinstance(body, Mapping):
        raise ValueError("--body: the order must be a JSON object")
    if "Orders" in body or "Type" in body:
        raise ValueError(
            "--body: order groups (OCO, bracket) are not supported yet; send a single order"
        )
    unknown = sorted(set(body) - _ORDER_KEYS)
    if unknown:
        raise ValueError(f"--body: not supported yet: {', '.join(unknown)}")
    tif = body.get("TimeInForce") or {}
    if not isinstance(tif, Mapping):
        raise ValueError("--body: TimeInForce must be an object")
    unknown_tif = sorted(set(tif) - _TIME_IN_FORCE_KEYS)
    if unknown_tif:
        raise ValueError(f"--body: TimeInForce.{unknown_tif[0]} is not supported yet")
    missing = [k for k in ("Symbol", "TradeAction", "Quantity") if not _text(body, k)]
    if missing:
        raise ValueError(f"--body: missing {', '.join(missing)}")
    confirm_id = _text(body, "OrderConfirmID") or None
    if confirm_id is not None and not is_valid_order_confirm_id(confirm_id):
        raise ValueError("--body: OrderConfirmID must be 1 to 22 letters or digits")
    order_type = _text(body, "OrderType") or "Market"
    duration = _text(tif, "Duration") or "DAY"
    return OrderInput(
        symbol=_text(body, "Symbol").strip().upper(),
        action=parse_trade_action(_text(body, "TradeAction")),
        quantity=_text(body, "Quantity"),
        order_type=parse_order_type(order_type),
        limit_price=_text(body, "LimitPrice"),
        stop_price=_text(body, "StopPrice"),
        duration=parse_duration(duration),
        route=_text(body, "Route"),
        expiration=_text(tif, "Expiration"),
        account=_text(body, "AccountID") or None,
        order_confirm_id=confirm_id,
    )
