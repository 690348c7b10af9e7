# Matrices: all tasks merged into sparse reuse matrices (Parquet edge lists).


rule matrices:
    input:
        models=lambda wildcards: parsed_tables("models").values(),
        datasets=lambda wildcards: parsed_tables("datasets").values(),
        **task_list_input(),
    output:
        **matrices(),
    params:
        models=lambda wildcards: parsed_tables("models"),
        datasets=lambda wildcards: parsed_tables("datasets"),
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
