"""The TradeStation client: auth, the one request path, supervised streams, the typed API.

Errors are imported eagerly; the heavier pieces load on first access (``tstui.client.Session``)
so ``tstui.client.errors`` stays cheap and free of import cycles with ``api.py``.
"""

from __future__ import annotations

from typing import Any

from tstui.client.httpx_cli import defer_httpx_cli

defer_httpx_cli()  # before any client module imports httpx

from tstui.client.errors import (  # noqa: E402
    ApiError,
    AuthError,
    BadRequest,
    CallbackTimeout,
    Forbidden,
    LoginRequired,
    NotFound,
    OAuthError,
    OrderOutcomeUnknown,
    RateLimited,
    ServerError,
    StreamFailure,
    TradeStationError,
    TransportError,
    Unauthorized,
)

_LAZY = {
    "Session": "tstui.client.session",
    "HttpSession": "tstui.client.http",
    "CallRecord": "tstui.client.http",
    "RateLimitInfo": "tstui.client.http",
    "SupervisedStream": "tstui.client.streams",
    "StreamState": "tstui.client.streams",
    "Authenticator": "tstui.client.auth",
    "OAuthSettings": "tstui.client.auth",
    "TradeStationAPI": "tstui.client.api",
}

__all__ = [
    "ApiError",
    "AuthError",
    "BadRequest",
    "CallbackTimeout",
    "Forbidden",
    "LoginRequired",
    "NotFound",
    "OAuthError",
    "OrderOutcomeUnknown",
    "RateLimited",
    "ServerError",
    "StreamFailure",
    "TradeStationError",
    "TransportError",
    "Unauthorized",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'tstui.client' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module_name), name)
