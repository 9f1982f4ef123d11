"""``--state PATH``: write-through sqlite3 persistence of accounts, orders and positions.

Seen OrderConfirmIDs are the ``confirm_id`` of stored orders (every accepted or rejected
placement with an ID creates an order), so they survive a restart with the orders.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import fields
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from tstui.sim.records import SimAccount, SimOrder, SimPosition

_T = TypeVar("_T", SimAccount, SimOrder, SimPosition)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS positions (id TEXT PRIMARY KEY, body TEXT NOT NULL);
"""


def _encode(record: SimAccount | SimOrder | SimPosition) -> str:
    out: dict[str, Any] = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if isinstance(value, Decimal):
            value = {"$d": str(value)}
        elif isinstance(value, datetime):
            value = {"$t": value.isoformat()}
        out[f.name] = value
    return json.dumps(out)


def _decode(cls: type[_T], text: str) -> _T:
    raw = json.loads(text)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, dict) and "$d" in value:
            value = Decimal(value["$d"])
        elif isinstance(value, dict) and "$t" in value:
            value = datetime.fromisoformat(value["$t"])
        values[key] = value
    return cls(**values)


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
