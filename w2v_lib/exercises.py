"""Student notebooks and grading for the course's exercises.

The course notebooks ``notebooks/NN_*.ipynb`` hold every exercise with its solution, in the format of
CONTRIBUTING.md: a solution cell (cell metadata ``{"exercise": {"id": "N.k", "role": "solution"}}``) whose
solution sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION``, and check cells (role ``"check"``) that
may hold checks between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``. This module

* builds the student notebooks ``exercises/NN_*.ipynb``: each solution region becomes
  ``raise NotImplementedError(...)`` at the region's indentation, each hidden-test region becomes a comment,
  outputs and execution counts are cleared and metadata normalized, so a rebuild is byte-identical;
* grades submitted student notebooks. The graded notebook is the instructor's notebook with only the student's
  solution cells put in (matched by exercise id), so a student cannot pass by editing or deleting a check. An
  exercise passes when all its check cells run without error.

Command line (``python -m w2v_lib exercises ...``)::

    build [--source DIR] [--output DIR] [--check]
    grade SUBMISSION.ipynb [...] [--source DIR] [--timeout S] [--total-timeout S] [--json]

Without ``--source``/``--output`` the directories are ``notebooks/`` and ``exercises/`` of the checkout this
package lives in (``w2v_lib/..``), whatever the current directory. Paths given on the command line are
relative to the current directory.

Exit codes: 0 success (``grade``: every submission was graded, however badly it did; an unreadable, crashing or
endless submission is a graded result with a message); 1 ``build --check`` found stale, missing or extra files,
a solution notebook breaks the exercise format, or a submission could not be graded for a reason on the
grader's side (no such file, no matching solution notebook, the kernel did not start, a cell of the solution
notebook that is not an exercise cell failed); 2 a command-line usage error.
"""

import argparse
import copy
import json
import math
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
# Cell metadata that the student notebooks keep: the exercise role (the grader matches solution cells by it)
# and tags. Everything else (execution timings, collapsed/scrolled state) is volatile.
KEPT_CELL_METADATA = ("exercise", "tags")

# Any line that looks like a marker: a misspelt one ("## BEGIN SOLUTION") would otherwise leak a solution.
_MARKER_LIKE = re.compile(r"^\s*#+\s*(BEGIN|END)\s+(SOLUTION|HIDDEN\s+TESTS)\b", re.IGNORECASE)
_EXERCISE_ID = re.compile(r"^([0-9]+)\.([0-9]+)$")
_EXERCISE_HEADING = re.compile(r"^#+\s*Exercise\s+([0-9]+\.[0-9]+)\s*:?\s*(.*?)\s*$")


class ExerciseFormatError(ValueError):
    """A solution notebook does not follow the exercise format of CONTRIBUTING.md."""


# ----------------------------------------------------------------------------------------------------------
# Building the student notebooks


def student_notebook(notebook, name="notebook"):
    """Return the student version of a solution notebook.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        A solution notebook (nbformat 4); not modified.
    name : str
        Used in error messages, e.g. ``"notebooks/03_negative_sampling.ipynb"``. Its two leading digits, if
        any, are the notebook number that exercise ids ``N.k`` must start with.

    Returns
    -------
    nbformat.NotebookNode
        Solution regions replaced by stubs, hidden tests by a comment, outputs cleared, check cells marked
        non-deletable and read-only, metadata normalized.

    Raises
    ------
    ExerciseFormatError
        Unbalanced or misspelt markers, a solution region outside a solution cell, a solution cell without a
        solution region, bad exercise metadata, an exercise without a solution cell or without a check cell.
        The message names the notebook and the cell (counted from 1).
    """
    exercise_layout(notebook, name)
    cells = []
    for index, cell in enumerate(notebook.cells):
        metadata = {key: copy.deepcopy(cell.metadata[key]) for key in KEPT_CELL_METADATA if key in cell.metadata}
        fields = {"cell_type": cell.cell_type, "id": _cell_id(cell, index), "metadata": metadata,
                  "source": cell.source}
        if cell.cell_type == "code":
            exercise_id, role = _exercise_info(cell)
            regions = _regions(cell.source, _where(name, index, cell))
            fields["source"] = _replace_regions(cell.source, regions, exercise_id)
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


def exercise_layout(notebook, name="notebook"):
    """Check a solution notebook's exercises and say which cells belong to each.

    Returns
    -------
    dict
        Exercise id → ``{"title": str, "solution_cells": [int], "check_cells": [int]}`` (cell indices from 0),
        in the order the exercises first appear.

    Raises
    ------
    ExerciseFormatError
        See ``student_notebook``.
    """
    number = re.match(r"([0-9]{2})_", Path(name).name)
    titles = _exercise_titles(notebook)
    layout = {}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        where = _where(name, index, cell)
        kinds = {region[0] for region in _regions(cell.source, where)}
        info = cell.metadata.get("exercise")
        if info is None:
            if "solution" in kinds:
                raise ExerciseFormatError(
                    f"{where}: a {SOLUTION_MARKERS[0]} region in a cell without exercise metadata would leak into "
                    'the student notebook; give the cell the metadata {"exercise": {"id": "N.k", "role": '
                    '"solution"}} or remove the markers.')
            if "hidden" in kinds:
                raise ExerciseFormatError(
                    f"{where}: hidden tests belong in a check cell (metadata "
                    '{"exercise": {"id": "N.k", "role": "check"}}).')
            continue
        exercise_id, role = _validate_info(info, where, number)
        if role == "solution" and "solution" not in kinds:
            raise ExerciseFormatError(
                f"{where}: solution cell of exercise {exercise_id} has no {SOLUTION_MARKERS[0]} ... "
                f"{SOLUTION_MARKERS[1]} region, so students would see the whole solution.")
        if role == "check" and "solution" in kinds:
            raise ExerciseFormatError(f"{where}: a check cell of exercise {exercise_id} holds a solution region.")
        if role == "solution" and "hidden" in kinds:
            raise ExerciseFormatError(f"{where}: hidden tests belong in a check cell, not a solution cell.")
        entry = layout.setdefault(exercise_id, {
            "title": titles.get(exercise_id, f"Exercise {exercise_id}"), "solution_cells": [], "check_cells": []})
        entry[f"{role}_cells"].append(index)
    for exercise_id, entry in layout.items():
        for role in ("solution", "check"):
            if not entry[f"{role}_cells"]:
                raise ExerciseFormatError(
                    f"{name}: exercise {exercise_id} has no {role} cell (cell metadata "
                    f'{{"exercise": {{"id": "{exercise_id}", "role": "{role}"}}}}).')
    return layout


def build(source_dir, output_dir, check=False, out=None):
    """Write (or with ``check``, compare) the student notebooks of every ``NN_*.ipynb`` in ``source_dir``.

    Student notebooks that build would write are ``output_dir/NN_*.ipynb`` with the source's file name. With
    ``check=False``, changed files are rewritten, unchanged ones left alone, and ``NN_*.ipynb`` files in
    ``output_dir`` without a source notebook removed. Every notebook is checked before anything is written.

    Returns
    -------
    int
        The exit code: 0, or 1 if ``check`` found stale, missing or extra files.

    Raises
    ------
    ExerciseFormatError
        A solution notebook breaks the exercise format, or ``source_dir`` has no ``NN_*.ipynb``.
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
            print(f"{output_dir} is not what `python -m w2v_lib exercises build` writes from {source_dir}; "
                  "run it and commit the result.", file=out)
            return 1
        print(f"{output_dir} is up to date ({len(expected)} notebooks).", file=out)
        return 0
    output_dir.mkdir(parents=True, exist_ok=True)
    for file_name in sorted(set(missing) | set(stale)):
        with open(output_dir / file_name, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(expected[file_name])
        print(f"wrote {output_dir / file_name}", file=out)
    for file_name in extra:
        (output_dir / file_name).unlink()
        print(f"removed {output_dir / file_name} (no source notebook)", file=out)
    unchanged = len(expected) - len(missing) - len(stale)
    print(f"{len(expected)} student notebooks in {output_dir} ({unchanged} unchanged).", file=out)
    return 0


def student_notebook_text(path):
    """The exact file contents ``build`` writes for the solution notebook at ``path``."""
    notebook = nbformat.read(path, as_version=4)
    text = nbformat.writes(student_notebook(notebook, str(path)))
    return text if text.endswith("\n") else text + "\n"


def _regions(source, where):
    """Return ``[(kind, begin_line, end_line, indent)]`` for the marked regions of a code cell's source."""
    regions, open_region = [], None
    for number, line in enumerate(source.split("\n")):
        if not _MARKER_LIKE.match(line):
            continue
        marker = line.strip()
        if marker in SOLUTION_MARKERS:
            kind, begins = "solution", marker == SOLUTION_MARKERS[0]
        elif marker in HIDDEN_MARKERS:
            kind, begins = "hidden", marker == HIDDEN_MARKERS[0]
        else:
            raise ExerciseFormatError(
                f"{where}, line {number + 1}: {marker!r} looks like a marker but is not one of "
                f"{SOLUTION_MARKERS + HIDDEN_MARKERS}.")
        if begins and open_region is not None:
            raise ExerciseFormatError(
                f"{where}, line {number + 1}: {marker} inside the region opened on line {open_region[1] + 1}; "
                "close it first.")
        if not begins and (open_region is None or open_region[0] != kind):
            raise ExerciseFormatError(f"{where}, line {number + 1}: {marker} without a matching BEGIN line.")
        if begins:
            open_region = (kind, number, line[:len(line) - len(line.lstrip())])
        else:
            regions.append((kind, open_region[1], number, open_region[2]))
            open_region = None
    if open_region is not None:
        raise ExerciseFormatError(
            f"{where}, line {open_region[1] + 1}: the region is never closed; add the matching END line.")
    return regions


def _replace_regions(source, regions, exercise_id):
    lines = source.split("\n")
    result, position = [], 0
    for kind, begin, end, indent in regions:
        result.extend(lines[position:begin])
        if kind == "solution":
            message = f"Exercise {exercise_id}: replace this line with your solution."
            result.extend([f"{indent}# YOUR CODE HERE", f'{indent}raise NotImplementedError("{message}")'])
        else:
            result.append(f"{indent}# (hidden tests run here when the notebook is graded)")
        position = end + 1
    result.extend(lines[position:])
    return "\n".join(result)


def _validate_info(info, where, number):
    if not isinstance(info, dict) or info.get("role") not in ("solution", "check"):
        raise ExerciseFormatError(
            f'{where}: exercise metadata must be {{"id": "N.k", "role": "solution" or "check"}}, got {info!r}.')
    exercise_id = info.get("id")
    match = _EXERCISE_ID.match(exercise_id) if isinstance(exercise_id, str) else None
    if match is None:
        raise ExerciseFormatError(f'{where}: exercise id must be a string "N.k" such as "3.2", got {exercise_id!r}.')
    if number is not None and int(match.group(1)) != int(number.group(1)):
        raise ExerciseFormatError(
            f"{where}: exercise id {exercise_id} should start with the notebook number {int(number.group(1))}.")
    return exercise_id, info["role"]


def _exercise_info(cell):
    """``(id, role)`` from a cell's exercise metadata, or ``(None, None)``; tolerant of malformed metadata."""
    info = cell.get("metadata", {}).get("exercise")
    if not isinstance(info, dict) or not isinstance(info.get("id"), str):
        return None, None
    return info["id"], info.get("role")


def _exercise_titles(notebook):
    titles = {}
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.split("\n"):
                match = _EXERCISE_HEADING.match(line.strip())
                if match:
                    title = match.group(2)
                    titles.setdefault(match.group(1), f"Exercise {match.group(1)}" + (f": {title}" if title else ""))
    return titles


def _cell_id(cell, index):
    cell_id = cell.get("id")
    return cell_id if isinstance(cell_id, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", cell_id) else f"cell-{index}"


def _where(name, index, cell):
    first_line = next((line.strip() for line in cell.source.split("\n") if line.strip()), "")
    return f"{name}, cell {index + 1} ({first_line[:40]!r})"


# ----------------------------------------------------------------------------------------------------------
# Grading


def grade(submission, source_dir, timeout=60, total_timeout=900):
    """Grade one submitted student notebook against the instructor's checks.

    The graded notebook is the solution notebook from ``source_dir`` with the same file name (or, failing
    that, the only one with the same two-digit number), with its solution cells replaced by the submission's
    solution cells of the same exercise id (in order, when an exercise has several). A solution cell missing
    from the submission counts as the stub. Everything else, including every check cell and its hidden tests,
    is the instructor's. It runs in a fresh ``python3`` kernel whose working directory is a temporary
    directory next to ``source_dir`` (so that paths such as ``../data/...``, relative to the notebook's
    directory, work as they do when the notebook itself runs), or in the system's temporary directory if that
    one is read-only. An error in one of the instructor's other cells is reported in ``error``.

    Parameters
    ----------
    submission : str or Path
    source_dir : str or Path
        The solution notebooks.
    timeout : float
        Seconds each cell may run; a cell that takes longer is interrupted and reported.
    total_timeout : float
        Seconds the whole notebook may run; cells after that are not run.

    Returns
    -------
    dict
        ``notebook`` (the submission's path), ``score`` (exercises passed), ``max_score``, ``exercises`` (a list
        of ``{"id", "name", "passed", "message"}``), ``error`` (None, or what stopped grading or made the
        submission unreadable) and ``graded`` (False when the grader's side, not the submission, is at fault).
    """
    submission = Path(submission)
    result = {"notebook": str(submission), "score": 0, "max_score": 0, "exercises": [], "error": None,
              "graded": False}
    if not submission.is_file():
        result["error"] = f"no such file: {submission}"
        return result
    try:
        instructor_path = find_solution_notebook(submission, source_dir)
        instructor = nbformat.read(instructor_path, as_version=4)
        layout = exercise_layout(instructor, str(instructor_path))
    except (LookupError, ExerciseFormatError, OSError, ValueError) as error:
        result["error"] = str(error)
        return result
    result["max_score"] = len(layout)
    try:
        solutions = _submitted_solutions(submission)
    except Exception as error:  # any way a file can fail to be a notebook: report it, grade the others
        result["error"] = f"not a readable notebook: {type(error).__name__}: {_first_line(error)}"
        result["exercises"] = [_outcome(exercise_id, entry, False, result["error"])
                               for exercise_id, entry in layout.items()]
        result["graded"] = True
        return result
    if not solutions:
        result["error"] = ("the submission has no exercise solution cells (cell metadata \"exercise\"): "
                           "was it made from the student notebook in exercises/?")
    notebook = _graded_notebook(instructor, layout, solutions, str(instructor_path))
    try:
        problems = _execute(notebook, timeout, total_timeout, Path(source_dir))
    except Exception as error:  # the kernel did not start: nothing of the student's has run yet
        result["error"] = f"grading failed: {type(error).__name__}: {_first_line(error)}"
        return result
    for exercise_id, entry in layout.items():
        result["exercises"].append(_outcome(exercise_id, entry, *_judge(notebook, entry, problems)))
    result["score"] = sum(exercise["passed"] for exercise in result["exercises"])
    lesson_error = _lesson_error(notebook, layout)
    # An error in the instructor's own cells means the results cannot be trusted until it is fixed.
    result["error"] = "; ".join(filter(None, [result["error"], lesson_error])) or None
    result["graded"] = lesson_error is None
    return result


def find_solution_notebook(submission, source_dir):
    """The solution notebook in ``source_dir`` that ``submission`` (a path) was made from.

    Same file name first; otherwise the only ``NN_*.ipynb`` with the submission's two-digit prefix, so that
    ``03_negative_sampling_alice.ipynb`` is graded against ``03_negative_sampling.ipynb``.
    """
    submission, source_dir = Path(submission), Path(source_dir)
    candidate = source_dir / submission.name
    if candidate.is_file():
        return candidate
    prefix = re.match(r"([0-9]{2})_", submission.name)
    candidates = sorted(source_dir.glob(f"{prefix.group(1)}_*.ipynb")) if prefix else []
    if len(candidates) == 1:
        return candidates[0]
    raise LookupError(
        f"no solution notebook for {submission.name} in {source_dir}: the submission's file name must start "
        "with its notebook's number (e.g. 03_..., as in exercises/), or pass --source DIR.")


def _submitted_solutions(path):
    """Exercise id → the sources of the submission's solution cells, in order."""
    notebook = nbformat.read(path, as_version=4)
    solutions = {}
    for cell in notebook.cells:
        exercise_id, role = _exercise_info(cell)
        if cell.cell_type == "code" and role == "solution" and isinstance(cell.source, str):
            solutions.setdefault(exercise_id, []).append(cell.source)
    return solutions


def _graded_notebook(instructor, layout, solutions, name):
    notebook = copy.deepcopy(instructor)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    for exercise_id, entry in layout.items():
        submitted = solutions.get(exercise_id, [])
        for position, index in enumerate(entry["solution_cells"]):
            cell = notebook.cells[index]
            if position < len(submitted):
                cell.source = submitted[position]
            else:
                cell.source = _replace_regions(cell.source, _regions(cell.source, name), exercise_id)
    return notebook


def _execute(notebook, timeout, total_timeout, source_dir):
    """Run the notebook's code cells in order; return cell index → why it did not run normally."""
    problems = {}
    try:
        workspace = tempfile.TemporaryDirectory(prefix=".w2v-grade-", dir=source_dir.resolve().parent)
    except OSError:
        workspace = tempfile.TemporaryDirectory(prefix="w2v-grade-")
    with workspace as workdir:
        client = NotebookClient(notebook, timeout=math.ceil(timeout), kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": workdir}})
        # The kernel's own stderr is start-up noise; what the student's code prints comes back as outputs.
        with client.setup_kernel(stderr=subprocess.DEVNULL):
            deadline = time.monotonic() + total_timeout  # from the kernel's start: its start-up is not the student's
            code_cells = [index for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
            for position, index in enumerate(code_cells):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    for later in code_cells[position:]:
                        problems[later] = f"not run: the notebook used up its overall time limit of {total_timeout:g} s"
                    break
                client.timeout = max(1, math.ceil(min(timeout, remaining)))
                try:
                    client.execute_cell(notebook.cells[index], index)
                except CellTimeoutError:
                    problems[index] = f"did not finish within {client.timeout} s (an endless loop?)"
                    run_sync(client.km.interrupt_kernel)()
                except DeadKernelError:
                    problems[index] = "the Python kernel died while running it (os._exit, a crash or out of memory)"
                    for later in code_cells[position + 1:]:
                        problems[later] = "not run: the kernel died in an earlier cell"
                    break
    return problems


def _judge(notebook, entry, problems):
    """(passed, message) of one exercise from its cells' outputs and run problems."""
    for index in entry["solution_cells"]:
        if index in problems:
            return False, f"your solution cell {problems[index]}"
    solution_errors = [error for error in (_error_output(notebook.cells[index]) for index in entry["solution_cells"])
                       if error is not None and error.ename != "NotImplementedError"]
    solution_error = solution_errors[0] if solution_errors else None
    ticks = []
    for index in entry["check_cells"]:
        if index in problems:
            return False, f"the check {problems[index]}"
        error = _error_output(notebook.cells[index])
        if error is not None:
            message = error.evalue if error.ename in ("CheckFailed", "NotImplementedError") else (
                f"{error.ename}: {error.evalue}" if error.evalue else error.ename)
            if solution_error is not None:
                message = (f"your solution cell raised {solution_error.ename}: {solution_error.evalue} "
                           f"(then the check said: {message})")
            return False, message
        ticks.extend(line.strip() for output in notebook.cells[index].outputs
                     if output.output_type == "stream" and output.name == "stdout"
                     for line in output.text.split("\n") if line.strip().startswith("✓"))
    return True, " ".join(ticks) or "all checks ran without error"


def _lesson_error(notebook, layout):
    """What the first of the solution notebook's non-exercise cells to fail raised, or None.

    Cells tagged ``raises-exception`` (nbval's tag for a cell that shows an error on purpose) do not count.
    """
    exercise_cells = {index for entry in layout.values() for index in entry["solution_cells"] + entry["check_cells"]}
    for index, cell in enumerate(notebook.cells):
        expected = index in exercise_cells or "raises-exception" in cell.metadata.get("tags", [])
        error = _error_output(cell) if cell.cell_type == "code" and not expected else None
        if error is not None:
            return (f"cell {index + 1} of the solution notebook (not an exercise cell) raised {error.ename}: "
                    f"{_first_line(error.evalue)}; exercises that rely on it may fail")
    return None


def _error_output(cell):
    return next((output for output in cell.outputs if output.output_type == "error"), None)


def _outcome(exercise_id, entry, passed, message):
    return {"id": exercise_id, "name": entry["title"], "passed": bool(passed), "message": message}


def _first_line(error):
    text = str(error).strip()
    return text.split("\n")[0][:300] if text else "(no message)"


def _print_table(result, out):
    print(f"{result['notebook']}: {result['score']}/{result['max_score']}", file=out)
    if result["error"]:
        print(f"  note: {result['error']}", file=out)
    for exercise in result["exercises"]:
        verdict = "passed" if exercise["passed"] else "FAILED"
        print(f"  {exercise['id']:<6} {verdict:<7} {exercise['message']}", file=out)


# ----------------------------------------------------------------------------------------------------------
# Command line


def main(argv=None):
    """``python -m w2v_lib exercises build|grade ...``; returns the exit code (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog="python -m w2v_lib exercises",
        description="Build the student notebooks from the solution notebooks, or grade submissions.")
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser(
        "build", help="write exercises/NN_*.ipynb from notebooks/NN_*.ipynb",
        description="Write the student notebooks: solutions replaced by stubs raising NotImplementedError, "
                    "hidden tests removed, outputs cleared. Rebuilding gives byte-identical files.")
    build_parser.add_argument("--source", type=Path, default=ROOT / "notebooks", metavar="DIR",
                              help="solution notebooks (default: %(default)s)")
    build_parser.add_argument("--output", type=Path, default=ROOT / "exercises", metavar="DIR",
                              help="where the student notebooks go (default: %(default)s)")
    build_parser.add_argument("--check", action="store_true",
                              help="write nothing; exit 1 and list the files if the output is not up to date")
    grade_parser = commands.add_parser(
        "grade", help="grade submitted student notebooks with the instructor's checks",
        description="Run each submission's solution cells inside the instructor's notebook (its own lesson and "
                    "check cells, hidden tests included) and score the exercises. This executes the "
                    "submitted code: grade untrusted submissions inside a sandbox or container.")
    grade_parser.add_argument("submissions", nargs="+", type=Path, metavar="SUBMISSION",
                              help="student notebooks NN_*.ipynb")
    grade_parser.add_argument("--source", type=Path, default=ROOT / "notebooks", metavar="DIR",
                              help="solution notebooks to grade against (default: %(default)s)")
    grade_parser.add_argument("--timeout", type=float, default=60, metavar="SECONDS",
                              help="seconds each cell may run (default: %(default)s)")
    grade_parser.add_argument("--total-timeout", type=float, default=900, metavar="SECONDS",
                              help="seconds a whole submission may run (default: %(default)s)")
    grade_parser.add_argument("--json", action="store_true",
                              help="print one JSON object per submission, one per line")
    args = parser.parse_args(argv)
    if not args.source.is_dir():
        parser.error(f"--source {args.source} is not a directory")
    if args.command == "build":
        try:
            return build(args.source, args.output, check=args.check)
        except ExerciseFormatError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    if args.timeout <= 0 or args.total_timeout <= 0:
        parser.error("--timeout and --total-timeout must be positive")
    exit_code = 0
    for submission in args.submissions:
        print(f"grading {submission} ...", file=sys.stderr)
        result = grade(submission, args.source, timeout=args.timeout, total_timeout=args.total_timeout)
        if not result.pop("graded"):
            exit_code = 1
        if args.json:
            print(json.dumps(result, ensure_ascii=False), flush=True)
        else:
            _print_table(result, None)
    return exit_code
