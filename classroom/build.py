"""The student notebooks ``exercises/NN_*.ipynb``, built from the solution notebooks ``notebooks/NN_*.ipynb``.

Each solution region becomes a stub (code) or a prompt (markdown derivation), hidden tests a comment; outputs
and execution counts are cleared and metadata normalized, so a rebuild is byte-identical and ``git diff
exercises/`` shows only real changes.
"""

import copy
from pathlib import Path

import nbformat

from classroom import NOTEBOOK_GLOB, write_atomic
from classroom.layout import ExerciseFormatError, cell_id, exercise_info, exercise_layout, replace_regions

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
# Cell metadata that the student notebooks keep: the exercise role (the grader matches solution cells by it)
# and tags. Everything else (execution timings, collapsed/scrolled state) is volatile.
KEPT_CELL_METADATA = ("exercise", "tags")
# Exercise metadata that stays: recorded wrong answers are for the self-test, not for students.
KEPT_EXERCISE_METADATA = ("id", "role", "points")


def student_notebook(notebook, name="notebook"):
    """Return the student version of a solution notebook.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        A solution notebook (nbformat 4); not modified.
    name : str
        Used in error messages, e.g. ``"notebooks/03_negative_sampling.ipynb"``; its two leading digits, if
        any, are the notebook number that exercise ids must start with.

    Returns
    -------
    nbformat.NotebookNode
        Solution regions replaced by stubs or prompts, hidden tests by a comment, ``wrong_answers`` metadata
        removed, outputs cleared, check cells marked non-deletable and read-only, metadata normalized.

    Raises
    ------
    ExerciseFormatError
        See :func:`classroom.layout.exercise_layout`.
    """
    exercise_layout(notebook, name)
    cells = []
    for index, cell in enumerate(notebook.cells):
        metadata = {key: copy.deepcopy(cell.metadata[key]) for key in KEPT_CELL_METADATA if key in cell.metadata}
        if isinstance(metadata.get("exercise"), dict):
            metadata["exercise"] = {key: value for key, value in metadata["exercise"].items()
                                    if key in KEPT_EXERCISE_METADATA}
        exercise_id, role = exercise_info(cell)
        fields = {"cell_type": cell.cell_type, "id": cell_id(cell, index), "metadata": metadata,
                  "source": cell.source}
        if cell.cell_type in ("code", "markdown"):
            fields["source"] = replace_regions(cell, exercise_id, name)
        if cell.cell_type == "code":
            fields["outputs"] = []
            fields["execution_count"] = None
            if role == "check":
                metadata.update(deletable=False, editable=False)
        elif "attachments" in cell:
            fields["attachments"] = copy.deepcopy(cell.attachments)
        cells.append(nbformat.from_dict(fields))
    return nbformat.from_dict({
        "nbformat": 4, "nbformat_minor": 5, "cells": cells,
        "metadata": {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}},
    })


def student_notebook_text(path):
    """The exact file contents ``build`` writes for the solution notebook at ``path``."""
    notebook = nbformat.read(path, as_version=4)
    text = nbformat.writes(student_notebook(notebook, str(path)))
    return text if text.endswith("\n") else text + "\n"


def build(source_dir, output_dir, check=False, out=None):
    """Write (or with ``check``, compare) the student notebooks of every ``NN_*.ipynb`` in ``source_dir``.

    With ``check=False``, changed files are rewritten (each through a temporary file and ``os.replace``),
    unchanged ones left alone, and ``NN_*.ipynb`` files in ``output_dir`` without a source notebook removed.
    Every notebook is checked before anything is written.

    Parameters
    ----------
    source_dir, output_dir : str or Path
    check : bool
        Write nothing; report stale, missing and extra files.
    out : file, optional
        Where the report goes (default stdout).

    Returns
    -------
    int
        The exit code: 0, or 1 if ``check`` found stale, missing or extra files.

    Raises
    ------
    ExerciseFormatError
        A solution notebook breaks the exercise format, ``source_dir`` has no ``NN_*.ipynb``, or the output
        directory is the source directory.
    """
    source_dir, output_dir = Path(source_dir), Path(output_dir)
    if output_dir.resolve() == source_dir.resolve():
        raise ExerciseFormatError(f"--output {output_dir} is the source directory: build would overwrite the solutions.")
    sources = sorted(source_dir.glob(NOTEBOOK_GLOB))
    if not sources:
        raise ExerciseFormatError(f"no solution notebooks {NOTEBOOK_GLOB} in {source_dir}")
    expected = {path.name: student_notebook_text(path) for path in sources}
    existing = {path.name for path in output_dir.glob(NOTEBOOK_GLOB)}
    missing = sorted(set(expected) - existing)
    extra = sorted(existing - set(expected))
    stale = sorted(name for name in set(expected) & existing
                   if (output_dir / name).read_bytes() != expected[name].encode("utf-8"))
    if check:
        for label, names in (("missing", missing), ("stale", stale), ("extra (no source notebook)", extra)):
            for file_name in names:
                print(f"{label}: {output_dir / file_name}", file=out)
        if missing or stale or extra:
            print(f"{output_dir} is not what `python -m classroom build` writes from {source_dir}; run it and "
                  "commit the result.", file=out)
            return 1
        print(f"{output_dir} is up to date ({len(expected)} notebooks).", file=out)
        return 0
    output_dir.mkdir(parents=True, exist_ok=True)
    for file_name in sorted(set(missing) | set(stale)):
        write_atomic(output_dir / file_name, expected[file_name])
        print(f"wrote {output_dir / file_name}", file=out)
    for file_name in extra:
        (output_dir / file_name).unlink()
        print(f"removed {output_dir / file_name} (no source notebook)", file=out)
    unchanged = len(expected) - len(missing) - len(stale)
    print(f"{len(expected)} student notebooks in {output_dir} ({unchanged} unchanged).", file=out)
    return 0

