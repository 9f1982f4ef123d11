"""Alerts: price alerts on the quote stream, fill / partial-fill / reject and stream notices.

- ``center``: ``AlertCenter`` (one per app, ``alert_center(app)``): checks, notifies, keeps.
- ``panel``: the alerts panel (``N``) and the new-alert prompt (``!``).
The rules themselves are pure: ``tstui.domain.market.alerts``.
"""
