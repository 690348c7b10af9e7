# Matrices: all tasks merged into sparse reuse matrices (Parquet edge lists).


rule matrices:
    input:
        models=lambda wildcards: parsed_tables(wildcards, "models").values(),
        datasets=lambda wildcards: parsed_tables(wildcards, "datasets").values(),
        **task_list_input(),
    output:
        **matrices(),
    params:
        models=lambda wildcards: parsed_tables(wildcards, "models"),
        datasets=lambda wildcards: parsed_tables(wildcards, "datasets"),
        source=lambda wildcards: snapshot(wildcards).job_source,
        declarations=lambda wildcards: snapshot(wildcards).declarations,
    threads: 2
    log:
        f"{ROOT}/logs/matrices.log",
    benchmark:
        f"{ROOT}/benchmarks/matrices.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/matrices.py"
