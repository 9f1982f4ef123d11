"""An access token straight from the test simulator's token endpoint, for tests that talk to
it directly (to compare with what the client or the CLI shows). Imported by its name."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from tstui.sim.server import SimServer


def access_token(sim: SimServer) -> str:
    creds = sim.credentials
    response = httpx.post(
        f"{sim.url}/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "refresh_token": creds.refresh_token,
        },
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])
