# Matrices: all tasks merged into sparse reuse matrices (Parquet edge lists).


rule matrices:
    input:
        models=parsed_tables("models").values(),
        datasets=parsed_tables("datasets").values(),
    output:
        expand("results/matrices/{name}.parquet", name=MATRIX_NAMES),
    params:
        models=parsed_tables("models"),
        datasets=parsed_tables("datasets"),
        out_dir=lambda wildcards, output: os.path.dirname(output[0]),
        source=SOURCE,
    threads: 2
    log:
        "results/logs/matrices.log",
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/matrices.py"
