# Collect: per-task raw listings exactly as the Hub's listing API returns records, plus manifests. Every path is
# under ROOT: results/, or results/snapshots/{snapshot}/ for each snapshot of a run with snapshots: (common.smk).

if "demo" in SOURCES:

    # One synthetic Hub, whatever the number of demo snapshots: each snapshot is it as of its date.
    rule demo_hub:
        output:
            models=f"{RESULTS}/demo/models.jsonl.gz",
            datasets=f"{RESULTS}/demo/datasets.jsonl.gz",
            manifest=f"{RESULTS}/demo/manifest.json",
        params:
            domains=demo_domains(),
            **({"every_task": True} if TASKS_ALL else {}),
            models=config["demo_models"],
            datasets=config["demo_datasets"],
            seed=config["demo_seed"],
        log:
            f"{RESULTS}/logs/demo_hub.log",
        benchmark:
            f"{RESULTS}/benchmarks/demo_hub.tsv"
        conda:
            "../envs/hubreuse.yaml"
        script:
            "../scripts/demo_hub.py"


if "hubstats" in SOURCES:

    # Network jobs run where the network is: on the submit node when a cluster executor is used.
    localrules:
        hubstats_download,

    rule hubstats_download:
        output:
            models=f"{ROOT}/hubstats/snapshot/models.parquet",
            datasets=f"{ROOT}/hubstats/snapshot/datasets.parquet",
            manifest=f"{ROOT}/hubstats/snapshot/manifest.json",
        wildcard_constraints:
            **of_sources("hubstats"),
        params:
            repo=lambda wildcards: snapshot(wildcards).config["hubstats_repo"],
            revision=lambda wildcards: snapshot(wildcards).config["hubstats_revision"],
            models_file=lambda wildcards: snapshot(wildcards).config["hubstats_models_file"],
            datasets_file=lambda wildcards: snapshot(wildcards).config["hubstats_datasets_file"],
            endpoint=lambda wildcards: snapshot(wildcards).config["hub_endpoint"],
        log:
            f"{ROOT}/logs/hubstats/download.log",
        benchmark:
            f"{ROOT}/benchmarks/hubstats_download.tsv"
        conda:
            "../envs/hubreuse.yaml"
        script:
            "../scripts/hubstats_download.py"


if SOURCES & {"demo", "dump", "hubstats"}:

    rule index_dump:
        input:
            # source: hubstats: the downloaded snapshot file, read as it is, and the manifest of its commit.
            unpack(dump_inputs),
        output:
            index=temp(f"{ROOT}/interim/{{kind}}_index.parquet"),
            # Each task's records, cut while indexing: a collect job reads its task's, not the whole index.
            cuts=temp(directory(f"{ROOT}/interim/{{kind}}_cuts")),
            manifest=f"{ROOT}/interim/{{kind}}_index.json",
        wildcard_constraints:
            **of_sources("demo", "dump", "hubstats"),
        params:
            label=lambda wildcards: f"{wildcards.kind}_dump",
            source=lambda wildcards: snapshot(wildcards).source,
            tasks=index_tasks(),
            # The dump's content, not its mtime, decides whether everything downstream is stale.
            identity=dump_identity,
            # A snapshot as of its date (demo, or exclude_after_date): records created later are left out.
            cutoff=lambda wildcards: snapshot(wildcards).cutoff,
        log:
            f"{ROOT}/logs/index_dump/{{kind}}.log",
        benchmark:
            f"{ROOT}/benchmarks/index_dump/{{kind}}.tsv"
        conda:
            "../envs/hubreuse.yaml"
        script:
            "../scripts/index_dump.py"

    rule check_dumps:
        input:
            models=f"{ROOT}/interim/models_index.json",
            datasets=f"{ROOT}/interim/datasets_index.json",
        output:
            f"{ROOT}/interim/dumps_check.json",
        wildcard_constraints:
            **of_sources("demo", "dump", "hubstats"),
        params:
            tasks=index_tasks(),
        log:
            f"{ROOT}/logs/check_dumps.log",
        benchmark:
            f"{ROOT}/benchmarks/check_dumps.tsv"
        conda:
            "../envs/hubreuse.yaml"
        script:
            "../scripts/check_dumps.py"


if TASKS_ALL:

    # tasks: all: the snapshot's tasks, known before the per-task fan-out: the collect, parse and later jobs are
    # planned from this checkpoint's list. From a dump: the distinct pipeline tags of its models
    # (hubreuse/collect/tasks.py); source api: the Hub's task list (GET /api/tasks), fetched where the network is.
    if "api" in SOURCES:

        localrules:
            task_list,

    checkpoint task_list:
        input:
            unpack(task_list_sources),
        output:
            tasks=TASK_LIST,
            summary=f"{ROOT}/interim/task_list.json",
        params:
            source=lambda wildcards: snapshot(wildcards).source,
            label=task_list_label,
            endpoint=api_endpoint,
        log:
            f"{ROOT}/logs/task_list.log",
        benchmark:
            f"{ROOT}/benchmarks/task_list.tsv"
        conda:
            "../envs/hubreuse.yaml"
        script:
            "../scripts/task_list.py"


if "api" in SOURCES:

    # Live API collection needs the network, which cluster compute nodes often lack: it runs on the
    # submit node (local jobs still count against the global hub_api bound set in the profiles). In a run whose
    # snapshots mix api with other sources, every collect job is local: they are short cuts of an index.
    localrules:
        collect,


rule collect:
    input:
        # From a dump: the task's records are cut from both indexes once the dumps passed their checks.
        unpack(collect_inputs),
    output:
        **listing_outputs(),
    params:
        source=lambda wildcards: snapshot(wildcards).source,
        endpoint=api_endpoint,
        # source: api: the listing's checkpoints, and the task's log across failed sessions (Snakemake empties
        # the job's log before each run).
        state_dir=lambda wildcards: api_partial(wildcards, "raw/.partial/{{kind}}/{task}"),
        session_log=lambda wildcards: api_partial(wildcards, "raw/.partial/sessions/{task}.log"),
        # declarations: tags needs no card: the light models listing (hubreuse/collect/hub_pages.py).
        light=lambda wildcards: snapshot(wildcards).source == "api" and snapshot(wildcards).declarations == "tags",
    resources:
        hub_api=lambda wildcards: int(snapshot(wildcards).source == "api"),
    log:
        f"{ROOT}/logs/collect/{{task}}.log",
    benchmark:
        f"{ROOT}/benchmarks/collect/{{task}}.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/collect.py"


rule raw_manifest:
    input:
        listings=listing_manifests,
        indexes=index_manifests,
        **task_list_input(),
    output:
        f"{ROOT}/raw/manifest.json",
    params:
        config=lambda wildcards: snapshot(wildcards).config,
        snapshot=lambda wildcards: snapshot(wildcards).describe() if SNAPSHOTS else {},
        domains=task_domains,
    log:
        f"{ROOT}/logs/raw_manifest.log",
    benchmark:
        f"{ROOT}/benchmarks/raw_manifest.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/raw_manifest.py"
