# Stats: the paper's three measures per task.


rule paper_tables:
    input:
        expand("results/matrices/{name}.parquet", name=MATRIX_NAMES),
    output:
        **rq_tables(),
        rq1_values="results/stats/rq1_values.parquet",
        rq2_values="results/stats/rq2_values.parquet",
        rq3_values="results/stats/rq3_values.parquet",
        quality="results/tables/declaration_shapes.csv",
    params:
        matrix_dir="results/matrices",
        domains=DOMAINS,
        source=SOURCE,
    log:
        "results/logs/paper_tables.log",
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/paper_tables.py"
