"""Repository-wide pytest set-up: the unit tests and the notebook checks.

* ``python -m pytest tests/`` runs the unit tests; nbval need not even be installed.
* ``python -m pytest notebooks/`` re-executes every course notebook and compares its outputs with the stored ones
  (strict nbval: every output compared, in this environment's kernel, through ``tests/nbval_sanitize.cfg``;
  stderr is not compared).
* ``python -m pytest`` runs both (``testpaths``). With pytest-xdist, ``-n 2 --dist loadscope`` runs them on two
  cores; ``--dist loadscope`` keeps each notebook in one worker, since its cells share one kernel.

Only ``notebooks/*.ipynb`` are collected this way: the student notebooks in ``exercises/`` raise in their stubs
by design, and ``tests/fixtures/`` holds inputs of the unit tests. ``--nbval`` or ``--nbval-lax`` on the command
line hand collection back to nbval itself, for any notebook.
"""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
NOTEBOOKS = ROOT / "notebooks"
SANITIZER = ROOT / "tests" / "nbval_sanitize.cfg"

# On a 2-core machine, BLAS and OpenMP thread pools oversubscribe the CPU when two notebooks run side by side
# (one t-SNE cell varied from 0.05 s to 26 s). Kernels inherit this environment from the pytest process.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def pytest_configure(config):
    if config.pluginmanager.hasplugin("nbval"):
        # Always the kernel of the environment under test (not the one named in the notebook's metadata), and the
        # course's sanitizer, unless the command line names others.
        if not config.option.nbval_kernel_name:
            config.option.nbval_current_env = True
        if not config.option.nbval_sanitize_with:
            config.option.nbval_sanitize_with = str(SANITIZER)
    dist = getattr(config.option, "dist", "no")
    if getattr(config.option, "numprocesses", None) and dist not in ("loadscope", "loadfile", "no") \
            and _selects_notebooks(config):
        raise pytest.UsageError(
            f"--dist {dist} would split a notebook's cells across workers, but they share one kernel: "
            "add --dist loadscope (python -m pytest -n 2 --dist loadscope).")


def pytest_collect_file(file_path, parent):
    options = parent.config.option
    if file_path.suffix != ".ipynb" or file_path.resolve().parent != NOTEBOOKS:
        return None
    if getattr(options, "nbval", False) or getattr(options, "nbval_lax", False):
        return None  # nbval's own hook collects it
    if not parent.config.pluginmanager.hasplugin("nbval"):
        raise pytest.UsageError(f"{file_path.name}: checking notebooks needs nbval: "
                                "pip install -r requirements.txt (or run only the unit tests: pytest tests/)")
    from nbval.plugin import IPyNbFile

    return IPyNbFile.from_parent(parent, path=file_path)


def pytest_collectstart(collector):
    # Progress bars and library warnings go to stderr and vary from run to run; stdout and results are compared.
    if collector.path.suffix == ".ipynb":
        collector.skip_compare += ("stderr",)


def _selects_notebooks(config):
    """Whether the paths pytest was given (or ``testpaths``) include a course notebook."""
    for arg in config.args:
        path = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if path == NOTEBOOKS or NOTEBOOKS in path.parents or path in NOTEBOOKS.parents:
            return True
    return False
