"""Execute the course notebooks top to bottom in a fresh kernel and store them with their outputs.

    python scripts/run_notebooks.py                  # every notebook in notebooks/
    python scripts/run_notebooks.py notebooks/03_*.ipynb

Stored notebooks are what learners read on the web and what nbval compares in strict mode, so each is run
from a fresh kernel with execution counts 1..N, and volatile metadata (timings, kernel versions) is dropped
so that running this twice gives byte-identical files.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def run_notebook(path, timeout=600):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    _merge_stream_outputs(notebook)
    _strip_volatile_metadata(notebook)
    nbformat.write(notebook, path)


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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: notebooks/*.ipynb)")
    args = parser.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        start = time.perf_counter()
        run_notebook(path.resolve())
        print(f"{path.name}: ran in {time.perf_counter() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
