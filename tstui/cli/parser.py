"""The argparse tree: one subcommand per notebook cell, global options accepted anywhere."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from tstui import __version__

ORDER_ACTIONS = (
    "BUY", "SELL", "SELLSHORT", "BUYTOCOVER", "BUYTOOPEN", "BUYTOCLOSE", "SELLTOOPEN",
    "SELLTOCLOSE",
)  # fmt: skip
ORDER_TYPES = ("Market", "Limit", "StopMarket", "StopLimit")
BAR_UNITS = ("Minute", "Daily", "Weekly", "Monthly")
# Every subcommand build_parser adds (a test keeps the two in step).
COMMANDS = ("login", "logout", "sim", "get", "stream", "order", "audit", "doctor", "roll", "pnl")


class UsageError(Exception):
    """A command line that argparse refused; `main` reports it (with `--json`, also as an
    error object on stdout) and exits 2, as argparse would."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class _Parser(argparse.ArgumentParser):
    """argparse that raises :class:`UsageError` instead of printing and exiting itself
    (subcommand parsers are made of the same class)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(self, message)


def _lenient(parse_name: str) -> Callable[[str], str]:
    """An argparse type for an API enum: any case and the documented spellings are taken
    (`buy`, `stop-market`, `StopMarket`); a wrong value names the valid ones."""

    def parse(value: str) -> str:
        from tstui.domain import enums

        try:
            result: str = getattr(enums, parse_name)(value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return result

    parse.__name__ = parse_name.removeprefix("parse_")
    return parse


def _common() -> _Parser:
    """Options every subcommand accepts, so `tstui get accounts --json` works as well as
    `tstui --json get accounts` (SUPPRESS keeps a subparser from resetting the global)."""
    common = _Parser(add_help=False)
    sup = argparse.SUPPRESS
    common.add_argument("--env", choices=("sim", "live"), default=sup, help="environment")
    common.add_argument("--base-url", default=sup, help="one server for API and sign-in")
    common.add_argument("--account", default=sup, help="account id (comma list allowed)")
    common.add_argument("--config", default=sup, help="config file (default: XDG path)")
    common.add_argument("--json", action="store_true", default=sup, help="machine output")
    common.add_argument(
        "--confirm-live",
        action="store_true",
        default=sup,
        help="required with --yes to send orders to LIVE without the typed prompt",
    )
    return common


def _root(common: argparse.ArgumentParser) -> _Parser:
    """``tstui [options]``: the global options, no subcommand."""
    parser = _Parser(
        prog="tstui",
        description="Keyboard-driven terminal trading client for the TradeStation Web API.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"tstui {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="open the TUI on the embedded simulator"
    )
    return parser


def parse_tui_args(argv: Sequence[str]) -> argparse.Namespace | None:
    """The TUI's command line (no subcommand) parsed without building every subcommand's
    parser (~20 ms of the TUI's start). None when ``argv`` may name a subcommand, asks for
    help or does not parse: then :func:`build_parser` decides, with its own messages."""
    if any(token in COMMANDS or token in ("-h", "--help") for token in argv):
        return None
    try:
        args = _root(_common()).parse_args(argv)
    except UsageError:
        return None
    args.command = None
    return args


def parse_command_args(argv: Sequence[str]) -> argparse.Namespace | None:
    """A subcommand's line parsed with that subcommand's parser alone (the whole tree, 40
    parsers and the simulator's options, was ~10 ms of a one-shot command's start). None
    when it asks for help or does not parse: then :func:`build_parser` decides, with its
    own messages. A line this parses, the whole tree parses the same way: the subcommand
    is one positional taking the rest, and the others only widen its choices."""
    if any(token in ("-h", "--help") for token in argv):
        return None
    for command in dict.fromkeys(token for token in argv if token in COMMANDS):
        try:  # the first such word may be an option's value (--env sim): the next is tried
            return build_parser(only=command).parse_args(argv)
        except UsageError:
            continue
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; ``only``: just that subcommand (see parse_command_args)."""
    common = _common()
    parser = _root(common)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, parents=[common])

    def wanted(name: str) -> bool:
        return only is None or only == name

    if wanted("login"):
        login = add("login", "sign in through TradeStation's OAuth page and store the tokens")
        login.add_argument("--no-browser", action="store_true", help="only print the URL")
        login.add_argument("--timeout", type=float, default=300.0, help="seconds to wait")
    if wanted("logout"):
        add("logout", "revoke the refresh token and delete the token file")

    if wanted("sim"):
        sim = add("sim", "run the TradeStation-compatible simulator")
        from tstui.sim.cli import add_sim_arguments

        add_sim_arguments(sim)
    if wanted("get"):
        _add_get(add("get", "one-shot REST calls (one per notebook cell)"), common)
    if wanted("stream"):
        _add_stream(add("stream", "streams as NDJSON (--json) or lines"), common)
    if wanted("order"):
        _add_order(add("order", "confirm, place, replace and cancel orders"), common)
    if wanted("audit"):
        _add_audit(add("audit", "print the audit log"))
    if wanted("doctor"):
        doctor = add(
            "doctor", "check the set-up: config, tokens, clock, hosts, terminal, audit log"
        )
        doctor.add_argument("--timeout", type=float, default=5.0, help="seconds per network check")
    if wanted("roll"):
        _add_roll(add("roll", "roll futures positions to the front-month contract"))
    if wanted("pnl"):
        _add_pnl(add("pnl", "realized P&L of round trips from the last 90 days of orders"))
    return parser


def _add_audit(audit: argparse.ArgumentParser) -> None:
    audit.add_argument("--since", help="first day (YYYY-MM-DD)")
    audit.add_argument("--until", help="last day (YYYY-MM-DD)")
    audit.add_argument("--kind", action="append", default=[], help="entry kind (repeatable)")


def _add_roll(roll: argparse.ArgumentParser) -> None:
    roll.add_argument("--root", action="append", default=[], help="futures root, e.g. ES")
    roll.add_argument("--dry-run", action="store_true", help="plan and preview; send nothing")
    roll.add_argument("--yes", action="store_true", help="do not ask before sending")
    roll.add_argument(
        "--retry", action="store_true", help="retry a roll that stopped after sending a leg"
    )
    roll.add_argument("--fill-timeout", type=float, default=30.0, help="seconds per leg")
    roll.add_argument(
        "--legs",
        choices=("market", "limit"),
        default="market",
        help="the legs' order type (limit: --offset-ticks through the last price)",
    )
    roll.add_argument(
        "--offset-ticks", type=int, default=2, help="limit legs: ticks through the last (2)"
    )
    roll.add_argument(
        "--working",
        choices=("move", "cancel", "keep"),
        default="keep",
        help="the old contract's working orders: move them to the new one at the same "
        "distance from the market, cancel them, or keep them (default; they are listed)",
    )


def _add_pnl(pnl: argparse.ArgumentParser) -> None:
    pnl.add_argument("--since", help="first exit day (YYYY-MM-DD, UTC)")
    pnl.add_argument("--until", help="last exit day (YYYY-MM-DD, UTC)")
    pnl.add_argument("--by", choices=("trade", "day", "symbol"), default="trade", help="rows")
    pnl.add_argument("--symbol", help="only this symbol (a futures root: its contracts)")
    pnl.add_argument("--csv", action="store_true", help="the rows as CSV with a header line")


def _add_get(get: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    what = get.add_subparsers(dest="what", metavar="WHAT", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return what.add_parser(name, help=help_text, parents=[common])

    add("accounts", "brokerage accounts")
    add("balances", "real-time balances")
    add("bodbalances", "beginning-of-day balances")
    add("positions", "open positions")
    orders = add("orders", "today's and open orders (or only the given order ids)")
    orders.add_argument("order_ids", nargs="*", metavar="ORDER_ID")
    hist = add("historical-orders", "orders since a date (at most 90 days back)")
    hist.add_argument("--since", required=True, help="YYYY-MM-DD or MM-DD-YYYY")
    hist.add_argument("order_ids", nargs="*", metavar="ORDER_ID")
    bars = add("bars", "bar chart history")
    bars.add_argument("symbol")
    _bar_options(bars)
    symbol = add("symbol", "symbol details")
    symbol.add_argument("symbol", nargs="+")
    quotes = add("quotes", "quote snapshots")
    quotes.add_argument("symbols", nargs="+")
    add("routes", "order routes")
    add("cryptopairs", "crypto pair symbol names")
    suggest = add("suggest", "symbols whose name or description starts with TEXT (v2)")
    suggest.add_argument("text")
    suggest.add_argument("--top", type=int, default=None, help="at most N answers")
    suggest.add_argument("--filter", default=None, help="OData, e.g. \"Category eq 'Stock'\"")
    search = add("search", "symbols matching criteria (v2), e.g. 'N=MSFT&C=Stock'")
    search.add_argument("criteria")
    from tstui.cli.options_parser import add_get_commands

    add_get_commands(add)  # expirations, strikes, spreadtypes, riskreward


def _bar_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--unit", default="Minute", type=_lenient("parse_bar_unit"), help=", ".join(BAR_UNITS)
    )
    parser.add_argument("--interval", type=int, default=1)
    parser.add_argument("--barsback", type=int, default=None)
    parser.add_argument("--firstdate", default=None, help="ISO date or time")
    parser.add_argument("--lastdate", default=None, help="ISO date or time")


def _add_stream(stream: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    what = stream.add_subparsers(dest="what", metavar="WHAT", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = what.add_parser(name, help=help_text, parents=[common])
        p.add_argument("--count", type=int, default=None, help="stop after N data events")
        p.add_argument("--seconds", type=float, default=None, help="stop after S seconds")
        return p

    bars = add("bars", "live bars")
    bars.add_argument("symbol")
    _bar_options(bars)
    quotes = add("quotes", "live quotes")
    quotes.add_argument("symbols", nargs="+")
    orders = add("orders", "order updates (or only of the given order ids)")
    orders.add_argument("order_ids", nargs="*", metavar="ORDER_ID")
    add("positions", "position updates")
    ticks = add("tickbars", "v2 tick bars")
    ticks.add_argument("symbol")
    ticks.add_argument("--interval", type=int, default=1, help="ticks per bar")
    ticks.add_argument("--barsback", type=int, default=10)
    from tstui.cli.options_parser import add_stream_commands

    add_stream_commands(add)  # chain, option-quotes
    depth = add("depth", "market depth (level 2): the book by participant, or --aggregates")
    depth.add_argument("symbol")
    depth.add_argument(
        "--aggregates", action="store_true", help="one row per price (the aggregates stream)"
    )
    depth.add_argument(
        "--levels", type=int, default=None, metavar="N", help="price levels a side (default 20)"
    )


def _add_bracket(what: Any, common: argparse.ArgumentParser) -> None:
    """`order bracket`: an entry with a target and a stop attached (or `--position`)."""
    p = what.add_parser(
        "bracket",
        help="an entry with target and stop attached (OSO), or exits for a held position",
        parents=[common],
    )
    p.add_argument("--symbol", default=None)
    p.add_argument("--action", type=_lenient("parse_trade_action"), help=", ".join(ORDER_ACTIONS))
    p.add_argument("--qty", default=None, help="the entry's (with --position: default all)")
    p.add_argument(
        "--type",
        dest="order_type",
        type=_lenient("parse_order_type"),
        help="the entry's type (default Market)",
    )
    p.add_argument("--limit", default=None, help="the entry's limit price")
    p.add_argument("--stop", default=None, help="the entry's stop price (a stop entry)")
    p.add_argument("--tif", "--duration", dest="tif", type=_lenient("parse_duration"))
    p.add_argument("--route", default=None)
    p.add_argument("--target", default=None, metavar="PRICE", help="the target's limit price")
    p.add_argument(
        "--target-ticks", type=int, default=None, metavar="N", help="target N ticks away"
    )
    p.add_argument("--stop-loss", default=None, metavar="PRICE", help="the stop's trigger price")
    p.add_argument("--stop-ticks", type=int, default=None, metavar="N", help="stop N ticks away")
    p.add_argument("--trail-amount", default=None, metavar="X", help="the stop trails by X")
    p.add_argument("--trail-percent", default=None, metavar="P", help="the stop trails by P%%")
    p.add_argument(
        "--exit-tif",
        type=_lenient("parse_duration"),
        default=None,
        help="the exits' duration (default: the entry's; with --position GTC)",
    )
    p.add_argument(
        "--position",
        action="store_true",
        help="bracket the position held (a BRK group of exits) instead of sending an entry",
    )
    p.add_argument("--preview", action="store_true", help="confirm only; send nothing")
    p.add_argument("--yes", action="store_true", help="place without asking")


def _add_order(order: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    what = order.add_subparsers(dest="what", metavar="ACTION", required=True)
    for name, help_text in (
        ("confirm", "preview an order (orderconfirm); sends nothing"),
        ("place", "preview, ask once, then place"),
    ):
        p = what.add_parser(name, help=help_text, parents=[common])
        p.add_argument(
            "--body",
            default=None,
            metavar="FILE",
            help="the order in TradeStation's JSON (a file, or - for stdin) instead of flags",
        )
        p.add_argument("--symbol", default=None)
        p.add_argument(
            "--action", type=_lenient("parse_trade_action"), help=", ".join(ORDER_ACTIONS)
        )
        p.add_argument("--qty", default=None)
        type_help = ", ".join(ORDER_TYPES) + " (default Market)"
        p.add_argument(
            "--type", dest="order_type", type=_lenient("parse_order_type"), help=type_help
        )
        p.add_argument("--limit", default=None)
        p.add_argument("--stop", default=None)
        p.add_argument(
            "--tif",
            "--duration",
            dest="tif",
            type=_lenient("parse_duration"),
            help="DAY, GTC, IOC, FOK, ... (default DAY)",
        )
        p.add_argument("--route", default=None)
        p.add_argument("--yes", action="store_true", help="place without asking")
        from tstui.cli.options_parser import add_legs_argument

        add_legs_argument(p)  # option orders: --legs
    _add_bracket(what, common)
    cancel = what.add_parser("cancel", help="cancel a working order", parents=[common])
    cancel.add_argument("order_id")
    cancel.add_argument("--yes", action="store_true")
    replace = what.add_parser(
        "replace", help="change qty/prices of a working order", parents=[common]
    )
    replace.add_argument("order_id")
    replace.add_argument("--qty", default=None)
    replace.add_argument("--limit", default=None)
    replace.add_argument("--stop", default=None)
    replace.add_argument(
        "--type", dest="order_type", default=None, type=_lenient("parse_order_type"), help="Market"
    )
    replace.add_argument("--yes", action="store_true")
