"""The app's alert center: price alerts against the quote stream, fill / partial-fill / reject
notices from the order snapshots, stream lost / back notices; each shown as a Textual
notification and kept (with its time) for the alerts panel, with an optional terminal bell.

Orders: a status is remembered per order; a change into filled, partly filled or rejected is
told once. Orders already known when the orders stream first goes live are the day so far,
not news: nothing is told for them (a fill during a reconnect is, when the resync brings it).
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from textual.app import App

from tstui.config import save_alerts
from tstui.domain.market.alerts import AlertWatch, PriceAlert
from tstui.domain.untrusted import safe_text
from tstui.ui.session.health import utc_now
from tstui.ui.session.live import LiveData

if TYPE_CHECKING:
    from tstui.domain.market.data import Quote
    from tstui.domain.orders.execution import Order

__all__ = ["AlertCenter", "AlertEvent", "alert_center"]

HISTORY = 200
_ORDER_NEWS = {"FLL": "fill", "FLP": "partial", "REJ": "reject"}
_LOST = ("reconnecting", "failed", "connecting")
Severity = Literal["information", "warning", "error"]


@dataclass(frozen=True, slots=True)
class AlertEvent:
    at: datetime
    kind: str  # price | fill | partial | reject | stream
    text: str  # display-safe
    severity: Severity = "information"


class AlertCenter:
    """One per app (:func:`alert_center`); :meth:`attach` hooks it to ``app.live``."""

    def __init__(self, app: App[Any], live: LiveData) -> None:
        self.app = app
        self.live = live
        self.events: deque[AlertEvent] = deque(maxlen=HISTORY)
        self.watch = AlertWatch.of(live.settings.alerts.price)
        self.changed: list[Callable[[], None]] = []  # the panel redraws on these
        self._statuses: dict[str, str] = {}
        self._armed = False  # the orders stream went live once: changes from now are news
        self._health: dict[str, str] = {}
        self._lost: set[str] = set()  # streams told lost, not yet told back
        self._unwatch: Callable[[], None] | None = None
        self._attached = False

    # ---- wiring ------------------------------------------------------------------------
    def attach(self) -> None:
        if self._attached:
            return
        self._attached = True
        self.live.observe_orders(self._on_order)
        self.live.changed.subscribe(self.app, self._on_live)
        self._rewatch()

    def _rewatch(self) -> None:
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None
        symbols = self.watch.symbols
        if symbols:
            self._unwatch = self.live.quotes.watch(symbols, self._on_quote)
            for symbol in symbols:  # watch() does not replay: arm from what is known
                quote = self.live.quotes.latest(symbol)
                if quote is not None:
                    self._on_quote(quote)

    # ---- price alerts ------------------------------------------------------------------
    @property
    def alerts(self) -> list[PriceAlert]:
        return list(self.watch.alerts)

    def add(self, alert: PriceAlert) -> bool:
        """Set ``alert`` (saved to the config); False when the same one is already set."""
        if not self.watch.add(alert):
            return False
        self._save()
        self._rewatch()
        self._changed()
        return True

    def remove(self, alert: PriceAlert) -> bool:
        if not self.watch.remove(alert):
            return False
        self._save()
        self._rewatch()
        self._changed()
        return True

    def last_price(self, symbol: str) -> Any:
        quote = self.live.quotes.latest(symbol)
        return quote.last if quote is not None else None

    def _save(self) -> None:
        try:
            save_alerts(self.watch.alerts, self.live.settings.config_file)
        except Exception as exc:  # the alert still works for this run
            self.app.notify(f"alerts not saved: {exc}", severity="warning", markup=False)

    def _on_quote(self, quote: Quote) -> None:
        if quote.last is None:
            return
        fired = self.watch.check(quote.symbol, quote.last)
        for alert in fired:
            self.tell("price", alert.describe(quote.last), "warning", title="Price alert")
        if fired:
            self._save()
            self._rewatch()

    # ---- orders ------------------------------------------------------------------------
    def _on_order(self, order: Order) -> None:
        status = order.status or ""
        before = self._statuses.get(order.order_id)
        self._statuses[order.order_id] = status
        if not self._armed or status == before:
            return
        news = _ORDER_NEWS.get(status)
        if news is None:
            return
        side = safe_text(order.side, limit=20)
        symbol = safe_text(order.display_symbol, limit=40)
        if news == "reject":
            reason = safe_text(order.reject_reason or order.status_description or "", limit=120)
            text = f"Rejected: {side} {order.quantity} {symbol}" + (f": {reason}" if reason else "")
            self.tell("reject", text, "error", title="Order rejected")
            return
        price = f" @ {order.filled_price}" if order.filled_price is not None else ""
        if news == "partial":
            text = f"Partly filled: {side} {order.filled_quantity} of {order.quantity} {symbol}"
            self.tell("partial", text + price, "information", title="Partial fill")
        else:
            text = f"Filled: {side} {order.filled_quantity or order.quantity} {symbol}{price}"
            self.tell("fill", text, "information", title="Order filled")

    # ---- stream health -------------------------------------------------------------------
    def _on_live(self, what: str) -> None:
        if what == "env":
            self._statuses.clear()
            self._armed = False
            self._health.clear()
            self._lost.clear()
            return
        if what != "health":
            return
        for name, health in self.live.stream_health.items():
            state = health.state
            previous = self._health.get(name)
            self._health[name] = state
            if name == "orders" and state == "live":
                self._armed = True
            if previous is None or previous == state:
                continue
            if previous == "live" and state in _LOST:
                self._lost.add(name)
                detail = f" ({safe_text(health.detail, limit=80)})" if health.detail else ""
                self.tell("stream", f"{name} stream lost{detail}: reconnecting", "warning")
            elif state == "live" and name in self._lost:
                self._lost.discard(name)
                self.tell("stream", f"{name} stream back: resynced", "information")

    # ---- telling -------------------------------------------------------------------------
    def tell(self, kind: str, text: str, severity: Severity, *, title: str = "") -> None:
        self.events.appendleft(AlertEvent(utc_now(), kind, text, severity))
        self.app.notify(text, title=title, severity=severity, timeout=8, markup=False)
        if self.live.settings.alerts.bell and kind != "stream":
            self.app.bell()
        self._changed()

    def _changed(self) -> None:
        for callback in list(self.changed):
            callback()


_CENTERS: weakref.WeakKeyDictionary[object, AlertCenter] = weakref.WeakKeyDictionary()


def alert_center(app: App[Any]) -> AlertCenter:
    """The app's alert center (made, bound to ``app.live``, on first use)."""
    center = _CENTERS.get(app)
    if center is None:
        live = getattr(app, "live")  # noqa: B009 - TstuiApp.live
        center = _CENTERS[app] = AlertCenter(app, live)
    return center
