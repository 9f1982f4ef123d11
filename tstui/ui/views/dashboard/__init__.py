"""Dashboard: board, chart and ladder on one screen at 160x45 and up."""
