"""Load and export benchmarks: `python -m benchmarks.run` (see benchmarks/RESULTS.md)."""
