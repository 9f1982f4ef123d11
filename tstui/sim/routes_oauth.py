"""Sign-in routes: /authorize (consent page or direct redirect), /oauth/token, /oauth/revoke.

``GET /authorize`` answers a browser (``Accept`` containing ``text/html``) with a small
consent page whose Allow link carries ``approve=1``; every other caller (or ``approve=1``)
gets the 302 to ``redirect_uri?code=..&state=..`` at once, so a program can log in with plain
HTTP.
"""

from __future__ import annotations

import html
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tstui.sim.context import SimContext
from tstui.sim.oauth import ALLOWED_REDIRECTS, OAuthFailure, normalize_redirect


def _oauth_error(failure: OAuthFailure) -> JSONResponse:
    return JSONResponse(
        {"error": failure.error, "error_description": failure.description}, failure.status
    )


async def _form(request: Request) -> dict[str, str]:
    """application/x-www-form-urlencoded fields (no multipart dependency needed)."""
    raw = await request.body()
    try:
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return {}


def routes(ctx: SimContext) -> list[Route]:
    oauth = ctx.oauth

    async def authorize(request: Request) -> Response:
        q = request.query_params
        redirect = normalize_redirect(q.get("redirect_uri", ""))
        if q.get("client_id") != oauth_client_id():
            return _oauth_error(OAuthFailure(400, "invalid_client", "Unknown client_id."))
        if redirect not in ALLOWED_REDIRECTS:
            return _oauth_error(OAuthFailure(400, "invalid_request", "redirect_uri not allowed."))
        state = q.get("state")
        scope = q.get("scope", "")

        def back(params: dict[str, str]) -> RedirectResponse:
            if state is not None:
                params["state"] = state
            return RedirectResponse(f"{redirect}?{urlencode(params)}", status_code=302)

        if q.get("response_type", "code") != "code":
            return back(
                {
                    "error": "unsupported_response_type",
                    "error_description": "response_type must be code",
                }
            )
        if "openid" not in scope.split():
            return back({"error": "invalid_scope", "error_description": "openid is required"})
        challenge = q.get("code_challenge")
        if challenge is not None and q.get("code_challenge_method", "S256") != "S256":
            return back(
                {
                    "error": "invalid_request",
                    "error_description": "code_challenge_method must be S256",
                }
            )
        browser = "text/html" in request.headers.get("accept", "")
        if browser and q.get("approve") != "1":
            allow = f"{request.url.path}?{urlencode({**dict(q), 'approve': '1'})}"
            page = (
                "<!doctype html><title>tstui simulator sign-in</title>"
                "<h1>tstui simulator</h1><p>Allow this application to use the simulated "
                f"TradeStation account (scopes: {html.escape(scope)})?</p>"
                f'<p><a href="{html.escape(allow)}">Allow</a></p>'
            )
            return HTMLResponse(page)
        return back({"code": oauth.issue_code(redirect, scope, challenge)})

    async def token(request: Request) -> Response:
        if ctx.faults.take_http("oauth") is not None:
            return JSONResponse(
                {"error": "temporarily_unavailable", "error_description": "Injected fault."}, 503
            )
        fields = await _form(request)
        try:
            oauth.check_client(fields.get("client_id"), fields.get("client_secret"))
            grant = fields.get("grant_type")
            if grant == "authorization_code":
                if not fields.get("code"):
                    raise OAuthFailure(400, "invalid_request", "code is required.")
                body = oauth.exchange_code(
                    fields["code"], fields.get("redirect_uri"), fields.get("code_verifier")
                )
            elif grant == "refresh_token":
                body = oauth.refresh(fields.get("refresh_token"))
            else:
                raise OAuthFailure(400, "unsupported_grant_type", "Unsupported grant_type.")
        except OAuthFailure as failure:
            return _oauth_error(failure)
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    async def revoke(request: Request) -> Response:
        form = await _form(request)
        try:
            oauth.check_client(form.get("client_id", ""), form.get("client_secret", ""))
        except OAuthFailure as failure:
            return _oauth_error(failure)
        if not form.get("token"):
            return _oauth_error(OAuthFailure(400, "invalid_request", "token is required."))
        oauth.revoke_all()
        return JSONResponse({})

    return [
        Route("/authorize", authorize),
        Route("/oauth/token", token, methods=["POST"]),
        Route("/oauth/revoke", revoke, methods=["POST"]),
    ]


def oauth_client_id() -> str:
    from tstui.sim.oauth import CLIENT_ID

    return CLIENT_ID
