"""Accounts and what they hold (pure).

- ``accounts``, ``balances``, ``positions``: the brokerage API's models (accounts, real-time and
  beginning-of-day balances, open positions).
- ``valuation``: position valuation and portfolio totals in Decimal.
- ``journal``: the trade journal: fills matched into round trips (FIFO), realized P&L, stats.
"""
