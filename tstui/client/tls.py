"""TLS contexts for the session's httpx client.

Loading the CA bundle costs tens of milliseconds a time, and httpx does it for every new
client. One verified context serves the whole process; a session whose every server is plain
``http://`` (the simulator on loopback) gets a context with no CA loaded at all. That context
still requires a verified certificate, so an ``https://`` URL reached through it fails closed.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from functools import cache
from urllib.parse import urlsplit

import httpx


@cache
def verified_context() -> ssl.SSLContext:
    """httpx's default verification (certifi, or SSL_CERT_FILE / SSL_CERT_DIR), loaded once."""
    return httpx.create_ssl_context()


@cache
def plain_http_context() -> ssl.SSLContext:
    """Verification on, no trusted CA: nothing over TLS can pass through it."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def context_for(urls: Iterable[str]) -> ssl.SSLContext:
    """The cheapest safe context for a client that only talks to ``urls``."""
    if all(urlsplit(url).scheme == "http" for url in urls):
        return plain_http_context()
    return verified_context()
