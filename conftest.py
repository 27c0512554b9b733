"""Repository-wide pytest set-up, shared by the unit tests and the notebook checks."""

import os

# On a 2-core machine, BLAS and OpenMP thread pools oversubscribe the CPU when two notebooks run side by side
# (one t-SNE cell varied from 0.05 s to 26 s). Kernels inherit this environment from the pytest process.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def pytest_collectstart(collector):
    # Progress bars and library warnings go to stderr and vary from run to run; stdout and results are compared.
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)
