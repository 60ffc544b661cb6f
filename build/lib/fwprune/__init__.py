"""fwprune: pruning a small CNN with magnitude and Frank-Wolfe methods.

The science lives here as plain functions; the Snakemake workflow only calls them.
Keras must see its backend before its first import, hence the default set here.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
