"""The P&L view: realized P&L by day, the equity curve, round trips and statistics."""
