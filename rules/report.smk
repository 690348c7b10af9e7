# Report: HTML and PDF (and one SVG per figure) from the stats tables and the run's provenance.
# Registered with report() so `snakemake --report report.html` bundles them.

rule report:
    input:
        **report_tables(),
        manifest="results/raw/manifest.json",
        template="report/report.html.j2",
        sections=report_sections(),
        css="report/report.css",
        **task_list_input(),  # tasks: all (see rule concentration in stats.smk)
    output:
        html=report("results/report/report.html", caption="../report/captions/report/report_html.rst",
                    category="Report", labels={"format": "HTML"}),
        pdf=report("results/report/report.pdf", caption="../report/captions/report/report_pdf.rst",
                   category="Report", labels={"format": "PDF"}),
        # The effective config, for `snakemake --configfile` (the report's rerun command names it).
        config=report("results/report/config.yaml", caption="../report/captions/report/config.rst",
                      category="Report", labels={"format": "YAML"}),
        figures=reported_figures(),
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
