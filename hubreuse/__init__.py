"""hubreuse: measure how datasets and models are reused on the Hugging Face Hub.

The package holds all logic of the Snakemake workflow; the scripts under ``scripts/`` only unpack
``snakemake.input/output/params`` and call functions from here.
"""

__version__ = "0.1.0"
