"""Option chain: calls, strikes, puts; spreads built from the chain."""
