"""One submission graded, exercise by exercise, in a throwaway workspace and a sandboxed kernel.

The graded notebook is the instructor's notebook from the snapshot with only the student's code solution cells
put in (matched by exercise id, in order when an exercise has several; a missing one counts as the stub).
Everything else, every check cell with its hidden tests included, is the instructor's. The code cells run in
order in one kernel, and an exercise passes when every one of its check cells replied ``ok`` without an error
output, no limit was hit, the fingerprints (:mod:`classroom.integrity`) did not change, and a cell that must
fail, run after the checks, is still reported as failing (so that hidden error-hiding code is noticed).

What one exercise cannot do to another:

* a cell is judged only on what its own execution (``msg_id``) produced;
* a cell that overruns is interrupted; if the kernel does not come back within a grace period, or it died,
  or ended itself (``exit()``, ``quit()``, ``os._exit()``, detected by a ping after each exercise cell), the
  kernel is replaced: a fresh one in an emptied workspace replays the lesson cells up to the next exercise;
* an exercise whose kernel was lost, or whose fingerprints changed, is run once more on a fresh kernel that
  ran none of the earlier exercises' code, so that only its own code decides its result (a timer planted by
  an earlier exercise cannot take its marks, nor give them);
* after each exercise whose fingerprints changed, the kernel is replaced too; after the others, the processes
  the exercise started are killed.
"""

import ast
import json
import re
import secrets
import shutil
import time
import warnings
from dataclasses import dataclass, field

import nbformat

from classroom import integrity
from classroom.kernel import Kernel, KernelStartError, Limits
from classroom.layout import ExerciseFormatError, cell_id, exercise_info, exercise_layout, replace_regions
from classroom.sandbox import kill_descendants, landlock_abi


@dataclass
class Settings:
    """How submissions are graded.

    Attributes
    ----------
    limits : Limits
    total_timeout : float
        Seconds a whole submission may run once its first kernel has started.
    landlock : bool
        Confine kernels with Landlock (Linux).
    read_roots : list of str or None
        Directories kernels may read besides their workspace (None: :func:`classroom.sandbox.default_read_roots`).
    """

    limits: Limits = field(default_factory=Limits)
    total_timeout: float = 900.0
    landlock: bool = False
    read_roots: list = None


def find_solution_notebook(name, notebook_names):
    """The instructor notebook a submission file ``name`` was made from, or None (see :func:`locate_notebook`)."""
    return locate_notebook(name, notebook_names)[0]


# What browsers and file managers add to a file's name: "03_negative_sampling (1)", "Copy of ...", "... - Copy".
_DECORATION = re.compile(r"^(copy of|copy \(\d+\) of)\s+|(\s*\(\d+\)|\s+-\s+copy|\s+copy|-checkpoint|\.ipynb)$",
                         re.IGNORECASE)


def locate_notebook(name, notebook_names):
    """Which instructor notebook a submission file ``name`` was made from, and where its name says so.

    The notebook whose name (without ``.ipynb``, any case) appears in ``name`` between non-alphanumeric
    characters (the longest such), else the only one whose two-digit number ``NN_`` appears there.

    Returns
    -------
    notebook : str or None
    match : re.Match or None
        Where the notebook's name, or its number, is in ``stem``.
    stem : str
        ``name`` without ``.ipynb`` and what downloads and copies add (``" (1)"``, ``"Copy of "``).
    """
    stem = name[:-len(".ipynb")] if name.endswith(".ipynb") else name
    while _DECORATION.search(stem):
        stem = _DECORATION.sub("", stem).strip()
    found = [(re.search(rf"(?<![A-Za-z0-9]){re.escape(candidate[:-len('.ipynb')])}(?![A-Za-z0-9])", stem,
                        re.IGNORECASE), candidate) for candidate in notebook_names]
    found = [(match, candidate) for match, candidate in found if match]
    if found:
        match, candidate = max(found, key=lambda pair: len(pair[1]))
        return candidate, match, stem
    numbers = {match.group(1): match for match in re.finditer(r"(?<![A-Za-z0-9])([0-9]{2})_", stem)}
    candidates = [candidate for candidate in notebook_names if candidate[:2] in numbers]
    if len(candidates) == 1:
        return candidates[0], numbers[candidates[0][:2]], stem
    return None, None, stem


def grade_submission(path, snapshot, settings, name=None):
    """Grade one submission.

    Parameters
    ----------
    path : Path
        The submitted notebook.
    snapshot : classroom.snapshot.Snapshot
    settings : Settings
    name : str, optional
        The instructor notebook's file name (default: found from ``path``'s name).

    Returns
    -------
    dict
        ``notebook`` (the submission's path), ``score`` and ``max_score`` (points), ``exercises`` (a list of
        ``{"id", "name", "passed", "message", "points", "max_points"}``), ``error`` (None, or what went wrong
        with the submission as a whole or with the instructor's own cells), ``graded`` (False when the fault
        is on the grader's side and the scores should not be trusted), ``checkout`` (what the submission
        changed in the checkout, restored since; the submission then scores 0; always empty under Landlock,
        where a change cannot be the submission's and is only reported in ``error``).
    """
    result = {"notebook": str(path), "score": 0, "max_score": 0, "exercises": [], "error": None,
              "graded": False, "checkout": []}
    if not path.is_file():
        result["error"] = f"no such file: {path}"
        return result
    name = name or find_solution_notebook(path.name, snapshot.notebooks)
    if name is None:
        result["error"] = (f"no instructor notebook for {path.name} in {snapshot.source_dir}: the file name must "
                           "contain its notebook's name or number (e.g. 03_negative_sampling_alice.ipynb).")
        return result
    try:
        instructor = nbformat.reads(snapshot.notebooks[name].decode("utf-8"), as_version=4)
        layout = exercise_layout(instructor, str(snapshot.source_dir / name))
        _check_spans(instructor, layout, name)
    except (ExerciseFormatError, ValueError) as error:
        result["error"] = str(error)
        return result
    result["max_score"] = sum(entry["points"] for entry in layout.values())
    try:
        solutions = submitted_solutions(path, instructor, layout)
    except Exception as error:  # any way a file can fail to be a notebook: report it, grade the others
        result["error"] = f"not a readable notebook: {type(error).__name__}: {_first_line(error)}"
        result["exercises"] = [_outcome(exercise_id, entry, False, result["error"])
                               for exercise_id, entry in layout.items()]
        result["graded"] = True
        return result
    if not solutions:
        result["error"] = ("the submission has no exercise solution cells (cell metadata \"exercise\"): was it "
                           "made from the student notebook in exercises/?")
    cells = graded_cells(instructor, layout, solutions, name)
    checked = integrity.modules_imported([cell["source"] for cell in cells if cell["kind"] == "check"])
    run = _Run(cells, layout, snapshot, settings, checked, integrity.modules_used(
        [cell.source for cell in instructor.cells if cell.cell_type == "code"], _package_modules(snapshot)))
    try:
        outcomes, lesson_error = run.execute()
    except KernelStartError as error:
        result["error"] = f"grading failed: {error}"
        return result
    finally:
        run.close()
        # With Landlock (ABI 3 and later: before it, truncate(2) is not confined) the kernel cannot change the
        # checkout: a change is someone else's (an instructor's edit, a git pull), so it is neither blamed on the
        # submission nor undone. Grading used the copy read at start either way.
        confined = settings.landlock and landlock_abi() >= 3
        changed = snapshot.verify_checkout(restore=not confined)
        result["checkout"] = [] if confined else changed
        outside = ("the checkout changed while grading, not by this submission (its kernel could not write "
                   "there); grading used the files read at start: " + "; ".join(changed[:5])) if (
            confined and changed) else None
    for exercise_id, entry in layout.items():
        passed, message = outcomes[exercise_id]
        result["exercises"].append(_outcome(exercise_id, entry, passed, message))
    if result["checkout"]:
        # The checkout was changed while this submission ran: restored, and the submission gets nothing.
        note = ("the submission changed files the grader depends on (restored): " + "; ".join(result["checkout"][:5]))
        for exercise in result["exercises"]:
            exercise.update(passed=False, points=0, message=f"{note}. {exercise['message']}")
        result["error"] = "; ".join(filter(None, [result["error"], note]))
    result["score"] = sum(exercise["points"] for exercise in result["exercises"])
    result["error"] = "; ".join(filter(None, [result["error"], lesson_error, outside])) or None
    result["graded"] = lesson_error is None
    return result


def submitted_solutions(path, instructor, layout):
    """Exercise id → the sources of the submission's code solution cells, in order.

    Cells are found by their exercise metadata; for an exercise with none (a tool stripped the metadata), by
    the cell ids that the student notebook's solution cells were built with.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbformat's notes on duplicate or missing cell ids: nothing to grade by
        notebook = nbformat.read(path, as_version=4)
    by_id = {cell_id(instructor.cells[index], index): exercise_id
             for exercise_id, entry in layout.items() for index in entry["solution_cells"]}
    solutions, found_by_id = {}, {}
    for cell in notebook.cells:
        if cell.cell_type != "code" or not isinstance(cell.source, str):
            continue
        exercise_id, role = exercise_info(cell)
        if role == "solution":
            solutions.setdefault(exercise_id, []).append(cell.source)
        elif exercise_id is None and cell.get("id") in by_id:
            found_by_id.setdefault(by_id[cell.get("id")], []).append(cell.source)
    for exercise_id, sources in found_by_id.items():
        solutions.setdefault(exercise_id, sources)
    return solutions


def graded_cells(instructor, layout, solutions, name):
    """The code cells to run, as dicts ``{"index", "kind", "exercise", "source", "tags"}``.

    ``kind`` is ``"lesson"``, ``"solution"`` or ``"check"``; solution sources are the submission's (or the
    stub where it has none). A submission with more solution cells for an exercise than the instructor's
    notebook (a copied cell, its metadata with it) has the extra ones run after the last, each as a cell, as in
    the student's notebook run from the top.
    """
    submitted = {}
    for exercise_id, entry in layout.items():
        sources = solutions.get(exercise_id, [])
        last = len(entry["solution_cells"]) - 1
        for position, index in enumerate(entry["solution_cells"]):
            cell = instructor.cells[index]
            mine = sources[position:] if position == last else sources[position:position + 1]
            submitted[index] = mine or [replace_regions(cell, exercise_id, name)]
    cells = []
    for index, cell in enumerate(instructor.cells):
        if cell.cell_type != "code":
            continue
        exercise_id, role = exercise_info(cell)
        kind = role if exercise_id in layout and role in ("solution", "check") else "lesson"
        for source in submitted.get(index, [cell.source]):
            cells.append({"index": index, "kind": kind, "exercise": exercise_id if kind != "lesson" else None,
                          "source": source, "tags": list(cell.metadata.get("tags", []))})
    return cells


class _Run:
    """The execution of one graded notebook, with its kernel replaced whenever it is lost."""

    def __init__(self, cells, layout, snapshot, settings, checked, preload):
        self.cells, self.layout, self.snapshot, self.settings = cells, layout, snapshot, settings
        self.preload = sorted(set(preload) | set(checked))
        self.workspace = snapshot.workspace()
        self.kernel = None
        self.fresh = False  # the kernel has run no exercise code since it started
        self.fingerprints = integrity.Fingerprints(checked, integrity.trusted_directories(self.workspace))
        self.deadline = None
        self.lesson_error = None

    # Kernel life ---------------------------------------------------------------------------------------

    def start_kernel(self, replay_until):
        """A fresh kernel, its baseline fingerprint, and the lesson cells before position ``replay_until``."""
        if self.kernel is not None:
            self.kernel.shutdown()
        kill_descendants()  # whatever the previous kernel started, detached or not
        self.kernel = Kernel(self.workspace, self.settings.limits, self.settings.landlock, self.settings.read_roots)
        self.kernel.start()
        if self.deadline is None:
            self.deadline = time.monotonic() + self.settings.total_timeout
        preload = self.kernel.run(integrity.preload_code(self.preload), timeout=120, silent=True)
        baseline = self.fingerprint(full="*")
        if baseline is None:
            reason = (f": {preload.error['ename']}: {_first_line(preload.error['evalue'])}" if preload.error else
                      f": {self._problem_words(preload)}" if preload.problem else "")
            raise KernelStartError(f"the kernel did not report its baseline fingerprint{reason}")
        self.fingerprints.set_baseline(baseline)
        for cell in self.cells[:replay_until]:
            if cell["kind"] == "lesson":
                self.run_lesson(cell)
        self.fresh = True

    def fingerprint(self, full=(), names=()):
        probe = self.kernel.run("", timeout=60, silent=True, user_expressions={
            "fp": self.fingerprints.probe(full, names)})
        value = probe.user_expressions.get("fp", {})
        if probe.status != "ok" or value.get("status") != "ok":
            return None
        try:
            return json.loads(ast.literal_eval(value["data"]["text/plain"]))
        except (KeyError, ValueError, SyntaxError, TypeError):
            return None

    def integrity_problems(self, start, names):
        """What changed since the baseline (modules, overrides, the check's names) or since the exercise started
        (hooks, threads), in words."""
        current = self.fingerprint(names=names)
        if current is None:
            return ["the grader could not take its fingerprint of the check functions (the kernel did not answer)"]
        new = self.fingerprints.new_modules(current)
        changed = self.fingerprints.changed_modules(current)
        if new or changed:
            detailed = self.fingerprint(full=new + changed, names=names)
            if detailed is None:
                return ["the grader could not take its fingerprint of the check functions"]
            self.fingerprints.adopt(detailed, new)
            current = detailed
        problems = self.fingerprints.differences(current, changed)
        for name, (token, guarded, _) in start["names"].items():
            if guarded and current["names"].get(name, [None])[0] != token:
                problems.append(f"the name `{name}` that the check uses was redefined")
        return problems + self.fingerprints.added_since(start, current)

    def errors_reported(self):
        """True if a cell that raises is still reported as an error, with its error output.

        Run after a check passed: code that makes failing cells look like passing ones (an input transformer,
        a patched class of IPython or of the kernel, forged replies) makes this cell pass too.
        """
        nonce = secrets.token_hex(8)
        execution = self.kernel.run(f"raise AssertionError('classroom: this cell must fail {nonce}')", timeout=30)
        error_outputs = [output for output in execution.outputs if output["output_type"] == "error"]
        return (execution.status == "error" and len(error_outputs) == 1
                and error_outputs[0]["ename"] == "AssertionError" and nonce in error_outputs[0]["evalue"])

    def remaining(self):
        return self.deadline - time.monotonic()

    def close(self):
        if self.kernel is not None:
            self.kernel.shutdown()
        kill_descendants()
        shutil.rmtree(self.workspace, ignore_errors=True)

    # Cells ---------------------------------------------------------------------------------------------

    def run_lesson(self, cell):
        execution = self.kernel.run(cell["source"], timeout=self._timeout())
        failed = not execution.passed and "raises-exception" not in cell["tags"]
        if failed and self.lesson_error is None:
            what = (f"raised {execution.error['ename']}: {_first_line(execution.error['evalue'])}"
                    if execution.error else self._problem_words(execution))
            self.lesson_error = (f"cell {cell['index'] + 1} of the instructor's notebook (not an exercise cell) "
                                 f"{what}; exercises that rely on it may fail")
        if execution.kernel_lost:
            self.start_kernel(self.cells.index(cell) + 1)

    def execute(self):
        """Run every cell; return ({exercise id: (passed, message)}, lesson error or None)."""
        outcomes = {}
        self.start_kernel(0)
        position = 0
        while position < len(self.cells):
            cell = self.cells[position]
            if cell["kind"] == "lesson":
                if self.remaining() > 0:
                    self.run_lesson(cell)
                position += 1
                continue
            exercise_id = cell["exercise"]
            end = max(i for i, other in enumerate(self.cells) if other["exercise"] == exercise_id) + 1
            if self.remaining() <= 0:
                outcomes[exercise_id] = (False, "not run: the notebook used up its overall time limit of "
                                                f"{self.settings.total_timeout:g} s")
            else:
                was_fresh = self.fresh
                passed, message, retry = self.run_exercise(exercise_id, position, end)
                if retry and not was_fresh and self.remaining() > 0:
                    # Only this exercise's own code may decide its result: run it again on a kernel that ran
                    # no earlier exercise.
                    self.start_kernel(position)
                    passed, message, retry = self.run_exercise(exercise_id, position, end)
                outcomes[exercise_id] = (passed, message)
                if retry:
                    self.start_kernel(end)
                else:
                    # An exercise's processes end with it: a process left running could use the CPU that other
                    # submissions graded in parallel need, or act on a later exercise.
                    kill_descendants(spare=self.kernel.pid)
            position = end
        return outcomes, self.lesson_error

    def run_exercise(self, exercise_id, start, end):
        """Run the cells of one exercise; return (passed, message, kernel_needs_replacing)."""
        self.fresh = False
        check_names = sorted({name for cell in self.cells[start:end] if cell["kind"] == "check"
                              for name in integrity.names_used(cell["source"])})
        before = self.fingerprint(names=check_names)
        if before is None:
            return False, _integrity_message(["the grader could not take its fingerprint when the exercise started "
                                              "(the kernel did not answer)"], "before the exercise ran"), True
        solution_error = None
        ticks = []
        for cell in self.cells[start:end]:
            if cell["kind"] == "lesson":
                self.run_lesson(cell)
                continue
            if cell["kind"] == "check":
                problems = self.integrity_problems(before, check_names)
                if problems:
                    return False, _integrity_message(problems, "before the check ran"), True
            execution = self.kernel.run(cell["source"], timeout=self._timeout())
            owner = "your solution cell" if cell["kind"] == "solution" else "the check"
            if execution.problem is not None or execution.kernel_lost:
                return False, f"{owner} {self._problem_words(execution)}", True
            if not self._still_alive(execution):
                return False, f"{owner}: {self.kernel.death_reason()}", True
            if cell["kind"] == "solution":
                if execution.error is not None and execution.error["ename"] != "NotImplementedError":
                    solution_error = solution_error or execution.error
                continue
            problems = self.integrity_problems(before, check_names)
            if problems:
                return False, _integrity_message(problems, "while the check ran"), True
            if not execution.passed:
                error = execution.error or {"ename": "Error", "evalue": f"the check replied {execution.status!r}"}
                message = error["evalue"] if error["ename"] in ("CheckFailed", "NotImplementedError") else (
                    f"{error['ename']}: {error['evalue']}" if error["evalue"] else error["ename"])
                if solution_error is not None:
                    message = (f"your solution cell raised {solution_error['ename']}: {solution_error['evalue']} "
                               f"(then the check said: {message})")
                return False, message, False
            ticks.extend(line.strip() for line in execution.stdout().split("\n") if line.strip().startswith("✓"))
        if not self.errors_reported():
            return False, _integrity_message(["a cell that raises an error was reported as passing: something in the "
                                              "kernel hides errors"], "after the check ran"), True
        return True, " ".join(ticks) or "all checks ran without error", False

    def _still_alive(self, execution):
        """False if the code just run ended the kernel: ``exit()`` replies first, then stops the kernel."""
        if any(payload.get("source") == "ask_exit" for payload in execution.payload):
            self.kernel.wait_for_death(2.0)
            return False
        return self.kernel.ping()

    def _timeout(self):
        return max(1.0, min(self.settings.limits.timeout, self.remaining()))

    def _problem_words(self, execution):
        limits = self.settings.limits
        if execution.problem == "timeout" and execution.timeout < limits.timeout:
            return (f"did not finish before the notebook's overall time limit of {self.settings.total_timeout:g} s "
                    "ran out")
        if execution.problem == "timeout":
            return f"did not finish within {execution.timeout:g} s (an endless loop?)"
        if execution.problem in ("cell_output", "kernel_output", "message"):
            return f"printed too much: it hit {limits.describe(execution.problem)}; print less"
        if execution.problem == "memory":
            return (f"used too much memory, together with the processes it started: it hit "
                    f"{limits.describe('memory')}")
        if execution.problem == "processes":
            return f"started too many processes: it hit {limits.describe('processes')}"
        if execution.problem == "disk":
            return f"wrote too much to disk: it hit {limits.describe('disk')}"
        if execution.problem == "dead" or execution.kernel_lost:
            return f"stopped the kernel: {self.kernel.death_reason()}"
        return "failed"


def _integrity_message(problems, when):
    shown = "; ".join(problems[:3]) + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else "")
    return (f"integrity check failed {when}: {shown}. Code that changes the checks, numpy, the kernel or what "
            "the check reads scores 0 for the exercise.")


def _check_spans(notebook, layout, name):
    """Exercises' code cells must not interleave: the grader runs one exercise at a time."""
    spans = sorted((min(entry["solution_cells"] + entry["check_cells"]),
                    max(entry["solution_cells"] + entry["check_cells"]), exercise_id)
                   for exercise_id, entry in layout.items())
    for (_, first_end, first), (second_start, _, second) in zip(spans, spans[1:]):
        if second_start < first_end:
            raise ExerciseFormatError(f"{name}: the code cells of exercise {second} sit between those of exercise "
                                      f"{first}; put each exercise's solution and check cells together.")


def _package_modules(snapshot):
    names = []
    for relative in snapshot.files:
        if relative.startswith("w2v_lib/") and relative.endswith(".py"):
            module = relative[:-3].replace("/", ".")
            names.append(module[:-len(".__init__")] if module.endswith(".__init__") else module)
    return sorted(names)


def _outcome(exercise_id, entry, passed, message):
    return {"id": exercise_id, "name": entry["title"], "passed": bool(passed), "message": message,
            "points": entry["points"] if passed else 0, "max_points": entry["points"]}


def _first_line(error):
    text = str(error).strip()
    return text.split("\n")[0][:300] if text else "(no message)"
