"""The exercises' self-test: every variant of every exercise run against its checks.

For a solution notebook, in ONE kernel (set up as for grading: a workspace from the snapshot, the sandbox),
the lesson cells run once, in order, and at each exercise its check cells run after each variant of its
solution cells:

* the stub (what ``build`` gives students): a check must fail with the "not done yet" NotImplementedError;
* each recorded wrong answer (``"wrong_answers"`` in the solution cell's metadata): a check must fail, and
  its message must contain the recorded ``mistake`` words (case-insensitive);
* the solution, last (so the kernel goes on with the instructor's state): every check must pass.

While a check runs, ``w2v_lib.checks.record_expected()`` collects every expected value it compares; no
failure message may contain one of them written with 3 to 6 significant digits (trivial values, integers
from -10 to 10, are not looked for). A lesson cell that fails is reported too.

Rules ``"stub"``, ``"solution"``, ``"wrong-answer"`` and ``"lesson"`` always count. ``"no-wrong-answers"``
(an exercise without recorded wrong answers), ``"expected-value"`` and ``"no-recorder"``
(``record_expected`` missing) count only with ``strict=True``; otherwise they are reported as warnings.
"""

import ast
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from classroom.grade import graded_cells
from classroom.kernel import Kernel, Limits
from classroom.layout import exercise_layout, replace_regions
from classroom.sandbox import kill_descendants, landlock_abi
from classroom.snapshot import Snapshot

STRICT_ONLY = ("no-wrong-answers", "expected-value", "no-recorder")
DEFAULT_RECORDER = "__import__('w2v_lib.checks', fromlist=['record_expected']).record_expected"
_TRIVIAL = 10

# Kernel-side helpers, defined once in the self-test's kernel under names no notebook uses.
_SETUP = r'''
def __classroom_flatten(recorded):
    import numpy
    values = []
    for item in list(recorded or []):
        try:
            values.extend(float(value) for value in numpy.ravel(numpy.asarray(item, dtype=float)))
        except (TypeError, ValueError):
            pass
    return values
'''


@dataclass
class Finding:
    """One broken rule: ``exercise`` (or None for a lesson cell), ``variant``, ``rule``, ``detail``."""

    exercise: str
    variant: str
    rule: str
    detail: str

    def __str__(self):
        where = f"exercise {self.exercise} ({self.variant})" if self.exercise else self.variant
        return f"{where}: [{self.rule}] {self.detail}"


@dataclass
class Report:
    """The self-test of one notebook."""

    notebook: str
    strict: bool
    findings: list = field(default_factory=list)
    exercises: int = 0
    variants: int = 0

    @property
    def failures(self):
        return [finding for finding in self.findings if self.strict or finding.rule not in STRICT_ONLY]

    @property
    def warnings(self):
        return [finding for finding in self.findings if finding not in self.failures]

    def summary(self):
        """Lines for people: the counts, then each failure and warning."""
        lines = [f"{self.notebook}: {self.exercises} exercises, {self.variants} variants run, "
                 f"{len(self.failures)} failures, {len(self.warnings)} warnings"]
        lines += [f"  FAIL {finding}" for finding in self.failures]
        lines += [f"  warn {finding}" for finding in self.warnings]
        return "\n".join(lines)


def selftest_notebook(path, timeout=120, strict=True, recorder=DEFAULT_RECORDER, landlock=None):
    """Self-test every exercise of one solution notebook; see the module docstring.

    Parameters
    ----------
    path : str or Path
        A solution notebook ``NN_*.ipynb``; the notebooks next to it are the snapshot's source directory.
    timeout : float
        Seconds each cell may run.
    strict : bool
        Count the rules of the new exercise format (recorded wrong answers, no expected value shown).
    recorder : str
        A Python expression, evaluated in the kernel after the lesson cells before the exercise, giving the
        context manager that records expected values: ``with recorder() as values:`` must leave in ``values``
        every expected number or array the checks compared.
    landlock : bool, optional
        Confine the kernel as the grader does (default: where Landlock is available).

    Returns
    -------
    Report
    """
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    layout = exercise_layout(notebook, str(path))
    report = Report(str(path), strict, exercises=len(layout))
    cells = graded_cells(notebook, layout, {}, str(path))
    snapshot = Snapshot.read(path.parent)
    workspace = snapshot.workspace()
    kernel = Kernel(workspace, Limits(timeout=timeout, memory=16 * 2**30, cpu=36000),
                    landlock_abi() > 0 if landlock is None else landlock)
    kernel.start()
    try:
        kernel.run(_SETUP, silent=True)
        done = set()
        for cell in cells:
            if cell["kind"] == "lesson":
                _run_lesson(kernel, cell, report)
            elif cell["exercise"] not in done:
                done.add(cell["exercise"])
                _selftest_exercise(kernel, notebook, layout, cells, cell["exercise"], recorder, report, str(path))
    finally:
        kernel.shutdown()
        kill_descendants()
        shutil.rmtree(workspace, ignore_errors=True)
    return report


def _run_lesson(kernel, cell, report):
    execution = kernel.run(cell["source"])
    if not execution.passed and "raises-exception" not in cell["tags"]:
        what = (f"{execution.error['ename']}: {execution.error['evalue']}" if execution.error
                else execution.problem or execution.status)
        report.findings.append(Finding(None, f"lesson cell {cell['index'] + 1}", "lesson", f"raised {what}"))


def _selftest_exercise(kernel, notebook, layout, cells, exercise_id, recorder, report, name):
    entry = layout[exercise_id]
    own = [cell for cell in cells if cell["exercise"] == exercise_id]
    solution_cells = [cell for cell in own if cell["kind"] == "solution"]
    check_cells = [cell for cell in own if cell["kind"] == "check"]
    stub = {cell["index"]: replace_regions(notebook.cells[cell["index"]], exercise_id, name) for cell in solution_cells}
    solution = {cell["index"]: notebook.cells[cell["index"]].source for cell in solution_cells}
    variants = [("stub", stub, None)]
    for number, wrong in enumerate(entry["wrong_answers"], start=1):
        variants.append((f"wrong answer {number}", {**solution, wrong["cell"]: wrong["source"]}, wrong["mistake"]))
    variants.append(("solution", solution, None))
    if not entry["wrong_answers"]:
        report.findings.append(Finding(exercise_id, "metadata", "no-wrong-answers",
                                       "no recorded wrong answer (\"wrong_answers\" in the solution cell's metadata)"))
    for variant, sources, mistake in variants:
        report.variants += 1
        for cell in solution_cells:
            kernel.run(sources[cell["index"]])
        messages, failure = [], None
        for cell in check_cells:
            execution, recorded = _run_recorded(kernel, cell["source"], recorder, report, exercise_id)
            if not execution.passed:
                message = execution.error["evalue"] if execution.error else str(execution.problem)
                failure = failure or (execution.error or {"ename": execution.problem or "Error", "evalue": ""})
                messages.append(message)
                for leak in _leaks(message, recorded):
                    report.findings.append(Finding(exercise_id, variant, "expected-value",
                                                   f"the message shows the expected value {leak}: {message!r}"))
        if variant == "stub":
            if failure is None or failure["ename"] != "NotImplementedError" or "not done yet" not in failure["evalue"]:
                report.findings.append(Finding(exercise_id, variant, "stub", "the checks should fail with the 'not "
                                               f"done yet' NotImplementedError, got {_describe(failure)}"))
        elif variant == "solution":
            if failure is not None:
                report.findings.append(Finding(exercise_id, variant, "solution",
                                               f"the solution fails its check: {_describe(failure)}"))
        elif failure is None:
            report.findings.append(Finding(exercise_id, variant, "wrong-answer",
                                           f"the wrong answer ({mistake}) passes the checks"))
        elif not any(mistake.lower() in message.lower() for message in messages):
            report.findings.append(Finding(exercise_id, variant, "wrong-answer",
                                           f"no message names the mistake {mistake!r}: {messages[0]!r}"))


def _run_recorded(kernel, source, recorder, report, exercise_id):
    """Run a check cell inside the recorder; return (execution, expected values recorded)."""
    started = kernel.run(f"__classroom_recorder = ({recorder})()\n"
                         "__classroom_recorded = __classroom_recorder.__enter__()", silent=True)
    if not started.passed:
        if not any(finding.rule == "no-recorder" for finding in report.findings):
            report.findings.append(Finding(exercise_id, "checks", "no-recorder",
                                           f"cannot record expected values with {recorder}: "
                                           f"{_describe(started.error)}; the expected-value rule is not checked"))
        return kernel.run(source), []
    execution = kernel.run(source)
    finished = kernel.run("__classroom_recorder.__exit__(None, None, None)", silent=True, user_expressions={
        "values": "__import__('json').dumps(__classroom_flatten(__classroom_recorded))"})
    value = finished.user_expressions.get("values", {})
    try:
        recorded = json.loads(ast.literal_eval(value["data"]["text/plain"]))
    except (KeyError, ValueError, SyntaxError, TypeError):
        recorded = []
    return execution, recorded


def _leaks(message, values):
    """The expected values (3 to 6 significant digits) that ``message`` shows."""
    found = []
    for value in values:
        if value != value or value in (float("inf"), float("-inf")):
            continue
        if float(value).is_integer() and abs(value) <= _TRIVIAL:
            continue
        for digits in range(3, 7):
            for text in dict.fromkeys([f"{value:.{digits}g}", f"{abs(value):.{digits}g}"]):  # signed first
                if re.search(rf"(?<![\d.]){re.escape(text)}(?![\d])", message):
                    found.append(text)
                    break
            else:
                continue
            break
    return sorted(set(found))


def _describe(error):
    if error is None:
        return "no error"
    return f"{error['ename']}: {error['evalue']}" if error.get("evalue") else str(error["ename"])
