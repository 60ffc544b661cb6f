# fwprune: pruning a CNN with magnitude and Frank-Wolfe methods (see README.md).
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/resources.smk"
include: "workflow/rules/stages.smk"


# Every other rule file, in name order: a new stage is a new file there (README, "Adding a
# stage"). The sweeps', tuning's and settling's rules come last: they derive from all the others.
DERIVED = ("sweep.smk", "tune.smk", "settle.smk")
for rule_file in sorted(Path(workflow.basedir, "workflow", "rules").glob("*.smk")):
    if rule_file.name not in ("common.smk", "resources.smk", "stages.smk", *DERIVED):

        include: f"workflow/rules/{rule_file.name}"


for rule_file in DERIVED:

    include: f"workflow/rules/{rule_file}"


rule all:
    default_target: True
    input:
        paths.final_outputs(),
