"""Gather a sweep's tuning trials and keep, per budget, method and sparsity, the trial with
the best validation accuracy (`fwprune.tuning.winners`): test accuracy is never read."""

import pandas as pd

from fwprune import runtime, tuning
from fwprune.io import read_table, write_table


def main(trial_tables: list[str], output, searched: dict, log) -> None:
    logger = runtime.log_to(log.text, log.work)
    # Row by row, so that each keeps its own types (a concatenated column of a setting one
    # method lacks turns its integers into floats).
    trials = [read_table(path).to_dict("records")[0] for path in trial_tables]
    winning = tuning.winners(trials, tuning.CELL_KEYS)
    for winner in winning:
        logger.info(
            "%s at budget %d, sparsity %g: trial %d, validation accuracy %.4f",
            *(winner[key] for key in ("method", "budget", "target_sparsity", "trial")),
            winner[tuning.SELECTION_COLUMN],
        )
    table = pd.DataFrame(trials).sort_values([*tuning.CELL_KEYS, "trial"])
    write_table(table, output.trials)
    tuning.write_winners(winning, searched, output.winners)


main(snakemake.input.trials, snakemake.output, snakemake.params.searched, snakemake.log)
