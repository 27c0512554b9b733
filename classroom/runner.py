"""The course notebooks executed top to bottom in a fresh kernel and stored with their outputs.

Stored notebooks are what learners read on the web and what nbval compares in strict mode, so each runs from a
fresh kernel with execution counts 1..N, and volatile metadata (timings, kernel versions) is dropped so that
running twice gives byte-identical files. The file is replaced only once the whole notebook has run.
"""

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from classroom import NOTEBOOK_GLOB, ROOT, write_atomic


def run_notebook(path, timeout=600):
    """Execute the notebook at ``path`` in its own directory and store it with its outputs."""
    path = Path(path).resolve()
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    _merge_stream_outputs(notebook)
    _strip_volatile_metadata(notebook)
    text = nbformat.writes(notebook)
    write_atomic(path, text if text.endswith("\n") else text + "\n")


def run(paths=(), out=None):
    """Run ``paths`` (default: every ``notebooks/NN_*.ipynb``), one line of timing each; return 0."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    for path in paths or sorted((ROOT / "notebooks").glob(NOTEBOOK_GLOB)):
        start = time.perf_counter()
        run_notebook(path)
        print(f"{Path(path).name}: ran in {time.perf_counter() - start:.1f} s", file=out or sys.stderr)
    return 0


def _merge_stream_outputs(notebook):
    # Under load the kernel may split one printed line across several stream messages; merging them keeps the
    # stored file identical from run to run (nbval merges them too before comparing).
    for cell in notebook.cells:
        merged = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (output.output_type == "stream" and previous is not None and previous.output_type == "stream"
                    and previous.name == output.name):
                previous.text += output.text
            else:
                merged.append(output)
        if "outputs" in cell:
            cell.outputs = merged


def _strip_volatile_metadata(notebook):
    notebook.metadata.pop("widgets", None)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    notebook.metadata["language_info"] = {"name": "python"}
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
