# Collect: per-task raw listings exactly as the Hub's listing API returns records, plus manifests.

if SOURCE == "demo":

    rule demo_hub:
        output:
            models="results/demo/models.jsonl.gz",
            datasets="results/demo/datasets.jsonl.gz",
            manifest="results/demo/manifest.json",
        params:
            domains=demo_domains(),
            **({"every_task": True} if TASKS_ALL else {}),
            models=config["demo_models"],
            datasets=config["demo_datasets"],
            seed=config["demo_seed"],
        log:
            "results/logs/demo_hub.log",
        benchmark:
            "results/benchmarks/demo_hub.tsv"
        conda:
            "../envs/hubreuse.yaml"
        script:
            "../scripts/demo_hub.py"


if SOURCE == "hubstats":

    # Network jobs run where the network is: on the submit node when a cluster executor is used.
    localrules:
        hubstats_download,

    rule hubstats_download:
        output:
            models="results/hubstats/snapshot/models.parquet",
            datasets="results/hubstats/snapshot/datasets.parquet",
            manifest="results/hubstats/snapshot/manifest.json",
        params:
            repo=config["hubstats_repo"],
            revision=config["hubstats_revision"],
            models_file=config["hubstats_models_file"],
            datasets_file=config["hubstats_datasets_file"],
            endpoint=config["hub_endpoint"],
        log:
            "results/logs/hubstats/download.log",
        benchmark:
            "results/benchmarks/hubstats_download.tsv"
        conda:
            "../envs/hubreuse.yaml"
        script:
            "../scripts/hubstats_download.py"


if SOURCE in ("demo", "dump", "hubstats"):

    rule index_dump:
        input:
            # source: hubstats: the downloaded snapshot file, read as it is, and the manifest of its commit.
            unpack(lambda wildcards: dump_inputs(wildcards.kind)),
        output:
            index=temp("results/interim/{kind}_index.parquet"),
            manifest="results/interim/{kind}_index.json",
        params:
            label=lambda wildcards: f"{wildcards.kind}_dump",
            source=SOURCE,
            tasks=index_tasks(),
            # The dump's content, not its mtime, decides whether everything downstream is stale.
            identity=lambda wildcards: dump_identity(wildcards.kind),
        log:
            "results/logs/index_dump/{kind}.log",
        benchmark:
            "results/benchmarks/index_dump/{kind}.tsv"
        conda:
            "../envs/hubreuse.yaml"
        script:
            "../scripts/index_dump.py"

    rule check_dumps:
        input:
            models="results/interim/models_index.json",
            datasets="results/interim/datasets_index.json",
        output:
            "results/interim/dumps_check.json",
        params:
            tasks=index_tasks(),
        log:
            "results/logs/check_dumps.log",
        benchmark:
            "results/benchmarks/check_dumps.tsv"
        conda:
            "../envs/hubreuse.yaml"
        script:
            "../scripts/check_dumps.py"

    rule collect:
        input:
            dumps_check="results/interim/dumps_check.json",
            models_index="results/interim/models_index.parquet",
            models_index_manifest="results/interim/models_index.json",
            datasets_index="results/interim/datasets_index.parquet",
            datasets_index_manifest="results/interim/datasets_index.json",
        output:
            **listing_outputs(),
        params:
            source=SOURCE,
        log:
            "results/logs/collect/{task}.log",
        benchmark:
            "results/benchmarks/collect/{task}.tsv"
        conda:
            "../envs/hubreuse.yaml"
        script:
            "../scripts/collect.py"

if TASKS_ALL and SOURCE != "api":

    # tasks: all: the snapshot's tasks are the distinct pipeline tags of its models (hubreuse/collect/tasks.py),
    # known before the per-task fan-out: the collect, parse and later jobs are planned from this checkpoint's list.
    checkpoint task_list:
        input:
            dumps_check="results/interim/dumps_check.json",
            models_index="results/interim/models_index.parquet",
            models_index_manifest="results/interim/models_index.json",
        output:
            tasks=TASK_LIST,
            summary="results/interim/task_list.json",
        params:
            source=SOURCE,
            label=f"models_dump {dump_path('models')}",
        log:
            "results/logs/task_list.log",
        benchmark:
            "results/benchmarks/task_list.tsv"
        conda:
            "../envs/hubreuse.yaml"
        script:
            "../scripts/task_list.py"


if SOURCE == "api":

    if TASKS_ALL:

        # tasks: all with source: api: the Hub's task list (GET /api/tasks), fetched where the network is.
        localrules:
            task_list,

        checkpoint task_list:
            output:
                tasks=TASK_LIST,
                summary="results/interim/task_list.json",
            params:
                source=SOURCE,
                label="api/tasks",
                endpoint=config["hub_endpoint"],
            log:
                "results/logs/task_list.log",
            benchmark:
                "results/benchmarks/task_list.tsv"
            conda:
                "../envs/hubreuse.yaml"
            script:
                "../scripts/task_list.py"

    # Live API collection needs the network, which cluster compute nodes often lack: it runs on the
    # submit node (local jobs still count against the global hub_api bound set in the profiles).
    localrules:
        collect,

    rule collect:
        output:
            **listing_outputs(),
        params:
            source=SOURCE,
            endpoint=config["hub_endpoint"],
            state_dir=lambda wildcards: f"results/raw/.partial/{{kind}}/{wildcards.task}",
            # The task's log across failed sessions (Snakemake empties the job's log before each run).
            session_log="results/raw/.partial/sessions/{task}.log",
            # declarations: tags needs no card: the light models listing (hubreuse/collect/hub_pages.py).
            light=DECLARATIONS == "tags",
        resources:
            hub_api=1,
        log:
            "results/logs/collect/{task}.log",
        benchmark:
            "results/benchmarks/collect/{task}.tsv"
        conda:
            "../envs/hubreuse.yaml"
        script:
            "../scripts/collect.py"


rule raw_manifest:
    input:
        listings=lambda wildcards: listing_manifests(),
        indexes=index_manifests(),
        **task_list_input(),
    output:
        "results/raw/manifest.json",
    params:
        config=config,
        domains=lambda wildcards: domains(),
    log:
        "results/logs/raw_manifest.log",
    benchmark:
        "results/benchmarks/raw_manifest.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/raw_manifest.py"
