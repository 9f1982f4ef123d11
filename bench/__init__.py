"""Benchmarks (`make bench`): python -m bench.blotter_bench, ..."""
