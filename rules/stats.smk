# Stats: the paper's measures and the extended ones, as tables (<root>/tables/) and per-unit values
# (<root>/stats/), per snapshot (ROOT, common.smk). Every job reads the matrices by name and writes each table to
# the path named here.


# Priorities order the stats jobs on few cores: the longest job (reuse) and the one that unblocks three
# concentration jobs (paper tables) first, then the concentration jobs, so the short ones fill the gaps.


rule paper_tables:
    priority: 20
    input:
        **matrices(),
        **task_list_input(),
    output:
        **{key: reported_table(name) for key, name in PAPER_TABLES.items()},
        **{f"{key}_values": values(name, ROOT) for key, name in PAPER_VALUES.items()},
        declaration_shapes=reported_table(DECLARATION_SHAPES),
    params:
        domains=task_domains,
        source=lambda wildcards: snapshot(wildcards).job_source,
    log:
        f"{ROOT}/logs/paper_tables.log",
    benchmark:
        f"{ROOT}/benchmarks/paper_tables.tsv"
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
        edges=values(CANONICAL_VALUES, ROOT),
    params:
        domains=task_domains,
        source=lambda wildcards: snapshot(wildcards).job_source,
    log:
        f"{ROOT}/logs/canonical_tables.log",
    benchmark:
        f"{ROOT}/benchmarks/canonical_tables.tsv"
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
        domains=task_domains,
        source=lambda wildcards: snapshot(wildcards).job_source,
        # The light API listing (source: api, declarations: tags) holds no card to compare the tags with.
        cards=lambda wildcards: not (snapshot(wildcards).source == "api" and snapshot(wildcards).declarations == "tags"),
    log:
        f"{ROOT}/logs/reuse_tables.log",
    benchmark:
        f"{ROOT}/benchmarks/reuse_tables.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/reuse_tables.py"


rule concentration:
    priority: 10
    input:
        unpack(concentration_values),
        # tasks: all: a job downstream of the checkpoint that does not name its output is rerun at every
        # invocation by Snakemake (up to 9.27 at least); naming it keeps a finished run finished.
        **task_list_input(),
    output:
        concentration=f"{ROOT}/stats/concentration/{{group}}.concentration.csv",
        heavy_tail=f"{ROOT}/stats/concentration/{{group}}.heavy_tail.csv",
        lorenz=f"{ROOT}/stats/concentration/{{group}}.lorenz.csv",
    wildcard_constraints:
        group="|".join(CONCENTRATION_GROUPS),
    params:
        source=lambda wildcards: snapshot(wildcards).job_source,
        n_boot=config["bootstrap_resamples"],
        seed=config["seed"],
    log:
        f"{ROOT}/logs/concentration/{{group}}.log",
    benchmark:
        f"{ROOT}/benchmarks/concentration/{{group}}.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/concentration.py"


rule concentration_stack:
    input:
        concentration=expand(f"{ROOT}/stats/concentration/{{group}}.concentration.csv", group=CONCENTRATION_GROUPS, allow_missing=True),
        heavy_tail=expand(f"{ROOT}/stats/concentration/{{group}}.heavy_tail.csv", group=CONCENTRATION_GROUPS, allow_missing=True),
        lorenz=expand(f"{ROOT}/stats/concentration/{{group}}.lorenz.csv", group=CONCENTRATION_GROUPS, allow_missing=True),
        **task_list_input(),  # tasks: all (see rule concentration)
    output:
        concentration=reported_table("concentration"),
        heavy_tail=reported_table("heavy_tail"),
        lorenz=f"{ROOT}/stats/{LORENZ}.csv",
    log:
        f"{ROOT}/logs/concentration_stack.log",
    benchmark:
        f"{ROOT}/benchmarks/concentration_stack.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/concentration_stack.py"


rule lineage:
    input:
        models=matrix("models", ROOT),
        model_base=matrix("model_base", ROOT),
        **task_list_input(),  # tasks: all (see rule concentration)
    output:
        **reported_tables(LINEAGE_TABLES),
    params:
        source=lambda wildcards: snapshot(wildcards).job_source,
    log:
        f"{ROOT}/logs/lineage.log",
    benchmark:
        f"{ROOT}/benchmarks/lineage.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/lineage.py"


# Inference on the per-unit values, recorded as tables so that the report only reads and renders them.


rule mean_intervals:
    input:
        **{measure: measure_values(measure, ROOT) for measure in INFERENCE_MEASURES},
        **task_list_input(),
    output:
        intervals=reported_table(MEAN_INTERVALS),
    params:
        domains=task_domains,
        source=lambda wildcards: snapshot(wildcards).job_source,
        n_boot=config["bootstrap_resamples"],
        seed=config["seed"],
    log:
        f"{ROOT}/logs/mean_intervals.log",
    benchmark:
        f"{ROOT}/benchmarks/mean_intervals.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/mean_intervals.py"


rule domain_comparison:
    input:
        **{measure: measure_values(measure, ROOT) for measure in INFERENCE_MEASURES},
        **task_list_input(),
    output:
        comparison=reported_table(DOMAIN_COMPARISON),
    params:
        domains=task_domains,
        source=lambda wildcards: snapshot(wildcards).job_source,
        n_boot=config["bootstrap_resamples"],
        seed=config["seed"],
    log:
        f"{ROOT}/logs/domain_comparison.log",
    benchmark:
        f"{ROOT}/benchmarks/domain_comparison.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/domain_comparison.py"
