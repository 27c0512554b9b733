"""A class graded: submissions found in files and folders, graded in parallel workers, written up.

Recognised layouts (a folder is searched recursively for ``*.ipynb`` outside hidden folders and
``.ipynb_checkpoints``; a file is taken as given):

* **GitHub Classroom**: ``submissions/<student>/.../NN_name.ipynb``, one folder per student repository (as
  ``gh classroom clone student-repos`` lays them out): the student is the first folder below the one given;
* **LMS export** (Moodle, Canvas, Blackboard): files in one folder named ``<student>_..._NN_name.ipynb``
  (the student is the text before the first ``_``) or ``NN_name_<student>.ipynb`` (the text after the
  notebook's name);
* a single file with neither: the student is the file name without ``.ipynb``.

A file counts as a submission when its name contains an instructor notebook's name ``NN_name`` (any case), or
a number ``NN_`` that only one instructor notebook has, between characters that are not letters or digits;
what downloads and copies add (``" (1)"``, ``"Copy of "``, ``" - Copy"``) is ignored, also in the student's
name, so that two students' ``NN_name (1).ipynb`` stay two students. One submission per student and notebook:
two files for the same pair are both reported, neither graded.
"""

import csv
import io
import json
import multiprocessing
import re
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from classroom import write_atomic
from classroom.grade import grade_submission, locate_notebook


@dataclass
class Submission:
    """One notebook to grade: its file, its student, the instructor notebook's file name (or None)."""

    path: Path
    student: str
    notebook: str


def discover(paths, notebook_names):
    """The submissions in ``paths`` (files and folders), and problems found on the way.

    Returns
    -------
    submissions : list of Submission
        Sorted by student, then notebook, for a stable gradebook.
    problems : list of str
        Paths that do not exist, folders without submissions, duplicate submissions.
    """
    found, problems = [], []
    for given in map(Path, paths):
        if given.is_dir():
            files = sorted(path for path in given.rglob("*.ipynb") if not any(
                part.startswith(".") for part in path.relative_to(given).parts))
            matched = [_identify(path, given, notebook_names) for path in files]
            matched = [submission for submission in matched if submission.notebook is not None]
            if not matched:
                problems.append(f"no submissions in {given}: no file there is named after one of the instructor "
                                "notebooks (NN_name.ipynb)")
            found.extend(matched)
        elif given.exists() or given.suffix == ".ipynb":
            found.append(_identify(given, None, notebook_names))  # a missing file is reported by the grader
        else:
            problems.append(f"no such file or folder: {given}")
    by_key = {}
    for submission in found:
        by_key.setdefault((submission.student, submission.notebook, submission.path.resolve()), submission)
    pairs = {}
    for submission in by_key.values():
        pairs.setdefault((submission.student, submission.notebook), []).append(submission)
    submissions = []
    for (student, notebook), group in sorted(pairs.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        if len(group) > 1 and notebook is not None:
            problems.append(f"{len(group)} submissions of {notebook} for student {student!r}, none graded: "
                            + ", ".join(str(submission.path) for submission in group) + "; grade the right one by "
                            "its path")
            continue
        submissions.extend(group)
    return submissions, problems


def _identify(path, folder, notebook_names):
    notebook, match, stem = locate_notebook(path.name, notebook_names)
    student = None
    if notebook is not None:
        before, after = stem[:match.start()], stem[match.end():]
        if before.endswith("_"):
            student = before.split("_")[0]  # an LMS export: the student first
        elif after.startswith("_") and match.group(0).lower() == notebook[:-len(".ipynb")].lower():
            student = after[1:]  # NN_name_student
    if student is None and folder is not None and len(path.relative_to(folder).parts) > 1:
        student = path.relative_to(folder).parts[0]
    return Submission(path, (student or stem).strip() or stem, notebook)


# ------------------------------------------------------------------------------------------------------------
# Grading in worker processes

_WORKER = {}


def _start_worker(snapshot, settings):
    from classroom.sandbox import become_subreaper

    become_subreaper()  # detached processes of a submission stay this worker's, to be killed after it
    _WORKER.update(snapshot=snapshot, settings=settings)


def _grade_in_worker(path, notebook):
    started = time.monotonic()
    try:
        result = grade_submission(Path(path), _WORKER["snapshot"], _WORKER["settings"], notebook)
    except Exception as error:  # a bug of the grader's must not stop the class's grading: report it
        import traceback

        result = {"notebook": path, "score": 0, "max_score": 0, "exercises": [], "graded": False, "checkout": [],
                  "error": f"internal error of the grader: {type(error).__name__}: {error}",
                  "traceback": traceback.format_exc()}
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def grade_all(submissions, snapshot, settings, jobs=1, progress=None):
    """Grade submissions, ``jobs`` at a time, each in a worker process of its own; return the results in order.

    Workers are started with ``spawn`` (a clean interpreter, nothing inherited but the snapshot and settings),
    make themselves child subreapers, and kill every process a submission left behind before the next. A
    worker that dies takes only its submission with it: the others are graded in a new pool.

    Parameters
    ----------
    submissions : list of Submission
    snapshot : classroom.snapshot.Snapshot
    settings : classroom.grade.Settings
    jobs : int
    progress : callable, optional
        Called with each result as it comes in.
    """
    results = [None] * len(submissions)
    pending = list(range(len(submissions)))
    context = multiprocessing.get_context("spawn")
    while pending:
        workers = min(jobs, len(pending))
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                 initargs=(snapshot, settings)) as pool:
            futures = {index: pool.submit(_grade_in_worker, str(submissions[index].path), submissions[index].notebook)
                       for index in pending}
            broken = []
            for index, future in futures.items():
                try:
                    results[index] = future.result()
                except BrokenProcessPool:
                    broken.append(index)
                    continue
                results[index]["student"] = submissions[index].student
                if progress is not None:
                    progress(results[index])
        if broken and workers == 1:
            # With one worker, the first unfinished submission is the one it was grading when it died.
            first = broken.pop(0)
            results[first] = {"notebook": str(submissions[first].path), "student": submissions[first].student,
                              "score": 0, "max_score": 0, "exercises": [], "graded": False, "checkout": [],
                              "error": "the grading worker process died while grading it (out of memory?)"}
            if progress is not None:
                progress(results[first])
        jobs = 1 if broken else jobs
        pending = broken
    return results


# ------------------------------------------------------------------------------------------------------------
# Writing it up


def gradebook_csv(results):
    """The gradebook as CSV text: submission, student, one column per exercise, total, maximum."""
    columns = []
    for result in results:
        for exercise in result["exercises"]:
            if exercise["id"] not in columns:
                columns.append(exercise["id"])
    columns.sort(key=lambda exercise_id: tuple(int(part) for part in exercise_id.split(".")))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["submission", "student", *columns, "total", "maximum"])
    for result in results:
        earned = {exercise["id"]: _number(exercise["points"]) for exercise in result["exercises"]}
        writer.writerow([result["notebook"], result.get("student", ""), *(earned.get(c, "") for c in columns),
                         _number(result["score"]), _number(result["max_score"])])
    return buffer.getvalue()


def feedback_markdown(result):
    """A student's feedback: the score, then each exercise's verdict and message."""
    lines = [f"# Feedback on {Path(result['notebook']).name}", "",
             f"Score: **{_number(result['score'])} / {_number(result['max_score'])}**", ""]
    if result.get("error"):
        lines += [f"Note: {result['error']}", ""]
    for exercise in result["exercises"]:
        verdict = "passed" if exercise["passed"] else "not passed"
        lines += [f"## {exercise['name']} ({verdict}, {_number(exercise['points'])} / "
                  f"{_number(exercise['max_points'])})", "", exercise["message"], ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def write_reports(results, output_dir):
    """Write ``gradebook.csv`` and ``feedback/<student>/<notebook>.md`` into ``output_dir``; return the paths."""
    output_dir = Path(output_dir)
    (output_dir / "feedback").mkdir(parents=True, exist_ok=True)
    written = [output_dir / "gradebook.csv"]
    write_atomic(written[0], gradebook_csv(results))
    for result in results:
        folder = output_dir / "feedback" / _safe(result.get("student") or "submission")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{_safe(Path(result['notebook']).stem)}.md"
        write_atomic(path, feedback_markdown(result))
        written.append(path)
    return written


def json_line(result):
    """One submission as a JSON line: ``notebook``, ``score``, ``max_score``, ``exercises``, ``error`` as
    before, plus ``student`` and ``seconds``."""
    fields = ("notebook", "student", "score", "max_score", "exercises", "error", "seconds")
    return json.dumps({key: result.get(key) for key in fields}, ensure_ascii=False)


def _number(value):
    return int(value) if float(value).is_integer() else value


def _safe(name):
    return re.sub(r"[^A-Za-z0-9._ -]", "_", name).strip(". ") or "submission"
