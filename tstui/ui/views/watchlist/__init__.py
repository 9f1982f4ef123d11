"""Quote board: named watchlists fed by the quote stream."""
