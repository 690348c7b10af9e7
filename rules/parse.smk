# Parse: each task's raw listings into typed Parquet tables, keeping every declaration's shape.
# One job per task parses both of its listings: a job's fixed cost (a fresh interpreter) is larger than
# parsing a typical task's datasets listing.


rule parse:
    input:
        models="results/raw/models/{task}.jsonl.gz",
        datasets="results/raw/datasets/{task}.jsonl.gz",
    output:
        models="results/parsed/models/{task}.parquet",
        datasets="results/parsed/datasets/{task}.parquet",
    params:
        source=SOURCE,
    log:
        "results/logs/parse/{task}.log",
    benchmark:
        "results/benchmarks/parse/{task}.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/parse.py"
