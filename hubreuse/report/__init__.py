"""Stage report: the HTML and PDF report rendered from the stats tables (it computes no statistics)."""
