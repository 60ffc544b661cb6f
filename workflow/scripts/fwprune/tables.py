"""The keys of the metrics tables, one definition each, and the rule that counts a run once.

A *row* is one model of one seed; a *cell* is one model over its seeds: a method (or
variant) at one budget, granularity and target sparsity.
"""

import pandas as pd

CELL = ["budget", "param_granularity", "method", "target_sparsity"]
ROW = ["seed", *CELL]


def distinct_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row once: a method whose own granularity is filter runs the same cell in a
    sweep by weights and in one by filters (with identical numbers); it is one experiment,
    counted once, not as two seeds."""
    return frame.drop_duplicates(subset=ROW)
