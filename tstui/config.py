"""Settings from TOML: XDG paths, a frozen tree, messages that name the file and key.

Read with stdlib ``tomllib``; write with ``tomli_w`` through :func:`save_user_choice`, which
changes one key and keeps every other key of the user's file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from tstui.domain.market.alerts import PriceAlert, parse_alert
from tstui.domain.orders.risk_limits import RiskLimits
from tstui.watchlists import DEFAULT_WATCHLISTS, Watchlists, parse_watchlists

Environment = Literal["sim", "live"]
ENVIRONMENTS: tuple[Environment, ...] = ("sim", "live")

SIM_API_BASE = "https://sim-api.tradestation.com"
LIVE_API_BASE = "https://api.tradestation.com"
SIGNIN_BASE = "https://signin.tradestation.com"
DEFAULT_REDIRECT_URI = "http://localhost:3000"
DEFAULT_SCOPES = "openid MarketData profile ReadAccount Trade offline_access Matrix OptionSpreads"


class ConfigError(Exception):
    """A config value is wrong; the message names the file and the key."""

    def __init__(self, path: Path | None, key: str, problem: str) -> None:
        where = f"{path}: " if path else ""
        super().__init__(f"{where}{key}: {problem}")
        self.path = path
        self.key = key
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Endpoints:
    api_base: str
    signin_base: str


def endpoints(env: Environment, base_url: str | None = None) -> Endpoints:
    """Where to talk to: one ``base_url`` overrides both API and sign-in (the simulator)."""
    if base_url:
        base = base_url.rstrip("/")
        return Endpoints(api_base=base, signin_base=base)
    api = LIVE_API_BASE if env == "live" else SIM_API_BASE
    return Endpoints(api_base=api, signin_base=SIGNIN_BASE)


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path.home() / fallback


def config_path() -> Path:
    """``$TSTUI_CONFIG`` or ``$XDG_CONFIG_HOME/tstui/config.toml``."""
    override = os.environ.get("TSTUI_CONFIG")
    if override:
        return Path(override)
    return _xdg("XDG_CONFIG_HOME", ".config") / "tstui" / "config.toml"


def state_dir() -> Path:
    """``$TSTUI_STATE_DIR`` or ``$XDG_STATE_HOME/tstui``: tokens, audit log, roll journal."""
    override = os.environ.get("TSTUI_STATE_DIR")
    if override:
        return Path(override)
    return _xdg("XDG_STATE_HOME", ".local/state") / "tstui"


# Local pre-trade checks per environment (see tstui.domain.orders.risk for which block and which
# warn). SIM is generous so the demo can trade futures; LIVE starts conservative. The top-level
# size keys are for stocks (shares, notional) and any class without its own table; futures are
# capped in contracts (and margin when set), options in contracts: a 2-lot ES is 600,000+ of
# notional. Orders that only reduce a position are never size-capped (tstui.domain.orders.risk).
DEFAULT_RISK_TABLES: dict[Environment, dict[str, Any]] = {
    "sim": {
        "max_quantity": 1000,
        "max_notional": 5_000_000,
        "price_band_pct": 5,
        "future": {"max_quantity": 100},
        "option": {"max_quantity": 500},
    },
    "live": {
        "max_quantity": 100,
        "max_notional": 500_000,
        "price_band_pct": 3,
        "future": {"max_quantity": 10, "warn_quantity": 5},
        "option": {"max_quantity": 50, "max_notional": 100_000},
    },
}
DEFAULT_RISK: dict[Environment, RiskLimits] = {
    env: RiskLimits.from_config(table, where=f"risk.{env}")
    for env, table in DEFAULT_RISK_TABLES.items()
}


@dataclass(frozen=True, slots=True)
class RollSettings:
    """Automated futures roll: off unless a root is listed; LIVE needs its own opt-in."""

    auto_roots: tuple[str, ...] = ()
    allow_live: bool = False
    check_interval_s: float = 60.0


@dataclass(frozen=True, slots=True)
class StreamSettings:
    heartbeat_timeout_s: float = 15.0
    reconcile_interval_s: float = 45.0
    balances_refresh_s: float = 15.0


@dataclass(frozen=True, slots=True)
class ChartSettings:
    """Indicator periods of the chart ([chart]); which indicators are on is kept in the
    state dir, not here."""

    sma_period: int = 20
    ema_period: int = 9


@dataclass(frozen=True, slots=True)
class BracketTemplate:
    """A bracket the ticket fills in one key ([brackets.NAME]): exits in ticks from the entry."""

    name: str
    target_ticks: int | None = None
    stop_ticks: int | None = None
    trail_ticks: int | None = None


DEFAULT_BRACKETS: tuple[BracketTemplate, ...] = (BracketTemplate("es-scalp", 8, 6),)

# One-key trading ([trading]): "always" = a person presses Place after the preview;
# "hotkeys-send" = a one-key action places right after a clean preview. LIVE stays "always"
# unless its own [trading.live] line says otherwise (the header then says so).
CONFIRM_POLICIES: tuple[str, ...] = ("always", "hotkeys-send")
DEFAULT_PRESETS: Mapping[str, tuple[int, ...]] = {
    "stock": (100, 200, 500),
    "future": (1, 2, 5),
    "option": (1, 5, 10),
}


@dataclass(frozen=True, slots=True)
class TradingSettings:
    """[trading]: confirm policy per environment ([trading.sim] / [trading.live] confirm),
    the ticks a one-key limit goes through the touch, quantity presets per asset class."""

    confirm: Mapping[str, str] = field(default_factory=lambda: {"sim": "always", "live": "always"})
    tick_offset: int = 1
    presets: Mapping[str, tuple[int, ...]] = field(default_factory=lambda: dict(DEFAULT_PRESETS))


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """[alerts]: price alerts as typed ("MSFT above 450", "AAPL move 2% from 219.5", see
    tstui.domain.market.alerts) and whether a fired alert or fill also rings the bell."""

    price: tuple[PriceAlert, ...] = ()
    bell: bool = False


@dataclass(frozen=True, slots=True)
class Settings:
    env: Environment = "sim"
    base_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    redirect_uri: str = DEFAULT_REDIRECT_URI
    scopes: str = DEFAULT_SCOPES
    use_pkce: bool = True
    account_id: str | None = None
    theme: str = "tstui-dark"
    keymap: Mapping[str, str] = field(default_factory=dict)
    risk: Mapping[Environment, RiskLimits] = field(default_factory=lambda: dict(DEFAULT_RISK))
    roll: RollSettings = field(default_factory=RollSettings)
    stream: StreamSettings = field(default_factory=StreamSettings)
    brackets: tuple[BracketTemplate, ...] = DEFAULT_BRACKETS
    chart: ChartSettings = field(default_factory=ChartSettings)
    watchlists: Watchlists = DEFAULT_WATCHLISTS
    trading: TradingSettings = field(default_factory=TradingSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    live_base_url: str | None = None
    config_file: Path | None = None
    state_dir: Path = field(default_factory=state_dir)

    @property
    def endpoints(self) -> Endpoints:
        return endpoints(self.env, self.base_url if self.env == "sim" else self.live_base_url)

    @property
    def risk_limits(self) -> RiskLimits:
        return self.risk.get(self.env, DEFAULT_RISK[self.env])

    @property
    def confirm_policy(self) -> str:
        """The current environment's confirm policy ("always" or "hotkeys-send")."""
        return self.trading.confirm.get(self.env, "always")

    def with_env(self, env: Environment) -> Settings:
        return replace(self, env=env)

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


class _Reader:
    """Typed access to one TOML table with errors that name the file and dotted key."""

    def __init__(
        self,
        path: Path | None,
        table: Mapping[str, Any],
        prefix: str = "",
        read: set[str] | None = None,
    ) -> None:
        self.path = path
        self.table = table
        self.prefix = prefix
        # Every dotted key looked up, shared by the sub-readers: what the reader knows is
        # what it reads (unknown_keys), so no second list of keys can drift from it.
        self.read: set[str] = set() if read is None else read

    def _key(self, name: str) -> str:
        key = f"{self.prefix}{name}"
        self.read.add(key)
        return key

    def get(self, name: str, default: Any = None) -> Any:
        """The raw value (for a value read another way than the typed accessors)."""
        self._key(name)
        return self.table.get(name, default)

    def fail(self, name: str, problem: str) -> ConfigError:
        return ConfigError(self.path, self._key(name), problem)

    def sub(self, name: str) -> _Reader:
        value = self.get(name, {})
        if not isinstance(value, Mapping):
            raise self.fail(name, "expected a table")
        return _Reader(self.path, value, f"{self._key(name)}.", self.read)

    def string(self, name: str, default: str | None) -> str | None:
        value = self.get(name, default)
        if value is not None and not isinstance(value, str):
            raise self.fail(name, f"expected a string, got {type(value).__name__}")
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self.get(name, default)
        if not isinstance(value, bool):
            raise self.fail(name, "expected true or false")
        return value

    def number(self, name: str, default: float, *, minimum: float = 0.0) -> float:
        value = self.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(name, "expected a number")
        if value < minimum:
            raise self.fail(name, f"must be at least {minimum}")
        return float(value)

    def choice(self, name: str, default: str, allowed: tuple[str, ...]) -> str:
        value = self.string(name, default)
        if value not in allowed:
            raise self.fail(name, f"expected one of {', '.join(allowed)}, got {value!r}")
        return value


def _read_risk(reader: _Reader, env: Environment) -> RiskLimits:
    table = reader.sub("risk").sub(env)
    merged: dict[str, Any] = dict(DEFAULT_RISK_TABLES[env])
    for key, value in table.table.items():
        if value is False:
            merged.pop(key, None)  # `max_notional = false` turns a check off
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            # An asset-class table ([risk.live.future]) merges over its defaults key by key.
            inner = {**merged[key], **value}
            merged[key] = {k: v for k, v in inner.items() if v is not False}
        else:
            merged[key] = value
    try:
        return RiskLimits.from_config(merged, where=f"risk.{env}")
    except ValueError as exc:
        key, _, problem = str(exc).partition(": ")
        raise ConfigError(reader.path, key, problem or "invalid value") from None


def _read_keymap(reader: _Reader) -> dict[str, str]:
    table = reader.sub("keymap")
    keymap: dict[str, str] = {}
    for binding_id in table.table:
        keys = table.string(binding_id, None)
        if not keys or not keys.strip():
            raise table.fail(binding_id, "expected keys such as 'ctrl+o' or 'f2,o'")
        keymap[binding_id] = keys
    return keymap


def _read_brackets(reader: _Reader) -> tuple[BracketTemplate, ...]:
    """[brackets.NAME] tables (target / stop / trail in whole ticks); none: the defaults."""
    brackets = reader.sub("brackets")
    if "brackets" not in reader.table:
        return DEFAULT_BRACKETS
    templates = []
    for name in brackets.table:
        table = brackets.sub(name)
        unknown = sorted(set(table.table) - {"target", "stop", "trail"})
        if unknown:
            raise table.fail(unknown[0], "unknown key (use target, stop, trail: ticks)")
        ticks: dict[str, int | None] = {}
        for key in ("target", "stop", "trail"):
            value = table.table.get(key)
            if value is not None and (type(value) is not int or not 0 < value <= 10_000):
                raise table.fail(key, "expected a whole number of ticks from 1 to 10000")
            ticks[key] = value
        if not any(ticks.values()):
            raise brackets.fail(name, "needs a target, a stop or a trail (ticks)")
        templates.append(BracketTemplate(name, ticks["target"], ticks["stop"], ticks["trail"]))
    return tuple(templates)


def _read_trading(reader: _Reader) -> TradingSettings:
    table = reader.sub("trading")
    confirm: dict[str, str] = {
        env: table.sub(env).choice("confirm", "always", CONFIRM_POLICIES) for env in ENVIRONMENTS
    }
    presets = dict(DEFAULT_PRESETS)
    given = table.sub("presets")
    for kind in given.table:
        sizes = given.get(kind)
        if kind not in DEFAULT_PRESETS:
            raise given.fail(kind, f"unknown asset class (use {', '.join(DEFAULT_PRESETS)})")
        if (
            not isinstance(sizes, list)
            or not sizes
            or not all(type(n) is int and 0 < n <= 1_000_000 for n in sizes)
        ):
            raise given.fail(kind, "expected a list of whole quantities such as [1, 2, 5]")
        presets[kind] = tuple(sizes)
    offset = table.number("tick_offset", 1, minimum=0)
    if offset != int(offset) or offset > 100:
        raise table.fail("tick_offset", "expected a whole number of ticks from 0 to 100")
    return TradingSettings(confirm=confirm, tick_offset=int(offset), presets=presets)


def _read_watchlists(reader: _Reader) -> Watchlists:
    """[watchlists]: see tstui.watchlists (its parser refuses unknown keys itself)."""
    if "watchlists" in reader.table:
        table = reader.sub("watchlists")
        table.get("active")
        lists = table.sub("lists")
        for name in lists.table:
            lists.get(name)
    try:
        return parse_watchlists(reader.table.get("watchlists"))
    except ValueError as exc:
        key, _, problem = str(exc).partition(": ")
        raise ConfigError(reader.path, key, problem or "invalid value") from None


def _read_alerts(reader: _Reader) -> AlertSettings:
    table = reader.sub("alerts")
    lines = table.get("price", [])
    if not isinstance(lines, list):
        raise table.fail("price", 'expected a list such as ["MSFT above 450"]')
    alerts: list[PriceAlert] = []
    for index, line in enumerate(lines):
        if not isinstance(line, str):
            raise table.fail(f"price[{index}]", "expected a string")
        try:
            alerts.append(parse_alert(line))
        except ValueError as exc:
            raise table.fail(f"price[{index}]", str(exc)) from None
    return AlertSettings(price=tuple(dict.fromkeys(alerts)), bell=table.boolean("bell", False))


def save_alerts(alerts: Iterable[PriceAlert], path: Path | None = None) -> Path:
    """Write ``[alerts] price`` (as typed), keeping every other key of the user's file."""
    return save_user_choice("alerts.price", [a.text() for a in alerts], path)


def parse_settings(data: Mapping[str, Any], path: Path | None = None) -> Settings:
    """Build Settings from a parsed TOML document; raise ConfigError naming the bad key."""
    return _parse(_Reader(path, data))


def unknown_keys(data: Mapping[str, Any]) -> list[str]:
    """Dotted keys of a valid parsed config that the reader ignores (typos, old names):
    the keys :func:`parse_settings` never looks up. A table read whole (``risk.live``,
    ``brackets.NAME``) is checked by its own reader, which refuses unknown keys."""
    root = _Reader(None, data)
    _parse(root)
    read = root.read

    def walk(table: Mapping[str, Any], prefix: str) -> list[str]:
        out: list[str] = []
        for key, value in table.items():
            dotted = f"{prefix}{key}"
            if dotted not in read:
                out.append(dotted)
            elif isinstance(value, Mapping) and any(k.startswith(f"{dotted}.") for k in read):
                out += walk(value, f"{dotted}.")
        return out

    return walk(data, "")


def _parse(root: _Reader) -> Settings:
    path = root.path
    api = root.sub("api")
    roll = root.sub("roll")
    stream = root.sub("stream")
    auto_roots = roll.get("auto_roots", [])
    if not isinstance(auto_roots, list) or not all(isinstance(r, str) for r in auto_roots):
        raise roll.fail("auto_roots", 'expected a list of roots such as ["ES"]')
    return Settings(
        env=root.choice("env", "sim", ENVIRONMENTS),  # type: ignore[arg-type]
        base_url=api.string("base_url", None),
        live_base_url=api.string("live_base_url", None),
        client_id=api.string("client_id", None),
        client_secret=api.string("client_secret", None),
        redirect_uri=api.string("redirect_uri", DEFAULT_REDIRECT_URI) or DEFAULT_REDIRECT_URI,
        scopes=api.string("scopes", DEFAULT_SCOPES) or DEFAULT_SCOPES,
        use_pkce=api.boolean("use_pkce", True),
        account_id=root.string("account", None),
        theme=root.string("theme", "tstui-dark") or "tstui-dark",
        keymap=_read_keymap(root),
        brackets=_read_brackets(root),
        risk={env: _read_risk(root, env) for env in ENVIRONMENTS},
        roll=RollSettings(
            auto_roots=tuple(r.upper().lstrip("@") for r in auto_roots),
            allow_live=roll.boolean("allow_live", False),
            check_interval_s=roll.number("check_interval_s", 60.0, minimum=1.0),
        ),
        stream=StreamSettings(
            heartbeat_timeout_s=stream.number("heartbeat_timeout_s", 15.0, minimum=0.1),
            reconcile_interval_s=stream.number("reconcile_interval_s", 45.0, minimum=1.0),
            balances_refresh_s=stream.number("balances_refresh_s", 15.0, minimum=2.0),
        ),
        chart=ChartSettings(
            sma_period=int(root.sub("chart").number("sma_period", 20, minimum=1)),
            ema_period=int(root.sub("chart").number("ema_period", 9, minimum=1)),
        ),
        watchlists=_read_watchlists(root),
        trading=_read_trading(root),
        alerts=_read_alerts(root),
        config_file=path,
    )


def _env_overrides(settings: Settings) -> Settings:
    """The seed notebook's variables win over the file for credentials and account."""
    return settings.with_overrides(
        client_id=os.environ.get("CLIENT_ID") or None,
        client_secret=os.environ.get("CLIENT_SECRET") or None,
        account_id=os.environ.get("ACCOUNT_ID") or None,
    )


def load_settings(path: Path | None = None) -> Settings:
    """Read the config file (missing file = defaults) and the seed's env vars."""
    path = path or config_path()
    data: dict[str, Any] = {}
    if path.exists():
        import tomllib  # here: without a config file, startup skips the parser

        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(path, "(file)", f"not valid TOML: {exc}") from None
        except OSError as exc:
            raise ConfigError(path, "(file)", f"cannot read: {exc.strerror}") from None
    settings = parse_settings(data, path)
    return replace(_env_overrides(settings), config_file=path, state_dir=state_dir())


def save_user_choice(key: str, value: Any, path: Path | None = None) -> Path:
    """Set one dotted key (e.g. ``theme``) in the user's file, keeping their other keys."""
    import tomllib

    import tomli_w  # the writer: only a saved choice needs it

    path = path or config_path()
    data: dict[str, Any] = {}
    if path.exists():
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    table = data
    *parents, leaf = key.split(".")
    for part in parents:
        table = table.setdefault(part, {})
    table[leaf] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    tmp.replace(path)
    return path
