"""`tstui stream ...`: a supervised stream until `--count` data frames, `--seconds`, ctrl+c.

`--json` prints every frame the server sent, one per line, as sent (data, ``Heartbeat``,
``StreamStatus``, ``Error``); without it, one readable line per data frame. Connection states
and stream errors go to stderr. The deadline is applied here, in the task that iterates the
stream, never inside an async generator: a cancel scope left open in a generator is closed
later from another task, which is what used to end these commands with a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tstui.cli.common import account_ids, open_session, print_json, wants_json
from tstui.cli.data_cmds import bar_kwargs
from tstui.domain.untrusted import safe_text
from tstui.output import format_cell

if TYPE_CHECKING:
    from tstui.client.session import Session
    from tstui.client.streams import SupervisedStream
    from tstui.config import Settings

EXIT_SHORT = 1  # --count was not reached before --seconds ran out

_CONTROL_KEYS = ("Heartbeat", "StreamStatus", "Error")


async def run_stream(settings: Settings, args: argparse.Namespace) -> int:
    # The supervisor's log lines would reach stderr through logging's last resort, repeating
    # what the state lines and the final error already say.
    logging.getLogger("tstui.client").propagate = False
    logging.getLogger("tstui.client").addHandler(logging.NullHandler())
    async with open_session(settings) as session:
        stream = await _open_stream(session, settings, args)
        return await consume(stream, args)


async def consume(stream: SupervisedStream[Any], args: argparse.Namespace) -> int:
    """Print events until an end condition; the exit status says which one it was."""
    as_sent = wants_json(args)
    source: SupervisedStream[Any] = stream.frames() if as_sent else stream
    count: int | None = args.count
    seconds: float | None = args.seconds
    seen = 0
    try:
        async with asyncio.timeout(seconds):
            async for event in source:
                seen += print_event(event, as_sent)
                if count is not None and seen >= count:
                    break
    except TimeoutError:
        if count is not None and seen < count:
            print(
                f"tstui: {source.name}: {seen} of {count} events in {seconds:g} s",
                file=sys.stderr,
            )
            return EXIT_SHORT
    finally:
        await source.aclose()
    return 0


async def _open_stream(
    session: Session, settings: Settings, args: argparse.Namespace
) -> SupervisedStream[Any]:
    api = session.api
    what = args.what
    if what == "bars":
        kwargs = bar_kwargs(args)
        kwargs.pop("firstdate", None)
        kwargs.pop("lastdate", None)
        return api.stream_bars(args.symbol, **kwargs)
    if what == "quotes":
        return api.stream_quotes([s for arg in args.symbols for s in arg.split(",") if s])
    if what == "tickbars":
        return api.stream_tickbars(args.symbol, args.interval, args.barsback)
    if what in ("chain", "option-quotes"):
        from tstui.cli.options_cmds import open_option_stream

        return open_option_stream(api, args)
    if what == "depth":
        if args.aggregates:
            return api.stream_market_depth_aggregates(args.symbol, args.levels)
        return api.stream_market_depth_quotes(args.symbol, args.levels)
    ids = await account_ids(session, settings)
    if what == "orders":
        return api.stream_orders(ids, getattr(args, "order_ids", None) or None)
    return api.stream_positions(ids)


def is_data_frame(frame: Mapping[str, Any]) -> bool:
    """A frame that carries data, not a heartbeat, a stream status or an error."""
    return not any(key in frame for key in _CONTROL_KEYS)


def print_event(event: Any, as_sent: bool) -> int:
    """Print one event; connection states and errors go to stderr. 1 for a data event."""
    from tstui.client.streams import StreamState
    from tstui.domain.frames import StreamErrorFrame

    if isinstance(event, StreamState):
        if event.state == "failed":
            return 0  # the error that follows says why, once
        detail = f" {safe_text(event.detail)}" if event.detail else ""
        print(f"# {event.stream}: {event.state}{detail}", file=sys.stderr, flush=True)
        return 0
    if isinstance(event, StreamErrorFrame):
        print(f"tstui: stream error: {safe_text(str(event))}", file=sys.stderr, flush=True)
        return 0
    if as_sent:
        print_json(event)
        return 1 if isinstance(event, Mapping) and is_data_frame(event) else 0
    line = human_line(event)
    if line is None:
        return 0
    print(line, flush=True)
    return 1


def _cell(value: Any) -> str:
    return safe_text(format_cell(value))


def _labelled(*pairs: tuple[str, Any]) -> str:
    """``label value`` for each value that is present (stream updates are often partial)."""
    present = [(label, value) for label, value in pairs if value not in (None, "")]
    return " ".join(
        f"{label} {_cell(value)}" if label else _cell(value) for label, value in present
    )


def human_line(event: Any) -> str | None:
    """One line with the fields a trader reads, or None for a frame that is not data."""
    from tstui.domain.frames import PositionDeleted
    from tstui.domain.models import Bar, Order, Position, Quote, TickBar

    if isinstance(event, Order):
        price = event.limit_price if event.limit_price is not None else event.stop_price
        filled = f"{_cell(event.filled_quantity)}/{_cell(event.quantity)}"
        return _labelled(
            ("", event.opened_date_time),
            ("order", event.order_id),
            ("", event.account_id),
            ("", event.status),
            ("", f"({event.status_description})" if event.status_description else None),
            ("", event.side),
            ("", filled),
            ("", event.display_symbol),
            ("", event.order_type),
            ("@", price),
            ("", event.duration),
            ("avg fill", event.filled_price),
            ("reason", event.reject_reason),
        )
    if isinstance(event, Position):
        return _labelled(
            ("", event.account_id),
            ("", event.symbol),
            ("", event.long_short),
            ("", event.quantity),
            ("@", event.average_price),
            ("last", event.last),
            ("value", event.market_value),
            ("P&L", event.unrealized_profit_loss),
            ("today", event.todays_profit_loss),
        )
    if isinstance(event, PositionDeleted):
        return _labelled(("", event.account_id), ("position", event.position_id), ("", "closed"))
    if isinstance(event, Quote):
        pct = f"({_cell(event.net_change_pct)}%)" if event.net_change_pct is not None else None
        return _labelled(
            ("", event.symbol),
            ("last", event.last),
            ("bid", event.bid),
            ("ask", event.ask),
            ("chg", event.net_change),
            ("", pct),
            ("vol", event.volume),
            ("", event.trade_time),
        )
    if isinstance(event, Bar | TickBar):
        status = getattr(event, "bar_status", None)
        return _labelled(
            ("", event.timestamp),
            ("O", event.open),
            ("H", event.high),
            ("L", event.low),
            ("C", event.close),
            ("V", event.total_volume),
            ("", status),
        )
    line = depth_line(event)
    if line is None:
        from tstui.cli.options_cmds import spread_line  # only an option stream loads it

        line = spread_line(event)
    return line


def depth_line(event: Any) -> str | None:
    """``bids 447.59 x500 447.58 x800 | asks 447.61 x100 ...``: each price's size, best first
    (participants at a price summed)."""
    from tstui.domain.market.depth import DepthAggregates, DepthQuotes

    if not isinstance(event, DepthQuotes | DepthAggregates):
        return None
    bids, asks = event.sizes()

    def side(name: str, sizes: dict[Any, Any], best_first: list[Any]) -> str:
        cells = [f"{_cell(price)} x{_cell(sizes[price])}" for price in best_first]
        return f"{name} {' '.join(cells) or '-'}"

    return " | ".join(
        (
            side("bids", bids, sorted(bids, reverse=True)),
            side("asks", asks, sorted(asks)),
        )
    )
