# Parse: each task's raw listings into typed Parquet tables, keeping every declaration's shape.
# One job per task parses both of its listings: a job's fixed cost (a fresh interpreter) is larger than
# parsing a typical task's datasets listing.


rule parse:
    input:
        models=f"{ROOT}/raw/models/{{task}}.jsonl.gz",
        datasets=f"{ROOT}/raw/datasets/{{task}}.jsonl.gz",
    output:
        models=f"{ROOT}/parsed/models/{{task}}.parquet",
        datasets=f"{ROOT}/parsed/datasets/{{task}}.parquet",
    params:
        source=lambda wildcards: snapshot(wildcards).source,
    log:
        f"{ROOT}/logs/parse/{{task}}.log",
    benchmark:
        f"{ROOT}/benchmarks/parse/{{task}}.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/parse.py"
