"""SimControl: a tiny sync + async client for the /_sim admin API (tests and demos).

Plain HTTP on loopback: no TLS context (httpx loads the CA bundle for each new client by
default, ~5 ms of CPU a call, which a load generator in a bench paid beside the app it
measured) and no proxy from the environment. httpx is imported on first use: the demo's
simulator process builds a SimControl-capable server but never calls it.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx


def _client_options(timeout: float) -> dict[str, Any]:
    return {"timeout": timeout, "verify": False, "trust_env": False}


class SimControl:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()

    def _sync_client(self) -> httpx.Client:
        """One keep-alive client for the sync calls (httpx clients are thread-safe)."""
        with self._client_lock:
            if self._client is None:
                import httpx

                self._client = httpx.Client(**_client_options(self.timeout))
            return self._client

    def close(self) -> None:
        with self._client_lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    # ----- sync -------------------------------------------------------------------------
    def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self._sync_client().post(f"{self.url}/_sim/{path}", json=body or {})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def get(self, path: str) -> dict[str, Any]:
        response = self._sync_client().get(f"{self.url}/_sim/{path}")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def now(self) -> str:
        return str(self.get("clock")["now"])

    def advance(self, seconds: float) -> str:
        return str(self.post("clock", {"advance_seconds": seconds})["now"])

    def set_clock(self, instant: datetime | str) -> str:
        text = instant if isinstance(instant, str) else instant.isoformat()
        return str(self.post("clock", {"set": text})["now"])

    def set_price(self, symbol: str, price: str | float) -> dict[str, Any]:
        return self.post("price", {"symbol": symbol, "price": str(price)})

    def goaway(self, stream: str = "all") -> None:
        self.post("faults/goaway", {"stream": stream})

    def stall(self, stream: str, seconds: float) -> None:
        self.post("faults/stall", {"stream": stream, "seconds": seconds})

    def drop(self, stream: str, count: int) -> None:
        self.post("faults/drop", {"stream": stream, "count": count})

    def malformed(self, stream: str, count: int) -> None:
        self.post("faults/malformed", {"stream": stream, "count": count})

    def http_fault(self, group: str, status: int, count: int = 1) -> None:
        self.post("faults/http", {"group": group, "status": status, "count": count})

    def latency(self, seconds: float) -> None:
        self.post("faults/latency", {"seconds": seconds})

    def reset_after_accept(self, count: int = 1) -> None:
        self.post("faults/reset-after-accept", {"count": count})

    def clear_faults(self) -> None:
        self.post("faults/clear")

    def expire_tokens(self) -> None:
        self.post("tokens/expire")

    def revoke_tokens(self) -> None:
        self.post("tokens/revoke")

    def heartbeat(self, seconds: float) -> None:
        self.post("heartbeat", {"seconds": seconds})

    def seed_orders(self, account: str, count: int) -> int:
        return int(self.post("orders/seed", {"account": account, "count": count})["created"])

    def burst(self, account: str | None, frames: int) -> None:
        self.post("orders/burst", {"account": account, "frames": frames})

    def state(self) -> dict[str, Any]:
        return self.get("state")

    def restart(self) -> None:
        self.post("restart")

    # ----- async ------------------------------------------------------------------------
    async def apost(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        import httpx

        async with httpx.AsyncClient(**_client_options(self.timeout)) as client:
            response = await client.post(f"{self.url}/_sim/{path}", json=body or {})
            response.raise_for_status()
            result: dict[str, Any] = response.json()
            return result

    async def aget(self, path: str) -> dict[str, Any]:
        import httpx

        async with httpx.AsyncClient(**_client_options(self.timeout)) as client:
            response = await client.get(f"{self.url}/_sim/{path}")
            response.raise_for_status()
            result: dict[str, Any] = response.json()
            return result

    async def aadvance(self, seconds: float) -> str:
        return str((await self.apost("clock", {"advance_seconds": seconds}))["now"])

    async def aset_price(self, symbol: str, price: str | float) -> dict[str, Any]:
        return await self.apost("price", {"symbol": symbol, "price": str(price)})

    async def astate(self) -> dict[str, Any]:
        return await self.aget("state")
