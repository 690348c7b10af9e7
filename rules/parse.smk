# Parse: each task's raw listing into a typed Parquet table, keeping every declaration's shape.


rule parse:
    input:
        "results/raw/{kind}/{task}.jsonl.gz",
    output:
        "results/parsed/{kind}/{task}.parquet",
    params:
        source=SOURCE,
    log:
        "results/logs/parse/{kind}/{task}.log",
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/parse.py"
