"""Trading from the TUI: validate, preview (orderconfirm), place once; cancel and replace.

- ``service``: the trading service (one send per intent, ambiguous outcomes reconciled).
- ``types``, ``changes``: its value types, and cancel/replace with their audit trail.
- ``ticket``, ``ticket_form``: the order ticket modal and its form.
- ``dialogs``: cancel, cancel-all and replace dialogs; ``wording``: what they all say.
- ``actions``: the app's order actions (a mixin of the app).
"""
