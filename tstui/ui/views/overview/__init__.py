"""The account overview: ``screen`` (balances, BOD, day P&L) and ``balances`` (its panels)."""
