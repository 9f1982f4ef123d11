"""``--state PATH``: write-through sqlite3 persistence of accounts, orders and positions.

Seen OrderConfirmIDs are the ``confirm_id`` of stored orders (every accepted or rejected
placement with an ID creates an order), so they survive a restart with the orders.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from datetime import datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from tstui.sim.advanced import Advanced, PriceRule
from tstui.sim.records import SimAccount, SimOrder, SimPosition

_T = TypeVar("_T", SimAccount, SimOrder, SimPosition)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS positions (id TEXT PRIMARY KEY, body TEXT NOT NULL);
"""


# nested records stored inside an order (by class name)
_NESTED: dict[str, type[Any]] = {"Advanced": Advanced, "PriceRule": PriceRule}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    if isinstance(value, datetime):
        return {"$t": value.isoformat()}
    if isinstance(value, time):
        return {"$h": value.isoformat()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        body = {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
        return {"$c": type(value).__name__, "v": body}
    return value


def _encode(record: SimAccount | SimOrder | SimPosition) -> str:
    return json.dumps({f.name: _plain(getattr(record, f.name)) for f in fields(record)})


def _revive(value: Any) -> Any:
    if isinstance(value, list):  # records hold tuples, never lists
        return tuple(_revive(v) for v in value)
    if isinstance(value, dict):
        if "$d" in value:
            return Decimal(value["$d"])
        if "$t" in value:
            return datetime.fromisoformat(value["$t"])
        if "$h" in value:
            return time.fromisoformat(value["$h"])
        if "$c" in value:
            cls = _NESTED[value["$c"]]
            return cls(**{k: _revive(v) for k, v in value["v"].items()})
    return value


def _decode(cls: type[_T], text: str) -> _T:
    raw = json.loads(text)
    return cls(**{key: _revive(value) for key, value in raw.items()})


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def is_empty(self) -> bool:
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM accounts").fetchone()
        return bool(row[0] == 0)

    def save(
        self,
        accounts: Iterable[SimAccount] = (),
        orders: Iterable[SimOrder] = (),
        positions: Iterable[tuple[SimPosition, bool]] = (),
        meta: dict[str, str] | None = None,
    ) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany(
                    "INSERT OR REPLACE INTO accounts VALUES (?, ?)",
                    [(a.account_id, _encode(a)) for a in accounts],
                )
                self._db.executemany(
                    "INSERT OR REPLACE INTO orders VALUES (?, ?)",
                    [(o.order_id, _encode(o)) for o in orders],
                )
                for pos, deleted in positions:
                    if deleted:
                        self._db.execute("DELETE FROM positions WHERE id = ?", (pos.position_id,))
                    else:
                        self._db.execute(
                            "INSERT OR REPLACE INTO positions VALUES (?, ?)",
                            (pos.position_id, _encode(pos)),
                        )
                self._db.executemany(
                    "INSERT OR REPLACE INTO meta VALUES (?, ?)", list((meta or {}).items())
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def load(
        self,
    ) -> tuple[list[SimAccount], list[SimOrder], list[SimPosition], dict[str, str]]:
        with self._lock:
            accounts = [
                _decode(SimAccount, r[0])
                for r in self._db.execute("SELECT body FROM accounts ORDER BY id")
            ]
            orders = [
                _decode(SimOrder, r[0])
                for r in self._db.execute("SELECT body FROM orders ORDER BY CAST(id AS INTEGER)")
            ]
            positions = [
                _decode(SimPosition, r[0]) for r in self._db.execute("SELECT body FROM positions")
            ]
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        return accounts, orders, positions, meta

    def close(self) -> None:
        with self._lock:
            self._db.close()
