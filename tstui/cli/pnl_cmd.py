"""`tstui pnl`: realized P&L per round trip, day or symbol, from the last 90 days of orders.

Not a TradeStation endpoint (the API has none): the fills of the historical and today's orders
are matched first in, first out per account and symbol (:mod:`tstui.client.journal`).
``--since``/``--until`` select round trips by the UTC day they closed; the whole 90 days are
always read, so a trip opened before ``--since`` still finds its entry.

Output: a table and the statistics for people (server text made display-safe); ``--csv`` the
rows with a header line; ``--json`` one document of tstui's own shape (README), money as
strings.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from tstui.cli.common import (
    account_ids,
    open_session,
    parse_day,
    print_json,
    print_rows,
    wants_json,
)
from tstui.domain.portfolio.journal import (
    GroupRow,
    PnLSummary,
    RoundTrip,
    TripFilter,
    cents,
    group_trips,
    summarize,
)

if TYPE_CHECKING:
    from tstui.config import Settings

JSON_VERSION = 1
TRIP_COLUMNS = (
    "Account",
    "Symbol",
    "Side",
    "Qty",
    "Entry time",
    "Entry",
    "Exit time",
    "Exit",
    "Gross",
    "Comm",
    "Net",
    "Duration",
)
GROUP_COLUMNS = ("Trades", "Wins", "Losses", "Gross", "Comm", "Net")


def format_duration(span: timedelta) -> str:
    """3d 04:05, 1:02:03 or 12:30 (minutes:seconds) - short and sortable by eye."""
    seconds = int(span.total_seconds())
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}:{minutes:02d}"
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def trip_row(trip: RoundTrip) -> list[Any]:
    return [
        trip.account_id,
        trip.symbol,
        trip.side,
        trip.quantity,
        _time(trip.entry_time),
        trip.entry_price,
        _time(trip.exit_time),
        trip.exit_price,
        cents(trip.gross),
        cents(trip.commission),
        cents(trip.net),
        format_duration(trip.duration),
    ]


def group_row(row: GroupRow) -> list[Any]:
    return [
        row.key,
        row.trades,
        row.wins,
        row.losses,
        *map(cents, (row.gross, row.commission, row.net)),
    ]


def _ratio(value: Decimal | None, places: str = "0.0001") -> str | None:
    return None if value is None else str(value.quantize(Decimal(places)))


def summary_json(summary: PnLSummary) -> dict[str, Any]:
    def money(value: Decimal | None) -> str | None:
        return None if value is None else str(cents(value))

    return {
        "Trades": summary.trades,
        "Wins": summary.wins,
        "Losses": summary.losses,
        "WinRate": _ratio(summary.win_rate),
        "NetProfit": money(summary.net),
        "GrossProfit": money(summary.gross_profit),
        "GrossLoss": money(summary.gross_loss),
        "Commission": money(summary.commission),
        "AverageWin": money(summary.average_win),
        "AverageLoss": money(summary.average_loss),
        "ProfitFactor": _ratio(summary.profit_factor),
        "MaxDrawdown": money(summary.max_drawdown),
    }


def summary_lines(summary: PnLSummary) -> list[str]:
    data = summary_json(summary)
    rate = summary.win_rate
    shown = {
        "Trades": f"{summary.trades} ({summary.wins} won, {summary.losses} lost)",
        "Win rate": "-" if rate is None else f"{rate * 100:.1f}%",
        "Net P&L": data["NetProfit"],
        "Gross profit / loss": f"{data['GrossProfit']} / {data['GrossLoss']}",
        "Commission": data["Commission"],
        "Average win / loss": f"{data['AverageWin'] or '-'} / {data['AverageLoss'] or '-'}",
        "Profit factor": data["ProfitFactor"] or "-",
        "Max drawdown": data["MaxDrawdown"],
    }
    width = max(len(k) for k in shown)
    return [f"{key.ljust(width)}  {value}" for key, value in shown.items()]


def _json_rows(by: str, trips: Sequence[RoundTrip]) -> list[dict[str, Any]]:
    if by == "trade":
        return [
            {
                "AccountID": t.account_id,
                "Symbol": t.symbol,
                "Side": t.side,
                "Quantity": str(t.quantity),
                "EntryTime": _time(t.entry_time),
                "EntryPrice": str(t.entry_price),
                "ExitTime": _time(t.exit_time),
                "ExitPrice": str(t.exit_price),
                "PointValue": str(t.point_value),
                "Gross": str(cents(t.gross)),
                "Commission": str(cents(t.commission)),
                "Net": str(cents(t.net)),
                "DurationSeconds": int(t.duration.total_seconds()),
            }
            for t in trips
        ]
    key = "Date" if by == "day" else "Symbol"
    return [
        {
            key: r.key,
            "Trades": r.trades,
            "Wins": r.wins,
            "Losses": r.losses,
            "Gross": str(cents(r.gross)),
            "Commission": str(cents(r.commission)),
            "Net": str(cents(r.net)),
        }
        for r in group_trips(trips, "day" if by == "day" else "symbol")
    ]


def table(by: str, trips: Sequence[RoundTrip]) -> tuple[tuple[str, ...], list[list[Any]]]:
    if by == "trade":
        return TRIP_COLUMNS, [trip_row(t) for t in trips]
    grouping: Literal["day", "symbol"] = "day" if by == "day" else "symbol"
    head = ("Date" if by == "day" else "Symbol", *GROUP_COLUMNS)
    return head, [group_row(r) for r in group_trips(trips, grouping)]


def render(
    args: argparse.Namespace,
    trips: Sequence[RoundTrip],
    *,
    accounts: Sequence[str],
    since: date | None,
    until: date | None,
    unmatched: int = 0,
) -> None:
    by = args.by
    summary = summarize(trips)
    if wants_json(args):
        print_json(
            {
                "Version": JSON_VERSION,
                "Accounts": list(accounts),
                "Symbol": args.symbol,
                "Since": since.isoformat() if since else None,
                "Until": until.isoformat() if until else None,
                "By": by,
                "Rows": _json_rows(by, trips),
                "Summary": summary_json(summary),
                "UnmatchedCloses": unmatched,
            }
        )
        return
    head, rows = table(by, trips)
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(head)
        writer.writerows([[_csv_cell(v) for v in row] for row in rows])
        return
    print_rows(head, rows, empty="no closed round trips in this range")
    print()
    for line in summary_lines(summary):
        print(line)


def _csv_cell(value: Any) -> Any:
    from tstui.domain.untrusted import safe_text

    # a symbol or account is server text: no control character reaches the file either
    return safe_text(value) if isinstance(value, str) else value


async def run_pnl(settings: Settings, args: argparse.Namespace) -> int:
    from tstui.client.journal import load_journal

    since = parse_day(args.since, "--since")
    until = parse_day(args.until, "--until")
    if since and until and since > until:
        raise ValueError(f"--since {since} is after --until {until}")
    if args.csv and wants_json(args):
        raise ValueError("--csv and --json: choose one")
    async with open_session(settings) as session:
        accounts = await account_ids(session, settings)
        loaded = await load_journal(session.api, accounts)
    if since is not None and since < loaded.since:
        print(
            f"tstui: pnl: orders reach back to {loaded.since} only (90 days); "
            f"round trips opened earlier are not seen",
            file=sys.stderr,
        )
    for error in loaded.errors:
        from tstui.domain.untrusted import safe_text

        print(
            f"tstui: pnl: {safe_text(error.id or '?')}: {safe_text(error.message)}", file=sys.stderr
        )
    chosen = TripFilter(
        accounts=frozenset(accounts), symbol=args.symbol, since=since, until=until
    ).apply(loaded.journal.round_trips)
    chosen.sort(key=lambda t: (t.exit_time, t.entry_time, t.symbol))
    unmatched = [
        f
        for f in loaded.journal.unmatched
        if TripFilter(frozenset(accounts), args.symbol).matches_fill(f)
    ]
    if unmatched:
        print(
            f"tstui: pnl: {len(unmatched)} closing fill(s) had no entry in the 90 days "
            "(positions opened earlier): not counted",
            file=sys.stderr,
        )
    render(args, chosen, accounts=accounts, since=since, until=until, unmatched=len(unmatched))
    return 0
