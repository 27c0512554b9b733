"""The exercise format of CONTRIBUTING.md, read and checked.

An exercise ``N.k`` of notebook ``NN_*.ipynb`` is made of

* code solution cells (cell metadata ``{"exercise": {"id": "N.k", "role": "solution"}}``) holding the answer
  between ``### BEGIN SOLUTION`` and ``### END SOLUTION``; their metadata may list recorded common wrong
  answers, ``"wrong_answers": [{"mistake": "...", "source": "..."}]``, for the self-test;
* optional markdown solution cells (same metadata) holding a derivation between ``<!-- BEGIN SOLUTION -->`` and
  ``<!-- END SOLUTION -->``;
* check cells (role ``"check"``), code, optionally with ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``
  regions and ``"points": P`` (default 1).

Exercises may sit anywhere in the notebook: a derive-first exercise stands inside the lesson, before the
derivation it asks for.
"""

import re
from pathlib import Path

CODE_SOLUTION = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_TESTS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
MARKDOWN_SOLUTION = ("<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->")

# Any line that looks like a marker: a misspelt one ("## BEGIN SOLUTION", "<!-- BEGIN SOLUTON -->") would
# otherwise leave a solution in the student notebook.
_CODE_MARKER_LIKE = re.compile(r"^\s*#+\s*(BEGIN|END)\s+(SOLUTION|HIDDEN\s+TESTS)\b", re.IGNORECASE)
_MARKDOWN_MARKER_LIKE = re.compile(r"^\s*<!-{1,3}\s*(BEGIN|END)\s*[_ ]?SOLUT", re.IGNORECASE)
_EXERCISE_ID = re.compile(r"^([0-9]+)\.([0-9]+)$")
_EXERCISE_HEADING = re.compile(r"^#+\s*Exercise\s+([0-9]+\.[0-9]+)\s*:?\s*(.*?)\s*$")
_ROLES = ("solution", "check")


class ExerciseFormatError(ValueError):
    """A solution notebook does not follow the exercise format of CONTRIBUTING.md."""


def exercise_layout(notebook, name="notebook"):
    """Check a solution notebook's exercises and say which cells belong to each.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        A solution notebook (nbformat 4); not modified.
    name : str
        Used in error messages, e.g. ``"notebooks/03_negative_sampling.ipynb"``. Its two leading digits, if
        any, are the notebook number that exercise ids ``N.k`` must start with.

    Returns
    -------
    dict
        Exercise id → ``{"title": str, "points": float, "solution_cells": [int], "markdown_cells": [int],
        "check_cells": [int], "wrong_answers": [{"mistake": str, "source": str, "cell": int}]}`` (cell indices
        from 0), in the order the exercises first appear.

    Raises
    ------
    ExerciseFormatError
        Unbalanced or misspelt markers, a solution region outside a solution cell, a solution cell without a
        solution region, bad exercise metadata, an exercise without a code solution cell or without a check
        cell, points that are not a positive number. The message names the notebook and the cell (from 1).
    """
    number = re.match(r"([0-9]{2})_", Path(name).name)
    titles = exercise_titles(notebook)
    layout = {}
    points = {}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type not in ("code", "markdown"):
            continue
        where = cell_location(name, index, cell)
        kinds = {region[0] for region in regions(cell, where)}
        info = cell.metadata.get("exercise")
        if info is None:
            if "solution" in kinds:
                marker = CODE_SOLUTION[0] if cell.cell_type == "code" else MARKDOWN_SOLUTION[0]
                raise ExerciseFormatError(
                    f"{where}: a {marker} region in a cell without exercise metadata would leak into the student "
                    'notebook; give the cell the metadata {"exercise": {"id": "N.k", "role": "solution"}} or '
                    "remove the markers.")
            if "hidden" in kinds:
                raise ExerciseFormatError(
                    f"{where}: hidden tests belong in a check cell (metadata "
                    '{"exercise": {"id": "N.k", "role": "check"}}).')
            continue
        exercise_id, role = _validate_info(info, where, number, cell.cell_type)
        if role == "solution" and "solution" not in kinds:
            marker = CODE_SOLUTION if cell.cell_type == "code" else MARKDOWN_SOLUTION
            raise ExerciseFormatError(
                f"{where}: solution cell of exercise {exercise_id} has no {marker[0]} ... {marker[1]} region, so "
                "students would see the whole solution.")
        if role == "check" and "solution" in kinds:
            raise ExerciseFormatError(f"{where}: a check cell of exercise {exercise_id} holds a solution region.")
        if role == "solution" and "hidden" in kinds:
            raise ExerciseFormatError(f"{where}: hidden tests belong in a check cell, not a solution cell.")
        entry = layout.setdefault(exercise_id, {
            "title": titles.get(exercise_id, f"Exercise {exercise_id}"), "points": 1,
            "solution_cells": [], "markdown_cells": [], "check_cells": [], "wrong_answers": []})
        if cell.cell_type == "markdown":
            entry["markdown_cells"].append(index)
        else:
            entry[f"{role}_cells"].append(index)
        for wrong in info.get("wrong_answers", []):
            entry["wrong_answers"].append({**wrong, "cell": index})
        if "points" in info:
            if exercise_id in points and points[exercise_id] != info["points"]:
                raise ExerciseFormatError(
                    f"{where}: exercise {exercise_id} is given {info['points']!r} points here and "
                    f"{points[exercise_id]!r} in another check cell; give the points once.")
            points[exercise_id] = entry["points"] = info["points"]
    for exercise_id, entry in layout.items():
        for role, kind in (("solution", "code solution"), ("check", "check")):
            if not entry[f"{role}_cells"]:
                raise ExerciseFormatError(
                    f"{name}: exercise {exercise_id} has no {kind} cell (a code cell with metadata "
                    f'{{"exercise": {{"id": "{exercise_id}", "role": "{role}"}}}}).')
    return layout


def regions(cell, where):
    """Return ``[(kind, begin_line, end_line, indent)]`` for the marked regions of a cell's source.

    ``kind`` is ``"solution"`` or ``"hidden"``; lines count from 0. Code cells use the ``###`` markers,
    markdown cells the HTML-comment markers; a markdown cell's ``###`` lines are headings or code samples and
    are left alone.

    Raises
    ------
    ExerciseFormatError
        A misspelt, unbalanced or nested marker; ``where`` starts the message.
    """
    if cell.cell_type == "code":
        marker_like, known = _CODE_MARKER_LIKE, {CODE_SOLUTION: "solution", HIDDEN_TESTS: "hidden"}
    else:
        marker_like, known = _MARKDOWN_MARKER_LIKE, {MARKDOWN_SOLUTION: "solution"}
    found, open_region = [], None
    for number, line in enumerate(cell.source.split("\n")):
        if not marker_like.match(line):
            continue
        marker = line.strip()
        pair = next((pair for pair in known if marker in pair), None)
        if pair is None:
            raise ExerciseFormatError(
                f"{where}, line {number + 1}: {marker!r} looks like a marker but is not one of "
                f"{tuple(marker for pair in known for marker in pair)}.")
        kind, begins = known[pair], marker == pair[0]
        if begins and open_region is not None:
            raise ExerciseFormatError(
                f"{where}, line {number + 1}: {marker} inside the region opened on line {open_region[1] + 1}; "
                "close it first.")
        if not begins and (open_region is None or open_region[0] != kind):
            raise ExerciseFormatError(f"{where}, line {number + 1}: {marker} without a matching BEGIN line.")
        if begins:
            open_region = (kind, number, line[:len(line) - len(line.lstrip())])
        else:
            found.append((kind, open_region[1], number, open_region[2]))
            open_region = None
    if open_region is not None:
        raise ExerciseFormatError(
            f"{where}, line {open_region[1] + 1}: the region is never closed; add the matching END line.")
    return found


def replace_regions(cell, exercise_id, where="cell"):
    """A cell's source with its solution regions replaced by the student's prompt and hidden tests removed.

    A code solution becomes ``raise NotImplementedError(...)`` at the region's indentation (so a function keeps
    its ``def`` line and the code around the region); a markdown derivation becomes a prompt to work it out
    and run the check; a hidden-test region becomes a comment.
    """
    lines = cell.source.split("\n")
    result, position = [], 0
    for kind, begin, end, indent in regions(cell, where):
        result.extend(lines[position:begin])
        if kind == "hidden":
            result.append(f"{indent}# (hidden tests run here when the notebook is graded)")
        elif cell.cell_type == "code":
            message = f"Exercise {exercise_id}: replace this line with your solution."
            result.extend([f"{indent}# YOUR CODE HERE", f'{indent}raise NotImplementedError("{message}")'])
        else:
            result.append(f"{indent}> **Exercise {exercise_id}: your turn.** Work this out yourself (on paper "
                          "is fine), write your answer in the exercise's code cell, then run the check below.")
        position = end + 1
    result.extend(lines[position:])
    return "\n".join(result)


def exercise_info(cell):
    """``(id, role)`` from a cell's exercise metadata, or ``(None, None)``; tolerant of malformed metadata."""
    info = cell.get("metadata", {}).get("exercise")
    if not isinstance(info, dict) or not isinstance(info.get("id"), str):
        return None, None
    return info["id"], info.get("role")


def exercise_titles(notebook):
    """Exercise id → ``"Exercise N.k: title"`` from the notebook's ``### Exercise N.k: title`` headings."""
    titles = {}
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.split("\n"):
                match = _EXERCISE_HEADING.match(line.strip())
                if match:
                    title = match.group(2)
                    titles.setdefault(match.group(1), f"Exercise {match.group(1)}" + (f": {title}" if title else ""))
    return titles


def cell_id(cell, index):
    """The id a cell gets in the student notebook: its own when valid (nbformat 4.5), else ``cell-<index>``."""
    given = cell.get("id")
    return given if isinstance(given, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", given) else f"cell-{index}"


def cell_location(name, index, cell):
    """``"NAME, cell 4 ('first line')"``: how error messages name a cell (counted from 1)."""
    first_line = next((line.strip() for line in cell.source.split("\n") if line.strip()), "")
    return f"{name}, cell {index + 1} ({first_line[:40]!r})"


def _validate_info(info, where, number, cell_type):
    if not isinstance(info, dict) or info.get("role") not in _ROLES:
        raise ExerciseFormatError(
            f'{where}: exercise metadata must be {{"id": "N.k", "role": "solution" or "check"}}, got {info!r}.')
    exercise_id = info.get("id")
    match = _EXERCISE_ID.match(exercise_id) if isinstance(exercise_id, str) else None
    if match is None:
        raise ExerciseFormatError(f'{where}: exercise id must be a string "N.k" such as "3.2", got {exercise_id!r}.')
    if number is not None and int(match.group(1)) != int(number.group(1)):
        raise ExerciseFormatError(
            f"{where}: exercise id {exercise_id} should start with the notebook number {int(number.group(1))}.")
    role = info["role"]
    if cell_type == "markdown" and role != "solution":
        raise ExerciseFormatError(f"{where}: a markdown cell can only be a solution cell (a derivation); checks "
                                  "are code cells.")
    points = info.get("points")
    if points is not None and (role != "check" or isinstance(points, bool) or not isinstance(points, (int, float))
                               or not points > 0):
        raise ExerciseFormatError(
            f'{where}: "points" goes in a check cell\'s exercise metadata and must be a positive number, got '
            f"{points!r} in a {role} cell.")
    wrong_answers = info.get("wrong_answers", [])
    if wrong_answers and (role != "solution" or cell_type != "code"):
        raise ExerciseFormatError(f'{where}: "wrong_answers" belong in a code solution cell\'s exercise metadata.')
    if not isinstance(wrong_answers, list) or not all(
            isinstance(wrong, dict) and set(wrong) == {"mistake", "source"}
            and all(isinstance(value, str) and value.strip() for value in wrong.values())
            for wrong in wrong_answers):
        raise ExerciseFormatError(
            f'{where}: "wrong_answers" must be a list of {{"mistake": "<words the failure message must contain>", '
            '"source": "<the whole cell source>"}}.')
    return exercise_id, role
