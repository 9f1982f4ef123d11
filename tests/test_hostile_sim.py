"""The simulator's hostile-text mode (POST /_sim/hostile) and the hostile strings the
untrusted-text tests share (the CLI and UI tests import ``HOSTILE`` and ``dangerous`` from
here: test folders are not packages)."""

from __future__ import annotations

import json
import unicodedata
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

# The forms of issue 16, each with a marker so a test can see the text did arrive.
HOSTILE = {
    "title": "T1\x1b]0;pwned\x07",  # OSC: retitles the terminal
    "clear": "T2\x1b[2J",  # CSI: clears the screen
    "newline": "T3\nFAKE ROW 999",  # a forged table row
    "bidi": "T4\u202eLPAA",  # right-to-left override
    "markup": "T5 x[/]y [b]z [@click=app.quit]q[/]",  # Rich/Textual markup
    "c1": "T6\x9b31m\x85",  # C1 controls (CSI, NEL)
    "surrogate": "T7\ud800",  # a lone surrogate: crashes an encoder
}
ALL_HOSTILE = " ".join(HOSTILE.values())

_BIDI_CLASSES = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})


def dangerous(text: str) -> list[str]:
    """The characters in ``text`` that must never reach a terminal from server text:
    controls (C0 but the line breaks between lines, C1, DEL), surrogates, line/paragraph
    separators and bidi formatting characters."""
    found = []
    for char in text:
        if char in "\n":
            continue
        if (
            unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")
            or unicodedata.bidirectional(char) in _BIDI_CLASSES
            or char in "\u200e\u200f\u061c"
        ):
            found.append(f"U+{ord(char):04X}")
    return found


def set_hostile(url: str, text: str, **extra: Any) -> dict[str, Any]:
    # ensure_ascii: the lone surrogate travels as its \ud800 escape
    body = json.dumps({"text": text, **extra}).encode()
    response = httpx.post(url + "/_sim/hostile", content=body, timeout=10)
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def _bearer(sim: SimServer) -> dict[str, str]:
    creds = sim.credentials
    token = httpx.post(
        sim.url + "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "refresh_token": creds.refresh_token,
        },
        timeout=10,
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_rest_text_fields_carry_the_hostile_text(sim: SimServer) -> None:
    headers = _bearer(sim)
    plain = httpx.get(sim.url + "/v3/brokerage/accounts", headers=headers).json()
    assert set_hostile(sim.url, ALL_HOSTILE)["ok"] is True
    response = httpx.get(sim.url + "/v3/brokerage/accounts", headers=headers)
    assert int(response.headers["content-length"]) == len(response.content)
    hostile = response.json()
    for before, after in zip(plain["Accounts"], hostile["Accounts"], strict=True):
        assert after["Alias"] == before["Alias"] + ALL_HOSTILE  # the surrogate arrives intact
        assert after["AccountID"] == before["AccountID"]  # ids only with keys="*"
    symbols = httpx.get(sim.url + "/v3/marketdata/symbols/MSFT", headers=headers).json()
    assert symbols["Symbols"][0]["Description"].endswith(ALL_HOSTILE)
    # an error body too (the 400 of an injected fault)
    httpx.post(sim.url + "/_sim/faults/http", json={"group": "balances", "status": 400})
    error = httpx.get(sim.url + "/v3/brokerage/accounts/SIM1000001M/balances", headers=headers)
    assert error.status_code == 400
    assert error.json()["Message"].endswith(ALL_HOSTILE)
    assert error.json()["Error"] == "BadRequest"  # protocol words stay as they are


def test_star_mode_spares_numbers_times_and_stream_control(sim: SimServer) -> None:
    headers = _bearer(sim)
    set_hostile(sim.url, "<H>", keys="*")
    accounts = httpx.get(sim.url + "/v3/brokerage/accounts", headers=headers).json()["Accounts"]
    assert all(a["AccountID"].endswith("<H>") and a["Status"].endswith("<H>") for a in accounts)
    balances = httpx.get(
        sim.url + "/v3/brokerage/accounts/SIM1000001M/balances", headers=headers
    ).json()["Balances"][0]
    assert not balances["CashBalance"].endswith("<H>")  # a number stays a number
    set_hostile(sim.url, "")  # off again
    again = httpx.get(sim.url + "/v3/brokerage/accounts", headers=headers).json()["Accounts"]
    assert not any(a["AccountID"].endswith("<H>") for a in again)


def test_stream_lines_rewritten_and_error_frames_injected(sim: SimServer) -> None:
    headers = _bearer(sim)
    set_hostile(sim.url, "<H>", stream_errors=1)
    url = sim.url + "/v3/brokerage/stream/accounts/SIM1000001M/orders"
    frames: list[dict[str, Any]] = []
    with (
        httpx.Client(timeout=10) as client,
        client.stream("GET", url, headers=headers) as response,
    ):
        for line in response.iter_lines():
            if line.strip():
                frames.append(json.loads(line))
            if any(f.get("StreamStatus") == "EndSnapshot" for f in frames):
                break
    errors = [f for f in frames if f.get("Error") == "Failed"]
    assert len(errors) == 1 and errors[0]["Message"] == "feed <H>"
    orders = [f for f in frames if "OrderID" in f]
    assert orders and all(o["StatusDescription"].endswith("<H>") for o in orders)
    assert all(leg["Symbol"].endswith("<H>") for o in orders for leg in o["Legs"])


def test_a_streams_error_answer_is_rewritten_whole(sim: SimServer) -> None:
    headers = _bearer(sim)
    set_hostile(sim.url, "<H>")
    httpx.post(sim.url + "/_sim/faults/http", json={"group": "streams", "status": 400})
    url = sim.url + "/v3/brokerage/stream/accounts/SIM1000001M/orders"
    response = httpx.get(url, headers=headers, timeout=10)
    assert response.status_code == 400
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.json()["Message"].endswith("<H>")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": 5}, "text"),
        ({"text": "x", "keys": "Alias"}, "keys"),
        ({"text": "x", "spare": "AccountID"}, "spare"),
        ({"text": "x", "stream_errors": -1}, "stream_errors"),
    ],
)
def test_bad_requests_are_refused(sim: SimServer, body: dict[str, Any], field: str) -> None:
    response = httpx.post(sim.url + "/_sim/hostile", json=body, timeout=10)
    assert response.status_code == 400 and response.json()["error"].startswith(field)


def forged_lines(output: str) -> list[str]:
    """Lines that a raw newline in server text started (the ``newline`` form's tail)."""
    return [line for line in output.splitlines() if line.lstrip().startswith("FAKE ROW")]


def test_the_checks_find_every_hostile_form() -> None:
    for name, text in HOSTILE.items():
        if name not in ("markup", "newline"):  # brackets are harmless shown literally
            assert dangerous(text), name
    assert forged_lines(HOSTILE["newline"]) == ["FAKE ROW 999"]
    assert dangerous("plain [b]text[/b] é 日本\nnext line") == []
