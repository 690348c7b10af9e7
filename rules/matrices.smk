# Matrices: all tasks merged into sparse reuse matrices (Parquet edge lists).


rule matrices:
    input:
        models=parsed_tables("models").values(),
        datasets=parsed_tables("datasets").values(),
    output:
        **matrices(),
    params:
        models=parsed_tables("models"),
        datasets=parsed_tables("datasets"),
        source=JOB_SOURCE,
        declarations=DECLARATIONS,
    threads: 2
    log:
        "results/logs/matrices.log",
    benchmark:
        "results/benchmarks/matrices.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/matrices.py"
