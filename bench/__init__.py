"""Benchmarks (`make bench` = `python -m bench`): the six figures of issue 17."""
