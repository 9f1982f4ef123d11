"""tstui: a keyboard-driven terminal trading client for the TradeStation Web API."""

__version__ = "0.1.0"
