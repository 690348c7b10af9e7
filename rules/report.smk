# Report: HTML and PDF (and one SVG per figure) from the stats tables and the run's provenance.
# Registered with report() so `snakemake --report report.html` bundles them. One report per run: with
# snapshots:, its sections describe the newest snapshot and "Change over time" compares them all.

rule report:
    input:
        **report_inputs(),
        template="report/report.html.j2",
        sections=report_sections(),
        css="report/report.css",
    output:
        html=report(f"{RESULTS}/report/report.html", caption="../report/captions/report/report_html.rst",
                    category="Report", labels={"format": "HTML"}),
        pdf=report(f"{RESULTS}/report/report.pdf", caption="../report/captions/report/report_pdf.rst",
                   category="Report", labels={"format": "PDF"}),
        # The effective config, for `snakemake --configfile` (the report's rerun command names it).
        config=report(f"{RESULTS}/report/config.yaml", caption="../report/captions/report/config.rst",
                      category="Report", labels={"format": "YAML"}),
        figures=reported_figures(),
    params:
        config=SINGLE.config if not SNAPSHOTS else config,
        tables=report_table_names(),
        figures=report_figures(),
        snapshots=[snap.describe() for snap in SNAPSHOTS.values()],
    threads: 2
    log:
        f"{RESULTS}/logs/report.log",
    benchmark:
        f"{RESULTS}/benchmarks/report.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/report.py"
