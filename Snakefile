# fwprune: pruning a CNN with magnitude and Frank-Wolfe methods (see README.md).
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/resources.smk"
include: "workflow/rules/download.smk"
include: "workflow/rules/pretrain.smk"
include: "workflow/rules/prune.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/timing.smk"
include: "workflow/rules/plot.smk"
include: "workflow/rules/records.smk"
include: "workflow/rules/benchmarks.smk"
include: "workflow/rules/sweep.smk"
include: "workflow/rules/tune.smk"
include: "workflow/rules/settle.smk"


rule all:
    default_target: True
    input:
        paths.final_outputs(),
