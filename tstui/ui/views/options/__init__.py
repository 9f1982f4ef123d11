"""The option chain view (mode "options", key 8).

- ``screen``: calls | strike | puts around the money, streaming; spreads built with keys.
- ``model``: the chain book, column sets, legs and templates (no textual: tested alone).
- ``chain_table``: the chain widget; ``spread_panel`` + ``payoff_plot``: the spread's
  risk/reward and its payoff diagram at expiry; ``prefs``: what the view remembers.
- ``chain_feed``: the client's option endpoints as the view uses them.
- ``spread_ticket`` + ``spread_orders``: the multi-leg ticket, preview then place once.
"""
