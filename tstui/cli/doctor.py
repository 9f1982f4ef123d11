"""`tstui doctor`: check the set-up and say how to fix what is wrong.

Checks, each ``ok``, ``info``, ``warn`` or ``fail`` with a fix hint: the config file (path,
parse, unknown keys, mode when it holds the client secret), the API key, the token file of
each environment (present, mode 0600), reachability of the API and sign-in hosts (one host
with ``--base-url``, e.g. the simulator), the clock against the API host's ``Date`` header,
the terminal (TERM, colours, size, SSH, OSC 52 clipboard), and the audit log (torn lines,
sends without an outcome). Exit status 1 when a check fails. Never prints a secret: tokens
and the client secret are only ever reported as present or not. Nothing is sent but one GET
per host; nothing is changed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import stat
import sys
import time
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from tstui.audit import AuditLog
from tstui.cli.common import apply_command_line, wants_json
from tstui.config import (
    ENVIRONMENTS,
    ConfigError,
    Settings,
    config_path,
    load_settings,
    state_dir,
    unknown_keys,
)
from tstui.domain.untrusted import safe_text
from tstui.output import dumps

if TYPE_CHECKING:
    from tstui.config import Environment

Status = Literal["ok", "info", "warn", "fail"]

CLOCK_OK_S: Final = 5.0
CLOCK_FAIL_S: Final = 60.0  # OAuth token times and order times go wrong beyond this
MIN_COLUMNS, MIN_LINES = 100, 30

# Terminals known to take an OSC 52 clipboard write (Textual's copy uses it).
_OSC52_PROGRAMS = ("iterm.app", "wezterm", "vscode", "ghostty", "tabby", "rio", "warpterminal")
_OSC52_TERMS = ("xterm-kitty", "alacritty", "foot", "wezterm", "xterm-ghostty", "contour")


@dataclass(frozen=True, slots=True)
class Check:
    check: str
    status: Status
    detail: str
    fix: str = ""


# ----------------------------------------------------------------------------- local checks


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def check_config(args: argparse.Namespace) -> tuple[list[Check], Settings]:
    """The config file's checks, and the settings the other checks use (defaults when the
    file is broken, so they still run)."""
    given = getattr(args, "config", None)
    path = Path(given) if given else config_path()
    shown = safe_text(str(path), limit=None)
    checks: list[Check] = []
    try:
        settings = load_settings(path)
    except ConfigError as exc:
        checks.append(
            Check("config", "fail", f"{safe_text(str(exc))}", f"correct {exc.key} in {shown}")
        )
        settings = replace(Settings(config_file=path), state_dir=state_dir()).with_overrides(
            client_id=os.environ.get("CLIENT_ID") or None,
            client_secret=os.environ.get("CLIENT_SECRET") or None,
        )
    else:
        if not path.exists():
            checks.append(Check("config", "info", f"no file at {shown}: defaults are used"))
        else:
            checks.append(Check("config", "ok", f"{shown}: parsed"))
            checks += _config_content(path, shown)
    return checks, apply_command_line(settings, args)


def _config_content(path: Path, shown: str) -> list[Check]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return []  # load_settings read it a moment ago; a race is not worth a finding
    checks: list[Check] = []
    try:
        unknown = unknown_keys(data)
    except ConfigError:
        return []  # changed since load_settings read it: the same race as above
    if unknown:
        names = ", ".join(safe_text(k, limit=60) for k in unknown)
        checks.append(
            Check(
                "config.keys",
                "warn",
                f"unknown key(s), ignored: {names}",
                f"correct the spelling or remove them from {shown}",
            )
        )
    api = data.get("api")
    if isinstance(api, Mapping) and api.get("client_secret") and _mode(path) & 0o077:
        checks.append(
            Check(
                "config.mode",
                "warn",
                f"holds api.client_secret and is readable by others (mode {_mode(path):04o})",
                f"chmod 600 {shown}",
            )
        )
    return checks


def check_api_key(settings: Settings) -> Check:
    if settings.client_id:
        secret = "with a client secret" if settings.client_secret else "no client secret (PKCE)"
        return Check("api_key", "ok", f"API key set, {secret}")
    return Check(
        "api_key",
        "fail",
        "no API key",
        "set api.client_id (and api.client_secret) in the config, or CLIENT_ID / CLIENT_SECRET",
    )


def check_tokens(settings: Settings) -> list[Check]:
    from tstui.client.tokens import TokenStore, token_path

    checks: list[Check] = []
    for env in ENVIRONMENTS:
        env_settings = settings.with_env(env)
        path = token_path(settings.state_dir, env, env_settings.endpoints.api_base)
        shown = safe_text(str(path), limit=None)
        name = f"tokens.{env}"
        current = env == settings.env
        login = "tstui login" if current else f"tstui --env {env} login"
        if not path.exists():
            if current and os.environ.get("REFRESH_TOKEN"):
                text = f"no token file for {env}; REFRESH_TOKEN is set and is used instead"
                checks.append(Check(name, "ok", text))
            else:
                status: Status = "warn" if current else "info"
                checks.append(Check(name, status, f"not signed in to {env} (no {shown})", login))
            continue
        mode = _mode(path)
        if mode & 0o077:
            checks.append(
                Check(
                    name,
                    "fail",
                    f"{shown} is readable by others (mode {mode:04o}): it holds a refresh token",
                    f"chmod 600 {shown}",
                )
            )
        elif TokenStore(path).load() is None:
            checks.append(Check(name, "warn", f"{shown} is damaged or unreadable", login))
        else:
            checks.append(Check(name, "ok", f"{shown} (mode 0600)"))
    return checks


def check_terminal(environ: Mapping[str, str] | None = None) -> list[Check]:
    env = os.environ if environ is None else environ
    term = env.get("TERM", "")
    checks: list[Check] = []
    if not term or term == "dumb":
        checks.append(
            Check(
                "terminal",
                "warn",
                f"TERM is {term or 'not set'}: the TUI needs a full terminal",
                "run it in a terminal emulator with TERM such as xterm-256color",
            )
        )
    else:
        checks.append(Check("terminal", "ok", f"TERM={safe_text(term, limit=60)}"))
    colorterm = env.get("COLORTERM", "").lower()
    status: Status
    if env.get("NO_COLOR"):
        colours, status, fix = "NO_COLOR is set: no colours", "info", ""
    elif colorterm in ("truecolor", "24bit"):
        colours, status, fix = "truecolor", "ok", ""
    elif "256" in term:
        colours, status, fix = "256 colours", "ok", ""
    else:
        colours, status, fix = "16 colours at most", "warn", "set COLORTERM=truecolor if it is"
    checks.append(Check("terminal.colours", status, colours, fix))
    size = shutil.get_terminal_size(fallback=(0, 0))
    if size.columns == 0:
        checks.append(Check("terminal.size", "info", "not a terminal (size unknown)"))
    elif size.columns < MIN_COLUMNS or size.lines < MIN_LINES:
        checks.append(
            Check(
                "terminal.size",
                "warn",
                f"{size.columns}x{size.lines}: panels will be cramped",
                f"make the window at least {MIN_COLUMNS}x{MIN_LINES}",
            )
        )
    else:
        checks.append(Check("terminal.size", "ok", f"{size.columns}x{size.lines}"))
    ssh = bool(env.get("SSH_CONNECTION") or env.get("SSH_TTY") or env.get("SSH_CLIENT"))
    checks.append(
        Check(
            "terminal.ssh",
            "info",
            "SSH session: sign in with `tstui login --no-browser` and paste the redirect URL"
            if ssh
            else "local session",
        )
    )
    checks.append(_osc52(env, term))
    return checks


def _osc52(env: Mapping[str, str], term: str) -> Check:
    program = env.get("TERM_PROGRAM", "").lower()
    likely = program in _OSC52_PROGRAMS or term.startswith(_OSC52_TERMS)
    if env.get("TMUX"):
        return Check(
            "terminal.clipboard",
            "info",
            "inside tmux: copying (OSC 52) works only if tmux passes it on",
            "tmux: set -g set-clipboard on",
        )
    if likely:
        return Check("terminal.clipboard", "ok", "this terminal takes OSC 52 clipboard writes")
    return Check(
        "terminal.clipboard",
        "info",
        "OSC 52 clipboard support unknown for this terminal (copy may do nothing)",
        "enable OSC 52 / clipboard access in the terminal's settings if it has one",
    )


def check_audit(settings: Settings) -> list[Check]:
    from tstui.cli.recovery import HOW_TO_RESOLVE
    from tstui.client.intents import AUDIT_KINDS, unresolved_intents

    log = AuditLog.in_dir(settings.state_dir)
    shown = safe_text(str(log.path), limit=None)
    if not log.path.exists():
        return [Check("audit", "info", f"no audit log yet ({shown})")]
    health = log.health()
    checks: list[Check] = []
    if health.problems:
        text = "; ".join(safe_text(p) for p in health.problems)
        return [Check("audit", "fail", text, f"check the permissions of {shown}")]
    damage = []
    if health.recovered:
        damage.append(f"{health.recovered} torn line(s) recovered earlier")
    if health.unreadable:
        damage.append(f"{health.unreadable} unreadable line(s) skipped")
    if health.torn_tail:
        checks.append(
            Check(
                "audit",
                "warn",
                f"{shown}: the last line is torn (a write was cut short)",
                "`tstui audit` (or the next write) closes it and keeps its bytes",
            )
        )
    else:
        extra = f" ({'; '.join(damage)})" if damage else ""
        checks.append(Check("audit", "ok", f"{shown}: {health.records} records{extra}"))
    mode = _mode(log.path)
    if mode & 0o077:
        checks.append(
            Check(
                "audit.mode", "warn", f"readable by others (mode {mode:04o})", f"chmod 600 {shown}"
            )
        )
    records = list(log.entries(kinds=AUDIT_KINDS))
    for env in ENVIRONMENTS:
        for intent in unresolved_intents(records, env):
            checks.append(
                Check(
                    f"audit.unresolved.{env}",
                    "warn",
                    f"no outcome recorded: {intent.describe()} (a repeat is refused until "
                    "it is resolved)",
                    HOW_TO_RESOLVE + (f" (with --env {env})" if env != settings.env else ""),
                )
            )
    return checks


# ----------------------------------------------------------------------------- network


@dataclass(frozen=True, slots=True)
class _Probe:
    url: str
    status: int | None
    seconds: float
    date: datetime | None
    received_at: datetime
    error: str | None


async def _probe(url: str, timeout: float) -> _Probe:
    import httpx

    from tstui.client.tls import context_for

    started = time.monotonic()
    try:
        async with httpx.AsyncClient(
            timeout=timeout, verify=context_for((url,)), follow_redirects=False
        ) as client:
            response = await client.get(url.rstrip("/") + "/")
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return _Probe(url, None, time.monotonic() - started, None, datetime.now(UTC), error)
    received = datetime.now(UTC)
    try:
        date = parsedate_to_datetime(response.headers.get("date", ""))
    except (TypeError, ValueError, IndexError):
        date = None
    return _Probe(url, response.status_code, time.monotonic() - started, date, received, None)


async def check_network(settings: Settings, timeout: float) -> list[Check]:
    ends = settings.endpoints
    hosts = {"api": ends.api_base}
    if ends.signin_base.rstrip("/") != ends.api_base.rstrip("/"):
        hosts["signin"] = ends.signin_base
    probes = await asyncio.gather(*(_probe(url, timeout) for url in hosts.values()))
    checks: list[Check] = []
    for (name, url), probe in zip(hosts.items(), probes, strict=True):
        shown = safe_text(url, limit=200)
        if probe.error is not None:
            checks.append(
                Check(
                    f"host.{name}",
                    "fail",
                    f"{shown}: cannot reach it ({safe_text(probe.error, limit=200)})",
                    "check the network, proxy and firewall"
                    + (", and --base-url / api.base_url" if settings.base_url else ""),
                )
            )
        else:
            text = f"{shown}: reachable (HTTP {probe.status} in {probe.seconds:.2f} s)"
            checks.append(Check(f"host.{name}", "ok", text))
    checks.append(_clock(probes[0]))
    return checks


def _clock(probe: _Probe) -> Check:
    if probe.error is not None:
        return Check("clock", "warn", "not checked: the API host did not answer", "")
    if probe.date is None:
        return Check("clock", "warn", "not checked: the API host sent no Date header", "")
    # the Date header has whole seconds: half the round trip and 1 s of rounding are noise
    skew = (probe.date - probe.received_at).total_seconds()
    size = abs(skew)
    side = "behind" if skew > 0 else "ahead of"
    text = f"this computer is {size:.0f} s {side} the server" if size >= 1 else "in step"
    fix = "turn on time sync (e.g. `timedatectl set-ntp true`)"
    if size <= CLOCK_OK_S:
        return Check("clock", "ok", text)
    if size <= CLOCK_FAIL_S:
        return Check("clock", "warn", text, fix)
    return Check("clock", "fail", text + ": sign-in and order times will be wrong", fix)


# ----------------------------------------------------------------------------- command


def run_doctor(args: argparse.Namespace) -> int:
    checks, settings = check_config(args)
    checks.append(check_api_key(settings))
    checks += check_tokens(settings)
    timeout = float(getattr(args, "timeout", 5.0) or 5.0)
    checks += asyncio.run(check_network(settings, timeout))
    checks += check_terminal()
    checks += check_audit(settings)
    _print(checks, args, settings.env)
    return 1 if any(c.status == "fail" for c in checks) else 0


def _print(checks: list[Check], args: argparse.Namespace, env: Environment) -> None:
    if wants_json(args):
        for check in checks:
            print(dumps(asdict(check)))
        return
    print(f"tstui doctor ({env.upper()})")
    width = max(len(c.check) for c in checks)
    for c in checks:
        label = c.status.upper() if c.status in ("warn", "fail") else c.status
        print(f"  {label:<5} {c.check:<{width}}  {c.detail}")
        if c.fix and c.status in ("warn", "fail"):
            print(f"  {'':<5} {'':<{width}}  fix: {c.fix}")
    failed = sum(c.status == "fail" for c in checks)
    warned = sum(c.status == "warn" for c in checks)
    print(f"{failed} failed, {warned} warning(s)", file=sys.stderr if failed else sys.stdout)
