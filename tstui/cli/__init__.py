"""`tstui` entry point: the TUI by default, a scriptable CLI for everything else.

Heavy modules (textual, httpx, the simulator) are imported inside the command that needs
them, so `tstui get ...` starts fast. Errors become one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tstui.cli.common import apply_command_line
from tstui.cli.logs import install_safe_log_handler
from tstui.cli.parser import UsageError, build_parser, parse_command_args, parse_tui_args
from tstui.config import ConfigError, load_settings

if TYPE_CHECKING:
    from tstui.config import Settings

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a writer cut off by its reader


def resolve_settings(args: argparse.Namespace) -> Settings:
    """Config file, then the seed's env vars, then command-line options."""
    config = getattr(args, "config", None)
    return apply_command_line(load_settings(Path(config) if config else None), args)


def main(argv: Sequence[str] | None = None) -> int:
    install_safe_log_handler()
    words = sys.argv[1:] if argv is None else list(argv)
    try:
        args = (
            parse_tui_args(words) or parse_command_args(words) or build_parser().parse_args(words)
        )
    except UsageError as exc:
        return _usage_error(exc, words)
    try:
        return _dispatch(args)
    except ConfigError as exc:
        message = f"config error: {exc}"
        return _fail(args, {"Error": "ConfigError", "Message": message}, message, EXIT_USAGE)
    except KeyboardInterrupt:
        interrupted = {"Error": "Interrupted", "Message": "interrupted"}
        return _fail(args, interrupted, "interrupted", EXIT_INTERRUPTED)
    except BrokenPipeError:
        return _stdout_closed()
    except Exception as exc:  # the last line of defence: one line, never a traceback
        from tstui.cli.common import error_object
        from tstui.cli.errors import describe_error

        return _fail(args, error_object(exc), describe_error(exc), EXIT_ERROR)


def _stdout_closed() -> int:
    """Whoever read our output went away (`tstui stream ... | head -1`): stop quietly, as a
    writer to a closed pipe does. stdout now points to devnull so that the interpreter's last
    flush cannot fail loudly either."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (tests capture stdout)
        pass
    return EXIT_BROKEN_PIPE


def _usage_error(exc: UsageError, argv: Sequence[str]) -> int:
    """argparse's own report on stderr; with `--json` also the error object on stdout."""
    if "--json" in argv:
        from tstui.cli.common import print_json

        print_json({"Error": "UsageError", "Message": exc.message})
    exc.parser.print_usage(sys.stderr)
    print(f"{exc.parser.prog}: error: {exc.message}", file=sys.stderr)
    return EXIT_USAGE


def _fail(args: argparse.Namespace, error: dict[str, str], line: str, status: int) -> int:
    """The one-line message on stderr; with `--json` also the error object on stdout."""
    from tstui.cli.common import print_json, wants_json
    from tstui.domain.untrusted import safe_text

    try:
        if wants_json(args) and args.command not in (None, "sim"):
            print_json(error)
    except BrokenPipeError:
        _stdout_closed()
    print(f"tstui: {safe_text(line)}", file=sys.stderr)
    return status


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command
    if command == "sim":
        from tstui.sim.cli import run_sim

        return run_sim(args)
    if command == "doctor":  # before the settings: a broken config is one of its findings
        from tstui.cli.doctor import run_doctor

        return run_doctor(args)
    settings = resolve_settings(args)
    if command is None:
        from tstui.cli.tui import run_tui

        return run_tui(settings, demo=bool(args.demo))
    import asyncio  # imported here: the TUI starts its demo child before heavy imports

    if command in ("get", "stream", "order", "roll"):
        from tstui.cli.recovery import resolve_at_start

        resolve_at_start(settings)  # sends an earlier run left open: looked up, never resent

    if command == "audit":
        from dataclasses import replace

        from tstui.cli.audit_cmd import run_audit
        from tstui.cli.tui import DEMO_STATE

        if args.demo:  # `tstui --demo audit`: what the demo did, kept apart from real trading
            settings = replace(settings, state_dir=settings.state_dir / DEMO_STATE)
        return run_audit(settings, args)
    if command in ("login", "logout"):
        from tstui.cli import auth_cmds

        runner = auth_cmds.login if command == "login" else auth_cmds.logout
        return asyncio.run(runner(settings, args))
    if command == "get":
        from tstui.cli import data_cmds

        return asyncio.run(data_cmds.run_get(settings, args))
    if command == "stream":
        from tstui.cli import stream_cmd

        return asyncio.run(stream_cmd.run_stream(settings, args))
    if command == "order":
        from tstui.cli import order_cmds

        return asyncio.run(order_cmds.run_order(settings, args))
    if command == "roll":
        from tstui.cli import roll_cmd

        return asyncio.run(roll_cmd.run_roll(settings, args))
    if command == "pnl":
        from tstui.cli import pnl_cmd

        return asyncio.run(pnl_cmd.run_pnl(settings, args))
    raise AssertionError(f"unhandled command {command!r}")
