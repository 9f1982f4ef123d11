"""Bad input on the CLI: random argv -> an int exit code and never a traceback.

Only commands that end on their own are fuzzed (the TUI, `sim`, `login` and `stream` run
until stopped); the server is an unused loopback port, so nothing reaches a network.
"""

from __future__ import annotations

import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tstui.cli
import tstui.client.http
from tstui.sim import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN

COMMANDS = ["get", "order", "audit", "logout", "roll"]
WORDS = [
    "accounts", "balances", "positions", "orders", "quotes", "bars", "symbols", "routes",
    "history", "place", "confirm", "cancel", "replace", "MSFT", "ESZ26", "@ES", "BUY",
    "Limit", "10", "-1", "0", "1e9", "--json", "--yes", "--env", "live", "sim", "--account",
    "--since", "2026-13-45", "--limit", "--qty", "--kind", "--root", "ES", "--dry-run",
    "--fill-timeout", "nan", "--config", "/nonexistent/x.toml", "--help", "", "--",
]  # fmt: skip


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def base_url() -> str:
    return f"http://127.0.0.1:{_unused_port()}"


argvs = st.tuples(
    st.sampled_from(COMMANDS),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=10)), max_size=7),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(argv=argvs)
def test_cli_never_tracebacks(
    argv: tuple[str, list[str]],
    base_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("REFRESH_TOKEN", REFRESH_TOKEN)
    monkeypatch.setattr(tstui.client.http.HttpSession, "_backoff", lambda self, n: 0.0)
    monkeypatch.setattr("builtins.input", _no_input)
    command, rest = argv
    try:
        code = tstui.cli.main([command, *rest, "--base-url", base_url])
    except SystemExit as exc:  # argparse: usage errors (2), --help (0)
        code = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    assert isinstance(code, int)
    assert "Traceback" not in err and "Traceback" not in out
    assert CLIENT_SECRET not in err + out


def _no_input(prompt: str = "") -> str:
    raise EOFError
