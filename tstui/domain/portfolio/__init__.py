"""Accounts and what they hold (pure).

- ``brokerage``: accounts, real-time and beginning-of-day balances, positions (API models).
- ``valuation``: position valuation and portfolio totals in Decimal.
- ``journal``: the trade journal: fills matched into round trips (FIFO), realized P&L, stats.
"""
