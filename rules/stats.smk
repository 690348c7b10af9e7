# Stats: the paper's measures and the extended ones, as tables (results/tables/) and per-unit values
# (results/stats/). Every job reads the matrices by name and writes each table to the path named here.


# Priorities order the stats jobs on few cores: the longest job (reuse) and the one that unblocks three
# concentration jobs (paper tables) first, then the concentration jobs, so the short ones fill the gaps.


rule paper_tables:
    priority: 20
    input:
        **matrices(),
        **task_list_input(),
    output:
        **{key: reported_table(name) for key, name in PAPER_TABLES.items()},
        **{f"{key}_values": values(name) for key, name in PAPER_VALUES.items()},
        declaration_shapes=reported_table(DECLARATION_SHAPES),
    params:
        domains=lambda wildcards: domains(),
        source=JOB_SOURCE,
    log:
        "results/logs/paper_tables.log",
    benchmark:
        "results/benchmarks/paper_tables.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/paper_tables.py"


rule canonical_tables:
    input:
        **matrices(),
        **canonical_tables_input(),
        **task_list_input(),
    output:
        **reported_tables(CANONICAL_TABLES),
        edges=values(CANONICAL_VALUES),
    params:
        domains=lambda wildcards: domains(),
        source=JOB_SOURCE,
    log:
        "results/logs/canonical_tables.log",
    benchmark:
        "results/benchmarks/canonical_tables.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/canonical_tables.py"


rule reuse_tables:
    priority: 20
    input:
        **matrices(),
        **task_list_input(),
    output:
        **reported_tables(REUSE_TABLES),
        **values_files(REUSE_VALUES),
    params:
        domains=lambda wildcards: domains(),
        source=JOB_SOURCE,
        # The light API listing (source: api, declarations: tags) holds no card to compare the tags with.
        cards=not (SOURCE == "api" and DECLARATIONS == "tags"),
    log:
        "results/logs/reuse_tables.log",
    benchmark:
        "results/benchmarks/reuse_tables.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/reuse_tables.py"


rule concentration:
    priority: 10
    input:
        unpack(lambda wildcards: concentration_values(wildcards.group)),
        # tasks: all: a job downstream of the checkpoint that does not name its output is rerun at every
        # invocation by Snakemake (up to 9.27 at least); naming it keeps a finished run finished.
        **task_list_input(),
    output:
        concentration="results/stats/concentration/{group}.concentration.csv",
        heavy_tail="results/stats/concentration/{group}.heavy_tail.csv",
        lorenz="results/stats/concentration/{group}.lorenz.csv",
    wildcard_constraints:
        group="|".join(CONCENTRATION_GROUPS),
    params:
        source=JOB_SOURCE,
        n_boot=config["bootstrap_resamples"],
        seed=config["seed"],
    log:
        "results/logs/concentration/{group}.log",
    benchmark:
        "results/benchmarks/concentration/{group}.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/concentration.py"


rule concentration_stack:
    input:
        concentration=expand("results/stats/concentration/{group}.concentration.csv", group=CONCENTRATION_GROUPS),
        heavy_tail=expand("results/stats/concentration/{group}.heavy_tail.csv", group=CONCENTRATION_GROUPS),
        lorenz=expand("results/stats/concentration/{group}.lorenz.csv", group=CONCENTRATION_GROUPS),
        **task_list_input(),  # tasks: all (see rule concentration)
    output:
        concentration=reported_table("concentration"),
        heavy_tail=reported_table("heavy_tail"),
        lorenz=f"results/stats/{LORENZ}.csv",
    log:
        "results/logs/concentration_stack.log",
    benchmark:
        "results/benchmarks/concentration_stack.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/concentration_stack.py"


rule lineage:
    input:
        models=matrix("models"),
        model_base=matrix("model_base"),
        **task_list_input(),  # tasks: all (see rule concentration)
    output:
        **reported_tables(LINEAGE_TABLES),
    params:
        source=JOB_SOURCE,
    log:
        "results/logs/lineage.log",
    benchmark:
        "results/benchmarks/lineage.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/lineage.py"


# Inference on the per-unit values, recorded as tables so that the report only reads and renders them.


rule mean_intervals:
    input:
        **{measure: measure_values(measure) for measure in INFERENCE_MEASURES},
        **task_list_input(),
    output:
        intervals=reported_table(MEAN_INTERVALS),
    params:
        domains=lambda wildcards: domains(),
        source=JOB_SOURCE,
        n_boot=config["bootstrap_resamples"],
        seed=config["seed"],
    log:
        "results/logs/mean_intervals.log",
    benchmark:
        "results/benchmarks/mean_intervals.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/mean_intervals.py"


rule domain_comparison:
    input:
        **{measure: measure_values(measure) for measure in INFERENCE_MEASURES},
        **task_list_input(),
    output:
        comparison=reported_table(DOMAIN_COMPARISON),
    params:
        domains=lambda wildcards: domains(),
        source=JOB_SOURCE,
        n_boot=config["bootstrap_resamples"],
        seed=config["seed"],
    log:
        "results/logs/domain_comparison.log",
    benchmark:
        "results/benchmarks/domain_comparison.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/domain_comparison.py"
