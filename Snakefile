# hubreuse: how datasets and models are reused on the Hugging Face Hub.
# Stages: collect -> parse -> matrices -> stats -> report. See README.md.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


# Snakemake's own report (snakemake --report report.zip): the workflow's description; captions in report/captions/.
report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/collect.smk"
include: "rules/parse.smk"
include: "rules/matrices.smk"
include: "rules/stats.smk"
include: "rules/trends.smk"
include: "rules/report.smk"


rule all:
    input:
        final_outputs(),
    default_target: True
