#!/usr/bin/env bash
# The whole run, in a fresh clone with data/mnist.npz copied in: RUN is tuned-converged or
# tuned-budget1, SWEEP its sweeps' suffix (converged or budget1).
set -euo pipefail
run=$1 suffix=$2
config=docs/runs/$run/config.yaml
snakemake --cores 2 --configfile "$config" -- "tune_tuned_$suffix"
cp "results/tuned_$suffix/tune/winners.yaml" "docs/runs/$run/winners.yaml"
snakemake --cores 2 --configfile "$config" "docs/runs/$run/tuned.yaml" -- "tuned_$suffix"
snakemake --cores 2 --configfile "$config" -- "default_$suffix"
