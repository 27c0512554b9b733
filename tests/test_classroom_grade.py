"""Grading a class: folders and layouts, gradebook, feedback, exit codes, and the JSON of `grade --json`.

The cheating and faulty submissions are in tests/test_classroom_cheats.py; here the fixture notebook
tests/fixtures/notebooks/42_fixture.ipynb (three exercises of one point) and the self-test fixture
tests/fixtures/selftest/43_selftest.ipynb (points 1, 2, 1; a derive-first exercise) are graded honestly.
"""

import contextlib
import copy
import csv
import io
import json
import os
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from classroom import __main__ as cli
from classroom.build import student_notebook
from classroom.grade import find_solution_notebook
from classroom.gradebook import discover

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "notebooks"
FIXTURE = FIXTURES / "42_fixture.ipynb"
SELFTEST = ROOT / "tests" / "fixtures" / "selftest" / "43_selftest.ipynb"
SOLVED = {
    "42.1": "def square_all(x):\n    return np.asarray(x, dtype=np.float64) ** 2",
    "42.2": "answer_42_2 = 6",
    "42.3": "def cubic_loss_and_gradient(x):\n    return float(np.sum(x**3)) / 3, x**2",
}


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(arg) for arg in argv])
    return code, out.getvalue(), err.getvalue()


def submission(path, solutions=(), source=FIXTURE, drop=()):
    notebook = student_notebook(nbformat.read(source, as_version=4), str(source))
    notebook = copy.deepcopy(notebook)
    for cell in notebook.cells:
        exercise = cell.metadata.get("exercise", {})
        if exercise.get("role") == "solution" and exercise["id"] in dict(solutions) and cell.cell_type == "code":
            cell.source = dict(solutions)[exercise["id"]]
    notebook.cells = [cell for index, cell in enumerate(notebook.cells) if index not in drop]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """A GitHub-Classroom folder and an LMS export, graded in one run with two jobs."""
    top = tmp_path_factory.mktemp("class")
    github = top / "github"
    submission(github / "alice-repo" / "exercises" / "42_fixture.ipynb", SOLVED)
    submission(github / "bob-repo" / "42_fixture.ipynb", {"42.2": SOLVED["42.2"]}, drop={3})
    (github / "bob-repo" / ".ipynb_checkpoints").mkdir()
    submission(github / "bob-repo" / ".ipynb_checkpoints" / "42_fixture-checkpoint.ipynb", SOLVED)
    lms = top / "lms"
    submission(lms / "carol_12345_assignsubmission_file_42_fixture.ipynb", {"42.3": SOLVED["42.3"]})
    submission(lms / "42_fixture_dave.ipynb", {"42.1": "def square_all(x):\n    return np.array([1.0, 4.0, 9.0])"})
    (lms / "README.txt").write_text("not a notebook")
    # Honest work in files that tools changed: a browser's " (1)", a copy's name and stripped cell metadata, an
    # editor's nbformat 4.4 without cell ids and a solution cell copied below its untouched stub.
    submission(github / "erin-repo" / "42_fixture (1).ipynb", SOLVED)
    stripped = json.loads(submission(github / "frank-repo" / "Copy of 42_fixture.ipynb", SOLVED).read_text())
    for cell in stripped["cells"]:
        cell["metadata"] = {}
    (github / "frank-repo" / "Copy of 42_fixture.ipynb").write_text(json.dumps(stripped))
    edited = json.loads(submission(github / "gina-repo" / "42_fixture.ipynb", SOLVED).read_text())
    stub = json.loads(nbformat.writes(student_notebook(nbformat.read(FIXTURE, as_version=4), str(FIXTURE))))["cells"][3]
    edited["cells"].insert(3, stub)
    edited["nbformat_minor"] = 4
    for cell in edited["cells"]:
        cell.pop("id", None)
        cell["metadata"]["vscode"] = {"languageId": "python"}
    (github / "gina-repo" / "42_fixture.ipynb").write_text(json.dumps(edited))
    (lms / "42_eve.ipynb").write_text("print('not json')\n")
    output = top / "grades"
    code, out, err = run(["grade", github, lms, "--source", FIXTURES, "--json", "--jobs", "2", "--timeout", "10",
                          "--output", output])
    results = {result["student"]: result for result in map(json.loads, out.splitlines())}
    return code, results, output, err


def passed(result):
    return [exercise["passed"] for exercise in result["exercises"]]


def test_layouts_are_recognised_and_every_student_graded_once(classroom):
    code, results, _, err = classroom
    assert code == 0, err
    assert sorted(results) == ["42_eve", "alice-repo", "bob-repo", "carol", "dave", "erin-repo", "frank-repo",
                               "gina-repo"]
    for student in ("alice-repo", "erin-repo", "frank-repo", "gina-repo"):
        assert passed(results[student]) == [True, True, True], results[student]
    assert passed(results["bob-repo"]) == [False, True, False]  # the deleted solution cell counts as the stub
    assert passed(results["carol"]) == [False, False, True]
    assert passed(results["dave"]) == [False, False, False]  # the hidden test catches the hard-coded answer
    assert results["42_eve"]["error"].startswith("not a readable notebook: NotJSONError")


def test_json_keeps_its_fields(classroom):
    _, results, _, _ = classroom
    for result in results.values():
        assert {"notebook", "score", "max_score", "exercises", "error"} <= set(result)
        for exercise in result["exercises"]:
            assert {"id", "name", "passed", "message"} <= set(exercise)
    alice = results["alice-repo"]
    assert (alice["score"], alice["max_score"], alice["error"]) == (3, 3, None)
    assert alice["exercises"][1]["message"] == "✓ Exercise 42.2: correct."


def test_gradebook_has_a_header_a_column_per_exercise_total_and_maximum(classroom):
    _, _, output, _ = classroom
    rows = list(csv.reader((output / "gradebook.csv").read_text().splitlines()))
    assert rows[0] == ["submission", "student", "42.1", "42.2", "42.3", "total", "maximum"]
    by_student = {row[1]: row[2:] for row in rows[1:]}
    assert by_student["alice-repo"] == ["1", "1", "1", "3", "3"]
    assert by_student["bob-repo"] == ["0", "1", "0", "1", "3"]
    assert by_student["carol"] == ["0", "0", "1", "1", "3"]


def test_feedback_files_hold_each_exercise_s_message(classroom):
    _, _, output, _ = classroom
    text = (output / "feedback" / "dave" / "42_fixture_dave.md").read_text()
    assert text.startswith("# Feedback on 42_fixture_dave.ipynb\n\nScore: **0 / 3**")
    assert "## Exercise 42.1: square every entry (not passed, 0 / 1)" in text
    assert "has shape (3,) instead of (1, 2)" in text


def test_points_come_from_the_check_cells_metadata(tmp_path):
    path = submission(tmp_path / "43_selftest_frank.ipynb", {"43.2": "def softplus(x):\n    return np.logaddexp(0, x)"},
                      source=SELFTEST)
    code, out, err = run(["grade", path, "--source", SELFTEST.parent, "--json", "--output", tmp_path / "grades",
                          "--fail-under", "50"])
    result = json.loads(out)
    assert (result["score"], result["max_score"]) == (2, 4)
    assert [(exercise["points"], exercise["max_points"]) for exercise in result["exercises"]] == [(0, 1), (2, 2), (0, 1)]
    assert code == 0, err  # 50% is not under 50%
    code, _, err = run(["grade", path, "--source", SELFTEST.parent, "--output", tmp_path / "grades",
                        "--fail-under", "60"])
    assert code == 3 and "1 submission(s) scored below 60%" in err


def test_derive_first_markdown_is_a_prompt_in_the_student_notebook():
    student = student_notebook(nbformat.read(SELFTEST, as_version=4), str(SELFTEST))
    assert student.cells[3].source.startswith("> **Exercise 43.1: your turn.** Work this out yourself")
    assert "cosh" not in student.cells[3].source
    assert "wrong_answers" not in json.dumps([cell.metadata for cell in student.cells])
    assert student.cells[9].metadata["exercise"] == {"id": "43.2", "role": "check", "points": 2}


def test_the_w2v_lib_forward_and_its_usage_errors(tmp_path):
    from w2v_lib.__main__ import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["exercises", "grade", str(FIXTURE), "--source", str(FIXTURES), "--json",
                     "--output", str(tmp_path / "grades")])
    assert code == 0 and json.loads(out.getvalue())["score"] == 3
    for argv in (["grade", FIXTURE, "--jobs", "0"], ["grade", FIXTURE, "--fail-under", "120"],
                 ["grade", FIXTURE, "--source", tmp_path / "nowhere"]):
        with pytest.raises(SystemExit) as raised, contextlib.redirect_stderr(io.StringIO()):
            cli.main([str(arg) for arg in argv])
        assert raised.value.code == 2


def test_grader_side_problems_exit_1(tmp_path):
    unmatched = tmp_path / "99_other.ipynb"
    nbformat.write(new_notebook(), unmatched)
    code, out, err = run(["grade", unmatched, tmp_path / "42_absent.ipynb", tmp_path / "empty-folder",
                          "--source", FIXTURES, "--output", tmp_path / "grades"])
    assert code == 1
    assert f"no instructor notebook for 99_other.ipynb in {FIXTURES}" in out
    assert f"note: no such file: {tmp_path / '42_absent.ipynb'}" in out
    assert f"no such file or folder: {tmp_path / 'empty-folder'}" in err


def test_two_submissions_of_one_student_are_both_refused(tmp_path):
    submission(tmp_path / "class" / "alice" / "42_fixture.ipynb", SOLVED)
    submission(tmp_path / "class" / "alice" / "old" / "42_fixture.ipynb")
    submissions, problems = discover([tmp_path / "class"], ["42_fixture.ipynb"])
    assert submissions == [] and "2 submissions of 42_fixture.ipynb for student 'alice', none graded" in problems[0]


def test_submission_names_are_matched_to_instructor_notebooks():
    names = ["03_negative_sampling.ipynb", "04_skipgram_window.ipynb"]
    assert find_solution_notebook("03_negative_sampling_alice.ipynb", names) == names[0]
    assert find_solution_notebook("Bob Smith_123_assignsubmission_file_04_skipgram_window.ipynb", names) == names[1]
    assert find_solution_notebook("03_mine.ipynb", names) == names[0]
    assert find_solution_notebook("Copy of 03_Negative_Sampling (2).ipynb", names) == names[0]
    assert find_solution_notebook("notes.ipynb", names) is None
    assert find_solution_notebook("103_negative_sampling.ipynb", names) is None


def test_students_are_not_named_after_what_downloads_and_copies_add(tmp_path):
    # Two students' "(1)" downloads must not become one student "negative_sampling (1)" with two submissions.
    files = {"alice/03_negative_sampling (1).ipynb": "alice", "bob/03_negative_sampling (1).ipynb": "bob",
             "carol/Copy of 03_negative_sampling.ipynb": "carol", "dave/03_negative_sampling - Copy.ipynb": "dave",
             "erin/03_negative_sampling-erin.ipynb": "erin", "frank/exercises/03_negative_sampling.ipynb.ipynb": "frank",
             "gina/03_negative_sampling_gina (1).ipynb": "gina",
             "Hank Hill_1234_assignsubmission_file_03_negative_sampling (1).ipynb": "Hank Hill"}
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    submissions, problems = discover([tmp_path], ["03_negative_sampling.ipynb", "04_skipgram_window.ipynb"])
    assert problems == []
    assert {submission.path.relative_to(tmp_path).as_posix(): submission.student for submission in submissions} == files


def test_overall_time_limit_and_lesson_errors(tmp_path):
    # A lesson cell of the instructor's that fails is the grader's problem (exit 1); the time limit stops the rest.
    source = tmp_path / "notebooks"
    source.mkdir()
    cells = [
        new_code_cell("from w2v_lib.checks import check_close"),
        new_code_cell("1 / 0", metadata={"tags": ["raises-exception"]}),
        new_code_cell("import a_module_that_does_not_exist"),
        new_markdown_cell("### Exercise 43.1: wait"),
        new_code_cell("### BEGIN SOLUTION\nanswer_43_1 = 6\n### END SOLUTION",
                      metadata={"exercise": {"id": "43.1", "role": "solution"}}),
        new_code_cell('check_close("Exercise 43.1", globals().get("answer_43_1"), 6)',
                      metadata={"exercise": {"id": "43.1", "role": "check"}}),
        new_markdown_cell("### Exercise 43.2: too late"),
        new_code_cell("### BEGIN SOLUTION\nanswer_43_2 = 6\n### END SOLUTION",
                      metadata={"exercise": {"id": "43.2", "role": "solution"}}),
        new_code_cell('check_close("Exercise 43.2", globals().get("answer_43_2"), 6)',
                      metadata={"exercise": {"id": "43.2", "role": "check"}}),
    ]
    nbformat.write(new_notebook(cells=cells), source / "43_paths.ipynb")
    path = submission(tmp_path / "43_paths_gina.ipynb", {"43.1": "import time\ntime.sleep(30)"},
                      source=source / "43_paths.ipynb")
    code, out, _ = run(["grade", path, "--source", source, "--json", "--timeout", "20", "--total-timeout", "3",
                        "--output", tmp_path / "grades"])
    result = json.loads(out)
    assert code == 1
    assert result["error"].startswith("cell 3 of the instructor's notebook (not an exercise cell) raised "
                                      "ModuleNotFoundError")
    assert [exercise["message"] for exercise in result["exercises"]] == [
        "your solution cell did not finish before the notebook's overall time limit of 3 s ran out",
        "not run: the notebook used up its overall time limit of 3 s"]


def test_outputs_are_replaced_atomically(tmp_path):
    from classroom import write_atomic

    target = tmp_path / "gradebook.csv"
    target.write_text("old\n")
    target.chmod(0o644)
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n" and sorted(path.name for path in tmp_path.iterdir()) == ["gradebook.csv"]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's private 0600
