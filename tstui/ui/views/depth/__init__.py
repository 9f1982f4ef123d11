"""Market depth: a price ladder from the level-2 and aggregate depth streams."""
