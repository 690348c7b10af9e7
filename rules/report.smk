# Report: HTML and PDF from the stats tables and the run's provenance.


rule report:
    input:
        **rq_tables(),
        manifest="results/raw/manifest.json",
        templates="report/report.html.j2",
    output:
        html="results/report/report.html",
        pdf="results/report/report.pdf",
    params:
        config=config,
        template_dir="report",
    log:
        "results/logs/report.log",
    conda:
        "../envs/report.yaml"
    script:
        "../scripts/report.py"
