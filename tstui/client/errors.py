"""The client's one error tree, rooted at :class:`TradeStationError`.

Every message is built from status codes, error titles and server text that never carries our
secrets (tokens, codes, the client secret); OAuth server text is redacted before it gets here.
"""

from __future__ import annotations

import time


class TradeStationError(Exception):
    """Root of every error the client raises."""


class ApiError(TradeStationError):
    """The API answered with an error status and (usually) ``{"Error", "Message"}``."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(f"{status} {title}: {message}" if message else f"{status} {title}")
        self.status = status
        self.title = title
        self.message = message


class BadRequest(ApiError):
    """400: the request is wrong; retrying it unchanged cannot help."""


class Unauthorized(ApiError):
    """401 after a token refresh and one retry."""


class Forbidden(ApiError):
    """403: the key or account may not do this."""


class NotFound(ApiError):
    """404."""


class RateLimited(ApiError):
    """429 that outlasted the retries (or a Retry-After longer than we are willing to wait)."""

    def __init__(self, status: int, title: str, message: str, retry_after: float | None) -> None:
        super().__init__(status, title, message)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx that outlasted the retries (GET) or any 5xx on a non-order call."""


class TransportError(TradeStationError):
    """The server could not be reached or the connection failed (after any retries)."""


class OrderOutcomeUnknown(TradeStationError):
    """An order POST/PUT/DELETE failed in a way that leaves its fate unknown.

    The server may or may not have applied it (timeout after sending, connection reset, 5xx).
    It is never resent automatically: reconcile with the orders endpoint or stream, using
    ``order_confirm_id`` (placements) or ``order_id`` (replace/cancel).
    """

    def __init__(
        self,
        method: str,
        path: str,
        reason: str,
        *,
        order_confirm_id: str | None = None,
        order_id: str | None = None,
        status: int | None = None,
    ) -> None:
        ref = f" (OrderConfirmID {order_confirm_id})" if order_confirm_id else ""
        if order_id:
            ref += f" (order {order_id})"
        super().__init__(
            f"{method} {path}: outcome unknown after {reason}{ref}; not resent, reconcile first"
        )
        self.method = method
        self.path = path
        self.reason = reason
        self.order_confirm_id = order_confirm_id
        self.order_id = order_id
        self.status = status


class AuthError(TradeStationError):
    """Authentication failed."""


class LoginRequired(AuthError):
    """No usable refresh token (none stored, revoked, expired): the user must log in again."""


class OAuthError(AuthError):
    """The sign-in server (or the redirect) reported an OAuth error."""

    def __init__(self, error: str, description: str = "") -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error = error
        self.description = description


class CallbackTimeout(AuthError):
    """No browser redirect reached the callback listener in time."""


class StreamFailure(TradeStationError):
    """A supervised stream gave up (unrecoverable status, login required, attempts exhausted)."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
}


def api_error(status: int, body: object, retry_after: float | None = None) -> ApiError:
    """The error for an HTTP error answer; ``body`` is the decoded JSON (or anything else)."""
    from tstui.domain.enums import ERROR_TITLES  # here: its enums cost the first paint ~1.5 ms

    title = ERROR_TITLES.get(status, f"HTTP{status}")
    message = ""
    if isinstance(body, dict):
        title = str(body.get("Error") or title)[:100]
        message = str(body.get("Message") or "")[:500]
    if status == 429:
        return RateLimited(status, title, message, retry_after)
    if status >= 500:
        return ServerError(status, title, message)
    return _BY_STATUS.get(status, ApiError)(status, title, message)


def retry_after_seconds(value: str | None, now_epoch: float | None = None) -> float | None:
    """Parse a ``Retry-After`` header (delta seconds or an HTTP date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime  # here: ~3 ms on the way to the first paint

    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now_epoch is None else now_epoch))
