"""Market data and instruments (pure): what a symbol is and what its market sends.

- ``data``: bars, v2 tick bars, symbol details and quotes, parsed from the API's JSON.
- ``depth``: market depth (level 2) frames: per-participant quotes and per-price aggregates.
- ``futures``: futures symbology (month codes, contract symbols, expirations, roll dates).
- ``ticks``: price increments, Decimal arithmetic on the tick grid.
"""
