"""Benchmarks: a seeded workload generator and timing scripts; results go to BENCHMARKS.md."""
