"""Positions: ``screen`` (fed by the positions stream) and ``table`` (the virtualised table)."""
