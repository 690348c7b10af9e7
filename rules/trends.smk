# Trends: with snapshots:, every snapshot's tables side by side (results/tables/trend_<name>.csv). A run without
# snapshots has no such job. Adding a snapshot reruns this job and the report, and the new snapshot's own jobs.

if SNAPSHOTS:

    rule trends:
        input:
            unpack(trend_inputs),
        output:
            **{name: reported_table(f"trend_{name}", RESULTS) for name in TREND_TABLES},
        params:
            snapshots=[snap.describe() for snap in SNAPSHOTS.values()],
            tables={name: trend_sources(name) for name in SNAPSHOTS},
        log:
            f"{RESULTS}/logs/trends.log",
        benchmark:
            f"{RESULTS}/benchmarks/trends.tsv"
        conda:
            "../envs/hubreuse.yaml"
        script:
            "../scripts/trends.py"
