"""TLS contexts: one verified context per process; plain-HTTP sessions load no CA and fail
closed if they ever meet TLS."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from tstui.client.session import Session
from tstui.client.tls import context_for, plain_http_context, verified_context
from tstui.config import Settings


def test_plain_http_servers_get_a_context_that_trusts_nothing() -> None:
    ctx = context_for(["http://127.0.0.1:8000", "http://127.0.0.1:8001/"])
    assert ctx is plain_http_context()
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert ctx.cert_store_stats()["x509_ca"] == 0


@pytest.mark.parametrize(
    "urls",
    [
        ["https://api.tradestation.com"],
        ["http://127.0.0.1:8000", "https://signin.tradestation.com"],
        ["HTTPS://sim-api.tradestation.com"],
    ],
)
def test_any_tls_server_gets_the_shared_verified_context(urls: list[str]) -> None:
    ctx = context_for(urls)
    assert ctx is verified_context()
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert ctx.cert_store_stats()["x509_ca"] > 0


def test_sessions_share_one_verified_context(tmp_path: Path) -> None:
    settings = Settings(client_id="key", client_secret="secret")
    first = Session(settings, state_dir=tmp_path, environ={})
    second = Session(settings, state_dir=tmp_path, environ={})
    for session in (first, second):
        pool = session.client._transport._pool  # type: ignore[attr-defined]
        assert pool._ssl_context is verified_context()
