"""Benchmarks of the pipeline: commands that import the library, never imported by it.

Run from the repository root with the library on the path, e.g.
`PYTHONPATH=workflow/scripts python -m benchmarks.bench`.
"""
