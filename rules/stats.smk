# Stats: the paper's three measures per task.


# Priorities order the stats jobs on few cores: the longest job (reuse) and the one that unblocks three
# concentration jobs (paper tables) first, then the concentration jobs, so the short ones fill the gaps.


rule paper_tables:
    priority: 20
    input:
        expand("results/matrices/{name}.parquet", name=MATRIX_NAMES),
    output:
        **rq_tables(),
        rq1_values="results/stats/rq1_values.parquet",
        rq2_values="results/stats/rq2_values.parquet",
        rq3_values="results/stats/rq3_values.parquet",
        quality="results/tables/declaration_shapes.csv",
    params:
        matrix_dir=lambda wildcards, input: os.path.dirname(input[0]),
        domains=DOMAINS,
        source=SOURCE,
    log:
        "results/logs/paper_tables.log",
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/paper_tables.py"


rule canonical_tables:
    input:
        expand("results/matrices/{name}.parquet", name=MATRIX_NAMES),
        **canonical_tables_input(),
    output:
        expand("results/tables/{name}.csv", name=CANONICAL_TABLES),
        edges="results/stats/canonical_dataset_edges.parquet",
    params:
        matrix_dir=lambda wildcards, input: os.path.dirname(input[0]),
        domains=DOMAINS,
        source=SOURCE,
    log:
        "results/logs/canonical_tables.log",
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/canonical_tables.py"


rule reuse_tables:
    priority: 20
    input:
        expand("results/matrices/{name}.parquet", name=MATRIX_NAMES),
    output:
        expand("results/tables/{name}.csv", name=REUSE_TABLES),
        "results/stats/base_relations.parquet",
        "results/stats/base_card_tag_disagreement.parquet",
        "results/stats/dataset_time_to_first_reuse.parquet",
        children="results/stats/children_values.parquet",
    params:
        matrix_dir=lambda wildcards, input: os.path.dirname(input[0]),
        domains=DOMAINS,
        source=SOURCE,
    log:
        "results/logs/reuse_tables.log",
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/reuse_tables.py"


rule concentration_group:
    priority: 10
    input:
        unpack(lambda wildcards: measure_values(wildcards.group)),
    output:
        concentration="results/stats/concentration/{group}.concentration.csv",
        heavy_tail="results/stats/concentration/{group}.heavy_tail.csv",
        lorenz="results/stats/concentration/{group}.lorenz.csv",
    wildcard_constraints:
        group="|".join(CONCENTRATION_GROUPS),
    params:
        source=SOURCE,
        n_boot=config["bootstrap_resamples"],
        seed=config["seed"],
    log:
        "results/logs/concentration/{group}.log",
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/concentration.py"


rule concentration:
    input:
        concentration=expand("results/stats/concentration/{group}.concentration.csv", group=CONCENTRATION_GROUPS),
        heavy_tail=expand("results/stats/concentration/{group}.heavy_tail.csv", group=CONCENTRATION_GROUPS),
        lorenz=expand("results/stats/concentration/{group}.lorenz.csv", group=CONCENTRATION_GROUPS),
    output:
        concentration="results/tables/concentration.csv",
        heavy_tail="results/tables/heavy_tail.csv",
        lorenz="results/stats/lorenz.csv",
    log:
        "results/logs/concentration.log",
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/concentration_merge.py"


rule lineage:
    input:
        "results/matrices/models.parquet",
        "results/matrices/model_base.parquet",
    output:
        expand("results/tables/{name}.csv", name=LINEAGE_TABLES),
    params:
        matrix_dir=lambda wildcards, input: os.path.dirname(input[0]),
        source=SOURCE,
    log:
        "results/logs/lineage.log",
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/lineage.py"
