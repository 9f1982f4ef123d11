"""The arguments of the option commands (`get expirations|strikes|spreadtypes|riskreward`,
`stream chain|option-quotes`, `order confirm|place --legs`): what they do is
:mod:`tstui.cli.options_cmds`. Kept apart and standard-library only because every command line
builds the whole parser.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

GETS = ("expirations", "strikes", "spreadtypes", "riskreward")
_CHAIN_RANGES = ("All", "ITM", "OTM")
_CHAIN_TYPES = ("All", "Call", "Put")


def add_get_commands(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """`get expirations|strikes|spreadtypes|riskreward` (``add(name, help)`` makes a parser)."""
    expirations = add("expirations", "option expiration dates of an underlying")
    expirations.add_argument("underlying")
    expirations.add_argument("--strike", default=None, help="only those listing this strike")
    strikes = add("strikes", "option strikes of an underlying, one row per spread")
    strikes.add_argument("underlying")
    _spread_options(strikes)
    add("spreadtypes", "option spread types (for --spread-type)")
    risk = add("riskreward", "max gain, max loss and break-evens of an option spread")
    risk.add_argument(
        "--body",
        required=True,
        metavar="FILE",
        help='{"SpreadPrice": 0.24, "Legs": [{"Symbol", "Quantity", "TradeAction": BUY|SELL}]}'
        " (a file, or - for stdin)",
    )


def _spread_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--spread-type", default=None, help="Single (default), Vertical, ...")
    parser.add_argument(
        "--interval", type=int, default=None, help="strikes between legs (1: consecutive)"
    )
    parser.add_argument("--expiration", default=None, help="YYYY-MM-DD (default: the next)")
    parser.add_argument("--expiration2", default=None, help="far expiration (Calendar, Diagonal)")


def add_stream_commands(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """`stream chain|option-quotes`."""
    chain = add("chain", "an option chain of an underlying, streaming")
    chain.add_argument("underlying")
    _spread_options(chain)
    chain.add_argument(
        "--strikes", type=int, default=None, help="spreads above and below the centre (5)"
    )
    chain.add_argument("--center", default=None, help="the centre strike (default: last)")
    chain.add_argument("--range", dest="strike_range", choices=_CHAIN_RANGES, default=None)
    chain.add_argument("--side", dest="option_type", choices=_CHAIN_TYPES, default=None)
    chain.add_argument("--no-greeks", action="store_true", help="leave the greeks out")
    quotes = add("option-quotes", "quotes and greeks of one option spread, streaming")
    quotes.add_argument(
        "--leg",
        action="append",
        required=True,
        metavar="SYMBOL[:RATIO]",
        help="a leg (repeat; ratio < 0 sells, default 1), e.g. 'MSFT 261218C450:-2'",
    )
    quotes.add_argument("--no-greeks", action="store_true", help="leave the greeks out")


def add_legs_argument(parser: argparse.ArgumentParser) -> None:
    """`order confirm|place --legs`."""
    parser.add_argument(
        "--legs",
        default=None,
        metavar="SYM:QTY:ACTION,...",
        help="an option order's legs, e.g. 'MSFT 261218C450:1:BUYTOOPEN,MSFT 261218C460:1:"
        "SELLTOOPEN'; --limit is then the net price (negative: a credit)",
    )
