"""The one-key trading keys (light: the app binds them at startup; the trading code they run
loads on first use). The app binds them once for every view: the action asks the showing
screen's ``trade_target()`` and says where one-key trading works when a screen has none."""

from __future__ import annotations

from textual.binding import Binding, BindingType

__all__ = ["HOTKEY_BINDINGS", "HOTKEY_KINDS"]

HOTKEY_KINDS: tuple[str, ...] = ("buy", "sell", "flatten", "reverse", "cancel", "preset")

HOTKEY_BINDINGS: tuple[BindingType, ...] = (
    Binding("alt+b", "app.hot('buy')", "Buy ask", show=False, id="hot.buy"),
    Binding("alt+s", "app.hot('sell')", "Sell bid", show=False, id="hot.sell"),
    Binding("alt+x", "app.hot('flatten')", "Flatten", show=False, id="hot.flatten"),
    Binding("alt+r", "app.hot('reverse')", "Reverse", show=False, id="hot.reverse"),
    Binding("alt+k", "app.hot('cancel')", "Cancel symbol", show=False, id="hot.cancel"),
    Binding("alt+q", "app.hot('preset')", "Qty preset", show=False, id="hot.preset"),
)
