"""Named watchlists kept in the config file (``[watchlists]``), and saving them in place.

The TOML shape::

    [watchlists]
    active = "default"

    [watchlists.lists]
    default = ["MSFT", "AAPL", "SPY", "NVDA", "@ES", "@NQ", "@CL", "@GC"]
    futures = ["@ES", "@NQ"]

A file without ``[watchlists]`` gets :data:`DEFAULT_WATCHLISTS` (the simulator's symbols).
:func:`save_watchlists` replaces only the ``watchlists`` tables of the user's file (written
with tomli-w): every other line, comments included, stays as the user wrote it. Parsing
raises ``ValueError("dotted.key: problem")``; :mod:`tstui.config` names the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

TABLE = "watchlists"
DEFAULT_NAME = "default"
MAX_SYMBOLS = 500  # per list: five quote streams' worth
MAX_SYMBOL_LENGTH = 40
# Symbols: letters, digits and the few marks TradeStation's symbology uses (@ES, BRK.B,
# option symbols with a space, $INDX, forex/crypto pairs with /); never a comma (the quote
# stream's separator) or control characters.
_SYMBOL = re.compile(r"^[A-Z0-9@$#.^/_ -]+$")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
DEMO_SYMBOLS: tuple[str, ...] = ("MSFT", "AAPL", "SPY", "NVDA", "@ES", "@NQ", "@CL", "@GC")


def normalize_symbol(text: str) -> str:
    """``" msft "`` -> ``"MSFT"``; raises ValueError with a message a person can act on."""
    symbol = " ".join(text.split()).upper()
    if not symbol:
        raise ValueError("no symbol given")
    if len(symbol) > MAX_SYMBOL_LENGTH:
        raise ValueError(f"a symbol has at most {MAX_SYMBOL_LENGTH} characters")
    if not _SYMBOL.match(symbol):
        raise ValueError(f"{symbol!r} is not a symbol (letters, digits, @ . / $ only)")
    return symbol


def check_name(name: str) -> str:
    """A list's name: a bare TOML key (letters, digits, ``-``, ``_``; at most 32)."""
    if not _NAME.match(name):
        raise ValueError(f"{name!r}: a list name is 1-32 letters, digits, '-' or '_'")
    return name


@dataclass(frozen=True, slots=True)
class Watchlists:
    """The lists in file order, and which one the board shows."""

    active: str = DEFAULT_NAME
    lists: tuple[tuple[str, tuple[str, ...]], ...] = ((DEFAULT_NAME, DEMO_SYMBOLS),)

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.lists]

    def symbols(self, name: str | None = None) -> tuple[str, ...]:
        """The symbols of ``name`` (default: the active list); () for an unknown name."""
        wanted = self.active if name is None else name
        return next((symbols for n, symbols in self.lists if n == wanted), ())

    def with_symbols(self, symbols: Iterable[str], name: str | None = None) -> Watchlists:
        """``name`` (default: active) holding ``symbols`` (normalised, duplicates dropped);
        an unknown name is added at the end."""
        wanted = self.active if name is None else check_name(name)
        clean = tuple(dict.fromkeys(normalize_symbol(s) for s in symbols))
        if len(clean) > MAX_SYMBOLS:
            raise ValueError(f"a list holds at most {MAX_SYMBOLS} symbols")
        if wanted in self.names:
            lists = tuple((n, clean if n == wanted else s) for n, s in self.lists)
        else:
            lists = (*self.lists, (wanted, clean))
        return replace(self, lists=lists)

    def add(self, symbol: str, name: str | None = None, at: int | None = None) -> Watchlists:
        """``symbol`` added to the list (at index ``at``, default the end); a symbol already
        there stays where it is."""
        current = list(self.symbols(name))
        clean = normalize_symbol(symbol)
        if clean in current:
            return self
        current.insert(len(current) if at is None else max(0, at), clean)
        return self.with_symbols(current, name)

    def remove(self, symbol: str, name: str | None = None) -> Watchlists:
        current = self.symbols(name)
        return self.with_symbols([s for s in current if s != symbol.strip().upper()], name)

    def move(self, symbol: str, delta: int, name: str | None = None) -> Watchlists:
        """``symbol`` moved ``delta`` places (negative: up), clamped to the list's ends."""
        current = list(self.symbols(name))
        key = symbol.strip().upper()
        if key not in current:
            return self
        index = current.index(key)
        current.pop(index)
        current.insert(min(max(index + delta, 0), len(current)), key)
        return self.with_symbols(current, name)

    def with_active(self, name: str) -> Watchlists:
        """Show list ``name`` (created empty when new)."""
        result = self if name in self.names else self.with_symbols((), name)
        return replace(result, active=name)

    def without(self, name: str) -> Watchlists:
        """List ``name`` deleted; the last list cannot be (the board needs one)."""
        if name not in self.names or len(self.lists) == 1:
            return self
        lists = tuple((n, s) for n, s in self.lists if n != name)
        active = self.active if self.active != name else lists[0][0]
        return Watchlists(active, lists)

    def to_table(self) -> dict[str, Any]:
        """The ``[watchlists]`` table as TOML data."""
        return {"active": self.active, "lists": {n: list(s) for n, s in self.lists}}


DEFAULT_WATCHLISTS = Watchlists()


def parse_watchlists(table: Any) -> Watchlists:
    """The ``[watchlists]`` table -> Watchlists; None -> the defaults.
    Raises ValueError("watchlists.KEY: problem")."""
    if table is None:
        return DEFAULT_WATCHLISTS
    if not isinstance(table, Mapping):
        raise ValueError(f"{TABLE}: expected a table")
    unknown = sorted(set(table) - {"active", "lists"})
    if unknown:
        raise ValueError(f"{TABLE}.{unknown[0]}: unknown key (use active, lists)")
    raw_lists = table.get("lists", {})
    if not isinstance(raw_lists, Mapping):
        raise ValueError(f"{TABLE}.lists: expected a table of lists")
    lists: list[tuple[str, tuple[str, ...]]] = []
    for name, symbols in raw_lists.items():
        key = f"{TABLE}.lists.{name}"
        try:
            check_name(name)
        except ValueError as exc:
            raise ValueError(f"{key}: {exc}") from None
        if not isinstance(symbols, list) or not all(isinstance(s, str) for s in symbols):
            raise ValueError(f'{key}: expected a list of symbols such as ["MSFT", "@ES"]')
        try:
            clean = tuple(dict.fromkeys(normalize_symbol(s) for s in symbols))
        except ValueError as exc:
            raise ValueError(f"{key}: {exc}") from None
        if len(clean) > MAX_SYMBOLS:
            raise ValueError(f"{key}: at most {MAX_SYMBOLS} symbols")
        lists.append((name, clean))
    if not lists:
        lists = list(DEFAULT_WATCHLISTS.lists)
    active = table.get("active", lists[0][0])
    if not isinstance(active, str):
        raise ValueError(f"{TABLE}.active: expected the name of a list")
    if active not in {n for n, _ in lists}:
        known = ", ".join(n for n, _ in lists)
        raise ValueError(f"{TABLE}.active: no list named {active!r} (lists: {known})")
    return Watchlists(active, tuple(lists))


# -- saving in place -----------------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _header_key(line: str) -> str | None:
    match = _HEADER.match(line)
    if match is None:
        return None
    return match.group(1).split(".")[0].strip().strip("\"'")


def save_watchlists(watchlists: Watchlists, path: Path) -> Path:
    """Write ``[watchlists]`` into the TOML file at ``path``, keeping the rest of the file as
    written (comments, order, formatting). The old ``watchlists`` tables are cut out and the
    new ones (tomli-w) put where the first one was, or at the end. Should the file be laid
    out in a way that cut cannot handle (a ``watchlists`` inline table, dotted keys), the
    whole file is rewritten with tomli-w instead; either way the result is read back and
    checked to hold every other key unchanged."""
    import tomllib  # only when saving (config.py reads the file): not at startup

    import tomli_w

    original = path.read_text(encoding="utf-8") if path.exists() else ""
    data = tomllib.loads(original) if original else {}
    others = {k: v for k, v in data.items() if k != TABLE}
    section = tomli_w.dumps({TABLE: watchlists.to_table()})
    text = _splice(original, section)
    if text is None or not _holds(text, others, watchlists):
        text = tomli_w.dumps({**others, TABLE: watchlists.to_table()})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def _splice(original: str, section: str) -> str | None:
    """``original`` with its ``watchlists`` tables replaced by ``section``; None when the
    file has no headers to cut at but mentions the table in another form."""
    lines = original.splitlines(keepends=True)
    kept: list[str] = []
    dropped: list[str] = []
    insert_at: int | None = None
    inside = False
    for line in lines:
        key = _header_key(line)
        if key is not None:
            if inside and key != TABLE:
                kept.extend(_trailing_comments(dropped))  # they introduce the next table
            inside = key == TABLE
            dropped = []
            if inside and insert_at is None:
                insert_at = len(kept)
        (dropped if inside else kept).append(line)
    if inside:
        kept.extend(_trailing_comments(dropped))
    if insert_at is None:
        body = "".join(kept)
        if body and not body.endswith("\n"):
            body += "\n"
        return body + ("\n" if body.strip() else "") + section
    block = section if insert_at == len(kept) else section + "\n"
    return "".join(kept[:insert_at]) + block + "".join(kept[insert_at:])


def _trailing_comments(block: list[str]) -> list[str]:
    """The comment lines (and blank lines among them) that end a cut-out block."""
    start = len(block)
    while start > 0 and (not block[start - 1].strip() or block[start - 1].lstrip().startswith("#")):
        start -= 1
    tail = block[start:]
    return tail if any(line.strip() for line in tail) else []


def _holds(text: str, others: Mapping[str, Any], watchlists: Watchlists) -> bool:
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    rest = {k: v for k, v in data.items() if k != TABLE}
    return rest == others and data.get(TABLE) == watchlists.to_table()
