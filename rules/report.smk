# Report: HTML and PDF (and one SVG per figure) from the stats tables and the run's provenance.
# Registered with report() so `snakemake --report report.html` bundles them.

rule report:
    input:
        **report_tables(),
        manifest="results/raw/manifest.json",
        template="report/report.html.j2",
        sections=report_sections(),
        css="report/report.css",
    output:
        html=report("results/report/report.html", category="Report", labels={"format": "HTML"}),
        pdf=report("results/report/report.pdf", category="Report", labels={"format": "PDF"}),
        figures=report(
            list(report_figures().values()),
            category="Figures",
        ),
    params:
        config=config,
        tables=report_tables(),
        figures=report_figures(),
    threads: 2
    log:
        "results/logs/report.log",
    benchmark:
        "results/benchmarks/report.tsv"
    conda:
        "../envs/hubreuse.yaml"
    script:
        "../scripts/report.py"
