"""Options (pure): symbology, pricing models and greeks, spread geometry, payoff at expiry.

- ``symbology``: option symbols as TradeStation writes them (``MSFT 261218C450``).
- ``pricing``: Black-Scholes (stock options) and Black-76 (futures options), greeks,
  implied volatility, probabilities, intrinsic/extrinsic value.
- ``spreads``: the spread types of ``GET /v3/marketdata/options/spreadtypes`` and the legs
  each one is built from.
- ``payoff``: payoff at expiry of a set of legs, max profit/loss, break-evens.
- ``wire``: typed models of the option endpoints' JSON (written by the client side).
"""
